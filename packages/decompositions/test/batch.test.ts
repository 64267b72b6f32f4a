import { type NDArray, ShapeError, array, stack } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  batched,
  cholesky,
  det,
  eig,
  eigh,
  eigvals,
  expm,
  funm,
  hessenberg,
  inv,
  logm,
  lu,
  newtonSchulz,
  pinv,
  polar,
  qr,
  slogdet,
  solve,
  spdPower,
  sqrtm,
  svd,
} from '../src/index.js';
import { spdWithCondition, withCondition } from './helpers.js';

/** A [2, 3, n, n] stack of distinct matrices from `make(seed)`. */
function stackOf(make: (seed: number) => NDArray): NDArray {
  return stack([0, 1].map((i) => stack([0, 1, 2].map((j) => make(10 * i + j + 1)))));
}

/** Every field of the batched result, at batch index [i, j], equals the 2-D call on that matrix. */
function expectMapped(batchedResult: unknown, single: (m: NDArray) => unknown, a: NDArray): void {
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 3; j++) {
      const want = single(a.slice(i, j));
      const got = batchedResult;
      const pick = (v: unknown) => (v as NDArray).slice(i, j).toArray();
      if (want !== null && typeof want === 'object' && !('shape' in want)) {
        for (const [key, value] of Object.entries(want)) {
          const field = (got as Record<string, unknown>)[key];
          if (value === null) expect(field).toBeNull();
          else expect(pick(field)).toEqual((value as NDArray).toArray());
        }
      } else expect(pick(got)).toEqual((want as NDArray).toArray());
    }
}

describe('batching over leading dimensions, as NumPy', () => {
  const general = stackOf((seed) => withCondition(5, 5, 10, seed));
  const spd = stackOf((seed) => spdWithCondition(4, 10, seed));
  const wide = stackOf((seed) => withCondition(3, 5, 10, seed));

  it('array-valued functions map over a [2, 3, n, n] stack and match the 2-D calls', () => {
    expectMapped(expm(general), expm, general);
    expectMapped(sqrtm(spd), sqrtm, spd);
    expectMapped(logm(spd), logm, spd);
    expectMapped(
      funm(spd, (w) => Math.exp(-w)),
      (m) => funm(m, (w) => Math.exp(-w)),
      spd,
    );
    expectMapped(spdPower(spd, -0.25), (m) => spdPower(m, -0.25), spd);
    expectMapped(pinv(wide), pinv, wide);
    expectMapped(polar(wide), polar, wide);
    expectMapped(newtonSchulz(wide, { steps: 3 }), (m) => newtonSchulz(m, { steps: 3 }), wide);
    expectMapped(hessenberg(general), hessenberg, general);
    expectMapped(eigvals(general), eigvals, general);
    expectMapped(eig(general), eig, general);
    expect(expm(general).shape).toEqual([2, 3, 5, 5]);
    expect(pinv(wide).shape).toEqual([2, 3, 5, 3]);
  });

  it('cholesky, qr, svd and eigh (all, values only, a range) map over stacks', () => {
    expectMapped(cholesky(spd), cholesky, spd);
    expectMapped(qr(wide), qr, wide);
    expectMapped(qr(general, { mode: 'r' }), (m) => qr(m, { mode: 'r' }), general);
    expectMapped(svd(wide), svd, wide);
    expectMapped(svd(general, { mode: 'values' }), (m) => svd(m, { mode: 'values' }), general);
    expectMapped(eigh(spd), eigh, spd);
    expectMapped(eigh(spd, { vectors: false }), (m) => eigh(m, { vectors: false }), spd);
    expectMapped(eigh(spd, { range: [1, 2] }), (m) => eigh(m, { range: [1, 2] }), spd);
    expect(svd(wide).u.shape).toEqual([2, 3, 3, 3]);
    expect(() => qr(general, { pivoting: true })).toThrow(/batched\(qr\)/);
    expect(batched(qr)(general, { pivoting: true }).p?.shape).toEqual([2, 3, 5]);
  });

  it('solve and inv map over stacks; b broadcasts, and a 1-D b is one vector for every matrix', () => {
    expectMapped(inv(general), inv, general);
    const rhs = stackOf((seed) => withCondition(5, 2, 3, seed)); // [2, 3, 5, 2]
    const xs = solve(general, rhs);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        expect(xs.slice(i, j).toArray()).toEqual(solve(general.slice(i, j), rhs.slice(i, j)).toArray());
    const v = array([1, -2, 0.5, 3, 0]);
    const x = solve(general, v);
    expect(x.shape).toEqual([2, 3, 5]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        expect(x.slice(i, j).toArray()).toEqual(solve(general.slice(i, j), v).toArray());
    // one matrix against a stack of right-hand sides: a broadcasts
    const one = general.slice(0, 0);
    const many = solve(one, rhs);
    expect(many.shape).toEqual([2, 3, 5, 2]);
    expect(many.slice(1, 2).toArray()).toEqual(solve(one, rhs.slice(1, 2)).toArray());
  });

  it('batched(fn) turns numbers and index arrays into arrays of the batch shape', () => {
    const d = batched(det)(general);
    expect(d.shape).toEqual([2, 3]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) expect(d.get(i, j)).toBe(det(general.slice(i, j)));
    // An independent check: determinants of diagonal matrices are the products of their diagonals.
    const diagonals = array([
      [
        [2, 0],
        [0, 3],
      ],
      [
        [-1, 0],
        [0, 4],
      ],
    ]);
    expect(batched(det)(diagonals).toArray()).toEqual([6, -4]);
    const s = batched(slogdet)(diagonals);
    expect(s.sign.toArray()).toEqual([1, -1]);
    expect(s.logabsdet.get(1)).toBeCloseTo(Math.log(4), 14);
    const f = batched(lu)(general);
    expect(f.p.dtype).toBe('int32');
    expect(f.p.shape).toEqual([2, 3, 5]);
    expect(Array.from(f.p.slice(1, 2).toFlatArray())).toEqual(Array.from(lu(general.slice(1, 2)).p));
  });

  it('broadcasts batch dimensions between arguments and honours core dimensions', () => {
    const mats = stackOf((seed) => withCondition(3, 3, 5, seed)); // [2, 3, 3, 3]
    const vectors = array([[0.5, -1.25, 2]]); // [1, 3] : batch [1], core [3]
    const apply = batched(
      (m: NDArray, v: NDArray) =>
        m
          .slice(null, 0)
          .toFlatArray()
          .reduce((s, x, k) => s + x * v.get(k), 0),
      {
        coreDims: [2, 1],
      },
    );
    const out = apply(mats, vectors);
    expect(out.shape).toEqual([2, 3]);
    const m = mats.slice(1, 2);
    const want = [0, 1, 2].reduce((s, k) => s + m.get(k, 0) * vectors.get(0, k), 0);
    expect(out.get(1, 2)).toBeCloseTo(want, 15);
    expect(() =>
      apply(
        mats,
        array([
          [1, 2, 3],
          [4, 5, 6],
        ]), // batch [2] does not broadcast against [2, 3]
      ),
    ).toThrow(ShapeError);
  });

  it('an empty batch gives empty results of the right shape; too few dimensions is a ShapeError', () => {
    const empty = general.slice('0:0');
    expect(expm(empty).shape).toEqual([0, 3, 5, 5]);
    expect(batched(det)(empty).shape).toEqual([0, 3]);
    expect(eig(empty).vectorsRe.shape).toEqual([0, 3, 5, 5]);
    expect(() => batched(det)(array([1, 2]))).toThrow(/det.*at least 2 dimensions/);
  });
});
