import { readFileSync } from 'node:fs';
import { InvalidArgumentError, ShapeError, array, matmul, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  COOMatrix,
  CSCMatrix,
  CSRMatrix,
  MatrixMarketError,
  poisson,
  randomSparse,
  readMatrixMarket,
  writeMatrixMarket,
} from '../src/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('sparse formats', () => {
  const coo = new COOMatrix([3, 4], [0, 2, 0, 1, 0], [3, 1, 0, 1, 3], [1, 2, 3, 4, 5]);
  const dense = [
    [3, 0, 0, 6],
    [0, 4, 0, 0],
    [0, 2, 0, 0],
  ];

  it('sums duplicates and sorts indices when compressing', () => {
    const csr = coo.toCSR();
    expect(Array.from(csr.indptr)).toEqual([0, 2, 3, 4]);
    expect(Array.from(csr.indices)).toEqual([0, 3, 1, 1]);
    expect(Array.from(csr.data)).toEqual([3, 6, 4, 2]);
    expect(csr.toDense().toArray()).toEqual(dense);
    expect(coo.toCSC().toDense().toArray()).toEqual(dense);
    expect(csr.toCSC().toCSR().toDense().toArray()).toEqual(dense);
    expect(CSRMatrix.fromDense(array(dense)).toCOO().toDense().toArray()).toEqual(dense);
  });

  it('transposes without copying and matches dense products', () => {
    const a = randomSparse(7, 5, { density: 0.4, seed: 1, values: 'normal' });
    const d = a.toDense();
    const x = rng(2).normal([5]).data as Float64Array;
    const y = rng(3).normal([7]).data as Float64Array;
    const ax = matmul(d, array(Array.from(x))).toFlatArray();
    a.matvec(x).forEach((v, i) => expect(v).toBeCloseTo(ax[i], 13));
    const aty = matmul(d.T, array(Array.from(y))).toFlatArray();
    a.rmatvec(y).forEach((v, i) => expect(v).toBeCloseTo(aty[i], 13));
    const t = a.transpose();
    expect(t).toBeInstanceOf(CSCMatrix);
    expect(t.indptr).toBe(a.indptr);
    expect(t.toDense().toArray()).toEqual(d.T.toArray());
    t.matvec(y).forEach((v, i) => expect(v).toBeCloseTo(aty[i], 13));
    const b = rng(4).normal([5, 3]);
    const ab = matmul(d, b).toFlatArray();
    a.matmul(b)
      .toFlatArray()
      .forEach((v, i) => expect(v).toBeCloseTo(ab[i], 13));
    a.matmul(b.T.copy().T)
      .toFlatArray()
      .forEach((v, i) => expect(v).toBeCloseTo(ab[i], 13));
  });

  it('adds, scales, slices rows and reads the diagonal', () => {
    const a = coo.toCSR();
    const b = CSRMatrix.fromDense(
      array([
        [1, 1, 0, 0],
        [0, -4, 0, 0],
        [0, 0, 7, 0],
      ]),
    );
    expect(a.add(b).toDense().toArray()).toEqual([
      [4, 1, 0, 6],
      [0, 0, 0, 0],
      [0, 2, 7, 0],
    ]);
    expect(a.add(b.toCSC()).get(2, 2)).toBe(7);
    expect((a.scale(2).toDense().toArray() as number[][])[0]).toEqual([6, 0, 0, 12]);
    expect(Array.from(a.diagonal())).toEqual([3, 4, 0]);
    expect(a.rows(1, 3).toDense().toArray()).toEqual(dense.slice(1));
    expect(a.rows(1, 1).shape).toEqual([0, 4]);
    expect(() => a.rows(2, 1)).toThrow(InvalidArgumentError);
    expect(() => a.add(poisson([3]))).toThrow(ShapeError);
  });

  it('rejects malformed arrays with typed errors', () => {
    expect(() => new COOMatrix([2, 2], [0, 2], [0, 0], [1, 1])).toThrow(/rows\[1\]/);
    expect(() => new COOMatrix([2, 2], [0], [0, 1], [1])).toThrow(ShapeError);
    expect(() => new COOMatrix([2, 2], [0], [0], [Number.NaN])).toThrow(/finite/);
    expect(() => new COOMatrix([2, -1], [], [], [])).toThrow(/shape/);
    expect(
      () => new CSRMatrix([2, 2], Int32Array.of(0, 2, 1), Int32Array.of(0, 1), Float64Array.of(1, 2)),
    ).toThrow(InvalidArgumentError);
    expect(() => new CSRMatrix([2, 2], Int32Array.of(0, 1), Int32Array.of(0), Float64Array.of(1))).toThrow(
      ShapeError,
    );
    expect(() => coo.toCSR().matvec(new Float64Array(3))).toThrow(ShapeError);
  });
});

