import {
  type DType,
  InvalidArgumentError,
  type NDArray,
  checkInteger,
  checkOptions,
  matmul,
  optionKeys,
} from '@krylov/core-array';
import { overStack } from '../util/batch.js';
import { type Floating, checkArray, floating, optNumber, workingCopy } from '../util/validate.js';

/**
 * Coefficients (a, b, c) of the odd polynomial p(x) = a x + b x^3 + c x^5 applied to the singular
 * values by each Newton-Schulz step X <- a X + b (X X^T) X + c (X X^T)^2 X. Bands measured (see
 * test/matfun.test.ts) on a 48 x 32 matrix with condition 1e3, whose singular values after the
 * Frobenius normalization lie in [7e-4, 0.7]:
 * - 'cubic' (1.5, -0.5, 0): the classic iteration (Kovarik 1970; Bjorck & Bowie 1971); converges
 *   quadratically near 1 but slowly from small values: 5 steps [0.005, 1], 20 steps [0.986, 1], 30 steps 1.
 * - 'muon' (3.4445, -4.7750, 2.0315): Muon's quintic (Jordan et al. 2024), tuned for speed, not
 *   convergence: 5 steps [0.29, 1.19], and from 8 steps on it stays in its band [0.68, 1.13].
 * - 'exact' (15/8, -10/8, 3/8): the quintic with p(1) = 1, p'(1) = p''(1) = 0, converging to exact
 *   orthogonality: 10 steps [0.31, 1], 15 steps 1 to 1e-6.
 * @example
 * ```ts
 * import { NEWTON_SCHULZ_PRESETS } from '@krylov/decompositions';
 * const [a, b, c] = NEWTON_SCHULZ_PRESETS.cubic; // f(x) = a x + b x^3 + c x^5
 * console.assert(a + b + c === 1, 'the cubic iteration fixes singular value 1');
 * ```
 */
export const NEWTON_SCHULZ_PRESETS = {
  cubic: [1.5, -0.5, 0],
  muon: [3.4445, -4.775, 2.0315],
  exact: [15 / 8, -10 / 8, 3 / 8],
} as const;

export type NewtonSchulzPreset = keyof typeof NEWTON_SCHULZ_PRESETS | readonly [number, number, number];

const NEWTON_SCHULZ_OPTIONS_KEYS = optionKeys<NewtonSchulzOptions>()('steps', 'preset', 'epsilon');

/** Options of {@link newtonSchulz}. */
export type NewtonSchulzOptions = { steps?: number; preset?: NewtonSchulzPreset; epsilon?: number };

/**
 * Approximate orthogonalization U V^T of a matrix G = U S V^T by Newton-Schulz iteration
 * (the polar factor), as in Muon: G is first scaled by its Frobenius norm (+ epsilon) so the
 * singular values lie in (0, 1], and the iteration runs on the smaller Gram side. Works in the
 * input's float dtype. O(steps m n min(m, n)). References: the Newton-Schulz iteration for the polar
 * factor (Higham, "Functions of Matrices", SIAM 2008, sec. 8.3); the quintic `muon` preset from
 * Jordan et al., "Muon: an optimizer for hidden layers in neural networks" (2024).
 * @example
 * ```ts
 * import { eye, matmul, norm, rng, sub } from '@krylov/core-array';
 * import { newtonSchulz } from '@krylov/decompositions';
 * const g = rng(1).normal([4, 4]);
 * const o = newtonSchulz(g, { preset: 'exact', steps: 30 }); // the orthogonal polar factor of g
 * console.assert(norm(sub(matmul(o.T, o), eye(4))).item() < 1e-6, 'O^T O = I');
 * ```
 * @throws ShapeError/DTypeError for a non-matrix; InvalidArgumentError for non-finite entries, a bad
 *   step count, an unknown preset (or coefficients that are not three finite numbers) or a negative
 *   or non-finite epsilon.
 */
export function newtonSchulz<D extends DType>(
  g: NDArray<D>,
  options?: NewtonSchulzOptions,
): NDArray<Floating<D>> {
  const fn = 'newtonSchulz';
  checkOptions(fn, options, NEWTON_SCHULZ_OPTIONS_KEYS);
  const steps =
    options?.steps === undefined ? 5 : checkInteger(fn, 'options.steps', options.steps, { min: 0 });
  const epsilon = optNumber(fn, 'options.epsilon', options?.epsilon, 1e-7, { min: 0 });
  const preset = options?.preset ?? 'muon';
  const coeffs =
    typeof preset === 'string'
      ? Object.hasOwn(NEWTON_SCHULZ_PRESETS, preset)
        ? NEWTON_SCHULZ_PRESETS[preset]
        : undefined
      : preset;
  if (
    !Array.isArray(coeffs) ||
    coeffs.length !== 3 ||
    coeffs.some((v) => typeof v !== 'number' || !Number.isFinite(v))
  )
    throw new InvalidArgumentError(
      fn,
      'options.preset',
      preset,
      "'cubic', 'muon', 'exact' or [a, b, c], three finite numbers",
    );
  checkArray(fn, 'g', g);
  if (g.ndim > 2) return overStack(fn, [g], [2], (m) => newtonSchulz(m, options)) as NDArray<Floating<D>>;
  const [a, b, c] = coeffs;
  const tall = g.shape[0] > g.shape[1];
  const dtype = floating(g);
  const w = workingCopy(fn, 'g', g, false, dtype) as NDArray<'float64'>;
  let x = (tall ? w.T.copy() : w) as NDArray<'float64'>;
  let norm = 0;
  for (const v of x.data) norm += v * v;
  // a zero matrix with epsilon 0 stays zero (its polar factor is not unique), never 0 / 0
  const scale = norm === 0 ? 0 : 1 / (Math.sqrt(norm) + epsilon);
  for (let i = 0; i < x.size; i++) x.data[i] *= scale;
  for (let k = 0; k < steps; k++) {
    const gram = matmul(x, x.T) as NDArray<'float64'>;
    // B = b A + c A^2; X <- a X + B X
    const poly = matmul(gram, gram) as NDArray<'float64'>;
    for (let i = 0; i < poly.size; i++) poly.data[i] = b * gram.data[i] + c * poly.data[i];
    const next = matmul(poly, x) as NDArray<'float64'>;
    for (let i = 0; i < next.size; i++) next.data[i] += a * x.data[i];
    x = next;
  }
  return (tall ? x.T.copy() : x) as NDArray<Floating<D>>;
}
