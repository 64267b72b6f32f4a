// Run inside a fresh install (see run.sh): `node check.mjs available` checks that the native
// backend loads from the prebuilt package and that gemm, solve and svd on it equal the pure-JS
// results; `node check.mjs <cause>` checks that it is unavailable for that cause and that the
// pure-JS backend still answers. Also: one copy of core-array, and CJS errors pass `instanceof`
// against the ESM classes.
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const expect = process.argv[2];
const CAUSES = {
  'no-toolchain': /found no C\+\+ compiler or cmake/,
  'scripts-skipped': /skipped @krylov\/native-blas's install script/,
  'prebuilt-not-installed':
    /prebuilt package @krylov\/native-blas-linux-x64-gnu for linux-x64-gnu is not installed/,
  'runtime-library-missing': /needs lib(openblas|lapacke|lapack|blas)[\w.]*, which is missing at run time/,
};
const fail = (m) => {
  console.error(`check: FAIL: ${m}`);
  process.exit(1);
};

const core = await import('@krylov/core-array');
const { svd, solve } = await import('@krylov/decompositions');
const native = await import('@krylov/native-blas');
core.use(native.plugin);
const p = native.probe();

// Only one copy of core-array (the registry) anywhere in node_modules (pnpm links count once).
const copies = new Set();
const walk = (dir, depth) => {
  if (depth > 10 || !existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    if (path.endsWith(join('@krylov', 'core-array')) && existsSync(join(path, 'package.json'))) {
      copies.add(realpathSync(path));
      continue;
    }
    walk(path, depth + 1);
  }
};
walk('node_modules', 0);
if (copies.size !== 1) fail(`${copies.size} copies of core-array: ${[...copies].join(', ')}`);

// Dual package: an error from the CJS build is an instance of the ESM class.
const cjs = createRequire(import.meta.url)('@krylov/core-array');
if (!(new cjs.SingularMatrixError('lu', 1) instanceof core.SingularMatrixError))
  fail('CJS error not instanceof ESM class');
if (!(new cjs.ShapeError('f', 'a', 'x') instanceof core.KrylovError))
  fail('CJS ShapeError not instanceof ESM KrylovError');

const g = core.rng(7);
const a = g.normal([120, 90]);
const b = g.normal([90, 70]);
const sq = core.add(g.normal([80, 80]), core.mul(core.eye(80), 10));
const rhs = g.normal([80, 3]);
const run = (backends) =>
  core.withBackends(backends, () => ({
    gemm: core.matmul(a, b),
    solve: solve(sq, rhs),
    svd: svd(a, { mode: 'values' }).s,
  }));
const js = run(['js']);
const nrm = (x) => core.norm(x).item();
const rel = (x, y) => nrm(core.sub(x, y)) / Math.max(nrm(y), 1e-300);

if (expect === 'available') {
  if (!p.available) fail(`native unavailable: ${p.reason}`);
  if (p.details?.source !== 'prebuilt')
    fail(`native loaded from ${p.details?.source} (${p.details?.addon}), not the prebuilt`);
  const e = core.withBackends(['native', 'js'], () =>
    core.explain('gemm', { alpha: 1, a, b, beta: 0, c: core.zeros([120, 70]) }),
  );
  if (e.backend !== 'native') fail(`explain chose ${e.backend}`);
  const nat = run(['native']);
  for (const k of Object.keys(js)) {
    const r = rel(nat[k], js[k]);
    if (!(r < 1e-10)) fail(`${k}: native and js differ by ${r}`);
    console.log(`check: ${k} native vs js relative difference ${r.toExponential(2)}`);
  }
  console.log(`check: ok: native available from ${p.details.addon} (${p.details.library})`);
} else {
  if (p.available) fail(`native available (${p.details?.addon}); expected unavailable: ${expect}`);
  const re = CAUSES[expect];
  if (!re) fail(`unknown cause ${expect}`);
  if (!re.test(p.reason ?? '')) fail(`reason does not name ${expect}: ${p.reason}`);
  if (!/ Fix: /.test(p.reason)) fail(`reason has no fix: ${p.reason}`);
  const e = core.explain('gemm', { alpha: 1, a, b, beta: 0, c: core.zeros([120, 70]) });
  if (e.backend !== 'js') fail(`expected the js backend, got ${e.backend}`);
  if (!(nrm(js.svd) > 0)) fail('js svd gave no answer');
  console.log(`check: ok: ${expect}: ${p.reason}`);
}
