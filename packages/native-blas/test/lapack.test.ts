import { type Mat, NDArray, rng, runKernelAsync, withBackends } from '@krylov/core-array';
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

const SQUARE = [0, 1, 2, 3, 17, 64];
const RECT: [number, number][] = [
  [0, 3],
  [3, 0],
  [1, 1],
  [5, 3],
  [3, 5],
  [40, 23],
  [23, 40],
];

/** The lower triangle with a unit or explicit diagonal, and the upper part, as float64 matrices. */
function split(lu: NDArray, unitLower: boolean): { l: NDArray<'float64'>; u: NDArray<'float64'> } {
  const [m, n] = lu.shape;
  const k = Math.min(m, n);
  const x = f64(lu);
  const l = new NDArray(new Float64Array(m * k), [m, k]);
  const u = new NDArray(new Float64Array(k * n), [k, n]);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < k; j++)
      l.data[i * k + j] = j < i ? x.data[i * n + j] : j === i ? (unitLower ? 1 : x.data[i * n + j]) : 0;
  for (let i = 0; i < k; i++) for (let j = i; j < n; j++) u.data[i * n + j] = x.data[i * n + j];
  return { l, u };
}

/** P A: rows of A swapped in order by ipiv. */
function permute(a: NDArray, ipiv: Int32Array): NDArray<'float64'> {
  const x = f64(a);
  const n = x.shape[1];
  for (let i = 0; i < ipiv.length; i++) {
    const p = ipiv[i];
    for (let j = 0; j < n; j++)
      [x.data[i * n + j], x.data[p * n + j]] = [x.data[p * n + j], x.data[i * n + j]];
  }
  return x;
}

