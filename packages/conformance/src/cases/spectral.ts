/**
 * Spectral cases (gesdd, gelsd, syevd, syevr, geev): LAPACK's scaled residuals with its pass
 * thresholds (50 SVD and least squares by SVD, 60 symmetric eigen, 20 nonsymmetric eigen; 30 for
 * the least-squares backward error), eigen- and singular values against the pure-JS kernels, and
 * the catalogue's conventions (ascending eigenvalues, descending singular values, shapes of the
 * thin and full factors, read-only inputs where the signature says so).
 */
import { type Mat, NDArray, type Vec } from '@krylov/core-array';
import { type ConformanceCase, DECLINED, type Tester, casesFor } from '../harness.js';
import {
  COND,
  DTYPES,
  conditioned,
  eye,
  f64,
  fixSigns,
  fro,
  gauss,
  layouts,
  logspace,
  mm,
  orthogonality,
  ref,
  relErr,
  scaled,
  symmetricWith,
} from '../util.js';

const SQUARE = [0, 1, 2, 3, 17, 40];
const SHAPES: [number, number][] = [
  ...SQUARE.map((n) => [n, n] as [number, number]),
  [0, 3],
  [3, 0],
  [5, 3],
  [3, 5],
  [40, 23],
  [23, 40],
];

const gesddCases = casesFor('gesdd', DTYPES, (dtype) => [
  ...SHAPES.map(([m, n]) => ({
    name: `${m}x${n}, values, thin and full, every layout: ||A - U S V^T|| / (max(m, n) eps ||A||) < 50`,
    run: async (t: Tester) => {
      const a = gauss(`gesdd-${m}-${n}`, [m, n], dtype);
      const want = ref('gesdd', { a: f64(a) as Mat, job: 'values' });
      const k = Math.min(m, n);
      const smax = k ? want.s.get(0) : 0;
      for (const job of ['values', 'thin', 'full'] as const)
        for (const { name, make } of layouts(a)) {
          const r = await t.run('gesdd', { a: make() as Mat, job });
          if (r === DECLINED) continue;
          const what = `${job} ${name}`;
          t.eq(`${what} info`, r.info, 0);
          t.eq(`${what} s dtype and shape`, [r.s.dtype, r.s.shape], [dtype, [k]]);
          for (let i = 0; i < k; i++) {
            t.le(`${what} s[${i}]`, Math.abs(r.s.get(i) - want.s.get(i)), 50 * (m + n) * t.eps * smax);
            if (i > 0) t.ok(`${what} s descending at ${i}`, r.s.get(i) <= r.s.get(i - 1));
          }
          if (job === 'values') {
            t.ok(`${what}: no vectors`, r.u === null && r.vt === null);
            continue;
          }
          if (!r.u || !r.vt) {
            t.ok(`${what}: vectors returned`, false);
            continue;
          }
          t.eq(`${what} u shape`, r.u.shape, job === 'full' ? [m, m] : [m, k]);
          t.eq(`${what} vt shape`, r.vt.shape, job === 'full' ? [n, n] : [k, n]);
          const us = f64(r.u.slice(null, `0:${k}`));
          for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] *= r.s.get(j);
          t.le(
            `${what} ||A - U S V^T||`,
            scaled(f64(a), mm(us, r.vt.slice(`0:${k}`)), Math.max(m, n), t.eps),
            50,
          );
          t.le(`${what} ||I - U^T U||`, orthogonality(r.u, t.eps), 50);
          t.le(`${what} ||I - V V^T||`, orthogonality(r.vt.T, t.eps), 50);
        }
    },
  })),
  {
    name: '30x30 ill-conditioned: singular values to absolute accuracy eps s_max',
    run: async (t: Tester) => {
      const n = 30;
      const a = symmetricWith(logspace(n, COND[dtype]), 'gesdd-ill', dtype);
      const r = await t.run('gesdd', { a: a.copy() as Mat, job: 'values' });
      if (r === DECLINED) return;
      const want = logspace(n, COND[dtype]);
      for (let i = 0; i < n; i++) t.le(`s[${i}]`, Math.abs(r.s.get(i) - want[i]), 50 * n * t.eps);
    },
  },
]);

/** ||A^T (A X - B)||_max / (max(m, n) eps ||A||_F^2 max(1, ||X||_max)): the least-squares backward error. */
function normalEquations(a: NDArray, x: NDArray, b: NDArray, eps: number): number {
  const r = mm(a, x);
  const bb = f64(b).data;
  for (let i = 0; i < r.data.length; i++) r.data[i] -= bb[i];
  const g = mm(a.T, r);
  const worst = Math.max(0, ...g.toFlatArray().map(Math.abs));
  const xmax = Math.max(1, ...x.toFlatArray().map(Math.abs));
  const [m, n] = a.shape;
  const den = Math.max(m, n, 1) * eps * Math.max(fro(a) ** 2, 1e-300) * xmax;
  return Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst / den;
}

