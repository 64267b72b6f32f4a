/**
 * Factorization and solve cases (potrf, potrs, getrf, getrs, gesv, trtrs, geqrf, orgqr, ormqr,
 * geqp3): LAPACK's scaled residuals with its pass threshold 30 (LU, Cholesky, QR), computed in
 * float64 from the backend's output, plus the facts the catalogue fixes exactly: `info`, pivots,
 * untouched triangles, and B left unsolved on a singular matrix. Ill-conditioned inputs have
 * condition numbers near the limit of each precision (1e12 float64, 1e5 float32).
 */
import { type Mat, NDArray, type Vec } from '@krylov/core-array';
import { type ConformanceCase, DECLINED, type Tester, casesFor } from '../harness.js';
import {
  COND,
  DTYPES,
  conditioned,
  eye,
  f64,
  gauss,
  layouts,
  logspace,
  mm,
  orthogonality,
  pairs,
  ref,
  relErr,
  scaled,
  solveResidual,
  symmetricWith,
  untouchedOutside,
} from '../util.js';

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
const SHAPES: [number, number][] = [...SQUARE.map((n) => [n, n] as [number, number]), ...RECT];

/** The lower triangle (unit or explicit diagonal) and the upper part of a packed factorization, float64. */
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

/** P A: the rows of A swapped in order by ipiv (0-based). */
function permuteRows(a: NDArray, ipiv: Int32Array): NDArray<'float64'> {
  const x = f64(a);
  const n = x.shape[1];
  for (let i = 0; i < ipiv.length; i++) {
    const p = ipiv[i];
    for (let j = 0; j < n; j++)
      [x.data[i * n + j], x.data[p * n + j]] = [x.data[p * n + j], x.data[i * n + j]];
  }
  return x;
}

/** The full m x m Q of geqrf's reflectors (through the pure-JS ormqr, in float64), R, and Q R. */
function qrFactors(packed: NDArray, tau: Vec) {
  const [m, n] = packed.shape;
  const k = Math.min(m, n);
  const q = eye(m) as Mat;
  ref('ormqr', { a: f64(packed) as Mat, tau: f64(tau) as Vec, c: q, side: 'left', transpose: false });
  const r = split(packed, true).u;
  return { q: q as NDArray<'float64'>, r, qr: mm(q.slice(null, `0:${k}`), r) };
}

const potrfCases = casesFor('potrf', DTYPES, (dtype) => [
  ...SQUARE.map((n) => ({
    name: `n=${n}, well- and ill-conditioned, every layout, the upper triangle untouched`,
    run: async (t: Tester) => {
      const well = symmetricWith(
        Array.from({ length: n }, (_, i) => 1 + ((i * 7) % 5) / 5),
        `potrf-${n}`,
        dtype,
      );
      const ill = symmetricWith(logspace(n, COND[dtype]), `potrf-ill-${n}`, dtype);
      for (const [kind, a] of [
        ['well', well],
        ['ill', ill],
      ] as const) {
        const marked = a.copy();
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) marked.set(1234.5, i, j);
        const want = f64(marked) as Mat;
        ref('potrf', { a: want });
        for (const { name, make } of layouts(marked)) {
          const v = make() as Mat;
          const info = await t.run('potrf', { a: v });
          if (info === DECLINED) continue;
          const what = `${kind} ${name}`;
          t.eq(`${what} info`, info, 0);
          let upper = true;
          for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) upper &&= v.get(i, j) === 1234.5;
          t.ok(`${what}: upper triangle untouched`, upper);
          const { l } = split(v, false);
          t.le(`${what}: ||A - L L^T|| / (n eps ||A||)`, scaled(f64(a), mm(l, l.T), n, t.eps), 30);
          // the Cholesky factor is unique: well-conditioned, it agrees with the reference's
          if (kind === 'well')
            t.le(`${what}: L against the reference`, relErr(v, want), 30 * (n + 1) * t.eps);
        }
      }
    },
  })),
  {
    name: 'not positive definite: info is the order of the first failing minor (1-based)',
    run: async (t: Tester) => {
      const bad = symmetricWith([1, 2, 3, 4], 'potrf-bad', dtype);
      for (let j = 0; j < 4; j++) bad.set(j === 2 ? -5 : 0, 2, j);
      for (let i = 0; i < 4; i++) bad.set(i === 2 ? -5 : 0, i, 2);
      const info = await t.run('potrf', { a: bad.copy() as Mat });
      if (info !== DECLINED) t.eq('info', info, 3);
    },
  },
]);

