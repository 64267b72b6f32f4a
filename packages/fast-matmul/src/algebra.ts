import { InvalidArgumentError, checkChoice, checkInteger } from '@krylov/core-array';
import { ONE, type Rational, ZERO, mul } from './rational.js';
import type { Scheme } from './scheme.js';

/**
 * Operations that build schemes from schemes. Each is exact on the coefficients, so a result
 * built from checked schemes satisfies the Brent equations too (the tests check them again).
 */

const zeros = (len: number) => new Array<Rational>(len).fill(ZERO);

/**
 * The classical <m,k,n>:mkn scheme (one product per a_ij b_jp). O(mkn).
 * @throws InvalidArgumentError for dimensions that are not positive integers.
 */
export function classicalScheme(m: number, k: number, n: number): Scheme {
  const fn = 'classicalScheme';
  checkInteger(fn, 'm', m, { min: 1 });
  checkInteger(fn, 'k', k, { min: 1 });
  checkInteger(fn, 'n', n, { min: 1 });
  const u: Rational[][] = [];
  const v: Rational[][] = [];
  const w: Rational[][] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < k; j++)
      for (let p = 0; p < n; p++) {
        const [ru, rv, rw] = [zeros(m * k), zeros(k * n), zeros(m * n)];
        ru[i * k + j] = ONE;
        rv[j * n + p] = ONE;
        rw[i * n + p] = ONE;
        u.push(ru);
        v.push(rv);
        w.push(rw);
      }
  return {
    name: `classical-${m}${k}${n}`,
    m,
    k,
    n,
    rank: m * k * n,
    u,
    v,
    w,
    source: 'definition of the product',
  };
}

/**
 * The tensor (Kronecker) product S1 ⊗ S2: a <m1 m2, k1 k2, n1 n2>:r1 r2 scheme that runs S1 on
 * blocks and S2 inside each block product (Strassen ⊗ Strassen = <4,4,4>:49). Index (i1, i2) of
 * the product maps to i1 m2 + i2. O(r1 r2 (m k + k n + m n)).
 */
export function kron(s1: Scheme, s2: Scheme, name = `${s1.name}*${s2.name}`): Scheme {
  const [m, k, n] = [s1.m * s2.m, s1.k * s2.k, s1.n * s2.n];
  const factor = (
    f1: readonly (readonly Rational[])[],
    f2: readonly (readonly Rational[])[],
    c1: number,
    c2: number,
  ) => {
    const rows: Rational[][] = [];
    for (const r1 of f1)
      for (const r2 of f2) {
        const row = zeros(f1[0].length * f2[0].length);
        r1.forEach((x, a1) => {
          if (x.num === 0n) return;
          const [i1, j1] = [Math.floor(a1 / c1), a1 % c1];
          r2.forEach((y, a2) => {
            if (y.num === 0n) return;
            const [i2, j2] = [Math.floor(a2 / c2), a2 % c2];
            row[(i1 * (f2[0].length / c2) + i2) * (c1 * c2) + j1 * c2 + j2] = mul(x, y);
          });
        });
        rows.push(row);
      }
    return rows;
  };
  return {
    name,
    m,
    k,
    n,
    rank: s1.rank * s2.rank,
    u: factor(s1.u, s2.u, s1.k, s2.k),
    v: factor(s1.v, s2.v, s1.n, s2.n),
    w: factor(s1.w, s2.w, s1.n, s2.n),
    source: `tensor product of ${s1.name} and ${s2.name}`,
  };
}

/**
 * The direct sum along one dimension: splitting n = n1 + n2 (or m, or k) runs S1 on the first
 * part and S2 on the second, rank r1 + r2 (<2,2,2>:7 ⊕_n <2,2,1>:4 = <2,2,3>:11). The other two
 * dimensions must agree. O((r1 + r2)(m k + k n + m n)).
 * @throws InvalidArgumentError when the other dimensions differ or `dim` is not 'm', 'k' or 'n'.
 */
