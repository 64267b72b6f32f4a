import { DTypeError, InvalidArgumentError, NDArray, ShapeError, matmul, rng } from '@krylov/core-array';
import { CSRMatrix, LinearOperator } from '@krylov/solvers';
import { describe, expect, it } from 'vitest';
import {
  CountSketchStream,
  FrequentDirections,
  SinglePassSvd,
  adaptiveRangeFinder,
  approximateLeverageScores,
  blockKrylovSvd,
  countSketch,
  cur,
  diagonalEstimate,
  gaussianSketch,
  hutchinson,
  hutchpp,
  interpolativeDecomposition,
  logdet,
  nystrom,
  randomFourierFeatures,
  randomizedEigh,
  randomizedSvd,
  rpCholesky,
  samplingSketch,
  sketchAndSolve,
  sketchPreconditionedLstsq,
  slq,
  sparseSignSketch,
  srhtSketch,
  xtrace,
} from '../src/index.js';

function spd(n: number, seed: number): NDArray<'float64'> {
  const g = rng(seed).normal([n, n]);
  const a = matmul(g, g.T) as NDArray<'float64'>;
  for (let i = 0; i < n; i++) a.data[i * n + i] += 1;
  return a;
}

/** An SPD matrix with one entry perturbed far above rounding. */
function nonSymmetric(n: number): NDArray<'float64'> {
  const a = spd(n, 5);
  a.data[1] += 0.5;
  return a;
}

describe('issue #27: functions that assume symmetry check it', () => {
  const ns = nonSymmetric(8);
  const nsSparse = CSRMatrix.fromDense(ns);
  it('randomizedEigh, nystrom, rpCholesky, slq and logdet refuse a non-symmetric dense or sparse A', () => {
    for (const m of [ns, nsSparse]) {
      expect(() => randomizedEigh(m, 2)).toThrow(/relative asymmetry/);
      expect(() => nystrom(m, 2)).toThrow(/relative asymmetry/);
      expect(() => slq(m, Math.sqrt)).toThrow(/relative asymmetry/);
      expect(() => logdet(m)).toThrow(/^logdet: .*relative asymmetry/);
    }
    expect(() => rpCholesky(ns, 2)).toThrow(/relative asymmetry/);
  });

  it('accepts symmetric input up to rounding; checkSymmetry: false and LinearOperators are trusted', () => {
    const a = spd(8, 5);
    a.data[1] += 1e-13;
    expect(randomizedEigh(a, 2).values.size).toBe(2);
    expect(randomizedEigh(ns, 2, { checkSymmetry: false }).values.size).toBe(2);
    expect(() => rpCholesky(ns, 2, { checkSymmetry: false })).not.toThrow();
    expect(() => logdet(ns, { checkSymmetry: false })).not.toThrow();
    const op = new LinearOperator([8, 8], (x, out) => void out.set(matmul(a, new NDArray(x, [8, 1])).data));
    expect(Number.isFinite(logdet(op).estimate)).toBe(true);
    expect(() => randomizedEigh(ns, 2, { checkSymmetry: 'no' as never })).toThrow(InvalidArgumentError);
  });
});

