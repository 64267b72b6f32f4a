import { type DType, NDArray, checkOptions, matmul } from '@krylov/core-array';
import { solve } from '../factor/solve.js';
import { schurBlocks } from '../spectral/schur.js';
import { overStack } from '../util/batch.js';
import { type Floating, inDTypeOf, workingCopy } from '../util/validate.js';
import {
  clearBelow,
  exp2x2,
  expDividedDifference,
  isQuasiUpper,
  isUpperBanded,
  solveQuasiUpper,
} from './triangular-entries.js';

// Al-Mohy and Higham 2009, Table 3.1: the largest 2^-s eta for which the [m/m] Pade approximant
// has backward error at most unit roundoff (theta_13 is 4.25 in the 2009 bound, 5.37 in Higham 2005's).
const THETA3 = 1.495585217958292e-2;
const THETA5 = 2.53939833006323e-1;
const THETA7 = 9.504178996162932e-1;
const THETA9 = 2.097847961257068;
const THETA13 = 4.25;
/** |c_(2m+1)|^-1, the reciprocal of the leading coefficient of the backward-error series (Higham 2005, (2.2), (2.6)). */
const LEADING: Record<number, number> = {
  3: 100800,
  5: 10059033600,
  7: 4487938430976000,
  9: 5.914384781877412e21,
  13: 1.1325077560602111e35,
};
const PADE: Record<number, number[]> = {
  3: [120, 60, 12, 1],
  5: [30240, 15120, 3360, 420, 30, 1],
  7: [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1],
  9: [17643225600, 8821612800, 2075673600, 302702400, 30270240, 2162160, 110880, 3960, 90, 1],
  13: [
    64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600,
    670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
  ],
};

/** sum_k c_k X_k (+ c I for `identity`) of row-major n x n matrices. */
function combine(n: number, terms: [number, Float64Array][], identity = 0): Float64Array {
  const out = new Float64Array(n * n);
  for (const [c, x] of terms) if (c !== 0) for (let i = 0; i < out.length; i++) out[i] += c * x[i];
  if (identity !== 0) for (let i = 0; i < n; i++) out[i * n + i] += identity;
  return out;
}

function oneNorm(a: ArrayLike<number>, n: number): number {
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i * n + j]);
    if (!(s <= best)) best = s;
  }
  return best;
}

/**
 * log2 || |A|^p ||_1 by p products of a row vector with |A| (the 1-norm of a nonnegative matrix is
 * its largest column sum), renormalised at each step so that no power overflows. -Infinity for 0.
 */
function log2AbsPowerNorm(a: Float64Array, n: number, p: number): number {
  let v = new Float64Array(n).fill(1);
  let log2 = 0;
  for (let k = 0; k < p; k++) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const vi = v[i];
      if (vi === 0) continue;
      for (let j = 0; j < n; j++) w[j] += vi * Math.abs(a[i * n + j]);
    }
    let top = 0;
    for (let j = 0; j < n; j++) top = Math.max(top, w[j]);
    if (top === 0) return Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) w[j] /= top;
    log2 += Math.log2(top);
    v = w;
  }
  return log2;
}

/**
 * ell_m of Al-Mohy and Higham 2009 ((5.1) and Algorithm 5.1): the number of extra squarings that
 * keep the relative backward error of the [m/m] Pade approximant of 2^-s A at unit roundoff,
 * max(ceil(log2(alpha / u) / (2m)), 0) with alpha = |c_(2m+1)| || |2^-s A|^(2m+1) ||_1 / ||2^-s A||_1.
 * Nonzero only for strongly non-normal A, where ||A^k||^(1/k) underestimates ||A||.
 */
function ell(a: Float64Array, n: number, m: number, s: number, log2Norm: number): number {
  const log2Pow = log2AbsPowerNorm(a, n, 2 * m + 1);
  if (log2Pow === Number.NEGATIVE_INFINITY) return 0;
  const log2Alpha = log2Pow - (2 * m + 1) * s - (log2Norm - s) - Math.log2(LEADING[m]);
  return Math.max(Math.ceil((log2Alpha + 53) / (2 * m)), 0);
}

type Structure = 'general' | 'upper' | 'quasi';

/**
 * exp(A) for a row-major n x n A (n >= 1) of the given structure: Al-Mohy and Higham 2009,
 * Algorithm 5.1 with exact norms of powers, and Code Fragment 2.1 for (quasi-)triangular A.
 */
