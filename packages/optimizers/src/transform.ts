import {
  InvalidArgumentError,
  checkBoolean,
  checkFunction,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { type Buffer, type ParamTree, elementsOf } from './tree.js';

/**
 * A gradient transformation in the style of optax: `init` builds the state from the parameters,
 * `update` rewrites the update arrays in place (the optimizer hands it a copy of the gradients)
 * and advances the state. Optimizers are chains of small transformations, so Muon, Shampoo, SOAP
 * and GaLore reuse Adam's moments, weight decay and learning-rate scaling instead of copying them.
 *
 * State is a plain object of numbers and typed arrays whose layout is fixed by `init` (no field
 * changes type or length later), so it serializes without custom code and a checkpoint can be
 * checked against the layout it is loaded into.
 *
 * Options are checked when a transformation is made and `init` takes what `Optimizer` has checked;
 * `update` is the inner loop and does not validate its arrays (use `Optimizer.step`, which does).
 */
export interface GradientTransformation<S = unknown> {
  /** A name for error messages and checkpoints, e.g. `'adam'` or `'chain(scaleByAdam, scaleByLearningRate)'`. */
  readonly name?: string;
  init(params: ParamTree): S;
  update(updates: ParamTree, state: S, params: ParamTree): void;
  /**
   * Optional: throws if the next `update` from `state` would be refused (e.g. a learning-rate
   * schedule that returns NaN at the next step). `chain`, `partition` and `Optimizer.step` call it
   * on every member before any of them changes its state, so a refused step changes nothing.
   */
  check?(state: S): void;
}

/** The state type of a transformation: `StateOf<typeof t>`. */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never;

/** The state of a per-parameter transformation: the step count and one slot per parameter name. */
export interface PerParameterState<S> {
  count: number;
  slots: Record<string, S>;
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

/** Throws unless `t` has `init` and `update` methods. */
export function checkTransform(fn: string, arg: string, t: unknown): void {
  const ok =
    t !== null &&
    typeof t === 'object' &&
    typeof (t as GradientTransformation).init === 'function' &&
    typeof (t as GradientTransformation).update === 'function';
  if (!ok) throw new InvalidArgumentError(fn, arg, t, 'a GradientTransformation ({ init, update })');
}

/** `t` with `name` set (the named optimizers' chains). */
export function named<T extends GradientTransformation<unknown>>(name: string, t: T): T {
  return { ...t, name };
}

/**
 * Applies transformations in order (optax.chain); the state is the tuple of their states, typed
 * member by member: `chain(scaleByAdam(), scaleByLearningRate(1e-3))` has state
 * `[AdamState, LearningRateState]`. Before any member updates, every member's `check` runs, so a
 * refused step (a schedule returning NaN) leaves the whole state unchanged.
 * @throws InvalidArgumentError for an argument that is not a GradientTransformation.
 * Cost: the sum of the members' (O(n) for element-wise members).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, clipByGlobalNorm, scaleByAdam, scaleByLearningRate } from '@krylov/optimizers';
 * const t = chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-2));
 * const params = { w: array([1, 2]) };
 * const state = t.init(params); // [null, AdamState, LearningRateState]
 * const updates = { w: array([30, -40]) };
 * t.update(updates, state, params);
 * console.assert(state.length === 3 && updates.w.get(0) < 0, 'clipped, Adam-scaled, negated');
 * ```
 */
export function chain<T extends GradientTransformation<unknown>[]>(
  ...transforms: T
): GradientTransformation<{ [K in keyof T]: StateOf<T[K]> }> {
  transforms.forEach((t, i) => checkTransform('chain', `transforms[${i}]`, t));
  type S = { [K in keyof T]: StateOf<T[K]> };
  const check = (state: S) => transforms.forEach((t, i) => t.check?.((state as unknown[])[i]));
  return {
    name: `chain(${transforms.map((t) => t.name ?? 'anonymous').join(', ')})`,
    init: (params) => transforms.map((t) => t.init(params)) as S,
    check,
    update(updates, state, params) {
      check(state);
      transforms.forEach((t, i) => t.update(updates, (state as unknown[])[i], params));
    },
  };
}

/**
 * Routes each parameter to the transformation named by `label(name, param)` (optax.partition),
 * e.g. Muon for 2-D weights and AdamW for everything else. The state has one entry per label.
 * @throws InvalidArgumentError for a `label` that is not a function, a member that is not a
 * GradientTransformation, and (at init or update) a label that names no member.
 * Cost: the members' plus O(number of parameters) to route them.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { adamw, partition, scaleByMuon, scaleByLearningRate, chain } from '@krylov/optimizers';
 * const t = partition((name, p) => (p.ndim === 2 ? 'muon' : 'adam'), {
 *   muon: chain(scaleByMuon(), scaleByLearningRate(0.02)),
 *   adam: adamw({ lr: 1e-3 }),
 * });
 * const params = { w: array([[1, 0], [0, 1]]), b: array([0, 0]) };
 * const state = t.init(params);
 * console.assert('muon' in state && 'adam' in state, 'one state per label');
 * ```
 */
export function partition<T extends Record<string, GradientTransformation<unknown>>>(
  label: (name: string, p: ParamTree[string]) => string,
  transforms: T,
): GradientTransformation<{ [K in keyof T]: StateOf<T[K]> }> {
  checkFunction('partition', 'label', label);
  if (transforms === null || typeof transforms !== 'object' || Array.isArray(transforms))
    throw new InvalidArgumentError(
      'partition',
      'transforms',
      transforms,
      'an object of named transformations',
    );
  for (const [k, t] of Object.entries(transforms)) checkTransform('partition', `transforms.${k}`, t);
  type S = { [K in keyof T]: StateOf<T[K]> };
  const split = (tree: ParamTree, params: ParamTree) => {
    const parts: Record<string, ParamTree> = {};
    for (const name of Object.keys(tree)) {
      const key = label(name, params[name]);
      if (typeof key !== 'string' || !Object.hasOwn(transforms, key))
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
  const check = (state: S) => {
    for (const k of Object.keys(transforms)) transforms[k].check?.((state as Record<string, unknown>)[k]);
  };
  return {
    name: `partition(${Object.entries(transforms)
      .map(([k, t]) => `${k}: ${t.name ?? 'anonymous'}`)
      .join(', ')})`,
    init(params) {
      const parts = split(params, params);
      return Object.fromEntries(
        Object.keys(transforms).map((k) => [k, transforms[k].init(parts[k] ?? {})]),
      ) as S;
    },
    check,
    update(updates, state, params) {
      check(state);
      const u = split(updates, params);
      const p = split(params, params);
      for (const k of Object.keys(transforms))
        if (u[k]) transforms[k].update(u[k], (state as Record<string, unknown>)[k], p[k]);
    },
  };
}

const PER_PARAMETER_OPTIONS_KEYS = optionKeys<PerParameterOptions>()('name');

/** Options of {@link perParameter}. */
export type PerParameterOptions = { name?: string };

/**
 * A per-parameter transformation: `initOne` makes one parameter's state, `updateOne` rewrites its
 * update (a buffer of exactly the parameter's size) in place. `name` names it in errors.
 * @throws InvalidArgumentError for arguments that are not functions.
 * Cost: `updateOne`'s, once per parameter per step.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { perParameter } from '@krylov/optimizers';
 * // sign descent: u <- -0.1 sign(g)
 * const signSgd = perParameter(() => null, (u) => { for (let i = 0; i < u.length; i++) u[i] = -0.1 * Math.sign(u[i]); });
 * const params = { w: array([1, 2]) };
 * const state = signSgd.init(params);
 * const updates = { w: array([3, -4]) };
 * signSgd.update(updates, state, params);
 * console.assert(updates.w.get(0) === -0.1 && updates.w.get(1) === 0.1 && state.count === 1, 'sign step');
 * ```
 */
export function perParameter<S>(
  initOne: (p: ParamTree[string], name: string) => S,
  updateOne: (u: Buffer, s: S, p: ParamTree[string], count: number, name: string) => void,
  options?: PerParameterOptions,
): GradientTransformation<PerParameterState<S>> {
  checkFunction('perParameter', 'initOne', initOne);
  checkFunction('perParameter', 'updateOne', updateOne);
  checkOptions('perParameter', options, PER_PARAMETER_OPTIONS_KEYS);
  return {
    name: options?.name ?? 'perParameter',
    init: (params) => ({
      count: 0,
      slots: Object.fromEntries(Object.entries(params).map(([n, p]) => [n, initOne(p, n)])),
    }),
    update(updates, state, params) {
      state.count++;
      for (const name of Object.keys(updates))
        updateOne(elementsOf(updates[name]), state.slots[name], params[name], state.count, name);
    },
  };
}

/**
 * torch.optim's `maximize`: `t` applied to the negated gradients, so it ascends the objective.
 * Every torch.optim class with the option negates the gradient first, before weight decay or
 * moments; the state type, layout and name are `t`'s. O(n).
 * @throws InvalidArgumentError for a `t` that is not a GradientTransformation.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { maximizing, sgd } from '@krylov/optimizers';
 * const t = maximizing(sgd({ lr: 0.5 }));
 * const params = { w: array([0]) };
 * const updates = { w: array([1]) }; // gradient of f(w) = w
 * t.update(updates, t.init(params), params);
 * console.assert(updates.w.get(0) === 0.5, 'ascends: +lr g');
 * ```
 */
export function maximizing<S>(t: GradientTransformation<S>): GradientTransformation<S> {
  checkTransform('maximizing', 't', t);
  return {
    ...t,
    update(updates, state, params) {
      t.check?.(state);
      for (const name of Object.keys(updates)) {
        const u = elementsOf(updates[name]);
        for (let i = 0; i < u.length; i++) u[i] = -u[i];
      }
      t.update(updates, state, params);
    },
  };
}

/** `t`, or `maximizing(t)` when `options.maximize` (checked as a boolean, default false) is set. */
export function withMaximize<S>(
  fn: string,
  options: { maximize?: boolean } | undefined,
  t: GradientTransformation<S>,
): GradientTransformation<S> {
  const v = options?.maximize;
  if (v === undefined) return t;
  return checkBoolean(fn, 'options.maximize', v) ? maximizing(t) : t;
}
