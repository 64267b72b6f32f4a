import { rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { type NativeAddon, nativeAddon } from '../src/index.js';
import { built } from './helpers.js';

type Desc = Record<string, unknown>;
const mat = (rows: number, cols: number, fill = 0): Desc => ({
  data: new Float64Array(rows * cols).fill(fill),
  offset: 0,
  rows,
  cols,
  ld: Math.max(1, cols),
  colMajor: false,
});
const vec = (n: number): Desc => ({ data: new Float64Array(n).fill(1), offset: 0, n, inc: 1 });
/** `count` contiguous rows x cols matrices in one array, as a batch descriptor. */
const batch = (count: number, rows: number, cols: number): Desc => ({
  data: new Float64Array(count * rows * cols).fill(1),
  offsets: Float64Array.from({ length: count }, (_, i) => i * rows * cols),
  rows,
  cols,
  ld: Math.max(1, cols),
  colMajor: false,
});
function eye(n: number): Desc {
  const m = mat(n, n);
  for (let i = 0; i < n; i++) (m.data as Float64Array)[i * n + i] = 1;
  return m;
}

/** A valid call of every entry point; the fuzzers break one piece at a time. */
const VALID: Record<string, () => unknown[]> = {
  dot: () => [vec(3), vec(3)],
  nrm2: () => [vec(3)],
  axpy: () => [1, vec(3), vec(3)],
  scal: () => [2, vec(3)],
  gemv: () => [1, mat(3, 2), vec(2), 0, vec(3)],
  ger: () => [1, vec(3), vec(2), mat(3, 2)],
  trmv: () => [eye(3), vec(3), true, false],
  trsv: () => [eye(3), vec(3), true, false],
  gemm: () => [1, mat(2, 3), mat(3, 2), 0, mat(2, 2)],
  gemmAsync: () => [1, mat(2, 3), mat(3, 2), 0, mat(2, 2)],
  syrk: () => [1, mat(3, 2), 0, mat(3, 3), true],
  trmm: () => [true, true, false, 1, eye(3), mat(3, 2)],
  trsm: () => [false, true, false, 1, eye(2), mat(3, 2)],
  potrf: () => [eye(3)],
  potrfAsync: () => [eye(3)],
  potrs: () => [eye(3), mat(3, 2)],
  getrf: () => [mat(3, 2, 1), new Int32Array(2)],
  getrfAsync: () => [mat(3, 2, 1), new Int32Array(2)],
  getrs: () => [eye(3), Int32Array.of(0, 1, 2), mat(3, 2), false],
  gesv: () => [eye(3), mat(3, 2)],
  gesvAsync: () => [eye(3), mat(3, 1)],
  geqrf: () => [mat(3, 2, 1), vec(2)],
  orgqr: () => [mat(3, 2, 1), vec(2)],
  geqp3: () => [mat(3, 2, 1), vec(2), new Int32Array(2)],
  gesdd: () => [mat(3, 2, 1), 'thin', vec(2), mat(3, 2), mat(2, 2)],
  gesddAsync: () => [mat(3, 2, 1), 'full', vec(2), mat(3, 3), mat(2, 2)],
  syevd: () => [eye(3), true, vec(3), mat(3, 3)],
  syevdAsync: () => [eye(3), false, vec(3), null],
  ormqr: () => [mat(3, 2, 1), vec(2), mat(3, 2), true, false],
  ormqrAsync: () => [mat(3, 2, 1), vec(2), mat(2, 3), false, true],
  trtrs: () => [eye(3), mat(3, 2), true, false, false],
  trtrsAsync: () => [eye(3), mat(3, 2), false, true, false],
  gelsd: () => [mat(3, 2, 1), mat(3, 1), -1, vec(2), mat(2, 1), new Int32Array(1)],
  gelsdAsync: () => [mat(2, 3, 1), mat(2, 2), 0.1, vec(2), mat(3, 2), new Int32Array(1)],
  syevr: () => [eye(3), true, 0, 1, vec(2), mat(3, 2)],
  syevrAsync: () => [eye(3), false, 1, 2, vec(2), null],
  gemmBatched: () => [1, batch(2, 3, 2), batch(2, 2, 3), 0, batch(2, 3, 3)],
  gemmBatchedAsync: () => [1, batch(3, 2, 2), batch(3, 2, 1), 0.5, batch(3, 2, 1)],
  setThreads: () => [1],
};

/** Entry points with one float operand, where float32 storage is a valid call, not a dtype mismatch. */
const SINGLE_DTYPE_OPERAND = new Set(['nrm2', 'scal', 'potrf', 'potrfAsync', 'getrf', 'getrfAsync']);

/** Values of the wrong type for any argument. */
const WRONG_TYPE: unknown[] = [
  undefined,
  null,
  'x',
  {},
  [],
  [1, 2],
  () => 1,
  Symbol('s'),
  10n,
  new Int8Array(4),
  new Uint8Array(8),
  new ArrayBuffer(8),
];
/** Field values that are never valid: wrong types, fractions, NaN, negatives, huge. */
const BAD_INT: unknown[] = [
  -1,
  0.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 31,
  2 ** 53 + 2,
  1e300,
  '1',
  null,
  undefined,
  true,
];

function call(addon: NativeAddon, fn: string, args: unknown[]): unknown {
  return (addon as unknown as Record<string, (...a: unknown[]) => unknown>)[fn](...args);
}

/** Every way to break one descriptor: each field replaced by an invalid value, or data too short or mistyped. */
function brokenDescriptors(d: Desc, float32IsWrong: boolean): Desc[] {
  const out: Desc[] = [];
  const isMat = 'rows' in d;
  const isBatch = 'offsets' in d;
  const ints = isBatch
    ? ['rows', 'cols', 'ld']
    : isMat
      ? ['offset', 'rows', 'cols', 'ld']
      : ['offset', 'n', 'inc'];
  for (const k of ints) for (const v of BAD_INT) if (!(k === 'inc' && v === -1)) out.push({ ...d, [k]: v });
  const data = d.data as Float64Array;
  out.push({ ...d, data: data.subarray(0, Math.max(0, data.length - 1)) });
  if (float32IsWrong) out.push({ ...d, data: new Float32Array(data.length) });
  out.push({ ...d, data: new Int32Array(data.length) });
  out.push({ ...d, data: undefined });
  out.push({ ...d, data: Array.from(data) });
  if (isBatch) {
    const offsets = d.offsets as Float64Array;
    for (const v of [-1, 0.5, Number.NaN, data.length, 2 ** 60])
      out.push({ ...d, offsets: offsets.map(() => v) });
    out.push({ ...d, offsets: offsets.subarray(1) });
    out.push({ ...d, offsets: Array.from(offsets) });
    out.push({ ...d, offsets: new Float32Array(offsets) });
  } else out.push({ ...d, offset: data.length });
  if (isMat) {
    out.push({ ...d, ld: 0 });
    out.push({ ...d, ld: (d.ld as number) + 1 });
    if ((d.cols as number) > 1) out.push({ ...d, ld: (d.cols as number) - 1 });
    out.push({ ...d, colMajor: 1 });
    out.push({ ...d, colMajor: undefined });
    out.push({ ...d, rows: (d.rows as number) + 1 });
    out.push({ ...d, cols: (d.cols as number) + 1 });
  } else {
    out.push({ ...d, inc: 0 });
    out.push({ ...d, inc: 2 });
    out.push({ ...d, n: (d.n as number) + 1 });
  }
  const { data: _d, ...noData } = d;
  out.push(noData);
  return out;
}

function isDescriptor(x: unknown): x is Desc {
  return typeof x === 'object' && x !== null && !ArrayBuffer.isView(x) && 'data' in x;
}

describe.skipIf(!built)('the raw addon under bad arguments', () => {
  const addon = nativeAddon()!;

  it('accepts each valid call (the baseline the fuzzers break)', async () => {
    for (const [fn, make] of Object.entries(VALID)) await call(addon, fn, make());
  });

  it('throws TypeError or RangeError for every single broken argument', () => {
    let count = 0;
    for (const [fn, make] of Object.entries(VALID)) {
      const n = make().length;
      const expectThrow = (args: unknown[], what: string) => {
        count++;
        let thrown: unknown;
        try {
          call(addon, fn, args);
        } catch (e) {
          thrown = e;
        }
        expect(thrown, `${fn}: ${what}`).toBeDefined();
        expect(thrown instanceof TypeError || thrown instanceof RangeError, `${fn}: ${what}: ${thrown}`).toBe(
          true,
        );
      };
      // too few and too many arguments
      expectThrow(make().slice(0, n - 1), 'one argument short');
      expectThrow([...make(), 1], 'one argument too many');
      for (let i = 0; i < n; i++) {
        const base = make();
        const arg = base[i];
        const replacements: unknown[] = isDescriptor(arg)
          ? [...WRONG_TYPE, ...brokenDescriptors(arg, !SINGLE_DTYPE_OPERAND.has(fn))]
          : typeof arg === 'number'
            ? WRONG_TYPE.filter((v) => typeof v !== 'number')
            : WRONG_TYPE.filter((v) => v !== arg);
        if (arg instanceof Int32Array)
          replacements.push(new Int32Array(arg.length + 1), new Float64Array(arg.length));
        if (fn === 'getrs' && i === 1) replacements.push(Int32Array.of(0, 3, 2), Int32Array.of(-1, 1, 2));
        if (fn === 'setThreads') replacements.push(0, -3, 1.5, Number.NaN, 1e9);
        // index ranges outside 0 <= il <= iu + 1 <= n, and a NaN rcond
        if (fn.startsWith('syevr') && (i === 2 || i === 3)) replacements.push(-1, 4, i === 2 ? 3 : -1, 0.5);
        if (fn.startsWith('gelsd') && i === 2) replacements.push(Number.NaN);
        if (typeof arg === 'string') replacements.push('Thin', '');
        for (const bad of replacements) {
          const args = make();
          args[i] = bad;
          expectThrow(args, `argument ${i} = ${show(bad)}`);
        }
      }
    }
    expect(count).toBeGreaterThan(1500);
  });

  it('refuses outputs that share memory with inputs', () => {
    const a = mat(3, 3, 1);
    const overlap = (fn: string, args: unknown[]) =>
      expect(() => call(addon, fn, args), fn).toThrow(/shares? memory/);
    overlap('gemm', [1, a, a, 0, a]);
    const shared = new Float64Array(12);
    const lo = { data: shared, offset: 0, rows: 3, cols: 3, ld: 3, colMajor: false };
    overlap('gemm', [1, lo, eye(3), 0, { ...lo, offset: 3 }]);
    const x = vec(4);
    overlap('axpy', [1, { ...x, n: 3 }, { ...x, offset: 1, n: 3 }]);
    const buf = new Float64Array(20);
    const m = { data: buf, offset: 0, rows: 3, cols: 2, ld: 2, colMajor: false };
    overlap('gesdd', [m, 'thin', { data: buf, offset: 6, n: 2, inc: 1 }, { ...m, offset: 5 }, mat(2, 2)]);
    overlap('getrf', [m, new Int32Array(buf.buffer, 8, 2)]);
    overlap('gesv', [
      { ...m, rows: 2, cols: 2 },
      { ...m, rows: 2, cols: 1, ld: 1, offset: 3 },
    ]);
    const t = eye(3);
    overlap('trsm', [true, true, false, 1, t, { ...t }]);
    overlap('trtrs', [t, { ...t }, true, false, false]);
    overlap('gesv', [t, { ...t }]);
    overlap('ormqr', [m, { data: buf, offset: 6, n: 2, inc: 1 }, { ...m, offset: 4 }, true, false]);
    overlap('gelsd', [
      m,
      mat(3, 1),
      -1,
      vec(2),
      { ...m, rows: 2, cols: 1, ld: 1, offset: 5 },
      new Int32Array(1),
    ]);
    // two entries of one output batch on the same memory, and an output batch over an input
    const b = batch(2, 2, 2);
    overlap('gemmBatched', [1, batch(2, 2, 2), batch(2, 2, 2), 0, { ...b, offsets: Float64Array.of(0, 2) }]);
    overlap('gemmBatched', [1, b, batch(2, 2, 2), 0, b]);
  });

  it('notices a buffer detached by a getter of a later argument', () => {
    const a = mat(3, 3, 1);
    const c = mat(3, 3);
    const b = { ...eye(3) };
    Object.defineProperty(b, 'colMajor', {
      get: () => {
        structuredClone(a.data, { transfer: [(a.data as Float64Array).buffer] });
        return false;
      },
    });
    expect(() => call(addon, 'gemm', [1, a, b, 0, c])).toThrow(/detached/);
  });

  it('survives thousands of random argument lists (throws or runs, never crashes)', async () => {
    const g = rng('fuzz');
    const names = Object.keys(VALID).filter((f) => f !== 'setThreads');
    const pick = <T>(xs: readonly T[]): T => xs[g.below(xs.length)];
    const pending: Promise<unknown>[] = [];
    let threw = 0;
    const runs = 6000;
    for (let r = 0; r < runs; r++) {
      const fn = pick(names);
      const args = VALID[fn]();
      // break 1 to 3 pieces at random: whole arguments, descriptor fields, or plausible-looking sizes
      const breaks = 1 + g.below(3);
      for (let b = 0; b < breaks; b++) {
        const i = g.below(args.length + 1);
        if (i === args.length) {
          args.push(pick(WRONG_TYPE));
          continue;
        }
        const arg = args[i];
        if (isDescriptor(arg) && g.nextFloat64() < 0.8) {
          const key = pick(Object.keys(arg));
          const value = pick([
            ...BAD_INT,
            0,
            1,
            2,
            3,
            7,
            -2,
            2 ** 30,
            (arg.data as Float64Array)?.length ?? 0,
          ]);
          args[i] = {
            ...arg,
            [key]: key === 'data' ? pick([new Float64Array(g.below(12)), new Float32Array(5), null]) : value,
          };
        } else {
          args[i] = pick([...WRONG_TYPE, ...BAD_INT, 0, 1, 'full', true, false]);
        }
      }
      try {
        const out = call(addon, fn, args);
        if (out instanceof Promise) pending.push(out.catch(() => undefined));
      } catch (e) {
        threw++;
        expect(e instanceof Error, String(e)).toBe(true);
      }
    }
    await Promise.all(pending);
    expect(threw).toBeGreaterThan(runs / 2);
  });
});

function show(x: unknown): string {
  if (typeof x === 'symbol' || typeof x === 'bigint') return String(x);
  if (ArrayBuffer.isView(x)) return `${x.constructor.name}(${(x as unknown as ArrayLike<number>).length})`;
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
