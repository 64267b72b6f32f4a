/**
 * Size thresholds of the native backend: below them the pure-JS kernel is faster, because a native
 * call costs a fixed 2-6 us (operand descriptors, the N-API crossing, OpenBLAS's own dispatch) that
 * a small problem cannot repay. Each `supports` predicate declines below its threshold with the
 * reason `explain` prints, naming the rule and the run that set it; the call then goes to the next
 * backend in the order (wasm-simd or js).
 *
 * Set from the run of 2026-12-06 on the 2-vCPU EPYC Zen 4 VM (Node 20, OpenBLAS 0.3.21), per-call
 * medians, js / native (us):
 * - gemm f64: n = 4 1.3 / 10.3, 8 1.4 / 5.9, 16 3.0 / 6.5, 24 7.7 / 7.1, 32+ native ahead;
 *   f32: 8 1.0 / 5.6, 16 4.5 / 8.5, 24 15.3 / 9.9. Rule: native when m n k >= 24^3 (f64), 20^3 (f32).
 * - dot: n = 1024 1.76 / 2.78, 4096 6.8 / 3.0. Rule for the level-1 kernels (dot, nrm2, axpy,
 *   scal): native when n >= 2048. gemv and ger take the same rule on m n (by analogy: not swept).
 * - solve (gesv, getrf): n = 4 7.7 / 11.9, 8 16 / 14.5, 16 8.9 / 9.6, 32 24 / 15. Rule: n >= 8.
 * - QR (geqrf, orgqr): n = 4 17 / 25, 8 12 / 18, 16 20 / 19, 32 84 / 38. Rule: n >= 16.
 * - Cholesky, SVD, eigh: native was ahead or level at every n >= 4: no threshold.
 * These are one run each on a noisy shared machine; `pnpm bench sweep` repeats the measurement.
 */
export const NATIVE_THRESHOLDS = {
  /** gemm: minimum m n k (float64). */
  gemmF64: 24 ** 3,
  /** gemm: minimum m n k (float32). */
  gemmF32: 20 ** 3,
  /** dot, nrm2, axpy, scal: minimum length; gemv, ger: minimum m n. */
  level1: 2048,
  /** gesv, getrf: minimum n (rows). */
  lu: 8,
  /** geqrf, orgqr: minimum min(m, n). */
  qr: 16,
} as const;

let sizeRules = !/^(0|false|off)$/i.test(
  (typeof process !== 'undefined' ? process.env?.KRYLOV_NATIVE_SIZE_RULES : undefined) ?? '',
);

/**
 * Turns the size rules on (the default) or off: off, the native backend accepts every size it can
 * take (tests that exercise native kernels on small operands; `KRYLOV_NATIVE_SIZE_RULES=0` at start
 * does the same). Call `configure({})` of @krylov/core-array afterwards is not needed: rules are
 * asked at every call. Returns the previous setting.
 */
export function useSizeRules(on: boolean): boolean {
  const previous = sizeRules;
  sizeRules = on;
  return previous;
}

const RUN = 'js is faster below it (sweep of 2026-12-06, packages/native-blas/src/thresholds.ts)';

/** The reason to decline a call of `size` below `min`, or false: `kernel: n = 16 < 24 ...`. */
export function below(kernel: string, what: string, size: number, min: number): string | false {
  return sizeRules && size < min && `${kernel} size rule: ${what} = ${size} < ${min}; ${RUN}`;
}

/** gemm's rule: native when m n k reaches the dtype's threshold. */
export function gemmBelow(m: number, n: number, k: number, dtype: string): string | false {
  const min = dtype === 'float32' ? NATIVE_THRESHOLDS.gemmF32 : NATIVE_THRESHOLDS.gemmF64;
  return below('gemm', 'm*n*k', m * n * k, min);
}

/**
 * The thread policy's thresholds (src/threads.ts): in `'auto'`, a call gets one OpenBLAS thread
 * below this many nominal flops, and one more per further threshold's worth, up to the count
 * OpenBLAS started with.
 *
 * Set from the run of 2026-12-06 on the 2-vCPU EPYC Zen 4 VM (OpenBLAS 0.3.21 DYNAMIC_ARCH, the
 * machine shared with CI: load average 10-20), per-call medians in ms, 1 thread / 2 threads:
 * - gemm f64: n = 128 0.091 / 0.098, 256 0.68 / 0.73, 512 21 / 12.6 (13.7 / 17.4 in a quieter
 *   minute), 768 43 / 41, 1024 228 / 124. Quiet, 2 threads reach 1.8x at n >= 256
 *   (reference-numbers.md), but any threaded call stalls when the other core is busy. Rule: one
 *   thread below 1e8 flops (gemm n ~ 370).
 * - solve (gesv): n = 128 0.115 / 8.8, 256 0.57 / 13.2, 512 10.3 / 30.8, 1024 46 / 92; Cholesky:
 *   n = 64 0.016 / 0.041, 128 0.062 / 0.12, 256 0.32 / 0.48, 512 2.2 / 5.9, 1024 28 / 32.
 *   OpenBLAS's threaded getrf/potrf lost at every size measured. Rule: one thread below 1e9 flops
 *   (LU n ~ 1140, Cholesky n ~ 1440); QR, SVD and eigensolvers take the same rule, not swept.
 * `pnpm bench native-threads` (bench/threads.bench.ts) repeats the measurement, as the machine is
 * and with a CPU-bound process running, and writes docs/bench/native-threads{,-summary}.md. Its
 * run of 2026-12-06 (load average 22-26 from other work), auto / all threads, ms: solve n = 128
 * 0.30 / 21.7 (busy core: 0.30 / 32.4), n = 256 0.86 / 29.9 (0.82 / 131); Cholesky n = 128 0.088 /
 * 0.16 (0.12 / 67), n = 256 0.60 / 9.6 (0.42 / 143); gemm n = 256 0.96 / 9.1 (0.96 / 25.8). Busy /
 * quiet with auto: 0.7-1.4x at n = 128..256; gemm n = 512 (2 threads by this rule) 1.65x.
 */
export const THREAD_FLOPS = {
  /** Level-1/2/3 BLAS and the triangular solves (gemm, syrk, trsm, getrs, ...). */
  blas: 1e8,
  /** LAPACK factorizations and decompositions (getrf, gesv, potrf, geqrf, gesdd, syevd, ...). */
  lapack: 1e9,
} as const;
