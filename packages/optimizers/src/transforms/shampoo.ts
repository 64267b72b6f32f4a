import { NDArray, checkChoice, checkInteger, checkOptions, matmul, optionKeys } from '@krylov/core-array';
import { inverseRoot } from '@krylov/decompositions';
import { type GradientTransformation, type PerParameterState, perParameter } from '../transform.js';
import { type Buffer, type ParamTree, zerosLike } from '../tree.js';
import { BETA, POSITIVE, numberOption } from './moments.js';

/**
 * One block of a matrix parameter: rows [r0, r1) x cols [c0, c1), with its Kronecker factors and
 * their inverse roots (row-major; zero until the first step computes them).
 */
export interface ShampooBlock {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
  left: Float64Array;
  right: Float64Array;
  leftRoot: Float64Array;
  rightRoot: Float64Array;
}

/** `scaleByShampoo`'s state: per parameter, the grafting second moment (Adam grafting) and the blocks (matrices). */
export type ShampooState = PerParameterState<{ v: Buffer | null; blocks: ShampooBlock[] }>;

function blocksOf(rows: number, cols: number, size: number): ShampooBlock[] {
  const out: ShampooBlock[] = [];
  for (let r0 = 0; r0 < rows; r0 += size) {
    for (let c0 = 0; c0 < cols; c0 += size) {
      const r1 = Math.min(rows, r0 + size);
      const c1 = Math.min(cols, c0 + size);
      out.push({
        r0,
        r1,
        c0,
        c1,
        left: new Float64Array((r1 - r0) ** 2),
        right: new Float64Array((c1 - c0) ** 2),
        leftRoot: new Float64Array((r1 - r0) ** 2),
        rightRoot: new Float64Array((c1 - c0) ** 2),
      });
    }
  }
  return out;
}

/** The block of u as a float64 matrix. */
function blockOf(u: Buffer, cols: number, b: ShampooBlock): NDArray<'float64'> {
  const m = b.r1 - b.r0;
  const n = b.c1 - b.c0;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = u[(b.r0 + i) * cols + b.c0 + j];
  return new NDArray(out, [m, n]);
}

export interface ShampooOptions {
  /** Decay of the Kronecker factors in (0, 1]: L = beta L + G G^T (default 1: plain sums, as the original). */
  beta?: number;
  /** Ridge > 0 added before the inverse root (default 1e-12 relative to the largest eigenvalue, as distributed Shampoo's epsilon). */
  epsilon?: number;
  /** Recompute the inverse roots every this many steps, an integer >= 1 (default 1). */
  precondFrequency?: number;
  /** Split dimensions larger than this (an integer >= 1) into blocks with their own preconditioners (default 1024). */
  blockSize?: number;
  /** Inverse p-th roots by 'eigh' (default) or the coupled 'newton' iteration. */
  rootMethod?: 'eigh' | 'newton';
  /** The inverse root taken of each factor, an integer >= 1 (default 4: L^-1/4 G R^-1/4, the original's choice for matrices). */
  root?: number;
  /** Grafting: rescale each block's direction to the norm of the grafted optimizer's ('adam' default, 'sgd', or 'none'). */
  graft?: 'adam' | 'sgd' | 'none';
  /** Adam grafting moments: b2 in [0, 1) (default 0.999), eps > 0 (default 1e-8). */
  b2?: number;
  eps?: number;
}

const SHAMPOO_OPTIONS_KEYS = optionKeys<ShampooOptions>()(
  'beta',
  'epsilon',
  'precondFrequency',
  'blockSize',
  'rootMethod',
  'root',
  'graft',
  'b2',
  'eps',
);

