import {
  InvalidArgumentError,
  NDArray,
  ShapeError,
  checkBoolean,
  checkChoice,
  checkInteger,
  checkNumber,
  checkOptions,
  isNDArray,
  matmul,
  optionKeys,
} from '@krylov/core-array';
import { eigh, solve } from '@krylov/decompositions';
import { type OptimizerStateDict, layoutDifference } from './optimizer.js';
import { decodeState, encodeState } from './state.js';
import { BETA, NON_NEGATIVE, POSITIVE } from './transforms/moments.js';
import { type ParamTree, checkGrads, checkParams, elementsOf } from './tree.js';

type Mat = NDArray<'float64'>;

/**
 * A dense layer y = W a + b: the names of its weight (out x in) and optional bias (out)
 * parameters; with `transposed`, the weight is in x out and the layer is y = a W + b (x @ W code).
 */
export interface KfacLayer {
  weight: string;
  bias?: string;
  transposed?: boolean;
}

/** One layer's statistics for a factor update: its inputs a (batch x in) and the per-example gradients of the loss with respect to its outputs (batch x out). */
export interface KfacLayerStats {
  inputs: NDArray;
  outputGrads: NDArray;
}

export interface KfacOptions {
  /** The dense layers to precondition, by name; other parameters get the plain (momentum) SGD step. */
  layers: Record<string, KfacLayer>;
  /** Learning rate, a finite number >= 0 (default 1e-3). */
  lr?: number;
  /** Momentum in [0, 1) of the preconditioned step (default 0.9). */
  momentum?: number;
  /** Damping lambda > 0 of the Fisher block (default 1e-3). */
  damping?: number;
  /** Running-average decay in [0, 1) of the factors (default 0.95). */
  factorDecay?: number;
  /** Update the factors every this many steps, an integer >= 1 (default 10, KFAC-Pytorch's TCov). */
  factorUpdateInterval?: number;
  /** Recompute the inverses every this many steps, an integer >= 1 (default 100, KFAC-Pytorch's TInv). */
  inverseUpdateInterval?: number;
  /**
   * 'eigh' (default): eigendecompositions A = Qa Da Qa^T, G = Qg Dg Qg^T and the exact damped
   * inverse (A kron G + lambda I)^-1; 'cholesky': factored Tikhonov damping (A + pi sqrt(lambda) I)^-1
   * and (G + sqrt(lambda) / pi I)^-1 through Cholesky solves, pi^2 = (tr A / dim A) / (tr G / dim G).
   */
  inverse?: 'eigh' | 'cholesky';
  /** Coupled weight decay >= 0 added to the preconditioned direction (default 0). */
  weightDecay?: number;
}

/** One layer's K-FAC state (row-major float64): factors, and their eigenvectors / eigenvalues ('eigh') or damped inverses ('cholesky', `da` and `dg` empty). */
export interface KfacLayerState {
  a: Float64Array;
  g: Float64Array;
  qa: Float64Array;
  da: Float64Array;
  qg: Float64Array;
  dg: Float64Array;
  /** 1 once the factors hold statistics, 0 before. */
  ready: number;
}

/** `KFAC`'s state: the step count, the layers' factors and the momentum buffers per parameter. */
export interface KfacState {
  count: number;
  layers: Record<string, KfacLayerState>;
  momentum: Record<string, Float64Array>;
}

const mat = (d: ArrayLike<number>, m: number, n: number): Mat =>
  new NDArray(Float64Array.from(d), [m, n]) as Mat;

const KFAC_OPTIONS_KEYS = optionKeys<KfacOptions>()(
  'layers',
  'lr',
  'momentum',
  'damping',
  'factorDecay',
  'factorUpdateInterval',
  'inverseUpdateInterval',
  'inverse',
  'weightDecay',
);

const KFACLOAD_STATE_DICT_OPTIONS_KEYS = optionKeys<KFACLoadStateDictOptions>()(
  'optimizer',
  'steps',
  'groups',
);

/** Options of {@link KFACLoadStateDict}. */
export type KFACLoadStateDictOptions = OptimizerStateDict<KfacState>;

