import { NDArray, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  type Batch,
  PREDICTIONS,
  convertPrediction,
  rectifiedFlow,
  toX0,
  ve,
  vpCosine,
} from '../src/index.js';
import { maxAbsDiff } from './helpers.js';

describe('prediction conversions', () => {
  for (const schedule of [vpCosine(), ve(), rectifiedFlow()]) {
    it(`${schedule.name}: every pair of prediction types converts to the true value`, () => {
      const g = rng(11);
      const x0 = g.normal([5, 3]) as Batch;
      const eps = g.normal([5, 3]) as Batch;
      const t = 0.4;
      const a = schedule.alpha(t);
      const s = schedule.sigma(t);
      const comb = (ca: number, cb: number) =>
        new NDArray(
          x0.data.map((v, i) => ca * v + cb * eps.data[i]),
          [5, 3],
        ) as Batch;
      const x = comb(a, s);
      const truth: Record<string, Batch> = {
        x0,
        epsilon: eps,
        v: comb(-s, a),
        score: comb(0, -1 / s),
        flow: comb(schedule.dAlpha(t), schedule.dSigma(t)),
      };
      for (const from of PREDICTIONS) {
        expect(maxAbsDiff(toX0(truth[from], from, x, t, schedule), x0)).toBeLessThan(1e-12);
        for (const to of PREDICTIONS)
          expect(
            maxAbsDiff(convertPrediction(truth[from], from, to, x, t, schedule), truth[to]),
          ).toBeLessThan(1e-11);
      }
    });
  }
  it('rejects unknown prediction types and times outside the schedule', () => {
    const z = new NDArray(new Float64Array(2), [1, 2]) as Batch;
    expect(() => convertPrediction(z, 'noise' as never, 'x0', z, 0.5, ve())).toThrow(
      'convertPrediction: argument \'from\' is "noise"; expected one of epsilon, x0, v, score, flow',
    );
    expect(() => convertPrediction(z, 'x0', 'epsilon', z, 0, ve())).toThrow(
      "convertPrediction: argument 't' is 0",
    );
  });
});
