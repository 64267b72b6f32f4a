import {
  InvalidArgumentError,
  NDArray,
  type Rng,
  type SeedLike,
  ShapeError,
  checkFunction,
} from '@krylov/core-array';
import { eigh, qr } from '@krylov/decompositions';
import {
  type LinearOperator,
  type OperatorLike,
  aslinearoperator,
  checkSymmetricMatrix,
} from '@krylov/solvers';
import { positiveInt, requiredOptions, seedArg } from './validate.js';

function square(
  fn: string,
  a: OperatorLike,
  options: unknown,
  allowed: readonly string[],
  required: readonly string[],
): LinearOperator {
  if (required.length > 0 || options !== undefined) requiredOptions(fn, options, allowed, required);
  const A = aslinearoperator(a);
  if (A.shape[0] !== A.shape[1]) throw new ShapeError(fn, 'A', 'expected a square operator', A.shape);
  return A;
}

/**
 * The estimate, unless a product of the operator was NaN or infinite (a LinearOperator's callback:
 * dense and sparse input is validated on entry): never a silent NaN.
 */
function finite(fn: string, t: TraceEstimate): TraceEstimate {
  if (!Number.isFinite(t.estimate))
    throw new InvalidArgumentError(
      fn,
      'A',
      `an operator whose products gave ${t.estimate}`,
      'an operator with finite products',
    );
  return t;
}

function rademacher(n: number, k: number, r: Rng): NDArray<'float64'> {
  const out = new NDArray(new Float64Array(n * k), [n, k]);
  for (let i = 0; i < out.size; i++) out.data[i] = r.nextUint32() & 1 ? 1 : -1;
  return out;
}

export interface TraceEstimate {
  estimate: number;
  /** Operator applications used. */
  matvecs: number;
  /** Standard error of the stochastic part (the sample standard deviation over sqrt(count)). */
  standardError: number;
}

function meanAndError(samples: number[]): { mean: number; se: number } {
  const m = samples.reduce((s, v) => s + v, 0) / samples.length;
  const v = samples.length > 1 ? samples.reduce((s, x) => s + (x - m) ** 2, 0) / (samples.length - 1) : 0;
  return { mean: m, se: Math.sqrt(v / samples.length) };
}

/**
 * Hutchinson's estimator tr(A) ~ (1/m) sum z_i^T A z_i with Rademacher z (Hutchinson 1989;
 * variance 2 ||A||_F^2 minus the diagonal's share, per probe). m matvecs, O(mn) extra.
 * @throws ShapeError for a non-square operator; InvalidArgumentError for matvecs < 1.
 * @returns `{ estimate, matvecs }`.
 * @example
 * ```ts
 * import { eye } from '@krylov/core-array';
 * import { hutchinson } from '@krylov/sketching';
 * const { estimate } = hutchinson(eye(50), { matvecs: 10, seed: 1 });
 * console.assert(Math.abs(estimate - 50) < 1e-12, 'exact for the identity (Rademacher probes)');
 * ```
 */
export function hutchinson(a: OperatorLike, options: { matvecs: number; seed?: SeedLike }): TraceEstimate {
  const fn = 'hutchinson';
  const A = square(fn, a, options, ['matvecs', 'seed'], ['matvecs']);
  const n = A.shape[0];
  const m = positiveInt(fn, 'options.matvecs', options.matvecs);
  const r = seedArg(fn, 'options.seed', options.seed);
  const z = new Float64Array(n);
  const az = new Float64Array(n);
  const samples: number[] = [];
  for (let t = 0; t < m; t++) {
    for (let i = 0; i < n; i++) z[i] = r.nextUint32() & 1 ? 1 : -1;
    A.matvec(z, az);
    let s = 0;
    for (let i = 0; i < n; i++) s += z[i] * az[i];
    samples.push(s);
  }
  const { mean, se } = meanAndError(samples);
  return finite(fn, { estimate: mean, matvecs: m, standardError: se });
}

/**
 * Hutch++ (Meyer, Musco, Musco & Woodruff 2021, SOSA): a third of the matvecs find the dominant
 * range Q (randomized range finder), whose trace is computed exactly, and Hutchinson handles the
 * deflated remainder (I - QQ^T) A (I - QQ^T). Relative error O(1/m) for PSD A instead of
 * Hutchinson's O(1/sqrt(m)); far better on decaying spectra at equal matvecs.
 * @throws ShapeError; InvalidArgumentError when matvecs < 3.
 * @returns `{ estimate, matvecs }`. O(m cost(A x) + n m^2).
 * @example
 * ```ts
 * import { array, diag } from '@krylov/core-array';
 * import { hutchpp } from '@krylov/sketching';
 * const a = diag(array(Array.from({ length: 100 }, (_, i) => 1 / (i + 1) ** 2)));
 * const { estimate } = hutchpp(a, { matvecs: 30, seed: 1 });
 * console.assert(Math.abs(estimate - 1.635) < 0.05, 'tr = sum 1/i^2');
 * ```
 */
