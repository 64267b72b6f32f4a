import { DTypeError, InvalidArgumentError, type KrylovError, NDArray, ShapeError } from '@krylov/core-array';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AdamOptimizerState,
  type AdamState,
  type GaloreState,
  type LearningRateState,
  type MuonOptimizerState,
  Optimizer,
  type ParamTree,
  type SgdState,
  type TraceState,
  adafactor,
  adagrad,
  adam,
  adamw,
  addDecayedWeights,
  amsgrad,
  chain,
  clipByGlobalNorm,
  constantSchedule,
  cosineSchedule,
  decodeState,
  encodeState,
  exponentialSchedule,
  galore,
  linearWarmup,
  lion,
  muon,
  oneCycleSchedule,
  partition,
  perParameter,
  riemannianAdam,
  riemannianSgd,
  rmsprop,
  scaleByAdam,
  scaleByLearningRate,
  scaleByLion,
  scaleByMuon,
  scaleByRms,
  scaleByRss,
  scaleByShampoo,
  scaleBySoap,
  sgd,
  spd,
  stepSchedule,
  stiefel,
  trace,
} from '../src/index.js';

const params = (): ParamTree => ({
  w: new NDArray(Float64Array.from([1, -2, 3, 0.5, -1, 2]), [2, 3]),
  b: new NDArray(Float64Array.from([0.1, -0.2, 0.3]), [3]),
});
const grads = (t = 1): ParamTree => ({
  w: new NDArray(
    Float64Array.from({ length: 6 }, (_, i) => Math.cos(t + i)),
    [2, 3],
  ),
  b: new NDArray(
    Float64Array.from({ length: 3 }, (_, i) => Math.sin(t * (i + 1))),
    [3],
  ),
});
const eye = (n: number, p: number) =>
  new NDArray(
    Float64Array.from({ length: n * p }, (_, k) => (k % (p + 1) === 0 && k < p * p + p ? 1 : 0)),
    [n, p],
  ) as NDArray<'float64'>;
const circular: Record<string, unknown> = {};
circular.self = circular;
const any = (v: unknown) => v as never;

type ErrorClass = abstract new (...args: never[]) => KrylovError;
type Case = [string, () => unknown, ErrorClass, string];

/**
 * Every public function with bad input: the error class and a fragment of its message (which
 * names the function, the argument and the value). No bad input may escape as a raw TypeError or
 * a silent NaN.
 */
