import { InvalidArgumentError, checkOptions } from '@krylov/core-array';
import { decodeState, encodeState } from './state.js';
import type { GradientTransformation } from './transform.js';
import { type Buffer, type ParamTree, checkGrads, checkParams } from './tree.js';

/** A parameter group: parameter names plus options overriding the optimizer's defaults. */
export type ParamGroup<O> = { params: string[] } & Partial<O>;

/** The options object a transformation factory takes. */
export type OptionsOf<F> = F extends (options: infer O) => unknown ? NonNullable<O> : never;

type Factory = (options: never) => GradientTransformation<unknown>;

interface Group<O> {
  names: string[];
  options: O;
  transform: GradientTransformation<unknown>;
  state: unknown;
}

/**
 * The PyTorch-style optimizer object over named parameters: parameter groups with per-group
 * options, `step(grads)` updating the parameters in place, `zeroState`, and state that round-trips
 * through a plain object (`stateDict` / `loadStateDict`) or bytes (`toBytes` / `loadBytes`).
 *
 * ```ts
 * const opt = new Optimizer({ w, b }, adamw, { lr: 1e-3 }, [{ params: ['b'], weightDecay: 0 }]);
 * opt.step({ w: gw, b: gb });
 * ```
 */
export class Optimizer<F extends Factory> {
  readonly params: ParamTree;
  private readonly groups: Group<OptionsOf<F>>[];
  private steps = 0;

  /**
   * @throws InvalidArgumentError for non-float or non-contiguous parameters, unknown or repeated names in groups.
   */
  constructor(params: ParamTree, make: F, defaults: OptionsOf<F>, groups: ParamGroup<OptionsOf<F>>[] = []) {
    const fn = 'Optimizer';
    checkParams(fn, params);
    this.params = params;
    const taken = new Set<string>();
    const build = (names: string[], options: OptionsOf<F>): Group<OptionsOf<F>> => {
      const transform = make(options as never);
      return { names, options, transform, state: transform.init(pick(params, names)) };
    };
    this.groups = groups.map((g, i) => {
      const { params: names, ...overrides } = g;
      for (const n of names) {
        if (!(n in params))
          throw new InvalidArgumentError(
            fn,
            `groups[${i}].params`,
            n,
            `a parameter name (${Object.keys(params).join(', ')})`,
          );
        if (taken.has(n))
          throw new InvalidArgumentError(fn, `groups[${i}].params`, n, 'a parameter in only one group');
        taken.add(n);
      }
      return build(names, { ...defaults, ...overrides } as OptionsOf<F>);
    });
    const rest = Object.keys(params).filter((n) => !taken.has(n));
    if (rest.length > 0) this.groups.push(build(rest, defaults));
  }

  /** Number of steps taken. */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * Applies one update from `grads` (same names, shapes and dtypes as the parameters).
   * Validation happens before any parameter changes, so a rejected step leaves them untouched.
   * @throws InvalidArgumentError for unknown or missing names and non-finite gradients; ShapeError for shape mismatches.
   */
  step(grads: ParamTree): void {
    checkGrads('Optimizer.step', this.params, grads);
    for (const g of this.groups) {
      const updates: ParamTree = {};
      for (const n of g.names) updates[n] = grads[n].copy(this.params[n].dtype);
      g.transform.update(updates, g.state, pick(this.params, g.names));
      for (const n of g.names) {
        const p = this.params[n].data as Buffer;
        const u = updates[n].data as Buffer;
        for (let i = 0; i < p.length; i++) p[i] += u[i];
      }
    }
    this.steps++;
  }

  /** Resets every group's state (moments, counts) as if no step had been taken. */
  zeroState(): void {
    for (const g of this.groups) g.state = g.transform.init(pick(this.params, g.names));
    this.steps = 0;
  }

  /** The state as a plain object of numbers and typed arrays (copies). */
  stateDict(): { steps: number; groups: { params: string[]; state: unknown }[] } {
    return structuredClone({
      steps: this.steps,
      groups: this.groups.map((g) => ({ params: g.names, state: g.state })),
    });
  }

  /**
   * Restores a state from `stateDict` (same parameters and group layout).
   * @throws InvalidArgumentError when the groups do not match.
   */
  loadStateDict(dict: { steps: number; groups: { params: string[]; state: unknown }[] }): void {
    checkOptions('Optimizer.loadStateDict', dict, ['steps', 'groups']);
    if (
      !Array.isArray(dict.groups) ||
      dict.groups.length !== this.groups.length ||
      dict.groups.some((g, i) => g.params.join() !== this.groups[i].names.join())
    ) {
      throw new InvalidArgumentError(
        'Optimizer.loadStateDict',
        'dict.groups',
        dict.groups?.map((g) => g.params),
        `the groups ${JSON.stringify(this.groups.map((g) => g.names))}`,
      );
    }
    const copy = structuredClone(dict);
    this.groups.forEach((g, i) => (g.state = copy.groups[i].state));
    this.steps = copy.steps;
  }

  /** The state as bytes (a checkpoint). */
  toBytes(): Uint8Array {
    return encodeState(this.stateDict());
  }

  /** Restores a state saved by `toBytes`. */
  loadBytes(bytes: Uint8Array): void {
    this.loadStateDict(decodeState(bytes) as ReturnType<Optimizer<F>['stateDict']>);
  }

  /** The options of each group (after merging defaults). */
  get groupOptions(): { params: string[]; options: OptionsOf<F> }[] {
    return this.groups.map((g) => ({ params: [...g.names], options: g.options }));
  }
}

function pick(tree: ParamTree, names: string[]): ParamTree {
  return Object.fromEntries(names.map((n) => [n, tree[n]]));
}
