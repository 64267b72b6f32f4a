import {
  type Check,
  type KernelTable,
  type Mat,
  type NDArray,
  type Vec,
  firstFailure,
  forEachBatch,
  gemmBatchedOperands,
  gemmOperands,
  gemvOperands,
  syrkOperands,
  trsmOperands,
} from '@krylov/core-array';
import {
  type FloatData,
  copyIn,
  copyInRowMajor,
  copyOut,
  copyVecIn,
  copyVecOut,
  isColumnMajor,
} from './layout.js';
import { type Arena, MAX_BYTES, type WasmExports } from './module.js';
import type { ThreadPool } from './threads.js';

/** A loaded instance: its exports and operand arena, and the thread pool when threads are on. */
export interface WasmState {
  exports: WasmExports;
  arena: Arena;
  pool?: ThreadPool;
}

/**
 * Size thresholds below which a kernel declines and the pure-JS kernel runs: there, copying the
 * operands into linear memory and the call (about 3 us) cost more than the SIMD arithmetic saves.
 * Measured on the benchmark machine (README, "Thresholds"): gemm breaks even near m = n = k = 20
 * in float64 and m = n = k = 6 in float32 (the pure-JS float32 gemm converts to float64 and back).
 * Mutable, for tuning on other machines.
 */
export const THRESHOLDS = {
  /** gemm, gemmBatched (per matrix), syrk, trsm in float64: minimum m n k (syrk n n k, trsm m m n). */
  level3Float64: 8000,
  /** The same in float32. */
  level3Float32: 216,
  /** gemv: minimum m n (break-even near 48 x 48 in float64, 32 x 32 in float32). */
  gemvSize: 2048,
  /** With threads on (setThreads), gemm, gemmBatched (per matrix) and syrk of at least this m n k split over the threads. */
  threadsMinWork: 128 ** 3,
};

/** The level-3 threshold for an operand's dtype. */
const level3 = (x: NDArray) => (x.dtype === 'float32' ? THRESHOLDS.level3Float32 : THRESHOLDS.level3Float64);

const bytesOf = (x: NDArray) => (x.dtype === 'float32' ? 4 : 8);
const tooBig = (elements: number, x: NDArray): Check =>
  elements * bytesOf(x) > MAX_BYTES &&
  `operands need ${Math.ceil((elements * bytesOf(x)) / 2 ** 20)} MiB, over the 2 GiB the wasm32 kernels address`;
const small = (work: number, min: number, what: string): Check =>
  work < min && `too small (${what} = ${work} < ${min}): the pure-JS kernel is faster here`;

/** A typed view of `count` elements at byte address `at` in linear memory. */
function view(wasm: WasmExports, f32: boolean, at: number, count: number): FloatData {
  return f32
    ? new Float32Array(wasm.memory.buffer, at, count)
    : new Float64Array(wasm.memory.buffer, at, count);
}

/**
 * The wasm-simd kernel table over a loaded module. `wasm` returns the instance (or throws why
 * not); the table exists before the module is loaded, so `explain` reports the backend as
 * unavailable, with the reason, rather than as lacking the kernel.
 */
