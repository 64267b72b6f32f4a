import {
  type FloatDType,
  type KernelArgs,
  type KernelName,
  type KernelResult,
  NDArray,
  copyInto,
  explain,
  rng,
  runKernel,
  use,
  withBackends,
} from '@krylov/core-array';
// registers the pure-JS LAPACK kernels (potrf, getrf, ...) that are the oracle here
import { cholesky } from '@krylov/decompositions';
import { expect } from 'vitest';
import { nativeAddon, plugin } from '../src/index.js';

void cholesky;
use(plugin);

/** Whether the addon is built; native tests are skipped (only) when it is not. */
export const built = nativeAddon() !== null;

export const DTYPES: readonly FloatDType[] = ['float64', 'float32'];
export const epsOf = (d: FloatDType) => (d === 'float64' ? 2 ** -52 : 2 ** -23);
/** Condition numbers for the ill-conditioned cases: near the limit of each precision. */
export const COND = { float64: 1e12, float32: 1e5 } as const;

/**
 * The same values as `a` in several memory layouts, each with NaN in the storage around it so
 * a read or write outside the view shows: row-major, column-major (a transposed view), row-major
 * with a padded leading dimension, strided in both dimensions (the copy path) and with reversed
 * rows (a negative stride, also the copy path).
 */
export function layouts(a: NDArray): { name: string; make: () => NDArray }[] {
  const [m, n] = a.shape;
  const dt = a.dtype as FloatDType;
  const nanFilled = (shape: number[]) => {
    const x = new NDArray(
      dt === 'float64' ? new Float64Array(shape[0] * shape[1]) : new Float32Array(shape[0] * shape[1]),
      shape,
    );
    x.data.fill(Number.NaN);
    return x;
  };
  const place = (big: NDArray, view: NDArray) => {
    copyInto(view, a);
    return view;
  };
  return [
    { name: 'row-major', make: () => a.copy() },
    { name: 'column-major', make: () => a.T.copy().T },
    {
      name: 'padded ld',
      make: () => {
        const big = nanFilled([m + 2, n + 3]);
        return place(big, big.slice(`1:${m + 1}`, `2:${n + 2}`));
      },
    },
    {
      name: 'strided',
      make: () => {
        const big = nanFilled([2 * m + 1, 2 * n + 1]);
        return place(big, big.slice(`1:${2 * m + 1}:2`, `1:${2 * n + 1}:2`));
      },
    },
    {
      name: 'reversed rows',
      make: () => {
        const big = nanFilled([m + 1, n]);
        return place(big, big.slice(`${m}:0:-1`));
      },
    },
  ];
}

/** Every element of the view's storage outside the view is still NaN (nothing written outside). */
export function untouchedOutside(view: NDArray): boolean {
  const inside = new Set<number>();
  const [m, n] = view.shape;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) inside.add(view.offset + i * view.strides[0] + j * view.strides[1]);
  for (let k = 0; k < view.data.length; k++) if (!inside.has(k) && !Number.isNaN(view.data[k])) return false;
  return true;
}

/** Runs `kernel` on one backend only, failing if another one would be chosen. */
export function on<K extends KernelName>(
  backend: 'js' | 'native',
  kernel: K,
  args: KernelArgs<K>,
): KernelResult<K> {
  return withBackends([backend], () => {
    expect(explain(kernel, args).backend).toBe(backend);
    return runKernel(kernel, args);
  });
}

/** max |x - y| / max(1, max |y|) over two arrays of one shape. */
export function relErr(x: NDArray, y: NDArray): number {
  expect(x.shape).toEqual(y.shape);
  const a = x.toFlatArray();
  const b = y.toFlatArray();
  let num = 0;
  let den = 1;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return Number.isNaN(num) ? Number.POSITIVE_INFINITY : num / den;
}

/** A matrix view (any layout) as a contiguous float64 array, for reference arithmetic. */
export const f64 = (a: NDArray) => a.copy('float64') as NDArray<'float64'>;

/** Plain float64 product of two matrix views, independent of every backend. */
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

/** ||x - y||_F / (n eps ||x||): LAPACK's scaled residual. */
export function scaled(x: NDArray, y: NDArray, n: number, eps: number): number {
  const a = x.toFlatArray();
  const b = y.toFlatArray();
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  const den = Math.max(n, 1) * eps * fro(x);
  return den === 0 ? Math.sqrt(s) : Math.sqrt(s) / den;
}

/** Rows (or columns) with their signs fixed so the largest entry is positive, to compare singular/eigenvectors. */
export function fixSigns(a: NDArray<'float64'>, byColumn: boolean): NDArray<'float64'> {
  const x = a.copy() as NDArray<'float64'>;
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

/** Q diag(d) Q^T for a random orthogonal Q (from a plain Gram-Schmidt of a seeded Gaussian, twice). */
export function symmetricWith(d: readonly number[], seed: number, dtype: FloatDType): NDArray {
  const n = d.length;
  const q = rngNormal(n, seed);
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
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += q[i * n + p] * d[p] * q[j * n + p];
      a[i * n + j] = a[j * n + i] = s;
    }
  return new NDArray(a, [n, n]).astype(dtype);
}

function rngNormal(n: number, seed: number): Float64Array {
  return rng(seed).normal([n, n]).data as Float64Array;
}

/** n values log-spaced from 1 down to 1 / cond. */
export const logspace = (n: number, cond: number) =>
  Array.from({ length: n }, (_, i) => (n === 1 ? 1 : cond ** (-i / (n - 1))));
