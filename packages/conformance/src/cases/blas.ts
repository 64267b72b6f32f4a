/**
 * BLAS cases (levels 1 to 3 and gemmBatched): each is compared element by element with the
 * pure-JS kernel run on float64 copies of the same operands, with a tolerance of a few eps per
 * term of the inner products, over every layout the catalogue allows (row- and column-major,
 * padded leading dimension with an offset, strided, reversed rows, stride +-3 vectors), sizes 0
 * and 1, odd shapes, beta = 0 over NaN, and, at the public boundary, outputs that alias inputs.
 */
import {
  type FloatDType,
  InvalidArgumentError,
  type Mat,
  NDArray,
  type Vec,
  gemm,
  gemv,
  syrk,
  trsm,
} from '@krylov/core-array';
import { type ConformanceCase, DECLINED, type Tester, casesFor } from '../harness.js';
import { DTYPES, f64, gauss, ref, relErr, stridedVec, untouchedOutside, variants } from '../util.js';

const vec = (seed: string, n: number, dtype: FloatDType) => gauss(seed, [n], dtype) as Vec;

const level1 = (kernel: 'dot' | 'nrm2' | 'axpy' | 'scal') =>
  casesFor(kernel, DTYPES, (dtype) =>
    [0, 1, 2, 7, 100]
      .map((n) => ({
        name: `n=${n}, contiguous, stride 3 and reversed (stride -3) operands`,
        run: async (t: Tester) => {
          const tol = 8 * t.eps * (n + 2);
          const x = vec(`${kernel}-x-${n}-${dtype}`, n, dtype);
          const y = vec(`${kernel}-y-${n}-${dtype}`, n, dtype);
          for (const [rx, ry] of [
            [null, null],
            [false, true],
            [true, false],
          ] as const) {
            const sx = rx === null ? (x.copy() as Vec) : stridedVec(x, rx);
            const sy = ry === null ? (y.copy() as Vec) : stridedVec(y, ry);
            const what = `n=${n} x ${rx === null ? 'contiguous' : rx ? 'reversed' : 'strided'}`;
            if (kernel === 'dot') {
              const got = await t.run('dot', { x: sx, y: sy });
              if (got === DECLINED) continue;
              let scale = 0;
              for (let i = 0; i < n; i++) scale += Math.abs(x.get(i) * y.get(i));
              const want = ref('dot', { x: f64(x) as Vec, y: f64(y) as Vec });
              t.le(what, Math.abs(got - want), tol * Math.max(scale, 1e-300));
            } else if (kernel === 'nrm2') {
              const got = await t.run('nrm2', { x: sx });
              if (got === DECLINED) continue;
              const want = ref('nrm2', { x: f64(x) as Vec });
              t.le(what, Math.abs(got - want), tol * Math.max(want, 1e-300));
            } else if (kernel === 'axpy') {
              if ((await t.run('axpy', { alpha: -3, x: sx, y: sy })) === DECLINED) continue;
              const want = f64(y) as Vec;
              ref('axpy', { alpha: -3, x: f64(x) as Vec, y: want });
              t.le(what, relErr(sy, want), 4 * t.eps);
            } else {
              if ((await t.run('scal', { alpha: -0.5, x: sx })) === DECLINED) continue;
              const want = f64(x) as Vec;
              ref('scal', { alpha: -0.5, x: want });
              t.le(what, relErr(sx, want), 0);
            }
          }
        },
      }))
      .concat(
        kernel === 'nrm2'
          ? [
              {
                name: 'no overflow or underflow (entries near the largest and the smallest normal)',
                run: async (t: Tester) => {
                  for (const v of dtype === 'float64' ? [1e300, 1e-300] : [1e30, 1e-30]) {
                    const x = new NDArray(
                      dtype === 'float64' ? Float64Array.of(v, v, 0) : Float32Array.of(v, v, 0),
                      [3],
                    ) as Vec;
                    const got = await t.run('nrm2', { x });
                    if (got === DECLINED) continue;
                    t.le(`[${v}, ${v}, 0]`, Math.abs(got / (Math.SQRT2 * v) - 1), 8 * t.eps);
                  }
                },
              },
            ]
          : [],
      ),
  );

