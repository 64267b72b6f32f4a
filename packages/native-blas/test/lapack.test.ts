// The native LAPACK kernels' own behaviour. Their agreement with the pure-JS kernels and LAPACK's
// scaled residuals over every layout, size and dtype is the conformance suite's (conformance.test.ts).
import { type Mat, NDArray, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { built, on, relErr } from './helpers.js';

const eps = 2 ** -52;

describe.skipIf(!built)('native geqrf scratch pool', () => {
  // one dtype is enough: the pool is shared by both instantiations and counts bytes
  it('geqrf and orgqr: a copy above what the per-thread pool keeps (64 MiB), then small ones again', () => {
    // row-major input goes through the scratch copy, column-major is passed as it lies: the same
    // LAPACK call on the same numbers, so the results agree exactly
    const [m, n] = [8400, 1000];
    // one set of entries in both layouts (a formula: a seeded generator takes seconds at 8.4e6)
    const rowData = new Float64Array(m * n);
    const colData = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        const v = Math.sin(0.37 * i + 1.91 * j) + ((7 * i + 13 * j) % 17) / 17;
        rowData[i * n + j] = v;
        colData[j * m + i] = v;
      }
    const rowMajor = new NDArray(rowData, [m, n]) as Mat;
    const colMajor = new NDArray(colData, [m, n], [1, m]) as Mat;
    /** Entries (i, j) where the two layouts' results differ at all. */
    const differing = () => {
      let count = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) if (!Object.is(rowData[i * n + j], colData[j * m + i])) count++;
      return count;
    };
    const t1 = on('native', 'geqrf', { a: rowMajor }).tau;
    const t2 = on('native', 'geqrf', { a: colMajor }).tau;
    expect(t1.toFlatArray()).toEqual(t2.toFlatArray());
    expect(differing()).toBe(0);
    on('native', 'orgqr', { a: rowMajor, tau: t1 });
    on('native', 'orgqr', { a: colMajor, tau: t2 });
    expect(differing()).toBe(0);
    for (const k of [3, 40]) {
      const small = rng(`geqrf-after-big-${k}`).normal([k, k], { dtype: 'float64' });
      const ref = small.copy('float64') as Mat;
      const refTau = on('js', 'geqrf', { a: ref }).tau;
      const v = small.copy() as Mat;
      expect(relErr(on('native', 'geqrf', { a: v }).tau, refTau)).toBeLessThan(100 * (k + 1) * eps);
      expect(relErr(v, ref)).toBeLessThan(100 * (k + 1) * eps);
    }
  });
});
