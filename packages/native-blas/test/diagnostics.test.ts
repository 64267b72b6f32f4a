// The probe's causes, one per way an install can end without a working addon: explainFailure is
// given the facts the loader gathers (tools/install-test exercises the real installs).
import { describe, expect, it } from 'vitest';
import { type LoadFacts, explainFailure, platformTriple } from '../src/addon.js';

const base: LoadFacts = {
  triple: 'linux-arm64-gnu',
  prebuilts: ['@krylov/native-blas-linux-x64-gnu'],
  version: '0.1.0',
  prebuilt: { state: 'none' },
  local: { state: 'absent' },
  status: null,
  statusPath: '/p/build/install-status.json',
};

describe('probe causes', () => {
  it('names platforms as the prebuilt packages do', () => {
    expect(platformTriple('linux', 'x64', true)).toBe('linux-x64-gnu');
    expect(platformTriple('linux', 'arm64', false)).toBe('linux-arm64-musl');
    expect(platformTriple('darwin', 'arm64')).toBe('darwin-arm64');
    expect(platformTriple('win32', 'x64')).toBe('win32-x64-msvc');
  });

  it('no prebuilt and a skipped install script: the exact commands for npm, pnpm and yarn', () => {
    const r = explainFailure(base);
    expect(r.cause).toBe('scripts-skipped');
    expect(r.error).toMatch(
      /^no prebuilt binary for linux-arm64-gnu \(prebuilt: linux-x64-gnu\), and the package manager skipped/,
    );
    expect(r.fix).toContain('npm rebuild @krylov/native-blas --foreground-scripts');
    expect(r.fix).toContain('pnpm approve-builds');
    expect(r.fix).toContain('yarn rebuild @krylov/native-blas');
  });

  it('no prebuilt and no compiler or cmake', () => {
    const r = explainFailure({
      ...base,
      status: { result: 'failed', cause: 'no-toolchain', message: 'cmake was not found on PATH' },
    });
    expect(r.cause).toBe('no-toolchain');
    expect(r.error).toMatch(
      /no prebuilt binary .* found no C\+\+ compiler or cmake: cmake was not found on PATH/,
    );
    expect(r.fix).toMatch(/apt install g\+\+ cmake libopenblas-dev liblapacke-dev/);
  });

  it('no prebuilt and no OpenBLAS headers', () => {
    const r = explainFailure({
      ...base,
      status: { result: 'failed', cause: 'no-blas-dev', log: '/p/build/build.log' },
    });
    expect(r.cause).toBe('no-blas-dev');
    expect(r.error).toContain('(log: /p/build/build.log)');
  });

  it('a source build whose libopenblas is gone at run time', () => {
    const r = explainFailure({
      ...base,
      local: {
        state: 'failed',
        path: '/p/build/Release/krylov_native_blas.node',
        error: 'libopenblas.so.0: cannot open shared object file: No such file or directory',
      },
      status: { result: 'built' },
    });
    expect(r.cause).toBe('runtime-library-missing');
    expect(r.error).toContain('needs libopenblas.so.0, which is missing at run time');
    expect(r.fix).toContain('apt install libopenblas0');
  });

  it('a prebuilt for this platform that the package manager did not install', () => {
    const r = explainFailure({
      ...base,
      triple: 'linux-x64-gnu',
      prebuilt: { state: 'not-installed', name: '@krylov/native-blas-linux-x64-gnu' },
    });
    expect(r.cause).toBe('prebuilt-not-installed');
    expect(r.fix).toBe(
      '`npm install @krylov/native-blas-linux-x64-gnu@0.1.0` (pnpm add / yarn add the same)',
    );
  });

  it('a prebuilt that does not load, and a skipped build', () => {
    const failed = explainFailure({
      ...base,
      triple: 'linux-x64-gnu',
      prebuilt: {
        state: 'failed',
        name: '@krylov/native-blas-linux-x64-gnu',
        error: "version `GLIBC_2.36' not found",
      },
    });
    expect(failed.cause).toBe('load-failed');
    expect(failed.error).toContain('GLIBC_2.36');
    expect(explainFailure({ ...base, status: { result: 'skipped' } }).cause).toBe('build-skipped');
  });
});
