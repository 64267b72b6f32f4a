import { type Mat, NDArray, type Vec, defineKernel } from '@krylov/core-array';
import { syevd } from './eigh.js';

/**
 * Eigenvalues il..iu (0-based, inclusive, in ascending order) of a symmetric matrix, read from its
 * lower triangle, and with `vectors` the matching orthonormal eigenvectors as the columns of an
 * n x (iu - il + 1) matrix (LAPACK dsyevr with RANGE = 'I'). `iu = il - 1` asks for none. The
 * pure-JS version is the full decomposition of the registered `syevd` kernel (tridiagonalization +
 * implicit QL) followed by a selection, so it costs as much as the full problem; LAPACK's dsyevr
 * computes only the wanted pairs by MRRR. Returns syevd's info (> 0: QL did not converge).
 * O(9 n^3) with vectors.
 */
export const syevr = defineKernel('syevr', ({ a, vectors, il, iu }) => {
  const n = a.shape[0];
  const count = Math.max(0, iu - il + 1);
  const Ctor = a.data.constructor as Float64ArrayConstructor;
  if (count === 0)
    return {
      w: new NDArray(new Ctor(0), [0]) as Vec,
      v: vectors ? (new NDArray(new Ctor(0), [n, 0]) as Mat) : null,
      info: 0,
    };
  const full = syevd({ a, vectors });
  const w = new NDArray(new Ctor(count), [count]) as Vec;
  for (let i = 0; i < count; i++) w.data[i] = full.w.get(il + i);
  if (!vectors || !full.v) return { w, v: null, info: full.info };
  const v = new NDArray(new Ctor(n * count), [n, count]) as Mat;
  for (let i = 0; i < n; i++) for (let j = 0; j < count; j++) v.data[i * count + j] = full.v.get(i, il + j);
  return { w, v, info: full.info };
});
