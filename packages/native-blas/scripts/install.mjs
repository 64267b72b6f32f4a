// The install script of @krylov/native-blas. It never fails the install (unless KRYLOV_CUDA=on):
// Krylov works without the addon (the pure-JS kernels answer every call), and whatever happens
// here is recorded in build/install-status.json, which the backend's probe and `krylov doctor`
// turn into the cause and the fix.
//
// 1. A prebuilt binary for this platform (the optionalDependency @krylov/native-blas-<platform>)
//    that loads: nothing to build, no compiler run.
// 2. Otherwise, or with KRYLOV_NATIVE_BLAS_BUILD_FROM_SOURCE=1 (and always inside the Krylov
//    repository, where the C++ is edited), a source build with cmake-js against the system
//    OpenBLAS/LAPACKE. Its output goes to build/build.log; a failure prints the cause and the fix.
// KRYLOV_NATIVE_BLAS_SKIP_BUILD=1 skips the source build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Nothing unexpected may fail the install either: record it and let Krylov fall back to pure JS.
process.on('uncaughtException', (e) => {
  console.warn(
    `@krylov/native-blas: install script error (${e?.message ?? e}); Krylov falls back to pure JS`,
  );
  try {
    record({ result: 'failed', cause: 'build-failed', message: `install script error: ${e?.message ?? e}` });
  } catch {}
  process.exit(0);
});
const buildDir = join(root, 'build');
const statusFile = join(buildDir, 'install-status.json');
const logFile = join(buildDir, 'build.log');
const require = createRequire(import.meta.url);
const tag = '@krylov/native-blas:';
const truthy = (v) => Boolean(v) && !['0', 'false', 'no', 'off'].includes(String(v).toLowerCase());
const RERUN =
  'npm rebuild @krylov/native-blas --foreground-scripts (pnpm: pnpm rebuild @krylov/native-blas; yarn: yarn rebuild @krylov/native-blas)';
const BUILD_TOOLS = 'npm install cmake-js@7 node-addon-api@8 node-api-headers@1';
const TOOLCHAIN =
  'install a C++17 compiler, cmake and the OpenBLAS/LAPACKE headers (Debian/Ubuntu: apt install g++ cmake libopenblas-dev liblapacke-dev; macOS: brew install cmake openblas) and the build tools (npm install cmake-js@7 node-addon-api@8 node-api-headers@1)';

function record(status) {
  try {
    mkdirSync(buildDir, { recursive: true });
    writeFileSync(statusFile, `${JSON.stringify({ ...status, at: new Date().toISOString() }, null, 2)}\n`);
  } catch {
    // the console message is what matters
  }
}

function done(status, message, warn = false) {
  record(status);
  (warn ? console.warn : console.log)(`${tag} ${message}`);
  buildCuda();
  process.exit(0);
}

/** napi-rs platform names: linux-x64-gnu, linux-arm64-musl, darwin-arm64, win32-x64-msvc. */
function platformTriple() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const glibc = Boolean(process.report?.getReport()?.header?.glibcVersionRuntime);
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  return platform === 'win32' ? `win32-${arch}-msvc` : `${platform}-${arch}`;
}

/** The prebuilt package's binary, loaded: null when it is absent or does not load (with why). */
function tryPrebuilt() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const name = `@krylov/native-blas-${platformTriple()}`;
  if (!Object.keys(pkg.optionalDependencies ?? {}).includes(name))
    return { ok: false, why: `no prebuilt binary for ${platformTriple()}` };
  let dir;
  try {
    dir = dirname(require.resolve(`${name}/package.json`));
  } catch {
    return { ok: false, why: `${name} is not installed (optional dependencies omitted?)` };
  }
  const file = join(dir, 'krylov_native_blas.node');
  try {
    const addon = require(file);
    if (typeof addon.gemm !== 'function') throw new Error('not the Krylov addon');
    return { ok: true, name, file, library: addon.info().library.trim() };
  } catch (e) {
    return { ok: false, why: `${name} does not load: ${String(e.message).split('\n')[0]}` };
  }
}

const inRepo =
  existsSync(join(root, '..', '..', 'pnpm-workspace.yaml')) && existsSync(join(root, 'native', 'src'));
const fromSource = truthy(process.env.KRYLOV_NATIVE_BLAS_BUILD_FROM_SOURCE) || inRepo;

let prebuiltWhy = 'a source build was asked for (KRYLOV_NATIVE_BLAS_BUILD_FROM_SOURCE)';
if (!fromSource) {
  const p = tryPrebuilt();
  if (p.ok) {
    // A stale source build from an earlier install would be loaded first: remove it.
    rmSync(join(buildDir, 'Release'), { recursive: true, force: true });
    done({ result: 'prebuilt', package: p.name }, `using the prebuilt binary ${p.name} (${p.library})`);
  }
  prebuiltWhy = p.why;
} else if (inRepo && !truthy(process.env.KRYLOV_NATIVE_BLAS_BUILD_FROM_SOURCE)) {
  prebuiltWhy = 'inside the Krylov repository the addon is built from source';
}

