/**
 * Cooperative time slicing: the async forms of iterative algorithms (solvers, samplers) run their
 * synchronous step program in slices of a few milliseconds and yield to the event loop between
 * slices, so timers (`AbortSignal.timeout`), I/O and rendering run while they work.
 */

/** How long one slice runs before yielding, in milliseconds (the default of `drive`). */
export const DEFAULT_SLICE_MS = 8;

const now: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function'
    ? () => performance.now()
    : () => Date.now();

type Immediate = (cb: () => void) => unknown;
const setImmediateFn = (globalThis as { setImmediate?: Immediate }).setImmediate;
let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

/**
 * Resolves after one turn of the event loop: `setImmediate` in Node (timers and I/O run first), a
 * `MessageChannel` message in browsers (a macrotask, unlike a resolved promise, and not clamped to
 * 4 ms like `setTimeout`).
 */
export function yieldToEventLoop(): Promise<void> {
  if (setImmediateFn) return new Promise((resolve) => void setImmediateFn(resolve));
  if (typeof MessageChannel !== 'undefined') {
    if (!channel) {
      channel = new MessageChannel();
      channel.port1.onmessage = () => waiting.shift()?.();
    }
    return new Promise((resolve) => {
      waiting.push(resolve);
      channel!.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export interface DriveOptions {
  /** Milliseconds of work between yields (default 8). */
  sliceMs?: number;
}

/**
 * Runs a step program (a generator that yields after each unit of work and returns its result) to
 * completion, yielding to the event loop whenever a slice of `sliceMs` has elapsed, never per step.
 * The program checks its own AbortSignal between steps, so an abort is seen within one slice.
 */
export async function drive<R>(program: Generator<unknown, R, unknown>, options?: DriveOptions): Promise<R> {
  const slice = options?.sliceMs ?? DEFAULT_SLICE_MS;
  let start = now();
  for (;;) {
    const r = program.next();
    if (r.done) return r.value;
    if (now() - start >= slice) {
      await yieldToEventLoop();
      start = now();
    }
  }
}

/** Runs a step program synchronously to completion (the sync form of the same algorithm). */
export function runToEnd<R>(program: Generator<unknown, R, unknown>): R {
  for (;;) {
    const r = program.next();
    if (r.done) return r.value;
  }
}
