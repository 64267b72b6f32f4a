import { NDArray } from '@krylov/core-array';

export const nd = (data: ArrayLike<number>, shape: number[]): NDArray<'float64'> =>
  new NDArray(Float64Array.from(data), shape) as NDArray<'float64'>;

export const flat = (a: NDArray): Float64Array => a.copy('float64').data as Float64Array;

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

export function fro(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

export function relDiff(a: NDArray, b: NDArray): number {
  const x = flat(a);
  const y = flat(b);
  return fro(x.map((v, i) => v - y[i])) / fro(y);
}

/** max |F^T F - I| of a rows x cols factor. */
export function orthError(f: NDArray): number {
  const [m, n] = f.shape;
  const d = flat(f);
  let e = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += d[k * n + i] * d[k * n + j];
      e = Math.max(e, Math.abs(s - (i === j ? 1 : 0)));
    }
  return e;
}