const gelsdCases = casesFor('gelsd', DTYPES, (dtype) => [
  ...[...SHAPES, [3, 3] as [number, number]].map(([m, n]) => ({
    name: `${m}x${n}, 2 right-hand sides, every layout: the reference's rank and minimum-norm solution, a and b read only`,
    run: async (t: Tester) => {
      const a = gauss(`gelsd-${m}-${n}`, [m, n], dtype);
      const b = gauss(`gelsd-b-${m}-${n}`, [m, 2], dtype);
      const want = ref('gelsd', { a: f64(a) as Mat, b: f64(b) as Mat, rcond: -1 });
      const lb = layouts(b);
      for (const [i, { name, make }] of layouts(a).entries()) {
        const av = make() as Mat;
        const bv = lb[(i + 3) % lb.length].make() as Mat;
        const before = [av.toFlatArray(), bv.toFlatArray()];
        const r = await t.run('gelsd', { a: av, b: bv, rcond: -1 });
        if (r === DECLINED) continue;
        t.eq(
          `${name} info, rank, x dtype and shape`,
          [r.info, r.rank, r.x.dtype, r.x.shape],
          [0, want.rank, dtype, [n, 2]],
        );
        t.le(`${name} s`, relErr(r.s, want.s), 50 * (m + n + 1) * t.eps);
        t.le(`${name} x against the reference`, relErr(r.x, want.x), 1e3 * (m + n + 1) * t.eps);
        t.le(`${name} ||A^T (A x - b)||`, normalEquations(a, r.x, b, t.eps), 30);
        t.eq(`${name}: a and b read only`, [av.toFlatArray(), bv.toFlatArray()], before);
      }
    },
  })),
  ...(
    [
      [30, 12],
      [12, 30],
    ] as [number, number][]
  ).map(([m, n]) => ({
    name: `${m}x${n} ill-conditioned, rcond cutting the small singular values: the reference's rank, the residual orthogonal to range(A)`,
    run: async (t: Tester) => {
      const a = conditioned(m, n, COND[dtype], `gelsd-ill-${m}`, dtype) as Mat;
      const b = gauss(`gelsd-ill-b-${m}`, [m, 1], dtype) as Mat;
      for (const rcond of [-1, Math.sqrt(1 / COND[dtype])]) {
        const want = ref('gelsd', { a, b, rcond });
        const r = await t.run('gelsd', { a, b, rcond });
        if (r === DECLINED) continue;
        t.eq(`rcond ${rcond} rank`, r.rank, want.rank);
        if (rcond > 0) t.le('truncated x', relErr(r.x, want.x), (1e3 * (m + n) * t.eps) / rcond);
        // ||A|| = 1: the backward-stable bound is O(eps ||A||^2 ||x||)
        t.le(`rcond ${rcond} ||A^T (A x - b)||`, normalEquations(a, r.x, b, t.eps) * fro(a) ** 2, 30 * m);
      }
    },
  })),
]);

const spectrumOf = (n: number) => Array.from({ length: n }, (_, i) => i - n / 3 + 0.25 * Math.sin(i));