/**
 * K-FAC for dense layers (Martens & Grosse 2015, "Optimizing Neural Networks with
 * Kronecker-factored Approximate Curvature"; the eigenbasis form of Grosse & Martens 2016 and of
 * KFAC-Pytorch, github.com/alecwangcq/KFAC-Pytorch, whose defaults are used). For a layer y = W a + b
 * the Fisher block of [W | b] is approximated by A kron G with A = E[a~ a~^T] (a~ = [a; 1] with a
 * bias) and G = E[g g^T], g the per-example gradient of the loss with respect to y; the factors are
 * running averages (decay `factorDecay`) refreshed every `factorUpdateInterval` steps from the
 * statistics the caller's model code passes to `step`, and their inverses every
 * `inverseUpdateInterval` steps by eigh or Cholesky (@krylov/decompositions). The direction for
 * [dW | db] is Qg ((Qg^T V Qa) / (dg da^T + lambda)) Qa^T ('eigh': exactly (A kron G + lambda I)^-1 vec V),
 * then weight decay, momentum buf = mu buf + d and p -= lr buf. Parameters outside `layers` take
 * the same step with d = their gradient. Not implemented from KFAC-Pytorch: its KL clipping.
 * Per refresh O(in^3 + out^3) per layer; per step O(out in (out + in)).
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { KFAC } from '@krylov/optimizers';
 * const w = array([[0, 0]]); // y = w a, one output; loss = mean (y - t)^2 / 2 over the batch
 * const b = array([0]);
 * const opt = new KFAC({ w, b }, { layers: { fc: { weight: 'w', bias: 'b' } }, lr: 0.1 });
 * const a = array([[1, 0], [0, 1], [1, 1], [2, 1]]);
 * const r = array([[-1], [-2], [-3], [-4]]); // per-example dloss/dy = y - t at w = 0, t = [1, 2, 3, 4]
 * const gw = array([[-(1 + 3 + 8) / 4, -(2 + 3 + 4) / 4]]); // mean of r_i a_i^T
 * opt.step({ w: gw, b: array([-10 / 4]) }, { fc: { inputs: a, outputGrads: r } });
 * console.assert(w.get(0, 0) > 0 && w.get(0, 1) > 0, 'moved toward the fit');
 * ```
 */
export class KFAC {
  readonly params: ParamTree;
  readonly name = 'kfac';
  private readonly layers: [string, KfacLayer][];
  private readonly lr: number;
  private readonly mu: number;
  private readonly damping: number;
  private readonly decay: number;
  private readonly tCov: number;
  private readonly tInv: number;
  private readonly method: 'eigh' | 'cholesky';
  private readonly wd: number;
  private state: KfacState;

  /**
   * Checks the parameters and options, and that each layer's weight is a matrix (out x in) and its
   * bias a vector of length out. O(total size).
   * @throws InvalidArgumentError for bad parameters, options or layer names; ShapeError for layer
   * parameters of the wrong shapes; DTypeError for non-float parameters.
   */
  constructor(params: ParamTree, options: KfacOptions) {
    const fn = 'KFAC';
    checkParams(fn, params);
    checkOptions(fn, options, KFAC_OPTIONS_KEYS);
    const o = options ?? ({} as KfacOptions);
    const num = (key: keyof KfacOptions, fallback: number, range: object) =>
      o[key] === undefined ? fallback : checkNumber(fn, `options.${key}`, o[key], range);
    this.params = params;
    this.lr = num('lr', 1e-3, NON_NEGATIVE);
    this.mu = num('momentum', 0.9, BETA);
    this.damping = num('damping', 1e-3, POSITIVE);
    this.decay = num('factorDecay', 0.95, BETA);
    this.tCov =
      o.factorUpdateInterval === undefined
        ? 10
        : checkInteger(fn, 'options.factorUpdateInterval', o.factorUpdateInterval, { min: 1 });
    this.tInv =
      o.inverseUpdateInterval === undefined
        ? 100
        : checkInteger(fn, 'options.inverseUpdateInterval', o.inverseUpdateInterval, { min: 1 });
    this.method =
      o.inverse === undefined
        ? 'eigh'
        : checkChoice(fn, 'options.inverse', o.inverse, ['eigh', 'cholesky'] as const);
    this.wd = num('weightDecay', 0, NON_NEGATIVE);
    if (o.layers === null || typeof o.layers !== 'object' || Array.isArray(o.layers))
      throw new InvalidArgumentError(
        fn,
        'options.layers',
        o.layers,
        'an object { layer: { weight, bias? } }',
      );
    const used = new Set<string>();
    this.layers = Object.entries(o.layers).map(([name, layer]) => {
      checkOptions(fn, layer, ['weight', 'bias', 'transposed']);
      const w = layer?.weight;
      if (typeof w !== 'string' || !Object.hasOwn(params, w) || used.has(w))
        throw new InvalidArgumentError(
          fn,
          `options.layers.${name}.weight`,
          w,
          'the name of a parameter in no other layer',
        );
      used.add(w);
      if (params[w].ndim !== 2)
        throw new ShapeError(fn, `params.${w}`, 'must be a matrix (out x in)', params[w].shape);
      const transposed =
        layer.transposed === undefined
          ? false
          : checkBoolean(fn, `options.layers.${name}.transposed`, layer.transposed);
      const outs = params[w].shape[transposed ? 1 : 0];
      if (layer.bias !== undefined) {
        const b = layer.bias;
        if (typeof b !== 'string' || !Object.hasOwn(params, b) || used.has(b))
          throw new InvalidArgumentError(
            fn,
            `options.layers.${name}.bias`,
            b,
            'the name of a parameter in no other layer',
          );
        used.add(b);
        if (params[b].size !== outs || params[b].ndim !== 1)
          throw new ShapeError(
            fn,
            `params.${b}`,
            `must be a vector of length ${outs} (the layer's outputs)`,
            params[b].shape,
          );
      }
      return [name, { weight: w, bias: layer.bias, transposed }];
    });
    this.state = this.initState();
  }

