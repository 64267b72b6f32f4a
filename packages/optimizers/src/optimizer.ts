import {
  InvalidArgumentError,
  checkFunction,
  checkInteger,
  checkOptions,
  describeValue,
} from '@krylov/core-array';
import { decodeState, encodeState } from './state.js';
import { type GradientTransformation, type StateOf, checkTransform } from './transform.js';
import { type ParamTree, checkGrads, checkParams, elementsOf } from './tree.js';

/** A parameter group: parameter names plus options overriding the optimizer's defaults. */
export type ParamGroup<O> = { params: string[] } & Partial<O>;

/** The options object a transformation factory takes. */
export type OptionsOf<F> = F extends (options: infer O) => unknown ? NonNullable<O> : never;

type Factory = (options: never) => GradientTransformation<unknown>;

/** The state of the transformation a factory makes. */
export type FactoryState<F> = F extends (options: never) => infer T ? StateOf<T> : never;

/** What `Optimizer.stateDict` returns and `loadStateDict` takes. */
export interface OptimizerStateDict<S = unknown> {
  /** The optimizer the state belongs to (e.g. 'adamw'); `loadStateDict` refuses another's. */
  optimizer: string;
  steps: number;
  groups: { params: string[]; state: S }[];
}

interface Group<O, S> {
  names: string[];
  options: O;
  transform: GradientTransformation<S>;
  state: S;
}

/**
 * The PyTorch-style optimizer object over named parameters: parameter groups with per-group
 * options, `step(grads)` updating the parameters in place, `zeroState`, and state that round-trips
 * through a plain object (`stateDict` / `loadStateDict`) or bytes (`toBytes` / `loadBytes`).
 *
 * Reference: torch.optim.Optimizer (param groups, `state_dict`). Cost per step: the
 * transformation's (O(n) for the element-wise optimizers) plus O(n) validation.
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, adamw } from '@krylov/optimizers';
 * const w = array([1, -2]);
 * const b = array([0.5]);
 * const opt = new Optimizer({ w, b }, adamw, { lr: 0.1 }, [{ params: ['b'], weightDecay: 0 }]);
 * opt.step({ w: array([2, -4]), b: array([1]) }); // gradients of ||w||^2 + b^2
 * const copy = new Optimizer({ w, b }, adamw, { lr: 0.1 }, [{ params: ['b'], weightDecay: 0 }]);
 * copy.loadBytes(opt.toBytes()); // checkpoint round trip
 * console.assert(opt.stepCount === 1 && w.get(0) < 1 && copy.stepCount === 1, 'stepped and restored');
 * ```
 */
export class Optimizer<F extends Factory> {
  readonly params: ParamTree;
  /** The optimizer's name, recorded in its checkpoints (the transformation's name, else the factory's). */
  readonly name: string;
  private readonly groups: Group<OptionsOf<F>, FactoryState<F>>[];
  private steps = 0;

