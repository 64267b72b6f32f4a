import { type Mat, runKernel } from '@krylov/core-array';
import { type Form, type LinearProgram, compileForms, programAdditions } from './cse.js';
import { TempPool, block, linearCombination } from './pool.js';
import { type Scheme, naiveAdditions, numericFactors } from './scheme.js';

/** A scheme compiled for execution: the straight-line programs of its three sides. */
export interface Plan {
  readonly scheme: Scheme;
  /** Left factors: forms in the m k blocks of A. */
  readonly a: LinearProgram;
  /** Right factors: forms in the k n blocks of B. */
  readonly b: LinearProgram;
  /** Blocks of C: forms in the r products. */
  readonly c: LinearProgram;
  /** Block additions per recursion step, term by term and after CSE. */
  readonly additions: { naive: number; cse: number };
}

const plans = new WeakMap<Scheme, { true?: Plan; false?: Plan }>();

/** Compiles (and caches) a scheme's programs, with or without common-subexpression elimination. */
export function compilePlan(scheme: Scheme, cse = true): Plan {
  const cached = plans.get(scheme) ?? {};
  const hit = cse ? cached.true : cached.false;
  if (hit) return hit;
  const { u, v, w } = numericFactors(scheme);
  const forms = (rows: number[][]): Form[] =>
    rows.map((r) => r.flatMap((c, x): [number, number][] => (c === 0 ? [] : [[x, c]])));
  const cols: number[][] = Array.from({ length: scheme.m * scheme.n }, (_, c) => w.map((row) => row[c]));
  const a = compileForms(scheme.m * scheme.k, forms(u), cse);
  const b = compileForms(scheme.k * scheme.n, forms(v), cse);
  const c = compileForms(scheme.rank, forms(cols), cse);
  const plan: Plan = {
    scheme,
    a,
    b,
    c,
    additions: {
      naive: naiveAdditions(scheme),
      cse: programAdditions(a) + programAdditions(b) + programAdditions(c),
    },
  };
  plans.set(scheme, { ...cached, [String(cse)]: plan });
  return plan;
}

/**
 * While > 0 a fast-matmul product is running: the plugin's `supports` declines, so the base-case
 * gemm calls go to the next backend of the order in force (wasm-simd, native or js).
 */
export const baseCaseGuard = { depth: 0 };

/** What one execution did. */
export interface ExecStats {
  /** Deepest recursion level reached (0 = the base gemm ran on the whole product). */
  levels: number;
  /** Base-case gemm/syrk calls made through the registry. */
  baseCalls: number;
  /** Bytes of temporaries (pool) beyond A, B and C. */
  tempBytes: number;
}

export interface ExecContext {
  plan: Plan;
  cutoff: number;
  maxDepth: number;
  pool: TempPool;
  stats: ExecStats;
}

export function baseGemm(ctx: ExecContext, alpha: number, a: Mat, b: Mat, beta: number, c: Mat): void {
  if (c.shape[0] === 0 || c.shape[1] === 0) return;
  ctx.stats.baseCalls++;
  baseCaseGuard.depth++;
  try {
    runKernel('gemm', { alpha, a, b, beta, c });
  } finally {
    baseCaseGuard.depth--;
  }
}

/** Evaluates a linear program lazily: temporaries are computed on first use and released after their last. */
class Evaluator {
  private readonly values: (Mat | null)[];
  private readonly uses: number[];
  constructor(
    private readonly prog: LinearProgram,
    private readonly inputs: (Mat | null)[],
    private readonly pool: TempPool,
    private readonly releaseInputs: boolean,
  ) {
    this.values = prog.temps.map(() => null);
    this.uses = new Array(prog.inputs + prog.temps.length).fill(0);
    for (const f of [...prog.temps, ...prog.outputs]) for (const [x] of f) this.uses[x]++;
  }
  private get(x: number): Mat {
    if (x < this.prog.inputs) return this.inputs[x]!;
    const t = x - this.prog.inputs;
    let val = this.values[t];
    if (!val) {
      const f = this.prog.temps[t];
      const first = this.get(f[0][0]);
      val = this.pool.acquire(first.dtype, first.shape[0], first.shape[1]);
      linearCombination(
        val,
        f.map(([y, c]) => [c, this.get(y)] as const),
      );
      for (const [y] of f) this.done(y);
      this.values[t] = val;
    }
    return val;
  }
  private done(x: number): void {
    if (--this.uses[x] > 0) return;
    if (x >= this.prog.inputs) {
      const t = x - this.prog.inputs;
      if (this.values[t]) this.pool.release(this.values[t]!);
      this.values[t] = null;
    } else if (this.releaseInputs && this.inputs[x]) {
      this.pool.release(this.inputs[x]!);
      this.inputs[x] = null;
    }
  }
  /** Output `o` as (matrix, scale): a single term is passed as a view with its coefficient. */
  operand(o: number): { mat: Mat; scale: number; release: () => void } {
    const f = this.prog.outputs[o];
    if (f.length === 1) {
      const [x, c] = f[0];
      return { mat: this.get(x), scale: c, release: () => this.done(x) };
    }
    const first = this.get(f[0][0]);
    const mat = this.pool.acquire(first.dtype, first.shape[0], first.shape[1]);
    linearCombination(
      mat,
      f.map(([y, c]) => [c, this.get(y)] as const),
    );
    for (const [y] of f) this.done(y);
    return { mat, scale: 1, release: () => this.pool.release(mat) };
  }
  /** Writes output `o` into `dst` (`lower`: its lower triangle only). */
  writeTo(o: number, dst: Mat, lower = false): void {
    const f = this.prog.outputs[o];
    linearCombination(
      dst,
      f.map(([y, c]) => [c, this.get(y)] as const),
      lower,
    );
    for (const [y] of f) this.done(y);
  }
}

