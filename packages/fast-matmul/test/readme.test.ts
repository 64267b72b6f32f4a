import { type Mat, explain, matmul, rng, unregisterBackend, use, withBackends } from '@krylov/core-array';
import { afterEach, expect, it } from 'vitest';
import {
  BrentEquationError,
  createFastMatmulPlugin,
  errorFigures,
  fastMatmul,
  parseScheme,
} from '../src/index.js';

afterEach(() => unregisterBackend('fast-matmul'));

it('runs the README example (smaller sizes)', () => {
  const g = rng(1);
  const a = g.normal([150, 120]) as Mat;
  const b = g.normal([120, 130]) as Mat;
  const c = withBackends(['wasm-simd', 'js'], () => fastMatmul(a, b, { scheme: 'winograd', cutoff: 16 }));
  use(createFastMatmulPlugin({ scheme: 'winograd', cutoff: 16 }));
  const args = { alpha: 1, a, b, beta: 0, c: c.copy() as Mat };
  expect(explain('gemm', args).backend).not.toBe('fast-matmul');
  expect(withBackends(['fast-matmul', 'wasm-simd', 'js'], () => explain('gemm', args).backend)).toBe(
    'fast-matmul',
  );
  const d = withBackends(['fast-matmul', 'wasm-simd', 'js'], () => matmul(a, b));
  expect(errorFigures(d as Mat, c as Mat, a, b).maxRelative).toBeLessThan(1e-14);
  const s = parseScheme('m1 = a11 * (b11 + b12)\nm2 = a11 * b12\nc11 = m1 - m2\nc12 = m2');
  expect([s.m, s.k, s.n, s.rank]).toEqual([1, 1, 2, 2]);
  expect(() => parseScheme('m1 = a11 * (b11 + b12)\nm2 = a11 * b12\nc11 = m1 + m2\nc12 = m2')).toThrow(
    BrentEquationError,
  );
});