export function directSum(
  s1: Scheme,
  s2: Scheme,
  dim: 'm' | 'k' | 'n',
  name = `${s1.name}+${s2.name}`,
): Scheme {
  const fn = 'directSum';
  checkChoice(fn, 'dim', dim, ['m', 'k', 'n'] as const);
  for (const d of ['m', 'k', 'n'] as const)
    if (d !== dim && s1[d] !== s2[d])
      throw new InvalidArgumentError(
        fn,
        's2',
        `<${s2.m},${s2.k},${s2.n}>`,
        `the same ${d} as <${s1.m},${s1.k},${s1.n}>`,
      );
  const m = dim === 'm' ? s1.m + s2.m : s1.m;
  const k = dim === 'k' ? s1.k + s2.k : s1.k;
  const n = dim === 'n' ? s1.n + s2.n : s1.n;
  const embed = (s: Scheme, di: number, dk: number, dn: number) => ({
    u: s.u.map((r) => {
      const row = zeros(m * k);
      r.forEach((x, a) => {
        row[(Math.floor(a / s.k) + di) * k + (a % s.k) + dk] = x;
      });
      return row;
    }),
    v: s.v.map((r) => {
      const row = zeros(k * n);
      r.forEach((x, b) => {
        row[(Math.floor(b / s.n) + dk) * n + (b % s.n) + dn] = x;
      });
      return row;
    }),
    w: s.w.map((r) => {
      const row = zeros(m * n);
      r.forEach((x, c) => {
        row[(Math.floor(c / s.n) + di) * n + (c % s.n) + dn] = x;
      });
      return row;
    }),
  });
  const e1 = embed(s1, 0, 0, 0);
  const e2 = embed(s2, dim === 'm' ? s1.m : 0, dim === 'k' ? s1.k : 0, dim === 'n' ? s1.n : 0);
  return {
    name,
    m,
    k,
    n,
    rank: s1.rank + s2.rank,
    u: [...e1.u, ...e2.u],
    v: [...e1.v, ...e2.v],
    w: [...e1.w, ...e2.w],
    source: `direct sum of ${s1.name} and ${s2.name} along ${dim}`,
  };
}

/** The transposed scheme <n,k,m>:r from C^T = B^T A^T. O(r (m k + k n + m n)). */
export function transposeScheme(s: Scheme, name = `${s.name}^T`): Scheme {
  const t = (rows: readonly (readonly Rational[])[], r: number, c: number) =>
    rows.map((row) => Array.from({ length: r * c }, (_, x) => row[(x % c) * r + Math.floor(x / c)]));
  // U'(p,j) = V(j,p): V is k x n, U' is n x k
  return {
    name,
    m: s.n,
    k: s.k,
    n: s.m,
    rank: s.rank,
    u: t(s.v, s.n, s.k),
    v: t(s.u, s.k, s.m),
    w: t(s.w, s.n, s.m),
    source: `transpose of ${s.name}`,
  };
}

/**
 * The cyclic rotation <k,n,m>:r of a <m,k,n>:r scheme (the matrix-multiplication tensor is
 * invariant under cycling its three factors: sum a_ij b_jp c_ip = sum b_jp (c^T)_pi (a^T)_ij), so
 * a <3,2,3>:15 gives a <2,3,3>:15. O(r (m k + k n + m n)).
 */
export function rotateScheme(s: Scheme, name = `${s.name}-rotated`): Scheme {
  const { m, k, n } = s;
  const tr = (row: readonly Rational[], r: number, c: number) =>
    Array.from({ length: r * c }, (_, x) => row[(x % c) * r + Math.floor(x / c)]);
  return {
    name,
    m: k,
    k: n,
    n: m,
    rank: s.rank,
    u: s.v.map((r) => [...r]),
    v: s.w.map((r) => tr(r, n, m)),
    w: s.u.map((r) => tr(r, k, m)),
    source: `cyclic rotation of ${s.name}`,
  };
}
