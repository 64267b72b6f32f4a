/**
 * Property suite for outputs that overlap inputs: every operand is a random view (offset, steps of
 * +-1 or +-2, transposed or not) into ONE shared buffer, so outputs and inputs overlap partly,
 * wholly or not at all. The expected buffer comes from copy-then-compute: the same call on
 * separate copies of the operands, its result written back through the output's view. Every other
 * element of the buffer must be untouched. Backends run it by importing this file from their tests
 * (packages/native-blas/test, packages/wasm-simd/test) with their backend in the order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NDArray,
  add,
  axpy,
  copyInto,
  gemm,
  gemv,
  ger,
  maximum,
  mul,
  neg,
  rng,
  scal,
  syrk,
  trmm,
  trmv,
  trsm,
  trsv,
  withBackends,
} from '../src/index.js';

/** Side of the square grid the buffer is laid out as. */
const G = 10;

interface ViewSpec {
  transpose: boolean;
  rowStep: number;
  colStep: number;
  row: number;
  col: number;
}

const viewSpec: fc.Arbitrary<ViewSpec> = fc.record({
  transpose: fc.boolean(),
  rowStep: fc.constantFrom(1, 2, -1, -2),
  colStep: fc.constantFrom(1, 2, -1, -2),
  row: fc.nat(G - 1),
  col: fc.nat(G - 1),
});

/** A first index for `n` elements with `step` inside [0, G): `pick` folded into the valid range. */
function start(n: number, step: number, pick: number): number {
  const span = Math.max(n - 1, 0) * Math.abs(step) + 1;
  const room = G - span + 1;
  const first = pick % room;
  return step > 0 ? first : first + span - 1;
}

/** An m x n matrix view of `buf` (viewed as a G x G grid) by `spec`. */
function matrixView(buf: Float64Array, m: number, n: number, spec: ViewSpec): NDArray<'float64'> {
  const [p, q] = spec.transpose ? [n, m] : [m, n];
  const r0 = start(p, spec.rowStep, spec.row);
  const c0 = start(q, spec.colStep, spec.col);
  const v = new NDArray(buf, [p, q], [spec.rowStep * G, spec.colStep], r0 * G + c0);
  return spec.transpose ? v.T : v;
}

/** A length-n vector view: a row or a column of the grid (by `spec.transpose`). */
function vectorView(buf: Float64Array, n: number, spec: ViewSpec): NDArray<'float64'> {
  return spec.transpose
    ? matrixView(buf, n, 1, spec).slice(null, 0)
    : matrixView(buf, 1, n, spec).slice(0, null);
}

/** The same geometry as `v` over another buffer. */
const sameViewOn = (buf: Float64Array, v: NDArray) => new NDArray(buf, v.shape, v.strides, v.offset);

const dim = fc.integer({ min: 0, max: 4 });
const posDim = fc.integer({ min: 1, max: 4 });
const scalar = fc.constantFrom(0, 1, -0.5, 2);

/**
 * Runs `op` on views of one random buffer and checks the buffer against copy-then-compute:
 * `op(views)` must give what `op(copies)` gives, written through the view `views[outIndex]`.
 */
function checkAgainstCopies(
  seed: number,
  make: (buf: Float64Array) => NDArray[],
  outIndex: number,
  op: (views: NDArray[]) => void,
): void {
  const buf = new Float64Array(G * G);
  buf.set(rng(seed).uniform([G * G], { low: -1, high: 1 }).data);
  const expected = buf.slice();
  const views = make(buf);
  const copies = views.map((v) => v.copy());
  op(copies);
  copyInto(sameViewOn(expected, views[outIndex]), copies[outIndex]);
  op(views);
  for (let i = 0; i < buf.length; i++) {
    const tol = 1e-10 * (1 + Math.abs(expected[i]));
    if (!(Math.abs(buf[i] - expected[i]) <= tol))
      expect.fail(`element ${i} of the buffer is ${buf[i]}, copy-then-compute gives ${expected[i]}`);
  }
}

/**
 * Defines the property tests, each call run with `backends` as the order (e.g. ['native', 'js']).
 * `numRuns` cases per operation.
 */
