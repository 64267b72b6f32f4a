import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASM_BASE64 } from '../build/wasm-bytes.js';
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

  it.skipIf(!hasClang)('is what src/wasm/kernels.c compiles to now (the build is not stale)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krylov-wasm-'));
    try {
      const { bytes } = compile(join(dir, 'k.wasm')) as { bytes: Buffer };
      expect(bytes.equals(Buffer.from(WASM_BASE64, 'base64'))).toBe(true);
      expect(readFileSync(join(dir, 'k.wasm')).length).toBe(bytes.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