// biome-ignore format: one case per line
const catalogue: Case[] = [
  // the named optimizers
  ['sgd without lr', () => sgd(any({})), InvalidArgumentError, "sgd: argument 'options.lr' is undefined; expected a learning rate"],
  ['sgd without options', () => sgd(any(undefined)), InvalidArgumentError, "sgd: argument 'options.lr' is undefined"],
  ['sgd lr as a string', () => sgd(any({ lr: '0.1' })), InvalidArgumentError, `sgd: argument 'options.lr' is "0.1"`],
  ['sgd negative lr', () => sgd({ lr: -1 }), InvalidArgumentError, "sgd: argument 'options.lr' is -1"],
  ['sgd NaN dampening', () => sgd({ lr: 0.1, momentum: 0.9, dampening: Number.NaN }), InvalidArgumentError, "sgd: argument 'options.dampening' is NaN"],
  ['sgd dampening > 1', () => sgd({ lr: 0.1, dampening: 2 }), InvalidArgumentError, "sgd: argument 'options.dampening' is 2"],
  ['sgd negative momentum', () => sgd({ lr: 0.1, momentum: -0.5 }), InvalidArgumentError, "sgd: argument 'options.momentum' is -0.5"],
  ['sgd momentum as a string', () => sgd(any({ lr: 0.1, momentum: '0.9' })), InvalidArgumentError, `sgd: argument 'options.momentum' is "0.9"`],
  ['sgd nesterov as a string', () => sgd(any({ lr: 0.1, momentum: 0.9, nesterov: 'yes' })), InvalidArgumentError, `sgd: argument 'options.nesterov' is "yes"; expected true or false`],
  ['sgd nesterov without momentum', () => sgd({ lr: 0.1, nesterov: true }), InvalidArgumentError, "sgd: argument 'options.nesterov' is true; expected momentum > 0 and zero dampening"],
  ['sgd nesterov with dampening', () => sgd({ lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), InvalidArgumentError, "sgd: argument 'options.nesterov'"],
  ['sgd negative weight decay', () => sgd({ lr: 0.1, weightDecay: -1 }), InvalidArgumentError, "sgd: argument 'options.weightDecay' is -1"],
  ['adam eps 0', () => adam({ eps: 0 }), InvalidArgumentError, "adam: argument 'options.eps' is 0; expected a finite number > 0"],
  ['adam negative eps', () => adam({ eps: -1e-8 }), InvalidArgumentError, "adam: argument 'options.eps'"],
  ['adam b1 = 1', () => adam({ b1: 1 }), InvalidArgumentError, "adam: argument 'options.b1' is 1; expected a finite number >= 0 and < 1"],
  ['adam negative b2', () => adam({ b2: -0.1 }), InvalidArgumentError, "adam: argument 'options.b2' is -0.1"],
  ['adam infinite lr', () => adam({ lr: Number.POSITIVE_INFINITY }), InvalidArgumentError, "adam: argument 'options.lr' is Infinity"],
  ['adam NaN weight decay', () => adam({ weightDecay: Number.NaN }), InvalidArgumentError, "adam: argument 'options.weightDecay' is NaN"],
  ['adam amsgrad as a string', () => adam(any({ amsgrad: 'true' })), InvalidArgumentError, `adam: argument 'options.amsgrad' is "true"`],
  ['adam unknown key', () => adam(any({ beta1: 0.9 })), InvalidArgumentError, "adam: argument 'options.beta1' is 0.9; expected one of the known options"],
  ['adam options null', () => adam(any(null)), InvalidArgumentError, "adam: argument 'options' is null"],
  ['adamw eps 0', () => adamw({ eps: 0 }), InvalidArgumentError, "adamw: argument 'options.eps' is 0"],
  ['adamw negative weight decay', () => adamw({ weightDecay: -0.01 }), InvalidArgumentError, "adamw: argument 'options.weightDecay' is -0.01"],
  ['amsgrad b1 = 2', () => amsgrad({ b1: 2 }), InvalidArgumentError, "amsgrad: argument 'options.b1' is 2"],
  ['amsgrad given amsgrad', () => amsgrad(any({ amsgrad: false })), InvalidArgumentError, "amsgrad: argument 'options.amsgrad'"],
  ['adagrad lrDecay -1', () => adagrad({ lrDecay: -1 }), InvalidArgumentError, "adagrad: argument 'options.lrDecay' is -1"],
  ['adagrad initialAccumulator -1', () => adagrad({ initialAccumulator: -1 }), InvalidArgumentError, "adagrad: argument 'options.initialAccumulator' is -1"],
  ['adagrad eps 0', () => adagrad({ eps: 0 }), InvalidArgumentError, "adagrad: argument 'options.eps' is 0"],
  ['adagrad NaN lr', () => adagrad({ lr: Number.NaN }), InvalidArgumentError, "adagrad: argument 'options.lr' is NaN"],
  ['rmsprop negative alpha', () => rmsprop({ alpha: -0.1 }), InvalidArgumentError, "rmsprop: argument 'options.alpha' is -0.1"],
  ['rmsprop negative momentum', () => rmsprop({ momentum: -1 }), InvalidArgumentError, "rmsprop: argument 'options.momentum' is -1"],
  ['rmsprop eps 0', () => rmsprop({ eps: 0 }), InvalidArgumentError, "rmsprop: argument 'options.eps' is 0"],
  ['rmsprop centered as a number', () => rmsprop(any({ centered: 1 })), InvalidArgumentError, "rmsprop: argument 'options.centered' is 1"],
  ['lion b1 = 1.5', () => lion({ b1: 1.5 }), InvalidArgumentError, "lion: argument 'options.b1' is 1.5"],
  ['lion NaN b2', () => lion({ b2: Number.NaN }), InvalidArgumentError, "lion: argument 'options.b2' is NaN"],
  ['adafactor beta2Decay > 0', () => adafactor({ beta2Decay: 0.5 }), InvalidArgumentError, "adafactor: argument 'options.beta2Decay' is 0.5; expected a finite number <= 0"],
  ['adafactor eps1 0', () => adafactor({ eps1: 0 }), InvalidArgumentError, "adafactor: argument 'options.eps1' is 0"],
  ['adafactor negative eps2', () => adafactor({ eps2: -1 }), InvalidArgumentError, "adafactor: argument 'options.eps2' is -1"],
  ['adafactor clip < 1', () => adafactor({ clip: 0.5 }), InvalidArgumentError, "adafactor: argument 'options.clip' is 0.5; expected a finite number >= 1"],
  ['adafactor negative weight decay', () => adafactor({ weightDecay: -1 }), InvalidArgumentError, "adafactor: argument 'options.weightDecay' is -1"],
  ['adafactor lr as a string', () => adafactor(any({ lr: '1' })), InvalidArgumentError, `adafactor: argument 'options.lr' is "1"`],
  // transformations
  ['scaleByAdam eps 0', () => scaleByAdam({ eps: 0 }), InvalidArgumentError, "scaleByAdam: argument 'options.eps' is 0"],
  ['trace without options', () => trace(any(undefined)), InvalidArgumentError, "trace: argument 'options.momentum' is undefined"],
  ['trace momentum as a string', () => trace(any({ momentum: '0.9' })), InvalidArgumentError, `trace: argument 'options.momentum' is "0.9"`],
  ['trace dampening 2', () => trace({ momentum: 0.9, dampening: 2 }), InvalidArgumentError, "trace: argument 'options.dampening' is 2"],
  ['scaleByRss initialAccumulator -1', () => scaleByRss({ initialAccumulator: -1 }), InvalidArgumentError, "scaleByRss: argument 'options.initialAccumulator' is -1"],
  ['scaleByRss eps 0', () => scaleByRss({ eps: 0 }), InvalidArgumentError, "scaleByRss: argument 'options.eps' is 0"],
  ['scaleByRms alpha 1', () => scaleByRms({ alpha: 1 }), InvalidArgumentError, "scaleByRms: argument 'options.alpha' is 1"],
  ['scaleByLion negative b1', () => scaleByLion({ b1: -1 }), InvalidArgumentError, "scaleByLion: argument 'options.b1' is -1"],
  ['addDecayedWeights -1', () => addDecayedWeights(-1), InvalidArgumentError, "addDecayedWeights: argument 'weightDecay' is -1"],
  ['addDecayedWeights as a string', () => addDecayedWeights(any('0.1')), InvalidArgumentError, `addDecayedWeights: argument 'weightDecay' is "0.1"`],
  ['scaleByLearningRate missing', () => scaleByLearningRate(any(undefined)), InvalidArgumentError, "scaleByLearningRate: argument 'lr' is undefined"],
  ['scaleByLearningRate as a string', () => scaleByLearningRate(any('0.1')), InvalidArgumentError, `scaleByLearningRate: argument 'lr' is "0.1"`],
  ['clipByGlobalNorm 0', () => clipByGlobalNorm(0), InvalidArgumentError, "clipByGlobalNorm: argument 'maxNorm' is 0"],
  ['clipByGlobalNorm NaN', () => clipByGlobalNorm(Number.NaN), InvalidArgumentError, "clipByGlobalNorm: argument 'maxNorm' is NaN"],
  ['chain of a number', () => chain(any(5)), InvalidArgumentError, "chain: argument 'transforms[0]' is 5; expected a GradientTransformation"],
  ['partition with a string label', () => partition(any('w'), {}), InvalidArgumentError, `partition: argument 'label' is "w"; expected a function`],
  ['partition of a number', () => partition(() => 'a', any({ a: 5 })), InvalidArgumentError, "partition: argument 'transforms.a' is 5"],
  ['partition label naming no member', () => partition(() => 'c', { a: scaleByAdam() }).init(params()), InvalidArgumentError, `partition: argument 'label(w)' is "c"; expected one of the labels a`],
  ['perParameter of a number', () => perParameter(any(5), () => {}), InvalidArgumentError, "perParameter: argument 'initOne' is 5"],
  // matrix optimizers
  ['galore of a number', () => galore(any(5), { rank: 1 }), InvalidArgumentError, "galore: argument 'base' is 5"],
  ['galore rank 0', () => galore(adam(), { rank: 0 }), InvalidArgumentError, "galore: argument 'options.rank' is 0; expected an integer >= 1"],
  ['galore rank 1.5', () => galore(adam(), { rank: 1.5 }), InvalidArgumentError, "galore: argument 'options.rank' is 1.5"],
  ['galore rank above the matrix size', () => galore(adam(), { rank: 3 }).init(params()), InvalidArgumentError, "galore: argument 'options.rank' is 3; expected at most min(rows, cols) = 2 of every matrix parameter (params.w is 2 x 3)"],
  ['galore updateGap 0', () => galore(adam(), { rank: 1, updateGap: 0 }), InvalidArgumentError, "galore: argument 'options.updateGap' is 0"],
  ['galore NaN scale', () => galore(adam(), { rank: 1, scale: Number.NaN }), InvalidArgumentError, "galore: argument 'options.scale' is NaN"],
  ['galore projector as a string', () => galore(adam(), { rank: 1, projector: any('svd') }), InvalidArgumentError, `galore: argument 'options.projector' is "svd"; expected a function`],
  ['galore projector returning a number', () => new Optimizer(params(), () => galore(adam(), { rank: 1, projector: any(() => 5) })).step(grads()), InvalidArgumentError, "galore: argument 'options.projector(grads.w)' is 5; expected an NDArray of shape [2,1]"],
  ['galore projector of another shape', () => new Optimizer(params(), () => galore(adam(), { rank: 1, projector: () => eye(3, 1) })).step(grads()), ShapeError, "galore: argument 'options.projector(grads.w)' with shape [3, 1]: must be [2,1]"],
  ['Muon with 0 Newton-Schulz steps', () => scaleByMuon({ steps: 0 }), InvalidArgumentError, "scaleByMuon: argument 'options.steps' is 0; expected an integer >= 1"],
  ['muon with 0 Newton-Schulz steps', () => muon({ steps: 0 }), InvalidArgumentError, "muon: argument 'options.steps' is 0"],
  ['Muon unknown preset', () => scaleByMuon(any({ preset: 'quintic' })), InvalidArgumentError, `scaleByMuon: argument 'options.preset' is "quintic"; expected one of "cubic", "muon", "exact" or three finite coefficients`],
  ['Muon preset with NaN', () => scaleByMuon({ preset: [1, Number.NaN, 0] }), InvalidArgumentError, "scaleByMuon: argument 'options.preset'"],
  ['Muon momentum 1', () => scaleByMuon({ momentum: 1 }), InvalidArgumentError, "scaleByMuon: argument 'options.momentum' is 1"],
  ['Muon nesterov as a string', () => scaleByMuon(any({ nesterov: 'no' })), InvalidArgumentError, `scaleByMuon: argument 'options.nesterov' is "no"`],
  ['Muon on a vector', () => scaleByMuon().init(params()), InvalidArgumentError, "scaleByMuon: argument 'params.b' is [3]; expected matrices"],
  ['muon inner AdamW eps 0', () => muon({ adamw: { eps: 0 } }), InvalidArgumentError, "muon.adamw: argument 'options.eps' is 0"],
  ['muon inner AdamW unknown key', () => muon({ adamw: any({ beta1: 0.9 }) }), InvalidArgumentError, "muon.adamw: argument 'options.beta1'"],
  ['muon isMatrix not a function', () => muon(any({ isMatrix: true })), InvalidArgumentError, "muon: argument 'options.isMatrix' is true; expected a function"],
  ['muon isMatrix returning a string', () => new Optimizer(params(), muon, any({ isMatrix: () => 'yes' })), InvalidArgumentError, `muon: argument 'options.isMatrix(w)' is "yes"; expected true or false`],
  ['shampoo beta 0', () => scaleByShampoo({ beta: 0 }), InvalidArgumentError, "scaleByShampoo: argument 'options.beta' is 0"],
  ['shampoo epsilon 0', () => scaleByShampoo({ epsilon: 0 }), InvalidArgumentError, "scaleByShampoo: argument 'options.epsilon' is 0"],
  ['shampoo precondFrequency 0', () => scaleByShampoo({ precondFrequency: 0 }), InvalidArgumentError, "scaleByShampoo: argument 'options.precondFrequency' is 0"],
  ['shampoo blockSize 1.5', () => scaleByShampoo({ blockSize: 1.5 }), InvalidArgumentError, "scaleByShampoo: argument 'options.blockSize' is 1.5"],
  ['shampoo rootMethod', () => scaleByShampoo(any({ rootMethod: 'svd' })), InvalidArgumentError, `scaleByShampoo: argument 'options.rootMethod' is "svd"; expected one of "eigh", "newton"`],
  ['shampoo root 0', () => scaleByShampoo({ root: 0 }), InvalidArgumentError, "scaleByShampoo: argument 'options.root' is 0"],
  ['shampoo graft', () => scaleByShampoo(any({ graft: 'rms' })), InvalidArgumentError, "scaleByShampoo: argument 'options.graft'"],
  ['shampoo b2 1', () => scaleByShampoo({ b2: 1 }), InvalidArgumentError, "scaleByShampoo: argument 'options.b2' is 1"],
  ['shampoo eps 0', () => scaleByShampoo({ eps: 0 }), InvalidArgumentError, "scaleByShampoo: argument 'options.eps' is 0"],
  ['soap b1 1', () => scaleBySoap({ b1: 1 }), InvalidArgumentError, "scaleBySoap: argument 'options.b1' is 1"],
  ['soap eps 0', () => scaleBySoap({ eps: 0 }), InvalidArgumentError, "scaleBySoap: argument 'options.eps' is 0"],
  ['soap shampooBeta -1', () => scaleBySoap({ shampooBeta: -1 }), InvalidArgumentError, "scaleBySoap: argument 'options.shampooBeta' is -1"],
  ['soap precondFrequency 0', () => scaleBySoap({ precondFrequency: 0 }), InvalidArgumentError, "scaleBySoap: argument 'options.precondFrequency' is 0"],
  // schedules
  ['constantSchedule NaN', () => constantSchedule(Number.NaN), InvalidArgumentError, "constantSchedule: argument 'lr' is NaN"],
  ['constantSchedule -1', () => constantSchedule(-1), InvalidArgumentError, "constantSchedule: argument 'lr' is -1"],
  ['a schedule at step 0', () => constantSchedule(1)(0), InvalidArgumentError, "constantSchedule: argument 'count' is 0; expected an integer >= 1"],
  ['a schedule at step NaN', () => cosineSchedule(1, { total: 10 })(Number.NaN), InvalidArgumentError, "cosineSchedule: argument 'count' is NaN"],
  ['stepSchedule NaN lr', () => stepSchedule(Number.NaN, { stepSize: 1 }), InvalidArgumentError, "stepSchedule: argument 'lr' is NaN"],
  ['stepSchedule stepSize 0', () => stepSchedule(1, { stepSize: 0 }), InvalidArgumentError, "stepSchedule: argument 'options.stepSize' is 0"],
  ['stepSchedule without options', () => stepSchedule(1, any(undefined)), InvalidArgumentError, "stepSchedule: argument 'options.stepSize' is undefined"],
  ['stepSchedule gamma 0', () => stepSchedule(1, { stepSize: 2, gamma: 0 }), InvalidArgumentError, "stepSchedule: argument 'options.gamma' is 0"],
  ['exponentialSchedule gamma 1.5', () => exponentialSchedule(1, 1.5), InvalidArgumentError, "exponentialSchedule: argument 'gamma' is 1.5"],
  ['exponentialSchedule lr -1', () => exponentialSchedule(-1, 0.5), InvalidArgumentError, "exponentialSchedule: argument 'lr' is -1"],
  ['linearWarmup warmup -1', () => linearWarmup(1, { warmup: -1 }), InvalidArgumentError, "linearWarmup: argument 'options.warmup' is -1"],
  ['linearWarmup start 2', () => linearWarmup(1, { warmup: 2, start: 2 }), InvalidArgumentError, "linearWarmup: argument 'options.start' is 2"],
  ['cosineSchedule total <= warmup', () => cosineSchedule(1, { total: 5, warmup: 10 }), InvalidArgumentError, "cosineSchedule: argument 'options.total' is 5; expected an integer > warmup (10)"],
  ['cosineSchedule finalFraction 2', () => cosineSchedule(1, { total: 10, finalFraction: 2 }), InvalidArgumentError, "cosineSchedule: argument 'options.finalFraction' is 2"],
  ['cosineSchedule without options', () => cosineSchedule(1, any(undefined)), InvalidArgumentError, "cosineSchedule: argument 'options.total' is undefined"],
  ['oneCycle pctStart > 1', () => oneCycleSchedule(1, { total: 100, pctStart: 1.5 }), InvalidArgumentError, "oneCycleSchedule: argument 'options.pctStart' is 1.5; expected a finite number >= 0 and <= 1"],
  ['oneCycle total 1', () => oneCycleSchedule(1, { total: 1 }), InvalidArgumentError, "oneCycleSchedule: argument 'options.total' is 1"],
  ['oneCycle divFactor 0', () => oneCycleSchedule(1, { total: 10, divFactor: 0 }), InvalidArgumentError, "oneCycleSchedule: argument 'options.divFactor' is 0"],
  ['oneCycle finalDivFactor -1', () => oneCycleSchedule(1, { total: 10, finalDivFactor: -1 }), InvalidArgumentError, "oneCycleSchedule: argument 'options.finalDivFactor' is -1"],
  ['oneCycle NaN maxLr', () => oneCycleSchedule(Number.NaN, { total: 10 }), InvalidArgumentError, "oneCycleSchedule: argument 'maxLr' is NaN"],
  // checkpoints
  ['encodeState of a function', () => encodeState({ f: () => 1 }), InvalidArgumentError, "encodeState: argument 'state.f'"],
  ['encodeState of a cycle', () => encodeState(circular), InvalidArgumentError, "encodeState: argument 'state'"],
  ['encodeState of a Uint8Array', () => encodeState({ a: new Uint8Array(2) }), InvalidArgumentError, 'encodeState: argument \'state\' is "Uint8Array"'],
  ['encodeState of an NDArray', () => encodeState({ a: params().w }), InvalidArgumentError, "encodeState: argument 'state.a' is NDArray(shape=[2, 3], dtype=float64); expected typed arrays, not NDArrays"],
  ['decodeState of a string', () => decodeState(any('KRYS')), InvalidArgumentError, `decodeState: argument 'bytes' is "KRYS"; expected a Uint8Array`],
  ['decodeState too short', () => decodeState(new Uint8Array(3)), InvalidArgumentError, "decodeState: argument 'bytes' is Uint8Array(3); expected an encoded optimizer state (too short)"],
  ['decodeState corrupt header', () => decodeState(new Uint8Array([0x4b, 0x52, 0x59, 0x53, 2, 0, 0, 0, 0x7b, 0x7b])), InvalidArgumentError, 'expected an encoded optimizer state (corrupt header'],
  // manifolds
  ['stiefel retraction', () => stiefel(any({ retraction: 'polar' })), InvalidArgumentError, `stiefel: argument 'options.retraction' is "polar"; expected one of "qr", "cayley"`],
  ['spd metric', () => spd(any({ metric: 'log-euclidean' })), InvalidArgumentError, `spd: argument 'options.metric' is "log-euclidean"`],
  ['stiefel.retract of a number', () => stiefel().retract(any(5), eye(3, 2)), InvalidArgumentError, "stiefel.retract: argument 'x' is 5; expected a float64 matrix"],
  ['stiefel.gradient of float32', () => stiefel().gradient(eye(3, 2), any(eye(3, 2).copy('float32'))), DTypeError, "stiefel.gradient: argument 'g' has dtype float32; expected float64"],
  ['stiefel wide point', () => stiefel().project(eye(2, 3), eye(2, 3)), ShapeError, "stiefel.project: argument 'x' with shape [2, 3]: must be n x p with n >= p"],
  ['spd non-square point', () => spd().retract(eye(3, 2), eye(3, 2)), ShapeError, "spd.retract: argument 'x' with shape [3, 2]: must be square"],
  ['riemannianSgd of a number', () => riemannianSgd(any(5), { lr: 1 }), InvalidArgumentError, "riemannianSgd: argument 'manifold' is 5"],
  ['riemannianSgd without lr', () => riemannianSgd(stiefel(), any({})), InvalidArgumentError, "riemannianSgd: argument 'options.lr' is undefined"],
  ['riemannianSgd momentum 1', () => riemannianSgd(stiefel(), { lr: 0.1, momentum: 1 }), InvalidArgumentError, "riemannianSgd: argument 'options.momentum' is 1"],
  ['riemannianAdam eps 0', () => riemannianAdam(stiefel(), { lr: 0.1, eps: 0 }), InvalidArgumentError, "riemannianAdam: argument 'options.eps' is 0"],
  ['a Riemannian step given a number', () => riemannianSgd(stiefel(), { lr: 0.1 })(eye(3, 2), any(5)), InvalidArgumentError, "riemannianSgd: argument 'g' is 5; expected a float64 matrix"],
  ['a Riemannian step with a NaN gradient', () => riemannianAdam(stiefel(), { lr: 0.1 })(eye(3, 2), new NDArray(Float64Array.from([0, Number.NaN, 0, 0, 0, 0]), [3, 2]) as NDArray<'float64'>,), InvalidArgumentError, "riemannianAdam: argument 'g' is NaN; expected finite values (entry 1 is not)"],
  ['a Riemannian step that changes shape', () => { const s = riemannianSgd(stiefel(), { lr: 0.1 }); s(eye(3, 2), eye(3, 2)); return s(eye(4, 2), eye(4, 2)); }, ShapeError, "riemannianSgd: argument 'x' with shape [4, 2]: must keep the shape of the first point [3,2]"],
  // the Optimizer object
  ['Optimizer of a number', () => new Optimizer(any(5), sgd, { lr: 1 }), InvalidArgumentError, "Optimizer: argument 'params' is 5; expected an object of named NDArrays"],
  ['Optimizer of plain arrays', () => new Optimizer(any({ w: [1, 2] }), sgd, { lr: 1 }), InvalidArgumentError, "Optimizer: argument 'params.w' is [1, 2]; expected an NDArray"],
  ['Optimizer of int32', () => new Optimizer(any({ w: new NDArray(new Int32Array(2), [2]) }), sgd, { lr: 1 }), DTypeError, "Optimizer: argument 'params.w' has dtype int32; expected float64 or float32"],
  ['Optimizer of a NaN parameter', () => new Optimizer({ w: new NDArray(Float64Array.from([1, Number.NaN]), [2]) }, sgd, { lr: 1 }), InvalidArgumentError, "Optimizer: argument 'params.w' is NaN; expected finite values (entry 1 is not)"],
  ['Optimizer with a string factory', () => new Optimizer(params(), any('sgd')), InvalidArgumentError, `Optimizer: argument 'make' is "sgd"; expected a function`],
  ['Optimizer with a factory returning a number', () => new Optimizer(params(), any(() => 5),), InvalidArgumentError, "Optimizer: argument 'make(defaults)' is 5; expected a GradientTransformation"],
  ['Optimizer groups not an array', () => new Optimizer(params(), sgd, { lr: 1 }, any({})), InvalidArgumentError, "Optimizer: argument 'groups' is [object Object]"],
  ['Optimizer group params a string', () => new Optimizer(params(), sgd, { lr: 1 }, any([{ params: 'w' }])), InvalidArgumentError, "Optimizer: argument 'groups[0]'"],
  ['Optimizer without lr', () => new Optimizer(params(), sgd), InvalidArgumentError, "sgd: argument 'options.lr' is undefined"],
  ['step with a number', () => new Optimizer(params(), sgd, { lr: 1 }).step(any(5)), InvalidArgumentError, "Optimizer.step: argument 'grads' is 5; expected an object of named NDArrays"],
  ['step with null', () => new Optimizer(params(), sgd, { lr: 1 }).step(any(null)), InvalidArgumentError, "Optimizer.step: argument 'grads' is null"],
  ['step with a number for one gradient', () => new Optimizer(params(), sgd, { lr: 1 }).step({ ...grads(), w: any(5) }), InvalidArgumentError, "Optimizer.step: argument 'grads.w' is 5; expected an NDArray"],
  ['step with float32 gradients', () => new Optimizer(params(), sgd, { lr: 1 }).step({ ...grads(), w: grads().w.copy('float32') }), DTypeError, "Optimizer.step: argument 'grads.w' has dtype float32; expected the parameter's dtype float64"],
  ['loadStateDict of a number', () => new Optimizer(params(), sgd, { lr: 1 }).loadStateDict(any(5)), InvalidArgumentError, "Optimizer.loadStateDict: argument 'dict' is 5"],
  ['loadStateDict with negative steps', () => { const o = new Optimizer(params(), sgd, { lr: 1 }); o.loadStateDict({ ...o.stateDict(), steps: -1 }); }, InvalidArgumentError, "Optimizer.loadStateDict: argument 'dict.steps' is -1"],
  ['loadBytes of a string', () => new Optimizer(params(), sgd, { lr: 1 }).loadBytes(any('abc')), InvalidArgumentError, `decodeState: argument 'bytes' is "abc"`],
];

describe('bad input: every public function raises a typed error naming the function, argument and value', () => {
  for (const [label, call, cls, fragment] of catalogue) {
    it(label, () => {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error, `${label} did not throw`).toBeInstanceOf(cls);
      expect((error as Error).message).toContain(fragment);
    });
  }
});