  /**
   * Checks the parameters (finite float64/float32 contiguous arrays), the groups and, through
   * `make`, every option. O(total size).
   * @throws InvalidArgumentError for non-arrays, non-contiguous or non-finite parameters, unknown or
   * repeated names in groups, bad options; DTypeError for non-float parameters.
   */
  constructor(
    params: ParamTree,
    make: F,
    defaults: OptionsOf<F> = {} as OptionsOf<F>,
    groups: ParamGroup<OptionsOf<F>>[] = [],
  ) {
    const fn = 'Optimizer';
    checkParams(fn, params);
    checkFunction(fn, 'make', make);
    if (defaults === null || typeof defaults !== 'object' || Array.isArray(defaults))
      throw new InvalidArgumentError(fn, 'defaults', defaults, 'an options object');
    if (!Array.isArray(groups))
      throw new InvalidArgumentError(fn, 'groups', groups, 'an array of parameter groups');
    this.params = params;
    const taken = new Set<string>();
    const build = (
      names: string[],
      options: OptionsOf<F>,
      where: string,
    ): Group<OptionsOf<F>, FactoryState<F>> => {
      const transform = make(options as never) as GradientTransformation<FactoryState<F>>;
      checkTransform(fn, `make(${where})`, transform);
      return { names, options, transform, state: transform.init(pick(params, names)) };
    };
    this.groups = groups.map((g, i) => {
      if (g === null || typeof g !== 'object' || !Array.isArray(g.params))
        throw new InvalidArgumentError(fn, `groups[${i}]`, g, '{ params: string[], ...options }');
      const { params: names, ...overrides } = g;
      for (const n of names) {
        if (typeof n !== 'string' || !Object.hasOwn(params, n))
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
      return build([...names], { ...defaults, ...overrides } as OptionsOf<F>, `groups[${i}]`);
    });
    const rest = Object.keys(params).filter((n) => !taken.has(n));
    if (rest.length > 0 || this.groups.length === 0) this.groups.push(build(rest, defaults, 'defaults'));
    this.name = this.groups[0].transform.name ?? (make.name || 'anonymous');
  }

  /** Number of steps taken. */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * Applies one update from `grads` (same names, shapes and dtypes as the parameters).
   * Validation, including each schedule's rate at this step, happens before any state or
   * parameter changes, so a refused step leaves both untouched; the parameters change only after
   * every group's update is computed.
   * @throws InvalidArgumentError for a non-object, unknown or missing names, non-arrays, non-finite
   * gradients and a schedule value that is not a finite number >= 0 (naming the optimizer and the
   * step); DTypeError for a dtype other than the parameter's; ShapeError for shape mismatches.
   */
  step(grads: ParamTree): void {
    checkGrads('Optimizer.step', this.params, grads);
    for (const g of this.groups) g.transform.check?.(g.state);
    const all: ParamTree[] = [];
    for (const g of this.groups) {
      const updates: ParamTree = {};
      for (const n of g.names) updates[n] = grads[n].copy(this.params[n].dtype);
      g.transform.update(updates, g.state, pick(this.params, g.names));
      all.push(updates);
    }
    this.groups.forEach((g, k) => {
      for (const n of g.names) {
        const p = elementsOf(this.params[n]);
        const u = elementsOf(all[k][n]);
        for (let i = 0; i < p.length; i++) p[i] += u[i];
      }
    });
    this.steps++;
  }

  /** Resets every group's state (moments, counts) as if no step had been taken. */
  zeroState(): void {
    for (const g of this.groups) g.state = g.transform.init(pick(this.params, g.names));
    this.steps = 0;
  }

  /** The state as a plain object of numbers and typed arrays (copies), tagged with the optimizer's name. */
  stateDict(): OptimizerStateDict<FactoryState<F>> {
    return structuredClone({
      optimizer: this.name,
      steps: this.steps,
      groups: this.groups.map((g) => ({ params: g.names, state: g.state })),
    });
  }

  /**
   * Restores a state from `stateDict` (same optimizer, parameters, group layout and state layout:
   * every buffer of the same kind and length as this optimizer's own).
   * @throws InvalidArgumentError for a state of another optimizer (saying whose it is), other
   * groups, or a state whose layout differs from this optimizer's (naming the first difference).
   */
  loadStateDict(dict: OptimizerStateDict<FactoryState<F>>): void {
    const fn = 'Optimizer.loadStateDict';
    if (dict === null || typeof dict !== 'object')
      throw new InvalidArgumentError(fn, 'dict', dict, 'a state from stateDict()');
    checkOptions(fn, dict, ['optimizer', 'steps', 'groups']);
    if (dict.optimizer !== undefined && dict.optimizer !== this.name)
      throw new InvalidArgumentError(
        fn,
        'dict.optimizer',
        dict.optimizer,
        `the state of ${this.name} (this optimizer); the state belongs to ${describeValue(dict.optimizer)}`,
      );
    checkInteger(fn, 'dict.steps', dict.steps, { min: 0 });
    if (
      !Array.isArray(dict.groups) ||
      dict.groups.length !== this.groups.length ||
      dict.groups.some((g, i) => !Array.isArray(g?.params) || g.params.join() !== this.groups[i].names.join())
    ) {
      throw new InvalidArgumentError(
        fn,
        'dict.groups',
        Array.isArray(dict.groups) ? dict.groups.map((g) => g?.params) : dict.groups,
        `the groups ${JSON.stringify(this.groups.map((g) => g.names))}`,
      );
    }
    this.groups.forEach((g, i) => {
      const expected = g.transform.init(pick(this.params, g.names));
      const diff = layoutDifference(expected, dict.groups[i].state, '');
      if (diff)
        throw new InvalidArgumentError(
          fn,
          `dict.groups[${i}].state${diff.path}`,
          diff.got,
          `${diff.want}, as in the state of ${this.name} (the state belongs to another optimizer, or to one with other options such as amsgrad or momentum)`,
        );
    });
    const copy = structuredClone(dict);
    this.groups.forEach((g, i) => (g.state = copy.groups[i].state));
    this.steps = copy.steps;
  }

  /** The state as bytes (a checkpoint). */
  toBytes(): Uint8Array {
    return encodeState(this.stateDict());
  }

  /**
   * Restores a state saved by `toBytes`.
   * @throws InvalidArgumentError for bytes that are not a checkpoint, and as `loadStateDict`.
   */
  loadBytes(bytes: Uint8Array): void {
    this.loadStateDict(decodeState(bytes) as OptimizerStateDict<FactoryState<F>>);
  }

  /** The options of each group (after merging defaults). */
  get groupOptions(): { params: string[]; options: OptionsOf<F> }[] {
    return this.groups.map((g) => ({ params: [...g.names], options: g.options }));
  }
}

function pick(tree: ParamTree, names: string[]): ParamTree {
  return Object.fromEntries(names.map((n) => [n, tree[n]]));
}

/** How a state value is described in errors: 'Float64Array(6)', 'null', 'an array of 3', 'an object with keys m, v'. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Float64Array).length})`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return `an object with keys ${Object.keys(v as object).join(', ') || '(none)'}`;
  return `a ${typeof v}`;
}

/** The first place where `got` differs in layout from `want` (kinds, keys, lengths), or null (internal). */
export function layoutDifference(
  want: unknown,
  got: unknown,
  path: string,
): { path: string; want: string; got: unknown } | null {
  const here = { path, want: kindOf(want), got };
  if (want === null || typeof want !== 'object') {
    if (want === null ? got !== null : typeof got !== typeof want) return here;
    return null;
  }
  if (ArrayBuffer.isView(want)) return kindOf(want) === kindOf(got) ? null : here;
  if (
    got === null ||
    typeof got !== 'object' ||
    ArrayBuffer.isView(got) ||
    Array.isArray(want) !== Array.isArray(got)
  )
    return here;
  const wk = Object.keys(want);
  const gk = Object.keys(got);
  if (wk.length !== gk.length || wk.some((k) => !Object.hasOwn(got, k))) return here;
  for (const k of wk) {
    const d = layoutDifference(
      (want as Record<string, unknown>)[k],
      (got as Record<string, unknown>)[k],
      Array.isArray(want) ? `${path}[${k}]` : `${path}.${k}`,
    );
    if (d) return d;
  }
  return null;
}
