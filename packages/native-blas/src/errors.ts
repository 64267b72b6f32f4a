import { InvalidArgumentError, KrylovError, NDArray } from '@krylov/core-array';

/**
 * A LAPACK or BLAS routine rejected one of its parameters (it called `xerbla`). The addon
 * replaces xerbla, so nothing is printed: the routine and the parameter number (LAPACK's own
 * numbering; for a LAPACKE_ name, LAPACKE's, where the layout is parameter 1) arrive here instead.
 * The kernels check what LAPACK would reject before calling it, so this signals input the checks
 * did not foresee.
 */
export class LapackArgumentError extends KrylovError {
  /** The routine that called xerbla, e.g. `'DLASCL'`. */
  readonly routine: string;
  /** Its 1-based parameter number. */
  readonly parameter: number;
  constructor(fn: string, routine: string, parameter: number) {
    super(
      fn,
      `LAPACK/BLAS routine ${routine} rejected its parameter ${parameter} (an input the native kernel does not check for)`,
    );
    this.routine = routine;
    this.parameter = parameter;
  }
}

interface AddonError {
  code?: unknown;
  argument?: unknown;
  value?: unknown;
  routine?: unknown;
  parameter?: unknown;
  message?: unknown;
}

/**
 * The typed error for an error the addon threw for `kernel`, or the error itself when it has no
 * code: KRYLOV_INT32 (an extent, leading dimension or increment beyond 2^31 - 1) and
 * KRYLOV_NON_FINITE (NaN or Infinity where LAPACK's result is undefined) become
 * InvalidArgumentError naming the kernel and argument; KRYLOV_LAPACK_ARGUMENT (xerbla) becomes
 * LapackArgumentError.
 */
export function typedNativeError(kernel: string, e: unknown): unknown {
  if (e === null || typeof e !== 'object') return e;
  const { code, argument, value, routine, parameter, message } = e as AddonError;
  const arg = typeof argument === 'string' ? argument : 'a';
  const detail = typeof message === 'string' ? message.replace(/^native\.\w+: /, '') : '';
  switch (code) {
    case 'KRYLOV_INT32':
      return new InvalidArgumentError(
        kernel,
        arg,
        typeof value === 'number' ? value : detail,
        'at most 2^31 - 1: the native BLAS/LAPACK take 32-bit integer sizes',
      );
    case 'KRYLOV_NON_FINITE':
      return new InvalidArgumentError(
        kernel,
        arg,
        detail,
        'finite entries (the native LAPACK routine is undefined on NaN/Infinity)',
      );
    case 'KRYLOV_LAPACK_ARGUMENT':
      return new LapackArgumentError(kernel, String(routine), Number(parameter));
    default:
      return e;
  }
}

/**
 * Refuses, before any copy is made, an operand with an extent beyond what the addon takes
 * (`maxExtent`, the addon's own limit: args.h's kMaxDim). A view the addon cannot take as it lies
 * (a broadcast, a doubly strided view) is copied first, and a copy of a lying shape such as
 * [2^31, 1] with zero strides would allocate and fill gigabytes before the addon's check refused
 * its rows.
 */
export function checkExtents(kernel: string, args: object, maxExtent: number): void {
  for (const [name, x] of Object.entries(args)) {
    if (!(x instanceof NDArray)) continue;
    for (const d of x.shape)
      if (d > maxExtent)
        throw new InvalidArgumentError(
          kernel,
          name,
          x,
          `extents of at most 2^31 - 1 = ${maxExtent}: the native BLAS/LAPACK take 32-bit integer sizes`,
        );
  }
}