  /** [out, in (+1 with a bias)] of a layer. */
  private dims(layer: KfacLayer): [number, number] {
    const [r, c] = this.params[layer.weight].shape;
    const [out, inp] = layer.transposed ? [c, r] : [r, c];
    return [out, inp + (layer.bias ? 1 : 0)];
  }

  private initState(): KfacState {
    const layers: Record<string, KfacLayerState> = {};
    for (const [name, layer] of this.layers) {
      const [out, inp] = this.dims(layer);
      const eig = this.method === 'eigh';
      layers[name] = {
        a: new Float64Array(inp * inp),
        g: new Float64Array(out * out),
        qa: new Float64Array(inp * inp),
        da: new Float64Array(eig ? inp : 0),
        qg: new Float64Array(out * out),
        dg: new Float64Array(eig ? out : 0),
        ready: 0,
      };
    }
    const momentum: Record<string, Float64Array> = {};
    for (const [n, p] of Object.entries(this.params))
      momentum[n] = new Float64Array(this.mu > 0 ? p.size : 0);
    return { count: 0, layers, momentum };
  }

  /** Number of steps taken. */
  get stepCount(): number {
    return this.state.count;
  }

  /** Checks one layer's statistics and returns them as float64 row-major matrices. */
  private checkStats(fn: string, name: string, layer: KfacLayer, st: unknown): [Mat, Mat] {
    if (st === null || typeof st !== 'object')
      throw new InvalidArgumentError(
        fn,
        `stats.${name}`,
        st,
        '{ inputs: NDArray (batch x in), outputGrads: NDArray (batch x out) }',
      );
    checkOptions(fn, st, ['inputs', 'outputGrads']);
    const { inputs, outputGrads } = st as KfacLayerStats;
    const [out, withBias] = this.dims(layer);
    const inp = withBias - (layer.bias ? 1 : 0);
    const check = (arg: string, x: unknown, cols: number): Mat => {
      if (!isNDArray(x)) throw new InvalidArgumentError(fn, `stats.${name}.${arg}`, x, 'an NDArray');
      if (x.ndim !== 2 || x.shape[1] !== cols)
        throw new ShapeError(fn, `stats.${name}.${arg}`, `must be batch x ${cols}`, x.shape);
      const c = x.copy('float64') as Mat;
      for (let i = 0; i < c.size; i++)
        if (!Number.isFinite(c.data[i]))
          throw new InvalidArgumentError(
            fn,
            `stats.${name}.${arg}`,
            c.data[i],
            `finite values (entry ${i} is not)`,
          );
      return c;
    };
    const a = check('inputs', inputs, inp);
    const g = check('outputGrads', outputGrads, out);
    if (a.shape[0] !== g.shape[0] || a.shape[0] === 0)
      throw new ShapeError(
        fn,
        `stats.${name}.outputGrads`,
        `must have the inputs' batch size ${a.shape[0]} (> 0)`,
        g.shape,
      );
    return [a, g];
  }

