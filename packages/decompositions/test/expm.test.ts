import { NDArray, array, matmul } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { expm } from '../src/index.js';
import fixtures from './fixtures/expm.json';

/** max |x - y| / max |y| (max-based, since expm of the large-norm case reaches 1e244). */
const relErr = (x: NDArray, y: number[][]) => {
  const flat = y.flat();
  let num = 0;
  let den = 0;
  x.toFlatArray().forEach((v, i) => {
    num = Math.max(num, Math.abs(v - flat[i]));
    den = Math.max(den, Math.abs(flat[i]));
  });
  return num / den;
};

describe('expm (Higham 2005 scaling and squaring)', () => {
  for (const [name, c] of Object.entries(fixtures)) {
    it(`matches scipy.linalg.expm: ${name}`, () => {
      expect(relErr(expm(array(c.a)), c.expm)).toBeLessThan(name === 'large_norm' ? 1e-9 : 1e-12);
    });
  }
  it('closed forms: diagonal, rotation, commuting sums, empty and non-square input', () => {
    expect(
      expm(
        array([
          [1, 0],
          [0, -2],
        ]),
      ).toArray(),
    ).toEqual(
      [
        [Math.E, 0],
        [0, Math.exp(-2)],
      ].map((r) => r.map((v) => expect.closeTo(v, 14))),
    );
    const r = expm(
      array([
        [0, -1],
        [1, 0],
      ]),
    );
    expect(r.get(0, 0)).toBeCloseTo(Math.cos(1), 14);
    expect(r.get(1, 0)).toBeCloseTo(Math.sin(1), 14);
    const a = array([
      [0.3, 1.2],
      [-0.7, 0.1],
    ]);
    const twice = expm(
      array([
        [0.6, 2.4],
        [-1.4, 0.2],
      ]),
    );
    const product = matmul(expm(a), expm(a));
    expect(relErr(product, twice.toArray() as number[][])).toBeLessThan(1e-14);
    expect(expm(new NDArray(new Float64Array(0), [0, 0])).shape).toEqual([0, 0]);
    expect(() => expm(array([[1, 2, 3]]))).toThrow(
      "expm: argument 'a' with shape [1, 3]: expected a square matrix",
    );
  });
});
