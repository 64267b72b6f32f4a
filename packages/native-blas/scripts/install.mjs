// Builds the native addon at install time. It never fails the install: Krylov works without the
// addon (the pure-JS kernels answer every call), so a machine without a compiler or BLAS gets a
// clear message here and from `krylov backends`, not a broken `pnpm install`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const logFile = join(root, 'build', 'build-error.log');
const fix =
  'Fix: apt install libopenblas-dev liblapacke-dev cmake g++ and run pnpm --filter @krylov/native-blas build:native';

function giveUp(reason) {
  console.warn(
    `@krylov/native-blas: native addon not built (${reason}). Krylov falls back to pure JS. ${fix}`,
  );
  try {
    mkdirSync(dirname(logFile), { recursive: true });
    writeFileSync(logFile, `${reason}\n`);
  } catch {
    // the message above is what matters
  }
  process.exit(0);
}

if (process.env.KRYLOV_NATIVE_BLAS_SKIP_BUILD) {
  console.log('@krylov/native-blas: KRYLOV_NATIVE_BLAS_SKIP_BUILD is set; not building the native addon');
  process.exit(0);
}

let cmakeJs;
try {
  cmakeJs = createRequire(import.meta.url).resolve('cmake-js/bin/cmake-js');
} catch (e) {
  giveUp(`cmake-js is not installed: ${e.message}`);
}

const cmake = spawnSync('cmake', ['--version'], { encoding: 'utf8' });
if (cmake.error || cmake.status !== 0) giveUp('cmake was not found on PATH');

const result = spawnSync(process.execPath, [cmakeJs, 'compile'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.error) giveUp(`cmake-js could not start: ${result.error.message}`);
if (result.status !== 0)
  giveUp(`cmake-js exited with status ${result.status}; see the compiler output above`);
rmSync(logFile, { force: true });
console.log('@krylov/native-blas: native addon built');
buildCuda();

/**
 * The optional CUDA module, in its own cmake-js run and build folder (build-cuda/) so that it can
 * never cost the BLAS addon. KRYLOV_CUDA=auto (default) builds it when CMake finds the CUDA
 * toolkit and never fails the install; on requires it (the install fails without it); off skips.
 */
function buildCuda() {
  const mode = (process.env.KRYLOV_CUDA || 'auto').toLowerCase();
  if (!['auto', 'on', 'off'].includes(mode)) {
    console.warn(
      `@krylov/native-blas: KRYLOV_CUDA=${mode} is not auto, on or off; not building the CUDA module`,
    );
    return;
  }
  if (mode === 'off') return;
  const cuda = spawnSync(
    process.execPath,
    [cmakeJs, 'compile', '--out', 'build-cuda', `--CDKRYLOV_CUDA=${mode}`, '--target', 'krylov_cuda'],
    { cwd: root, encoding: 'utf8' },
  );
  const output = `${cuda.stdout ?? ''}${cuda.stderr ?? ''}`;
  if (cuda.status === 0 && !/No CUDA toolkit found/.test(output)) {
    console.log('@krylov/native-blas: optional CUDA module built (it loads cuBLAS/cuSOLVER at run time)');
    return;
  }
  const why = /No CUDA toolkit found/.test(output)
    ? 'no CUDA toolkit found'
    : `cmake-js exited with status ${cuda.status}`;
  if (mode === 'on') {
    process.stderr.write(output);
    console.error(`@krylov/native-blas: KRYLOV_CUDA=on but the CUDA module was not built (${why})`);
    process.exit(1);
  }
  console.log(
    `@krylov/native-blas: optional CUDA module not built (${why}); the cuda backend reports itself unavailable`,
  );
}
