/**
 * Operand builders and residual measures shared by the cases. Everything here computes in plain
 * float64 loops, independent of every backend (the registry is used only through `ref`).
 */
import {
  type FloatDType,
  type KernelArgs,
  type KernelName,
  type KernelResult,
  type Mat,
  NDArray,
  type Vec,
  copyInto,
  explain,
  rng,
  runKernel,
  withBackends,
} from '@krylov/core-array';

export const DTYPES: readonly FloatDType[] = ['float64', 'float32'];
/** Unit roundoff of a dtype (LAPACK's eps: the spacing of numbers just above 1). */
export const epsOf = (d: FloatDType) => (d === 'float64' ? 2 ** -52 : 2 ** -23);
/** Condition numbers for the ill-conditioned cases: near the limit of each precision. */
export const COND = { float64: 1e12, float32: 1e5 } as const;

/** Runs `kernel` on the pure-JS reference kernels (the oracle). */
export function ref<K extends KernelName>(kernel: K, args: KernelArgs<K>): KernelResult<K> {
  return withBackends(['js'], () => runKernel(kernel, args));
}

/**
 * Runs `kernel` synchronously on `backend` only, and throws when the registry would choose another
 * one (so a test can never pass on the fallback by accident).
 */
export function on<K extends KernelName>(backend: string, kernel: K, args: KernelArgs<K>): KernelResult<K> {
  return withBackends([backend], () => {
    const e = explain(kernel, args);
    if (e.backend !== backend)
      throw new Error(`${kernel} did not run on ${backend}: ${JSON.stringify(e.considered)}`);
    return runKernel(kernel, args);
  });
}

/** max |x - y| / max(1, max |y|) over two arrays of one shape (NaN anywhere, or a shape mismatch: Infinity). */
export function relErr(x: NDArray, y: NDArray): number {
  if (x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i]))
    return Number.POSITIVE_INFINITY;
  const a = x.toFlatArray();
  const b = y.toFlatArray();
  let num = 0;
  let den = 1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    num = Math.max(num, d);
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

/** A view (any layout) as a contiguous float64 array, for reference arithmetic. */
export const f64 = (a: NDArray) => a.copy('float64') as NDArray<'float64'>;

const alloc = (dtype: FloatDType, n: number) =>
  dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);

/** An array of `shape` with every element NaN. */
export function nans(shape: number[], dtype: FloatDType): NDArray<FloatDType> {
  const size = shape.reduce((p, q) => p * q, 1);
  return new NDArray(alloc(dtype, size).fill(Number.NaN) as Float64Array, shape) as NDArray<FloatDType>;
}

export interface Layout {
  name: string;
  make: () => NDArray<FloatDType>;
}

/**
 * The same values as matrix `a` in several memory layouts, each in NaN-filled storage so a read or
 * write outside the view shows: row-major, column-major (a transposed view), a padded leading
 * dimension with an offset, strided in both dimensions, and reversed rows (a negative stride).
 */
export function layouts(a: NDArray): Layout[] {
  const [m, n] = a.shape;
  const dt = a.dtype as FloatDType;
  const place = (view: NDArray<FloatDType>) => {
    copyInto(view, a);
    return view;
  };
  return [
    { name: 'row-major', make: () => a.copy(dt) as NDArray<FloatDType> },
    { name: 'column-major', make: () => a.T.copy(dt).T as NDArray<FloatDType> },
    { name: 'padded ld', make: () => place(nans([m + 2, n + 3], dt).slice(`1:${m + 1}`, `2:${n + 2}`)) },
    {
      name: 'strided',
      make: () => place(nans([2 * m + 1, 2 * n + 1], dt).slice(`1:${2 * m + 1}:2`, `1:${2 * n + 1}:2`)),
    },
    { name: 'reversed rows', make: () => place(nans([m + 1, n], dt).slice(`${m}:0:-1`)) },
  ];
}

/** For each layout, every matrix in that layout; then two mixes of layouts. */
export function variants(mats: NDArray[]): { name: string; views: NDArray<FloatDType>[] }[] {
  const per = mats.map(layouts);
  const out = per[0].map((l, i) => ({ name: l.name, views: per.map((p) => p[i].make()) }));
  out.push({ name: 'mixed 1', views: per.map((p, i) => p[(i + 1) % p.length].make()) });
  out.push({ name: 'mixed 2', views: per.map((p, i) => p[(i + 3) % p.length].make()) });
  return out;
}

/** Two operands in matching and in shifted layouts. */
export function pairs(a: NDArray, b: NDArray): { name: string; views: NDArray<FloatDType>[] }[] {
  const la = layouts(a);
  const lb = layouts(b);
  return la.map((x, i) => {
    const y = lb[(i + 1) % lb.length];
    return { name: `${x.name} / ${y.name}`, views: [x.make(), y.make()] };
  });
}

/** The vector `x` as a view with stride 3 and offset 1 in NaN-filled storage, or reversed (stride -3). */
export function stridedVec(x: NDArray, reversed: boolean): Vec {
  const n = x.shape[0];
  const big = alloc(x.dtype as FloatDType, 3 * n + 1).fill(Number.NaN) as Float64Array;
  const v = reversed
    ? new NDArray(big, [n], [-3], n > 0 ? 3 * (n - 1) + 1 : 0)
    : new NDArray(big, [n], [3], 1);
  copyInto(v, x);
  return v as Vec;
}

