// Issue #27, native part: no output from LAPACK's error handler, no argument LAPACK rejects
// reaching it, no size that wraps the 32-bit integers of LP64 BLAS/LAPACK, no NaN passing as info 0,
// and eigvals/eig in one order on every backend.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FloatDType,
  InvalidArgumentError,
  type Mat,
  NDArray,
  type Vec,
  rng,
  runKernel,
  runKernelAsync,
  withBackends,
} from '@krylov/core-array';
import { eig, eigvals, lstsq } from '@krylov/decompositions';
import { describe, expect, it } from 'vitest';
import { typedNativeError } from '../src/errors.js';
import { LapackArgumentError, nativeAddon } from '../src/index.js';
import { DTYPES, built, on } from './helpers.js';

const addonPath = () => join(import.meta.dirname, '..', 'build', 'Release', 'krylov_native_blas.node');

/** A matrix with a NaN or Infinity at (i, j) and (j, i), diagonally dominant otherwise. */
function spoiled(n: number, i: number, j: number, bad: number, dtype: FloatDType = 'float64'): NDArray {
  const d = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) d[r * n + c] = r === c ? n + 1 : 1 / (1 + r + c);
  d[i * n + j] = bad;
  d[j * n + i] = bad;
  return new NDArray(d, [n, n]).astype(dtype);
}

