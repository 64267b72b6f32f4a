// Builds the prebuilt binary for this platform into its platform package,
// packages/native-blas-<platform>/krylov_native_blas.node (a build output: never committed).
// Run by `pnpm --filter @krylov/native-blas-<platform> build` (and that package's prepack), by
// the install test in .ci/run, and per platform by the release matrix in
// .github/workflows/prebuilt.yml.
//
// Linux: cmake-js with KRYLOV_STATIC=ON links OpenBLAS (with its LAPACK; use one built with
// DYNAMIC_ARCH, as Debian's libopenblas.a is, so one binary serves every CPU), LAPACKE,
// libstdc++ and libgcc statically. The result is checked: ldd lists only glibc libraries, no
// symbol from BLAS, LAPACK or libgfortran is left undefined, and the binary loads and multiplies.
//
//   node scripts/build-prebuilt.mjs [--out <dir>]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });

function triple() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const glibc = Boolean(process.report?.getReport()?.header?.glibcVersionRuntime);
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  return platform === 'win32' ? `win32-${arch}-msvc` : `${platform}-${arch}`;
}

function die(message) {
  console.error(`build-prebuilt: ${message}`);
  process.exit(1);
}

const out = resolve(values.out ?? join(root, '..', `native-blas-${triple()}`));
if (!existsSync(join(out, 'package.json'))) die(`${out} is not a platform package (no package.json)`);

// A platform package for another platform (the release job packs all of them on one machine):
// keep the binary its own build job made; never overwrite it with this machine's.
const pkgName = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')).name;
if (pkgName !== `@krylov/native-blas-${triple()}`) {
  if (!existsSync(join(out, 'krylov_native_blas.node')))
    die(`${pkgName} is not this machine's platform (${triple()}) and has no krylov_native_blas.node`);
  console.log(`build-prebuilt: ${pkgName} is not this machine's platform; keeping its binary`);
  process.exit(0);
}

const cmakeJs = createRequire(import.meta.url).resolve('cmake-js/bin/cmake-js');
// One static configuration per platform; see .github/workflows/prebuilt.yml for the toolchains.
const defs = ['--CDKRYLOV_STATIC=ON', '--CDKRYLOV_CUDA=off'];
const started = Date.now();
const r = spawnSync(process.execPath, [cmakeJs, 'compile', '--out', 'build-prebuilt', ...defs], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
if (r.status !== 0) {
  process.stdout.write(r.stdout ?? '');
  die(`cmake-js failed (status ${r.status})`);
}
const built = join(root, 'build-prebuilt', 'Release', 'krylov_native_blas.node');
const target = join(out, 'krylov_native_blas.node');
mkdirSync(out, { recursive: true });
copyFileSync(built, target);

if (process.platform === 'linux') {
  const ldd = spawnSync('ldd', [target], { encoding: 'utf8' });
  const libs = (ldd.stdout ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
  const allowed =
    /^(linux-vdso|linux-gate|ld-linux|ld-musl|libc\.|libm\.|libpthread\.|libdl\.|librt\.|\/lib)/;
  const extra = libs.filter((l) => !allowed.test(l));
  if (extra.length) die(`${target} needs more than glibc at run time: ${extra.join(', ')}`);
  const nm = spawnSync('nm', ['-D', '--undefined-only', target], { encoding: 'utf8' });
  const undefinedSyms = (nm.stdout ?? '')
    .split('\n')
    .filter((l) => /^\s+U /.test(l))
    .map((l) => l.trim().split(/\s+/)[1]);
  const bad = undefinedSyms.filter((s) => /^(_gfortran|cblas_|LAPACKE_|openblas_)|^[a-z][a-z0-9]*_$/.test(s));
  if (bad.length)
    die(`${target} leaves BLAS/LAPACK/Fortran symbols undefined: ${bad.slice(0, 10).join(', ')}`);
  console.log(`build-prebuilt: ldd: ${libs.join(' ')}`);
}

// It loads, and it multiplies: [[1,2],[3,4]] [[5,6],[7,8]] = [[19,22],[43,50]].
const addon = createRequire(import.meta.url)(target);
const m = (data) => ({ data: Float64Array.from(data), offset: 0, rows: 2, cols: 2, ld: 2, colMajor: false });
const c = m([0, 0, 0, 0]);
addon.gemm(1, m([1, 2, 3, 4]), m([5, 6, 7, 8]), 0, c);
if (c.data.join() !== '19,22,43,50') die(`gemm check failed: ${c.data.join()}`);
const mb = (statSync(target).size / 1024 / 1024).toFixed(1);
console.log(
  `build-prebuilt: ${target} (${mb} MiB, ${addon.info().library.trim()}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
