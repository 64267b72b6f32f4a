import { InvalidArgumentError } from '@krylov/core-array';
import type { Buffer, ParamTree } from './tree.js';

/**
 * A gradient transformation in the style of optax: `init` builds the state from the parameters,
 * `update` rewrites the update arrays in place (the optimizer hands it a copy of the gradients)
 * and advances the state. Optimizers are chains of small transformations, so Muon, Shampoo, SOAP
 * and GaLore reuse Adam's moments, weight decay and learning-rate scaling instead of copying them.
 *
 * State is a plain object of numbers and typed arrays, so it serializes without custom code.
 */
export interface GradientTransformation<S = unknown> {
  init(params: ParamTree): S;
  update(updates: ParamTree, state: S, params: ParamTree): void;
}

/** Plain state values: numbers, strings, typed arrays, arrays and objects of them. */
export type StateValue =
  | number
  | string
  | boolean
  | null
  | Buffer
  | Int32Array
  | StateValue[]
  | { [key: string]: StateValue };

/** Applies transformations in order (optax.chain); the state is the tuple of their states. */
export function chain(...transforms: GradientTransformation<unknown>[]): GradientTransformation<unknown[]> {
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update(updates, state, params) {
      transforms.forEach((t, i) => t.update(updates, state[i], params));
    },
  };
}

/**
 * Routes each parameter to the transformation named by `label(name, param)` (optax.partition),
 * e.g. Muon for 2-D weights and AdamW for everything else.
 */
export function partition(
  label: (name: string, p: ParamTree[string]) => string,
  transforms: Record<string, GradientTransformation<unknown>>,
): GradientTransformation<Record<string, unknown>> {
  const split = (tree: ParamTree, params: ParamTree) => {
    const parts: Record<string, ParamTree> = {};
    for (const name of Object.keys(tree)) {
      const key = label(name, params[name]);
      if (!(key in transforms))
        throw new InvalidArgumentError(
          'partition',
          `label(${name})`,
          key,
          `one of the labels ${Object.keys(transforms).join(', ')}`,
        );
      (parts[key] ??= {})[name] = tree[name];
    }
    return parts;
  };
  return {
    init(params) {
      const parts = split(params, params);
      return Object.fromEntries(Object.keys(transforms).map((k) => [k, transforms[k].init(parts[k] ?? {})]));
    },
    update(updates, state, params) {
      const u = split(updates, params);
      const p = split(params, params);
      for (const k of Object.keys(transforms)) if (u[k]) transforms[k].update(u[k], state[k], p[k]);
    },
  };
}

/** A per-parameter transformation: `initOne` makes one parameter's state, `updateOne` rewrites its update in place. */
export function perParameter<S>(
  initOne: (p: ParamTree[string]) => S,
  updateOne: (u: Buffer, s: S, p: ParamTree[string], count: number, name: string) => void,
): GradientTransformation<{ count: number; slots: Record<string, S> }> {
  return {
    init: (params) => ({
      count: 0,
      slots: Object.fromEntries(Object.entries(params).map(([n, p]) => [n, initOne(p)])),
    }),
    update(updates, state, params) {
      state.count++;
      for (const name of Object.keys(updates))
        updateOne(updates[name].data as Buffer, state.slots[name], params[name], state.count, name);
    },
  };
}