if (truthy(process.env.KRYLOV_NATIVE_BLAS_SKIP_BUILD))
  done(
    { result: 'skipped' },
    `${prebuiltWhy}; KRYLOV_NATIVE_BLAS_SKIP_BUILD is set, so not building from source. Krylov uses pure JS.`,
  );

function fail(cause, message) {
  done(
    { result: 'failed', cause, message, ...(existsSync(logFile) ? { log: logFile } : {}) },
    `native addon not built: ${prebuiltWhy}, and the source build failed: ${message}. Krylov falls back to pure JS (the native backend's probe().reason and \`krylov doctor\` say the same). Fix: ${cause === 'build-failed' ? `see ${logFile}, then` : `${TOOLCHAIN}, then`} ${RERUN}`,
    true,
  );
}

function onPath(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', shell: process.platform === 'win32' });
  return !r.error && r.status === 0;
}

// The build tools are optional peer dependencies (as sharp's node-addon-api and node-gyp), so that
// installs served by a prebuilt do not download them.
let cmakeJs;
try {
  cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  require.resolve('node-addon-api');
  require.resolve('node-api-headers/package.json');
} catch {
  fail('no-toolchain', `the build tools are not installed (${BUILD_TOOLS})`);
}
if (!onPath('cmake')) fail('no-toolchain', 'cmake was not found on PATH');
if (process.platform !== 'win32') {
  const cxx = process.env.CXX ? [process.env.CXX] : ['c++', 'g++', 'clang++'];
  if (!cxx.some((c) => onPath(c)))
    fail('no-toolchain', `no C++ compiler (${cxx.join(', ')}) was found on PATH`);
}

console.log(`${tag} ${prebuiltWhy}; building the addon from source (log: ${logFile})`);
mkdirSync(buildDir, { recursive: true });
const result = spawnSync(process.execPath, [cmakeJs, 'compile'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
writeFileSync(logFile, output);
if (result.error) fail('build-failed', `cmake-js could not start: ${result.error.message}`);
if (result.status !== 0) {
  const tail = output.trim().split('\n').slice(-15).join('\n');
  console.warn(`${tag} the last lines of ${logFile}:\n${tail}`);
  if (/cblas\.h not found|LAPACKE not found|OPENBLAS_LIB|Could NOT find (BLAS|LAPACK)/.test(output))
    fail('no-blas-dev', 'the OpenBLAS/LAPACKE headers or libraries were not found');
  if (
    /No CMAKE_CXX_COMPILER could be found|CMAKE_CXX_COMPILER.*not (set|found)|is not a full path to an existing compiler/.test(
      output,
    )
  )
    fail('no-toolchain', 'CMake found no C++ compiler');
  fail('build-failed', `cmake-js exited with status ${result.status}`);
}
done({ result: 'built' }, 'native addon built from source');

/**
 * The optional CUDA module, in its own cmake-js run and build folder (build-cuda/) so that it can
 * never cost the BLAS addon. KRYLOV_CUDA=auto (default) builds it when a CUDA toolkit is present
 * (nvcc on PATH, CUDA_PATH or /usr/local/cuda) and never fails the install; on requires it (the
 * install fails without it); off skips. The prebuilt packages do not include it.
 */
function buildCuda() {
  const mode = (process.env.KRYLOV_CUDA || 'auto').toLowerCase();
  if (!['auto', 'on', 'off'].includes(mode)) {
    console.warn(`${tag} KRYLOV_CUDA=${mode} is not auto, on or off; not building the CUDA module`);
    return;
  }
  if (mode === 'off') return;
  const toolkit =
    onPath('nvcc') ||
    (process.env.CUDA_PATH && existsSync(process.env.CUDA_PATH)) ||
    (process.env.CUDAToolkit_ROOT && existsSync(process.env.CUDAToolkit_ROOT)) ||
    existsSync('/usr/local/cuda');
  if (mode === 'auto' && !toolkit) return;
  let cmake;
  try {
    cmake = require.resolve('cmake-js/bin/cmake-js');
  } catch {
    cmake = null;
  }
  const cuda = cmake
    ? spawnSync(
        process.execPath,
        [cmake, 'compile', '--out', 'build-cuda', `--CDKRYLOV_CUDA=${mode}`, '--target', 'krylov_cuda'],
        { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      )
    : { status: 1, stdout: '', stderr: 'cmake-js is not installed' };
  const output = `${cuda.stdout ?? ''}${cuda.stderr ?? ''}`;
  if (cuda.status === 0 && !/No CUDA toolkit found/.test(output)) {
    console.log(`${tag} optional CUDA module built (it loads cuBLAS/cuSOLVER at run time)`);
    return;
  }
  const why = /No CUDA toolkit found/.test(output)
    ? 'no CUDA toolkit found'
    : `cmake-js exited with status ${cuda.status}`;
  if (mode === 'on') {
    process.stderr.write(output);
    console.error(`${tag} KRYLOV_CUDA=on but the CUDA module was not built (${why})`);
    process.exit(1);
  }
  console.log(`${tag} optional CUDA module not built (${why}); the cuda backend reports itself unavailable`);
}
