import { KrylovError } from '@krylov/core-array';
import { ONE, type Rational, ZERO, add, equals, isZero, mul, toText } from './rational.js';

/**
 * A bilinear scheme <m,k,n>:r for C = A B, A m x k, B k x n, written as three coefficient tensors:
 *
 *   M_l = (sum_{i,j} U[l][i k + j] A_ij) (sum_{j,p} V[l][j n + p] B_jp),   l = 0..r-1
 *   C_ip = sum_l W[l][i n + p] M_l
 *
 * (row-major indices, 0-based). Applied to blocks it gives the recursive algorithm: A is split into
 * m x k blocks, B into k x n, and each M_l is itself a product of blocks (Strassen 1969; the
 * tensor view is Brent 1970 and Higham 2002, sec. 23.2).
 */
export interface Scheme {
  readonly name: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly rank: number;
  readonly u: readonly (readonly Rational[])[];
  readonly v: readonly (readonly Rational[])[];
  readonly w: readonly (readonly Rational[])[];
  /** Where the scheme comes from (paper, construction). */
  readonly source?: string;
}

/** A scheme that cannot be loaded: malformed text or coefficients. */
export class SchemeError extends KrylovError {
  readonly scheme: string;
  constructor(fn: string, scheme: string, detail: string) {
    super(fn, `scheme '${scheme}': ${detail}`);
    this.scheme = scheme;
  }
}

/** One Brent equation, sum_l U[l](a_ij) V[l](b_jp) W[l](c_ip') = delta, named by its three entries. */
export interface BrentEquation {
  /** 0-based (row, column) of the A, B and C entries. */
  a: [number, number];
  b: [number, number];
  c: [number, number];
  expected: 0 | 1;
  /** The exact value of the left-hand side, as a fraction `p/q` or an integer. */
  got: string;
}

/** A scheme whose coefficients violate a Brent equation: it would compute a wrong product. */
export class BrentEquationError extends SchemeError {
  readonly equation: BrentEquation;
  /** How many of the (mk)(kn)(mn) equations fail. */
  readonly failures: number;
  constructor(fn: string, scheme: string, equation: BrentEquation, failures: number) {
    const e = equation;
    const name = `a${e.a[0] + 1}${e.a[1] + 1} b${e.b[0] + 1}${e.b[1] + 1} c${e.c[0] + 1}${e.c[1] + 1}`;
    super(
      fn,
      scheme,
      `Brent equation (${name}) fails: sum_l U_l(a${e.a[0] + 1}${e.a[1] + 1}) V_l(b${e.b[0] + 1}${e.b[1] + 1}) W_l(c${e.c[0] + 1}${e.c[1] + 1}) = ${e.got}, expected ${e.expected}${failures > 1 ? ` (${failures - 1} more equations fail)` : ''}`,
    );
    this.equation = equation;
    this.failures = failures;
  }
}

/**
 * Checks the Brent equations of a scheme exactly (BigInt rationals):
 * sum_l U[l][i,j] V[l][j',p] W[l][i',p'] = [i = i'][j = j'][p = p'] for all indices, which holds
 * if and only if the scheme computes A B for matrices over every commutative ring containing its
 * coefficients (Brent 1970). Cost O(r (nnz per factor)^3) plus the (mk)(kn)(mn) equations.
 * @throws BrentEquationError naming the first failing equation (in index order) and the count of
 * failures; SchemeError for factor arrays of the wrong length.
 */
export function checkBrent(s: Scheme, fn = 'checkBrent'): void {
  const { m, k, n } = s;
  const [na, nb, nc] = [m * k, k * n, m * n];
  for (const [f, len, name] of [
    [s.u, na, 'U'],
    [s.v, nb, 'V'],
    [s.w, nc, 'W'],
  ] as const) {
    if (f.length !== s.rank)
      throw new SchemeError(fn, s.name, `${name} has ${f.length} rows, rank is ${s.rank}`);
    const bad = f.findIndex((row) => row.length !== len);
    if (bad >= 0)
      throw new SchemeError(fn, s.name, `${name}[${bad}] has ${f[bad].length} entries, expected ${len}`);
  }
  const sums = new Map<number, Rational>();
  const nz = (row: readonly Rational[]) => row.flatMap((x, i) => (isZero(x) ? [] : [[i, x] as const]));
  for (let l = 0; l < s.rank; l++) {
    const [us, vs, ws] = [nz(s.u[l]), nz(s.v[l]), nz(s.w[l])];
    for (const [a, ua] of us)
      for (const [b, vb] of vs) {
        const uv = mul(ua, vb);
        for (const [c, wc] of ws) {
          const key = (a * nb + b) * nc + c;
          sums.set(key, add(sums.get(key) ?? ZERO, mul(uv, wc)));
        }
      }
  }
  const failing: { key: number; got: Rational; expected: 0 | 1 }[] = [];
  const target = (key: number): 0 | 1 => {
    const c = key % nc;
    const b = Math.floor(key / nc) % nb;
    const a = Math.floor(key / (nc * nb));
    const [i, j] = [Math.floor(a / k), a % k];
    const [j2, p] = [Math.floor(b / n), b % n];
    const [i2, p2] = [Math.floor(c / n), c % n];
    return i === i2 && j === j2 && p === p2 ? 1 : 0;
  };
  for (const [key, got] of sums) {
    const expected = target(key);
    if (!equals(got, expected ? ONE : ZERO)) failing.push({ key, got, expected });
  }
  for (let i = 0; i < m; i++)
    for (let j = 0; j < k; j++)
      for (let p = 0; p < n; p++) {
        const key = ((i * k + j) * nb + (j * n + p)) * nc + (i * n + p);
        if (!sums.has(key)) failing.push({ key, got: ZERO, expected: 1 });
      }
  if (failing.length === 0) return;
  failing.sort((x, y) => x.key - y.key);
  const { key, got, expected } = failing[0];
  const c = key % nc;
  const b = Math.floor(key / nc) % nb;
  const a = Math.floor(key / (nc * nb));
  throw new BrentEquationError(
    fn,
    s.name,
    {
      a: [Math.floor(a / k), a % k],
      b: [Math.floor(b / n), b % n],
      c: [Math.floor(c / n), c % n],
      expected,
      got: toText(got),
    },
    failing.length,
  );
}

/** Additions of the scheme evaluated term by term, without sharing: sum of (nonzeros - 1) over the rows of U and V and the columns of W. */
export function naiveAdditions(s: Scheme): number {
  const count = (rows: readonly (readonly Rational[])[]) =>
    rows.reduce((t, row) => t + Math.max(0, row.filter((x) => !isZero(x)).length - 1), 0);
  const cols = Array.from({ length: s.m * s.n }, (_, c) => s.w.map((row) => row[c]));
  return count(s.u) + count(s.v) + count(cols);
}

/** The coefficients as floating-point numbers, for execution. */
export function numericFactors(s: Scheme): { u: number[][]; v: number[][]; w: number[][] } {
  const f = (rows: readonly (readonly Rational[])[]) =>
    rows.map((r) => r.map((x) => Number(x.num) / Number(x.den)));
  return { u: f(s.u), v: f(s.v), w: f(s.w) };
}