const potrsCases = casesFor('potrs', DTYPES, (dtype) =>
  [0, 1, 5, 30].map((n) => ({
    name: `n=${n}, 3 right-hand sides, layout pairs`,
    run: async (t: Tester) => {
      const a = symmetricWith(logspace(n, 100), `potrs-${n}`, dtype);
      const l = a.copy() as Mat;
      ref('potrf', { a: l });
      const b = gauss(`potrs-b-${n}`, [n, 3], dtype);
      for (const { name, views } of pairs(l, b)) {
        if ((await t.run('potrs', { l: views[0] as Mat, b: views[1] as Mat })) === DECLINED) continue;
        t.le(`${name}: ||A X - B|| / (n eps ||A|| ||X||)`, solveResidual(a, views[1], b, t.eps), 30);
      }
    },
  })),
);

const getrfCases = casesFor('getrf', DTYPES, (dtype) => [
  ...SHAPES.map(([m, n]) => ({
    name: `${m}x${n}, every layout: the reference's pivots and info, ||P A - L U|| / (n eps ||A||) < 30`,
    run: async (t: Tester) => {
      const a = gauss(`getrf-${m}-${n}`, [m, n], dtype);
      const want = ref('getrf', { a: f64(a) as Mat });
      for (const { name, make } of layouts(a)) {
        const v = make() as Mat;
        const r = await t.run('getrf', { a: v });
        if (r === DECLINED) continue;
        t.eq(`${name} info`, r.info, want.info);
        t.eq(`${name} ipiv`, [...r.ipiv], [...want.ipiv]);
        const { l, u } = split(v, true);
        t.le(`${name} residual`, scaled(permuteRows(a, r.ipiv), mm(l, u), Math.max(m, n), t.eps), 30);
      }
    },
  })),
  ...[8, 40].map((n) => ({
    name: `n=${n}, ill-conditioned: the backward error holds`,
    run: async (t: Tester) => {
      const a = conditioned(n, n, COND[dtype], `getrf-ill-${n}`, dtype);
      const v = a.copy() as Mat;
      const r = await t.run('getrf', { a: v });
      if (r === DECLINED) return;
      t.eq('info', r.info, 0);
      const { l, u } = split(v, true);
      t.le('residual', scaled(permuteRows(a, r.ipiv), mm(l, u), n, t.eps), 30);
    },
  })),
  {
    name: 'an exactly singular column: info 3 (1-based)',
    run: async (t: Tester) => {
      const s = new NDArray(Float64Array.from([1, 2, 0, 3, 4, 0, 5, 6, 0]), [3, 3]).astype(dtype) as Mat;
      const r = await t.run('getrf', { a: s });
      if (r !== DECLINED) t.eq('info', r.info, 3);
    },
  },
]);

const getrsCases = casesFor('getrs', DTYPES, (dtype) =>
  [0, 1, 4, 33].map((n) => ({
    name: `n=${n}, A X = B and A^T X = B, layout pairs`,
    run: async (t: Tester) => {
      const a = gauss(`getrs-${n}`, [n, n], dtype);
      const lu = a.copy() as Mat;
      const { ipiv } = ref('getrf', { a: lu });
      for (const transpose of [false, true]) {
        const b = gauss(`getrs-b-${n}`, [n, 2], dtype);
        for (const { name, views } of pairs(lu, b)) {
          const args = { lu: views[0] as Mat, ipiv, b: views[1] as Mat, transpose };
          if ((await t.run('getrs', args)) === DECLINED) continue;
          const op = transpose ? a.T : a;
          t.le(`T=${transpose} ${name} residual`, solveResidual(op, views[1], b, t.eps), 30);
        }
      }
    },
  })),
);