describe('schedules that return NaN or a negative rate', () => {
  it('refuse the step naming the optimizer and the step, before any parameter or state changes', () => {
    const p = params();
    const opt = new Optimizer(p, sgd, { lr: (t: number) => (t === 3 ? Number.NaN : 0.1), momentum: 0.9 });
    opt.step(grads(1));
    opt.step(grads(2));
    const before = { w: p.w.copy(), b: p.b.copy(), state: opt.stateDict() };
    expect(() => opt.step(grads(3))).toThrow(
      "sgd: argument 'options.lr(3)' is NaN; expected a finite learning rate >= 0 from the schedule at step 3",
    );
    expect(() => opt.step(grads(3))).toThrow(InvalidArgumentError);
    expect([...p.w.data]).toEqual([...before.w.data]);
    expect([...p.b.data]).toEqual([...before.b.data]);
    expect(opt.stateDict()).toEqual(before.state);
    expect(opt.stepCount).toBe(2);
  });
  it('in every optimizer that takes a schedule, and in a bare chain', () => {
    const negative = (t: number) => (t === 2 ? -1 : 1e-3);
    for (const [make, name] of [
      [adam, 'adam'],
      [adamw, 'adamw'],
      [amsgrad, 'amsgrad'],
      [adagrad, 'adagrad'],
      [rmsprop, 'rmsprop'],
      [lion, 'lion'],
      [adafactor, 'adafactor'],
    ] as const) {
      const opt = new Optimizer(params(), make as typeof adam, { lr: negative });
      opt.step(grads(1));
      expect(() => opt.step(grads(2)), name).toThrow(`${name}: argument 'options.lr(2)' is -1`);
    }
    const m = new Optimizer({ w: params().w }, muon, { lr: () => Number.POSITIVE_INFINITY });
    expect(() => m.step({ w: grads().w })).toThrow("muon: argument 'options.lr(1)' is Infinity");
    const t = chain(
      scaleByAdam(),
      scaleByLearningRate(() => Number.NaN),
    );
    const state = t.init(params());
    expect(() => t.update(grads(), state, params())).toThrow("scaleByLearningRate: argument 'lr(1)' is NaN");
    expect(state[0].count).toBe(0);
    expect([...state[0].slots.w.m]).toEqual([0, 0, 0, 0, 0, 0]);
    const s = new Optimizer(params(), sgd, { lr: () => '0.1' as never });
    expect(() => s.step(grads())).toThrow(`sgd: argument 'options.lr(1)' is "0.1"`);
  });
  it('oneCycleSchedule with an empty warmup or decay phase stays finite (no 0 / 0)', () => {
    for (const pctStart of [0, 0.01, 1]) {
      const s = oneCycleSchedule(1, { total: 20, pctStart });
      for (let t = 1; t <= 20; t++)
        expect(Number.isFinite(s(t)), `pctStart ${pctStart} step ${t}`).toBe(true);
    }
  });
});

