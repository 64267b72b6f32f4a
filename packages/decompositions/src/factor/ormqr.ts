import { defineKernel } from '@krylov/core-array';

/**
 * C = op(Q) C (side 'left') or C op(Q) (side 'right'), op(Q) = Q or Q^T, for the orthogonal
 * Q = H_0 H_1 ... H_{k-1} held as geqrf's Householder reflectors (LAPACK dormqr, unblocked
 * dorm2r): reflector j is H_j = I - tau_j v_j v_j^T with v_j(j) = 1 implied and v_j(j+1:) stored
 * below the diagonal of column j of `a`; k = tau's length. Q is never formed. `a` has as many rows
 * as C has rows (left) or columns (right) and at least k columns; only its strictly lower part
 * in the first k columns is read. Any strides, float64 or float32 (accumulated in double).
 * O(4 k m n - 2 k^2 n) for C m x n on the left.
 */
export const ormqr = defineKernel('ormqr', ({ a, tau, c, side, transpose }) => {
  const [m, n] = c.shape;
  const k = tau.shape[0];
  const left = side === 'left';
  const d = a.data;
  const [ars, acs] = a.strides;
  const v = (i: number, j: number) => (i === j ? 1 : d[a.offset + i * ars + j * acs]);
  const t = (j: number) => tau.data[tau.offset + j * (tau.strides[0] ?? 1)];
  const cd = c.data;
  const [crs, ccs] = c.strides;
  // Q C applies H_{k-1} first; Q^T C applies H_0 first; C Q applies H_0 first; C Q^T H_{k-1} first.
  const forward = left === transpose;
  // on the left, the reflector acts on each column of C (stride crs along it, ccs between them);
  // on the right, on each row (the roles swap)
  const [len, count, along, across] = left ? [m, n, crs, ccs] : [n, m, ccs, crs];
  for (let s = 0; s < k; s++) {
    const j = forward ? s : k - 1 - s;
    const tj = t(j);
    if (tj === 0) continue;
    for (let q = 0; q < count; q++) {
      const base = c.offset + q * across;
      let dot = 0;
      for (let i = j; i < len; i++) dot += v(i, j) * cd[base + i * along];
      dot *= tj;
      for (let i = j; i < len; i++) cd[base + i * along] -= dot * v(i, j);
    }
  }
});