const GEMM_SHAPES: [number, number, number][] = [
  [0, 0, 0],
  [1, 1, 1],
  [0, 3, 2],
  [3, 0, 2],
  [2, 3, 0],
  [1, 7, 1],
  [5, 7, 3],
  [17, 9, 13],
  [64, 65, 33],
];

const gemmCases = casesFor('gemm', DTYPES, (dtype) => [
  ...GEMM_SHAPES.map(([m, k, n]) => ({
    name: `${m}x${k}x${n}, every layout, alpha and beta, beta 0 over NaN`,
    run: async (t: Tester) => {
      const a = gauss(`gemm-a-${m}-${k}-${n}`, [m, k], dtype);
      const b = gauss(`gemm-b-${m}-${k}-${n}`, [k, n], dtype);
      const c0 = gauss(`gemm-c-${m}-${k}-${n}`, [m, n], dtype);
      for (const [alpha, beta] of [
        [1.5, 0],
        [-0.75, 0.5],
      ]) {
        const want = f64(c0) as Mat;
        ref('gemm', { alpha, a: f64(a) as Mat, b: f64(b) as Mat, beta, c: want });
        for (const { name, views } of variants([a, b, c0])) {
          const [va, vb, vc] = views as Mat[];
          if (beta === 0) vc.fill(Number.NaN);
          if ((await t.run('gemm', { alpha, a: va, b: vb, beta, c: vc })) === DECLINED) continue;
          const what = `alpha ${alpha} beta ${beta} ${name}`;
          t.le(what, relErr(vc, want), 8 * t.eps * (k + 2));
          if (name === 'padded ld' || name === 'strided')
            t.ok(`${what}: writes outside c`, untouchedOutside(vc));
        }
      }
    },
  })),
  {
    name: 'public gemm: c aliasing a (read from a copy), and a broadcast c refused',
    run: async (t: Tester) => {
      const a = gauss('gemm-alias', [6, 6], dtype);
      const want = f64(a) as Mat;
      ref('gemm', { alpha: 1, a: f64(a) as Mat, b: f64(a).T as Mat, beta: 1, c: want });
      const c = a.copy() as Mat;
      if (
        t.runPublic('gemm', { alpha: 1, a: c.copy() as Mat, b: c.T.copy() as Mat, beta: 1, c }, () =>
          gemm(c, c, { transB: true, beta: 1, c }),
        )
      )
        t.le('c = a a^T + c in place', relErr(c, want), 8 * t.eps * 8);
      const row = gauss('gemm-bcast', [1, 6], dtype).broadcastTo([6, 6]);
      let refused = false;
      try {
        gemm(a, a, { c: row });
      } catch (e) {
        refused = e instanceof InvalidArgumentError;
      }
      t.ok('a broadcast output is refused with InvalidArgumentError', refused);
    },
  },
]);

type Batch = NDArray<FloatDType>;
/** The same values with each matrix of the batch stored column-major. */
const colMajorEntries = (x: Batch) => {
  const nd = x.ndim;
  const axes = [...Array(nd - 2).keys(), nd - 1, nd - 2];
  return x.transpose(axes).copy().transpose(axes) as Batch;
};