describe('parameters that are views', () => {
  it('a contiguous view into a larger buffer (offset > 0) is updated in place, its neighbours untouched', () => {
    const flat = new NDArray(Float64Array.from([1, 2, 3, 4, 5, 6]), [6]);
    const view = flat.slice('2:4') as NDArray<'float64'>;
    const opt = new Optimizer({ v: view }, adamw, { lr: 0.5, weightDecay: 0.1 });
    const g = new NDArray(Float64Array.from([1, -1]), [2]);
    const ref = { v: new NDArray(Float64Array.from([3, 4]), [2]) };
    const refOpt = new Optimizer(ref, adamw, { lr: 0.5, weightDecay: 0.1 });
    opt.step({ v: g });
    refOpt.step({ v: g });
    expect([...flat.data]).toEqual([1, 2, ...ref.v.data, 5, 6]);
  });
});

describe('checkpoints', () => {
  it('loadStateDict refuses another optimizer’s state, saying whose it is', () => {
    const a = new Optimizer(params(), adam, { lr: 0.1 });
    a.step(grads());
    const s = new Optimizer(params(), sgd, { lr: 0.1, momentum: 0.9 });
    expect(() => s.loadStateDict(a.stateDict() as never)).toThrow(
      `Optimizer.loadStateDict: argument 'dict.optimizer' is "adam"; expected the state of sgd (this optimizer); the state belongs to "adam"`,
    );
    expect(() => s.loadBytes(a.toBytes())).toThrow(InvalidArgumentError);
    // an untagged state is checked by its layout
    const { optimizer: _, ...untagged } = a.stateDict();
    expect(() => s.loadStateDict(untagged as never)).toThrow(
      "Optimizer.loadStateDict: argument 'dict.groups[0].state[1].slots.w' is [object Object]; expected an object with keys buf, as in the state of sgd",
    );
  });
  it('loadStateDict refuses a state made with other options (amsgrad into adam)', () => {
    const a = new Optimizer(params(), adam, { amsgrad: true });
    a.step(grads());
    const b = new Optimizer(params(), adam, {});
    expect(() => b.loadStateDict(a.stateDict())).toThrow(
      "Optimizer.loadStateDict: argument 'dict.groups[0].state[1].slots.w.vMax' is Float64Array(6); expected null",
    );
  });
  it('GaLore, Shampoo and SOAP states round-trip through bytes and training resumes identically', () => {
    const makers = {
      galore: () => galore(adam({ lr: 0.01 }), { rank: 1, updateGap: 2 }),
      shampoo: () => chain(scaleByShampoo({ precondFrequency: 2 }), scaleByLearningRate(0.01)),
      soap: () => chain(scaleBySoap({ precondFrequency: 2 }), scaleByLearningRate(0.01)),
      muon: () => muon({ lr: 0.01 }),
    };
    for (const [name, make] of Object.entries(makers)) {
      const a = params();
      const opt = new Optimizer(a, make);
      for (let t = 1; t <= 3; t++) opt.step(grads(t));
      const bytes = opt.toBytes();
      const b: ParamTree = { w: a.w.copy(), b: a.b.copy() };
      for (let t = 4; t <= 6; t++) opt.step(grads(t));
      const resumed = new Optimizer(b, make);
      resumed.loadBytes(bytes);
      for (let t = 4; t <= 6; t++) resumed.step(grads(t));
      expect([...b.w.data], name).toEqual([...a.w.data]);
      expect([...b.b.data], name).toEqual([...a.b.data]);
    }
  });
  it('float32 parameters keep float32 state, and a float64 state is refused for them', () => {
    const p32: ParamTree = { w: params().w.copy('float32') };
    const o32 = new Optimizer(p32, adam, {});
    o32.step({ w: grads().w.copy('float32') });
    const o64 = new Optimizer({ w: params().w }, adam, {});
    expect(() => o32.loadStateDict(o64.stateDict())).toThrow(
      "argument 'dict.groups[0].state[1].slots.w.m' is Float64Array(6); expected Float32Array(6)",
    );
  });
});

