import { describe, expect, it } from 'vitest';
import {
  type FloatDType,
  NDArray,
  axpy,
  dot,
  gemm,
  gemv,
  ger,
  matmul,
  nrm2,
  outer,
  rng,
  scal,
  syrk,
  trmm,
  trmv,
  trsm,
  trsv,
} from '../src/index.js';

type F = NDArray<FloatDType>;
const g = rng(2024);

/** A random m x n float matrix presented as a plain, transposed, strided or reversed view. */
function randomView(m: number, n: number, dtype: FloatDType, layout: number): F {
  switch (layout % 4) {
    case 0:
      return g.normal([m, n], { dtype });
    case 1:
      return g.normal([n, m], { dtype }).T as F;
    case 2:
      return g
        .normal([2 * m + 1, 3 * n + 2], { dtype })
        .slice('1::2', '2::3')
        .slice(`0:${m}`, `0:${n}`) as F;
    default:
      return g.normal([m, n], { dtype }).slice('::-1', '::-1') as F;
  }
}

const el = (a: NDArray, i: number, j: number) => a.get(i, j);
function naiveProduct(a: NDArray, b: NDArray): number[][] {
  const [m, k] = a.shape;
  const n = b.shape[1];
  return Array.from({ length: m }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let p = 0; p < k; p++) s += el(a, i, p) * el(b, p, j);
      return s;
    }),
  );
}
const tol = (dtype: FloatDType, k: number) => (dtype === 'float32' ? 2e-6 : 1e-14) * Math.max(k, 1) * 4;
function expectClose(got: NDArray, want: number[][] | number[], scale: number, t: number) {
  const flat = (want as number[][]).flat ? (want as number[][]).flat() : (want as number[]);
  const gf = got.toFlatArray();
  expect(gf.length).toBe(flat.length);
  for (let i = 0; i < gf.length; i++) expect(Math.abs(gf[i] - flat[i])).toBeLessThanOrEqual(t * scale);
}

describe('gemm and matmul against a naive triple loop', () => {
  const sizes: [number, number, number][] = [
    [0, 3, 2],
    [1, 1, 1],
    [3, 17, 5],
    [17, 1, 65],
    [65, 130, 3],
    [130, 65, 97],
    [5, 0, 4],
    [150, 7, 120],
  ];
  for (const dtype of ['float64', 'float32'] as const) {
    sizes.forEach(([m, k, n], s) => {
      it(`${dtype} ${m}x${k} @ ${k}x${n}, layout mix ${s}`, () => {
        const a = randomView(m, k, dtype, s);
        const b = randomView(k, n, dtype, s + 1);
        const want = naiveProduct(a, b);
        expectClose(matmul(a, b), want, Math.sqrt(k) * 3, tol(dtype, k));
        // alpha/beta with a strided C and NaN ignored when beta = 0
        const c = g.normal([m, 2 * n], { dtype }).slice(null, '::2') as F;
        const c0 = c.copy();
        gemm(a, b, { c, alpha: 2, beta: -1 });
        expectClose(
          c,
          want.map((r, i) => r.map((v, j) => 2 * v - c0.get(i, j))),
          Math.sqrt(k) * 6 + 3,
          tol(dtype, k),
        );
        const cn = new NDArray(
          dtype === 'float32'
            ? new Float32Array(m * n).fill(Number.NaN)
            : new Float64Array(m * n).fill(Number.NaN),
          [m, n],
        );
        gemm(a, b, { c: cn, beta: 0 });
        expectClose(cn, want, Math.sqrt(k) * 3, tol(dtype, k));
      });
    });
  }
  it('transposes are views: gemm(transA, transB) equals the product of transposes', () => {
    const a = g.normal([7, 5]);
    const b = g.normal([9, 7]);
    expectClose(gemm(a, b, { transA: true, transB: true }), naiveProduct(a.T, b.T), 10, 1e-14);
  });
  it('matmul follows NumPy: 1-D promotion and broadcast batches', () => {
    const a = g.normal([2, 1, 3, 4]);
    const b = g.normal([5, 4, 2]);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 5, 3, 2]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 5; j++)
        expectClose(c.slice(i, j), naiveProduct(a.slice(i, 0), b.slice(j)), 10, 1e-14);
    const v = g.normal([4]);
    expect(matmul(g.normal([3, 4]), v).shape).toEqual([3]);
    expect(matmul(v, g.normal([4, 6])).shape).toEqual([6]);
    expect(matmul(v, v).shape).toEqual([]);
    expect(
      matmul(
        new NDArray(Int32Array.from([1, 2, 3, 4]), [2, 2]),
        new NDArray(Int32Array.from([1, 0, 0, 1]), [2, 2]),
      ).dtype,
    ).toBe('float64');
    expect(outer(g.normal([3]), g.normal([2])).shape).toEqual([3, 2]);
  });
  it('rejects mismatched shapes and dtypes with typed errors', () => {
    expect(() => matmul(g.normal([2, 3]), g.normal([4, 2]))).toThrow(
      "matmul: argument 'b' with shape [4, 2]: has 4 rows in its last two dimensions; a has 3 columns (a: [2,3])",
    );
    expect(() => matmul(g.normal([2, 2, 3]), g.normal([3, 3, 2]))).toThrow(
      "matmul: argument 'b' with shape [3, 3, 2]: batch dimensions do not broadcast",
    );
    expect(() => gemm(g.normal([2, 2]), g.normal([2, 2], { dtype: 'float32' }))).toThrow(
      "gemm: argument 'b' has dtype float32; expected float64 like 'a'",
    );
    expect(() => gemm(g.normal([2, 2]), g.normal([2, 2]), { c: g.normal([3, 2]) })).toThrow(
      "gemm: argument 'c' with shape [3, 2]: expected [2, 2]",
    );
    expect(() => gemm(g.normal([2, 2]), g.normal([2, 2]), { transC: true } as never)).toThrow(
      "gemm: argument 'options.transC'",
    );
  });
});

