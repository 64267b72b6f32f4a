import {
  NDArray,
  configure,
  explain,
  init,
  listBackends,
  matmul,
  unregisterBackend,
  use,
  withBackends,
} from '@krylov/core-array';
import { afterEach, describe, expect, it } from 'vitest';
import { createExamplePlugin, trace } from '../src/index.js';

const a = new NDArray(Float64Array.from([1, 2, 3, 4]), [2, 2]);
const gemmArgs = { alpha: 1, a, b: a, beta: 0, c: new NDArray(new Float64Array(4), [2, 2]) };

afterEach(() => {
  unregisterBackend('example');
  configure({ backends: null });
});

describe('a third-party plugin', () => {
  it('is chosen by configuration and explained', () => {
    use(createExamplePlugin());
    configure({ backends: ['example', 'js'] });
    expect(explain('gemm', gemmArgs).backend).toBe('example');
    expect(matmul(a, a).toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    // its supports predicate declines float32, so the pure-JS kernel answers
    const f = a.astype('float32');
    expect(
      explain('gemm', { ...gemmArgs, a: f, b: f, c: new NDArray(new Float32Array(4), [2, 2]) }).considered[0]
        .reason,
    ).toBe('declined: only float64 (got float32)');
  });
  it('is skipped with its reason when unavailable', () => {
    use(createExamplePlugin({ available: false }));
    const e = withBackends(['example', 'js'], () => explain('gemm', gemmArgs));
    expect(e.backend).toBe('js');
    expect(e.considered[0]).toEqual({
      backend: 'example',
      chosen: false,
      reason: 'unavailable: example device not found',
    });
    expect(listBackends().find((b) => b.name === 'example')?.reason).toBe('example device not found');
  });
  it('loads by package name and adds a type-checked kernel', async () => {
    await init({ plugins: ['krylov-plugin-example'] });
    expect(trace(a)).toBe(5);
  });
});
