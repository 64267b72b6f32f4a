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
  /**
   * threads: the OpenBLAS count in force; maxThreads: the count it started with (one per core, or
   * OPENBLAS_NUM_THREADS); inFlight: computations running now (sync or async).
   */
  info(): {
    library: string;
    threads: number;
    maxThreads?: number;
    inFlight?: number;
    napiVersion: number;
    maxExtent: number;
  };
  /**
   * The OpenBLAS thread count of the calls made after it, applied on the thread that runs each
   * call and never changed under a call in flight (native/src/threads.h). Returns the count in force.
   */
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

/** Where the loaded addon came from. */
export type AddonSource = 'env' | 'source' | 'prebuilt';

/**
 * Why the addon did not load, one of the causes `krylov doctor` explains:
 * - `env`: KRYLOV_NATIVE_BLAS_ADDON names a file that does not load;
 * - `no-prebuilt`: no prebuilt package for this platform, and no source build was attempted;
 * - `prebuilt-not-installed`: this platform has a prebuilt package but the package manager did not
 *   install it (optional dependencies omitted, or a lockfile made on another platform);
 * - `scripts-skipped`: no prebuilt, and the package manager skipped the install script;
 * - `no-toolchain`: no prebuilt, and the source build found no compiler or cmake;
 * - `no-blas-dev`: no prebuilt, and the source build found no OpenBLAS/LAPACKE headers;
 * - `build-failed`: no prebuilt, and the source build failed for another reason;
 * - `build-skipped`: no prebuilt, and KRYLOV_NATIVE_BLAS_SKIP_BUILD was set at install;
 * - `runtime-library-missing`: a source build that links the system libopenblas, now missing;
 * - `load-failed`: a binary exists but does not load (wrong architecture, old glibc...).
 */
export type AddonCause =
  | 'env'
  | 'no-prebuilt'
  | 'prebuilt-not-installed'
  | 'scripts-skipped'
  | 'no-toolchain'
  | 'no-blas-dev'
  | 'build-failed'
  | 'build-skipped'
  | 'runtime-library-missing'
  | 'load-failed';

export type LoadResult =
  | { addon: NativeAddon; path: string; source: AddonSource }
  | { addon: null; error: string; cause: AddonCause; fix: string };

/** The addon's file name, in build/Release/ and at the root of every platform package. */
export const ADDON_FILE = 'krylov_native_blas.node';
/** The install script's record of what it did (scripts/install.mjs writes it; absent: it never ran). */
export const INSTALL_STATUS_FILE = 'install-status.json';

/** What scripts/install.mjs wrote to build/install-status.json. */
export interface InstallStatus {
  /** `prebuilt`: a platform package loaded, nothing built; `built`; `failed`; `skipped` (env). */
  result: 'prebuilt' | 'built' | 'failed' | 'skipped';
  cause?: 'no-toolchain' | 'no-blas-dev' | 'build-failed';
  message?: string;
  log?: string;
}

/** The package root: one level above src/ (tests) or dist/ (the built package). */
function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

/**
 * This process's platform as prebuilt packages name it: `linux-x64-gnu`, `linux-arm64-musl`,
 * `darwin-arm64`, `win32-x64-msvc` (the napi-rs names).
 */
export function platformTriple(
  platform: string = process.platform,
  arch: string = process.arch,
  glibc: boolean = isGlibc(),
): string {
  if (platform === 'linux') return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function isGlibc(): boolean {
  if (process.platform !== 'linux') return false;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)
    ?.header;
  return Boolean(header?.glibcVersionRuntime);
}

/** The prebuilt package names this version of @krylov/native-blas lists as optionalDependencies. */
function prebuiltPackages(root: string): { names: string[]; version: string } {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    return { names: Object.keys(pkg.optionalDependencies ?? {}), version: String(pkg.version ?? '') };
  } catch {
    return { names: [], version: '' };
  }
}