const syevdCases = casesFor('syevd', DTYPES, (dtype) =>
  SQUARE.map((n) => ({
    name: `n=${n}, distinct and ill-conditioned spectra, every layout, NaN in the upper triangle: ||A V - V W|| and ||I - V^T V|| < 60`,
    run: async (t: Tester) => {
      for (const [kind, a] of [
        ['distinct', symmetricWith(spectrumOf(n), `syevd-${n}`, dtype)],
        ['ill', symmetricWith(logspace(n, COND[dtype]), `syevd-ill-${n}`, dtype)],
      ] as const) {
        const marked = a.copy();
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) marked.set(Number.NaN, i, j);
        const want = ref('syevd', { a: f64(marked) as Mat, vectors: true });
        const norm = Math.max(0, ...want.w.toFlatArray().map(Math.abs));
        for (const { name, make } of layouts(marked)) {
          const input = make() as Mat;
          const before = input.toFlatArray();
          const r = await t.run('syevd', { a: input, vectors: true });
          if (r === DECLINED) continue;
          const what = `${kind} ${name}`;
          t.eq(`${what} info`, r.info, 0);
          t.eq(`${what}: a read only`, input.toFlatArray(), before);
          for (let i = 0; i < n; i++) {
            if (i > 0) t.ok(`${what} w ascending at ${i}`, r.w.get(i) >= r.w.get(i - 1));
            t.le(`${what} w[${i}]`, Math.abs(r.w.get(i) - want.w.get(i)), 60 * n * t.eps * norm);
          }
          if (!r.v) {
            t.ok(`${what}: vectors returned`, false);
            continue;
          }
          const vw = f64(r.v);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vw.data[i * n + j] *= r.w.get(j);
          t.le(
            `${what} ||A V - V W|| / (n eps ||A||)`,
            (scaled(mm(a, r.v), vw, n, t.eps) * fro(mm(a, r.v))) / Math.max(fro(a), 1e-300),
            60,
          );
          t.le(`${what} ||I - V^T V||`, orthogonality(r.v, t.eps), 60);
          if (kind === 'distinct')
            t.le(
              `${what} vectors (up to sign)`,
              relErr(fixSigns(r.v, true), fixSigns(want.v as Mat, true)),
              1e3 * n * t.eps,
            );
        }
        const values = await t.run('syevd', { a: a.copy() as Mat, vectors: false });
        if (values === DECLINED) continue;
        t.ok(`${kind} values only: no vectors`, values.v === null);
        t.le(`${kind} values only`, relErr(values.w, want.w), 60 * (n + 1) * t.eps);
      }
    },
  })),
);

