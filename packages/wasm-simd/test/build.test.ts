import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASM_BASE64, WASM_MT_BASE64, WASM_MT_PAGES } from '../build/wasm-bytes.js';
// @ts-expect-error: a plain ESM script without type declarations
import { compile } from '../scripts/build-wasm.mjs';

const hasClang = (() => {
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('the shipped module', () => {
  it('is valid WebAssembly with SIMD and exports every kernel', () => {
    const bytes = Buffer.from(WASM_BASE64, 'base64');
    expect(WebAssembly.validate(bytes)).toBe(true);
    const names = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
    for (const k of [
      'memory',
      'heap_base',
      'sgemm',
      'dgemm',
      'ssyrk',
      'dsyrk',
      'strsm',
      'dtrsm',
      'sgemv',
      'dgemv',
    ])
      expect(names).toContain(k);
  });

  it('has a threaded variant importing a shared memory and exporting its stack pointer', () => {
    const bytes = Buffer.from(WASM_MT_BASE64, 'base64');
    const mod = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const names = WebAssembly.Module.exports(mod).map((e) => e.name);
    for (const k of ['__stack_pointer', 'work_bytes', 'sgemm_ws', 'dgemm_ws', 'ssyrk_part', 'dsyrk_part'])
      expect(names).toContain(k);
    // instantiable on a shared memory of the declared limits, and not on an unshared one
    const memory = new WebAssembly.Memory({ ...WASM_MT_PAGES, shared: true });
    expect(() => new WebAssembly.Instance(mod, { env: { memory } })).not.toThrow();
    const plain = new WebAssembly.Memory({ ...WASM_MT_PAGES });
    expect(() => new WebAssembly.Instance(mod, { env: { memory: plain } })).toThrow(WebAssembly.LinkError);
  });

  it.skipIf(!hasClang)('is what src/wasm/kernels.c compiles to now (the build is not stale)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krylov-wasm-'));
    try {
      const { bytes } = compile(join(dir, 'k.wasm')) as { bytes: Buffer };
      expect(bytes.equals(Buffer.from(WASM_BASE64, 'base64'))).toBe(true);
      expect(readFileSync(join(dir, 'k.wasm')).length).toBe(bytes.length);
      const mt = compile(join(dir, 'mt.wasm'), true) as { bytes: Buffer };
      expect(mt.bytes.equals(Buffer.from(WASM_MT_BASE64, 'base64'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