const gesvCases = casesFor('gesv', DTYPES, (dtype) => [
  ...[0, 1, 2, 3, 17, 64].map((n) => ({
    name: `n=${n}, 0, 1 and 3 right-hand sides, layout pairs, nothing written outside the views`,
    run: async (t: Tester) => {
      for (const nrhs of [0, 1, 3]) {
        const a = gauss(`gesv-${n}`, [n, n], dtype);
        const b = gauss(`gesv-b-${n}-${nrhs}`, [n, nrhs], dtype);
        for (const { name, views } of pairs(a, b)) {
          const [va, vb] = views as Mat[];
          const info = await t.run('gesv', { a: va, b: vb });
          if (info === DECLINED) continue;
          const what = `nrhs=${nrhs} ${name}`;
          t.eq(`${what} info`, info, 0);
          t.le(`${what} residual`, solveResidual(a, vb, b, t.eps), 30);
          t.ok(`${what}: writes outside the views`, untouchedOutside(va) && untouchedOutside(vb));
        }
      }
    },
  })),
  ...[8, 40].map((n) => ({
    name: `n=${n}, ill-conditioned and not symmetric: the backward error holds`,
    run: async (t: Tester) => {
      const a = conditioned(n, n, COND[dtype], `gesv-ill-${n}`, dtype);
      const b = gauss(`gesv-ill-b-${n}`, [n, 2], dtype);
      const x = b.copy() as Mat;
      const info = await t.run('gesv', { a: a.copy() as Mat, b: x });
      if (info === DECLINED) return;
      t.eq('info', info, 0);
      t.le('residual', solveResidual(a, x, b, t.eps), 30);
    },
  })),
  {
    name: 'exactly singular: info > 0 (3 for a zero last column) and B left unsolved',
    run: async (t: Tester) => {
      const zeroColumn = new NDArray(Float64Array.from([1, 2, 0, 3, 4, 0, 5, 6, 0]), [3, 3]).astype(dtype);
      const zeroRow = new NDArray(Float64Array.from([1, 2, 3, 0, 0, 0, 4, 5, 7]), [3, 3]).astype(dtype);
      for (const [kind, s] of [
        ['zero column', zeroColumn],
        ['zero row', zeroRow],
      ] as const) {
        const b = gauss('gesv-singular', [3, 2], dtype);
        const vb = b.copy() as Mat;
        const info = await t.run('gesv', { a: s.copy() as Mat, b: vb });
        if (info === DECLINED) continue;
        if (kind === 'zero column') t.eq(`${kind} info`, info, 3);
        else t.ok(`${kind} info ${info} > 0`, info > 0);
        t.le(`${kind}: b untouched`, relErr(vb, b), 0);
      }
    },
  },
]);

const trtrsCases = casesFor('trtrs', DTYPES, (dtype) => [
  ...[0, 1, 2, 9, 33].map((n) => ({
    name: `n=${n}, well-conditioned and graded, both triangles, op(A), unit diagonal, layout pairs`,
    run: async (t: Tester) => {
      const g = gauss(`trtrs-${n}`, [n, n], dtype);
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
              const b = gauss(`trtrs-b-${n}`, [n, 3], dtype);
              const want = f64(b) as Mat;
              ref('trtrs', { a: f64(a) as Mat, b: want, lower, transpose, unitDiag });
              for (const { name, views } of pairs(a, b)) {
                const args = { a: views[0] as Mat, b: views[1] as Mat, lower, transpose, unitDiag };
                const info = await t.run('trtrs', args);
                if (info === DECLINED) continue;
                const what = `${kind} L=${lower} T=${transpose} U=${unitDiag} ${name}`;
                t.eq(`${what} info`, info, 0);
                t.le(what, relErr(views[1], want), 100 * (n + 1) * t.eps);
              }
            }
    },
  })),
  {
    name: 'a zero diagonal: info is its 1-based position and B is untouched (never with unitDiag)',
    run: async (t: Tester) => {
      const z = new NDArray(Float64Array.from([2, 0, 0, 1, 0, 0, 1, 1, 5]), [3, 3]).astype(dtype) as Mat;
      for (const [a, lower, transpose, unitDiag, expected] of [
        [z, true, false, false, 2],
        [z.T as Mat, false, true, false, 2],
        [z, true, false, true, 0],
      ] as const) {
        const b = new NDArray(Float64Array.from([1, 2, 3]), [3, 1]).astype(dtype) as Mat;
        const info = await t.run('trtrs', { a, b, lower, transpose, unitDiag });
        if (info === DECLINED) continue;
        t.eq(`lower ${lower} transpose ${transpose} unit ${unitDiag} info`, info, expected);
        if (expected > 0) t.eq('b untouched', b.toFlatArray(), [1, 2, 3]);
      }
    },
  },
]);

const geqrfCases = casesFor('geqrf', DTYPES, (dtype) => [
  ...SHAPES.map(([m, n]) => ({
    name: `${m}x${n}, every layout: ||A - Q R|| / (max(m, n) eps ||A||) and ||I - Q^T Q|| / (m eps) < 30`,
    run: async (t: Tester) => {
      const a = gauss(`geqrf-${m}-${n}`, [m, n], dtype);
      for (const { name, make } of layouts(a)) {
        const v = make() as Mat;
        const r = await t.run('geqrf', { a: v });
        if (r === DECLINED) continue;
        t.eq(`${name} tau length`, r.tau.shape, [Math.min(m, n)]);
        const { q, qr } = qrFactors(v, r.tau);
        t.le(`${name} ||A - Q R||`, scaled(f64(a), qr, Math.max(m, n), t.eps), 30);
        t.le(`${name} ||I - Q^T Q||`, orthogonality(q, t.eps), 30);
      }
    },
  })),
  ...(
    [
      [30, 12],
      [12, 30],
    ] as [number, number][]
  ).map(([m, n]) => ({
    name: `${m}x${n} ill-conditioned`,
    run: async (t: Tester) => {
      const a = conditioned(m, n, COND[dtype], `geqrf-ill-${m}`, dtype);
      const v = a.copy() as Mat;
      const r = await t.run('geqrf', { a: v });
      if (r === DECLINED) return;
      const { q, qr } = qrFactors(v, r.tau);
      t.le('||A - Q R||', scaled(f64(a), qr, Math.max(m, n), t.eps), 30);
      t.le('||I - Q^T Q||', orthogonality(q, t.eps), 30);
    },
  })),
]);

