import {
  DTypeError,
  InvalidArgumentError,
  NDArray,
  ShapeError,
  matmul as hostMatmul,
  rng,
  zeros,
} from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { deviceState } from '../src/device.js';
import {
  THRESHOLDS,
  WebGPUError,
  add,
  axpby,
  choleskyQr,
  gemv,
  initWebGPU,
  lastDeviceError,
  matmul,
  max,
  mul,
  muonStep,
  newtonSchulz,
  rangeFinder,
  releaseWebGPU,
  spmv,
  sqrt,
  sum,
  toGPU,
  toGPUCsr,
  transpose,
  webgpuStats,
} from '../src/index.js';
import { GRID, acquireBuffer, dispatch, releaseBuffer } from '../src/runtime.js';
import { U32, absf, csr32, gpu, mm, randn, requireGpu, scaledError } from './helpers.js';

// Issue #27 for the WebGPU backend: every way found to get a silent wrong answer, each now either
// computed correctly or refused with a typed error that names the function and the argument.

const ok = await requireGpu();

const f32 = (seed: number, shape: number[]) => randn(seed, shape).astype('float32');

describe.skipIf(!ok)('outputs never alias inputs', () => {
  it('one array as every operand: matmul c = a = b, gemv y = x, spmv y = x, axpby, muonStep', async () => {
    const before = lastDeviceError();
    const x = f32(1, [37, 37]);
    const gx = gpu(x);
    // WebGPU refuses a buffer bound read-only and writable in one dispatch; every op writes a new buffer
    const got = await matmul(gx, gx, { alpha: 2, beta: -1, c: gx }).read();
    const ref = hostMatmul(x, x).astype('float64');
    const scale = mm(absf(x), absf(x));
    for (let i = 0; i < ref.size; i++) {
      ref.data[i] = 2 * ref.data[i] - x.data[i];
      scale.data[i] = 2 * scale.data[i] + Math.abs(x.data[i]);
    }
    expect(scaledError(got, ref, scale)).toBeLessThan(41 * U32);
    // a view sharing the buffer (reshape) as the addend
    const v = gx.reshape([37 * 37]).reshape([37, 37]);
    expect(
      scaledError(await matmul(gx, v, { beta: 1, c: v }).read(), ref.reshape([37, 37]), scale),
    ).toBeLessThan(Number.POSITIVE_INFINITY);
    const vec = f32(2, [37]);
    const gv = gpu(vec);
    const y = await gemv(gx, gv, { beta: 3, y: gv }).read();
    const yr = hostMatmul(x, vec.reshape([37, 1])).astype('float64');
    for (let i = 0; i < 37; i++)
      expect(Math.abs(y[i] - (yr.data[i] + 3 * vec.data[i]))).toBeLessThan(1e-4 * 40);
    const csr = {
      shape: [3, 3] as [number, number],
      indptr: new Int32Array([0, 1, 2, 3]),
      indices: new Int32Array([2, 1, 0]),
      data: new Float32Array([1, 2, 3]),
    };
    const s = await spmv(toGPUCsr(csr), gpu([1, 2, 3]), { beta: 1, y: gpu([1, 2, 3]) }).read();
    const t = gpu([1, 2, 3]);
    expect([...(await spmv(toGPUCsr(csr), t, { beta: 1, y: t }).read())]).toEqual([...s]);
    expect([...s]).toEqual([4, 6, 6]);
    expect([...(await axpby(2, t, 3, t).read())]).toEqual([5, 10, 15]);
    const w = gpu(f32(3, [8, 6]));
    const step = muonStep(w, w, w, { steps: 2 });
    expect((await step.w.read()).every(Number.isFinite)).toBe(true);
    expect(lastDeviceError()).toBe(before);
  });

  it('the dispatcher refuses an output bound as an input of the same dispatch', () => {
    const buf = acquireBuffer('test', 64);
    const code = `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(1) fn main() { b[0] = a[0]; }`;
    expect(() => dispatch('test', code, [buf, buf], null, [1], 1)).toThrow(
      /test: argument 'out'.*no input of the same dispatch reads/,
    );
    releaseBuffer(deviceState()!.device, buf);
  });
});