describe('level 1 and 2 kernels', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: dot, axpy, scal, nrm2, gemv, ger on strided views`, () => {
      const t = dtype === 'float32' ? 1e-5 : 1e-13;
      const x = g.normal([40], { dtype }).slice('::-2') as F;
      const y = g.normal([60], { dtype }).slice('5:45:2') as F;
      let d = 0;
      for (let i = 0; i < 20; i++) d += x.get(i) * y.get(i);
      expect(Math.abs(dot(x, y) - d)).toBeLessThan(t * 20);
      const y0 = y.copy();
      axpy(0.5, x, y);
      for (let i = 0; i < 20; i++)
        expect(Math.abs(y.get(i) - (y0.get(i) + 0.5 * x.get(i)))).toBeLessThan(t * 4);
      const z = x.copy();
      scal(-3, z);
      for (let i = 0; i < 20; i++) expect(z.get(i)).toBeCloseTo(-3 * x.get(i), dtype === 'float32' ? 4 : 12);
      expect(Math.abs(nrm2(x) - Math.sqrt(x.toFlatArray().reduce((s, v) => s + v * v, 0)))).toBeLessThan(
        t * 10,
      );
      const a = randomView(20, 13, dtype, 2);
      const v = g.normal([13], { dtype });
      expectClose(gemv(a, v), naiveProduct(a, v.reshape([13, 1])).flat(), 10, t);
      expectClose(gemv(a, x, { trans: true }), naiveProduct(a.T, x.reshape([20, 1])).flat(), 10, t);
      const m = g.normal([20, 13], { dtype });
      const m0 = m.copy();
      ger(2, x, v, m);
      for (let i = 0; i < 20; i++)
        for (let j = 0; j < 13; j++)
          expect(Math.abs(m.get(i, j) - (m0.get(i, j) + 2 * x.get(i) * v.get(j)))).toBeLessThan(t * 10);
    });
  }
  it('nrm2 neither overflows nor underflows', () => {
    expect(nrm2(new NDArray(Float64Array.from([1e200, 1e200]), [2]))).toBeCloseTo(Math.SQRT2 * 1e200, -185);
    expect(nrm2(new NDArray(Float64Array.from([3e-200, 4e-200]), [2]))).toBeCloseTo(5e-200, 210);
    expect(nrm2(new NDArray(new Float64Array(0), [0]))).toBe(0);
  });
});

/** A well-conditioned triangular matrix (unit-ish diagonal) as a view with the given layout. */
function triangular(n: number, lower: boolean, dtype: FloatDType, layout: number): F {
  const a = randomView(n, n, dtype, layout);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (lower ? j > i : j < i)
        a.set(Number.NaN, i, j); // the unused triangle must never be read
      else a.set(i === j ? 2 + Math.abs(a.get(i, j)) : a.get(i, j) / n, i, j);
    }
  }
  return a;
}
const dense = (a: NDArray, lower: boolean, unit: boolean) => {
  const n = a.shape[0];
  return new NDArray(
    Float64Array.from({ length: n * n }, (_, p) => {
      const i = Math.floor(p / n);
      const j = p % n;
      if (lower ? j > i : j < i) return 0;
      return i === j && unit ? 1 : a.get(i, j);
    }),
    [n, n],
  );
};

describe('triangular kernels and syrk', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const n of [1, 3, 17, 70, 130]) {
      it(`${dtype} n=${n}: trmv, trsv, trmm, trsm (all sides and triangles), syrk`, () => {
        const t = dtype === 'float32' ? 5e-5 : 1e-12;
        for (const lower of [true, false]) {
          for (const unitDiag of [false, true]) {
            const a = triangular(n, lower, dtype, n);
            const full = dense(a, lower, unitDiag);
            const x = g.normal([n], { dtype });
            expectClose(
              trmv(a, x.copy(), { lower, unitDiag }),
              naiveProduct(full, x.reshape([n, 1])).flat(),
              5,
              t,
            );
            const back = trmv(a, trsv(a, x.copy(), { lower, unitDiag }), { lower, unitDiag });
            expectClose(back, x.toFlatArray(), 5, t);
            const b = g.normal([n, 5], { dtype });
            expectClose(
              trmm(a, b.copy(), { lower, unitDiag, alpha: 2 }),
              naiveProduct(full, b).map((r) => r.map((v) => 2 * v)),
              5 * Math.sqrt(n),
              t,
            );
            const solved = trsm(a, b.copy(), { lower, unitDiag });
            expectClose(
              matmul(full.astype(dtype), solved),
              b.toArray() as number[][],
              5 * Math.sqrt(n),
              t * 10,
            );
            const br = g.normal([4, n], { dtype });
            const right = trsm(a, br.copy(), { lower, unitDiag, side: 'right', transA: true });
            expectClose(
              matmul(right, full.T.astype(dtype)),
              br.toArray() as number[][],
              5 * Math.sqrt(n),
              t * 10,
            );
          }
        }
        const a = randomView(n, 9, dtype, 3);
        const c = g.normal([n, n], { dtype });
        const c0 = c.copy();
        syrk(a, { c, alpha: 1.5, beta: 0.5, lower: true });
        const aat = naiveProduct(a, a.T);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const want = j <= i ? 1.5 * aat[i][j] + 0.5 * c0.get(i, j) : c0.get(i, j);
            expect(Math.abs(c.get(i, j) - want)).toBeLessThanOrEqual(t * 30);
          }
        }
        const up = syrk(a, { lower: false, trans: false });
        for (let i = 0; i < n; i++)
          for (let j = i; j < n; j++) expect(Math.abs(up.get(i, j) - aat[i][j])).toBeLessThanOrEqual(t * 30);
      });
    }
  }
  it('rejects non-square triangles and mismatched sides', () => {
    expect(() => trsm(g.normal([3, 2]), g.normal([3, 3]))).toThrow(
      "trsm: argument 'a' with shape [3, 2]: expected a square matrix",
    );
    expect(() => trsm(g.normal([3, 3]), g.normal([2, 3]))).toThrow(
      "trsm: argument 'b' with shape [2, 3]: rows must equal a's order 3",
    );
    expect(() => trsm(g.normal([3, 3]), g.normal([3, 3]), { side: 'top' as never })).toThrow(
      'trsm: argument \'options.side\' is "top"',
    );
    expect(() => dot(g.normal([3]), g.normal([4]))).toThrow(
      "dot: argument 'y' with shape [4]: length must equal x's length 3",
    );
    expect(() => dot(new NDArray(Int32Array.from([1]), [1]), new NDArray(Int32Array.from([1]), [1]))).toThrow(
      "dot: argument 'x' has dtype int32; expected float64 or float32",
    );
  });
});
