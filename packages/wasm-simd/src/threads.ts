import { WASM_MT_BASE64, WASM_MT_PAGES } from '../build/wasm-bytes.js';
import { Arena, type WasmExports, decodeBase64 } from './module.js';

/**
 * Optional multi-threading: the kernels module compiled for a shared, imported memory (build-wasm.mjs,
 * MT_FLAGS), instantiated once on the calling thread and once in each Node worker over the same
 * memory. A large gemm or syrk is split into blocks of C's columns (or rows), one per thread; the
 * calling thread computes the first block itself and waits for the workers (Atomics.wait, or a spin
 * on a browser main thread, which may not block).
 * Each block is computed exactly as in the one-thread product (the same packing, micro-kernel and
 * summation order per element), so the result is bitwise the one-thread result.
 *
 * Memory above the module's static data: a control block (per worker: generation, done, status and
 * the call's arguments), per worker a stack and a packing workspace, the calling thread's packing
 * workspace, then the operand arena (the calling thread keeps the module's own stack).
 */

/**
 * The worker's loop (plain JavaScript, evaluated in the worker, so the package ships no second
 * file): instantiate the module on the shared memory, then run one block per generation.
 */
const WORKER_LOOP = `
function serve(data, post) {
  const { module, memory, ctrlAt, argsAt, stackTop, work } = data;
  const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
  x.__stack_pointer.value = stackTop;
  const ctrl = new Int32Array(memory.buffer, ctrlAt, 4);
  const args = new Float64Array(memory.buffer, argsAt, 16);
  const ops = [x.sgemm_ws, x.dgemm_ws, x.ssyrk_part, x.dsyrk_part];
  post('ready');
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, 0, seen);
    const g = Atomics.load(ctrl, 0);
    if (g === seen) continue;
    if (g < 0) break;
    seen = g;
    let status = 0;
    try {
      const a = Array.from(args.subarray(1, 1 + args[15]));
      ops[args[0]](...a, work);
    } catch (e) {
      status = 1;
    }
    Atomics.store(ctrl, 2, status);
    Atomics.store(ctrl, 1, g);
    Atomics.notify(ctrl, 1);
  }
}
`;

/** Node: a CommonJS program run with `eval: true`, its data from `workerData`. */
const NODE_WORKER = `${WORKER_LOOP}
const { workerData, parentPort } = require('node:worker_threads');
serve(workerData, (m) => parentPort.postMessage(m));
`;

/** Browsers: a classic worker from a Blob URL, its data in the first message. */
const BROWSER_WORKER = `${WORKER_LOOP}
onmessage = (e) => serve(e.data, (m) => postMessage(m));
`;

/** Operation codes shared with WORKER_SOURCE's `ops`. */
const OP = { sgemm: 0, dgemm: 1, ssyrk: 2, dsyrk: 3 } as const;

/** The threaded module's exports: the kernels plus the stack pointer each worker sets. */
interface MtExports extends WasmExports {
  __stack_pointer: WebAssembly.Global;
}

/** A started worker, Node's or the browser's: resolves once its instance is ready. */
interface PoolWorker {
  ready: Promise<void>;
  terminate(): Promise<unknown> | void;
}

interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrlAt: number;
  argsAt: number;
  stackTop: number;
  work: number;
}

interface NodeWorker {
  on(event: 'message' | 'error' | 'exit', fn: (v: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

/**
 * A worker factory for this platform: Node's worker_threads, else Web Workers (which need a
 * cross-origin isolated page for the shared memory). Rejects where neither exists.
 */
async function workerFactory(): Promise<(data: WorkerData) => PoolWorker> {
  const web = (globalThis as { Worker?: new (url: string) => Worker }).Worker;
  if (web) {
    if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated)
      throw new Error(
        'the page is not cross-origin isolated (COOP/COEP headers), so memory cannot be shared',
      );
    const url = URL.createObjectURL(new Blob([BROWSER_WORKER], { type: 'text/javascript' }));
    return (data) => {
      const worker = new web(url);
      const ready = new Promise<void>((resolve, reject) => {
        worker.onmessage = () => resolve();
        worker.onerror = (e) => reject(new Error(`worker failed to start: ${e.message}`));
      });
      worker.postMessage(data);
      return { ready, terminate: () => worker.terminate() };
    };
  }
  // a computed specifier, so browser bundlers do not try to resolve a Node built-in
  const builtin = 'node:worker_threads';
  const { Worker } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ builtin)) as {
    Worker: new (src: string, opts: object) => NodeWorker;
  };
  return (data) => {
    const worker = new Worker(NODE_WORKER, { eval: true, workerData: data });
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', () => resolve());
      worker.on('error', (e) => reject(e));
      worker.on('exit', (code) => reject(new Error(`worker exited with code ${code}`)));
    });
    // started workers must not keep the process alive
    ready.then(
      () => worker.unref(),
      () => undefined,
    );
    return { ready, terminate: () => worker.terminate() };
  };
}

