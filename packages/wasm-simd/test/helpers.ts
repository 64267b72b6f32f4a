import {
  type FloatDType,
  type KernelArgs,
  type KernelName,
  type KernelResult,
  NDArray,
  type Vec,
  copyInto,
  explain,
  runKernel,
  use,
  withBackends,
} from '@krylov/core-array';
import { expect } from 'vitest';
import { plugin } from '../src/index.js';

use(plugin);

export const DTYPES: readonly FloatDType[] = ['float64', 'float32'];
export const epsOf = (d: FloatDType) => (d === 'float64' ? 2 ** -52 : 2 ** -23);

function nanFilled(dt: FloatDType, length: number): Float64Array | Float32Array {
  const data = dt === 'float64' ? new Float64Array(length) : new Float32Array(length);
  return data.fill(Number.NaN);
}

/**
 * The same values as `a` in several memory layouts, each with NaN in the storage around it so a
 * read or write outside the view shows: row-major, column-major (a transposed view), padded
 * leading dimension, strided in both dimensions, reversed rows (a negative stride).
 */
export function layouts(a: NDArray): { name: string; make: () => NDArray }[] {
  const [m, n] = a.shape;
  const dt = a.dtype as FloatDType;
  const place = (view: NDArray) => {
    copyInto(view, a);
    return view;
  };
  const big = (r: number, c: number) => new NDArray(nanFilled(dt, r * c) as Float64Array, [r, c]);
  return [
    { name: 'row-major', make: () => a.copy() },
    { name: 'column-major', make: () => a.T.copy().T },
    { name: 'padded ld', make: () => place(big(m + 2, n + 3).slice(`1:${m + 1}`, `2:${n + 2}`)) },
    {
      name: 'strided',
      make: () => place(big(2 * m + 1, 2 * n + 1).slice(`1:${2 * m + 1}:2`, `1:${2 * n + 1}:2`)),
    },
    { name: 'reversed rows', make: () => place(big(m + 1, n).slice(`${m}:0:-1`)) },
  ];
}

/** For each layout, every matrix in that layout; then two mixes of layouts. */
export function variants(mats: NDArray[]): { name: string; views: NDArray[] }[] {
  const per = mats.map(layouts);
  const out = per[0].map((_, l) => ({ name: per[0][l].name, views: per.map((p) => p[l].make()) }));
  out.push({ name: 'mixed 1', views: per.map((p, i) => p[(i + 1) % p.length].make()) });
  out.push({ name: 'mixed 2', views: per.map((p, i) => p[(i + 3) % p.length].make()) });
  return out;
}

/** Every element of a matrix view's storage outside the view is still NaN. */
export function untouchedOutside(view: NDArray): boolean {
  const inside = new Set<number>();
  const [m, n] = view.shape;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) inside.add(view.offset + i * view.strides[0] + j * view.strides[1]);
  for (let k = 0; k < view.data.length; k++) if (!inside.has(k) && !Number.isNaN(view.data[k])) return false;
  return true;
}

/** A copy of vector `x` with stride 3 in NaN-filled storage, or reversed (stride -3). */
export function stridedVec(x: NDArray, reversed: boolean): Vec {
  const n = x.shape[0];
  const big = nanFilled(x.dtype as FloatDType, 3 * n + 1) as Float64Array;
  const v = reversed
    ? new NDArray(big, [n], [-3], n > 0 ? 3 * (n - 1) + 1 : 0)
    : new NDArray(big, [n], [3], 1);
  copyInto(v, x);
  return v as NDArray as Vec;
}

/** Runs `kernel` on one backend only, failing if another one would be chosen. */
export function on<K extends KernelName>(backend: string, kernel: K, args: KernelArgs<K>): KernelResult<K> {
  return withBackends([backend], () => {
    const e = explain(kernel, args);
    expect(e.backend, JSON.stringify(e.considered)).toBe(backend);
    return runKernel(kernel, args);
  });
}

/** max |x - y| / max(1, max |y|) over two arrays of one shape (NaN anywhere gives Infinity). */
export function relErr(x: NDArray, y: NDArray): number {
  expect(x.shape).toEqual(y.shape);
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

/** A view as a contiguous float64 array (the oracle runs in float64). */
export const f64 = <T extends NDArray>(a: T) => a.copy('float64') as unknown as T;
