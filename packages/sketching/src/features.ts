import {
  DTypeError,
  InvalidArgumentError,
  NDArray,
  type SeedLike,
  ShapeError,
  checkChoice,
  checkNumber,
  isNDArray,
  matmul,
} from '@krylov/core-array';
import { positiveInt, requiredOptions, seedArg } from './validate.js';

/**
 * Random Fourier features (Rahimi & Recht 2007): z(x) = sqrt(2/D) cos(W^T x + b) with
 * z(x)^T z(y) ~ k(x, y) for the Gaussian kernel exp(-gamma ||x - y||^2) (W ~ N(0, 2 gamma)) or the
 * Laplace kernel exp(-gamma ||x - y||_1) (W ~ Cauchy(0, gamma) per coordinate), b ~ U[0, 2 pi].
 * Returns a function mapping an m x d matrix to its m x D features, so training and test data share
 * one draw. O(m d D) per call.
 * @throws InvalidArgumentError for bad kernel, gamma or D.
 * @returns a function from an m x d matrix to its m x D feature matrix (float64).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { randomFourierFeatures } from '@krylov/sketching';
 * const phi = randomFourierFeatures(3, { components: 200, gamma: 0.5, seed: rng(1) });
 * const z = phi(rng(2).normal([5, 3])); // 5 x 200
 * console.assert(z.shape[0] === 5 && z.shape[1] === 200, 'm x D features');
 * ```
 */
export function randomFourierFeatures(
  d: number,
  options: { components: number; kernel?: 'gaussian' | 'laplace'; gamma?: number; seed?: SeedLike },
): (x: NDArray) => NDArray<'float64'> {
  const fn = 'randomFourierFeatures';
  requiredOptions(fn, options, ['components', 'kernel', 'gamma', 'seed'], ['components']);
  positiveInt(fn, 'd', d);
  const D = positiveInt(fn, 'options.components', options.components);
  const kernel =
    options.kernel === undefined
      ? 'gaussian'
      : checkChoice(fn, 'options.kernel', options.kernel, ['gaussian', 'laplace'] as const);
  const gamma =
    options.gamma === undefined
      ? 1
      : checkNumber(fn, 'options.gamma', options.gamma, { min: 0, minExclusive: true });
  const r = seedArg(fn, 'options.seed', options.seed);
  const w = new NDArray(new Float64Array(d * D), [d, D]);
  for (let i = 0; i < w.size; i++)
    w.data[i] =
      kernel === 'gaussian'
        ? Math.sqrt(2 * gamma) * r.nextNormal()
        : gamma * Math.tan(Math.PI * (r.nextFloat64() - 0.5));
  const b = Float64Array.from({ length: D }, () => 2 * Math.PI * r.nextFloat64());
  const scale = Math.sqrt(2 / D);
  return (x) => {
    if (!isNDArray(x)) throw new InvalidArgumentError(fn, 'x', x, 'an NDArray (m x d)');
    if (x.dtype !== 'float64' && x.dtype !== 'float32')
      throw new DTypeError(fn, 'x', x.dtype, 'float64 or float32');
    if (x.ndim !== 2 || x.shape[1] !== d) throw new ShapeError(fn, 'x', `expected ${d} columns`, x.shape);
    const z = matmul(x.astype('float64'), w) as NDArray<'float64'>;
    const m = x.shape[0];
    for (let i = 0; i < m; i++)
      for (let j = 0; j < D; j++) z.data[i * D + j] = scale * Math.cos(z.data[i * D + j] + b[j]);
    return z;
  };
}
