import {
  InvalidArgumentError,
  checkBoolean,
  checkChoice,
  checkFunction,
  checkInteger,
  checkNumber,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { absMax, dot, strongWolfe } from './line-search.js';
import { type OptimizerStateDict, layoutDifference } from './optimizer.js';
import { decodeState, encodeState } from './state.js';
import { type ParamTree, checkGrads, checkParams, elementsOf } from './tree.js';

export interface LbfgsOptions {
  /** Step length (the line search's first trial), a finite number > 0 (default 1). */
  lr?: number;
  /** Iterations per `step`, an integer >= 1 (default 20). */
  maxIter?: number;
  /** Closure evaluations per `step`, an integer >= 1 (default floor(1.25 maxIter)). */
  maxEval?: number;
  /** Stop when max |g| <= toleranceGrad, >= 0 (default 1e-7). */
  toleranceGrad?: number;
  /** Stop when a step or the change of the loss is below this, >= 0 (default 1e-9). */
  toleranceChange?: number;
  /** Number of curvature pairs kept, an integer >= 1 (default 100). */
  historySize?: number;
  /** 'strong-wolfe' for the strong-Wolfe line search (c1 1e-4, c2 0.9, 25 trials), or null: fixed steps (default null). */
  lineSearch?: 'strong-wolfe' | null;
  /** Ascend: minimize the negated loss (not in torch.optim.LBFGS; by the definition of the other optimizers). */
  maximize?: boolean;
}

/** What an L-BFGS closure returns: the loss and its gradients at the current parameters. */
export interface LbfgsEvaluation {
  loss: number;
  grads: ParamTree;
}

/**
 * `LBFGS`'s state, with a layout fixed by the parameter count n and `historySize` h: the curvature
 * pairs as rings of h vectors (`dirs` y, `stps` s, `ro` 1 / y^T s; the oldest at `head`, `count` of
 * them in use), the last direction `d` and step `t`, the scaling `hDiag`, the previous gradient and
 * loss, and torch's counters `funcEvals` and `nIter`.
 */
export interface LbfgsState {
  funcEvals: number;
  nIter: number;
  d: Float64Array;
  t: number;
  dirs: Float64Array;
  stps: Float64Array;
  ro: Float64Array;
  head: number;
  count: number;
  hDiag: number;
  prevFlatGrad: Float64Array;
  prevLoss: number;
}

const LBFGS_OPTIONS_KEYS = optionKeys<LbfgsOptions>()(
  'lr',
  'maxIter',
  'maxEval',
  'toleranceGrad',
  'toleranceChange',
  'historySize',
  'lineSearch',
  'maximize',
);

const LBFGSLOAD_STATE_DICT_OPTIONS_KEYS = optionKeys<LBFGSLoadStateDictOptions>()(
  'optimizer',
  'steps',
  'groups',
);

/** Options of {@link LBFGSLoadStateDict}. */
export type LBFGSLoadStateDictOptions = OptimizerStateDict<LbfgsState>;

/**
 * L-BFGS (Liu & Nocedal 1989; the two-loop recursion of Nocedal & Wright 2006, Algorithm 7.4) as
 * torch.optim.LBFGS, step for step: `step(closure)` runs up to `maxIter` iterations (at most
 * `maxEval` closure calls) with fixed steps `lr` or the strong-Wolfe line search, stopping on
 * `toleranceGrad` (max |g|) and `toleranceChange` (step or loss change), keeping `historySize`
 * curvature pairs (a pair with y^T s <= 1e-10 is skipped) between calls. All parameters form one
 * group, as torch. Arithmetic is float64 (float32 parameters are rounded when written). Matches
 * PyTorch 1.13 trajectories to 1e-12 relative (fixtures on the extended Rosenbrock function).
 * Memory O(historySize n); time O(historySize n) per iteration plus the closure calls.
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { LBFGS } from '@krylov/optimizers';
 * const x = array([0, 0]); // minimize (x0 - 1)^2 + 10 (x1 + 2)^2
 * const opt = new LBFGS({ x }, { lineSearch: 'strong-wolfe' });
 * const f = () => ({
 *   loss: (x.get(0) - 1) ** 2 + 10 * (x.get(1) + 2) ** 2,
 *   grads: { x: array([2 * (x.get(0) - 1), 20 * (x.get(1) + 2)]) },
 * });
 * opt.step(f);
 * console.assert(Math.abs(x.get(0) - 1) < 1e-6 && Math.abs(x.get(1) + 2) < 1e-6, 'converges');
 * ```
 */
export class LBFGS {
  readonly params: ParamTree;
  readonly name = 'lbfgs';
  private readonly names: string[];
  private readonly n: number;
  private readonly lr: number;
  private readonly maxIter: number;
  private readonly maxEval: number;
  private readonly toleranceGrad: number;
  private readonly toleranceChange: number;
  private readonly historySize: number;
  private readonly lineSearch: 'strong-wolfe' | null;
  private readonly maximize: boolean;
  private state: LbfgsState;
  private steps = 0;

  /**
   * Checks the parameters (finite float64/float32 contiguous arrays) and the options. O(n h).
   * @throws InvalidArgumentError for bad parameters or an option out of range; DTypeError for
   * non-float parameters.
   */
  constructor(params: ParamTree, options: LbfgsOptions = {}) {
    const fn = 'LBFGS';
    checkParams(fn, params);
    checkOptions(fn, options, LBFGS_OPTIONS_KEYS);
    const o = options ?? {};
    this.params = params;
    this.names = Object.keys(params);
    this.n = this.names.reduce((s, k) => s + params[k].size, 0);
    this.lr = o.lr === undefined ? 1 : checkNumber(fn, 'options.lr', o.lr, { min: 0, minExclusive: true });
    this.maxIter = o.maxIter === undefined ? 20 : checkInteger(fn, 'options.maxIter', o.maxIter, { min: 1 });
    this.maxEval =
      o.maxEval === undefined
        ? Math.floor((this.maxIter * 5) / 4)
        : checkInteger(fn, 'options.maxEval', o.maxEval, { min: 1 });
    this.toleranceGrad =
      o.toleranceGrad === undefined
        ? 1e-7
        : checkNumber(fn, 'options.toleranceGrad', o.toleranceGrad, { min: 0 });
    this.toleranceChange =
      o.toleranceChange === undefined
        ? 1e-9
        : checkNumber(fn, 'options.toleranceChange', o.toleranceChange, { min: 0 });
    this.historySize =
      o.historySize === undefined ? 100 : checkInteger(fn, 'options.historySize', o.historySize, { min: 1 });
    this.lineSearch =
      o.lineSearch === undefined || o.lineSearch === null
        ? null
        : checkChoice(fn, 'options.lineSearch', o.lineSearch, ['strong-wolfe'] as const);
    this.maximize = o.maximize === undefined ? false : checkBoolean(fn, 'options.maximize', o.maximize);
    this.state = this.initState();
  }

  private initState(): LbfgsState {
    const { n, historySize: h } = this;
    return {
      funcEvals: 0,
      nIter: 0,
      d: new Float64Array(n),
      t: 0,
      dirs: new Float64Array(h * n),
      stps: new Float64Array(h * n),
      ro: new Float64Array(h),
      head: 0,
      count: 0,
      hDiag: 1,
      prevFlatGrad: new Float64Array(n),
      prevLoss: 0,
    };
  }

  /** Number of `step` calls made. */
  get stepCount(): number {
    return this.steps;
  }

  /** Calls the closure at the current parameters and returns (loss, flat float64 gradient), checked. */
  private evaluate(closure: () => LbfgsEvaluation): { f: number; g: Float64Array } {
    const fn = 'LBFGS.step';
    const out = closure();
    if (out === null || typeof out !== 'object')
      throw new InvalidArgumentError(fn, 'closure()', out, '{ loss: number, grads: { name: NDArray } }');
    const loss = checkNumber(fn, 'closure().loss', out.loss, { infinite: true });
    checkGrads(fn, this.params, out.grads);
    const g = new Float64Array(this.n);
    let k = 0;
    for (const name of this.names) {
      const c = out.grads[name].contiguous();
      for (let i = 0; i < c.size; i++) g[k++] = c.data[c.offset + i] as number;
    }
    if (this.maximize) for (let i = 0; i < g.length; i++) g[i] = -g[i];
    return { f: this.maximize ? -loss : loss, g };
  }

  private addScaled(t: number, d: Float64Array): void {
    let k = 0;
    for (const name of this.names) {
      const p = elementsOf(this.params[name]);
      for (let i = 0; i < p.length; i++) p[i] += t * d[k++];
    }
  }

  private snapshot(): Float64Array[] {
    return this.names.map((name) => Float64Array.from(elementsOf(this.params[name])));
  }

  private restore(x: Float64Array[]): void {
    this.names.forEach((name, j) => elementsOf(this.params[name]).set(x[j]));
  }

  /**
   * One optimization step (up to `maxIter` iterations). `closure` evaluates the loss and its
   * gradients at the current parameters (which this method changes in place between calls).
   * Returns the loss of the first evaluation, as torch.
   * @throws InvalidArgumentError for a closure that is not a function or returns anything but
   * `{ loss: number (not NaN), grads }` with finite gradients of the parameters' names, shapes and
   * dtypes (DTypeError, ShapeError as `Optimizer.step`).
   */
  step(closure: () => LbfgsEvaluation): number {
    checkFunction('LBFGS.step', 'closure', closure);
    const s = this.state;
    const { n, historySize: h, lr, toleranceGrad, toleranceChange } = this;
    this.steps++;
    let { f: loss, g: flatGrad } = this.evaluate(closure);
    const origLoss = this.maximize ? -loss : loss;
    let currentEvals = 1;
    s.funcEvals++;
    if (absMax(flatGrad) <= toleranceGrad) return origLoss;
    let d = s.d;
    let t = s.t;
    const al = new Float64Array(h);
    let nIter = 0;
    while (nIter < this.maxIter) {
      nIter++;
      s.nIter++;
      if (s.nIter === 1) {
        d = Float64Array.from(flatGrad, (v) => -v);
        s.head = 0;
        s.count = 0;
        s.hDiag = 1;
      } else {
        const y = Float64Array.from(flatGrad, (v, i) => v - s.prevFlatGrad[i]);
        const sv = Float64Array.from(d, (v) => v * t);
        const ys = dot(y, sv);
        if (ys > 1e-10) {
          if (s.count === h) s.head = (s.head + 1) % h;
          else s.count++;
          const slot = (s.head + s.count - 1) % h;
          s.dirs.set(y, slot * n);
          s.stps.set(sv, slot * n);
          s.ro[slot] = 1 / ys;
          s.hDiag = ys / dot(y, y);
        }
        const at = (buf: Float64Array, i: number) =>
          buf.subarray(((s.head + i) % h) * n, ((s.head + i) % h) * n + n);
        const q = Float64Array.from(flatGrad, (v) => -v);
        for (let i = s.count - 1; i >= 0; i--) {
          const ro = s.ro[(s.head + i) % h];
          al[i] = dot(at(s.stps, i), q) * ro;
          const yi = at(s.dirs, i);
          for (let k = 0; k < n; k++) q[k] += -al[i] * yi[k];
        }
        d = Float64Array.from(q, (v) => v * s.hDiag);
        for (let i = 0; i < s.count; i++) {
          const be = dot(at(s.dirs, i), d) * s.ro[(s.head + i) % h];
          const si = at(s.stps, i);
          for (let k = 0; k < n; k++) d[k] += (al[i] - be) * si[k];
        }
      }
      s.prevFlatGrad.set(flatGrad);
      s.prevLoss = loss;
      if (s.nIter === 1) {
        let sum = 0;
        for (const v of flatGrad) sum += Math.abs(v);
        t = Math.min(1, 1 / sum) * lr;
      } else {
        t = lr;
      }
      const gtd = dot(flatGrad, d);
      if (gtd > -toleranceChange) break;
      let lsEvals = 0;
      let optCond = false;
      if (this.lineSearch === 'strong-wolfe') {
        const x = this.snapshot();
        const dir = d;
        const ls = strongWolfe(
          (step) => {
            this.addScaled(step, dir);
            const r = this.evaluate(closure);
            this.restore(x);
            return r;
          },
          t,
          d,
          loss,
          flatGrad,
          gtd,
        );
        ({ f: loss, g: flatGrad, t, evals: lsEvals } = ls);
        this.addScaled(t, d);
        optCond = absMax(flatGrad) <= toleranceGrad;
      } else {
        this.addScaled(t, d);
        if (nIter !== this.maxIter) {
          ({ f: loss, g: flatGrad } = this.evaluate(closure));
          optCond = absMax(flatGrad) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      s.funcEvals += lsEvals;
      if (nIter === this.maxIter) break;
      if (currentEvals >= this.maxEval) break;
      if (optCond) break;
      let stepMax = 0;
      for (const v of d) stepMax = Math.max(stepMax, Math.abs(v * t));
      if (stepMax <= toleranceChange) break;
      if (Math.abs(loss - s.prevLoss) < toleranceChange) break;
    }
    s.d = d;
    s.t = t;
    return origLoss;
  }

  /** The state as a plain object (copies), in `Optimizer.stateDict`'s format, tagged 'lbfgs'. */
  stateDict(): OptimizerStateDict<LbfgsState> {
    return structuredClone({
      optimizer: this.name,
      steps: this.steps,
      groups: [{ params: this.names, state: this.state }],
    });
  }

  /**
   * Restores a state from `stateDict` (same parameters and `historySize`).
   * @throws InvalidArgumentError for another optimizer's state, other parameters, or another layout.
   */
  loadStateDict(dict: LBFGSLoadStateDictOptions): void {
    const fn = 'LBFGS.loadStateDict';
    if (dict === null || typeof dict !== 'object')
      throw new InvalidArgumentError(fn, 'dict', dict, 'a state from stateDict()');
    checkOptions(fn, dict, LBFGSLOAD_STATE_DICT_OPTIONS_KEYS);
    if (dict.optimizer !== this.name)
      throw new InvalidArgumentError(fn, 'dict.optimizer', dict.optimizer, `the state of ${this.name}`);
    checkInteger(fn, 'dict.steps', dict.steps, { min: 0 });
    if (
      !Array.isArray(dict.groups) ||
      dict.groups.length !== 1 ||
      dict.groups[0]?.params?.join() !== this.names.join()
    )
      throw new InvalidArgumentError(
        fn,
        'dict.groups',
        dict.groups,
        `one group of ${JSON.stringify(this.names)}`,
      );
    const diff = layoutDifference(this.initState(), dict.groups[0].state, '');
    if (diff)
      throw new InvalidArgumentError(
        fn,
        `dict.groups[0].state${diff.path}`,
        diff.got,
        `${diff.want}, as in the state of this LBFGS (other parameters or historySize)`,
      );
    this.state = structuredClone(dict.groups[0].state);
    this.steps = dict.steps;
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
    this.loadStateDict(decodeState(bytes) as OptimizerStateDict<LbfgsState>);
  }
}