describe('issue #27: CountSketchStream and oracles refuse what they cannot represent', () => {
  it('an index past the declared row count, or past the hash range, is refused', () => {
    const s = new CountSketchStream(4, 3, { seed: 1, m: 10 });
    s.update(9, [1, 2, 3]);
    expect(() => s.update(10, [1, 2, 3])).toThrow(InvalidArgumentError);
    expect(() => s.update(-1, [1, 2, 3])).toThrow(InvalidArgumentError);
    expect(() => s.update(1.5, [1, 2, 3])).toThrow(InvalidArgumentError);
    const unbounded = new CountSketchStream(4, 3, { seed: 1 });
    unbounded.update(2 ** 32 - 1, [1, 2, 3]);
    // 2^32 would hash like row 0: a silent collision, so it is refused.
    expect(() => unbounded.update(2 ** 32, [1, 2, 3])).toThrow(InvalidArgumentError);
    expect(() => unbounded.update(0, undefined as never)).toThrow(InvalidArgumentError);
    expect(() => new CountSketchStream(4, 3, undefined as never)).toThrow(InvalidArgumentError);
    expect(() => new CountSketchStream(4, 3, { seed: Number.NaN })).toThrow(InvalidArgumentError);
    // The declared size survives a round trip.
    const back = CountSketchStream.fromJSON(s.toJSON());
    expect(back.m).toBe(10);
    expect(() => back.update(10, [1, 2, 3])).toThrow(InvalidArgumentError);
    expect(() => CountSketchStream.fromJSON({ kind: 'countsketch' } as never)).toThrow(InvalidArgumentError);
    expect(() => FrequentDirections.fromJSON({ kind: 'frequent-directions' } as never)).toThrow(
      InvalidArgumentError,
    );
  });

  it('a KernelOracle that returns the wrong length or NaN is a typed error', () => {
    const a = spd(6, 2);
    const good = {
      size: 6,
      diagonal: () => Float64Array.from({ length: 6 }, (_, i) => a.data[i * 7]),
      column: (j: number) => Float64Array.from({ length: 6 }, (_, i) => a.data[i * 6 + j]),
    };
    expect(rpCholesky(good, 2).pivots.length).toBe(2);
    expect(() => rpCholesky({ ...good, column: () => new Float64Array(5) }, 2)).toThrow(ShapeError);
    expect(() => rpCholesky({ ...good, column: () => new Float64Array(6).fill(Number.NaN) }, 2)).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('issue #27: no silent zero seed, no silent NaN', () => {
  it('a countsketch solve seeded by an Rng draws its hash seed from it', () => {
    const a = rng(3).normal([200, 5]);
    const b = rng(4).normal([200]).data as Float64Array;
    const x1 = sketchAndSolve(a, b, { sketch: 'countsketch', seed: rng(10), d: 20 });
    const x2 = sketchAndSolve(a, b, { sketch: 'countsketch', seed: rng(11), d: 20 });
    expect(Array.from(x1.data)).not.toEqual(Array.from(x2.data));
  });

  it('a trace estimate from an operator that returns NaN is an error, not NaN', () => {
    const op = new LinearOperator([4, 4], (x, out) => {
      out.set(x);
      out[2] = Number.NaN;
    });
    expect(() => hutchinson(op, { matvecs: 4 })).toThrow(InvalidArgumentError);
    expect(() => hutchpp(op, { matvecs: 6 })).toThrow(InvalidArgumentError);
    expect(() => xtrace(op, { matvecs: 4 })).toThrow(InvalidArgumentError);
  });

  it('approximateLeverageScores refuses a rank-deficient A instead of returning Inf/NaN', () => {
    const a = rng(3).normal([100, 4]) as NDArray<'float64'>;
    for (let i = 0; i < 100; i++) a.data[i * 4 + 3] = a.data[i * 4];
    expect(() => approximateLeverageScores(a)).toThrow(/rank deficient/);
  });
});

describe('issue #27: every parameter is checked at the boundary', () => {
  const a = rng(1).normal([20, 6]);
  const sq = spd(6, 1);
  it('seeds, counts, ranks and choices', () => {
    const bad: [string, () => unknown][] = [
      ['seed NaN', () => randomizedSvd(a, 2, { seed: Number.NaN })],
      ['seed object', () => randomizedSvd(a, 2, { seed: {} as never })],
      ['oversample -1', () => randomizedSvd(a, 2, { oversample: -1 })],
      ['oversample string', () => randomizedSvd(a, 2, { oversample: '3' as never })],
      ['powerIters', () => randomizedSvd(a, 2, { powerIters: 'many' as never })],
      ['k 2.5', () => randomizedSvd(a, 2.5)],
      ['depth 0', () => blockKrylovSvd(a, 2, { depth: 0 })],
      ['blockKrylov oversample', () => blockKrylovSvd(a, 2, { oversample: -2 })],
      ['tol NaN', () => adaptiveRangeFinder(a, { tol: Number.NaN })],
      ['no options', () => adaptiveRangeFinder(a, undefined as never)],
      ['ID method', () => interpolativeDecomposition(a, 2, { method: 'svd' as never })],
      ['CUR method', () => cur(a, 2, { method: 'svd' as never })],
      ['hutchinson no options', () => hutchinson(sq, undefined as never)],
      ['hutchinson matvecs', () => hutchinson(sq, { matvecs: 2.5 })],
      ['hutchpp typo', () => hutchpp(sq, { matvecs: 9, sed: 1 } as never)],
      ['xtrace no options', () => xtrace(sq, undefined as never)],
      ['diagonalEstimate', () => diagonalEstimate(sq, { matvecs: 0 })],
      ['slq f', () => slq(sq, 'log' as never)],
      ['slq probes', () => slq(sq, Math.log, { probes: 0 })],
      ['gaussian no options', () => gaussianSketch(4, 6, undefined as never)],
      ['gaussian seed missing', () => gaussianSketch(4, 6, {} as never)],
      ['sparse sign s', () => sparseSignSketch(4, 6, { seed: 1, s: 5 })],
      ['srht transform', () => srhtSketch(4, 6, { seed: 1, transform: 'fft' as never })],
      ['sampling typo', () => samplingSketch(4, 6, { seed: 1, probs: [1] } as never)],
      ['countSketch seed', () => countSketch(4, 6, { seed: Number.POSITIVE_INFINITY })],
      ['rff gamma', () => randomFourierFeatures(3, { components: 4, gamma: Number.NaN })],
      ['rff kernel', () => randomFourierFeatures(3, { components: 4, kernel: 'rbf' as never })],
      ['sketchAndSolve kind', () => sketchAndSolve(a, new Float64Array(20), { sketch: 'fft' as never })],
      ['sketchAndSolve b', () => sketchAndSolve(a, undefined as never)],
      ['sketchAndSolve b entries', () => sketchAndSolve(a, new Array(20).fill('1') as never)],
      ['spl atol', () => sketchPreconditionedLstsq(a, new Float64Array(20), { atol: -1 })],
      ['spl maxiter', () => sketchPreconditionedLstsq(a, new Float64Array(20), { maxiter: 1.5 })],
      ['single pass start', () => new SinglePassSvd(5, 4, 2).addRows(-1, rng(1).normal([1, 4]))],
      ['single pass rows', () => new SinglePassSvd(5, 4, 2).addRows(0, [[1, 2, 3, 4]] as never)],
      ['rpCholesky input', () => rpCholesky(42 as never, 2)],
      ['FD update', () => new FrequentDirections(2, 3).update(undefined as never)],
    ];
    for (const [label, f] of bad) expect(f, label).toThrow(InvalidArgumentError);
  });

  it('a wrong dtype is a DTypeError', () => {
    const ints = new NDArray(
      Int32Array.from({ length: 36 }, (_, i) => i),
      [6, 6],
    );
    expect(() => randomizedSvd(ints as never, 2)).toThrow(DTypeError);
    expect(() => sketchAndSolve(a, new Int32Array(20) as never)).toThrow(DTypeError);
    const features = randomFourierFeatures(3, { components: 4, seed: 1 });
    expect(() => features(new NDArray(Int32Array.from([1, 2, 3]), [1, 3]) as never)).toThrow(DTypeError);
    expect(() => features([[1, 2, 3]] as never)).toThrow(InvalidArgumentError);
  });
});
