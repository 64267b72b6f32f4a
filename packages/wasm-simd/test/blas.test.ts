import { type Mat, NDArray, type Vec, rng } from '@krylov/core-array';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THRESHOLDS } from '../src/index.js';
import { DTYPES, epsOf, f64, on, relErr, stridedVec, untouchedOutside, variants } from './helpers.js';

// Every size goes to the wasm kernels here, below the thresholds too.
const saved = { ...THRESHOLDS };
beforeAll(() => {
  THRESHOLDS.level3Float64 = 0;
  THRESHOLDS.level3Float32 = 0;
  THRESHOLDS.gemvSize = 0;
});
afterAll(() => Object.assign(THRESHOLDS, saved));

/** Fixed edge shapes, blocking boundaries (KC = 256, MC = 128/192, NC = 512/2048), and seeded random ones. */
function gemmShapes(seed: string): [number, number, number][] {
  const g = rng(seed);
  const fixed: [number, number, number][] = [
    [0, 0, 0],
    [1, 1, 1],
    [0, 3, 2],
    [3, 0, 2],
    [2, 3, 0],
    [1, 7, 1],
    [5, 7, 3],
    [17, 9, 13],
    [64, 65, 33],
    [200, 257, 9],
    [3, 5, 2100],
  ];
  const random = Array.from({ length: 6 }, () => [1 + g.below(70), 1 + g.below(70), 1 + g.below(70)]);
  return [...fixed, ...(random as [number, number, number][])];
}

