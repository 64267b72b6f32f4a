import { describe, expect, it } from 'vitest';
import {
  arange,
  firstFailure,
  floatOperands,
  gemmBatchedOperands,
  gemmOperands,
  gemvOperands,
  shapeMismatch,
  shapeText,
  zeros,
} from '../src/index.js';

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

  it('gemm, gemmBatched and gemv operand checks accept matching shapes and name the mismatch', () => {
    const [a, b, c] = [zeros([2, 3]), zeros([3, 4]), zeros([2, 4])];
    expect(gemmOperands({ a, b, c })).toBe(false);
    expect(gemmOperands({ a, b: zeros([4, 3]), c })).toBe('shape mismatch: a [2, 3], b [4, 3], c [2, 4]');
    expect(gemmOperands({ a: zeros([2, 3], { dtype: 'float32' }), b, c })).toBe(
      'mixed dtypes (float32 and float64)',
    );
    const [sa, sb, sc] = [zeros([5, 2, 3]), zeros([5, 3, 4]), zeros([5, 2, 4])];
    expect(gemmBatchedOperands({ a: sa, b: sb, c: sc })).toBe(false);
    expect(gemmBatchedOperands({ a: zeros([6, 2, 3]), b: sb, c: sc })).toMatch(
      /^shape mismatch: a \[6, 2, 3\]/,
    );
    expect(gemmBatchedOperands({ a: sa, b: sb, c: zeros([4]) })).toBe("'c' has 1 dimensions, fewer than 2");
    expect(gemmBatchedOperands({ a, b: sb, c: sc })).toBe("'a' has 2 dimensions, not 3");
    expect(gemvOperands({ a, x: zeros([3]), y: zeros([2]) })).toBe(false);
    expect(gemvOperands({ a, x: zeros([2]), y: zeros([2]) })).toBe('shape mismatch: a [2, 3], x [2], y [2]');
  });
});
