import { type FloatDType, type Mat, NDArray, checkChoice, checkInteger, rng } from '@krylov/core-array';
import { toNumber } from './rational.js';
import type { Scheme } from './scheme.js';

/**
 * The scheme's growth factor per recursion level: e = max over entries c of C of
 * sum_l |W[l][c]| ||U[l]||_1 ||V[l]||_1. One level of the scheme turns the error bound f(n) of the
 * block products into at most e f(n/m) plus the additions' rounding (Bini & Lotti, Stability of
 * fast algorithms for matrix multiplication, Numer. Math. 36, 1980; Ballard, Benson, Druinsky,
 * Lipshitz & Schwartz, Improving the numerical stability of fast matrix multiplication, SIMAX 37,
 * 2016, the "stability factor"). Strassen: 12, Winograd: 18, classical: m... k terms of 1. O(r m n).
 */
export function stabilityFactor(s: Scheme): number {
  const l1 = (row: readonly { num: bigint; den: bigint }[]) =>
    row.reduce((t, x) => t + Math.abs(toNumber(x)), 0);
  const nu = s.u.map(l1);
  const nv = s.v.map(l1);
  let e = 0;
  for (let c = 0; c < s.m * s.n; c++) {
    let t = 0;
    for (let l = 0; l < s.rank; l++) t += Math.abs(toNumber(s.w[l][c])) * nu[l] * nv[l];
    e = Math.max(e, t);
  }
  return e;
}

/**
 * The first-order normwise error bound, as a multiple of u ||A||max ||B||max, for an n x n
 * product run with L levels of `s` over a classical base of size n0 = n / m^L:
 * - Strassen (Higham 2002, Thm 23.2): (n/n0)^log2(12) (n0^2 + 5 n0) - 5 n;
 * - Winograd (Higham 2002, Thm 23.3): (n/n0)^log2(18) (n0^2 + 6 n0) - 6 n;
 * - any other <m,m,m> scheme, Bini-Lotti's form e^L n0^2 (its leading term; e = `stabilityFactor`).
 * The classical product's bound is n (inner products of length n, Higham 2002, eq. 3.13). O(1).
 * @throws InvalidArgumentError for a non-integer or negative `levels` or `n`.
 */
export function errorBound(s: Scheme, n: number, levels: number): number {
  checkInteger('errorBound', 'n', n, { min: 1 });
  checkInteger('errorBound', 'levels', levels, { min: 0 });
  const n0 = n / s.m ** levels;
  if (levels === 0) return n;
  if (s.name === 'strassen') return (n / n0) ** Math.log2(12) * (n0 ** 2 + 5 * n0) - 5 * n;
  if (s.name === 'winograd') return (n / n0) ** Math.log2(18) * (n0 ** 2 + 6 * n0) - 6 * n;
  return stabilityFactor(s) ** levels * n0 ** 2;
}

/** Kinds of test inputs for `testMatrices`. */
export const INPUT_KINDS = ['random', 'scaled', 'positive'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/**
 * Seeded test operands for error measurements: 'random' (standard normal entries), 'scaled'
 * (normal entries with A's rows and B's columns scaled by 10^t, t uniform in [-4, 4]: the case
 * where fast schemes lose componentwise accuracy, Higham 2002, sec. 23.2.2), 'positive' (uniform
 * [0, 1) entries: classical gemm is componentwise accurate, fast schemes subtract). O(m k + k n).
 * @throws InvalidArgumentError for a bad kind or sizes.
 */
export function testMatrices(
  kind: InputKind,
  m: number,
  k: number,
  n: number,
  dtype: FloatDType = 'float64',
  seed = 1,
): { a: Mat; b: Mat } {
  const fn = 'testMatrices';
  checkChoice(fn, 'kind', kind, INPUT_KINDS);
  for (const [arg, v] of [
    ['m', m],
    ['k', k],
    ['n', n],
  ] as const)
    checkInteger(fn, arg, v, { min: 1 });
  const g = rng(seed);
  const draw = (r: number, c: number) => (kind === 'positive' ? g.uniform([r, c]) : g.normal([r, c]));
  const a = draw(m, k).data as Float64Array;
  const b = draw(k, n).data as Float64Array;
  if (kind === 'scaled') {
    for (let i = 0; i < m; i++) {
      const s = 10 ** (8 * g.uniform([1]).data[0] - 4);
      for (let j = 0; j < k; j++) a[i * k + j] *= s;
    }
    for (let j = 0; j < n; j++) {
      const s = 10 ** (8 * g.uniform([1]).data[0] - 4);
      for (let i = 0; i < k; i++) b[i * n + j] *= s;
    }
  }
  const cast = (x: Float64Array, r: number, c: number) =>
    new NDArray(dtype === 'float64' ? x : Float32Array.from(x), [r, c]) as Mat;
  return { a: cast(a, m, k), b: cast(b, k, n) };
}

/** Error figures of a computed product `c` against a reference `ref` (same shape). */
export interface ErrorFigures {
  /** max |c - ref| / max |ref| (what the benchmark table shows). */
  maxRelative: number;
  /** max |c - ref| / (u ||A||max ||B||max): comparable with `errorBound`. */
  normwise: number;
  /** max over entries of |c - ref| / |ref| (componentwise; large when the scheme cancels). */
  componentwise: number;
}

/** Error figures of `c` against `ref` for operands a, b, with unit roundoff of `c`'s dtype. O(m n + m k + k n). */
export function errorFigures(c: Mat, ref: Mat, a: Mat, b: Mat): ErrorFigures {
  const u = c.dtype === 'float32' ? 2 ** -24 : 2 ** -53;
  const maxAbs = (x: Mat) => {
    let t = 0;
    for (let i = 0; i < x.shape[0]; i++)
      for (let j = 0; j < x.shape[1]; j++) t = Math.max(t, Math.abs(x.get(i, j)));
    return t;
  };
  let diff = 0;
  let comp = 0;
  for (let i = 0; i < c.shape[0]; i++)
    for (let j = 0; j < c.shape[1]; j++) {
      const d = Math.abs(c.get(i, j) - ref.get(i, j));
      diff = Math.max(diff, d);
      const r = Math.abs(ref.get(i, j));
      comp = Math.max(comp, r === 0 ? (d === 0 ? 0 : Number.POSITIVE_INFINITY) : d / r);
    }
  const refMax = maxAbs(ref);
  return {
    maxRelative: refMax === 0 ? diff : diff / refMax,
    normwise: diff / (u * maxAbs(a) * maxAbs(b) || 1),
    componentwise: comp,
  };
}