describe('state types', () => {
  it('chains, the named optimizers and galore have inspectable state types', () => {
    const p = params();
    const c = chain(scaleByAdam(), scaleByLearningRate(1e-3));
    expectTypeOf(c.init(p)).toEqualTypeOf<[AdamState, LearningRateState]>();
    const state = c.init(p);
    expect(state[1].count).toBe(0);
    expect(state[0].slots.w.m.length).toBe(6);
    expectTypeOf(sgd({ lr: 0.1 }).init(p)).toEqualTypeOf<SgdState>();
    expectTypeOf<SgdState[1]>().toEqualTypeOf<TraceState | null>();
    expectTypeOf(adam().init(p)).toEqualTypeOf<AdamOptimizerState>();
    expectTypeOf(muon().init({ w: p.w })).toEqualTypeOf<MuonOptimizerState>();
    expectTypeOf(galore(adam(), { rank: 1 }).init(p)).toEqualTypeOf<GaloreState<AdamOptimizerState>>();
    const opt = new Optimizer(p, adamw, {});
    expectTypeOf(opt.stateDict().groups[0].state[0]).toEqualTypeOf<AdamState>();
    expect(opt.stateDict().optimizer).toBe('adamw');
    expect(sgd({ lr: 0.1 }).init(p)[1]).toBeNull();
  });
});
