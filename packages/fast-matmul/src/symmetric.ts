import { type Mat, runKernel } from '@krylov/core-array';
import { type ExecContext, baseCaseGuard, baseGemm, recursiveGemm } from './execute.js';
import { block, linearCombination } from './pool.js';
import { BrentEquationError, SchemeError } from './scheme.js';

/**
 * A scheme for the symmetric product C = A A^T on a p x q grid of blocks of A. Product l is
 * M_l = (sum_a U[l][a] A_a)(sum_b V[l][b] A_b)^T (a, b run over the p q blocks, row-major), and
 * each block C_ii' of the lower triangle (i >= i') is sum_l W[l][i p + i'] M_l. A product with
 * U[l] = V[l] is itself symmetric and recurses as A A^T; the others are general products and run
 * on the gemm scheme. Only the lower triangle is computed: C^T's blocks are free.
 */
export interface SymmetricScheme {
  readonly name: string;
  readonly p: number;
  readonly q: number;
  readonly rank: number;
  readonly u: readonly (readonly number[])[];
  readonly v: readonly (readonly number[])[];
  readonly w: readonly (readonly number[])[];
  readonly source?: string;
}

/**
 * The 2 x 2 block scheme for A A^T with 6 half-size products (a general product needs 8, or 7 with
 * Strassen): C11 = A11 A11^T + A12 A12^T, C22 = A21 A21^T + A22 A22^T (four symmetric products,
 * which recurse), C21 = A21 A11^T + A22 A12^T (two general products, run by the gemm scheme).
 * With Strassen in the general products, an n = 2^L product costs S(L) = 4 S(L-1) + 2 * 7^(L-1)
 * = (2 * 7^L + 4^L) / 3 multiplications, 2/3 of Strassen's 7^L for C = A B (the classical
 * syrk needs n^2 (n+1) / 2). The recursive block syrk of BLAS implementations (e.g. ReLAPACK,
 * Peise & Bientinesi 2017) has this structure; Arrigoni et al. (2021) and Dumas, Pernet &
 * Sedoglavic (ISSAC 2020) reach fewer products with coefficients that need sqrt(-1) or a
 * skew-orthogonal matrix, which is why they are not used over the reals here.
 */
export const SYMMETRIC_2X2: SymmetricScheme = {
  name: 'syrk-2x2-6',
  p: 2,
  q: 2,
  rank: 6,
  // blocks a: 0 = A11, 1 = A12, 2 = A21, 3 = A22; C blocks c: 0 = C11, 2 = C21, 3 = C22
  u: [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ],
  v: [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
    [1, 0, 0, 0],
    [0, 1, 0, 0],
  ],
  w: [
    [1, 0, 0, 0],
    [1, 0, 0, 0],
    [0, 0, 0, 1],
    [0, 0, 0, 1],
    [0, 0, 1, 0],
    [0, 0, 1, 0],
  ],
  source: 'block recursion for A A^T (lower triangle), 4 symmetric + 2 general half-size products',
};

const isSym = (s: SymmetricScheme, l: number) => s.u[l].every((x, i) => x === s.v[l][i]);

/**
 * Checks a symmetric scheme exactly: for every lower block (i >= i') and ordered pair of blocks
 * (a, b), sum_l U[l][a] V[l][b] W[l][(i,i')] equals 1 when a = (i, j) and b = (i', j) for some j,
 * else 0; symmetric products (U = V) may feed only diagonal blocks. Coefficients must be integers.
 * @throws BrentEquationError naming the first failing equation; SchemeError for malformed factors.
 */
export function checkSymmetricScheme(s: SymmetricScheme, fn = 'checkSymmetricScheme'): void {
  const nb = s.p * s.q;
  for (const f of [s.u, s.v, s.w])
    if (
      f.length !== s.rank ||
      f.some((r) => r.length !== (f === s.w ? s.p * s.p : nb) || r.some((x) => !Number.isInteger(x)))
    )
      throw new SchemeError(
        fn,
        s.name,
        `factors must be ${s.rank} rows of integers (U, V: ${nb}, W: ${s.p * s.p})`,
      );
  let first: { a: number; b: number; c: number; got: number; want: 0 | 1 } | undefined;
  let failures = 0;
  for (let i = 0; i < s.p; i++)
    for (let i2 = 0; i2 <= i; i2++)
      for (let a = 0; a < nb; a++)
        for (let b = 0; b < nb; b++) {
          const c = i * s.p + i2;
          let got = 0;
          for (let l = 0; l < s.rank; l++) got += s.u[l][a] * s.v[l][b] * s.w[l][c];
          const want = Math.floor(a / s.q) === i && Math.floor(b / s.q) === i2 && a % s.q === b % s.q ? 1 : 0;
          if (got !== want) {
            failures++;
            first ??= { a, b, c, got, want };
          }
        }
  if (first) {
    const { a, b, c, got, want } = first;
    throw new BrentEquationError(
      fn,
      s.name,
      {
        a: [Math.floor(a / s.q), a % s.q],
        b: [b % s.q, Math.floor(b / s.q)],
        c: [Math.floor(c / s.p), c % s.p],
        expected: want,
        got: String(got),
      },
      failures,
    );
  }
  for (let l = 0; l < s.rank; l++)
    if (isSym(s, l) && s.w[l].some((x, c) => x !== 0 && Math.floor(c / s.p) !== c % s.p))
      throw new SchemeError(fn, s.name, `symmetric product m${l + 1} feeds an off-diagonal block`);
}

