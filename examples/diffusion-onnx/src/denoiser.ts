import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NDArray } from '@krylov/core-array';
import {
  type Batch,
  type DiffusionModel,
  type EmpiricalModelStatistics,
  type NoiseLevel,
  defineModel,
} from '@krylov/diffusion-samplers';
import * as ort from 'onnxruntime-web';

const MODEL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'model');

/** What train/train.py wrote beside the model: the data normalization and a probe of the network. */
export interface DataStats {
  noise: number;
  mean: [number, number];
  scale: [number, number];
  sigmaData: number;
  parameters: number;
  probe: { x: number[][]; sigma: number[]; x0: number[][] };
}

/** Where compute-ems.ts stores DPM-Solver-v3's statistics of this model. */
export const EMS_PATH = join(MODEL_DIR, 'ems.json');

/** The stored DPM-Solver-v3 statistics (see src/compute-ems.ts). */
export function storedEms(): EmpiricalModelStatistics {
  return JSON.parse(readFileSync(EMS_PATH, 'utf8')) as EmpiricalModelStatistics;
}

export function dataStats(): DataStats {
  return JSON.parse(readFileSync(join(MODEL_DIR, 'data-stats.json'), 'utf8')) as DataStats;
}

/** The ONNX denoiser as a model of @krylov/diffusion-samplers, with a count of its batched calls. */
export interface OnnxDenoiser {
  model: DiffusionModel;
  session: ort.InferenceSession;
  calls: number;
}

/**
 * Loads model/denoiser.onnx into onnxruntime-web's wasm backend (single-threaded, in Node) and wraps
 * it as a diffusion model predicting x0. The network was trained in EDM form (alpha = 1,
 * x = x0 + sigma eps); for any schedule, x_t / alpha = x0 + (sigma / alpha) eps, so it is called
 * with x_t / alpha and sigma / alpha, and its prediction of x0 needs no conversion. Every call is
 * one batched float32 `session.run` (async), whatever the dtype of the sampler's batch.
 */
export async function loadDenoiser(): Promise<OnnxDenoiser> {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(readFileSync(join(MODEL_DIR, 'denoiser.onnx')), {
    executionProviders: ['wasm'],
  });
  const out: OnnxDenoiser = {
    session,
    calls: 0,
    model: defineModel('x0', async (x: Batch, { alpha, sigma }: NoiseLevel) => {
      const [batch, dim] = x.shape;
      const xc = x.contiguous();
      const input = new Float32Array(batch * dim);
      for (let i = 0; i < input.length; i++) input[i] = xc.data[xc.offset + i] / alpha;
      const level = new Float32Array(batch).fill(sigma / alpha);
      const result = await session.run({
        x: new ort.Tensor('float32', input, [batch, dim]),
        sigma: new ort.Tensor('float32', level, [batch, 1]),
      });
      out.calls++;
      return new NDArray(result.x0.data as Float32Array, [batch, dim]);
    }),
  };
  return out;
}