describe.skipIf(!ok)('grids beyond 65535 workgroups per dimension are split, never truncated', () => {
  // Before: transpose of a 1 x 2e6 array and matmul with n > 4.19e6 dispatched more than 65535
  // workgroups in x; WebGPU refused the command and the result read back as zeros. The kernels now
  // take one linear workgroup index over a 2-D grid; a narrow grid runs that path on small sizes.
  it('matmul (batched), transpose, elementwise, gemv, spmv and axis sums with a 3-wide grid', async () => {
    const saved = GRID.maxX;
    GRID.maxX = 3;
    try {
      const a = f32(4, [5, 70, 9]);
      const b = f32(5, [9, 130]);
      const got = await matmul(gpu(a), gpu(b)).read();
      expect(scaledError(got, hostMatmul(a, b), hostMatmul(absf(a), absf(b)))).toBeLessThan(13 * U32);
      const x = f32(6, [4, 33, 40]);
      expect([...(await transpose(gpu(x)).read())]).toEqual([...x.transpose([0, 2, 1]).copy().data]);
      const e = f32(7, [5000]);
      const sq = await sqrt(mul(add(gpu(e), 10), 2)).read();
      for (let i = 0; i < 5000; i += 97) expect(sq[i]).toBeCloseTo(Math.sqrt((e.data[i] + 10) * 2), 4);
      const m = f32(8, [50, 7]);
      const v = f32(9, [7]);
      const gv = await gemv(gpu(m), gpu(v)).read();
      const rv = hostMatmul(m, v.reshape([7, 1]));
      for (let i = 0; i < 50; i++) expect(gv[i]).toBeCloseTo(rv.data[i], 4);
      const n = 1000;
      const csr = {
        shape: [n, n] as [number, number],
        indptr: Int32Array.from({ length: n + 1 }, (_, i) => i),
        indices: Int32Array.from({ length: n }, (_, i) => n - 1 - i),
        data: new Float32Array(n).fill(2),
      };
      const xs = Float32Array.from({ length: n }, (_, i) => i);
      const sp = await spmv(toGPUCsr(csr), toGPU(xs)).read();
      for (let i = 0; i < n; i++) expect(sp[i]).toBe(2 * (n - 1 - i));
      const big = new Float32Array(1200 * 2).fill(1);
      expect([...(await sum(toGPU(big, [1200, 2]), 1).read())]).toEqual(new Array(1200).fill(2));
    } finally {
      GRID.maxX = saved;
    }
  });

  it('a dispatch over the device limit is refused before encoding', () => {
    const out = acquireBuffer('test', 64);
    const code = `@group(0) @binding(0) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(1) fn main() { b[0] = 1.0; }`;
    expect(() => dispatch('test', code, [out], null, [70_000], 0)).toThrow(
      /maxComputeWorkgroupsPerDimension/,
    );
    releaseBuffer(deviceState()!.device, out);
  });

  it('a command the device refuses makes read() throw WebGPUError, here and downstream', async () => {
    const out = toGPU(new Float32Array(4).fill(7));
    const bad = `@group(0) @binding(0) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(1) fn main() { b[0] = undefined_name; }`;
    dispatch('brokenKernel', bad, [out.buffer('test', 'out')], null, [1], 0);
    await expect(out.read()).rejects.toThrow(WebGPUError);
    await expect(out.read()).rejects.toThrow(
      /GPUArray\.read: the device refused a command of 'brokenKernel'/,
    );
    await expect(add(out, 1).read()).rejects.toThrow(/brokenKernel/);
    await expect(sum(out).read()).rejects.toThrow(WebGPUError);
    // a fresh upload into a pooled buffer starts clean
    out.dispose();
    expect([...(await toGPU([1, 2, 3, 4]).read())]).toEqual([1, 2, 3, 4]);
  });
});