/**
 * C = alpha A B by the plan's scheme applied recursively: while every block would keep at least
 * `cutoff` rows and columns and fewer than `maxDepth` levels ran, A is cut into m x k blocks and B
 * into k x n (dynamic peeling: the rows and columns left over by sizes that are not multiples go
 * to thin base-case products), and each of the r block products recurses. Below that the
 * registry's gemm runs (`baseGemm`). O(r^L (N/m^L)^3 + additions) for L levels.
 */
export function recursiveGemm(ctx: ExecContext, alpha: number, a: Mat, b: Mat, c: Mat, depth: number): void {
  const [M, K] = a.shape;
  const N = b.shape[1];
  const { m, k, n } = ctx.plan.scheme;
  const [bm, bk, bn] = [Math.floor(M / m), Math.floor(K / k), Math.floor(N / n)];
  if (depth >= ctx.maxDepth || bm < ctx.cutoff || bk < ctx.cutoff || bn < ctx.cutoff) {
    baseGemm(ctx, alpha, a, b, 0, c);
    return;
  }
  ctx.stats.levels = Math.max(ctx.stats.levels, depth + 1);
  const [Mp, Kp, Np] = [bm * m, bk * k, bn * n];
  const core = { a: block(a, 0, Mp, 0, Kp), b: block(b, 0, Kp, 0, Np), c: block(c, 0, Mp, 0, Np) };
  schemeStep(ctx, alpha, core.a, core.b, core.c, depth);
  if (Kp < K) baseGemm(ctx, alpha, block(a, 0, Mp, Kp, K), block(b, Kp, K, 0, Np), 1, core.c);
  if (Np < N) baseGemm(ctx, alpha, a, block(b, 0, K, Np, N), 0, block(c, 0, M, Np, N));
  if (Mp < M) baseGemm(ctx, alpha, block(a, Mp, M, 0, K), block(b, 0, K, 0, Np), 0, block(c, Mp, M, 0, Np));
}

function schemeStep(ctx: ExecContext, alpha: number, a: Mat, b: Mat, c: Mat, depth: number): void {
  const { plan, pool } = ctx;
  const { m, k, n, rank } = plan.scheme;
  const [bm, bk, bn] = [a.shape[0] / m, a.shape[1] / k, b.shape[1] / n];
  const aBlocks: (Mat | null)[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < k; j++) aBlocks.push(block(a, i * bm, (i + 1) * bm, j * bk, (j + 1) * bk));
  const bBlocks: (Mat | null)[] = [];
  for (let j = 0; j < k; j++)
    for (let p = 0; p < n; p++) bBlocks.push(block(b, j * bk, (j + 1) * bk, p * bn, (p + 1) * bn));
  const left = new Evaluator(plan.a, aBlocks, pool, false);
  const right = new Evaluator(plan.b, bBlocks, pool, false);
  const products: (Mat | null)[] = [];
  for (let l = 0; l < rank; l++) {
    const x = left.operand(l);
    const y = right.operand(l);
    const p = pool.acquire(c.dtype, bm, bn);
    recursiveGemm(ctx, alpha * x.scale * y.scale, x.mat, y.mat, p, depth + 1);
    x.release();
    y.release();
    products.push(p);
  }
  const out = new Evaluator(plan.c, products, pool, true);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < n; p++) out.writeTo(i * n + p, block(c, i * bm, (i + 1) * bm, p * bn, (p + 1) * bn));
}

/** A fresh execution context (pool and counters) for one top-level call. */
export function newContext(plan: Plan, cutoff: number, maxDepth: number): ExecContext {
  return { plan, cutoff, maxDepth, pool: new TempPool(), stats: { levels: 0, baseCalls: 0, tempBytes: 0 } };
}