/**
 * Waits until ctrl[at] holds `value`: Atomics.wait where the thread may block; a spin where it may
 * not (a browser main thread), which costs nothing extra since a synchronous kernel call holds the
 * thread either way.
 */
function waitFor(ctrl: Int32Array, at: number, value: number): void {
  for (let d = Atomics.load(ctrl, at); d !== value; d = Atomics.load(ctrl, at)) {
    if (canBlock) {
      try {
        Atomics.wait(ctrl, at, d);
      } catch {
        canBlock = false;
      }
    }
  }
}
let canBlock = true;

/** Per-worker stack in the shared memory (the kernels use at most a few hundred bytes of it). */
const STACK_BYTES = 64 * 1024;
/** Block boundaries fall on multiples of this (a multiple of every micro-kernel's MR and NR). */
const ALIGN = 8;
const CTRL_INTS = 16; // per worker: [generation, done, status, unused...]
const ARGS_F64 = 16; // per worker: [op, ...arguments, count]

/** A pool of workers (Node worker_threads or Web Workers) sharing one WebAssembly memory with the calling thread. */
export class ThreadPool {
  /** Calls split over threads so far, in this process (for tests and diagnostics). */
  static calls = 0;
  private generation = 0;
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;

  private constructor(
    readonly exports: MtExports,
    readonly arena: Arena,
    private readonly workers: PoolWorker[],
    private readonly mainWork: number,
    ctrlAt: number,
    argsAt: number,
  ) {
    this.ctrl = new Int32Array(exports.memory.buffer, ctrlAt, CTRL_INTS * workers.length);
    this.args = new Float64Array(exports.memory.buffer, argsAt, ARGS_F64 * workers.length);
  }