const syevrCases = casesFor('syevr', DTYPES, (dtype) =>
  [0, 1, 2, 7, 30].map((n) => ({
    name: `n=${n}, index ranges (all, first, middle, last, empty), vectors and values only, every layout`,
    run: async (t: Tester) => {
      for (const [kind, a] of [
        ['distinct', symmetricWith(spectrumOf(n), `syevr-${n}`, dtype)],
        ['ill', symmetricWith(logspace(n, COND[dtype]), `syevr-ill-${n}`, dtype)],
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
        const norm = Math.max(1, ...spectrumOf(n).map(Math.abs));
        for (const [il, iu] of ranges) {
          if (il < 0 || iu < il - 1 || iu >= n) continue;
          const count = iu - il + 1;
          const want = ref('syevr', { a: f64(marked) as Mat, vectors: true, il, iu });
          for (const { name, make } of layouts(marked)) {
            const r = await t.run('syevr', { a: make() as Mat, vectors: true, il, iu });
            if (r === DECLINED) continue;
            const what = `${kind} ${il}..${iu} ${name}`;
            t.eq(`${what} info, shapes`, [r.info, r.w.shape, r.v?.shape], [0, [count], [n, count]]);
            for (let i = 0; i < count; i++)
              t.le(`${what} w[${i}]`, Math.abs(r.w.get(i) - want.w.get(i)), 60 * (n + 1) * t.eps * norm);
            if (!r.v) continue;
            const vw = f64(r.v);
            for (let i = 0; i < n; i++) for (let j = 0; j < count; j++) vw.data[i * count + j] *= r.w.get(j);
            // against ||A||, since the selected pairs may be the tiny ones
            t.le(
              `${what} ||A V - V W||`,
              (scaled(mm(a, r.v), vw, n, t.eps) * fro(mm(a, r.v))) / Math.max(fro(a), 1e-300),
              60,
            );
            t.le(`${what} ||I - V^T V||`, orthogonality(r.v, t.eps), 60);
            if (kind === 'distinct' && count > 0)
              t.le(
                `${what} vectors (up to sign)`,
                relErr(fixSigns(r.v, true), fixSigns(want.v as Mat, true)),
                1e3 * (n + 1) * t.eps,
              );
          }
          const values = await t.run('syevr', { a: marked.copy() as Mat, vectors: false, il, iu });
          if (values === DECLINED) continue;
          t.ok(`${kind} ${il}..${iu} values only: no vectors`, values.v === null);
          t.le(`${kind} ${il}..${iu} values only`, relErr(values.w, want.w), 60 * (n + 1) * t.eps * norm);
        }
      }
    },
  })),
);

/**
 * max_k ||A x_k - lambda_k x_k|| / (n eps ||A||_F ||x_k||) over the eigenpairs of geev's packed
 * output, in complex arithmetic (LAPACK's dget22 measure, column by column).
 */
function eigResidual(a: NDArray, wr: Vec, wi: Vec, v: Mat, eps: number): number {
  const n = a.shape[0];
  const af = f64(a);
  const vf = f64(v);
  let worst = 0;
  for (let k = 0; k < n; k++) {
    const im = wi.get(k);
    const c0 = im < 0 ? k - 1 : k;
    const sign = im < 0 ? -1 : 1;
    const xr = (i: number) => vf.data[i * n + c0];
    const xi = (i: number) => (im === 0 ? 0 : sign * vf.data[i * n + c0 + 1]);
    let res = 0;
    let xnorm = 0;
    for (let i = 0; i < n; i++) {
      let ar = 0;
      let ai = 0;
      for (let j = 0; j < n; j++) {
        ar += af.data[i * n + j] * xr(j);
        ai += af.data[i * n + j] * xi(j);
      }
      res += (ar - (wr.get(k) * xr(i) - im * xi(i))) ** 2 + (ai - (wr.get(k) * xi(i) + im * xr(i))) ** 2;
      xnorm += xr(i) ** 2 + xi(i) ** 2;
    }
    const r = Math.sqrt(res) / (Math.max(n, 1) * eps * Math.max(fro(a), 1e-300) * Math.sqrt(xnorm));
    worst = Number.isNaN(r) ? Number.POSITIVE_INFINITY : Math.max(worst, r);
  }
  return worst;
}

const geevCases = casesFor('geev', DTYPES, (dtype) => [
  ...SQUARE.map((n) => ({
    name: `n=${n} random (complex pairs), every layout, a read only: the reference's eigenvalues, ||A X - X Lambda|| / (n eps ||A||) < 20`,
    run: async (t: Tester) => {
      const a = gauss(`geev-${n}`, [n, n], dtype);
      const want = ref('geev', { a: f64(a) as Mat, vectors: false });
      const sorted = (wr: NDArray, wi: NDArray) =>
        Array.from({ length: n }, (_, i) => [wr.get(i), wi.get(i)]).sort(
          (p, q) => p[0] - q[0] || p[1] - q[1],
        );
      const expected = sorted(want.wr, want.wi);
      for (const { name, make } of layouts(a)) {
        const input = make() as Mat;
        const before = input.toFlatArray();
        const r = await t.run('geev', { a: input, vectors: true });
        if (r === DECLINED) continue;
        t.eq(`${name} info`, r.info, 0);
        t.eq(`${name}: a read only`, input.toFlatArray(), before);
        const got = sorted(r.wr, r.wi);
        for (let i = 0; i < n; i++)
          for (const c of [0, 1])
            t.le(`${name} eigenvalue ${i}`, Math.abs(got[i][c] - expected[i][c]), 1e3 * n * t.eps * fro(a));
        if (!r.vr) {
          t.ok(`${name}: vectors returned`, false);
          continue;
        }
        t.le(`${name} ||A X - X Lambda||`, eigResidual(a, r.wr, r.wi, r.vr, t.eps), 20);
      }
    },
  })),
  {
    name: 'n=12 symmetric ill-conditioned (real spectrum): residual < 20',
    run: async (t: Tester) => {
      const a = symmetricWith(logspace(12, COND[dtype]), 'geev-ill', dtype);
      const r = await t.run('geev', { a: a.copy() as Mat, vectors: true });
      if (r === DECLINED || !r.vr) return;
      t.le('||A X - X Lambda||', eigResidual(a, r.wr, r.wi, r.vr, t.eps), 20);
      t.le('imaginary parts', Math.max(0, ...r.wi.toFlatArray().map(Math.abs)), 0);
    },
  },
  {
    name: 'a rotation block [[0, -1], [1, 0]] within a 3x3: the pair +-i, packed as LAPACK does',
    run: async (t: Tester) => {
      const a = new NDArray(Float64Array.from([0, -1, 0, 1, 0, 0, 0, 0, 2]), [3, 3]).astype(dtype) as Mat;
      const r = await t.run('geev', { a: a.copy() as Mat, vectors: true });
      if (r === DECLINED || !r.vr) return;
      const pairs = Array.from({ length: 3 }, (_, i) => [r.wr.get(i), r.wi.get(i)]).sort(
        (p, q) => p[0] - q[0] || p[1] - q[1],
      );
      for (const [i, [re, im]] of [
        [0, -1],
        [0, 1],
        [2, 0],
      ].entries())
        t.le(`eigenvalue ${i}`, Math.abs(pairs[i][0] - re) + Math.abs(pairs[i][1] - im), 8 * t.eps);
      t.le('||A X - X Lambda||', eigResidual(a, r.wr, r.wi, r.vr, t.eps), 20);
    },
  },
]);

export const spectralCases: ConformanceCase[] = [
  ...gesddCases,
  ...gelsdCases,
  ...syevdCases,
  ...syevrCases,
  ...geevCases,
];
