import { InvalidArgumentError, ShapeError, array, matmul, rng } from '@krylov/core-array';
import { solve } from '@krylov/decompositions';
import { describe, expect, it } from 'vitest';
import {
  DiagonalPlusLowRank,
  LinearOperator,
  aslinearoperator,
  blockDiag,
  identityOperator,
  kron,
  poisson,
  randomSparse,
} from '../src/index.js';
import { maxAbsDiff } from './helpers.js';

function denseKron(a: number[][], b: number[][]): number[][] {
  const out: number[][] = [];
  for (const ar of a) for (const br of b) out.push(ar.flatMap((av) => br.map((bv) => av * bv)));
  return out;
}

describe('LinearOperator', () => {
  const a = rng(1).normal([4, 3]);
  const b = rng(2).normal([3, 5]);

  it('wraps dense and sparse matrices with matvec and rmatvec', () => {
    const op = aslinearoperator(a);
    expect(maxAbsDiff(op.toDense().data, a.data)).toBeLessThan(1e-15);
    expect(maxAbsDiff(op.T.toDense().data, a.T.copy().data)).toBeLessThan(1e-15);
    const s = randomSparse(6, 4, { density: 0.5, seed: 3 });
    expect(maxAbsDiff(aslinearoperator(s).toDense().data, s.toDense().data)).toBe(0);
    expect(maxAbsDiff(aslinearoperator(s.toCOO()).T.toDense().data, s.toDense().T.copy().data)).toBe(0);
    expect(maxAbsDiff(aslinearoperator(a.T).toDense().data, a.T.copy().data)).toBe(0);
  });

  it('composes lazily: sum, scale, product, transpose', () => {
    const A = aslinearoperator(a);
    const B = aslinearoperator(b);
    expect(maxAbsDiff(A.dot(B).toDense().data, matmul(a, b).data)).toBeLessThan(1e-14);
    expect(maxAbsDiff(A.dot(B).T.toDense().data, matmul(a, b).T.copy().data)).toBeLessThan(1e-14);
    expect(
      maxAbsDiff(
        A.add(A.scale(-3)).toDense().data,
        a.data.map((v) => -2 * v),
      ),
    ).toBeLessThan(1e-14);
    expect(identityOperator(3).toDense().toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(() => A.dot(A)).toThrow(ShapeError);
    expect(() => A.add(B)).toThrow(ShapeError);
    expect(() => new LinearOperator([2, 2], () => {}).T).toThrow(InvalidArgumentError);
  });

  it('applies Kronecker products without forming them', () => {
    const k = kron(a, b);
    expect(k.shape).toEqual([12, 15]);
    const expected = denseKron(a.toArray() as number[][], b.toArray() as number[][]).flat();
    expect(maxAbsDiff(k.toDense().data, expected)).toBeLessThan(1e-14);
    expect(
      maxAbsDiff(
        k.T.toDense().data,
        array(denseKron(a.toArray() as number[][], b.toArray() as number[][])).T.copy().data,
      ),
    ).toBeLessThan(1e-14);
    // The 2-D Laplacian is I (x) T + T (x) I.
    const t = poisson([5]);
    const lap = kron(identityOperator(5), t).add(kron(t, identityOperator(5)));
    expect(maxAbsDiff(lap.toDense().data, poisson([5, 5]).toDense().data)).toBe(0);
  });

  it('stacks blocks on the diagonal', () => {
    const op = blockDiag([a, b]);
    expect(op.shape).toEqual([7, 8]);
    const d = op.toDense();
    expect(d.get(1, 2)).toBe(a.get(1, 2));
    expect(d.get(5, 7)).toBe(b.get(1, 4));
    expect(d.get(0, 5)).toBe(0);
    expect(maxAbsDiff(op.T.toDense().data, d.T.copy().data)).toBe(0);
  });

  it('solves diagonal plus low rank exactly by Woodbury', () => {
    const n = 30;
    const d = Float64Array.from({ length: n }, (_, i) => 1 + i / 10);
    const u = rng(4).normal([n, 3]);
    const v = rng(5).normal([n, 3]);
    const op = new DiagonalPlusLowRank(d, u, v);
    const dense = op.toDense();
    const expected = matmul(u, v.T).data.map((x, idx) => x + (idx % (n + 1) === 0 ? d[idx / (n + 1)] : 0));
    expect(maxAbsDiff(dense.data, expected)).toBeLessThan(1e-13);
    const b = rng(6).normal([n]).data as Float64Array;
    const x = op.solve(b);
    expect(maxAbsDiff(x, solve(dense, array(Array.from(b))).data)).toBeLessThan(1e-10);
    expect(maxAbsDiff(op.T.toDense().data, dense.T.copy().data)).toBeLessThan(1e-13);
    expect(() => new DiagonalPlusLowRank(d, rng(1).normal([n - 1, 2]))).toThrow(ShapeError);
    expect(() => new DiagonalPlusLowRank(new Float64Array(n), u).solve(b)).toThrow(/nonzero diagonal/);
  });
});
