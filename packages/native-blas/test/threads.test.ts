import {
  InvalidArgumentError,
  type Mat,
  NDArray,
  explain,
  listBackends,
  runKernel,
  runKernelAsync,
  use,
  withBackends,
} from '@krylov/core-array';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  THREAD_FLOPS,
  chooseThreads,
  configureNative,
  kernelFlops,
  nativeAddon,
  plugin,
  probe,
} from '../src/index.js';
import { parseThreadSetting } from '../src/threads.js';

// The thread policy is checked by the count it chooses and the count the addon holds after a call,
// never by timing (bench/sweep.bench.ts measures what it buys).

beforeAll(() => use(plugin));
afterEach(() => {
  configureNative({ threads: 'auto' });
});

const spd = (n: number) => {
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) d[i * n + j] = i === j ? n + 1 : 1 / (1 + Math.abs(i - j));
  return new NDArray(d, [n, n]) as Mat;
};
const ones = (m: number, n: number) => new NDArray(new Float64Array(m * n).fill(1), [m, n]) as Mat;
const solveArgs = (n: number) => ({ a: spd(n), b: ones(n, 1) });
const gemmArgs = (n: number) => ({ alpha: 1, a: ones(n, n), b: ones(n, n), beta: 0, c: ones(n, n) });

describe('thread policy: the count chosen (pure)', () => {
  it('auto gives one thread below the family threshold and more above, capped at the maximum', () => {
    // solve n = 120 and Cholesky n = 64, the calls issue 18 saw stall, get one thread
    const solve120 = kernelFlops('gesv', solveArgs(120));
    expect(solve120?.family).toBe('lapack');
    expect(solve120?.flops).toBeCloseTo((2 / 3) * 120 ** 3 + 2 * 120 * 120, -3);
    expect(chooseThreads('auto', 'lapack', solve120?.flops ?? 0, 2)).toBe(1);
    expect(chooseThreads('auto', 'lapack', kernelFlops('potrf', { a: spd(64) })?.flops ?? 0, 2)).toBe(1);
    // gemm: 2 n^3 flops; n = 256 below the BLAS threshold, n = 512 above
    const g = (n: number) => kernelFlops('gemm', gemmArgs(n))?.flops ?? 0;
    expect(g(256)).toBe(2 * 256 ** 3);
    expect(chooseThreads('auto', 'blas', g(256), 2)).toBe(1);
    expect(chooseThreads('auto', 'blas', g(512), 2)).toBe(2);
    // one more thread per threshold's worth, up to the maximum
    expect(chooseThreads('auto', 'blas', THREAD_FLOPS.blas - 1, 16)).toBe(1);
    expect(chooseThreads('auto', 'blas', THREAD_FLOPS.blas, 16)).toBe(2);
    expect(chooseThreads('auto', 'blas', 5.5 * THREAD_FLOPS.blas, 16)).toBe(6);
    expect(chooseThreads('auto', 'blas', 1e15, 16)).toBe(16);
    expect(chooseThreads('auto', 'lapack', 1e15, 1)).toBe(1);
  });

  it("'all' and a fixed count ignore the size", () => {
    expect(chooseThreads('all', 'blas', 10, 8)).toBe(8);
    expect(chooseThreads(3, 'lapack', 1e15, 8)).toBe(3);
    expect(chooseThreads(1, 'blas', 1e15, 8)).toBe(1);
  });

  it('kernels that call no BLAS have no count; every LAPACK kernel has one', () => {
    expect(kernelFlops('spmv', {})).toBeUndefined();
    for (const k of ['getrf', 'potrf', 'geqrf', 'gesdd', 'syevd', 'geev'] as const)
      expect(kernelFlops(k, { a: spd(8), job: 'values', vectors: false })?.family).toBe('lapack');
  });

  it('parses settings as KRYLOV_NATIVE_THREADS gives them', () => {
    expect(parseThreadSetting('auto')).toBe('auto');
    expect(parseThreadSetting('all')).toBe('all');
    expect(parseThreadSetting(' 4 ')).toBe(4);
    expect(parseThreadSetting('0')).toBeUndefined();
    expect(parseThreadSetting('two')).toBeUndefined();
    expect(parseThreadSetting(1.5)).toBeUndefined();
  });
});