export function overlapProperties(label: string, backends: readonly string[], numRuns = 300): void {
  const on = (f: () => void) => withBackends(backends, f);
  const property = <T extends unknown[]>(
    ...args: [...{ [K in keyof T]: fc.Arbitrary<T[K]> }, (...v: T) => void]
  ) => fc.assert(fc.property(...(args as unknown as Parameters<typeof fc.property>)), { numRuns });

  describe(`outputs overlapping inputs on ${label}: every call equals copy-then-compute`, () => {
    it('gemm (c overlapping a and/or b, transposed views, alpha and beta)', () => {
      property(
        fc.integer(),
        dim,
        dim,
        dim,
        fc.tuple(viewSpec, viewSpec, viewSpec),
        scalar,
        scalar,
        (seed, m, k, n, [sa, sb, sc], alpha, beta) =>
          checkAgainstCopies(
            seed,
            (buf) => [matrixView(buf, m, k, sa), matrixView(buf, k, n, sb), matrixView(buf, m, n, sc)],
            2,
            ([a, b, c]) => on(() => gemm(a, b, { c, alpha, beta })),
          ),
      );
    });

    it('gemv (y overlapping a or x; trans)', () => {
      property(
        fc.integer(),
        dim,
        dim,
        fc.tuple(viewSpec, viewSpec, viewSpec),
        scalar,
        scalar,
        fc.boolean(),
        (seed, m, n, [sa, sx, sy], alpha, beta, trans) =>
          checkAgainstCopies(
            seed,
            (buf) => [
              matrixView(buf, m, n, sa),
              vectorView(buf, trans ? m : n, sx),
              vectorView(buf, trans ? n : m, sy),
            ],
            2,
            ([a, x, y]) => on(() => gemv(a, x, { y, alpha, beta, trans })),
          ),
      );
    });

    it('ger (a overlapping x or y)', () => {
      property(
        fc.integer(),
        dim,
        dim,
        fc.tuple(viewSpec, viewSpec, viewSpec),
        scalar,
        (seed, m, n, [sx, sy, sa], alpha) =>
          checkAgainstCopies(
            seed,
            (buf) => [vectorView(buf, m, sx), vectorView(buf, n, sy), matrixView(buf, m, n, sa)],
            2,
            ([x, y, a]) => on(() => ger(alpha, x, y, a)),
          ),
      );
    });

    it('syrk (c overlapping a)', () => {
      property(
        fc.integer(),
        dim,
        dim,
        fc.tuple(viewSpec, viewSpec),
        scalar,
        scalar,
        fc.boolean(),
        (seed, n, k, [sa, sc], alpha, beta, lower) =>
          checkAgainstCopies(
            seed,
            (buf) => [matrixView(buf, n, k, sa), matrixView(buf, n, n, sc)],
            1,
            ([a, c]) => on(() => syrk(a, { c, alpha, beta, lower })),
          ),
      );
    });

    it('trsm and trmm (b overlapping a; unit diagonal so every system is solvable)', () => {
      property(
        fc.integer(),
        posDim,
        dim,
        fc.tuple(viewSpec, viewSpec),
        scalar,
        fc.boolean(),
        fc.constantFrom('left' as const, 'right' as const),
        fc.boolean(),
        (seed, n, m, [sa, sb], alpha, lower, side, solve) =>
          checkAgainstCopies(
            seed,
            (buf) => [
              matrixView(buf, n, n, sa),
              matrixView(buf, side === 'left' ? n : m, side === 'left' ? m : n, sb),
            ],
            1,
            ([a, b]) => on(() => (solve ? trsm : trmm)(a, b, { side, lower, alpha, unitDiag: true })),
          ),
      );
    });

    it('trsv and trmv (x overlapping a)', () => {
      property(
        fc.integer(),
        posDim,
        fc.tuple(viewSpec, viewSpec),
        fc.boolean(),
        fc.boolean(),
        (seed, n, [sa, sx], lower, solve) =>
          checkAgainstCopies(
            seed,
            (buf) => [matrixView(buf, n, n, sa), vectorView(buf, n, sx)],
            1,
            ([a, x]) => on(() => (solve ? trsv : trmv)(a, x, { lower, unitDiag: true })),
          ),
      );
    });

    it('axpy, scal and copyInto (reversed and shifted views of one vector)', () => {
      property(
        fc.integer(),
        dim,
        fc.tuple(viewSpec, viewSpec),
        scalar,
        fc.constantFrom('axpy', 'scal', 'copyInto'),
        (seed, n, [sx, sy], alpha, which) =>
          checkAgainstCopies(
            seed,
            (buf) => [vectorView(buf, n, sx), vectorView(buf, n, sy)],
            1,
            ([x, y]) =>
              on(() => {
                if (which === 'axpy') axpy(alpha, x, y);
                else if (which === 'scal') scal(alpha, y);
                else copyInto(y, x);
              }),
          ),
      );
    });

    it('elementwise operations with out overlapping their inputs', () => {
      const ops = { add, mul, maximum } as const;
      property(
        fc.integer(),
        dim,
        dim,
        fc.tuple(viewSpec, viewSpec, viewSpec),
        fc.constantFrom('add', 'mul', 'maximum', 'neg'),
        (seed, m, n, [sx, sy, so], which) =>
          checkAgainstCopies(
            seed,
            (buf) => [matrixView(buf, m, n, sx), matrixView(buf, m, n, sy), matrixView(buf, m, n, so)],
            2,
            ([x, y, out]) =>
              on(() => {
                if (which === 'neg') neg(x, { out });
                else ops[which as keyof typeof ops](x, y, { out });
              }),
          ),
      );
    });
  });
}