function readStatus(root: string): InstallStatus | null {
  try {
    return JSON.parse(readFileSync(join(root, 'build', INSTALL_STATUS_FILE), 'utf8')) as InstallStatus;
  } catch {
    return null;
  }
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

/** The exact commands that run a skipped install script again, for npm, pnpm and yarn. */
export const RERUN_INSTALL_SCRIPT =
  'npm: `npm rebuild @krylov/native-blas --foreground-scripts`; pnpm: `pnpm approve-builds` (pnpm 10) or `pnpm rebuild @krylov/native-blas`; yarn: `yarn rebuild @krylov/native-blas` (yarn 1: `yarn install --force`)';
const TOOLCHAIN =
  'install a C++17 compiler, cmake >= 3.15 and the OpenBLAS/LAPACKE headers (Debian/Ubuntu: `apt install g++ cmake libopenblas-dev liblapacke-dev`; Fedora: `dnf install gcc-c++ cmake openblas-devel lapack-devel`; macOS: `brew install cmake openblas`) and the build tools (`npm install cmake-js@7 node-addon-api@8 node-api-headers@1`)';

/** The facts `explainFailure` reasons from; separated from the file system so tests can give them. */
export interface LoadFacts {
  /** This platform, as `platformTriple` names it. */
  triple: string;
  /** Prebuilt package names listed in package.json (`@krylov/native-blas-<triple>`). */
  prebuilts: string[];
  version: string;
  /** The platform package: not listed for this platform, listed but not installed, or the load error. */
  prebuilt:
    | { state: 'none' }
    | { state: 'not-installed'; name: string }
    | { state: 'failed'; name: string; error: string };
  /** The local source build: absent, or the error from loading it. */
  local: { state: 'absent' } | { state: 'failed'; path: string; error: string };
  status: InstallStatus | null;
  statusPath: string;
}

/** Turns what was found into one cause, a sentence saying what happened, and the fix. */
export function explainFailure(f: LoadFacts): { cause: AddonCause; error: string; fix: string } {
  const rebuild = `then run the install script again: ${RERUN_INSTALL_SCRIPT}`;
  if (f.local.state === 'failed') {
    const missing =
      /(lib(?:openblas|lapacke|lapack|cblas|blas|gfortran|quadmath)[\w.+-]*): cannot open shared object file/.exec(
        f.local.error,
      );
    if (missing)
      return {
        cause: 'runtime-library-missing',
        error: `the source build ${f.local.path} needs ${missing[1]}, which is missing at run time`,
        fix:
          f.prebuilt.state === 'none'
            ? `install the runtime library (Debian/Ubuntu: \`apt install libopenblas0 liblapacke\`) or rebuild: ${RERUN_INSTALL_SCRIPT}`
            : `install the runtime library (Debian/Ubuntu: \`apt install libopenblas0 liblapacke\`), or delete ${dirname(dirname(f.local.path))} so the prebuilt package (which needs no system library) is used`,
      };
    if (f.prebuilt.state !== 'failed')
      return {
        cause: 'load-failed',
        error: `the source build ${f.local.path} does not load: ${f.local.error}`,
        fix: `rebuild it: ${RERUN_INSTALL_SCRIPT}`,
      };
  }
  if (f.prebuilt.state === 'failed')
    return {
      cause: 'load-failed',
      error: `the prebuilt ${f.prebuilt.name} does not load: ${f.prebuilt.error}`,
      fix: `reinstall ${f.prebuilt.name}@${f.version}, or build from source with KRYLOV_NATIVE_BLAS_BUILD_FROM_SOURCE=1 (${TOOLCHAIN}); ${RERUN_INSTALL_SCRIPT}`,
    };
  // No binary at all. What the source build did decides the cause, unless a prebuilt should be here.
  const s = f.status;
  const built = s
    ? s.result === 'failed'
      ? `; the source build failed: ${s.message ?? s.cause}${s.log ? ` (log: ${s.log})` : ''}`
      : ''
    : '';
  if (f.prebuilt.state === 'not-installed')
    return {
      cause: 'prebuilt-not-installed',
      error: `the prebuilt package ${f.prebuilt.name} for ${f.triple} is not installed (optional dependencies omitted, e.g. --omit=optional / --no-optional, or a lockfile made on another platform)${built}`,
      fix: `\`npm install ${f.prebuilt.name}@${f.version}\` (pnpm add / yarn add the same)`,
    };
  const noPrebuilt = `no prebuilt binary for ${f.triple} (prebuilt: ${f.prebuilts.map((n) => n.replace('@krylov/native-blas-', '')).join(', ') || 'none'})`;
  if (!s)
    return {
      cause: 'scripts-skipped',
      error: `${noPrebuilt}, and the package manager skipped @krylov/native-blas's install script (npm --ignore-scripts, pnpm 10 before \`pnpm approve-builds\`, yarn enableScripts: false), so nothing was built`,
      fix: `allow the build: ${RERUN_INSTALL_SCRIPT} (it needs ${TOOLCHAIN.replace(/^install /, '')})`,
    };
  if (s.result === 'skipped')
    return {
      cause: 'build-skipped',
      error: `${noPrebuilt}, and KRYLOV_NATIVE_BLAS_SKIP_BUILD was set at install`,
      fix: `unset KRYLOV_NATIVE_BLAS_SKIP_BUILD, ${rebuild}`,
    };
  const cause = s.result === 'failed' ? (s.cause ?? 'build-failed') : 'build-failed';
  const what =
    cause === 'no-toolchain'
      ? 'the source build found no C++ compiler or cmake'
      : cause === 'no-blas-dev'
        ? 'the source build found no OpenBLAS/LAPACKE headers and libraries'
        : s.result === 'built'
          ? `the source build was made but ${f.statusPath.replace(INSTALL_STATUS_FILE, `Release/${ADDON_FILE}`)} is gone`
          : 'the source build failed';
  return {
    cause,
    error: `${noPrebuilt}, and ${what}${s.message ? `: ${s.message}` : ''}${s.log ? ` (log: ${s.log})` : ''}`,
    fix: `${TOOLCHAIN}, ${rebuild}`,
  };
}

/**
 * Loads the addon, trying in order:
 * 1. `KRYLOV_NATIVE_BLAS_ADDON` when set (a sanitizer or custom-BLAS build), and nothing else;
 * 2. the local source build, build/Release/krylov_native_blas.node: it exists only when the
 *    install found no prebuilt for this platform or was asked to build
 *    (KRYLOV_NATIVE_BLAS_BUILD_FROM_SOURCE=1), so it is what this install chose;
 * 3. the platform package `@krylov/native-blas-<platform>` (an optionalDependency).
 * Never throws; on failure says why (`cause`) and what fixes it.
 */
export function loadAddon(): LoadResult {
  const root = packageRoot();
  const req = createRequire(import.meta.url);
  const tryLoad = (path: string): NativeAddon | string => {
    try {
      const addon = req(path) as NativeAddon;
      return typeof addon?.gemm === 'function' ? addon : `${path} is not the Krylov addon`;
    } catch (e) {
      return firstLine(e);
    }
  };
  const env = process.env.KRYLOV_NATIVE_BLAS_ADDON;
  if (env) {
    const r = tryLoad(env);
    if (typeof r !== 'string') return { addon: r, path: env, source: 'env' };
    return {
      addon: null,
      cause: 'env',
      error: `KRYLOV_NATIVE_BLAS_ADDON=${env} does not load: ${r}`,
      fix: 'unset KRYLOV_NATIVE_BLAS_ADDON, or point it at a built krylov_native_blas.node',
    };
  }
  const localPath = join(root, 'build', 'Release', ADDON_FILE);
  let local: LoadFacts['local'] = { state: 'absent' };
  if (existsSync(localPath)) {
    const r = tryLoad(localPath);
    if (typeof r !== 'string') return { addon: r, path: localPath, source: 'source' };
    local = { state: 'failed', path: localPath, error: r };
  }
  const triple = platformTriple();
  const { names, version } = prebuiltPackages(root);
  const name = `@krylov/native-blas-${triple}`;
  let prebuilt: LoadFacts['prebuilt'] = { state: 'none' };
  if (names.includes(name)) {
    let dir: string | undefined;
    try {
      dir = dirname(req.resolve(`${name}/package.json`));
    } catch {
      prebuilt = { state: 'not-installed', name };
    }
    if (dir) {
      const path = join(dir, ADDON_FILE);
      const r = existsSync(path) ? tryLoad(path) : `${path} is missing from the package`;
      if (typeof r !== 'string') return { addon: r, path, source: 'prebuilt' };
      prebuilt = { state: 'failed', name, error: r };
    }
  }
  const statusPath = join(root, 'build', INSTALL_STATUS_FILE);
  const { cause, error, fix } = explainFailure({
    triple,
    prebuilts: names,
    version,
    prebuilt,
    local,
    status: readStatus(root),
    statusPath,
  });
  return { addon: null, cause, error, fix };
}
