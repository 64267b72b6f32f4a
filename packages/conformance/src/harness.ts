import type { FloatDType, KernelArgs, KernelName, KernelResult } from '@krylov/core-array';

/** What `Tester.run` returns when the backend under test declined the arguments (its `supports`). */
export const DECLINED: unique symbol = Symbol('declined');
export type Declined = typeof DECLINED;

/** What a case sees: the backend under test, and checks that fail with a message naming the case. */
export interface Tester {
  readonly backend: string;
  readonly dtype: FloatDType;
  /** Unit roundoff of `dtype`. */
  readonly eps: number;
  /**
   * Runs `kernel` on the backend under test alone (sync, or async where the backend has only an
   * async form), after `explain` confirms that backend is chosen. Returns `DECLINED` when the
   * backend's `supports` declines these arguments (counted and reported, never a pass); any other
   * reason for not choosing it fails the case.
   */
  run<K extends KernelName>(kernel: K, args: KernelArgs<K>): Promise<KernelResult<K> | Declined>;
  /**
   * Runs a public function (`fn`) with the backend under test first and js after it, when `explain`
   * says the backend takes `args` for `kernel` (the operands the function will hand the kernel);
   * returns false, counted as declined, when it does not.
   */
  runPublic<K extends KernelName>(kernel: K, args: KernelArgs<K>, fn: () => void): boolean;
  /** Fails unless value <= bound (NaN fails). */
  le(what: string, value: number, bound: number): void;
  /** Fails unless `got` and `want` are equal (JSON). */
  eq(what: string, got: unknown, want: unknown): void;
  /** Fails unless `condition`. */
  ok(what: string, condition: boolean): void;
}

/** One reference case: a kernel, a dtype, a name unique among them, and its body. */
export interface ConformanceCase {
  readonly kernel: KernelName;
  readonly dtype: FloatDType;
  readonly name: string;
  run(t: Tester): Promise<void>;
}

/** Thrown by the checks: the message names the backend, the case and the measured value. */
export class ConformanceFailure extends Error {
  override name = 'ConformanceFailure';
}

/** Declares the cases of one kernel for both dtypes. */
export function casesFor(
  kernel: KernelName,
  dtypes: readonly FloatDType[],
  build: (dtype: FloatDType) => { name: string; run: (t: Tester) => Promise<void> }[],
): ConformanceCase[] {
  return dtypes.flatMap((dtype) => build(dtype).map((c) => ({ kernel, dtype, ...c })));
}