  /** Running-average update of one layer's factors from a batch: A = E[a~ a~^T], G = E[g g^T]. */
  private updateFactors(s: KfacLayerState, layer: KfacLayer, a: Mat, g: Mat): void {
    const batch = a.shape[0];
    let aa = a;
    if (layer.bias) {
      const k = a.shape[1] + 1;
      aa = new NDArray(new Float64Array(batch * k), [batch, k]) as Mat;
      for (let i = 0; i < batch; i++) {
        aa.data.set(a.data.subarray(i * (k - 1), (i + 1) * (k - 1)), i * k);
        aa.data[i * k + k - 1] = 1;
      }
    }
    const fa = (matmul(aa.T, aa) as Mat).contiguous().data;
    const fg = (matmul(g.T, g) as Mat).contiguous().data;
    const blend = (dst: Float64Array, src: ArrayLike<number>) => {
      for (let i = 0; i < dst.length; i++)
        dst[i] = s.ready ? this.decay * dst[i] + (1 - this.decay) * (src[i] / batch) : src[i] / batch;
    };
    blend(s.a, fa);
    blend(s.g, fg);
    s.ready = 1;
  }

  /** Recomputes one layer's eigenbases or damped inverses. */
  private updateInverses(s: KfacLayerState, out: number, inp: number): void {
    if (this.method === 'eigh') {
      const ea = eigh(mat(s.a, inp, inp), { checkSymmetry: false });
      const eg = eigh(mat(s.g, out, out), { checkSymmetry: false });
      s.qa.set((ea.vectors as Mat).contiguous().data);
      s.qg.set((eg.vectors as Mat).contiguous().data);
      // eigenvalues of a PSD factor below zero are rounding; clamp as KFAC-Pytorch does
      for (let i = 0; i < inp; i++) s.da[i] = Math.max(ea.values.data[i] as number, 0);
      for (let i = 0; i < out; i++) s.dg[i] = Math.max(eg.values.data[i] as number, 0);
      return;
    }
    let ta = 0;
    let tg = 0;
    for (let i = 0; i < inp; i++) ta += s.a[i * inp + i];
    for (let i = 0; i < out; i++) tg += s.g[i * out + i];
    const pi = ta > 0 && tg > 0 ? Math.sqrt(ta / inp / (tg / out)) : 1;
    const damped = (f: Float64Array, n: number, add: number) => {
      const m = mat(f, n, n);
      for (let i = 0; i < n; i++) m.data[i * n + i] += add;
      const eye = new NDArray(new Float64Array(n * n), [n, n]) as Mat;
      for (let i = 0; i < n; i++) eye.data[i * n + i] = 1;
      return (solve(m, eye, { assume: 'positive definite', checkSymmetry: false }) as Mat).contiguous().data;
    };
    const r = Math.sqrt(this.damping);
    s.qa.set(damped(s.a, inp, pi * r));
    s.qg.set(damped(s.g, out, r / pi));
  }

  /** The preconditioned direction for one layer's gradient V (out x inp), row-major. */
  private direction(s: KfacLayerState, v: Mat, out: number, inp: number): Float64Array {
    const qa = new NDArray(s.qa, [inp, inp]) as Mat;
    const qg = new NDArray(s.qg, [out, out]) as Mat;
    if (this.method === 'cholesky') return (matmul(matmul(qg, v), qa) as Mat).contiguous().data;
    const w = (matmul(matmul(qg.T, v), qa) as Mat).contiguous();
    for (let i = 0; i < out; i++)
      for (let j = 0; j < inp; j++) w.data[i * inp + j] /= s.dg[i] * s.da[j] + this.damping;
    return (matmul(matmul(qg, w), qa.T) as Mat).contiguous().data;
  }

