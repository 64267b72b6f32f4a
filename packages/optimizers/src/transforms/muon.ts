import {
  InvalidArgumentError,
  NDArray,
  checkBoolean,
  checkFunction,
  checkInteger,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { NEWTON_SCHULZ_PRESETS, newtonSchulz } from '@krylov/decompositions';
import type { Rate } from '../schedules.js';
import {
  type GradientTransformation,
  type PerParameterState,
  chain,
  named,
  partition,
  perParameter,
} from '../transform.js';
import { type Buffer, type ParamTree, zerosLike } from '../tree.js';
import { type LearningRateState, decayedWeights, learningRate } from './basic.js';
import { type AdamState, BETA, booleanOption, numberOption, scaleByAdamIn } from './moments.js';

type Preset = NonNullable<NonNullable<Parameters<typeof newtonSchulz>[1]>['preset']>;

/** `scaleByMuon`'s state: the momentum per matrix parameter. */
export type MuonState = PerParameterState<{ m: Buffer }>;

/** `muon`'s state: the Muon chain for the matrices and the AdamW chain for the rest. */
export interface MuonOptimizerState {
  muon: [MuonState, null, LearningRateState];
  adamw: [AdamState, null, LearningRateState];
}

/** A Newton-Schulz preset: a name of NEWTON_SCHULZ_PRESETS or three finite coefficients. */
function checkPreset(fn: string, preset: unknown): Preset {
  const ok =
    (typeof preset === 'string' && Object.hasOwn(NEWTON_SCHULZ_PRESETS, preset)) ||
    (Array.isArray(preset) &&
      preset.length === 3 &&
      preset.every((c) => typeof c === 'number' && Number.isFinite(c)));
  if (!ok)
    throw new InvalidArgumentError(
      fn,
      'options.preset',
      preset,
      `one of ${Object.keys(NEWTON_SCHULZ_PRESETS)
        .map((k) => JSON.stringify(k))
        .join(', ')} or three finite coefficients [a, b, c]`,
    );
  return preset as Preset;
}

export interface MuonOptions {
  /** Learning rate of the orthogonalized updates (default 0.02, the reference's). */
  lr?: Rate;
  /** Momentum beta in [0, 1) (default 0.95). */
  momentum?: number;
  nesterov?: boolean;
  /** Newton-Schulz steps, an integer >= 1, and coefficient preset (defaults 5 and Muon's quintic). */
  steps?: number;
  preset?: Preset;
  /** Decoupled weight decay >= 0, p *= 1 - lr wd (default 0). */
  weightDecay?: number;
}

/**
 * Muon's direction (Jordan et al. 2024, the reference `muon_update`): momentum m = beta m +
 * (1 - beta) g, the Nesterov blend (1 - beta) g + beta m, reshaped to a matrix (rows = first axis),
 * orthogonalized by Newton-Schulz iteration (`newtonSchulz` from @krylov/decompositions), then
 * scaled by sqrt(max(1, rows / cols)). O(steps rows cols min(rows, cols)) per matrix.
 * @throws InvalidArgumentError for an option out of range (0 Newton-Schulz steps would not
 * orthogonalize) and, at init, for parameters with fewer than 2 axes.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleByMuon } from '@krylov/optimizers';
 * const t = chain(scaleByMuon(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleByMuon(
  options?: Omit<MuonOptions, 'lr' | 'weightDecay'>,
): GradientTransformation<MuonState> {
  return scaleByMuonIn(options, 'scaleByMuon');
}

const SCALE_BY_MUON_IN_OPTIONS_KEYS = optionKeys<ScaleByMuonInOptions>()(
  'momentum',
  'nesterov',
  'steps',
  'preset',
);

/** Options of {@link scaleByMuonIn}. */
type ScaleByMuonInOptions = Omit<MuonOptions, 'lr' | 'weightDecay'>;

function scaleByMuonIn(
  options: ScaleByMuonInOptions | undefined,
  fn: string,
): GradientTransformation<MuonState> {
  checkOptions(fn, options, SCALE_BY_MUON_IN_OPTIONS_KEYS);
  const beta = numberOption(fn, options, 'momentum', 0.95, BETA);
  const nesterov = booleanOption(fn, options, 'nesterov', true);
  const steps =
    options?.steps === undefined ? 5 : checkInteger(fn, 'options.steps', options.steps, { min: 1 });
  const preset = options?.preset === undefined ? 'muon' : checkPreset(fn, options.preset);
  return perParameter(
    (p, name) => {
      if (p.ndim < 2)
        throw new InvalidArgumentError(
          fn,
          `params.${name}`,
          p.shape,
          'matrices (route vectors to AdamW with `muon`)',
        );
      return { m: zerosLike(p) };
    },
    (u, s, p) => {
      for (let i = 0; i < u.length; i++) {
        s.m[i] = beta * s.m[i] + (1 - beta) * u[i];
        u[i] = nesterov ? (1 - beta) * u[i] + beta * s.m[i] : s.m[i];
      }
      const rows = p.shape[0];
      const cols = p.size / rows;
      const o = newtonSchulz(new NDArray(u, [rows, cols]), { steps, preset });
      const scale = Math.sqrt(Math.max(1, rows / cols));
      const od = o.contiguous().data;
      for (let i = 0; i < u.length; i++) u[i] = scale * od[i];
    },
    { name: 'scaleByMuon' },
  );
}

/**
 * Muon for matrices with an inner AdamW for everything else (the reference's
 * MuonWithAuxAdam): parameters with two or more axes for which `isMatrix` holds (default: all
 * of them) go through Muon, the rest through AdamW with `adamw` options.
 * @throws InvalidArgumentError for an option out of range (errors name `muon`; the AdamW options
 * as `options.adamw.*`), and at a step where `isMatrix` returns a non-boolean.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, muon } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, muon, { lr: 0.05 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function muon(
  options: MuonOptions & {
    adamw?: { lr?: Rate; b1?: number; b2?: number; eps?: number; weightDecay?: number };
    isMatrix?: (name: string, p: ParamTree[string]) => boolean;
  } = {},
): GradientTransformation<MuonOptimizerState> {
  const fn = 'muon';
  checkOptions(fn, options, [
    'lr',
    'momentum',
    'nesterov',
    'steps',
    'preset',
    'weightDecay',
    'adamw',
    'isMatrix',
  ]);
  const { lr = 0.02, weightDecay = 0, adamw = {}, isMatrix: matrix, ...ortho } = options ?? {};
  const isMatrix =
    matrix === undefined ? () => true : checkFunction<typeof matrix & {}>(fn, 'options.isMatrix', matrix);
  checkOptions('muon.adamw', adamw, ['lr', 'b1', 'b2', 'eps', 'weightDecay']);
  const { lr: adamLr = 3e-4, weightDecay: adamWd = 0, ...moments } = adamw ?? {};
  const sub = 'muon.adamw';
  return named(
    fn,
    partition(
      (name, p) =>
        p.ndim >= 2 && checkBoolean(fn, `options.isMatrix(${name})`, isMatrix(name, p)) ? 'muon' : 'adamw',
      {
        muon: chain(
          scaleByMuonIn(ortho, fn),
          decayedWeights(fn, 'options.weightDecay', weightDecay),
          learningRate(fn, 'options.lr', lr),
        ),
        adamw: chain(
          scaleByAdamIn(moments, sub),
          decayedWeights(sub, 'options.weightDecay', adamWd),
          learningRate(sub, 'options.lr', adamLr),
        ),
      },
    ),
  );
}