describe.skipIf(!built)('native: no stray output from LAPACK (xerbla)', () => {
  it('a child process that makes LAPACK, CBLAS and LAPACKE reject a parameter, and hands NaN to geev, gelsd and gesdd (which printed DGEBAL / DLASCL lines), prints nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krylov-xerbla-'));
    try {
      const script = join(dir, 'child.cjs');
      const out = join(dir, 'result.json');
      writeFileSync(
        script,
        `const fs = require('node:fs');
const a = require(${JSON.stringify(addonPath())});
const n = 4, res = {};
const mat = (d, r, c) => ({ data: d, offset: 0, rows: r, cols: c, ld: c, colMajor: false });
const vec = (d) => ({ data: d, offset: 0, n: d.length, inc: 1 });
const bad = (v) => { const d = new Float64Array(n * n).fill(1); d[5] = v; return d; };
const keep = (name, f) => { try { f(); res[name] = 'no error'; } catch (e) {
  res[name] = { code: e.code, routine: e.routine, parameter: e.parameter, argument: e.argument }; } };
for (const w of ['lapack', 'blas', 'lapacke']) keep(w, () => a._selfTestXerbla(w));
keep('geev', () => a.geev(mat(bad(NaN), n, n), false, vec(new Float64Array(n)), vec(new Float64Array(n)), null));
keep('gelsd', () => a.gelsd(mat(bad(Infinity), n, n), mat(new Float64Array(n).fill(1), n, 1), -1,
  vec(new Float64Array(n)), mat(new Float64Array(n), n, 1), new Int32Array(1)));
keep('gesdd', () => a.gesdd(mat(bad(NaN), n, n), 'values', vec(new Float64Array(n)), null, null));
fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(res));
`,
      );
      const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('');
      const res = JSON.parse(readFileSync(out, 'utf8'));
      expect(res.lapack).toEqual({ code: 'KRYLOV_LAPACK_ARGUMENT', routine: 'DLASCL', parameter: 4 });
      expect(res.blas).toMatchObject({ code: 'KRYLOV_LAPACK_ARGUMENT', routine: 'DGEMM' });
      expect(res.lapacke).toMatchObject({ code: 'KRYLOV_LAPACK_ARGUMENT', routine: 'LAPACKE_dgetrf_work' });
      for (const k of ['geev', 'gelsd', 'gesdd'])
        expect(res[k]).toMatchObject({ code: 'KRYLOV_NON_FINITE', argument: 'a' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the kernels turn those errors into typed ones that name the kernel', () => {
    const addon = nativeAddon();
    let caught: unknown;
    try {
      addon?._selfTestXerbla('lapack');
    } catch (e) {
      caught = typedNativeError('geev', e);
    }
    expect(caught).toBeInstanceOf(LapackArgumentError);
    expect(caught).toMatchObject({ fn: 'geev', routine: 'DLASCL', parameter: 4 });
    for (const dtype of DTYPES) {
      const a = spoiled(5, 1, 2, Number.NaN, dtype) as Mat;
      expect(() => on('native', 'geev', { a, vectors: false })).toThrow(InvalidArgumentError);
      expect(() => on('native', 'geev', { a, vectors: true })).toThrow(/geev: argument 'a'/);
      expect(() => on('native', 'gesdd', { a: a.copy() as Mat, job: 'thin' })).toThrow(InvalidArgumentError);
      expect(() => on('native', 'syevd', { a, vectors: false })).toThrow(InvalidArgumentError);
      expect(() => on('native', 'syevr', { a, vectors: false, il: 0, iu: 4 })).toThrow(InvalidArgumentError);
      const b = new NDArray(new Float64Array(5).fill(1), [5, 1]).astype(dtype) as Mat;
      expect(() => on('native', 'gelsd', { a, b, rcond: -1 })).toThrow(/gelsd: argument 'a'/);
      const good = spoiled(5, 0, 0, 6, dtype) as Mat;
      b.data[3] = Number.POSITIVE_INFINITY;
      expect(() => on('native', 'gelsd', { a: good, b, rcond: -1 })).toThrow(/gelsd: argument 'b'/);
    }
  });

  it('async kernels reject with the same typed errors', async () => {
    const a = spoiled(6, 2, 3, Number.NaN) as Mat;
    await expect(
      withBackends(['native'], () => runKernelAsync('syevd', { a, vectors: true })),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(
      withBackends(['native'], () => runKernelAsync('gesdd', { a: a.copy() as Mat, job: 'values' })),
    ).rejects.toThrow(/gesdd: argument 'a'/);
  });
});

describe.skipIf(!built)('native gelsd: a right-hand side with no columns', () => {
  for (const [m, n] of [
    [4, 4],
    [6, 3],
    [3, 6],
    [1, 1],
  ]) {
    it(`${m} x ${n}: lstsq with b of shape [${m}, 0] gives x of shape [${n}, 0], s and rank as js (was "gelsd rejected argument 5")`, async () => {
      const a = rng(m * 7 + n).normal([m, n]);
      const b = new NDArray(new Float64Array(0), [m, 0]);
      const js = withBackends(['js'], () => lstsq(a, b));
      const nat = withBackends(['native', 'js'], () => lstsq(a, b));
      expect(nat.x.shape).toEqual([n, 0]);
      expect(nat.rank).toBe(js.rank);
      const sn = Array.from(nat.s?.data ?? []);
      const sj = Array.from(js.s?.data ?? []);
      sn.forEach((v, i) => expect(Math.abs(v - sj[i])).toBeLessThan(1e-12 * sj[0]));
      const r = await withBackends(['native'], () =>
        runKernelAsync('gelsd', { a: a as Mat, b: b as Mat, rcond: -1 }),
      );
      expect(r.info).toBe(0);
      expect(r.rank).toBe(Math.min(m, n));
      // a zero right-hand side (columns, all zero): x = 0
      const zero = withBackends(['native'], () => lstsq(a, new NDArray(new Float64Array(m), [m])));
      expect(Array.from(zero.x.data)).toEqual(new Array(n).fill(0));
    });
  }
});

describe.skipIf(!built)(
  'native: sizes beyond the 32-bit integers of LP64 BLAS/LAPACK are refused, fast',
  () => {
    const big = 2 ** 31;

    it('the addon checker refuses every extent, leading dimension and increment >= 2^31 with code KRYLOV_INT32', () => {
      const addon = nativeAddon();
      if (!addon) return;
      expect(addon.info().maxExtent).toBe(big - 1);
      const d = new Float64Array(4);
      const mat = (o: object) => ({ data: d, offset: 0, rows: 2, cols: 2, ld: 2, colMajor: false, ...o });
      const vec = (o: object) => ({ data: d, offset: 0, n: 2, inc: 1, ...o });
      const cases: [string, () => unknown][] = [
        ['a.rows', () => addon.potrf(mat({ rows: big, cols: big }))],
        ['a.cols', () => addon.gemm(1, mat({ cols: big }), mat({}), 0, mat({ data: new Float64Array(4) }))],
        ['a.ld', () => addon.getrf(mat({ ld: big }), new Int32Array(2))],
        ['x.n', () => addon.dot(vec({ n: big }), vec({}))],
        ['x.inc', () => addon.nrm2(vec({ inc: -big }))],
        [
          'c.rows',
          () =>
            addon.gemmBatched(
              1,
              { ...mat({}), offsets: new Float64Array(1) },
              { ...mat({}), offsets: new Float64Array(1) },
              0,
              { ...mat({ data: new Float64Array(4), rows: big }), offsets: new Float64Array(1) },
            ),
        ],
      ];
      for (const [argument, call] of cases) {
        let err: (Error & { code?: string; argument?: string }) | undefined;
        try {
          call();
        } catch (e) {
          err = e as Error;
        }
        expect(err?.code, argument).toBe('KRYLOV_INT32');
        expect(err?.argument).toBe(argument);
        const typed = typedNativeError('gemm', err);
        expect(typed).toBeInstanceOf(InvalidArgumentError);
        expect(typed).toMatchObject({ fn: 'gemm', arg: argument });
      }
      // a JS number beyond 2^53 is refused the same way, never rounded into range
      expect(() => addon.dot(vec({ n: 2 ** 60 }), vec({}))).toThrow(/32-bit integers/);
    });

    it('lying shapes through the registry (zero strides: no storage behind them) are refused before any copy', () => {
      const t0 = performance.now();
      const one = new Float64Array(4);
      // [2^31, 1] with zero strides: BLAS cannot take it as it lies, so it would be copied first
      const tall = new NDArray(one, [big, 1], [0, 0]) as Mat;
      // an inner dimension of 2^31: a [1, 2^31] times [2^31, 1] into a 1 x 1 result
      const c = new NDArray(new Float64Array(1), [1, 1]) as Mat;
      const wide = new NDArray(one, [1, big], [0, 0]) as Mat;
      expect(() => on('native', 'gemm', { alpha: 1, a: wide, b: tall, beta: 0, c })).toThrow(
        /gemm: argument 'a'.*2\^31 - 1/,
      );
      expect(() => on('native', 'potrf', { a: new NDArray(one, [big, big], [0, 0]) as Mat })).toThrow(
        InvalidArgumentError,
      );
      expect(() => on('native', 'gesdd', { a: tall, job: 'values' })).toThrow(/gesdd: argument 'a'/);
      const v = new NDArray(one, [big], [0]) as Vec;
      expect(() => on('native', 'dot', { x: v, y: v })).toThrow(/dot: argument 'x'/);
      expect(() => on('native', 'nrm2', { x: new NDArray(one, [2 ** 40], [0]) as Vec })).toThrow(
        InvalidArgumentError,
      );
      // a row of 2^31 columns needs no copy (ld = cols): the addon's own check refuses it
      expect(() =>
        on('native', 'gemv', {
          alpha: 1,
          a: new NDArray(one, [1, big], [0, 0]) as Mat,
          x: v,
          beta: 0,
          y: new NDArray(new Float64Array(1), [1]) as Vec,
        }),
      ).toThrow(InvalidArgumentError);
      expect(performance.now() - t0).toBeLessThan(2000);
    });

    it('the async forms too', async () => {
      const a = new NDArray(new Float64Array(1), [big, big], [0, 0]) as Mat;
      await expect(withBackends(['native'], () => runKernelAsync('potrf', { a }))).rejects.toThrow(
        InvalidArgumentError,
      );
    });
  },
);

describe.skipIf(!built)('native potrf and getrf on NaN follow the js kernels', () => {
  const positions: [number, number][] = [
    [0, 0],
    [1, 1],
    [2, 1],
    [4, 0],
    [4, 4],
    [3, 2],
  ];
  for (const dtype of DTYPES)
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY])
      it(`${dtype}, ${bad}: potrf reports the first column whose pivot is not > 0 (NaN included), getrf the same info as js`, async () => {
        for (const [i, j] of positions) {
          // n = 5 and, past OpenBLAS's unblocked size, 300 (the NaN sits in the first columns)
          for (const n of [5, 300]) {
            const a = spoiled(n, i, j, bad, dtype);
            const js = on('js', 'potrf', { a: a.copy() as Mat });
            expect(on('native', 'potrf', { a: a.copy() as Mat }), `potrf at ${i},${j} n ${n}`).toBe(js);
            const viaAsync = await withBackends(['native'], () =>
              runKernelAsync('potrf', { a: a.copy() as Mat }),
            );
            expect(viaAsync).toBe(js);
            // column-major storage takes the other path through LAPACK
            const t = a.T.copy().T as Mat;
            expect(on('native', 'potrf', { a: t })).toBe(js);
            const gj = on('js', 'getrf', { a: a.copy() as Mat });
            const gn = on('native', 'getrf', { a: a.copy() as Mat });
            expect(gn.info).toBe(gj.info);
          }
        }
      });
});

describe.skipIf(!built)('eigvals and eig: one order on every backend', () => {
  it('the eigenvalues of eigvals equal those of eig, element by element, on native and on js', () => {
    for (const backend of ['native', 'js'] as const)
      for (const [n, seed] of [
        [3, 1],
        [16, 2],
        [40, 3],
        [76, 4],
        [150, 5],
      ])
        for (const dtype of DTYPES) {
          const a = rng(seed).normal([n, n]).astype(dtype);
          const order = backend === 'native' ? ['native', 'js'] : ['js'];
          const [e, v] = withBackends(order, () => [eig(a), eigvals(a)] as const);
          expect(Array.from(v.re.data), `${backend} ${n} ${dtype}`).toEqual(Array.from(e.re.data));
          expect(Array.from(v.im.data)).toEqual(Array.from(e.im.data));
          // and the kernel ran where it should
          const k = withBackends(order, () => runKernel('geev', { a: a as Mat, vectors: false }));
          expect(Array.from(k.wr.data)).toEqual(Array.from(v.re.data));
        }
  });
});
