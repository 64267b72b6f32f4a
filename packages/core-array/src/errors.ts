/**
 * Typed errors. Every error names the function that raised it and, where there is one, the
 * offending argument and value, so a message read in a log says what to fix.
 */

/** Formats a value for an error message: shapes as `[2, 3]`, strings quoted, long arrays cut. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map(describeValue);
    return `[${items.join(', ')}${value.length > 8 ? ', ...' : ''}]`;
  }
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (value !== null && typeof value === 'object') {
    const shape = (value as { shape?: unknown }).shape;
    const dtype = (value as { dtype?: unknown }).dtype;
    if (Array.isArray(shape)) return `NDArray(shape=${describeValue(shape)}, dtype=${String(dtype)})`;
    return Object.prototype.toString.call(value);
  }
  return String(value);
}

/** Marks Krylov errors across copies of this module (the ESM and CJS builds are two copies). */
const BRAND: unique symbol = Symbol.for('@krylov/core-array:KrylovError') as never;

/**
 * Base class of every error Krylov throws on purpose.
 *
 * `instanceof` works across the ESM and CJS builds (the dual-package hazard: an error thrown by
 * code that `require`d the package fails a plain `instanceof` against the class an ES module
 * imported). An error carrying the global `Symbol.for` brand is an instance of a Krylov error class
 * when its prototype chain holds a class of the same name: `SingularMatrixError` from either build
 * is `instanceof SingularMatrixError` and `instanceof KrylovError` in both.
 */
export class KrylovError extends Error {
  /** The public function that detected the problem, e.g. `'matmul'`. */
  readonly fn: string;
  constructor(fn: string, message: string) {
    super(`${fn}: ${message}`);
    this.name = new.target.name;
    this.fn = fn;
  }
}
Object.defineProperty(KrylovError.prototype, BRAND, { value: true });
// Inherited by every subclass (their constructors' prototype is KrylovError).
Object.defineProperty(KrylovError, Symbol.hasInstance, {
  value: function hasInstance(this: { name: string }, value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (value === null || typeof value !== 'object' || !(value as { [BRAND]?: true })[BRAND]) return false;
    for (let p = Object.getPrototypeOf(value); p && p !== Error.prototype; p = Object.getPrototypeOf(p))
      if (Object.hasOwn(p, 'constructor') && p.constructor.name === this.name) return true;
    return false;
  },
});

/**
 * Shapes that do not fit together (mismatched inner dimensions, non-square where square is needed...).
 * @example
 * ```ts
 * import { array, matmul, ShapeError } from '@krylov/core-array';
 * try {
 *   matmul(array([[1, 2]]), array([[1, 2]]));
 *   console.assert(false, 'expected a ShapeError');
 * } catch (e) {
 *   console.assert(e instanceof ShapeError, String(e)); // names the function, the argument and the shapes
 * }
 * ```
 */
export class ShapeError extends KrylovError {
  readonly arg: string;
  readonly shape: readonly number[] | undefined;
  constructor(fn: string, arg: string, detail: string, shape?: readonly number[]) {
    super(fn, `argument '${arg}'${shape ? ` with shape ${describeValue(shape)}` : ''}: ${detail}`);
    this.arg = arg;
    this.shape = shape;
  }
}

/** An array of a dtype the function does not accept, or dtypes that do not match. */
export class DTypeError extends KrylovError {
  readonly arg: string;
  readonly dtype: string;
  constructor(fn: string, arg: string, dtype: string, expected: string) {
    super(fn, `argument '${arg}' has dtype ${dtype}; expected ${expected}`);
    this.arg = arg;
    this.dtype = dtype;
  }
}

/** An option or argument with a bad value (out of range, non-finite, unknown option key...). */
export class InvalidArgumentError extends KrylovError {
  readonly arg: string;
  readonly value: unknown;
  constructor(fn: string, arg: string, value: unknown, expected: string) {
    super(fn, `argument '${arg}' is ${describeValue(value)}; expected ${expected}`);
    this.arg = arg;
    this.value = value;
  }
}

/** A factorization met an exactly zero pivot (0-based index `pivot`). */
export class SingularMatrixError extends KrylovError {
  readonly pivot: number;
  constructor(fn: string, pivot: number, detail = '') {
    super(fn, `matrix is singular: pivot ${pivot} is zero${detail ? ` (${detail})` : ''}`);
    this.pivot = pivot;
  }
}