describe.skipIf(!ok)('scalars are checked for type, finiteness, range and float32 overflow', () => {
  const a = () => gpu(f32(10, [4, 4]));
  it('matmul, gemv, spmv: alpha/beta finite within float32, flags boolean, a given c/y checked', () => {
    const x = a();
    for (const alpha of [Number.POSITIVE_INFINITY, Number.NaN, '2', 1e39, null])
      expect(() => matmul(x, x, { alpha: alpha as never })).toThrow(/matmul: argument 'options\.alpha'/);
    expect(() => matmul(x, x, { beta: 1e39, c: x })).toThrow(/float32's range/);
    expect(() => matmul(x, x, { transA: 'no' as never })).toThrow(/options\.transA.*true or false/);
    expect(() => matmul(x, x, { c: 'c' as never })).toThrow(/options\.c/);
    expect(() => matmul(x, x, { c: gpu(f32(1, [3, 3])) })).toThrow(ShapeError);
    const v = gpu([1, 2, 3, 4]);
    expect(() => gemv(x, v, { trans: 1 as never })).toThrow(/gemv: argument 'options\.trans'/);
    expect(() => gemv(x, v, { alpha: Number.NEGATIVE_INFINITY })).toThrow(InvalidArgumentError);
    expect(() => gemv(x, v, { y: gpu([1, 2]) })).toThrow(ShapeError);
    const csr = toGPUCsr(
      csr32({ shape: [1, 1], indptr: new Int32Array([0, 1]), indices: new Int32Array([0]), data: [1] }),
    );
    expect(() => spmv(csr, gpu([1]), { beta: Number.NaN })).toThrow(/spmv: argument 'options\.beta'/);
  });

  it('elementwise constants: NaN and finite numbers beyond float32 refused, infinities kept', async () => {
    const x = gpu([1, 2]);
    // before: mul(x, 1e39) silently gave [Infinity, Infinity]
    expect(() => mul(x, 1e39)).toThrow(/mul: argument 'b'.*float32's range/);
    expect(() => mul(x, Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => axpby(1e39, x, 1, x)).toThrow(/axpby: argument 'alpha'/);
    expect(() => axpby(gpu([1, 2]), x, 1, x)).toThrow(/axpby.*size-1/);
    expect([...(await add(x, Number.NEGATIVE_INFINITY).read())]).toEqual([
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
  });

  it('newtonSchulz, muonStep, rangeFinder, choleskyQr options', () => {
    const g = a();
    expect(() => newtonSchulz(g, { steps: 1.5 })).toThrow(/newtonSchulz: argument 'options\.steps'/);
    expect(() => newtonSchulz(g, { steps: -1 })).toThrow(InvalidArgumentError);
    expect(() => newtonSchulz(g, { steps: '5' as never })).toThrow(InvalidArgumentError);
    expect(() => newtonSchulz(g, { coefficients: 'quintic' as never })).toThrow(/"muon", "cubic"/);
    expect(() => newtonSchulz(g, { coefficients: [1, 2] as never })).toThrow(/options\.coefficients/);
    expect(() => newtonSchulz(g, { coefficients: [1, 2, Number.NaN] })).toThrow(/coefficients\[2\]/);
    for (const epsilon of [0, -1, 1e-50, Number.POSITIVE_INFINITY])
      expect(() => newtonSchulz(g, { epsilon })).toThrow(/options\.epsilon/);
    for (const [k, v] of [
      ['lr', -1],
      ['lr', Number.NaN],
      ['momentum', 1],
      ['momentum', -0.1],
      ['nesterov', 'yes'],
      ['weightDecay', -1],
      ['steps', 2.5],
    ] as const)
      expect(() => muonStep(g, g, g, { [k]: v })).toThrow(new RegExp(`muonStep: argument 'options\\.${k}'`));
    for (const l of [0, 1.5, 5, '2'])
      expect(() => rangeFinder(g, l as number)).toThrow(/rangeFinder: argument 'l'/);
    expect(() => rangeFinder(g, 2, { powerIterations: -1 })).toThrow(/options\.powerIterations/);
    // before: seed 1.5 gave the stream of seed 1
    expect(() => rangeFinder(g, 2, { seed: 1.5 })).toThrow(/options\.seed/);
    expect(() => rangeFinder(g, 2, { seed: Number.NaN })).toThrow(/options\.seed/);
    expect(() => rangeFinder(g, 2, { seeds: 1 } as never)).toThrow(/options\.seeds/);
    expect(() => choleskyQr(gpu(f32(1, [3, 5])))).toThrow(ShapeError);
  });

  it('initWebGPU options and THRESHOLDS assignments', async () => {
    await expect(initWebGPU({ allowSoftware: 'yes' as never })).rejects.toThrow(/options\.allowSoftware/);
    await expect(initWebGPU({ dawnFlags: [1] as never })).rejects.toThrow(/options\.dawnFlags/);
    await expect(initWebGPU({ gpu: {} as never })).rejects.toThrow(/options\.gpu/);
    await expect(initWebGPU({ powerPreference: 'fast' as never })).rejects.toThrow(/powerPreference/);
    await expect(initWebGPU({ allowsoftware: true } as never)).rejects.toThrow(/options\.allowsoftware/);
    const saved = THRESHOLDS.minFlops;
    expect(() => {
      THRESHOLDS.minFlops = '1e6' as never;
    }).toThrow(/THRESHOLDS: argument 'minFlops'/);
    expect(() => {
      THRESHOLDS.minFlops = -1;
    }).toThrow(InvalidArgumentError);
    expect(() => {
      (THRESHOLDS as unknown as Record<string, unknown>).minflops = 0;
    }).toThrow(/THRESHOLDS: argument 'minflops'/);
    expect(() => {
      THRESHOLDS.allowSoftware = 1 as never;
    }).toThrow(InvalidArgumentError);
    expect(THRESHOLDS.minFlops).toBe(saved);
  });
});

describe.skipIf(!ok)('arrays: null, wrong dtype, wrong shape, disposed', () => {
  it('null and non-arrays name the function and the argument', () => {
    const x = gpu(f32(1, [3, 3]));
    const cases: [() => unknown, RegExp][] = [
      [() => matmul(null as never, x), /matmul: argument 'a'/],
      [() => matmul(x, undefined as never), /matmul: argument 'b'/],
      [() => gemv(x, null as never), /gemv: argument 'x'/],
      [() => add(null as never, x), /add: argument 'a'/],
      [() => add(x, zeros([3, 3]) as never), /add: argument 'b'/],
      [() => sqrt(null as never), /sqrt: argument 'x'/],
      [() => sum(null as never), /sum: argument 'x'/],
      [() => transpose(null as never), /transpose: argument 'x'/],
      [() => muonStep(null as never, x, x), /muonStep: argument 'w'/],
      [() => muonStep(x, x, null as never), /muonStep: argument 'm'/],
      [() => newtonSchulz(undefined as never), /newtonSchulz: argument 'g'/],
      [() => choleskyQr(null as never), /choleskyQr: argument 'y'/],
      [() => rangeFinder(null as never, 1), /rangeFinder: argument 'a'/],
      [() => spmv(null as never, x), /spmv: argument 'a'/],
      [() => toGPU(null as never), /toGPU: argument 'data'/],
      [() => toGPUCsr(null as never), /toGPUCsr: argument 'a'/],
      [() => toGPUCsr({} as never), /toGPUCsr: argument 'a\.shape'/],
    ];
    for (const [f, re] of cases) {
      expect(f).toThrow(InvalidArgumentError);
      expect(f).toThrow(re);
    }
  });

  it('no silent float64 -> float32: toGPU and toGPUCsr refuse other dtypes, astype is the explicit way', async () => {
    const d = new NDArray(new Float64Array([1, 2, 3]), [3]);
    expect(() => toGPU(d)).toThrow(DTypeError);
    expect(() => toGPU(d)).toThrow(/toGPU: argument 'data' has dtype float64.*astype\('float32'\)/);
    expect(() => toGPU(rng(1).integers(0, 5, [3]))).toThrow(DTypeError);
    expect(() => toGPU(new Float64Array(3) as never)).toThrow(/Float64Array/);
    expect([...(await toGPU(d.astype('float32')).read())]).toEqual([1, 2, 3]);
    // before: toGPU([1e39]) read back Infinity
    expect(() => toGPU([1, 1e39])).toThrow(/toGPU: argument 'data\[1\]'.*float32's range/);
    expect(() => toGPU(['1'] as never)).toThrow(/data\[0\]/);
    expect([...(await toGPU([Number.POSITIVE_INFINITY, Number.NaN, 3.4028235e38]).read())]).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NaN,
      3.4028234663852886e38,
    ]);
    const csr = {
      shape: [1, 1] as [number, number],
      indptr: new Int32Array([0, 1]),
      indices: new Int32Array([0]),
      data: new Float64Array([1]),
    };
    expect(() => toGPUCsr(csr as never)).toThrow(DTypeError);
    expect(() => toGPUCsr({ ...csr, shape: [-1, 1] } as never)).toThrow(/a\.shape\[0\]/);
  });

  it('shapes: negative or fractional extents refused (they used to pass when their product matched)', () => {
    // before: toGPU([1, 2, 3, 4], [-2, -2]) and [2.5, 1.6] made arrays of those shapes
    expect(() => toGPU([1, 2, 3, 4], [-2, -2])).toThrow(/toGPU: argument 'shape'/);
    expect(() => toGPU([1, 2, 3, 4], [2.5, 1.6])).toThrow(InvalidArgumentError);
    expect(() => toGPU([1, 2, 3, 4], [3])).toThrow(ShapeError);
    const x = toGPU([1, 2, 3, 4]);
    expect(() => x.reshape([-2, -2])).toThrow(/GPUArray\.reshape: argument 'shape'/);
    expect(x.reshape(4).shape).toEqual([4]);
    expect(() => matmul(x, x)).toThrow(ShapeError);
    expect(() => gemv(x.reshape([2, 2]), x)).toThrow(ShapeError);
    expect(() => transpose(x)).toThrow(ShapeError);
    expect(() => max(x, 1)).toThrow(/max: argument 'axis'/);
  });

  it('a disposed array names the function and the argument, and leaks nothing', async () => {
    const x = gpu(f32(1, [3, 3]));
    const y = gpu(f32(2, [3, 3]));
    const v = gpu([1, 2, 3]);
    y.dispose();
    const live = webgpuStats().liveBytes;
    expect(() => matmul(x, y)).toThrow(/matmul: argument 'b' is "a disposed GPUArray"/);
    expect(() => matmul(x, x, { beta: 1, c: y })).toThrow(/matmul: argument 'options\.c'/);
    expect(() => gemv(x, v, { beta: 1, y })).toThrow(/gemv: argument 'options\.y'/);
    expect(() => add(x, y)).toThrow(/add: argument 'b'/);
    expect(() => sum(y)).toThrow(/sum: argument 'x'/);
    expect(() => y.reshape([9])).toThrow(/GPUArray\.reshape/);
    await expect(y.read()).rejects.toThrow(/GPUArray\.read: argument 'this' is "a disposed GPUArray"/);
    expect(webgpuStats().liveBytes).toBe(live);
    const csr = toGPUCsr(
      csr32({ shape: [1, 1], indptr: new Int32Array([0, 1]), indices: new Int32Array([0]), data: [1] }),
    );
    csr.dispose();
    expect(() => spmv(csr, gpu([1]))).toThrow(/spmv: argument 'a' is "a disposed GPUCsr"/);
  });

  // last: it replaces the device
  it('arrays of a released device are refused instead of reading back zeros', async () => {
    const old = toGPU([1, 2, 3]);
    const lazy = add(old, 1);
    releaseWebGPU();
    await initWebGPU();
    // before: old.read() and add(old, 1).read() returned [0, 0, 0] after a WebGPU validation error
    await expect(old.read()).rejects.toThrow(
      /GPUArray\.read: argument 'this' is "a GPUArray of a released or lost device"/,
    );
    expect(() => add(old, 1)).toThrow(/add: argument 'a'.*released or lost device/);
    await expect(lazy.read()).rejects.toThrow(/released or lost device/);
    old.dispose();
    expect([...(await toGPU([1, 2, 3]).read())]).toEqual([1, 2, 3]);
  });
});
