import { WASM_BASE64 } from '../build/wasm-bytes.js';

/** The functions src/wasm/kernels.c exports (pointers are byte addresses, strides in elements). */
export interface WasmExports {
  readonly memory: WebAssembly.Memory;
  heap_base(): number;
  // biome-ignore format: one BLAS signature per line
  sgemm(m: number, n: number, k: number, alpha: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, beta: number, c: number, ldc: number): void;
  // biome-ignore format: one BLAS signature per line
  dgemm(m: number, n: number, k: number, alpha: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, beta: number, c: number, ldc: number): void;
  // biome-ignore format: one BLAS signature per line
  ssyrk(n: number, k: number, alpha: number, a: number, ars: number, acs: number, beta: number, c: number, ldc: number, lower: number): void;
  // biome-ignore format: one BLAS signature per line
  dsyrk(n: number, k: number, alpha: number, a: number, ars: number, acs: number, beta: number, c: number, ldc: number, lower: number): void;
  // biome-ignore format: one BLAS signature per line
  strsm(m: number, n: number, alpha: number, a: number, ars: number, acs: number, b: number, ldb: number, lower: number, unit: number): void;
  // biome-ignore format: one BLAS signature per line
  dtrsm(m: number, n: number, alpha: number, a: number, ars: number, acs: number, b: number, ldb: number, lower: number, unit: number): void;
  // biome-ignore format: one BLAS signature per line
  sgemv(m: number, n: number, alpha: number, a: number, ars: number, acs: number, x: number, beta: number, y: number): void;
  // biome-ignore format: one BLAS signature per line
  sgemm_ws(m: number, n: number, k: number, alpha: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, beta: number, c: number, ldc: number, work: number): void;
  // biome-ignore format: one BLAS signature per line
  dgemm_ws(m: number, n: number, k: number, alpha: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, beta: number, c: number, ldc: number, work: number): void;
  // biome-ignore format: one BLAS signature per line
  ssyrk_part(n: number, k: number, alpha: number, a: number, ars: number, acs: number, beta: number, c: number, ldc: number, lower: number, j0: number, j1: number, work: number): void;
  // biome-ignore format: one BLAS signature per line
  dsyrk_part(n: number, k: number, alpha: number, a: number, ars: number, acs: number, beta: number, c: number, ldc: number, lower: number, j0: number, j1: number, work: number): void;
  /** Bytes of packing workspace one thread needs (the `work` argument above). */
  work_bytes(): number;
  // biome-ignore format: one BLAS signature per line
  dgemv(m: number, n: number, alpha: number, a: number, ars: number, acs: number, x: number, beta: number, y: number): void;
}

export interface LoadResult {
  exports: WasmExports | null;
  /** Why the module could not be instantiated. */
  error?: string;
}

/** Decodes base64 (Buffer in Node, atob in browsers). */
export function decodeBase64(s: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(s, 'base64'));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let loaded: LoadResult | undefined;
let compiled: WebAssembly.Module | undefined;

/**
 * Instantiates the kernels module synchronously (Node, workers). Browsers refuse synchronous
 * compilation of modules over 4 KB on the main thread; there, `await loadWasm()` first.
 */
export function loadSync(): LoadResult {
  if (loaded) return loaded;
  if (typeof WebAssembly === 'undefined') return (loaded = { exports: null, error: 'no WebAssembly' });
  try {
    compiled ??= new WebAssembly.Module(decodeBase64(WASM_BASE64) as BufferSource);
    loaded = { exports: new WebAssembly.Instance(compiled, {}).exports as unknown as WasmExports };
  } catch (e) {
    // not cached when sync compilation is refused, so a later loadWasm() can still succeed
    const message = (e as Error).message;
    const result: LoadResult = { exports: null, error: `cannot instantiate the SIMD module: ${message}` };
    if (!/sync|main thread|4 ?KB|too large/i.test(message)) loaded = result;
    return result;
  }
  return loaded;
}

/** Compiles and instantiates the module asynchronously (the browser main thread's way). */
export async function loadAsync(): Promise<LoadResult> {
  if (loaded) return loaded;
  if (typeof WebAssembly === 'undefined') return (loaded = { exports: null, error: 'no WebAssembly' });
  try {
    compiled ??= await WebAssembly.compile(decodeBase64(WASM_BASE64) as BufferSource);
    const instance = await WebAssembly.instantiate(compiled, {});
    loaded = { exports: instance.exports as unknown as WasmExports };
  } catch (e) {
    loaded = { exports: null, error: `cannot instantiate the SIMD module: ${(e as Error).message}` };
  }
  return loaded;
}

/** The most linear memory the operands of one call may take (wasm32 addresses, signed i32 indices). */
export const MAX_BYTES = 2 ** 31 - 64 * 2 ** 20;

const align = (x: number) => Math.ceil(x / 16) * 16;

/**
 * A bump allocator over the module's linear memory above the static data: each kernel call
 * `reset`s it, `alloc`s its operands (16-byte aligned), then `commit`s, which grows the memory
 * once if needed; typed-array views are taken only after `commit` (growing detaches old views).
 * Memory is kept between calls, so repeated calls of one size allocate nothing.
 */
export class Arena {
  private top = 0;
  private readonly base: number;

  /** `reserved`: bytes above the static data kept out of the arena (the thread pool's stacks and workspaces). */
  constructor(
    private readonly wasm: WasmExports,
    reserved = 0,
  ) {
    this.base = align(wasm.heap_base() + reserved);
  }

  reset(): void {
    this.top = this.base;
  }

  /** Reserves `count` elements of `bytes` each; returns the byte address. */
  alloc(count: number, bytes: number): number {
    const at = this.top;
    this.top = align(at + count * bytes);
    return at;
  }

  /** Grows the memory to hold everything allocated since `reset`. */
  commit(): void {
    const mem = this.wasm.memory;
    const have = mem.buffer.byteLength;
    if (this.top > have) mem.grow(Math.ceil((this.top - have) / 65536));
  }

  /** Bytes of linear memory now reserved by the module. */
  get memoryBytes(): number {
    return this.wasm.memory.buffer.byteLength;
  }
}