/** Cholesky met a non-positive pivot at (0-based) `column`: the matrix is not positive definite. */
export class NotPositiveDefiniteError extends KrylovError {
  readonly column: number;
  constructor(fn: string, column: number) {
    super(
      fn,
      `matrix is not positive definite: the leading minor of order ${column + 1} is not positive (column ${column})`,
    );
    this.column = column;
  }
}

/** An iteration stopped before meeting its tolerance. */
export class ConvergenceError extends KrylovError {
  readonly iterations: number;
  readonly residual: number;
  constructor(fn: string, iterations: number, residual: number, detail = '') {
    super(
      fn,
      `did not converge after ${iterations} iterations (residual ${residual.toExponential(3)})${detail ? `: ${detail}` : ''}`,
    );
    this.iterations = iterations;
    this.residual = residual;
  }
}

/** A backend was asked for explicitly (or no backend could run a kernel) and is unavailable. */
export class BackendUnavailableError extends KrylovError {
  readonly backend: string;
  readonly reason: string;
  constructor(fn: string, backend: string, reason: string) {
    super(fn, `backend '${backend}' is unavailable: ${reason}`);
    this.backend = backend;
    this.reason = reason;
  }
}

/**
 * No registered backend implements a kernel at all (as opposed to backends that have it but are
 * unavailable or decline): the fix is to install the package that provides its pure-JS reference
 * (`provider`, from the kernel catalogue) or the plugin that declares it. A BackendUnavailableError,
 * so code that catches those catches this too.
 */
export class MissingKernelError extends BackendUnavailableError {
  readonly kernel: string;
  /** The package whose pure-JS reference implements the kernel; undefined for a plugin's own kernel. */
  readonly provider: string | undefined;
  constructor(fn: string, kernel: string, provider: string | undefined, backends: string) {
    const reason = provider
      ? `no backend registered a \`${kernel}\` kernel; install ${provider} and import it (its pure-JS reference registers the kernel), or load a plugin that provides one`
      : `no backend registered a \`${kernel}\` kernel (it is not in @krylov/core-array's catalogue: is the plugin that declares it loaded?)`;
    super(fn, backends, reason);
    this.message = `${fn}: ${reason}`;
    this.kernel = kernel;
    this.provider = provider;
  }
}

/**
 * Rejects option keys that `fn` does not know, so a typo (`{ rtol: 1e-8, maxiters: 5 }`) is an
 * error instead of a silently ignored setting.
 * @example
 * ```ts
 * import { checkOptions, InvalidArgumentError } from '@krylov/core-array';
 * try {
 *   checkOptions('myFn', { rtoll: 1e-8 }, ['rtol', 'atol']); // a typo in an option key
 *   console.assert(false);
 * } catch (e) {
 *   console.assert(e instanceof InvalidArgumentError);
 * }
 * ```
 */
export function checkOptions(fn: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(fn, 'options', options, 'an options object');
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(
        fn,
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        `one of the known options: ${allowed.join(', ')}`,
      );
    }
  }
}

/** The string keys of an options type `T` that the list `K` leaves out (`never` when it names them all). */
export type MissingOptionKeys<T, K extends readonly string[]> = Exclude<keyof T & string, K[number]>;

/** Shared by every `optionKeys<T>()`: the list is checked at compile time, so at run time it is the identity. */
const passKeys = <K extends readonly string[]>(...keys: K): K => keys;

/**
 * The `allowed` list for {@link checkOptions}, checked at compile time against the options type `T`:
 * a key that `T` does not declare is a compile error, and so is a key of `T` left out of the list, so the
 * keys a function accepts and the keys its options type documents cannot drift apart. Build the list once,
 * at module level.
 * @example
 * ```ts
 * import { checkOptions, optionKeys } from '@krylov/core-array';
 * interface SolveOptions { rtol?: number; atol?: number }
 * const SOLVE_KEYS = optionKeys<SolveOptions>()('rtol', 'atol'); // omitting 'atol' would not compile
 * function solve(options: SolveOptions = {}): void {
 *   checkOptions('solve', options, SOLVE_KEYS);
 * }
 * solve({ rtol: 1e-8 });
 * ```
 */
export function optionKeys<T extends object>(): <const K extends readonly (keyof T & string)[]>(
  ...keys: K & ([MissingOptionKeys<T, K>] extends [never] ? unknown : { missing: MissingOptionKeys<T, K> })
) => K {
  return passKeys as never;
}