export function hutchpp(a: OperatorLike, options: { matvecs: number; seed?: SeedLike }): TraceEstimate {
  const fn = 'hutchpp';
  const A = square(fn, a, options, ['matvecs', 'seed'], ['matvecs']);
  const n = A.shape[0];
  const m = positiveInt(fn, 'options.matvecs', options.matvecs);
  if (m < 3) throw new InvalidArgumentError(fn, 'options.matvecs', m, 'at least 3');
  const r = seedArg(fn, 'options.seed', options.seed);
  const k = Math.min(Math.floor(m / 3), n);
  const g = m - 2 * k;
  const q = qr(A.matmat(rademacher(n, k, r))).q as NDArray<'float64'>;
  const aq = A.matmat(q);
  let exact = 0;
  for (let i = 0; i < q.size; i++) exact += q.data[i] * aq.data[i];
  const samples: number[] = [];
  const z = new Float64Array(n);
  const az = new Float64Array(n);
  const proj = (v: Float64Array) => {
    // v -= Q (Q^T v)
    const c = new Float64Array(k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) c[j] += q.data[i * k + j] * v[i];
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) v[i] -= q.data[i * k + j] * c[j];
  };
  for (let t = 0; t < g; t++) {
    for (let i = 0; i < n; i++) z[i] = r.nextUint32() & 1 ? 1 : -1;
    proj(z);
    A.matvec(z, az);
    proj(az);
    let s = 0;
    for (let i = 0; i < n; i++) s += z[i] * az[i];
    samples.push(s);
  }
  const { mean, se } = samples.length ? meanAndError(samples) : { mean: 0, se: 0 };
  return finite(fn, { estimate: exact + mean, matvecs: 2 * k + g, standardError: se });
}

/**
 * XTrace (Epperly, Tropp & Webber 2024, "XTrace: making the most of every sample in stochastic
 * trace estimation", SIAM J. Matrix Anal. Appl. 45): the exchangeable Hutch++. With m/2 Rademacher
 * vectors w_i and Y = A W = Q R, each w_i is the Hutchinson probe for the deflation by the range of
 * the other vectors, Q_(i) = Q (I - s_i s_i^T) with s_i the normalized i-th column of R^-T; the
 * estimate averages tr(Q_(i)^T A Q_(i)) + w_i^T (I - Q_(i) Q_(i)^T) A (I - Q_(i) Q_(i)^T) w_i over i.
 * Every term comes from A W and A Q (m matvecs in all) by O(n m^2) downdating. More accurate than
 * Hutch++ at equal matvecs on a decaying spectrum in the tests (total error over 10 seeds).
 * @throws ShapeError; InvalidArgumentError when matvecs < 4 or matvecs / 2 > n.
 * @returns `{ estimate, matvecs }`.
 * @example
 * ```ts
 * import { array, diag } from '@krylov/core-array';
 * import { xtrace } from '@krylov/sketching';
 * const a = diag(array(Array.from({ length: 100 }, (_, i) => 1 / (i + 1) ** 2)));
 * const { estimate } = xtrace(a, { matvecs: 30, seed: 1 });
 * console.assert(Math.abs(estimate - 1.635) < 0.05, 'tr = sum 1/i^2');
 * ```
 */