function expmCore(a: Float64Array, n: number, structure: Structure): Float64Array {
  const band = structure === 'upper' ? 0 : 1;
  const blocks: [number, number][] =
    structure === 'quasi' ? schurBlocks(a, n) : Array.from({ length: n }, (_, i) => [i, 1]);
  const mul = (x: Float64Array, y: Float64Array): Float64Array => {
    const r = matmul(new NDArray(x, [n, n]), new NDArray(y, [n, n])).data as Float64Array;
    if (structure !== 'general') clearBelow(r, n, band);
    return r;
  };
  // A prescaling that keeps A^10 finite; it only ever lowers the s chosen below (s <= s0 + s').
  const norm = oneNorm(a, n);
  const s0 = norm > 2 ** 90 ? Math.ceil(Math.log2(norm / THETA13)) : 0;
  const b = s0 > 0 ? Float64Array.from(a, (v) => v * 2 ** -s0) : a;
  const log2Norm = Math.log2(oneNorm(b, n));
  const a2 = mul(b, b);
  const a4 = mul(a2, a2);
  const a6 = mul(a4, a2);
  const d4 = oneNorm(a4, n) ** (1 / 4);
  const d6 = oneNorm(a6, n) ** (1 / 6);
  const eta1 = Math.max(d4, d6);
  let m: number;
  let s = 0;
  if (eta1 <= THETA3 && ell(b, n, 3, 0, log2Norm) === 0) m = 3;
  else if (eta1 <= THETA5 && ell(b, n, 5, 0, log2Norm) === 0) m = 5;
  else {
    const a8 = mul(a4, a4);
    const d8 = oneNorm(a8, n) ** (1 / 8);
    const eta3 = Math.max(d6, d8);
    if (eta3 <= THETA7 && ell(b, n, 7, 0, log2Norm) === 0) m = 7;
    else if (eta3 <= THETA9 && ell(b, n, 9, 0, log2Norm) === 0) m = 9;
    else {
      const d10 = oneNorm(mul(a4, a6), n) ** (1 / 10);
      const eta5 = Math.min(eta3, Math.max(d8, d10));
      s = eta5 === 0 ? 0 : Math.max(Math.ceil(Math.log2(eta5 / THETA13)), 0);
      s += ell(b, n, 13, s, log2Norm);
      m = 13;
    }
  }
  const c = PADE[m];
  // Powers of 2^-s B: B, B^2, B^4, B^6 (and B^8 for m = 9).
  const x1 = s > 0 ? Float64Array.from(b, (v) => v * 2 ** -s) : b;
  const x2 = s > 0 ? Float64Array.from(a2, (v) => v * 2 ** (-2 * s)) : a2;
  const x4 = s > 0 ? Float64Array.from(a4, (v) => v * 2 ** (-4 * s)) : a4;
  const x6 = s > 0 ? Float64Array.from(a6, (v) => v * 2 ** (-6 * s)) : a6;
  let u: Float64Array;
  let v: Float64Array;
  if (m === 13) {
    const u2 = mul(
      x6,
      combine(n, [
        [c[13], x6],
        [c[11], x4],
        [c[9], x2],
      ]),
    );
    u = mul(
      x1,
      combine(
        n,
        [
          [1, u2],
          [c[7], x6],
          [c[5], x4],
          [c[3], x2],
        ],
        c[1],
      ),
    );
    const v2 = mul(
      x6,
      combine(n, [
        [c[12], x6],
        [c[10], x4],
        [c[8], x2],
      ]),
    );
    v = combine(
      n,
      [
        [1, v2],
        [c[6], x6],
        [c[4], x4],
        [c[2], x2],
      ],
      c[0],
    );
  } else {
    const powers = [x2, x4, x6, m === 9 ? mul(x4, x4) : x6].slice(0, (m - 1) / 2);
    u = mul(
      x1,
      combine(
        n,
        powers.map((p, k) => [c[2 * k + 3], p]),
        c[1],
      ),
    );
    v = combine(
      n,
      powers.map((p, k) => [c[2 * k + 2], p]),
      c[0],
    );
  }
  // r_m = (V - U)^-1 (V + U)
  const q = combine(n, [
    [1, v],
    [-1, u],
  ]);
  const p = combine(n, [
    [1, v],
    [1, u],
  ]);
  let x =
    structure === 'general'
      ? (solve(new NDArray(q, [n, n]), new NDArray(p, [n, n])).data as Float64Array)
      : solveQuasiUpper(q, p, n, blocks);
  const total = s + s0;
  if (structure === 'general') {
    for (let k = 0; k < total; k++) x = mul(x, x);
    return x;
  }
  // Code Fragment 2.1: square, then replace the diagonal (blocks) and the first superdiagonal by
  // those of exp(2^-i A), computed from A's own entries.
  const exact = (i: number) => {
    const scale = 2 ** -i;
    for (let bi = 0; bi < blocks.length; bi++) {
      const [j, size] = blocks[bi];
      if (size === 2) {
        exp2x2(a, n, j, x, scale);
        continue;
      }
      x[j * n + j] = Math.exp(scale * a[j * n + j]);
      if (bi + 1 < blocks.length && blocks[bi + 1][1] === 1)
        x[j * n + j + 1] =
          scale *
          a[j * n + j + 1] *
          expDividedDifference(scale * a[j * n + j], scale * a[(j + 1) * n + j + 1]);
    }
  };
  exact(total);
  for (let i = total - 1; i >= 0; i--) {
    x = mul(x, x);
    exact(i);
  }
  return x;
}

