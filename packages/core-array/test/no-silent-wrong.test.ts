// Issue #27, "No silent wrong answers": each case below used to return a wrong value or throw an
// untyped error (the property suite in overlap-suite.ts covers overlap at random).
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  NDArray,
  Rng,
  ShapeError,
  add,
  arange,
  array,
  axpy,
  checkShape,
  configure,
  copyInto,
  eye,
  full,
  gemm,
  gemv,
  ger,
  linspace,
  matmul,
  mayShareMemory,
  mean,
  neg,
  norm,
  registerBackend,
  rng,
  scal,
  std,
  sum,
  syrk,
  trsm,
  use,
  variance,
  zeros,
} from '../src/index.js';

const mat = (rows: number[][]) => array(rows) as NDArray<'float64'>;
const A = () =>
  mat([
    [1, 2],
    [3, 4],
  ]);

describe('outputs that overlap inputs are computed from copies', () => {
  it('gemm with c = a, c = a = b, and c a shifted view of the buffer a lives in', () => {
    const a = A();
    const b = mat([
      [5, 6],
      [7, 8],
    ]);
    expect(gemm(a, b, { c: a }).toArray()).toEqual([
      [19, 22],
      [43, 50],
    ]);
    const s = A();
    expect(gemm(s, s, { c: s }).toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    // a = rows 0..1 and c = rows 1..2 of one 3 x 2 buffer: they share row 1
    const buf = mat([
      [1, 2],
      [3, 4],
      [0, 0],
    ]);
    const want = matmul(buf.slice('0:2'), b).toArray();
    gemm(buf.slice('0:2'), b, { c: buf.slice('1:3') });
    expect(buf.slice('1:3').toArray()).toEqual(want);
    expect(buf.slice(0).toArray()).toEqual([1, 2]);
  });

  it('gemv with y = x, ger with x a row of a, axpy and copyInto with a reversed view', () => {
    const a = A();
    const x = array([1, 1]);
    expect(gemv(a, x, { y: x }).toArray()).toEqual([3, 7]);
    const g = A();
    ger(1, g.slice(0), array([1, 1]), g);
    expect(g.toArray()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    const v = array([1, 2, 3]);
    axpy(1, v.slice('::-1'), v);
    expect(v.toArray()).toEqual([4, 4, 4]);
    const r = array([1, 2, 3, 4]);
    copyInto(r, r.slice('::-1'));
    expect(r.toArray()).toEqual([4, 3, 2, 1]);
    const shifted = array([1, 2, 3, 4]);
    add(shifted.slice('0:3'), 10, { out: shifted.slice('1:4') });
    expect(shifted.toArray()).toEqual([1, 11, 12, 13]);
  });

  it('elementwise ops in place on the very same view need no copy and stay right', () => {
    const x = array([1, 2, 3]);
    expect(neg(x, { out: x }).toArray()).toEqual([-1, -2, -3]);
    expect(add(x, x, { out: x }).toArray()).toEqual([-2, -4, -6]);
  });

  it('refuses outputs that repeat elements: broadcast views and self-overlapping strides', () => {
    const row = array([[1, 2]]).broadcastTo([2, 2]);
    expect(() => gemm(A(), A(), { c: row as NDArray<'float64'> })).toThrow(
      /gemm: argument 'options.c' is NDArray\(shape=\[2, 2\], dtype=float64\); expected a writable array, not a broadcast view \(axis 0 has stride 0\)/,
    );
    expect(() => add(A(), 1, { out: row })).toThrow(InvalidArgumentError);
    expect(() => axpy(1, array([1, 2]), array([1]).broadcastTo([2]))).toThrow(/axpy: argument 'y'/);
    expect(() => scal(2, array([1]).broadcastTo([3]))).toThrow(/scal: argument 'x'/);
    expect(() => copyInto(array([0]).broadcastTo([2]), array([1, 2]))).toThrow(/copyInto: argument 'dst'/);
    // strides [1, 1] on 2 x 2: (0, 1) and (1, 0) are one element
    const skew = new NDArray(new Float64Array(3), [2, 2], [1, 1]);
    expect(() => add(A(), A(), { out: skew })).toThrow(/reach one element twice/);
    // hand-made strides that look odd but reach distinct elements are accepted
    const odd = new NDArray(new Float64Array(11), [3, 3], [2, 3]);
    expect(() => add(zeros([3, 3]), 1, { out: odd })).not.toThrow();
    expect(Array.from(odd.data)).toEqual([1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1]);
  });

  it('mayShareMemory looks at bytes, across dtypes and subarrays of one buffer', () => {
    const buf = new ArrayBuffer(64);
    const f = new NDArray(new Float64Array(buf, 0, 4), [4]);
    const g = new NDArray(new Float32Array(buf, 32, 8), [8]);
    const h = new NDArray(new Float32Array(buf, 0, 8), [8]);
    expect(mayShareMemory(f, g)).toBe(false);
    expect(mayShareMemory(f, h)).toBe(true);
    expect(mayShareMemory(f.slice('0:1'), h.slice('2:4'))).toBe(false);
    expect(mayShareMemory(f, zeros([0]))).toBe(false);
  });
});

describe('scalar parameters are checked, never coerced', () => {
  const bad = [Number.NaN, Number.POSITIVE_INFINITY, '2'] as unknown as number[];
  it.each(bad)('alpha and beta = %s are refused by every BLAS function', (v) => {
    const a = A();
    const x = array([1, 2]);
    const cases: [string, () => unknown][] = [
      ["gemm: argument 'options.alpha'", () => gemm(a, a, { alpha: v })],
      ["gemm: argument 'options.beta'", () => gemm(a, a, { beta: v, c: A() })],
      ["gemv: argument 'options.alpha'", () => gemv(a, x, { alpha: v })],
      ["gemv: argument 'options.beta'", () => gemv(a, x, { beta: v })],
      ["ger: argument 'alpha'", () => ger(v, x, x, A())],
      ["trsm: argument 'options.alpha'", () => trsm(A(), A(), { alpha: v })],
      ["axpy: argument 'alpha'", () => axpy(v, x, array([0, 0]))],
      ["scal: argument 'alpha'", () => scal(v, array([1, 2]))],
      ["syrk: argument 'options.beta'", () => syrk(a, { beta: v })],
    ];
    for (const [message, call] of cases) {
      expect(call).toThrow(InvalidArgumentError);
      expect(call).toThrow(message);
    }
  });

  it('flags must be booleans and choices must be known', () => {
    expect(() => gemm(A(), A(), { transA: 'yes' as never })).toThrow(
      'gemm: argument \'options.transA\' is "yes"',
    );
    expect(() => sum(A(), { keepdims: 'yes' as never })).toThrow("sum: argument 'options.keepdims'");
    expect(() => trsm(A(), A(), { side: 'top' as never })).toThrow("trsm: argument 'options.side'");
    expect(() => linspace(0, 1, 3, { endpoint: 1 as never })).toThrow(
      "linspace: argument 'options.endpoint'",
    );
  });

  it('ddof: non-negative, finite, and below the number of elements reduced', () => {
    const x = array([1, 2, 3, 4]);
    expect(variance(x, { ddof: 1 }).item()).toBeCloseTo(5 / 3, 14);
    expect(() => std(x, { ddof: Number.NaN })).toThrow("std: argument 'options.ddof' is NaN");
    expect(() => variance(x, { ddof: -1 })).toThrow(InvalidArgumentError);
    expect(() => variance(x, { ddof: 4 })).toThrow('less than the 4 elements reduced');
    expect(() => std(x, { ddof: '1' as never })).toThrow(InvalidArgumentError);
  });

  it('creation functions: shapes, counts and values', () => {
    expect(() => zeros([-2])).toThrow("zeros: argument 'shape' is [-2]");
    expect(zeros(3).shape).toEqual([3]);
    expect(() => full([2], '1' as never)).toThrow("full: argument 'value'");
    expect(Number.isNaN(full([1], Number.NaN).item())).toBe(true);
    expect(() => eye(-1)).toThrow("eye: argument 'n'");
    expect(() => eye(2, { m: 1.5 })).toThrow("eye: argument 'options.m'");
    expect(() => arange('3' as never)).toThrow("arange: argument 'start'");
    expect(() => linspace(0, Number.NaN, 3)).toThrow("linspace: argument 'stop'");
    expect(checkShape('f', 'shape', 2)).toEqual([2]);
  });

  it('rng: a number is a 1-D shape; bad shapes, bounds and states are refused', () => {
    expect(rng(1).normal(3).shape).toEqual([3]);
    expect(rng(1).uniform(2, { low: -1 }).shape).toEqual([2]);
    expect(() => rng(1).normal([-2])).toThrow("Rng.normal: argument 'shape' is [-2]");
    expect(() => rng(1).normal(2, { mean: Number.NaN })).toThrow("Rng.normal: argument 'options.mean'");
    expect(() => rng(1).integers(0, 2 ** 40, 2)).toThrow("Rng.integers: argument 'high'");
    expect(() => rng(1).integers(0, 3, 2, { dtype: 'bool' })).toThrow("Rng.integers: argument 'high'");
    expect(rng(1).integers(0, 2 ** 40, 2, { dtype: 'float64' }).shape).toEqual([2]);
    // below(0) and below(NaN) used to loop forever; an all-zero state draws zeros forever
    expect(() => rng(1).below(0)).toThrow("Rng.below: argument 'n' is 0");
    expect(() => rng(1).below(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow("Rng.fromState: argument 'state'");
    expect(() => rng(1).shuffle(null as never)).toThrow("Rng.shuffle: argument 'a' is null");
  });
});

describe('a missing or non-array operand is named', () => {
  it.each([
    ['gemm', "gemm: argument 'a' is null; expected an NDArray", () => gemm(null as never, A())],
    ['gemm c', "gemm: argument 'options.c' is [object Object]", () => gemm(A(), A(), { c: {} as never })],
    ['matmul', "matmul: argument 'b' is undefined", () => matmul(A(), undefined as never)],
    ['add', 'add: argument \'y\' is "1"; expected an NDArray or a number', () => add(A(), '1' as never)],
    ['neg', "neg: argument 'x' is null", () => neg(null as never)],
    ['sum', "sum: argument 'x' is [[1, 2]]", () => sum([[1, 2]] as never)],
    ['mean', "mean: argument 'x' is undefined", () => mean(undefined as never)],
    ['norm', "norm: argument 'x' is null", () => norm(null as never)],
    ['copyInto', "copyInto: argument 'src' is null", () => copyInto(zeros([1]), null as never)],
  ])('%s', (_, message, call) => {
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(message);
  });
});

describe('registry arguments', () => {
  it('use, registerBackend and configure refuse what is not a plugin, a backend or a config', () => {
    expect(() => use({} as never)).toThrow(
      "use: argument 'plugin' is [object Object]; expected a plugin object",
    );
    expect(() => use(null as never)).toThrow(InvalidArgumentError);
    expect(() => registerBackend({ name: 'x', priority: Number.NaN } as never)).toThrow(
      "registerBackend: argument 'backend.priority' is NaN",
    );
    expect(() => configure(undefined as never)).toThrow("configure: argument 'config' is undefined");
    expect(() => configure({ backends: ['js', ''] })).toThrow("configure: argument 'backends'");
  });
});

describe('norm follows numpy.linalg.norm', () => {
  // the 2-norm (largest singular value) is 9.5080; norm(m, 2) used to return the Frobenius 9.5394
  const m = mat([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const v = array([3, -4, 0]);
  it('matrix orders that need no SVD; 2, -2 and nuc point to matrixNorm', () => {
    expect(norm(m).item()).toBeCloseTo(Math.sqrt(91), 13);
    expect(norm(m, 'fro').item()).toBeCloseTo(Math.sqrt(91), 13);
    expect(norm(m, 1).item()).toBe(9);
    expect(norm(m, -1).item()).toBe(5);
    expect(norm(m, Number.POSITIVE_INFINITY).item()).toBe(15);
    expect(norm(m, Number.NEGATIVE_INFINITY).item()).toBe(6);
    for (const ord of [2, -2, 'nuc'] as const)
      expect(() => norm(m, ord)).toThrow(/matrixNorm\(a, 2 \| 'nuc'\) from @krylov\/decompositions/);
    expect(() => norm(m, 3)).toThrow("norm: argument 'ord' is 3; expected a matrix order");
    expect(() => norm(m, 1, { axis: [1, -1] })).toThrow('two distinct axes');
    expect(() => norm(zeros([2, 2, 2]), 1)).toThrow(ShapeError);
    expect(norm(zeros([2, 2, 2]), 1, { axis: [1, 2] }).shape).toEqual([2]);
  });
  it('vector orders: any real p, Infinity, -Infinity and 0; no strings', () => {
    expect(norm(v, 2).item()).toBe(5);
    expect(norm(v, 1).item()).toBe(7);
    expect(norm(v, 0).item()).toBe(2);
    expect(norm(v, 3).item()).toBeCloseTo(91 ** (1 / 3), 13);
    expect(norm(v, 0.5).item()).toBeCloseTo((Math.sqrt(3) + 2) ** 2, 12);
    expect(norm(v, -1).item()).toBe(0);
    expect(norm(array([3, -4]), -1).item()).toBeCloseTo(1 / (1 / 3 + 1 / 4), 14);
    expect(norm(v, Number.NEGATIVE_INFINITY).item()).toBe(0);
    expect(norm(array([1e300, 1e300]), 3).item()).toBeCloseTo(2 ** (1 / 3) * 1e300, -285);
    expect(() => norm(v, 'fro')).toThrow('norm: argument \'ord\' is "fro"; expected a vector order');
    expect(() => norm(v, Number.NaN)).toThrow(InvalidArgumentError);
    expect(norm(m, 1, { axis: 1 }).toArray()).toEqual([6, 15]);
  });
});
