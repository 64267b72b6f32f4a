// A user's code, type-checked against the published declarations (dist/*.d.ts), not the sources.
import { type NDArray, array, rng } from '@krylov/core-array';
import { eigh, eighAsync, svd, svdAsync } from '@krylov/decompositions';
import { type ProgressInfo, ddim } from '@krylov/diffusion-samplers';
import { plugin as webgpuPlugin } from '@krylov/gpu-webgpu';
import { type IterationInfo, cg, cgAsync } from '@krylov/solvers';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assert = <T extends true>(_: T) => {};

const a = rng(1).normal([4, 4]);
const s = array([
  [2, 1],
  [1, 2],
]);

// eigh: non-null vectors by default, null with { vectors: false }
const full = eigh(s);
assert<Equal<typeof full.vectors, NDArray<'float64'>>>(true);
const valuesOnly = eigh(s, { vectors: false });
assert<Equal<typeof valuesOnly.vectors, null>>(true);
export const columnSum: number = full.vectors.get(0, 0) + full.vectors.get(1, 0);

// svd: no u/vt in 'values' mode
const sv = svd(a, { mode: 'values' });
assert<Equal<keyof typeof sv, 's'>>(true);

export async function offThread(signal: AbortSignal): Promise<number> {
  const { u } = await svdAsync(a, { signal });
  const { vectors } = await eighAsync(s);
  return u.get(0, 0) + vectors.get(0, 0);
}

export async function solve(signal: AbortSignal): Promise<number> {
  const onProgress = (info: IterationInfo) => {
    void info.residualNorm;
  };
  const sync = cg(s, [1, 2], { rtol: 1e-10, onProgress });
  const r = await cgAsync(s, [1, 2], { signal, onProgress });
  return sync.iterations + r.iterations;
}

export const progress = (p: ProgressInfo): number => p.iteration * p.fraction;
export const sampler = ddim();
export const plugin = webgpuPlugin;
