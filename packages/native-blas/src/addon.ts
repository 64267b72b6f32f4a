import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Float storage the addon accepts. */
export type FloatData = Float64Array | Float32Array;

/**
 * A matrix operand as the addon takes it: element (i, j) at `data[offset + i * ld + j]`
 * (row-major) or `data[offset + j * ld + i]` (`colMajor`), with `ld` at least the inner extent.
 */
export interface MatDesc {
  data: FloatData;
  offset: number;
  rows: number;
  cols: number;
  ld: number;
  colMajor: boolean;
}

/** A vector operand: element i at `data[offset + i * inc]`; `inc` may be negative, not 0. */
export interface VecDesc {
  data: FloatData;
  offset: number;
  n: number;
  inc: number;
}

/**
 * The raw addon. Every function validates its arguments (types, extents against array lengths,
 * leading dimensions, dtypes, aliasing of outputs) and throws TypeError/RangeError before any
 * BLAS call; the kernels in `kernels.ts` are the intended callers. Errors JS code should tell
 * apart carry a `code`: KRYLOV_INT32 (a size beyond the 32-bit integers of LP64 BLAS/LAPACK, with
 * `argument`), KRYLOV_NON_FINITE (NaN/Infinity given to a routine whose result on them is
 * undefined, with `argument`), KRYLOV_LAPACK_ARGUMENT (a routine called xerbla: `routine`,
 * `parameter`; nothing is printed).
 */
export interface NativeAddon {
  /** maxExtent: the largest extent, leading dimension or increment the kernels take (2^31 - 1, LP64 BLAS). */
  info(): { library: string; threads: number; napiVersion: number; maxExtent: number };
  setThreads(n: number): number;
  /**
   * Not API: makes one LAPACK, CBLAS or LAPACKE call with an illegal argument; throws the error
   * naming the routine and parameter (code KRYLOV_LAPACK_ARGUMENT) and prints nothing.
   */
  _selfTestXerbla(which: 'lapack' | 'blas' | 'lapacke'): void;
  spmv(
    indptr: Int32Array,
    indices: Int32Array,
    data: Float64Array,
    m: number,
    n: number,
    x: Float64Array,
    y: Float64Array,
    alpha: number,
    beta: number,
    transpose: boolean,
  ): void;
  dot(x: VecDesc, y: VecDesc): number;
  nrm2(x: VecDesc): number;
  axpy(alpha: number, x: VecDesc, y: VecDesc): void;
  scal(alpha: number, x: VecDesc): void;
  gemv(alpha: number, a: MatDesc, x: VecDesc, beta: number, y: VecDesc): void;
  ger(alpha: number, x: VecDesc, y: VecDesc, a: MatDesc): void;
  trmv(a: MatDesc, x: VecDesc, lower: boolean, unitDiag: boolean): void;
  trsv(a: MatDesc, x: VecDesc, lower: boolean, unitDiag: boolean): void;
  gemm(alpha: number, a: MatDesc, b: MatDesc, beta: number, c: MatDesc): void;
  gemmAsync(alpha: number, a: MatDesc, b: MatDesc, beta: number, c: MatDesc): Promise<void>;
  syrk(alpha: number, a: MatDesc, beta: number, c: MatDesc, lower: boolean): void;
  trmm(left: boolean, lower: boolean, unitDiag: boolean, alpha: number, a: MatDesc, b: MatDesc): void;
  trsm(left: boolean, lower: boolean, unitDiag: boolean, alpha: number, a: MatDesc, b: MatDesc): void;
  potrf(a: MatDesc): number;
  potrfAsync(a: MatDesc): Promise<number>;
  potrs(l: MatDesc, b: MatDesc): void;
  getrf(a: MatDesc, ipiv: Int32Array): number;
  getrfAsync(a: MatDesc, ipiv: Int32Array): Promise<number>;
  getrs(lu: MatDesc, ipiv: Int32Array, b: MatDesc, transpose: boolean): void;
  /** Overwrites b with A^-1 b and a with an LU factorization (of A or A^T); returns LAPACK's info. */
  gesv(a: MatDesc, b: MatDesc): number;
  gesvAsync(a: MatDesc, b: MatDesc): Promise<number>;
  geqrf(a: MatDesc, tau: VecDesc): void;
  orgqr(a: MatDesc, tau: VecDesc): void;
  geqp3(a: MatDesc, tau: VecDesc, jpvt: Int32Array): void;
  gesdd(
    a: MatDesc,
    job: 'values' | 'thin' | 'full',
    s: VecDesc,
    u: MatDesc | null,
    vt: MatDesc | null,
  ): number;
  gesddAsync(
    a: MatDesc,
    job: 'values' | 'thin' | 'full',
    s: VecDesc,
    u: MatDesc | null,
    vt: MatDesc | null,
  ): Promise<number>;
  syevd(a: MatDesc, vectors: boolean, w: VecDesc, v: MatDesc | null): number;
  geev(a: MatDesc, vectors: boolean, wr: VecDesc, wi: VecDesc, v: MatDesc | null): number;
  syevdAsync(a: MatDesc, vectors: boolean, w: VecDesc, v: MatDesc | null): Promise<number>;
  /** C = op(Q) C (left) or C op(Q) (right) from geqrf's reflectors in `a`; `tau` contiguous (dormqr). */
  ormqr(a: MatDesc, tau: VecDesc, c: MatDesc, left: boolean, transpose: boolean): void;
  ormqrAsync(a: MatDesc, tau: VecDesc, c: MatDesc, left: boolean, transpose: boolean): Promise<void>;
  /** op(A) X = B in place on B; returns k + 1 for the first exactly zero A[k, k] (B untouched), else 0. */
  trtrs(a: MatDesc, b: MatDesc, lower: boolean, transpose: boolean, unitDiag: boolean): number;
  trtrsAsync(a: MatDesc, b: MatDesc, lower: boolean, transpose: boolean, unitDiag: boolean): Promise<number>;
  /** Minimum-norm least squares by SVD (dgelsd): writes x (n x nrhs), s, rank[0]; returns info. `a`, `b` read only. */
  gelsd(a: MatDesc, b: MatDesc, rcond: number, s: VecDesc, x: MatDesc, rank: Int32Array): number;
  gelsdAsync(
    a: MatDesc,
    b: MatDesc,
    rcond: number,
    s: VecDesc,
    x: MatDesc,
    rank: Int32Array,
  ): Promise<number>;
  /** Eigenpairs il..iu (0-based, inclusive) from the lower triangle (dsyevr); w has iu - il + 1 elements, v is n x that. */
  syevr(a: MatDesc, vectors: boolean, il: number, iu: number, w: VecDesc, v: MatDesc | null): number;
  syevrAsync(
    a: MatDesc,
    vectors: boolean,
    il: number,
    iu: number,
    w: VecDesc,
    v: MatDesc | null,
  ): Promise<number>;
  /** C[i] = alpha A[i] B[i] + beta C[i], one BLAS gemm per entry; entries of c must not overlap. */
  gemmBatched(alpha: number, a: BatchDesc, b: BatchDesc, beta: number, c: BatchDesc): void;
  gemmBatchedAsync(alpha: number, a: BatchDesc, b: BatchDesc, beta: number, c: BatchDesc): Promise<void>;
}