  /**
   * One step from the gradients and, on steps where the factors are refreshed (the first, then
   * every `factorUpdateInterval`), each layer's statistics: `inputs` (batch x in) and
   * `outputGrads` (batch x out), the gradients of each example's own loss (for a mean loss over the
   * batch, the autograd gradients times the batch size; for the true Fisher, gradients of losses
   * with targets sampled from the model). Until a layer has statistics it takes the plain step.
   * @throws InvalidArgumentError for bad gradients (as `Optimizer.step`), missing statistics on a
   * refresh step, unknown layer names or non-finite statistics; ShapeError for statistics of the
   * wrong shapes. Nothing changes when it throws.
   */
  step(grads: ParamTree, stats?: Record<string, KfacLayerStats>): void {
    const fn = 'KFAC.step';
    checkGrads(fn, this.params, grads);
    const s = this.state;
    const t = s.count + 1;
    const refreshFactors = (t - 1) % this.tCov === 0;
    const refreshInverses = (t - 1) % this.tInv === 0;
    const checked: Record<string, [Mat, Mat]> = {};
    if (stats !== undefined) {
      if (stats === null || typeof stats !== 'object')
        throw new InvalidArgumentError(fn, 'stats', stats, 'an object { layer: { inputs, outputGrads } }');
      for (const name of Object.keys(stats))
        if (!this.layers.some(([n]) => n === name))
          throw new InvalidArgumentError(
            fn,
            `stats.${name}`,
            stats[name],
            `statistics of a layer (${this.layers.map(([n]) => n).join(', ')})`,
          );
    }
    for (const [name, layer] of this.layers) {
      if (stats?.[name] !== undefined) checked[name] = this.checkStats(fn, name, layer, stats[name]);
      else if (refreshFactors)
        throw new InvalidArgumentError(
          fn,
          `stats.${name}`,
          undefined,
          `the layer's statistics at step ${t} (factors are refreshed every ${this.tCov} steps from the first)`,
        );
    }
    const dirs: Record<string, Float64Array> = {};
    for (const [name, layer] of this.layers) {
      const ls = s.layers[name];
      const [out, inp] = this.dims(layer);
      if (refreshFactors) this.updateFactors(ls, layer, ...checked[name]);
      if (refreshFactors || refreshInverses) {
        if (refreshInverses || !ls.ready) this.updateInverses(ls, out, inp);
      }
      const gw = grads[layer.weight].contiguous();
      const gb = layer.bias ? grads[layer.bias].contiguous() : null;
      const v = new NDArray(new Float64Array(out * inp), [out, inp]) as Mat;
      const cols = inp - (layer.bias ? 1 : 0);
      // element (i, j) of the out x in weight, in either layout
      const at = layer.transposed
        ? (i: number, j: number) => j * out + i
        : (i: number, j: number) => i * cols + j;
      for (let i = 0; i < out; i++) {
        for (let j = 0; j < cols; j++) v.data[i * inp + j] = gw.data[gw.offset + at(i, j)] as number;
        if (gb) v.data[i * inp + cols] = gb.data[gb.offset + i] as number;
      }
      const d = this.direction(ls, v, out, inp);
      const dw = new Float64Array(out * cols);
      for (let i = 0; i < out; i++) for (let j = 0; j < cols; j++) dw[at(i, j)] = d[i * inp + j];
      dirs[layer.weight] = dw;
      if (layer.bias) dirs[layer.bias] = Float64Array.from({ length: out }, (_, i) => d[i * inp + cols]);
    }
    for (const [n, p] of Object.entries(this.params)) {
      const g = grads[n].contiguous();
      const d = dirs[n] ?? Float64Array.from({ length: p.size }, (_, i) => g.data[g.offset + i] as number);
      const x = elementsOf(p);
      const buf = s.momentum[n];
      for (let i = 0; i < d.length; i++) {
        let di = d[i] + this.wd * x[i];
        if (this.mu > 0) di = buf[i] = this.mu * buf[i] + di;
        x[i] -= this.lr * di;
      }
    }
    s.count = t;
  }

  /** The state as a plain object (copies), in `Optimizer.stateDict`'s format, tagged 'kfac'. */
  stateDict(): OptimizerStateDict<KfacState> {
    return structuredClone({
      optimizer: this.name,
      steps: this.state.count,
      groups: [{ params: Object.keys(this.params), state: this.state }],
    });
  }

  /**
   * Restores a state from `stateDict` (same parameters, layers and options that fix the layout).
   * @throws InvalidArgumentError for another optimizer's state, other parameters or another layout.
   */
  loadStateDict(dict: KFACLoadStateDictOptions): void {
    const fn = 'KFAC.loadStateDict';
    if (dict === null || typeof dict !== 'object')
      throw new InvalidArgumentError(fn, 'dict', dict, 'a state from stateDict()');
    checkOptions(fn, dict, KFACLOAD_STATE_DICT_OPTIONS_KEYS);
    if (dict.optimizer !== this.name)
      throw new InvalidArgumentError(fn, 'dict.optimizer', dict.optimizer, `the state of ${this.name}`);
    const names = Object.keys(this.params);
    if (
      !Array.isArray(dict.groups) ||
      dict.groups.length !== 1 ||
      dict.groups[0]?.params?.join() !== names.join()
    )
      throw new InvalidArgumentError(fn, 'dict.groups', dict.groups, `one group of ${JSON.stringify(names)}`);
    const diff = layoutDifference(this.initState(), dict.groups[0].state, '');
    if (diff)
      throw new InvalidArgumentError(
        fn,
        `dict.groups[0].state${diff.path}`,
        diff.got,
        `${diff.want}, as in the state of this KFAC (other layers, momentum or inverse)`,
      );
    checkInteger(fn, 'dict.steps', dict.steps, { min: 0 });
    this.state = structuredClone(dict.groups[0].state);
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
    this.loadStateDict(decodeState(bytes) as OptimizerStateDict<KfacState>);
  }
}
