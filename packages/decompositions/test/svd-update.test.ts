import { NDArray, add, matmul, norm, rng, sub } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { type ThinSvd, svd, svdAppendColumns, svdUpdate } from '../src/index.js';

type M = NDArray<'float64'>;
const fro = (a: NDArray) => norm(a, 'fro').item();
function thin(a: NDArray, k: number): ThinSvd {
  const { u, s, vt } = svd(a);
  return {
    u: u.slice(null, `0:${k}`).copy() as M,
    s: s.slice(`0:${k}`).copy() as M,
    v: vt.slice(`0:${k}`).T.copy() as M,
  };
}
function rebuild(f: ThinSvd): M {
  const us = f.u.copy() as M;
  const [m, k] = us.shape;
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] *= f.s.data[j];
  return matmul(us, f.v.T) as M;
}
const orthError = (q: M) => {
  const k = q.shape[1];
  const g = matmul(q.T, q);
  let e = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) e = Math.max(e, Math.abs(g.data[i * k + j] - (i === j ? 1 : 0)));
  return e;
};

describe('svdUpdate (Brand 2006)', () => {
  it('is exact when nothing is truncated: SVD of U S V^T + X Y^T', () => {
    const a = matmul(rng(1).normal([40, 6]), rng(2).normal([6, 25])) as M;
    const f = thin(a, 6);
    const x = rng(3).normal([40, 2]);
    const y = rng(4).normal([25, 2]);
    const g = svdUpdate(f, x, y, { rank: 8 });
    const want = add(a, matmul(x, y.T));
    expect(fro(sub(rebuild(g), want)) / fro(want)).toBeLessThan(1e-13);
    const s = svd(want, { mode: 'values' }).s.data;
    for (let i = 0; i < 8; i++) expect(Math.abs(g.s.data[i] - s[i])).toBeLessThan(1e-12 * s[0]);
    expect(orthError(g.u)).toBeLessThan(1e-13);
    expect(orthError(g.v)).toBeLessThan(1e-13);
  });
});

describe('svdAppendColumns (Zha-Simon)', () => {
  it('tracks the truncated SVD on a stream of 1000 low-rank-plus-noise columns within 1.1x of the recomputed error', () => {
    const [m, k, n0, total] = [60, 5, 10, 1000];
    const g = rng(7);
    const basis = g.normal([m, k]);
    const column = () => {
      const c = matmul(basis, g.normal([k, 1])) as M;
      for (let i = 0; i < m; i++) c.data[i] += 0.05 * g.nextNormal();
      return c;
    };
    const cols: M[] = Array.from({ length: n0 }, column);
    const asMatrix = () => {
      const a = new NDArray(new Float64Array(m * cols.length), [m, cols.length]);
      cols.forEach((c, j) => {
        for (let i = 0; i < m; i++) a.data[i * cols.length + j] = c.data[i];
      });
      return a;
    };
    let f = thin(asMatrix(), k);
    let worst = 0;
    for (let t = n0; t < total; t++) {
      const c = column();
      cols.push(c);
      f = svdAppendColumns(f, c);
      if ((t + 1) % 200 === 0) {
        const a = asMatrix();
        const best = fro(sub(a, rebuild(thin(a, k))));
        worst = Math.max(worst, fro(sub(a, rebuild(f))) / best);
      }
    }
    // measured: 1.0000037 (Zha-Simon loses only what each truncation drops, here noise)
    expect(worst).toBeLessThan(1.1);
    expect(orthError(f.u)).toBeLessThan(1e-10);
    expect(orthError(f.v)).toBeLessThan(1e-10);
  });
  it('appends rows through the transposed SVD', () => {
    const a = matmul(rng(1).normal([12, 3]), rng(2).normal([3, 9])) as M;
    const f = thin(a, 3);
    const newRows = matmul(rng(3).normal([2, 3]), rng(2).normal([3, 9]).slice()) as M;
    const t = svdAppendColumns({ u: f.v, s: f.s, v: f.u }, newRows.T.copy(), { rank: 3 });
    const stacked = new NDArray(new Float64Array(14 * 9), [14, 9]);
    stacked.data.set(a.data);
    stacked.data.set(newRows.data, 12 * 9);
    const back = rebuild({ u: t.v, s: t.s, v: t.u });
    expect(fro(sub(back, stacked)) / fro(stacked)).toBeLessThan(1e-12);
  });
});
