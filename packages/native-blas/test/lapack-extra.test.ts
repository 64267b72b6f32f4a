// ormqr, trtrs, gelsd, syevr and gemmBatched: the native kernels against the pure-JS ones, on
// random and ill-conditioned inputs, float64 and float32, sizes 0 and 1, odd shapes, every layout.
import {
  type FloatDType,
  type Mat,
  NDArray,
  type Vec,
  rng,
  runKernelAsync,
  withBackends,
} from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  COND,
  DTYPES,
  built,
  epsOf,
  f64,
  fixSigns,
  fro,
  layouts,
  logspace,
  mm,
  on,
  relErr,
  scaled,
  symmetricWith,
  untouchedOutside,
} from './helpers.js';

type Batch = NDArray<FloatDType>;
const SHAPES: [number, number][] = [
  [0, 0],
  [0, 3],
  [3, 0],
  [1, 1],
  [5, 3],
  [3, 5],
  [17, 17],
  [41, 23],
  [23, 41],
];

/** A m x n matrix U diag(logspace(cond)) V^T in the dtype (float64 arithmetic). */
function conditioned(
  m: number,
  n: number,
  cond: number,
  seed: number,
  dtype: 'float64' | 'float32',
): NDArray {
  const k = Math.min(m, n);
  const s = logspace(k, cond);
  const u = f64(
    symmetricWith(
      Array.from({ length: m }, (_, i) => i + 1),
      seed,
      'float64',
    ),
  );
  const v = f64(
    symmetricWith(
      Array.from({ length: n }, (_, i) => i + 1),
      seed + 1,
      'float64',
    ),
  );
  // the eigenvectors of those symmetric matrices are orthogonal: take them from the JS eigh
  const qu = on('js', 'syevd', { a: u as Mat, vectors: true }).v as Mat;
  const qv = on('js', 'syevd', { a: v as Mat, vectors: true }).v as Mat;
  const us = f64(qu.slice(null, `0:${k}`));
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] *= s[j];
  return mm(us, qv.slice(null, `0:${k}`).T).astype(dtype);
}

