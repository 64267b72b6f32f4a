import { NDArray, type SeedLike, toRng } from '@krylov/core-array';
import {
  type Batch,
  type DiffusionModel,
  type NoiseSchedule,
  type Sampler,
  type Spacing,
  initialNoise,
  sample,
} from '@krylov/diffusion-samplers';
import type { DataStats } from './denoiser.js';

/**
 * n fresh points of the training distribution (two moons with Gaussian noise, normalized with the
 * training statistics), float64 [n, 2]; the same geometry as train/train.py, another random stream.
 */
export function twoMoons(n: number, stats: DataStats, seed: SeedLike): NDArray<'float64'> {
  const g = toRng(seed);
  const out = new NDArray(new Float64Array(2 * n), [n, 2]);
  for (let i = 0; i < n; i++) {
    const upper = g.nextFloat64() < 0.5;
    const t = g.nextFloat64() * Math.PI;
    const p = upper ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    for (let j = 0; j < 2; j++)
      out.data[2 * i + j] = (p[j] + stats.noise * g.nextNormal() - stats.mean[j]) * stats.scale[j];
  }
  return out;
}

/**
 * Energy distance (Szekely & Rizzo 2013) between the samples x [n, d] and y [m, d]:
 * 2 E|X - Y| - E|X - X'| - E|Y - Y'| (V-statistic; zero iff the distributions agree). O(n m d).
 */
export function energyDistance(x: NDArray, y: NDArray): number {
  const d = x.shape[1];
  const mean = (a: NDArray, b: NDArray) => {
    const ac = a.contiguous();
    const bc = b.contiguous();
    const [n, m] = [a.shape[0], b.shape[0]];
    let s = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let q = 0;
        for (let k = 0; k < d; k++)
          q += (ac.data[ac.offset + i * d + k] - bc.data[bc.offset + j * d + k]) ** 2;
        s += Math.sqrt(q);
      }
    return s / (n * m);
  };
  return 2 * mean(x, y) - mean(x, x) - mean(y, y);
}

/** One sampler at one step count: its evaluations and the energy distance of its samples to the data. */
export interface QualityRun {
  nfe: number;
  energy: number;
  samples: Batch;
}

/** Samples `batch` points from shared float32 start noise (seed 0) and scores them against `reference`. */
export async function runSampler(
  model: DiffusionModel,
  sampler: Sampler,
  schedule: NoiseSchedule,
  spacing: Spacing,
  steps: number,
  reference: NDArray,
  batch: number,
): Promise<QualityRun> {
  const x = initialNoise(schedule, [batch, 2], 0, { dtype: 'float32' });
  let nfe = 0;
  const samples = await sample(model, sampler, x, {
    schedule,
    steps,
    spacing,
    seed: sampler.stochastic ? 1 : undefined,
    onProgress: (p) => {
      nfe = p.nfe;
    },
  });
  return { nfe, energy: energyDistance(samples, reference), samples };
}