export function xtrace(a: OperatorLike, options: { matvecs: number; seed?: SeedLike }): TraceEstimate {
  const fn = 'xtrace';
  const A = square(fn, a, options, ['matvecs', 'seed'], ['matvecs']);
  const n = A.shape[0];
  const total = positiveInt(fn, 'options.matvecs', options.matvecs);
  const m = Math.floor(total / 2);
  if (m < 2 || m > n) throw new InvalidArgumentError(fn, 'options.matvecs', total, `between 4 and ${2 * n}`);
  const r = seedArg(fn, 'options.seed', options.seed);
  const omega = rademacher(n, m, r);
  const y = A.matmat(omega);
  const { q, r: R } = qr(y);
  const Q = q as NDArray<'float64'>;
  const z = A.matmat(Q);
  // H = Q^T A Q, W = Q^T Omega.
  const H = new Float64Array(m * m);
  const W = new Float64Array(m * m);
  for (let i = 0; i < n; i++)
    for (let a1 = 0; a1 < m; a1++) {
      const qa = Q.data[i * m + a1];
      for (let b1 = 0; b1 < m; b1++) {
        H[a1 * m + b1] += qa * z.data[i * m + b1];
        W[a1 * m + b1] += qa * omega.data[i * m + b1];
      }
    }
  let trH = 0;
  for (let i = 0; i < m; i++) trH += H[i * m + i];
  let rmax = 0;
  for (let i = 0; i < m; i++) rmax = Math.max(rmax, Math.abs(R.data[i * m + i]));
  for (let i = 0; i < m; i++)
    if (!(Math.abs(R.data[i * m + i]) > Number.EPSILON * m * rmax))
      // Y is rank deficient: Q already spans A's range, and the projected trace is exact.
      return finite(fn, { estimate: trH, matvecs: 2 * m, standardError: 0 });
  // Rinv^T columns: solve R^T S = I (forward substitution), then normalize the columns.
  const S = new Float64Array(m * m);
  for (let c = 0; c < m; c++)
    for (let i = 0; i < m; i++) {
      let v = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) v -= R.data[k * m + i] * S[k * m + c];
      S[i * m + c] = v / R.data[i * m + i];
    }
  const samples: number[] = [];
  const coef = new Float64Array(m);
  const v = new Float64Array(n);
  const av = new Float64Array(n);
  for (let c = 0; c < m; c++) {
    let norm = 0;
    for (let i = 0; i < m; i++) norm += S[i * m + c] ** 2;
    norm = Math.sqrt(norm);
    const s = Float64Array.from({ length: m }, (_, i) => S[i * m + c] / norm);
    // coef = (I - s s^T) w, w = column c of W.
    let sw = 0;
    for (let i = 0; i < m; i++) sw += s[i] * W[i * m + c];
    for (let i = 0; i < m; i++) coef[i] = W[i * m + c] - s[i] * sw;
    let shs = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) shs += s[i] * H[i * m + j] * s[j];
    // v = w_c - Q coef and A v = y_c - Z coef.
    let quad = 0;
    for (let t = 0; t < n; t++) {
      let qc = 0;
      let zc = 0;
      for (let i = 0; i < m; i++) {
        qc += Q.data[t * m + i] * coef[i];
        zc += z.data[t * m + i] * coef[i];
      }
      v[t] = omega.data[t * m + c] - qc;
      av[t] = y.data[t * m + c] - zc;
      quad += v[t] * av[t];
    }
    samples.push(trH - shs + quad);
  }
  const { mean, se } = meanAndError(samples);
  return finite(fn, { estimate: mean, matvecs: 2 * m, standardError: se });
}

/**
 * Stochastic estimate of diag(A) from matvecs only (Bekas, Kokiopoulou & Saad 2007): d ~ sum_i
 * z_i .* A z_i / sum_i z_i .* z_i with Rademacher z_i. Exact for diagonal A.
 * @returns a Float64Array of length n. O(m cost(A x) + m n).
 * @throws ShapeError for a non-square operator; InvalidArgumentError for matvecs < 1.
 * @example
 * ```ts
 * import { array, diag } from '@krylov/core-array';
 * import { diagonalEstimate } from '@krylov/sketching';
 * const d = diagonalEstimate(diag(array([1, 2, 3])), { matvecs: 4, seed: 1 });
 * console.assert(Math.abs(d[2] - 3) < 1e-12, 'exact for a diagonal matrix');
 * ```
 */
export function diagonalEstimate(
  a: OperatorLike,
  options: { matvecs: number; seed?: SeedLike },
): Float64Array {
  const fn = 'diagonalEstimate';
  const A = square(fn, a, options, ['matvecs', 'seed'], ['matvecs']);
  const n = A.shape[0];
  const m = positiveInt(fn, 'options.matvecs', options.matvecs);
  const r = seedArg(fn, 'options.seed', options.seed);
  const num = new Float64Array(n);
  const den = new Float64Array(n);
  const z = new Float64Array(n);
  const az = new Float64Array(n);
  for (let t = 0; t < m; t++) {
    for (let i = 0; i < n; i++) z[i] = r.nextUint32() & 1 ? 1 : -1;
    A.matvec(z, az);
    for (let i = 0; i < n; i++) {
      num[i] += z[i] * az[i];
      den[i] += z[i] * z[i];
    }
  }
  const d = num.map((v, i) => v / den[i]);
  for (let i = 0; i < n; i++) finite(fn, { estimate: d[i], matvecs: m, standardError: 0 });
  return d;
}

/**
 * Stochastic Lanczos quadrature for tr f(A), A symmetric (Ubaru, Chen & Saad 2017, SIAM J. Matrix
 * Anal. Appl. 38): for each Rademacher probe z, `steps` Lanczos steps give a Gauss quadrature
 * z^T f(A) z ~ n sum_k tau_k^2 f(theta_k) from the tridiagonal's eigenpairs. With f = log this is
 * the log-determinant of an SPD matrix (`logdet`). probes x steps matvecs.
 * @throws ShapeError; InvalidArgumentError for bad counts or f(theta) not finite (e.g. log of a
 *   non-positive Ritz value: A not positive definite).
 * @returns `{ estimate, matvecs }`.
 * @example
 * ```ts
 * import { array, diag } from '@krylov/core-array';
 * import { slq } from '@krylov/sketching';
 * const a = diag(array([1, 2, 3, 4]));
 * const { estimate } = slq(a, (x) => x * x, { probes: 20, seed: 1 }); // tr(A^2) = 30
 * console.assert(Math.abs(estimate - 30) < 10, 'near 30');
 * ```
 */