/**
 * The matrix exponential (scipy.linalg.expm) by the scaling and squaring algorithm of Al-Mohy and
 * Higham ("A new scaling and squaring algorithm for the matrix exponential", SIAM J. Matrix Anal.
 * Appl. 31(3), 2009, Algorithm 5.1): the Pade degree m in {3, 5, 7, 9, 13} and the scaling 2^-s are
 * chosen from d_k = ||A^k||_1^(1/k) (exact norms of the powers the approximant needs anyway, and of
 * A^8 and A^10), which for non-normal A are far below ||A||_1, plus the correction ell_m that adds
 * squarings only where the backward-error bound needs them, so that no matrix is over-scaled;
 * r_m(2^-s A) = (V - U)^-1 (V + U) is then squared s times. For upper or lower triangular A, and
 * upper quasi-triangular A (a real Schur form), the solve is a back substitution and after every
 * squaring the diagonal (1 x 1 and 2 x 2 blocks) and the first superdiagonal are replaced by those
 * of exp(2^-i A) in closed form (Code Fragment 2.1; Higham 2008 (10.42)), which keeps highly
 * non-normal triangular matrices accurate. A diagonal A gives exp of its diagonal.
 *
 * Accuracy: backward stable to about unit roundoff in exact arithmetic (forward error about
 * cond_exp(A) u). Computed in float64, returned in the input's dtype. O(n^3 (6 + s)) flops,
 * O(n^2 m) more for ell_m.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { expm } from '@krylov/decompositions';
 * // the generator of plane rotations: exp([[0, -t], [t, 0]]) = [[cos t, -sin t], [sin t, cos t]]
 * const r = expm(array([[0, -1], [1, 0]]));
 * console.assert(Math.abs(r.get(0, 0) - Math.cos(1)) < 1e-14 && Math.abs(r.get(1, 0) - Math.sin(1)) < 1e-14, 'rotation by 1 rad');
 * ```
 * @throws ShapeError for non-square input; InvalidArgumentError for non-finite entries.
 */
export function expm<D extends DType>(a: NDArray<D>, options?: Record<string, never>): NDArray<Floating<D>> {
  if (a.ndim > 2) return overStack('expm', [a], [2], (m) => expm(m, options)) as NDArray<Floating<D>>;
  checkOptions('expm', options, []);
  const w = workingCopy('expm', 'a', a, true);
  const n = w.shape[0];
  if (n === 0) return inDTypeOf(w, a);
  const x = w.data as Float64Array;
  const transpose = (y: Float64Array) => {
    const t = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = y[i * n + j];
    return t;
  };
  const upper = isUpperBanded(x, n, 0);
  const lower = !upper && isUpperBanded(transpose(x), n, 0);
  let out: Float64Array;
  if (upper && isUpperBanded(transpose(x), n, 0)) {
    out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) out[i * n + i] = Math.exp(x[i * n + i]);
  } else if (lower) {
    // exp(A^T) = exp(A)^T: a lower triangular A goes through the upper triangular path.
    out = transpose(expmCore(transpose(x), n, 'upper'));
  } else out = expmCore(x, n, upper ? 'upper' : isQuasiUpper(x, n) ? 'quasi' : 'general');
  return inDTypeOf(new NDArray(out, [n, n]), a);
}
