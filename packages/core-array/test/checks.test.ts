import { describe, expect, it } from 'vitest';
import { arange, firstFailure, floatOperands, shapeMismatch, shapeText, zeros } from '../src/index.js';

describe('supports helpers for backend plugins', () => {
  it('firstFailure returns the first reason, runs checks lazily, and true when all pass', () => {
    let ran = false;
    expect(
      firstFailure(
        () => false,
        () => 'first',
        () => {
          ran = true;
          return 'second';
        },
      ),
    ).toBe('first');
    expect(ran).toBe(false);
    expect(firstFailure(() => false)).toBe(true);
  });

  it('floatOperands names the offending operand: dtype, rank, mixed dtypes', () => {
    const m = zeros([2, 2]);
    expect(floatOperands({ a: [m, 2], b: [m, 2] })).toBe(false);
    expect(floatOperands({ a: [arange(0, 4, 1, { dtype: 'int32' }), 1] })).toBe(
      "'a' has dtype int32 (float32 and float64 only)",
    );
    expect(floatOperands({ a: [m, 2], x: [m, 1] })).toBe("'x' has 2 dimensions, not 1");
    expect(floatOperands({ a: [m, 2], b: [zeros([2, 2], { dtype: 'float32' }), 2] })).toBe(
      'mixed dtypes (float64 and float32)',
    );
  });

  it('shapeMismatch and shapeText format the reasons', () => {
    expect(shapeMismatch(true, 'x')).toBe(false);
    expect(shapeMismatch(false, `a ${shapeText(zeros([2, 3]))}`)).toBe('shape mismatch: a [2, 3]');
  });
});
