import { afterEach, describe, expect, it } from 'vitest';
import {
  NDArray,
  add,
  dot,
  explain,
  matmul,
  mul,
  norm,
  registerBackend,
  runKernel,
  sum,
  unregisterBackend,
  withBackends,
} from '../src/index.js';
import type { Vec } from '../src/kernels/signatures.js';

const v = (...x: number[]) => new NDArray(Float64Array.from(x), [x.length]);

afterEach(() => unregisterBackend('late'));

describe('lean paths give the general paths’ answers', () => {
  it('elementwise, reductions, dot and matmul on dense and strided operands', () => {
    const x = v(1, 2, 3, 4);
    const strided = new NDArray(Float64Array.of(1, 9, 2, 9, 3, 9, 4, 9), [4], [2]);
    expect(add(x, x).toArray()).toEqual([2, 4, 6, 8]);
    expect(add(x, strided).toArray()).toEqual([2, 4, 6, 8]);
    expect(mul(2.5, x).toArray()).toEqual([2.5, 5, 7.5, 10]);
    expect(mul(x, 0.5).dtype).toBe('float64');
    expect(mul(new NDArray(Int32Array.of(1, 2), [2]), 0.5).toArray()).toEqual([0.5, 1]);
    expect(sum(x).item()).toBe(10);
    expect(sum(strided).item()).toBe(10);
    expect(norm(x).item()).toBeCloseTo(Math.sqrt(30), 14);
    expect(dot(x, strided)).toBe(30);
    const a = new NDArray(
      Float64Array.from({ length: 36 }, (_, i) => i - 17),
      [6, 6],
    );
    const p = matmul(a, a.T);
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 6; j++) {
        let s = 0;
        for (let k = 0; k < 6; k++) s += a.get(i, k) * a.get(j, k);
        expect(p.get(i, j)).toBe(s);
      }
    // results are fresh, shapes frozen and writable like any array
    const r = add(x, x);
    expect(r.isContiguous).toBe(true);
    expect(Object.isFrozen(r.shape)).toBe(true);
    r.set(7, 0);
    expect(x.get(0)).toBe(1);
  });
  it('faults still raise the typed errors of the general path', () => {
    expect(() => add(v(1, 2), v(1, 2, 3))).toThrow(/add/);
    expect(() => dot(v(1, 2), v(1, 2, 3))).toThrow(/dot/);
    expect(() => matmul(v(1, 2), new NDArray(new Float64Array(9), [3, 3]))).toThrow(/matmul/);
    expect(() => add('x' as never, v(1))).toThrow(/add/);
  });
});

describe('the selection cache follows the registry', () => {
  it('a backend registered after the first calls is chosen at the next call, and removed again', () => {
    const x = v(1, 2) as Vec;
    expect(runKernel('dot', { x, y: x })).toBe(5);
    let calls = 0;
    registerBackend({
      name: 'late',
      priority: 1000,
      probe: () => ({ available: true }),
      kernels: {
        dot: {
          run: () => {
            calls++;
            return -1;
          },
          supports: ({ x }) => x.size >= 2 || 'late size rule: n < 2',
        },
      },
    });
    expect(runKernel('dot', { x, y: x })).toBe(-1);
    const one = v(3) as Vec;
    expect(runKernel('dot', { x: one, y: one })).toBe(9);
    expect(explain('dot', { x: one, y: one }).considered[0].reason).toMatch(/late size rule/);
    expect(withBackends(['js'], () => runKernel('dot', { x, y: x }))).toBe(5);
    unregisterBackend('late');
    expect(runKernel('dot', { x, y: x })).toBe(5);
    expect(calls).toBe(1);
  });
});
