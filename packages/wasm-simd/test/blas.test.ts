// What the conformance suite (conformance.test.ts) does not cover for wasm-simd: gemm across the
// packing block boundaries of these kernels (KC = 256, MC = 128/192, NC = 512/2048) and seeded
// random shapes, and a check that the float32 tolerance is not vacuous.
import { type Mat, NDArray, rng } from '@krylov/core-array';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THRESHOLDS } from '../src/index.js';
import { DTYPES, epsOf, f64, on, relErr, variants } from './helpers.js';

// Every size goes to the wasm kernels here, below the thresholds too.
const saved = { ...THRESHOLDS };
beforeAll(() => {
  THRESHOLDS.level3Float64 = 0;
  THRESHOLDS.level3Float32 = 0;
  THRESHOLDS.gemvSize = 0;
});
afterAll(() => Object.assign(THRESHOLDS, saved));

function gemmShapes(seed: string): [number, number, number][] {
  const g = rng(seed);
  const fixed: [number, number, number][] = [
    [200, 257, 9],
    [3, 5, 2100],
  ];
  const random = Array.from({ length: 6 }, () => [1 + g.below(70), 1 + g.below(70), 1 + g.below(70)]);
  return [...fixed, ...(random as [number, number, number][])];
}

describe('wasm-simd gemm across block boundaries, against the pure-JS float64 kernel', () => {
  for (const dtype of DTYPES) {
    const eps = epsOf(dtype);
    it(`gemm ${dtype}: blocking boundaries and seeded random shapes, alpha and beta`, () => {
      const g = rng(`gemm-${dtype}`);
      for (const [m, k, n] of gemmShapes(`gemm-shapes-${dtype}`)) {
        const a = g.normal([m, k], { dtype });
        const b = g.normal([k, n], { dtype });
        const c0 = g.normal([m, n], { dtype });
        for (const [alpha, beta] of [
          [1, 1],
          [0, 2],
        ]) {
          const ref = f64(c0) as Mat;
          on('js', 'gemm', { alpha, a: f64(a) as Mat, b: f64(b) as Mat, beta, c: ref });
          for (const { name, views } of variants([a, b, c0]).slice(0, 2)) {
            const [va, vb, vc] = views as Mat[];
            on('wasm-simd', 'gemm', { alpha, a: va, b: vb, beta, c: vc });
            const what = `${m}x${k}x${n} alpha ${alpha} beta ${beta} ${name}`;
            expect(relErr(vc, ref), what).toBeLessThanOrEqual(4 * eps * (k + 2));
          }
        }
      }
    });
  }

  it('float32 results are rounded float32 arithmetic, not float64 (the tolerance above is not vacuous)', () => {
    // one wrong element must fail relErr: perturb a correct result by one part in 1e4
    const a = rng('sanity').normal([20, 20], { dtype: 'float32' }) as Mat;
    const c = new NDArray(new Float32Array(400), [20, 20]) as Mat;
    on('wasm-simd', 'gemm', { alpha: 1, a, b: a, beta: 0, c });
    const ref = f64(c) as Mat;
    on('js', 'gemm', { alpha: 1, a: f64(a) as Mat, b: f64(a) as Mat, beta: 0, c: ref });
    expect(relErr(c, ref)).toBeLessThanOrEqual(4 * epsOf('float32') * 22);
    c.set(c.get(3, 4) + 1e-3 * Math.max(1, Math.abs(c.get(3, 4))), 3, 4);
    expect(relErr(c, ref)).toBeGreaterThan(4 * epsOf('float32') * 22);
  });
});