export function wasmKernels(wasm: () => WasmState): KernelTable {
  /** C = alpha A B + beta C through linear memory. */
  function gemm(alpha: number, a: Mat, b: Mat, beta: number, c: Mat): void {
    const [m, k] = a.shape;
    const n = b.shape[1];
    if (m === 0 || n === 0) return;
    // a column-major C is computed as C^T = B^T A^T, so its copies stay contiguous runs
    if (isColumnMajor(c)) {
      gemm(alpha, b.T as Mat, a.T as Mat, beta, c.T as Mat);
      return;
    }
    const { exports: w, arena, pool } = wasm();
    const f32 = c.dtype === 'float32';
    const es = f32 ? 4 : 8;
    arena.reset();
    const pa = arena.alloc(m * k, es);
    const pb = arena.alloc(k * n, es);
    const pc = arena.alloc(m * n, es);
    arena.commit();
    const la = copyIn(a, view(w, f32, pa, m * k));
    const lb = copyIn(b, view(w, f32, pb, k * n));
    const cw = view(w, f32, pc, m * n);
    if (beta !== 0) copyInRowMajor(c, cw);
    if (pool && m * n * k >= THRESHOLDS.threadsMinWork)
      pool.gemm(f32, m, n, k, alpha, pa, la.rs, la.cs, pb, lb.rs, lb.cs, beta, pc, n);
    else (f32 ? w.sgemm : w.dgemm)(m, n, k, alpha, pa, la.rs, la.cs, pb, lb.rs, lb.cs, beta, pc, n);
    copyOut(cw, c);
  }

  function syrk(alpha: number, a: Mat, beta: number, c: Mat, lower: boolean): void {
    const [n, k] = a.shape;
    if (n === 0) return;
    // C^T's upper triangle is C's lower one, and A A^T is symmetric
    if (isColumnMajor(c)) {
      syrk(alpha, a, beta, c.T as Mat, !lower);
      return;
    }
    const { exports: w, arena, pool } = wasm();
    const f32 = c.dtype === 'float32';
    const es = f32 ? 4 : 8;
    arena.reset();
    const pa = arena.alloc(n * k, es);
    const pc = arena.alloc(n * n, es);
    arena.commit();
    const la = copyIn(a, view(w, f32, pa, n * k));
    const cw = view(w, f32, pc, n * n);
    if (beta !== 0) copyInRowMajor(c, cw);
    if (pool && n * n * k >= THRESHOLDS.threadsMinWork)
      pool.syrk(f32, n, k, alpha, pa, la.rs, la.cs, beta, pc, n, lower);
    else (f32 ? w.ssyrk : w.dsyrk)(n, k, alpha, pa, la.rs, la.cs, beta, pc, n, lower ? 1 : 0);
    copyOut(cw, c, lower ? 'lower' : 'upper');
  }

  /** B = alpha A^-1 B (left) or alpha B A^-1 (right, solved as A^T X^T = alpha B^T). */
  function trsm(
    side: 'left' | 'right',
    lower: boolean,
    unitDiag: boolean,
    alpha: number,
    a: Mat,
    b: Mat,
  ): void {
    if (side === 'right') {
      trsm('left', !lower, unitDiag, alpha, a.T as Mat, b.T as Mat);
      return;
    }
    const [m, n] = b.shape;
    if (m === 0 || n === 0) return;
    const { exports: w, arena } = wasm();
    const f32 = b.dtype === 'float32';
    const es = f32 ? 4 : 8;
    arena.reset();
    const pa = arena.alloc(m * m, es);
    const pb = arena.alloc(m * n, es);
    arena.commit();
    const la = copyIn(a, view(w, f32, pa, m * m));
    const bw = view(w, f32, pb, m * n);
    copyInRowMajor(b, bw);
    (f32 ? w.strsm : w.dtrsm)(m, n, alpha, pa, la.rs, la.cs, pb, n, lower ? 1 : 0, unitDiag ? 1 : 0);
    copyOut(bw, b);
  }

  function gemv(alpha: number, a: Mat, x: Vec, beta: number, y: Vec): void {
    const [m, n] = a.shape;
    if (m === 0) return;
    const { exports: w, arena } = wasm();
    const f32 = y.dtype === 'float32';
    const es = f32 ? 4 : 8;
    arena.reset();
    const pa = arena.alloc(m * n, es);
    const px = arena.alloc(n, es);
    const py = arena.alloc(m, es);
    arena.commit();
    const la = copyIn(a, view(w, f32, pa, m * n));
    copyVecIn(x, view(w, f32, px, n));
    const yw = view(w, f32, py, m);
    if (beta !== 0) copyVecIn(y, yw);
    (f32 ? w.sgemv : w.dgemv)(m, n, alpha, pa, la.rs, la.cs, px, beta, py);
    copyVecOut(yw, y);
  }

  return {
    gemm: {
      run: ({ alpha, a, b, beta, c }) => gemm(alpha, a, b, beta, c),
      supports: ({ a, b, c }) =>
        firstFailure(
          () => gemmOperands({ a, b, c }),
          () => small(a.shape[0] * b.shape[1] * a.shape[1], level3(c), 'm n k'),
          () => tooBig(a.size + b.size + c.size, c),
        ),
    },
    gemmBatched: {
      run: ({ alpha, a, b, beta, c }) => forEachBatch([a, b, c], ([x, y, z]) => gemm(alpha, x, y, beta, z)),
      supports: ({ a, b, c }) =>
        firstFailure(
          () => gemmBatchedOperands({ a, b, c }),
          () => small(a.shape.at(-2)! * b.shape.at(-1)! * a.shape.at(-1)!, level3(c), 'm n k'),
          () => tooBig(a.shape.at(-2)! * a.shape.at(-1)! + b.shape.at(-2)! * b.shape.at(-1)! + c.size, c),
        ),
    },
    syrk: {
      run: ({ alpha, a, beta, c, lower }) => syrk(alpha, a, beta, c, lower),
      supports: ({ a, c }) =>
        firstFailure(
          () => syrkOperands({ a, c }),
          () => small(a.shape[0] * a.shape[0] * a.shape[1], level3(c), 'n n k'),
          () => tooBig(a.size + c.size, c),
        ),
    },
    trsm: {
      run: ({ side, lower, unitDiag, alpha, a, b }) => trsm(side, lower, unitDiag, alpha, a, b),
      supports: ({ side, a, b }) =>
        firstFailure(
          () => trsmOperands({ side, a, b }),
          () => small(a.shape[0] * b.size, level3(b), 'n n nrhs'),
          () => tooBig(a.size + b.size, b),
        ),
    },
    gemv: {
      run: ({ alpha, a, x, beta, y }) => gemv(alpha, a, x, beta, y),
      supports: ({ a, x, y }) =>
        firstFailure(
          () => gemvOperands({ a, x, y }),
          () => small(a.size, THRESHOLDS.gemvSize, 'm n'),
          () => tooBig(a.size + x.size + y.size, y),
        ),
    },
  };
}