const gemmBatchedCases = casesFor('gemmBatched', DTYPES, (dtype) => [
  ...(
    [
      [[3], 4, 5, 2],
      [[2, 3], 1, 1, 1],
      [[0], 3, 3, 3],
      [[2], 0, 3, 2],
      [[2], 3, 0, 2],
      [[5], 17, 9, 13],
    ] as [number[], number, number, number][]
  ).map(([lead, m, k, n]) => ({
    name: `batch [${lead}] of ${m}x${k}x${n}: contiguous, column-major entries, reversed batch axis`,
    run: async (t: Tester) => {
      const a = gauss(`gb-a-${lead}-${m}`, [...lead, m, k], dtype);
      const b = gauss(`gb-b-${lead}-${m}`, [...lead, k, n], dtype);
      const c0 = gauss(`gb-c-${lead}-${m}`, [...lead, m, n], dtype);
      for (const beta of [0, 0.5]) {
        const want = f64(c0) as Batch;
        ref('gemmBatched', { alpha: 1.5, a: f64(a), b: f64(b), beta, c: want });
        const reversed = (x: Batch) => (x.shape[0] > 0 ? x.slice('::-1').copy().slice('::-1') : x.copy());
        const views: [string, Batch, Batch, Batch][] = [
          ['contiguous', a.copy(), b.copy(), c0.copy()],
          ['column-major entries', colMajorEntries(a), colMajorEntries(b), colMajorEntries(c0)],
          ['reversed batch axis', reversed(a), b.copy(), reversed(c0)],
        ];
        for (const [name, av, bv, cv] of views) {
          if (beta === 0) cv.fill(Number.NaN);
          if ((await t.run('gemmBatched', { alpha: 1.5, a: av, b: bv, beta, c: cv })) === DECLINED) continue;
          t.le(`beta ${beta} ${name}`, relErr(cv, want), 8 * t.eps * (k + 2));
        }
      }
    },
  })),
  {
    name: 'a broadcast A (batch stride 0)',
    run: async (t: Tester) => {
      const a1 = gauss('gb-bcast', [4, 3], dtype);
      const a = new NDArray(a1.data, [5, 4, 3], [0, 3, 1], 0) as Batch;
      const b = gauss('gb-bcast-b', [5, 3, 2], dtype);
      const c = gauss('gb-bcast-c', [5, 4, 2], dtype);
      const want = f64(c) as Batch;
      ref('gemmBatched', { alpha: 1, a: f64(a), b: f64(b), beta: -1, c: want });
      if ((await t.run('gemmBatched', { alpha: 1, a, b, beta: -1, c })) === DECLINED) return;
      t.le('broadcast a', relErr(c, want), 8 * t.eps * 5);
    },
  },
]);

const GEMV_SHAPES: [number, number][] = [
  [0, 0],
  [1, 1],
  [3, 0],
  [0, 3],
  [7, 5],
  [40, 33],
];

const gemvCases = casesFor('gemv', DTYPES, (dtype) => [
  ...GEMV_SHAPES.map(([m, n]) => ({
    name: `${m}x${n}, every layout of A, strided and reversed x and y, beta 0 over NaN`,
    run: async (t: Tester) => {
      const a = gauss(`gemv-a-${m}-${n}`, [m, n], dtype);
      const x = vec(`gemv-x-${n}`, n, dtype);
      const y = vec(`gemv-y-${m}`, m, dtype);
      for (const beta of [0, -2]) {
        const want = f64(y) as Vec;
        ref('gemv', { alpha: 0.7, a: f64(a) as Mat, x: f64(x) as Vec, beta, y: want });
        for (const { name, views } of variants([a]))
          for (const reversed of [false, true]) {
            const vy = stridedVec(y, reversed);
            if (beta === 0) vy.fill(Number.NaN);
            const args = { alpha: 0.7, a: views[0] as Mat, x: stridedVec(x, !reversed), beta, y: vy };
            if ((await t.run('gemv', args)) === DECLINED) continue;
            t.le(`beta ${beta} ${name} y reversed ${reversed}`, relErr(vy, want), 8 * t.eps * (n + 2));
          }
      }
    },
  })),
  {
    name: 'public gemv: y aliasing x (read from a copy)',
    run: async (t: Tester) => {
      const a = gauss('gemv-alias', [5, 5], dtype);
      const buf = gauss('gemv-alias-x', [5], dtype);
      const want = f64(buf) as Vec;
      ref('gemv', { alpha: 1, a: f64(a) as Mat, x: f64(buf) as Vec, beta: 1, y: want });
      const y = buf.copy() as Vec;
      if (
        t.runPublic('gemv', { alpha: 1, a: a as Mat, x: y.copy() as Vec, beta: 1, y }, () =>
          gemv(a, y, { y, beta: 1 }),
        )
      )
        t.le('y = A y + y in place', relErr(y, want), 8 * t.eps * 7);
    },
  },
]);