describe.skipIf(!built)('native ormqr, trtrs, gelsd, syevr, gemmBatched against the pure-JS kernels', () => {
  for (const dtype of DTYPES) {
    const eps = epsOf(dtype);

    it(`ormqr ${dtype}: Q and Q^T from both sides, every layout of the reflectors and of C`, () => {
      const ill: [number, number, NDArray][] = [
        [30, 12, conditioned(30, 12, COND[dtype], 7, dtype)],
        [12, 30, conditioned(12, 30, COND[dtype], 8, dtype)],
      ];
      const cases: [number, number, NDArray][] = [
        ...SHAPES.map(
          ([m, n]) =>
            [m, n, rng(`ormqr-${m}-${n}-${dtype}`).normal([m, n], { dtype })] as [number, number, NDArray],
        ),
        ...ill,
      ];
      for (const [m, n, input] of cases) {
        const f = input.copy() as Mat;
        const { tau } = on('native', 'geqrf', { a: f });
        for (const side of ['left', 'right'] as const)
          for (const transpose of [false, true]) {
            const cShape = side === 'left' ? [m, 4] : [3, m];
            const c = rng(`ormqr-c-${m}-${side}`).normal(cShape, { dtype });
            const ref = c.copy() as Mat;
            on('js', 'ormqr', { a: f, tau, c: ref, side, transpose });
            const la = layouts(f);
            for (const [i, { name, make }] of layouts(c).entries()) {
              const view = make() as Mat;
              const a = la[(i + 2) % la.length];
              on('native', 'ormqr', { a: a.make() as Mat, tau, c: view, side, transpose });
              const what = `${m}x${n} ${side} T=${transpose} c ${name}, a ${a.name}`;
              expect(relErr(view, ref), what).toBeLessThan(100 * (m + 1) * eps);
              if (name === 'padded ld') expect(untouchedOutside(view), what).toBe(true);
            }
          }
      }
    });

    it(`trtrs ${dtype}: both triangles, op(A), unit diagonal, zero pivot info`, () => {
      for (const n of [0, 1, 2, 9, 33]) {
        // well conditioned: a strong diagonal; ill: the triangular factor of a graded matrix
        const g = rng(`trtrs-${n}-${dtype}`).normal([n, n], { dtype });
        for (let i = 0; i < n; i++) g.set(4 + Math.abs(g.get(i, i)), i, i);
        // rows scaled by 1 .. 1/cond: an ill-conditioned A whose substitution stays accurate
        const graded = g.copy();
        const d = logspace(n, COND[dtype]);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) graded.set(graded.get(i, j) * d[i], i, j);
        for (const [kind, a] of [
          ['well', g],
          ['graded', graded],
        ] as const)
          for (const lower of [true, false])
            for (const transpose of [false, true])
              for (const unitDiag of [false, true]) {
                const b = rng(`trtrs-b-${n}`).normal([n, 3], { dtype });
                const ref = b.copy() as Mat;
                expect(on('js', 'trtrs', { a: a as Mat, b: ref, lower, transpose, unitDiag })).toBe(0);
                const la = layouts(a);
                for (const [i, { name, make }] of layouts(b).entries()) {
                  const view = make() as Mat;
                  const av = la[(i + 1) % la.length];
                  const info = on('native', 'trtrs', {
                    a: av.make() as Mat,
                    b: view,
                    lower,
                    transpose,
                    unitDiag,
                  });
                  const what = `${kind} n=${n} L=${lower} T=${transpose} U=${unitDiag} b ${name}, a ${av.name}`;
                  expect(info, what).toBe(0);
                  expect(relErr(view, ref), what).toBeLessThan(100 * (n + 1) * eps);
                }
              }
      }
      const z = new NDArray(Float64Array.from([2, 0, 0, 1, 0, 0, 1, 1, 5]), [3, 3]).astype(dtype) as Mat;
      for (const backend of ['js', 'native'] as const) {
        const b = new NDArray(Float64Array.from([1, 2, 3]), [3, 1]).astype(dtype) as Mat;
        expect(on(backend, 'trtrs', { a: z, b, lower: true, transpose: false, unitDiag: false })).toBe(2);
        expect(b.toFlatArray(), 'b untouched').toEqual([1, 2, 3]);
        expect(
          on(backend, 'trtrs', { a: z.T as Mat, b, lower: false, transpose: true, unitDiag: false }),
        ).toBe(2);
        expect(on(backend, 'trtrs', { a: z, b, lower: true, transpose: false, unitDiag: true })).toBe(0);
      }
    });

    it(`gelsd ${dtype}: same solution, singular values and rank; rank deficient and ill-conditioned`, () => {
      for (const [m, n] of SHAPES) {
        const a = rng(`gelsd-${m}-${n}-${dtype}`).normal([m, n], { dtype });
        const b = rng(`gelsd-b-${m}-${n}`).normal([m, 2], { dtype });
        const ref = on('js', 'gelsd', { a: a as Mat, b: b as Mat, rcond: -1 });
        const lb = layouts(b);
        for (const [i, { name, make }] of layouts(a).entries()) {
          const av = make() as Mat;
          const bv = lb[(i + 3) % lb.length].make() as Mat;
          const before = [av.toFlatArray(), bv.toFlatArray()];
          const r = on('native', 'gelsd', { a: av, b: bv, rcond: -1 });
          const what = `${m}x${n} a ${name}`;
          expect(r.info, what).toBe(0);
          expect(r.rank, what).toBe(ref.rank);
          expect(r.x.dtype).toBe(dtype);
          expect(r.x.shape).toEqual([n, 2]);
          expect(relErr(r.s, ref.s), what).toBeLessThan(50 * (m + n + 1) * eps);
          expect(relErr(r.x, ref.x), what).toBeLessThan(1e3 * (m + n + 1) * eps);
          expect([av.toFlatArray(), bv.toFlatArray()], 'a and b are read only').toEqual(before);
        }
      }
      // ill-conditioned, and rcond cutting the small singular values: same rank, same (minimum-norm) x
      for (const [m, n] of [
        [30, 12],
        [12, 30],
      ]) {
        const a = conditioned(m, n, COND[dtype], m, dtype) as Mat;
        const b = rng(`gelsd-ill-${m}`).normal([m, 1], { dtype }) as Mat;
        for (const rcond of [-1, Math.sqrt(1 / COND[dtype])]) {
          const ref = on('js', 'gelsd', { a, b, rcond });
          const r = on('native', 'gelsd', { a, b, rcond });
          expect(r.rank, `${m}x${n} rcond ${rcond}`).toBe(ref.rank);
          if (rcond > 0) {
            expect(r.rank).toBeLessThan(Math.min(m, n));
            expect(relErr(r.x, ref.x), `${m}x${n} truncated`).toBeLessThan((1e3 * (m + n) * eps) / rcond);
          }
          // the residual is orthogonal to A's range either way: ||A^T (A x - b)|| small
          const res = mm(a.T, subtract(mm(a, r.x), f64(b)));
          let worst = 0;
          for (const v of res.toFlatArray()) worst = Math.max(worst, Math.abs(v));
          const xmax = Math.max(1, ...r.x.toFlatArray().map(Math.abs));
          // ||A|| = 1: the backward-stable bound is O(eps ||A||^2 ||x||)
          expect(worst, `${m}x${n} rcond ${rcond} normal equations`).toBeLessThan(1e3 * (m + n) * eps * xmax);
        }
      }
    });

    it(`syevr ${dtype}: index ranges and values only, against the pure-JS selection`, () => {
      for (const n of [0, 1, 2, 7, 30]) {
        const spectrum = Array.from({ length: n }, (_, i) => i - n / 3 + 0.25 * Math.sin(i));
        for (const [kind, a] of [
          ['distinct', symmetricWith(spectrum, n + 5, dtype)],
          ['ill', symmetricWith(logspace(n, COND[dtype]), n + 6, dtype)],
        ] as const) {
          const marked = a.copy();
          for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) marked.set(Number.NaN, i, j);
          const ranges: [number, number][] = [
            [0, n - 1],
            [0, Math.min(0, n - 1)],
            [Math.floor(n / 3), Math.floor((2 * n) / 3)],
            [n - 1, n - 1],
            [Math.min(1, n), Math.min(1, n) - 1],
          ];
          for (const [il, iu] of ranges) {
            if (il < 0 || iu < il - 1 || iu >= n) continue;
            const norm = Math.max(0, ...spectrum.map(Math.abs), 1);
            const ref = on('js', 'syevr', { a: marked as Mat, vectors: true, il, iu });
            for (const { name, make } of layouts(marked)) {
              const input = make() as Mat;
              const r = on('native', 'syevr', { a: input, vectors: true, il, iu });
              const what = `${kind} n=${n} ${il}..${iu} ${name}`;
              const count = iu - il + 1;
              expect(r.info, what).toBe(0);
              expect(r.w.shape).toEqual([count]);
              expect(r.v?.shape).toEqual([n, count]);
              for (let i = 0; i < count; i++)
                expect(Math.abs(r.w.get(i) - ref.w.get(i)), what).toBeLessThan(60 * (n + 1) * eps * norm);
              const v = r.v as Mat;
              // A V = V W and V^T V = I on the selected pairs
              const vw = f64(v);
              for (let i = 0; i < n; i++)
                for (let j = 0; j < count; j++) vw.data[i * count + j] *= r.w.get(j);
              // ||A V - V W|| / (n eps ||A||): against ||A||, since the pairs may be the tiny ones
              expect(
                (scaled(mm(a, v), vw, n, eps) * fro(mm(a, v))) / Math.max(fro(a), 1e-300),
                what,
              ).toBeLessThan(60);
              const gram = mm(v.T, v);
              for (let i = 0; i < count; i++) gram.data[i * count + i] -= 1;
              expect(Math.max(0, ...gram.toFlatArray().map(Math.abs)), what).toBeLessThan(60 * (n + 1) * eps);
              // the same vectors (up to sign) as LAPACK's full dsyevd, columns il..iu
              if (kind === 'distinct' && count > 0) {
                const all = on('native', 'syevd', { a: marked.copy() as Mat, vectors: true }).v as Mat;
                const sel = f64(all.slice(null, `${il}:${iu + 1}`));
                expect(relErr(fixSigns(f64(v), true), fixSigns(sel, true)), what).toBeLessThan(
                  1e3 * (n + 1) * eps,
                );
              }
            }
            const values = on('native', 'syevr', { a: marked as Mat, vectors: false, il, iu });
            expect(values.v).toBeNull();
            expect(relErr(values.w, ref.w)).toBeLessThan(60 * (n + 1) * eps * norm);
          }
        }
      }
    });

    it(`gemmBatched ${dtype}: batches of odd shapes, broadcast and strided entries, beta, async`, async () => {
      const g = rng(`batched-${dtype}`);
      for (const [lead, m, k, n] of [
        [[3], 4, 5, 2],
        [[2, 3], 1, 1, 1],
        [[0], 3, 3, 3],
        [[2], 0, 3, 2],
        [[2], 3, 0, 2],
        [[5], 17, 9, 13],
      ] as [number[], number, number, number][]) {
        const a = g.normal([...lead, m, k], { dtype });
        const b = g.normal([...lead, k, n], { dtype });
        const c0 = g.normal([...lead, m, n], { dtype });
        for (const beta of [0, 0.5]) {
          const ref = c0.copy();
          on('js', 'gemmBatched', { alpha: 1.5, a, b, beta, c: ref });
          const views: [string, Batch, Batch, Batch][] = [
            ['contiguous', a, b, c0.copy() as Batch],
            // transposed matrices inside the batch: column-major entries
            ['column-major entries', colMajorEntries(a), colMajorEntries(b), colMajorEntries(c0) as Batch],
            // entries strided in both dimensions (the copy path), and a batch axis in reverse
            ['strided c', a, b, everyOther(c0) as Batch],
          ];
          for (const [name, av, bv, cv] of views) {
            on('native', 'gemmBatched', { alpha: 1.5, a: av, b: bv, beta, c: cv });
            expect(relErr(cv, ref), `${lead} ${m}x${k}x${n} beta ${beta} ${name}`).toBeLessThan(
              50 * (k + 1) * eps * 4,
            );
          }
          const asyncOut = c0.copy() as Batch;
          await withBackends(['native'], () =>
            runKernelAsync('gemmBatched', { alpha: 1.5, a, b, beta, c: asyncOut }),
          );
          expect(relErr(asyncOut, ref), 'async').toBeLessThan(50 * (k + 1) * eps * 4);
        }
      }
      // a broadcast input: one A for the whole batch (stride 0 on the batch axis)
      const a1 = g.normal([4, 3], { dtype });
      const bcast = new NDArray(a1.data, [5, 4, 3], [0, 3, 1], 0) as Batch;
      const b = g.normal([5, 3, 2], { dtype });
      const c = new NDArray(
        dtype === 'float64' ? new Float64Array(40) : new Float32Array(40),
        [5, 4, 2],
      ) as Batch;
      const ref = c.copy() as Batch;
      on('js', 'gemmBatched', { alpha: 1, a: bcast, b, beta: 0, c: ref });
      on('native', 'gemmBatched', { alpha: 1, a: bcast, b, beta: 0, c });
      expect(relErr(c, ref)).toBeLessThan(100 * eps);
    });

    it(`async forms ${dtype}: ormqr, trtrs, gelsd, syevr give the sync results`, async () => {
      const n = 20;
      const a = rng(`async-${dtype}`).normal([n, n], { dtype }) as Mat;
      for (let i = 0; i < n; i++) a.set(5 + Math.abs(a.get(i, i)), i, i);
      const b = rng(`async-b-${dtype}`).normal([n, 3], { dtype }) as Mat;
      const run = <T>(f: () => Promise<T>) => withBackends(['native'], f);
      const x1 = b.copy() as Mat;
      const x2 = b.copy() as Mat;
      const args = { lower: true, transpose: true, unitDiag: false };
      expect(on('native', 'trtrs', { a, b: x1, ...args })).toBe(0);
      expect(await run(() => runKernelAsync('trtrs', { a, b: x2, ...args }))).toBe(0);
      expect(relErr(x2, x1)).toBe(0);
      const f = a.copy() as Mat;
      const { tau } = on('native', 'geqrf', { a: f });
      const c1 = b.copy() as Mat;
      const c2 = b.copy() as Mat;
      on('native', 'ormqr', { a: f, tau: tau as Vec, c: c1, side: 'left', transpose: true });
      await run(() =>
        runKernelAsync('ormqr', { a: f, tau: tau as Vec, c: c2, side: 'left', transpose: true }),
      );
      expect(relErr(c2, c1)).toBe(0);
      const g1 = on('native', 'gelsd', { a, b, rcond: -1 });
      const g2 = await run(() => runKernelAsync('gelsd', { a, b, rcond: -1 }));
      expect(relErr(g2.x, g1.x)).toBe(0);
      expect(g2.rank).toBe(g1.rank);
      const sym = symmetricWith(logspace(n, 100), 3, dtype) as Mat;
      const e1 = on('native', 'syevr', { a: sym, vectors: true, il: 3, iu: 9 });
      const e2 = await run(() => runKernelAsync('syevr', { a: sym, vectors: true, il: 3, iu: 9 }));
      expect(relErr(e2.w, e1.w)).toBe(0);
      expect(relErr(e2.v as Mat, e1.v as Mat)).toBe(0);
    });
  }
});