/**
 * Shampoo (Gupta, Koren & Singer 2018; the blocking and grafting of Anil et al. 2020 and Meta's
 * distributed Shampoo): for each (block of a) matrix gradient G, left and right Kronecker factors
 * L += G G^T, R += G^T G, and the direction L^(-1/root) G R^(-1/root) (root 4 by default), with
 * the inverse roots recomputed every `precondFrequency` steps by eigh or coupled Newton
 * (`inverseRoot` from @krylov/decompositions). Grafting rescales the direction to the norm of an
 * Adam (diagonal, Adagrad-like with b2) or SGD step, which fixes the learning-rate scale.
 * Vectors use the grafted optimizer alone. Cost per refresh O(m^3 + n^3) per block.
 * @throws InvalidArgumentError for bad options.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleByShampoo } from '@krylov/optimizers';
 * const t = chain(scaleByShampoo(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleByShampoo(options?: ShampooOptions): GradientTransformation<ShampooState> {
  const fn = 'scaleByShampoo';
  checkOptions(fn, options, SHAMPOO_OPTIONS_KEYS);
  const beta = numberOption(fn, options, 'beta', 1, { min: 0, max: 1, minExclusive: true });
  const epsilon = numberOption(fn, options, 'epsilon', 1e-12, POSITIVE);
  const int = (key: 'precondFrequency' | 'blockSize' | 'root', fallback: number) =>
    options?.[key] === undefined ? fallback : checkInteger(fn, `options.${key}`, options[key], { min: 1 });
  const freq = int('precondFrequency', 1);
  const blockSize = int('blockSize', 1024);
  const root = int('root', 4);
  const method =
    options?.rootMethod === undefined
      ? 'eigh'
      : checkChoice(fn, 'options.rootMethod', options.rootMethod, ['eigh', 'newton'] as const);
  const graft =
    options?.graft === undefined
      ? 'adam'
      : checkChoice(fn, 'options.graft', options.graft, ['adam', 'sgd', 'none'] as const);
  const b2 = numberOption(fn, options, 'b2', 0.999, BETA);
  const eps = numberOption(fn, options, 'eps', 1e-8, POSITIVE);
  const factorRoot = (f: Float64Array, n: number) => {
    const a = new NDArray(Float64Array.from(f), [n, n]);
    let scale = 0;
    for (let i = 0; i < n; i++) scale = Math.max(scale, a.data[i * n + i]);
    return inverseRoot(a, root, { method, epsilon: epsilon * Math.max(scale, 1e-30) })
      .root as NDArray<'float64'>;
  };
  return perParameter(
    (p: ParamTree[string]) => {
      const rows = p.ndim >= 2 ? p.shape[0] : 0;
      return {
        v: graft === 'adam' ? zerosLike(p) : null,
        blocks: rows > 0 ? blocksOf(rows, p.size / rows, blockSize) : [],
      };
    },
    (u, s, p, t) => {
      const graftDir = Float64Array.from(u);
      if (s.v) {
        for (let i = 0; i < u.length; i++) {
          s.v[i] = b2 * s.v[i] + (1 - b2) * u[i] * u[i];
          graftDir[i] = u[i] / (Math.sqrt(s.v[i] / (1 - b2 ** t)) + eps);
        }
      }
      if (s.blocks.length === 0) {
        for (let i = 0; i < u.length; i++) u[i] = graftDir[i];
        return;
      }
      const cols = p.size / p.shape[0];
      for (const b of s.blocks) {
        const g = blockOf(u, cols, b);
        const m = b.r1 - b.r0;
        const n = b.c1 - b.c0;
        const ggt = matmul(g, g.T) as NDArray<'float64'>;
        const gtg = matmul(g.T, g) as NDArray<'float64'>;
        for (let i = 0; i < m * m; i++) b.left[i] = beta * b.left[i] + ggt.data[i];
        for (let i = 0; i < n * n; i++) b.right[i] = beta * b.right[i] + gtg.data[i];
        if ((t - 1) % freq === 0) {
          b.leftRoot.set(factorRoot(b.left, m).contiguous().data);
          b.rightRoot.set(factorRoot(b.right, n).contiguous().data);
        }
        const leftRoot = new NDArray(b.leftRoot, [m, m]);
        const rightRoot = new NDArray(b.rightRoot, [n, n]);
        const dir = matmul(matmul(leftRoot, g), rightRoot) as NDArray<'float64'>;
        let scale = 1;
        if (graft !== 'none') {
          let dn = 0;
          let gn = 0;
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              dn += dir.data[i * n + j] ** 2;
              gn += graftDir[(b.r0 + i) * cols + b.c0 + j] ** 2;
            }
          }
          scale = dn > 0 ? Math.sqrt(gn / dn) : 0;
        }
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) u[(b.r0 + i) * cols + b.c0 + j] = scale * dir.data[i * n + j];
      }
    },
    { name: fn },
  );
}