const gerCases = casesFor('ger', DTYPES, (dtype) =>
  GEMV_SHAPES.map(([m, n]) => ({
    name: `${m}x${n}, every layout of A, strided and reversed x and y`,
    run: async (t: Tester) => {
      const a = gauss(`ger-a-${m}-${n}`, [m, n], dtype);
      const x = vec(`ger-x-${m}`, m, dtype);
      const y = vec(`ger-y-${n}`, n, dtype);
      const want = f64(a) as Mat;
      ref('ger', { alpha: -1.25, x: f64(x) as Vec, y: f64(y) as Vec, a: want });
      for (const { name, views } of variants([a])) {
        const va = views[0] as Mat;
        if (
          (await t.run('ger', { alpha: -1.25, x: stridedVec(x, true), y: stridedVec(y, false), a: va })) ===
          DECLINED
        )
          continue;
        t.le(name, relErr(va, want), 8 * t.eps);
      }
    },
  })),
);

const syrkCases = casesFor('syrk', DTYPES, (dtype) => [
  ...(
    [
      [0, 0],
      [1, 1],
      [4, 0],
      [9, 5],
      [33, 40],
    ] as [number, number][]
  ).map(([n, k]) => ({
    name: `${n}x${k}, lower and upper, beta 0 and 2, the other triangle untouched`,
    run: async (t: Tester) => {
      const a = gauss(`syrk-a-${n}-${k}`, [n, k], dtype);
      const c0 = gauss(`syrk-c-${n}-${k}`, [n, n], dtype);
      for (const lower of [true, false])
        for (const beta of [0, 2]) {
          const want = f64(c0) as Mat;
          ref('syrk', { alpha: 0.5, a: f64(a) as Mat, beta, c: want, lower });
          for (const { name, views } of variants([a, c0])) {
            const [va, vc] = views as Mat[];
            if ((await t.run('syrk', { alpha: 0.5, a: va, beta, c: vc, lower })) === DECLINED) continue;
            t.le(`lower ${lower} beta ${beta} ${name}`, relErr(vc, want), 8 * t.eps * (k + 2));
          }
        }
    },
  })),
  {
    name: 'public syrk: c aliasing a (read from a copy)',
    run: async (t: Tester) => {
      const a = gauss('syrk-alias', [6, 6], dtype);
      const want = f64(a) as Mat;
      ref('syrk', { alpha: 1, a: f64(a) as Mat, beta: 1, c: want, lower: true });
      const c = a.copy() as Mat;
      if (
        t.runPublic('syrk', { alpha: 1, a: c.copy() as Mat, beta: 1, c, lower: true }, () =>
          syrk(c, { c, beta: 1 }),
        )
      )
        t.le('c = a a^T + c on the lower triangle', relErr(c, want), 8 * t.eps * 8);
    },
  },
]);

/** A well-conditioned triangle (dominant diagonal) with huge garbage in the other triangle. */
function triangle(n: number, lower: boolean, dtype: FloatDType): NDArray<FloatDType> {
  const a = gauss(`tri-${n}-${dtype}`, [n, n], dtype);
  for (let i = 0; i < n; i++) a.set(n + 2 + Math.abs(a.get(i, i)), i, i);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (lower ? j > i : j < i) a.set(1e30, i, j);
  return a;
}