  /** Threads taking part in a call: the workers and the calling thread. */
  get size(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `threads - 1` workers on a new shared memory. Rejects (the caller falls back to one
   * thread) where the platform has no SharedArrayBuffer, no shared WebAssembly.Memory, or neither
   * `node:worker_threads` nor Web Workers in a cross-origin isolated page.
   */
  static async start(threads: number): Promise<ThreadPool> {
    if (typeof SharedArrayBuffer === 'undefined') throw new Error('no SharedArrayBuffer');
    const spawn = await workerFactory();
    const memory = new WebAssembly.Memory({ ...WASM_MT_PAGES, shared: true });
    const module = await WebAssembly.compile(decodeBase64(WASM_MT_BASE64) as BufferSource);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const exports = { ...(instance.exports as object), memory } as MtExports;
    const nw = threads - 1;
    const heap = align16(exports.heap_base());
    const ctrlAt = heap;
    const argsAt = align16(ctrlAt + nw * CTRL_INTS * 4);
    const stacksAt = align16(argsAt + nw * ARGS_F64 * 8);
    const per = STACK_BYTES + align16(exports.work_bytes());
    const mainWork = stacksAt + nw * per;
    const arena = new Arena(exports, mainWork + exports.work_bytes() - heap);
    arena.reset();
    arena.commit();
    const workers: PoolWorker[] = [];
    try {
      for (let w = 0; w < nw; w++) {
        const stackBottom = stacksAt + w * per;
        workers.push(
          spawn({
            module,
            memory,
            ctrlAt: ctrlAt + w * CTRL_INTS * 4,
            argsAt: argsAt + w * ARGS_F64 * 8,
            stackTop: stackBottom + STACK_BYTES,
            work: stackBottom + STACK_BYTES,
          }),
        );
      }
      await Promise.all(workers.map((w) => w.ready));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new ThreadPool(exports, arena, workers, mainWork, ctrlAt, argsAt);
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(this.ctrl, w * CTRL_INTS, -1);
      Atomics.notify(this.ctrl, w * CTRL_INTS);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /**
   * Runs `op` on every part, each with its thread's packing workspace appended: `parts[0]` on this
   * thread, `parts[t]` on worker t - 1; then waits for all of them.
   */
  private run(op: number, parts: number[][]): void {
    ThreadPool.calls++;
    const g = ++this.generation;
    const started: number[] = [];
    for (let t = 1; t < parts.length; t++) {
      const w = t - 1;
      const a = this.args.subarray(w * ARGS_F64, (w + 1) * ARGS_F64);
      a[0] = op;
      a.set(parts[t], 1);
      a[15] = parts[t].length;
      Atomics.store(this.ctrl, w * CTRL_INTS, g);
      Atomics.notify(this.ctrl, w * CTRL_INTS);
      started.push(w);
    }
    const x = this.exports;
    const main = [x.sgemm_ws, x.dgemm_ws, x.ssyrk_part, x.dsyrk_part][op] as (...a: number[]) => void;
    let failed = false;
    try {
      main(...parts[0], this.mainWork);
    } finally {
      for (const w of started) {
        waitFor(this.ctrl, w * CTRL_INTS + 1, g);
        if (this.ctrl[w * CTRL_INTS + 2] !== 0) failed = true;
      }
    }
    if (failed) throw new Error('wasm-simd: a worker failed in a threaded kernel');
  }

  /** gemm on linear-memory operands (byte addresses; strides in elements), split over C's blocks. */
  // biome-ignore format: one BLAS signature
  gemm(f32: boolean, m: number, n: number, k: number, alpha: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, beta: number, c: number, ldc: number): void {
    const es = f32 ? 4 : 8;
    const byCols = n >= m;
    const cuts = evenCuts(byCols ? n : m, this.size);
    const parts = cuts.slice(0, -1).map((lo, t) => {
      const len = cuts[t + 1] - lo;
      return byCols
        ? [m, len, k, alpha, a, ars, acs, b + lo * bcs * es, brs, bcs, beta, c + lo * es, ldc]
        : [len, n, k, alpha, a + lo * ars * es, ars, acs, b, brs, bcs, beta, c + lo * ldc * es, ldc];
    });
    this.run(f32 ? OP.sgemm : OP.dgemm, parts);
  }

  /** syrk's triangle split into column blocks of equal area. */
  // biome-ignore format: one BLAS signature
  syrk(f32: boolean, n: number, k: number, alpha: number, a: number, ars: number, acs: number, beta: number, c: number, ldc: number, lower: boolean): void {
    const cuts = triangleCuts(n, this.size, lower);
    const parts = cuts
      .slice(0, -1)
      .map((j0, t) => [n, k, alpha, a, ars, acs, beta, c, ldc, lower ? 1 : 0, j0, cuts[t + 1]]);
    this.run(f32 ? OP.ssyrk : OP.dsyrk, parts);
  }
}

const align16 = (x: number) => Math.ceil(x / 16) * 16;

/**
 * Splits 0..len into `parts` contiguous blocks of nearly equal length, boundaries on multiples of
 * ALIGN; fewer blocks when len is short. Returns the boundaries (first 0, last len).
 */
export function evenCuts(len: number, parts: number): number[] {
  const count = Math.max(1, Math.min(parts, Math.floor(len / ALIGN)));
  const cuts = [0];
  for (let t = 1; t < count; t++) cuts.push(Math.round((len * t) / count / ALIGN) * ALIGN);
  cuts.push(len);
  return cuts.filter((x, i) => i === 0 || x > cuts[i - 1]);
}

/**
 * Column boundaries splitting the n x n lower (or upper) triangle into `parts` blocks of nearly
 * equal area, on multiples of ALIGN.
 */
export function triangleCuts(n: number, parts: number, lower: boolean): number[] {
  const count = Math.max(1, Math.min(parts, Math.floor(n / ALIGN)));
  const total = (n * (n + 1)) / 2;
  // columns 0..j-1 hold j n - j (j - 1) / 2 elements of the lower triangle, j (j + 1) / 2 of the upper
  const area = (j: number) => (lower ? j * n - (j * (j - 1)) / 2 : (j * (j + 1)) / 2);
  const cuts = [0];
  for (let t = 1, j = 0; t < count; t++) {
    while (j < n && area(j) < (total * t) / count) j++;
    cuts.push(Math.min(n, Math.round(j / ALIGN) * ALIGN));
  }
  cuts.push(n);
  return cuts.filter((x, i) => i === 0 || x > cuts[i - 1]);
}