const orgqrCases = casesFor('orgqr', DTYPES, (dtype) =>
  SHAPES.filter(([m, n]) => m >= n).map(([m, n]) => ({
    name: `${m}x${n}, every layout of the reflector block: Q R = A and Q^T Q = I`,
    run: async (t: Tester) => {
      const a = gauss(`orgqr-${m}-${n}`, [m, n], dtype);
      const packed = a.copy() as Mat;
      const { tau } = ref('geqrf', { a: packed });
      const { u: rr } = split(packed, true);
      for (const { name, make } of layouts(packed)) {
        const v = make() as Mat;
        if ((await t.run('orgqr', { a: v, tau })) === DECLINED) continue;
        t.le(`${name} ||A - Q R||`, scaled(f64(a), mm(v, rr), m, t.eps), 30);
        t.le(`${name} ||I - Q^T Q||`, orthogonality(v, t.eps), 30);
      }
    },
  })),
);

const ormqrCases = casesFor('ormqr', DTYPES, (dtype) =>
  [...RECT, [17, 17] as [number, number]].map(([m, n]) => ({
    name: `${m}x${n} reflectors, Q and Q^T from both sides, layout pairs of the reflectors and C`,
    run: async (t: Tester) => {
      const packed = gauss(`ormqr-${m}-${n}`, [m, n], dtype) as Mat;
      const { tau } = ref('geqrf', { a: packed });
      for (const side of ['left', 'right'] as const)
        for (const transpose of [false, true]) {
          const c = gauss(`ormqr-c-${m}-${side}`, side === 'left' ? [m, 4] : [3, m], dtype);
          const want = f64(c) as Mat;
          ref('ormqr', { a: f64(packed) as Mat, tau: f64(tau) as Vec, c: want, side, transpose });
          for (const { name, views } of pairs(packed, c)) {
            const args = { a: views[0] as Mat, tau, c: views[1] as Mat, side, transpose };
            if ((await t.run('ormqr', args)) === DECLINED) continue;
            t.le(`${side} T=${transpose} ${name}`, relErr(views[1], want), 30 * (m + 1) * t.eps);
          }
        }
    },
  })),
);

const geqp3Cases = casesFor('geqp3', DTYPES, (dtype) =>
  [[0, 0] as [number, number], ...RECT, [17, 17] as [number, number]].map(([m, n]) => ({
    name: `${m}x${n} graded columns, every layout: the reference's column order, ||A P - Q R|| < 30, |R| diagonal non-increasing`,
    run: async (t: Tester) => {
      const a = gauss(`geqp3-${m}-${n}`, [m, n], dtype);
      // graded columns so the pivot order is decided by wide margins
      for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) a.set(a.get(i, j) * 2 ** ((j * 7) % n), i, j);
      const want = ref('geqp3', { a: f64(a) as Mat });
      for (const { name, make } of layouts(a)) {
        const v = make() as Mat;
        const r = await t.run('geqp3', { a: v });
        if (r === DECLINED) continue;
        t.eq(`${name} jpvt`, [...r.jpvt], [...want.jpvt]);
        const ap = new NDArray(new Float64Array(m * n), [m, n]);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) ap.data[i * n + j] = a.get(i, r.jpvt[j]);
        const { q, r: rr, qr } = qrFactors(v, r.tau);
        t.le(`${name} ||A P - Q R||`, scaled(ap, qr, Math.max(m, n), t.eps), 30);
        let decreasing = true;
        for (let i = 1; i < Math.min(m, n); i++)
          decreasing &&= Math.abs(rr.get(i, i)) <= Math.abs(rr.get(i - 1, i - 1)) * (1 + 30 * t.eps);
        t.ok(`${name}: |R| diagonal non-increasing`, decreasing);
      }
    },
  })),
);

export const factorCases: ConformanceCase[] = [
  ...potrfCases,
  ...potrsCases,
  ...getrfCases,
  ...getrsCases,
  ...gesvCases,
  ...trtrsCases,
  ...geqrfCases,
  ...orgqrCases,
  ...ormqrCases,
  ...geqp3Cases,
];