function baseSyrk(ctx: ExecContext, alpha: number, a: Mat, beta: number, c: Mat): void {
  if (c.shape[0] === 0) return;
  ctx.stats.baseCalls++;
  baseCaseGuard.depth++;
  try {
    runKernel('syrk', { alpha, a, beta, c, lower: true });
  } finally {
    baseCaseGuard.depth--;
  }
}

/**
 * Lower triangle of C = alpha A A^T by the symmetric scheme applied recursively (general products
 * by `recursiveGemm` with the context's gemm scheme), down to the registry's syrk and gemm.
 * Rows and columns left over by odd sizes are peeled into base-case calls.
 */
export function recursiveSyrk(
  ctx: ExecContext,
  s: SymmetricScheme,
  alpha: number,
  a: Mat,
  c: Mat,
  depth: number,
): void {
  const [N, K] = a.shape;
  const [bn, bk] = [Math.floor(N / s.p), Math.floor(K / s.q)];
  if (depth >= ctx.maxDepth || bn < ctx.cutoff || bk < ctx.cutoff) {
    baseSyrk(ctx, alpha, a, 0, c);
    return;
  }
  ctx.stats.levels = Math.max(ctx.stats.levels, depth + 1);
  const [Np, Kp] = [bn * s.p, bk * s.q];
  const core = block(a, 0, Np, 0, Kp);
  const cc = block(c, 0, Np, 0, Np);
  const blocks: Mat[] = [];
  for (let i = 0; i < s.p; i++)
    for (let j = 0; j < s.q; j++) blocks.push(block(core, i * bn, (i + 1) * bn, j * bk, (j + 1) * bk));
  const pool = ctx.pool;
  const form = (coefs: readonly number[]) => {
    const terms = coefs.flatMap((x, i): (readonly [number, Mat])[] =>
      x === 0 ? [] : [[x, blocks[i]] as const],
    );
    if (terms.length === 1) return { mat: terms[0][1], scale: terms[0][0], owned: false };
    const mat = pool.acquire(a.dtype, bn, bk);
    linearCombination(mat, terms);
    return { mat, scale: 1, owned: true };
  };
  const products: Mat[] = [];
  for (let l = 0; l < s.rank; l++) {
    const x = form(s.u[l]);
    const out = pool.acquire(c.dtype, bn, bn);
    if (isSym(s, l)) recursiveSyrk(ctx, s, alpha * x.scale * x.scale, x.mat, out, depth + 1);
    else {
      const y = form(s.v[l]);
      recursiveGemm(ctx, alpha * x.scale * y.scale, x.mat, y.mat.T as Mat, out, depth + 1);
      if (y.owned) pool.release(y.mat);
    }
    if (x.owned) pool.release(x.mat);
    products.push(out);
  }
  for (let i = 0; i < s.p; i++)
    for (let i2 = 0; i2 <= i; i2++) {
      const terms = s.w.flatMap((row, l): (readonly [number, Mat])[] =>
        row[i * s.p + i2] === 0 ? [] : [[row[i * s.p + i2], products[l]] as const],
      );
      linearCombination(block(cc, i * bn, (i + 1) * bn, i2 * bn, (i2 + 1) * bn), terms, i === i2);
    }
  for (const p of products) pool.release(p);
  if (Kp < K) baseSyrk(ctx, alpha, block(a, 0, Np, Kp, K), 1, cc);
  if (Np < N) {
    baseGemm(ctx, alpha, block(a, Np, N, 0, K), block(a, 0, Np, 0, K).T as Mat, 0, block(c, Np, N, 0, Np));
    baseSyrk(ctx, alpha, block(a, Np, N, 0, K), 0, block(c, Np, N, Np, N));
  }
}