export function slq(a: OperatorLike, f: (x: number) => number, options?: SlqOptions): TraceEstimate {
  return slqImpl('slq', a, f, options);
}

/** Options of `slq` and `logdet`. */
export interface SlqOptions {
  /** Random probe vectors (default 30). */
  probes?: number;
  /** Lanczos steps per probe (default 30, capped at n). */
  steps?: number;
  seed?: SeedLike;
  /**
   * Check that a dense or sparse A is symmetric (core-array's rule; O(n^2) dense, O(nnz) sparse) and
   * throw if not. Default true. A LinearOperator cannot be checked cheaply and is trusted.
   */
  checkSymmetry?: boolean;
}

function slqImpl(
  fn: string,
  a: OperatorLike,
  f: (x: number) => number,
  options: SlqOptions | undefined,
): TraceEstimate {
  const A = square(fn, a, options, ['probes', 'steps', 'seed', 'checkSymmetry'], []);
  checkFunction(fn, 'f', f);
  checkSymmetricMatrix(fn, 'A', a, options?.checkSymmetry ?? true);
  const n = A.shape[0];
  const probes = positiveInt(fn, 'options.probes', options?.probes ?? 30);
  const steps = Math.min(positiveInt(fn, 'options.steps', options?.steps ?? 30), n);
  const r = seedArg(fn, 'options.seed', options?.seed);
  const samples: number[] = [];
  let matvecs = 0;
  for (let t = 0; t < probes; t++) {
    const V: Float64Array[] = [
      Float64Array.from({ length: n }, () => (r.nextUint32() & 1 ? 1 : -1) / Math.sqrt(n)),
    ];
    const alpha: number[] = [];
    const beta: number[] = [];
    for (let j = 0; j < steps; j++) {
      const w = A.matvec(V[j]);
      matvecs++;
      let aj = 0;
      for (let i = 0; i < n; i++) aj += w[i] * V[j][i];
      alpha.push(aj);
      for (let pass = 0; pass < 2; pass++)
        for (const v of V) {
          let h = 0;
          for (let i = 0; i < n; i++) h += w[i] * v[i];
          for (let i = 0; i < n; i++) w[i] -= h * v[i];
        }
      let b = 0;
      for (let i = 0; i < n; i++) b += w[i] * w[i];
      b = Math.sqrt(b);
      if (j === steps - 1 || b <= 1e-12 * Math.abs(aj)) break;
      beta.push(b);
      V.push(w.map((x) => x / b));
    }
    const k = alpha.length;
    const T = new NDArray(new Float64Array(k * k), [k, k]);
    for (let i = 0; i < k; i++) {
      T.data[i * k + i] = alpha[i];
      if (i + 1 < k) T.data[i * k + i + 1] = T.data[(i + 1) * k + i] = beta[i];
    }
    const { values, vectors } = eigh(T);
    let s = 0;
    for (let i = 0; i < k; i++) {
      const fx = f(values.data[i]);
      if (!Number.isFinite(fx))
        throw new InvalidArgumentError(
          fn,
          'f',
          `f(${values.data[i]}) = ${fx}`,
          'finite values on the spectrum of A',
        );
      s += (vectors as NDArray<'float64'>).data[i] ** 2 * fx;
    }
    samples.push(n * s);
  }
  const { mean, se } = meanAndError(samples);
  return finite(fn, { estimate: mean, matvecs, standardError: se });
}

/**
 * log det(A) of a symmetric positive definite operator by stochastic Lanczos quadrature (`slq` with f = log).
 * Cost probes x steps matvecs. Reference: Ubaru, Chen & Saad 2017.
 * @returns `{ estimate, matvecs }`.
 * @throws as `slq`; InvalidArgumentError when A is not positive definite (a non-positive Ritz value).
 * @example
 * ```ts
 * import { eye } from '@krylov/core-array';
 * import { logdet } from '@krylov/sketching';
 * const { estimate } = logdet(eye(20), { probes: 5, seed: 1 });
 * console.assert(Math.abs(estimate) < 1e-10, 'log det I = 0');
 * ```
 */
export function logdet(a: OperatorLike, options?: SlqOptions): TraceEstimate {
  return slqImpl('logdet', a, Math.log, options);
}