/**
 * A batch of equally shaped matrices in one typed array: entry i is the matrix `{ data,
 * offset: offsets[i], rows, cols, ld, colMajor }`. A broadcast operand repeats an offset.
 */
export interface BatchDesc {
  data: FloatData;
  offsets: Float64Array;
  rows: number;
  cols: number;
  ld: number;
  colMajor: boolean;
}

export type LoadResult = { addon: NativeAddon; path: string } | { addon: null; error: string };

const ADDON_FILE = 'krylov_native_blas.node';

/** The package root: one level above src/ (tests) or dist/ (the built package). */
function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

/**
 * Loads the compiled addon: `KRYLOV_NATIVE_BLAS_ADDON` when set (a sanitizer or custom-BLAS
 * build), else build/Release/krylov_native_blas.node. Never throws; says why on failure,
 * including the install-time build error when there was one.
 */
export function loadAddon(): LoadResult {
  const root = packageRoot();
  const path = process.env.KRYLOV_NATIVE_BLAS_ADDON || join(root, 'build', 'Release', ADDON_FILE);
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (typeof addon?.gemm !== 'function') return { addon: null, error: `${path} is not the Krylov addon` };
    return { addon, path };
  } catch (e) {
    let error = (e as Error).message.split('\n')[0];
    const log = join(root, 'build', 'build-error.log');
    if (existsSync(log)) error += ` (install-time build failed: ${readFileSync(log, 'utf8').trim()})`;
    return { addon: null, error };
  }
}
