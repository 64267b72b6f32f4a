import { describe, expect, it } from 'vitest';
import { diagnose, formatDoctor } from '../src/doctor.js';
import { main } from '../src/krylov.js';

describe('krylov doctor', () => {
  it('splits a probe reason into why and fix', () => {
    const d = diagnose({
      name: 'native',
      available: false,
      reason:
        'native addon unavailable: no prebuilt binary for linux-arm64-musl, and the source build found no C++ compiler or cmake. Fix: install a C++17 compiler',
    });
    expect(d).toEqual({
      backend: 'native',
      status: 'unavailable',
      why: 'native addon unavailable: no prebuilt binary for linux-arm64-musl, and the source build found no C++ compiler or cmake.',
      fix: 'install a C++17 compiler',
    });
    expect(formatDoctor([d])).toContain('fix: install a C++17 compiler');
  });

  it('names the CUDA runtime as the cause when cudart, cuBLAS or cuSOLVER is missing', () => {
    const d = diagnose({
      name: 'cuda',
      available: false,
      reason: 'cuda: libcudart.so not found (libcudart.so: cannot open shared object file)',
    });
    expect(d.why).toMatch(/^CUDA runtime not found/);
    expect(d.fix).toMatch(/cuBLAS and cuSOLVER/);
  });

  it('runs, lists js as available, and rejects unknown options and arguments (exit code 2)', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await main(['doctor', '--json'], (s) => out.push(s))).toBe(0);
    const parsed = JSON.parse(out[0]);
    expect(parsed.backends.find((b: { backend: string }) => b.backend === 'js').status).toBe('available');
    expect(
      await main(
        ['doctor', '--verbose'],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err[0]).toBe('krylov doctor: unknown option --verbose');
    expect(
      await main(
        ['demo', 'extra'],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err[1]).toBe("krylov demo: unexpected argument 'extra'");
    expect(
      await main(
        ['bench', 'a', 'b'],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err[2]).toBe("krylov bench: unexpected argument 'b'");
  });
});