/** Whether every element of a 2-d view's storage outside the view is still NaN. */
export function untouchedOutside(view: NDArray): boolean {
  const inside = new Set<number>();
  const [m, n] = view.shape;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) inside.add(view.offset + i * view.strides[0] + j * view.strides[1]);
  for (let k = 0; k < view.data.length; k++) if (!inside.has(k) && !Number.isNaN(view.data[k])) return false;
  return true;
}

/** Plain float64 product of two matrix views. */
export function mm(a: NDArray, b: NDArray): NDArray<'float64'> {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const x = f64(a).data;
  const y = f64(b).data;
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const v = x[i * k + p];
      for (let j = 0; j < n; j++) c[i * n + j] += v * y[p * n + j];
    }
  return new NDArray(c, [m, n]);
}

/** ||x||_F in float64. */
export function fro(x: NDArray): number {
  let s = 0;
  for (const v of x.toFlatArray()) s += v * v;
  return Math.sqrt(s);
}

/** ||x - y||_F / (n eps ||x||_F): LAPACK's scaled residual (the plain norm when x is zero). */
export function scaled(x: NDArray, y: NDArray, n: number, eps: number): number {
  const a = x.toFlatArray();
  const b = y.toFlatArray();
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  const den = Math.max(n, 1) * eps * fro(x);
  const r = Math.sqrt(s);
  return Number.isNaN(r) ? Number.POSITIVE_INFINITY : den === 0 ? r : r / den;
}

/** ||I - Q^T Q||_F / (n eps), Q m x n: LAPACK's orthogonality measure. */
export function orthogonality(q: NDArray, eps: number): number {
  const n = q.shape[1];
  return scaled(eye(n), mm(q.T, q), q.shape[0], eps) * Math.sqrt(Math.max(n, 1));
}

/** ||A X - B||_F / (n eps ||A||_F ||X||_F): the scaled residual of a linear solve. */
export function solveResidual(a: NDArray, x: NDArray, b: NDArray, eps: number): number {
  const ax = mm(a, x).data;
  const bb = f64(b).data;
  let s = 0;
  for (let i = 0; i < ax.length; i++) s += (ax[i] - bb[i]) ** 2;
  const r = Math.sqrt(s);
  if (Number.isNaN(r)) return Number.POSITIVE_INFINITY;
  const den = Math.max(a.shape[0], 1) * eps * fro(a) * fro(x);
  return den === 0 ? r : r / den;
}

export function eye(n: number): NDArray<'float64'> {
  const x = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n; i++) x.data[i * n + i] = 1;
  return x;
}

/** Columns (or rows) with their signs fixed so the largest entry is positive, to compare singular/eigenvectors. */
export function fixSigns(a: NDArray, byColumn: boolean): NDArray<'float64'> {
  const x = f64(a);
  const [m, n] = x.shape;
  const outer = byColumn ? n : m;
  const inner = byColumn ? m : n;
  const at = (o: number, i: number) => (byColumn ? i * n + o : o * n + i);
  for (let o = 0; o < outer; o++) {
    let best = 0;
    for (let i = 0; i < inner; i++) if (Math.abs(x.data[at(o, i)]) > Math.abs(x.data[at(o, best)])) best = i;
    if (x.data[at(o, best)] < 0) for (let i = 0; i < inner; i++) x.data[at(o, i)] *= -1;
  }
  return x;
}

/** A seeded n x n orthogonal matrix (Gram-Schmidt of a Gaussian, twice), float64. */
export function orthogonal(n: number, seed: number | string): NDArray<'float64'> {
  const q = rng(seed).normal([n, n]).data as Float64Array;
  for (let pass = 0; pass < 2; pass++)
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + p];
        for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + p];
      }
      let nr = 0;
      for (let i = 0; i < n; i++) nr += q[i * n + j] ** 2;
      nr = Math.sqrt(nr);
      for (let i = 0; i < n; i++) q[i * n + j] /= nr;
    }
  return new NDArray(q, [n, n]);
}

/** Q diag(d) Q^T for a seeded random orthogonal Q, exactly symmetric, in `dtype`. */
export function symmetricWith(d: readonly number[], seed: number | string, dtype: FloatDType): NDArray {
  const n = d.length;
  const q = orthogonal(n, seed).data;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += q[i * n + p] * d[p] * q[j * n + p];
      a[i * n + j] = a[j * n + i] = s;
    }
  return new NDArray(a, [n, n]).astype(dtype);
}

/** An m x n matrix U diag(logspace(min(m, n), cond)) V^T with seeded orthogonal U, V, in `dtype`. */
export function conditioned(m: number, n: number, cond: number, seed: number | string, dtype: FloatDType) {
  const k = Math.min(m, n);
  const s = logspace(k, cond);
  const u = orthogonal(m, `${seed}-u`);
  const v = orthogonal(n, `${seed}-v`);
  const us = f64(u.slice(null, `0:${k}`));
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] *= s[j];
  return mm(us, v.slice(null, `0:${k}`).T).astype(dtype) as NDArray<FloatDType>;
}

/** n values log-spaced from 1 down to 1 / cond. */
export const logspace = (n: number, cond: number) =>
  Array.from({ length: n }, (_, i) => (n === 1 ? 1 : cond ** (-i / (n - 1))));

/** A seeded Gaussian array in `dtype`. */
export const gauss = (seed: string, shape: number[], dtype: FloatDType) =>
  rng(seed).normal(shape, { dtype }) as NDArray<FloatDType>;

export const asMat = (a: NDArray) => a as Mat;