describe('generators', () => {
  it('builds the Dirichlet Laplacian in 1, 2 and 3 dimensions', () => {
    expect(poisson([4]).toDense().toArray()).toEqual([
      [2, -1, 0, 0],
      [-1, 2, -1, 0],
      [0, -1, 2, -1],
      [0, 0, -1, 2],
    ]);
    const p2 = poisson([3, 4]);
    expect(p2.shape).toEqual([12, 12]);
    expect(p2.nnz).toBe(12 + 2 * (3 * 3 + 2 * 4));
    const d = p2.toDense();
    expect(d.toArray()).toEqual(d.T.toArray());
    // Interior point (1, 1) = index 5: 4 on the diagonal and four neighbours.
    expect((d.toArray() as number[][])[5]).toEqual([0, -1, 0, 0, -1, 4, -1, 0, 0, -1, 0, 0]);
    const p3 = poisson([3, 3, 3]);
    expect(p3.get(13, 13)).toBe(6);
    const row13 = (p3.toDense().toArray() as number[][])[13];
    expect(row13.filter((v) => v === -1)).toHaveLength(6);
    expect(() => poisson([0])).toThrow(InvalidArgumentError);
  });

  it('draws seeded random sparse matrices of the requested density', () => {
    const a = randomSparse(50, 40, { density: 0.1, seed: 7 });
    expect(a.nnz).toBe(200);
    expect(randomSparse(50, 40, { density: 0.1, seed: 7 }).toDense().toArray()).toEqual(
      a.toDense().toArray(),
    );
    expect(randomSparse(50, 40, { density: 0.1, seed: 8 }).toDense().toArray()).not.toEqual(
      a.toDense().toArray(),
    );
    expect(Array.from(a.data).every((v) => v >= 0 && v < 1)).toBe(true);
    expect(() => randomSparse(5, 5, { density: 1.5, seed: 1 })).toThrow(InvalidArgumentError);
  });
});

describe('Matrix Market', () => {
  it('reads SciPy-written files: general and symmetric (mirrored)', () => {
    const spd = readMatrixMarket(fixture('spd8.mtx')).toCSR();
    expect(spd.shape).toEqual([64, 64]);
    const d = spd.toDense();
    expect(d.toArray()).toEqual(d.T.toArray());
    expect(spd.get(0, 0)).toBeCloseTo(4.1, 14);
    const expected = poisson([8, 8]).toDense();
    for (let i = 0; i < 64; i++)
      for (let j = 0; j < 64; j++) if (i !== j) expect(d.get(i, j)).toBe(expected.get(i, j));
    const conv = readMatrixMarket(fixture('convdiff20.mtx'));
    expect(conv.shape).toEqual([400, 400]);
  });

  it('round-trips exactly, general and symmetric', () => {
    const a = randomSparse(9, 6, { density: 0.3, seed: 3, values: 'normal' });
    expect(
      readMatrixMarket(writeMatrixMarket(a, { comment: 'two\nlines' }))
        .toDense()
        .toArray(),
    ).toEqual(a.toDense().toArray());
    const s = poisson([3, 3]);
    const text = writeMatrixMarket(s, { symmetric: true });
    expect(text.split('\n')[0]).toContain('symmetric');
    expect(readMatrixMarket(text).toDense().toArray()).toEqual(s.toDense().toArray());
  });

  it('reads pattern, integer, skew-symmetric and array files', () => {
    const pattern = readMatrixMarket('%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 1\n');
    expect(pattern.toDense().toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    const skew = readMatrixMarket(
      '%%MatrixMarket matrix coordinate integer skew-symmetric\n% c\n2 2 1\n2 1 5\n',
    );
    expect(skew.toDense().toArray()).toEqual([
      [0, -5],
      [5, 0],
    ]);
    const dense = readMatrixMarket('%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n');
    expect(dense.toDense().toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    const sym = readMatrixMarket('%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n4\n');
    expect(sym.toDense().toArray()).toEqual([
      [1, 2],
      [2, 4],
    ]);
  });

  it('names the line of the first malformed entry', () => {
    const bad = (text: string, line: number, pattern: RegExp) => {
      try {
        readMatrixMarket(text);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(MatrixMarketError);
        expect((e as MatrixMarketError).line).toBe(line);
        expect((e as Error).message).toMatch(pattern);
      }
    };
    bad('%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n', 1, /complex/);
    bad('hello\n', 1, /header/);
    bad('%%MatrixMarket matrix coordinate real general\n%c\n2 2 2\n1 1 1.5\n3 1 2\n', 5, /outside/);
    bad('%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 abc\n', 3, /"abc"/);
    bad('%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n', 3, /after 1 of the 2/);
    bad('%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1\n', 3, /above the diagonal/);
    bad('%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 2 1.5\n', 3, /integer/);
    bad('%%MatrixMarket matrix coordinate real general\n2 2 1\n1 2\n', 3, /expected 3 numbers/);
    bad('%%MatrixMarket matrix coordinate real general\n2 2 1\n1 2 1\n2 2 1\n', 4, /more than/);
  });
});