describe('wasm-simd kernels against the pure-JS float64 kernels', () => {
  for (const dtype of DTYPES) {
    const eps = epsOf(dtype);

    it(`gemm ${dtype}: every layout, transposes, sizes 0 and 1, alpha and beta, beta 0 over NaN`, () => {
      const g = rng(`gemm-${dtype}`);
      for (const [m, k, n] of gemmShapes(`gemm-shapes-${dtype}`)) {
        const a = g.normal([m, k], { dtype });
        const b = g.normal([k, n], { dtype });
        const c0 = g.normal([m, n], { dtype });
        for (const [alpha, beta] of [
          [1.5, 0],
          [-0.75, 0.5],
          [1, 1],
          [0, 2],
        ]) {
          const ref = f64(c0) as Mat;
          on('js', 'gemm', { alpha, a: f64(a) as Mat, b: f64(b) as Mat, beta, c: ref });
          // the large shapes in two layouts only, to keep the test quick
          const vs = m * n * k > 50_000 ? variants([a, b, c0]).slice(0, 2) : variants([a, b, c0]);
          for (const { name, views } of vs) {
            const [va, vb, vc] = views as Mat[];
            if (beta === 0) vc.fill(Number.NaN);
            on('wasm-simd', 'gemm', { alpha, a: va, b: vb, beta, c: vc });
            const what = `${m}x${k}x${n} alpha ${alpha} beta ${beta} ${name}`;
            expect(relErr(vc, ref), what).toBeLessThanOrEqual(4 * eps * (k + 2));
            if (name === 'padded ld' || name === 'strided') expect(untouchedOutside(vc), what).toBe(true);
          }
        }
      }
    });

    it(`gemm ${dtype}: aliased operands (C = A A^T in place of a copy of A's storage)`, () => {
      const a = rng(`alias-${dtype}`).normal([9, 9], { dtype }) as Mat;
      const ref = f64(a) as Mat;
      on('js', 'gemm', { alpha: 1, a: f64(a) as Mat, b: f64(a).T as Mat, beta: 1, c: ref });
      on('wasm-simd', 'gemm', { alpha: 1, a, b: a.T as Mat, beta: 1, c: a });
      expect(relErr(a, ref)).toBeLessThanOrEqual(4 * eps * 11);
    });

    it(`gemmBatched ${dtype}: batch of 3 x 2 with B broadcast over the first batch axis`, () => {
      const g = rng(`batched-${dtype}`);
      for (const [m, k, n] of [
        [0, 2, 3],
        [1, 1, 1],
        [7, 5, 6],
        [33, 17, 20],
      ]) {
        const a = g.normal([3, 2, m, k], { dtype });
        const b1 = g.normal([1, 2, k, n], { dtype });
        const bd = b1.data;
        const b = new NDArray(bd as Float64Array, [3, 2, k, n], [0, k * n, n, 1], 0);
        const c0 = g.normal([3, 2, m, n], { dtype });
        const ref = f64(c0);
        on('js', 'gemmBatched', { alpha: 0.5, a: f64(a), b: f64(b), beta: -1, c: ref });
        const c = c0.copy();
        on('wasm-simd', 'gemmBatched', { alpha: 0.5, a, b, beta: -1, c });
        expect(relErr(c, ref), `${m}x${k}x${n}`).toBeLessThanOrEqual(4 * eps * (k + 2));
      }
    });

    it(`syrk ${dtype}: lower and upper, the other triangle untouched`, () => {
      const g = rng(`syrk-${dtype}`);
      for (const [n, k] of [
        [0, 3],
        [1, 1],
        [3, 0],
        [5, 2],
        [13, 9],
        [70, 40],
        [150, 270],
      ]) {
        const a = g.normal([n, k], { dtype });
        const c0 = g.normal([n, n], { dtype });
        for (const lower of [true, false])
          for (const [alpha, beta] of [
            [1, 0],
            [-0.5, 1.5],
          ]) {
            const ref = f64(c0) as Mat;
            on('js', 'syrk', { alpha, a: f64(a) as Mat, beta, c: ref, lower });
            for (const { name, views } of variants([a, c0])) {
              const [va, vc] = views as Mat[];
              const what = `${n}x${k} ${lower ? 'lower' : 'upper'} beta ${beta} ${name}`;
              if (beta === 0)
                for (let i = 0; i < n; i++)
                  for (let j = 0; j < n; j++) if (lower ? j <= i : j >= i) vc.set(Number.NaN, i, j);
              on('wasm-simd', 'syrk', { alpha, a: va, beta, c: vc, lower });
              expect(relErr(vc, ref), what).toBeLessThanOrEqual(4 * eps * (k + 2));
              // the other triangle keeps c0 exactly
              let changed = 0;
              for (let i = 0; i < n; i++)
                for (let j = 0; j < n; j++)
                  if ((lower ? j > i : j < i) && vc.get(i, j) !== c0.get(i, j)) changed++;
              expect(changed, what).toBe(0);
            }
          }
      }
    });

    it(`trsm ${dtype}: left and right, lower and upper, unit diagonal, transposed views`, () => {
      const g = rng(`trsm-${dtype}`);
      for (const [m, n] of [
        [0, 3],
        [3, 0],
        [1, 1],
        [4, 7],
        [17, 5],
        [70, 33],
        [150, 20],
      ]) {
        for (const side of ['left', 'right'] as const) {
          const na = side === 'left' ? m : n;
          // well conditioned: a dominant diagonal
          const a = g.normal([na, na], { dtype });
          for (let i = 0; i < na; i++) a.set(na + 1 + Math.abs(a.get(i, i)), i, i);
          const b = g.normal([m, n], { dtype });
          for (const lower of [true, false])
            for (const unitDiag of [false, true]) {
              const ref = f64(b) as Mat;
              const args = { side, lower, unitDiag, alpha: 1.25 };
              on('js', 'trsm', { ...args, a: f64(a) as Mat, b: ref });
              for (const { name, views } of variants([a, b])) {
                const [va, vb] = views as Mat[];
                on('wasm-simd', 'trsm', { ...args, a: va, b: vb });
                const what = `${m}x${n} ${side} ${lower ? 'lower' : 'upper'} unit ${unitDiag} ${name}`;
                // unit-diagonal solves of random triangles grow; compare relative to the solution
                expect(relErr(vb, ref), what).toBeLessThanOrEqual((unitDiag ? 1e3 : 20) * eps * (na + 2));
                if (name === 'padded ld' || name === 'strided') expect(untouchedOutside(vb), what).toBe(true);
              }
            }
        }
      }
    });

    it(`gemv ${dtype}: row- and column-major A, strided and reversed vectors, beta 0 over NaN`, () => {
      const g = rng(`gemv-${dtype}`);
      for (const [m, n] of [
        [0, 0],
        [1, 1],
        [3, 0],
        [0, 3],
        [7, 5],
        [40, 33],
        [130, 257],
      ]) {
        const a = g.normal([m, n], { dtype });
        const x = g.normal([n], { dtype }) as Vec;
        const y = g.normal([m], { dtype }) as Vec;
        for (const beta of [0, -2]) {
          const ref = f64(y) as Vec;
          on('js', 'gemv', { alpha: 0.7, a: f64(a) as Mat, x: f64(x) as Vec, beta, y: ref });
          for (const { name, views } of variants([a]))
            for (const reversed of [false, true]) {
              const vy = stridedVec(y, reversed);
              if (beta === 0) vy.fill(Number.NaN);
              on('wasm-simd', 'gemv', {
                alpha: 0.7,
                a: views[0] as Mat,
                x: stridedVec(x, !reversed),
                beta,
                y: vy,
              });
              expect(relErr(vy, ref), `gemv ${m}x${n} ${name}`).toBeLessThanOrEqual(4 * eps * (n + 2));
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
