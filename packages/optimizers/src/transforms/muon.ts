import { InvalidArgumentError, NDArray, checkOptions } from '@krylov/core-array';
import { newtonSchulz } from '@krylov/decompositions';
import type { Rate } from '../schedules.js';
import { type GradientTransformation, chain, partition, perParameter } from '../transform.js';
import { type Buffer, type ParamTree, zerosLike } from '../tree.js';
import { addDecayedWeights, scaleByLearningRate } from './basic.js';
import { scaleByAdam } from './moments.js';

export interface MuonOptions {
  /** Learning rate of the orthogonalized updates (default 0.02, the reference's). */
  lr?: Rate;
  /** Momentum beta (default 0.95). */
  momentum?: number;
  nesterov?: boolean;
  /** Newton-Schulz steps and coefficient preset (defaults 5 and Muon's quintic). */
  steps?: number;
  preset?: NonNullable<Parameters<typeof newtonSchulz>[1]>['preset'];
  /** Decoupled weight decay p *= 1 - lr wd (default 0). */
  weightDecay?: number;
}

/**
 * Muon's direction (Jordan et al. 2024, the reference `muon_update`): momentum m = beta m +
 * (1 - beta) g, the Nesterov blend (1 - beta) g + beta m, reshaped to a matrix (rows = first axis),
 * orthogonalized by Newton-Schulz iteration (`newtonSchulz` from @krylov/decompositions), then
 * scaled by sqrt(max(1, rows / cols)). O(steps rows cols min(rows, cols)) per matrix.
 * @throws InvalidArgumentError for parameters with fewer than 2 axes.
 */
export function scaleByMuon(options?: Omit<MuonOptions, 'lr' | 'weightDecay'>) {
  checkOptions('scaleByMuon', options, ['momentum', 'nesterov', 'steps', 'preset']);
  const beta = options?.momentum ?? 0.95;
  const nesterov = options?.nesterov ?? true;
  if (!(beta >= 0 && beta < 1))
    throw new InvalidArgumentError('scaleByMuon', 'options.momentum', beta, 'a number in [0, 1)');
  return perParameter(
    (p) => {
      if (p.ndim < 2)
        throw new InvalidArgumentError(
          'scaleByMuon',
          'params',
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
      const o = newtonSchulz(new NDArray(u, [rows, cols]), {
        steps: options?.steps ?? 5,
        preset: options?.preset ?? 'muon',
      });
      const scale = Math.sqrt(Math.max(1, rows / cols));
      const od = o.contiguous().data;
      for (let i = 0; i < u.length; i++) u[i] = scale * od[i];
    },
  );
}

/**
 * Muon for matrices with an inner AdamW for everything else (the reference's
 * MuonWithAuxAdam): parameters with two or more axes for which `isMatrix` holds (default: all
 * of them) go through Muon, the rest through AdamW with `adamw` options.
 */
export function muon(
  options: MuonOptions & {
    adamw?: { lr?: Rate; b1?: number; b2?: number; eps?: number; weightDecay?: number };
    isMatrix?: (name: string, p: ParamTree[string]) => boolean;
  } = {},
): GradientTransformation<Record<string, unknown>> {
  checkOptions('muon', options, [
    'lr',
    'momentum',
    'nesterov',
    'steps',
    'preset',
    'weightDecay',
    'adamw',
    'isMatrix',
  ]);
  const { lr = 0.02, weightDecay = 0, adamw = {}, isMatrix = () => true, ...ortho } = options;
  const { lr: adamLr = 3e-4, weightDecay: adamWd = 0, ...moments } = adamw;
  return partition((name, p) => (p.ndim >= 2 && isMatrix(name, p) ? 'muon' : 'adamw'), {
    muon: chain(scaleByMuon(ortho), addDecayedWeights(weightDecay), scaleByLearningRate(lr)),
    adamw: chain(scaleByAdam(moments), addDecayedWeights(adamWd), scaleByLearningRate(adamLr)),
  });
}
