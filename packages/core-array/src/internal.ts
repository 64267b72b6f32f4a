/**
 * @krylov/core-array/internal: the unvalidated kernel layer for algorithm packages and plugin
 * authors. NOT public API: nothing here checks its operands, and semver does not cover this entry.
 *
 * DESIGN's two layers: a public function validates once at its boundary (types, shapes, dtypes,
 * finiteness, overlap), then its algorithm calls these registry-dispatched kernels on operands it
 * has already checked, so inner loops pay no validation and every inner product runs on the
 * selected backend. Each export is a `KernelCall` (call it, `.async`, `.explain`, `.reference`)
 * taking the `KernelSignatures` arguments; the operand conventions are the catalogue's
 * (strided views, one float dtype per call, outputs written in place, no overlap between an
 * output and an input: the caller separates them). Wrong operands here give wrong answers or
 * RangeErrors, not typed errors.
 *
 * The level-1 calls (`dot`, `nrm2`, `axpy`, `scal`) run the pure-JS loop in place, without the
 * registry, below `LEVEL1_DISPATCH_MIN` elements (see there).
 */
import { axpyKernel, dotKernel, nrm2Kernel, scalKernel } from './kernels/level1.js';
import type { KernelArgs, KernelCall, KernelName, KernelResult } from './registry.js';

export { gemmBatchedKernel as gemmBatched, gemmKernel as gemm, gemmReference } from './kernels/gemm.js';
export {
  gemvKernel as gemv,
  gerKernel as ger,
  trmvKernel as trmv,
  trsvKernel as trsv,
} from './kernels/level2.js';
export { syrkKernel as syrk, trmmKernel as trmm, trsmKernel as trsm } from './kernels/level3.js';
export { scaledNorm2 } from './kernels/level1.js';
export { fft, irfft, rfft } from './fft.js';
export { separate } from './overlap.js';

/**
 * Vectors shorter than this run the level-1 kernels' pure-JS loop directly: dispatch through the
 * registry costs more than a short dot (`pnpm bench overhead`, docs/bench/overhead.md: dot of a
 * 4-vector 0.52 us per call with every backend loaded against 0.07 us on js alone). 1024 is where the
 * ad-hoc timing that set it put dispatch under ~20% of a JS dot; it has not been swept.
 * Mutable for tuning (`LEVEL1_DISPATCH_MIN.size = 0` sends every call through the registry).
 */
export const LEVEL1_DISPATCH_MIN = { size: 1024 };

/** `call` with its pure-JS reference run directly (no registry) when `local(args)` holds. */
function localBelow<K extends KernelName>(
  call: KernelCall<K>,
  local: (args: KernelArgs<K>) => boolean,
): KernelCall<K> {
  const reference = call.reference;
  const f = ((args: KernelArgs<K>): KernelResult<K> =>
    local(args) ? reference(args) : call(args)) as KernelCall<K>;
  f.async = call.async;
  f.explain = call.explain;
  (f as { reference: typeof reference }).reference = reference;
  return f;
}

const short = ({ x }: { x: { size: number } }) => x.size < LEVEL1_DISPATCH_MIN.size;

/** x . y, dispatched (the JS loop below LEVEL1_DISPATCH_MIN elements). Unvalidated. */
export const dot: KernelCall<'dot'> = localBelow(dotKernel, short);
/** ||x||_2 without overflow, dispatched (the JS loop below LEVEL1_DISPATCH_MIN elements). Unvalidated. */
export const nrm2: KernelCall<'nrm2'> = localBelow(nrm2Kernel, short);
/** y += alpha x, dispatched (the JS loop below LEVEL1_DISPATCH_MIN elements). Unvalidated. */
export const axpy: KernelCall<'axpy'> = localBelow(axpyKernel, short);
/** x *= alpha, dispatched (the JS loop below LEVEL1_DISPATCH_MIN elements). Unvalidated. */
export const scal: KernelCall<'scal'> = localBelow(scalKernel, short);
