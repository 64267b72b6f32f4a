import { describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  ConvergenceError,
  DTypeError,
  InvalidArgumentError,
  KrylovError,
  NotPositiveDefiniteError,
  ShapeError,
  SingularMatrixError,
  checkOptions,
  dtypeInfo,
} from '../src/index.js';

describe('typed errors name the function, the argument and the value', () => {
  it('formats every error class', () => {
    const cases: [KrylovError, string][] = [
      [
        new ShapeError('solve', 'a', 'expected a square matrix', [2, 3]),
        "solve: argument 'a' with shape [2, 3]: expected a square matrix",
      ],
      [
        new DTypeError('matmul', 'b', 'int32', 'float64 or float32'),
        "matmul: argument 'b' has dtype int32; expected float64 or float32",
      ],
      [
        new InvalidArgumentError('cg', 'options.rtol', -1, 'a positive number'),
        "cg: argument 'options.rtol' is -1; expected a positive number",
      ],
      [new SingularMatrixError('inv', 3), 'inv: matrix is singular: pivot 3 is zero'],
      [
        new NotPositiveDefiniteError('cholesky', 2),
        'cholesky: matrix is not positive definite: the leading minor of order 3 is not positive (column 2)',
      ],
      [
        new ConvergenceError('eigh', 30, 1.5e-3),
        'eigh: did not converge after 30 iterations (residual 1.500e-3)',
      ],
      [
        new BackendUnavailableError('gemm', 'native', 'libopenblas.so not found'),
        "gemm: backend 'native' is unavailable: libopenblas.so not found",
      ],
    ];
    for (const [error, message] of cases) {
      expect(error).toBeInstanceOf(KrylovError);
      expect(error.message).toBe(message);
      expect(error.name).toBe(error.constructor.name);
    }
    expect(new SingularMatrixError('inv', 3).pivot).toBe(3);
    expect(new NotPositiveDefiniteError('cholesky', 2).column).toBe(2);
    expect(new ConvergenceError('eigh', 30, 1).iterations).toBe(30);
  });
  it('checkOptions rejects unknown keys (typos) and non-objects', () => {
    expect(() => checkOptions('cg', { rtol: 1, maxiters: 5 }, ['rtol', 'maxiter'])).toThrow(
      "cg: argument 'options.maxiters' is 5; expected one of the known options: rtol, maxiter",
    );
    expect(() => checkOptions('cg', 3 as never, ['rtol'])).toThrow(
      "cg: argument 'options' is 3; expected an options object",
    );
    expect(() => dtypeInfo('complex128' as never)).toThrow(
      "dtypeInfo: argument 'dtype' has dtype complex128; expected one of bool, int32, float32, float64",
    );
  });
});