/** The same values with each matrix entry stored column-major (the last two axes swapped in memory). */
function colMajorEntries(x: Batch): Batch {
  const nd = x.ndim;
  const axes = [...Array.from({ length: nd - 2 }, (_, i) => i), nd - 1, nd - 2];
  return x.transpose(axes).copy().transpose(axes) as Batch;
}

function subtract(x: NDArray<'float64'>, y: NDArray<'float64'>): NDArray<'float64'> {
  const out = x.copy() as NDArray<'float64'>;
  for (let i = 0; i < out.data.length; i++) out.data[i] -= y.data[i];
  return out;
}

/** The same values at every other element of a twice-as-large NaN-filled array, batch axis reversed. */
function everyOther(x: NDArray): NDArray {
  const shape = x.shape;
  const big = new NDArray(
    x.dtype === 'float64' ? new Float64Array(x.size * 4 + 8) : new Float32Array(x.size * 4 + 8),
    [x.size * 4 + 8],
  );
  big.data.fill(Number.NaN);
  const nd = shape.length;
  const strides = new Array<number>(nd);
  let s = 2;
  for (let d = nd - 1; d >= 0; d--) {
    strides[d] = s;
    s *= Math.max(1, shape[d]);
  }
  // reverse the first axis
  const offset = shape[0] > 0 ? (shape[0] - 1) * strides[0] : 0;
  strides[0] = -strides[0];
  const view = new NDArray(big.data, shape, strides, offset + 1);
  const flat = x.toFlatArray();
  let i = 0;
  const idx = new Array<number>(nd).fill(0);
  for (let t = 0; t < x.size; t++) {
    view.set(flat[i++], ...idx);
    for (let d = nd - 1; d >= 0 && ++idx[d] === shape[d]; d--) idx[d] = 0;
  }
  return view;
}