describe.skipIf(!built)('native LAPACK kernels against the pure-JS kernels', () => {
  for (const dtype of DTYPES) {
    const eps = epsOf(dtype);

    it(`potrf ${dtype}: same factor, upper triangle untouched, info for indefinite input`, () => {
      for (const n of SQUARE) {
        const g = rng(`potrf-${n}-${dtype}`);
        const well = symmetricWith(
          Array.from({ length: n }, () => 1 + g.nextFloat64()),
          n,
          dtype,
        );
        const ill = symmetricWith(logspace(n, COND[dtype]), n + 100, dtype);
        for (const [kind, a] of [
          ['well', well],
          ['ill', ill],
        ] as const) {
          const marked = a.copy();
          for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) marked.set(1234.5, i, j);
          const ref = marked.copy() as Mat;
          expect(on('js', 'potrf', { a: ref })).toBe(0);
          for (const { name, make } of layouts(marked)) {
            const v = make() as Mat;
            expect(on('native', 'potrf', { a: v }), `${kind} n=${n} ${name}`).toBe(0);
            for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(v.get(i, j)).toBe(1234.5);
            const { l } = split(v, false);
            expect(scaled(f64(a), mm(l, l.T), n, eps), `${kind} n=${n} ${name} residual`).toBeLessThan(30);
            if (kind === 'well') expect(relErr(v, ref), `n=${n} ${name}`).toBeLessThan(30 * n * eps + 1e-300);
          }
        }
      }
      // indefinite: the leading minor of order 3 fails, in both backends
      const bad = symmetricWith([1, 2, 3, 4], 7, dtype).copy() as Mat;
      for (let j = 0; j < 4; j++) bad.set(j === 2 ? -5 : 0, 2, j);
      for (let i = 0; i < 4; i++) bad.set(i === 2 ? -5 : 0, i, 2);
      const info = on('js', 'potrf', { a: bad.copy() as Mat });
      expect(info).toBe(3);
      expect(on('native', 'potrf', { a: bad.copy() as Mat })).toBe(info);
    });

    it(`potrs ${dtype}`, () => {
      for (const n of [0, 1, 5, 30]) {
        const a = symmetricWith(logspace(n, 100), n, dtype);
        const l = a.copy() as Mat;
        on('native', 'potrf', { a: l });
        const b = rng(n).normal([n, 3], { dtype });
        const ref = b.copy() as Mat;
        on('js', 'potrs', { l, b: ref });
        for (const { name, views } of pairs(l, b)) {
          on('native', 'potrs', { l: views[0] as Mat, b: views[1] as Mat });
          expect(relErr(views[1], ref), `n=${n} ${name}`).toBeLessThan(1e3 * n * eps + 1e-300);
        }
      }
    });

    it(`getrf ${dtype}: same pivots (0-based) and factors, square and rectangular, singular info`, () => {
      for (const [m, n] of [...SQUARE.map((k) => [k, k] as [number, number]), ...RECT]) {
        const a = rng(`getrf-${m}-${n}-${dtype}`).normal([m, n], { dtype });
        const ref = a.copy() as Mat;
        const r = on('js', 'getrf', { a: ref });
        for (const { name, make } of layouts(a)) {
          const v = make() as Mat;
          const { ipiv, info } = on('native', 'getrf', { a: v });
          expect(info, `${m}x${n} ${name}`).toBe(r.info);
          expect([...ipiv], `${m}x${n} ${name}`).toEqual([...r.ipiv]);
          expect(relErr(v, ref), `${m}x${n} ${name}`).toBeLessThan(100 * (m + n + 1) * eps);
        }
      }
      // ill-conditioned: factors may differ, the backward error may not
      for (const n of [8, 40]) {
        const a = symmetricWith(logspace(n, COND[dtype]), n + 3, dtype);
        for (const backend of ['js', 'native'] as const) {
          const v = a.copy() as Mat;
          const { ipiv } = on(backend, 'getrf', { a: v });
          const { l, u } = split(v, true);
          expect(scaled(permute(a, ipiv), mm(l, u), n, eps), backend).toBeLessThan(30);
        }
      }
      // an exactly singular column: LAPACK's info, 1-based
      const s = new NDArray(Float64Array.from([1, 2, 0, 3, 4, 0, 5, 6, 0]), [3, 3]).astype(dtype) as Mat;
      const js = on('js', 'getrf', { a: s.copy() as Mat });
      expect(js.info).toBe(3);
      expect(on('native', 'getrf', { a: s.copy() as Mat }).info).toBe(3);
    });

    it(`getrs ${dtype}: A X = B and A^T X = B`, () => {
      for (const n of [0, 1, 4, 33]) {
        const a = rng(`getrs-${n}`).normal([n, n], { dtype });
        const lu = a.copy() as Mat;
        const { ipiv } = on('native', 'getrf', { a: lu });
        for (const transpose of [false, true]) {
          const b = rng(`getrs-b-${n}`).normal([n, 2], { dtype });
          const ref = b.copy() as Mat;
          on('js', 'getrs', { lu, ipiv, b: ref, transpose });
          for (const { name, views } of pairs(lu, b)) {
            on('native', 'getrs', { lu: views[0] as Mat, ipiv, b: views[1] as Mat, transpose });
            expect(relErr(views[1], ref), `n=${n} T=${transpose} ${name}`).toBeLessThan(
              1e4 * n * eps + 1e-300,
            );
          }
        }
      }
    });

    it(`gesv ${dtype}: the getrf + getrs solution on every layout pair, async, ill-conditioned, singular info`, async () => {
      for (const n of [0, 1, 2, 3, 17, 64])
        for (const nrhs of [0, 1, 3]) {
          const a = rng(`gesv-${n}-${dtype}`).normal([n, n], { dtype });
          const b = rng(`gesv-b-${n}-${nrhs}-${dtype}`).normal([n, nrhs], { dtype });
          const ref = b.copy() as Mat;
          expect(on('js', 'gesv', { a: a.copy() as Mat, b: ref })).toBe(0);
          for (const { name, views } of pairs(a, b)) {
            const [va, vb] = views as Mat[];
            const what = `n=${n} nrhs=${nrhs} ${name}`;
            expect(on('native', 'gesv', { a: va, b: vb }), what).toBe(0);
            expect(relErr(vb, ref), what).toBeLessThan(1e4 * n * eps + 1e-300);
            expect(solveResidual(a, vb, b, eps), what).toBeLessThan(30);
            expect(untouchedOutside(va) && untouchedOutside(vb), what).toBe(true);
            // the async form works on private copies and gives the same bits
            const [wa, wb] = pairs(a, b).find((p) => p.name === name)!.views as Mat[];
            const info = await withBackends(['native'], () => runKernelAsync('gesv', { a: wa, b: wb }));
            expect(info, what).toBe(0);
            expect(relErr(wb, vb), `${what} async`).toBe(0);
          }
        }
      // ill-conditioned and not symmetric (a transposition would show): the backward error holds
      for (const n of [8, 40]) {
        const reflect = symmetricWith(
          Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : 1)),
          n + 5,
          'float64',
        );
        const a = mm(symmetricWith(logspace(n, COND[dtype]), n + 3, 'float64'), reflect).astype(dtype);
        const b = rng(`gesv-ill-${n}`).normal([n, 2], { dtype });
        for (const backend of ['js', 'native'] as const) {
          const x = b.copy() as Mat;
          expect(on(backend, 'gesv', { a: a.copy() as Mat, b: x })).toBe(0);
          expect(solveResidual(a, x, b, eps), backend).toBeLessThan(30);
        }
      }
      // exactly singular: info > 0 (1-based), b left unsolved; a zero column is the last pivot of
      // A and of A^T alike, a zero row may stop A^T's factorization earlier
      const zeroColumn = new NDArray(Float64Array.from([1, 2, 0, 3, 4, 0, 5, 6, 0]), [3, 3]).astype(dtype);
      const zeroRow = new NDArray(Float64Array.from([1, 2, 3, 0, 0, 0, 4, 5, 7]), [3, 3]).astype(dtype);
      for (const [kind, s] of [
        ['zero column', zeroColumn],
        ['zero row', zeroRow],
      ] as const) {
        const b = rng('gesv-singular').normal([3, 2], { dtype });
        const js = on('js', 'gesv', { a: s.copy() as Mat, b: b.copy() as Mat });
        expect(js, kind).toBe(3);
        for (const { name, views } of pairs(s, b)) {
          const info = on('native', 'gesv', { a: views[0] as Mat, b: views[1] as Mat });
          if (kind === 'zero column') expect(info, `${kind} ${name}`).toBe(3);
          else expect(info, `${kind} ${name}`).toBeGreaterThan(0);
          expect(relErr(views[1], b), `${kind} ${name}: b untouched`).toBe(0);
        }
      }
    });

    it(`geqrf and orgqr ${dtype}: same reflectors, tau and Q`, () => {
      for (const [m, n] of [...SQUARE.map((k) => [k, k] as [number, number]), ...RECT]) {
        const a = rng(`geqrf-${m}-${n}-${dtype}`).normal([m, n], { dtype });
        // the pure-JS blocked QR only runs in float64 past one block, so the oracle is float64
        const ref = a.copy('float64') as Mat;
        const { tau: refTau } = on('js', 'geqrf', { a: ref });
        for (const { name, make } of layouts(a)) {
          const v = make() as Mat;
          const { tau } = on('native', 'geqrf', { a: v });
          expect(relErr(tau, refTau), `${m}x${n} ${name}`).toBeLessThan(100 * (m + 1) * eps);
          expect(relErr(v, ref), `${m}x${n} ${name}`).toBeLessThan(100 * (m + 1) * eps);
          if (m >= n) {
            const q = v.copy() as Mat;
            const qRef = ref.copy() as Mat;
            on('js', 'orgqr', { a: qRef, tau: refTau });
            for (const { name: qn, make: mq } of layouts(q)) {
              const vq = mq() as Mat;
              on('native', 'orgqr', { a: vq, tau });
              expect(relErr(vq, qRef), `orgqr ${m}x${n} ${name} ${qn}`).toBeLessThan(100 * (m + 1) * eps);
            }
          }
        }
      }
    });

    // one dtype is enough: the pool is shared by both instantiations and counts bytes
    if (dtype === 'float64')
      it('geqrf and orgqr: a copy above what the per-thread pool keeps (64 MiB), then small ones again', () => {
        // row-major input goes through the scratch copy, column-major is passed as it lies: the same
        // LAPACK call on the same numbers, so the results agree exactly
        const [m, n] = [8400, 1000];
        // one set of entries in both layouts (a formula: a seeded generator takes seconds at 8.4e6)
        const rowData = new Float64Array(m * n);
        const colData = new Float64Array(m * n);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            const v = Math.sin(0.37 * i + 1.91 * j) + ((7 * i + 13 * j) % 17) / 17;
            rowData[i * n + j] = v;
            colData[j * m + i] = v;
          }
        const rowMajor = new NDArray(rowData, [m, n]) as Mat;
        const colMajor = new NDArray(colData, [m, n], [1, m]) as Mat;
        /** Entries (i, j) where the two layouts' results differ at all. */
        const differing = () => {
          let count = 0;
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) if (!Object.is(rowData[i * n + j], colData[j * m + i])) count++;
          return count;
        };
        const t1 = on('native', 'geqrf', { a: rowMajor }).tau;
        const t2 = on('native', 'geqrf', { a: colMajor }).tau;
        expect(t1.toFlatArray()).toEqual(t2.toFlatArray());
        expect(differing()).toBe(0);
        on('native', 'orgqr', { a: rowMajor, tau: t1 });
        on('native', 'orgqr', { a: colMajor, tau: t2 });
        expect(differing()).toBe(0);
        for (const k of [3, 40]) {
          const small = rng(`geqrf-after-big-${k}`).normal([k, k], { dtype });
          const ref = small.copy('float64') as Mat;
          const refTau = on('js', 'geqrf', { a: ref }).tau;
          const v = small.copy() as Mat;
          expect(relErr(on('native', 'geqrf', { a: v }).tau, refTau)).toBeLessThan(100 * (k + 1) * eps);
          expect(relErr(v, ref)).toBeLessThan(100 * (k + 1) * eps);
        }
      });

    it(`geqp3 ${dtype}: same column order and R`, () => {
      for (const [m, n] of [[0, 0] as [number, number], [1, 1] as [number, number], ...RECT]) {
        const a = rng(`geqp3-${m}-${n}`).normal([m, n], { dtype });
        // graded columns so the pivot order is decided by wide margins
        for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) a.set(a.get(i, j) * 2 ** ((j * 7) % n), i, j);
        const ref = a.copy() as Mat;
        const r = on('js', 'geqp3', { a: ref });
        for (const { name, make } of layouts(a)) {
          const v = make() as Mat;
          const { jpvt, tau } = on('native', 'geqp3', { a: v });
          expect([...jpvt], `${m}x${n} ${name}`).toEqual([...r.jpvt]);
          expect(relErr(tau, r.tau), `${m}x${n} ${name}`).toBeLessThan(1e3 * (m + 1) * eps);
          expect(relErr(v, ref), `${m}x${n} ${name}`).toBeLessThan(1e3 * (m + 1) * eps);
        }
      }
    });

    it(`gesdd ${dtype}: values, thin and full, tall and wide, agree with the pure-JS SVD`, () => {
      for (const [m, n] of [...SQUARE.map((k) => [k, k] as [number, number]), ...RECT]) {
        const a = rng(`gesdd-${m}-${n}-${dtype}`).normal([m, n], { dtype });
        const ref = on('js', 'gesdd', { a: a.copy() as Mat, job: 'thin' });
        const k = Math.min(m, n);
        const smax = k ? ref.s.get(0) : 0;
        for (const job of ['values', 'thin', 'full'] as const) {
          for (const { name, make } of layouts(a)) {
            const r = on('native', 'gesdd', { a: make() as Mat, job });
            const what = `${m}x${n} ${job} ${name}`;
            expect(r.info, what).toBe(0);
            expect(r.s.dtype).toBe(dtype);
            for (let i = 0; i < k; i++)
              expect(Math.abs(r.s.get(i) - ref.s.get(i)), what).toBeLessThan(50 * (m + n) * eps * smax);
            if (job === 'values') {
              expect(r.u).toBeNull();
              continue;
            }
            const u = r.u as Mat;
            const vt = r.vt as Mat;
            expect(u.shape).toEqual(job === 'full' ? [m, m] : [m, k]);
            expect(vt.shape).toEqual(job === 'full' ? [n, n] : [k, n]);
            // U S V^T reconstructs A, and U, V are orthonormal (complete for 'full')
            const us = f64(u.slice(null, `0:${k}`));
            for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] *= r.s.get(j);
            expect(scaled(f64(a), mm(us, vt.slice(`0:${k}`)), Math.max(m, n), eps), what).toBeLessThan(50);
            expect(scaled(eyeOf(u.shape[1]), mm(u.T, u), m, eps), what).toBeLessThan(50);
            expect(scaled(eyeOf(vt.shape[0]), mm(vt, vt.T), n, eps), what).toBeLessThan(50);
            // distinct singular values: the vectors agree up to sign
            if (job === 'thin' && k > 0) {
              const gap = Math.min(
                ...Array.from({ length: k - 1 }, (_, i) => ref.s.get(i) - ref.s.get(i + 1)),
                smax,
              );
              const tol = (100 * (m + n) * eps * smax) / gap;
              expect(relErr(fixSigns(f64(u), true), fixSigns(f64(ref.u as Mat), true)), what).toBeLessThan(
                tol,
              );
            }
          }
        }
      }
    });

    it(`gesdd ${dtype}: ill-conditioned, singular values to absolute accuracy eps s_max`, () => {
      const n = 30;
      const d = logspace(n, COND[dtype]);
      const a = symmetricWith(d, 11, dtype);
      const r = on('native', 'gesdd', { a: a.copy() as Mat, job: 'values' });
      const js = on('js', 'gesdd', { a: a.copy() as Mat, job: 'values' });
      for (let i = 0; i < n; i++) expect(Math.abs(r.s.get(i) - js.s.get(i))).toBeLessThan(50 * n * eps);
    });

    it(`syevd ${dtype}: ascending values, vectors as columns, lower triangle only`, () => {
      for (const n of SQUARE) {
        const spectrum = Array.from({ length: n }, (_, i) => i - n / 3 + 0.25 * Math.sin(i));
        for (const [kind, a] of [
          ['distinct', symmetricWith(spectrum, n + 1, dtype)],
          ['ill', symmetricWith(logspace(n, COND[dtype]), n + 2, dtype)],
        ] as const) {
          const marked = a.copy();
          for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) marked.set(Number.NaN, i, j);
          const ref = on('js', 'syevd', { a: marked.copy() as Mat, vectors: true });
          for (const { name, make } of layouts(marked)) {
            const input = make() as Mat;
            const before = input.copy();
            const r = on('native', 'syevd', { a: input, vectors: true });
            const what = `${kind} n=${n} ${name}`;
            expect(r.info, what).toBe(0);
            expect(input.toFlatArray(), 'a is read only').toEqual(before.toFlatArray());
            const norm = Math.max(...ref.w.toFlatArray().map(Math.abs), 0);
            for (let i = 0; i < n; i++) {
              if (i > 0) expect(r.w.get(i)).toBeGreaterThanOrEqual(r.w.get(i - 1));
              expect(Math.abs(r.w.get(i) - ref.w.get(i)), what).toBeLessThan(60 * n * eps * norm);
            }
            const v = r.v as Mat;
            const vw = f64(v);
            for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vw.data[i * n + j] *= r.w.get(j);
            expect(scaled(mm(a, v), vw, n, eps), what).toBeLessThan(60);
            expect(scaled(eyeOf(n), mm(v.T, v), n, eps), what).toBeLessThan(60);
            if (kind === 'distinct')
              expect(
                relErr(fixSigns(f64(v), true), fixSigns(f64(ref.v as Mat), true)),
                what,
              ).toBeLessThanOrEqual(1e3 * n * eps);
          }
          const values = on('native', 'syevd', { a: a.copy() as Mat, vectors: false });
          expect(values.v).toBeNull();
          expect(relErr(values.w, ref.w)).toBeLessThan(60 * (n + 1) * eps);
        }
      }
    });

    it(`geev ${dtype}: same eigenvalues as the JS kernel, A V = V Lambda in complex arithmetic`, () => {
      for (const n of SQUARE) {
        const a = rng(n + 40).normal([n, n], { dtype });
        const ref = on('js', 'geev', { a: a.copy() as Mat, vectors: false });
        let anorm = 0;
        for (const x of a.toFlatArray()) anorm = Math.max(anorm, Math.abs(x));
        const sorted = (wr: NDArray, wi: NDArray) =>
          Array.from({ length: n }, (_, i) => [wr.get(i), wi.get(i)]).sort(
            (p, q) => p[0] - q[0] || p[1] - q[1],
          );
        for (const { name, make } of layouts(a)) {
          const input = make() as Mat;
          const before = input.copy();
          const r = on('native', 'geev', { a: input, vectors: true });
          const what = `n=${n} ${name}`;
          expect(r.info, what).toBe(0);
          expect(input.toFlatArray(), 'a is read only').toEqual(before.toFlatArray());
          const got = sorted(r.wr, r.wi);
          const want = sorted(ref.wr, ref.wi);
          for (let i = 0; i < n; i++)
            for (const c of [0, 1])
              expect(Math.abs(got[i][c] - want[i][c]), what).toBeLessThan(1e3 * n * eps * anorm + 1e-300);
          // Residual of every (complex) eigenpair from LAPACK's packing.
          const v = r.vr as Mat;
          let worst = 0;
          for (let k = 0; k < n; k++) {
            const im = r.wi.get(k);
            const c0 = im < 0 ? k - 1 : k;
            const sign = im < 0 ? -1 : 1;
            for (let i = 0; i < n; i++) {
              let ar = 0;
              let ai = 0;
              for (let j = 0; j < n; j++) {
                const xr = v.get(j, c0);
                const xi = im === 0 ? 0 : sign * v.get(j, c0 + 1);
                ar += a.get(i, j) * xr;
                ai += a.get(i, j) * xi;
              }
              const xr = v.get(i, c0);
              const xi = im === 0 ? 0 : sign * v.get(i, c0 + 1);
              worst = Math.max(
                worst,
                Math.hypot(ar - (r.wr.get(k) * xr - im * xi), ai - (r.wr.get(k) * xi + im * xr)),
              );
            }
          }
          expect(worst / (Math.max(n, 1) * eps * Math.max(anorm, 1e-300)), what).toBeLessThan(
            60 * Math.max(n, 1),
          );
        }
      }
    });
  }
});

/** ||A X - B||_F / (||A||_F ||X||_F n eps) in float64: the scaled residual of a linear solve. */
function solveResidual(a: NDArray, x: NDArray, b: NDArray, eps: number): number {
  const n = a.shape[0];
  const ax = mm(a, x).data;
  const bb = f64(b).data;
  const r = Math.hypot(...Array.from(ax, (v, i) => v - bb[i]));
  const den = Math.max(n, 1) * eps * fro(a) * fro(x);
  return den === 0 ? r : r / den;
}

/** Two operands in matching and in mixed layouts. */
function pairs(a: NDArray, b: NDArray): { name: string; views: NDArray[] }[] {
  const la = layouts(a);
  const lb = layouts(b);
  return la.map((x, i) => ({
    name: `${x.name} / ${lb[(i + 1) % lb.length].name}`,
    views: [x.make(), lb[(i + 1) % lb.length].make()],
  }));
}

function eyeOf(n: number): NDArray<'float64'> {
  const x = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n; i++) x.data[i * n + i] = 1;
  return x;
}