describe.runIf(nativeAddon() !== null)('thread policy: the native backend', () => {
  const addon = () => nativeAddon() as NonNullable<ReturnType<typeof nativeAddon>>;
  const max = () => addon().info().maxThreads ?? 1;

  it('a fixed count of 1 holds for sync calls of every size, and the results are right', () => {
    configureNative({ threads: 1 });
    const args = solveArgs(200);
    const x = withBackends(['native'], () => runKernel('gesv', args));
    expect(x).toBe(0);
    expect(addon().info().threads).toBe(1);
    const big = gemmArgs(520);
    withBackends(['native'], () => runKernel('gemm', big));
    expect(big.c.data[0]).toBe(520);
    expect(addon().info().threads).toBe(1);
  });

  it('auto gives the count chooseThreads names, and explain says it', () => {
    const small = solveArgs(120);
    withBackends(['native'], () => runKernel('gesv', small));
    expect(addon().info().threads).toBe(1);
    const e = withBackends(['native', 'js'], () => explain('gesv', solveArgs(120)));
    expect(e.backend).toBe('native');
    expect(e.considered[0].reason).toMatch(/1 BLAS thread \(thread policy auto: [\d.]+ MFLOP < 1 GFLOP/);
    const big = gemmArgs(520);
    withBackends(['native'], () => runKernel('gemm', big));
    expect(big.c.data[0]).toBe(520);
    const want = chooseThreads('auto', 'blas', 2 * 520 ** 3, max());
    expect(addon().info().threads).toBe(want);
    const eb = withBackends(['native'], () => explain('gemm', gemmArgs(520)));
    expect(eb.considered[0].reason).toMatch(new RegExp(`${want} BLAS thread`));
  });

  it('an async call runs with the count asked for at the call, and concurrent calls leave none in flight', async () => {
    configureNative({ threads: 1 });
    const args = solveArgs(300);
    const p = withBackends(['native'], () => runKernelAsync('gesv', args));
    // a sync call of another policy while the async one may still run: both results are right
    configureNative({ threads: 'all' });
    const g = gemmArgs(64);
    withBackends(['native'], () => runKernel('gemm', g));
    expect(g.c.data[0]).toBe(64);
    expect(await p).toBe(0);
    const many = await Promise.all(
      [1, 'all', 1, 'auto'].map((t) => {
        configureNative({ threads: t as 'all' | 1 });
        const a = gemmArgs(96);
        return withBackends(['native'], () => runKernelAsync('gemm', a)).then(() => a.c.data[5]);
      }),
    );
    expect(many).toEqual([96, 96, 96, 96]);
    expect(addon().info().inFlight).toBe(0);
    configureNative({ threads: 1 });
    await withBackends(['native'], () => runKernelAsync('gesv', solveArgs(50)));
    expect(addon().info().threads).toBe(1);
  });

  it("'all' gives every thread OpenBLAS started with", () => {
    configureNative({ threads: 'all' });
    withBackends(['native'], () => runKernel('gesv', solveArgs(16)));
    expect(addon().info().threads).toBe(max());
  });

  it('the policy shows in listBackends and probe, and configureNative returns the previous one', () => {
    expect(String(probe().details?.threads)).toMatch(
      /^auto \(1 thread below 100 MFLOP for BLAS, 1 GFLOP for LAPACK; up to \d+\)$/,
    );
    expect(configureNative({ threads: 2 })).toEqual({ threads: 'auto' });
    const native = listBackends().find((b) => b.name === 'native');
    expect(String(native?.details?.threads)).toBe('2 per call (fixed)');
    expect(configureNative({ threads: 'auto' })).toEqual({ threads: 2 });
  });
});

describe('configureNative rejects what it cannot take', () => {
  it('unknown keys and bad counts throw InvalidArgumentError', () => {
    expect(() => configureNative({ thread: 1 } as never)).toThrow(InvalidArgumentError);
    for (const bad of [0, -1, 1.5, 5000, 'many', '2', Number.NaN])
      expect(() => configureNative({ threads: bad as never })).toThrow(InvalidArgumentError);
  });
});