const TRI_SHAPES: [number, number][] = [
  [0, 3],
  [1, 1],
  [3, 0],
  [6, 4],
  [31, 17],
];

const triangularMatrix = (kernel: 'trsm' | 'trmm') =>
  casesFor(kernel, DTYPES, (dtype) => [
    ...TRI_SHAPES.flatMap(([n, p]) =>
      (['left', 'right'] as const).map((side) => ({
        name: `n=${n}, ${side}, ${p} ${side === 'left' ? 'columns' : 'rows'}, both triangles, unit diagonal, garbage in the other triangle`,
        run: async (t: Tester) => {
          for (const lower of [true, false])
            for (const unitDiag of [false, true]) {
              const a = triangle(n, lower, dtype);
              const b = gauss(`${kernel}-b-${n}-${p}-${side}`, side === 'left' ? [n, p] : [p, n], dtype);
              const want = f64(b) as Mat;
              ref(kernel, { side, lower, unitDiag, alpha: 2, a: f64(a) as Mat, b: want });
              for (const { name, views } of variants([a, b])) {
                const [va, vb] = views as Mat[];
                if ((await t.run(kernel, { side, lower, unitDiag, alpha: 2, a: va, b: vb })) === DECLINED)
                  continue;
                const what = `lower ${lower} unit ${unitDiag} ${name}`;
                t.le(what, relErr(vb, want), 16 * t.eps * (n + 2));
              }
            }
        },
      })),
    ),
    ...(kernel === 'trsm'
      ? [
          {
            name: 'public trsm: b aliasing a (read from a copy)',
            run: async (t: Tester) => {
              const a = triangle(5, true, dtype);
              for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) a.set(0.25, i, j);
              const want = f64(a) as Mat;
              ref('trsm', {
                side: 'left',
                lower: true,
                unitDiag: false,
                alpha: 1,
                a: f64(a) as Mat,
                b: want,
              });
              const b = a.copy() as Mat;
              const args = {
                side: 'left' as const,
                lower: true,
                unitDiag: false,
                alpha: 1,
                a: b.copy() as Mat,
                b,
              };
              if (t.runPublic('trsm', args, () => trsm(b, b, { lower: true })))
                t.le('b = a^-1 b with b = a', relErr(b, want), 16 * t.eps * 7);
            },
          },
        ]
      : []),
  ]);

const triangularVector = (kernel: 'trsv' | 'trmv') =>
  casesFor(kernel, DTYPES, (dtype) =>
    [0, 1, 6, 31].map((n) => ({
      name: `n=${n}, both triangles, unit diagonal, every layout, strided and reversed x`,
      run: async (t: Tester) => {
        for (const lower of [true, false])
          for (const unitDiag of [false, true]) {
            const a = triangle(n, lower, dtype);
            const x = vec(`${kernel}-x-${n}`, n, dtype);
            const want = f64(x) as Vec;
            ref(kernel, { a: f64(a) as Mat, x: want, lower, unitDiag });
            for (const [i, { name, views }] of variants([a]).entries()) {
              const vx = stridedVec(x, i % 2 === 1);
              if ((await t.run(kernel, { a: views[0] as Mat, x: vx, lower, unitDiag })) === DECLINED)
                continue;
              t.le(`lower ${lower} unit ${unitDiag} ${name}`, relErr(vx, want), 16 * t.eps * (n + 2));
            }
          }
      },
    })),
  );

export const blasCases: ConformanceCase[] = [
  ...level1('dot'),
  ...level1('axpy'),
  ...level1('scal'),
  ...level1('nrm2'),
  ...gemvCases,
  ...gerCases,
  ...gemmCases,
  ...gemmBatchedCases,
  ...syrkCases,
  ...triangularVector('trmv'),
  ...triangularVector('trsv'),
  ...triangularMatrix('trmm'),
  ...triangularMatrix('trsm'),
];
