import { type DType, type NDArray, checkOptions, eye, matmul } from '@krylov/core-array';
import { solve } from '../factor/solve.js';
import { overStack } from '../util/batch.js';
import { type Floating, inDTypeOf, workingCopy } from '../util/validate.js';

type M = NDArray<'float64'>;

// Higham 2005, Table 2.3: the largest ||A||_1 for which the [m/m] Pade approximant is accurate to unit roundoff
const THETA: [number, number][] = [
  [3, 1.495585217958292e-2],
  [5, 2.53939833006323e-1],
  [7, 9.504178996162932e-1],
  [9, 2.097847961257068],
];
const THETA13 = 5.37192035114815;
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

/** sum_k c_k X_k for matrices of one shape. */
function combine(terms: [number, M][]): M {
  const out = terms[0][1].copy() as M;
  out.fill(0);
  for (const [c, x] of terms) for (let i = 0; i < out.size; i++) out.data[i] += c * x.data[i];
  return out;
}

function oneNorm(a: M): number {
  const n = a.shape[0];
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a.data[i * n + j]);
    best = Math.max(best, s);
  }
  return best;
}

/**
 * The matrix exponential by scaling and squaring with Pade approximants of degree 3, 5, 7, 9 or
 * 13 chosen from ||A||_1 (Higham 2005, "The scaling and squaring method for the matrix exponential
 * revisited", Algorithm 2.3; as scipy.linalg.expm before its 2009 refinements): r(A) = (V - U)^-1 (V + U)
 * for A / 2^s, then squared s times. Backward stable to about unit roundoff in exact arithmetic.
 * Computed in float64, returned in the input's dtype. O(n^3 (6 + s)).
 * @throws ShapeError for non-square input; InvalidArgumentError for non-finite entries.
 */
export function expm<D extends DType>(a: NDArray<D>, options?: Record<string, never>): NDArray<Floating<D>> {
  if (a.ndim > 2) return overStack('expm', [a], [2], (m) => expm(m, options)) as NDArray<Floating<D>>;
  checkOptions('expm', options, []);
  const w = workingCopy('expm', 'a', a, true);
  const n = w.shape[0];
  if (n === 0) return inDTypeOf(w, a);
  const id = eye(n) as M;
  const norm = oneNorm(w);
  const pade = (x: M, m: number): M => {
    const b = PADE[m];
    const x2 = matmul(x, x) as M;
    const powers: M[] = [id, x2];
    for (let k = 2; 2 * k <= m; k++) powers.push(matmul(powers[k - 1], x2) as M);
    let u: M;
    let v: M;
    if (m < 13) {
      u = matmul(x, combine(powers.map((p, k) => [b[2 * k + 1], p] as [number, M]))) as M;
      v = combine(powers.map((p, k) => [b[2 * k], p] as [number, M]));
    } else {
      const [, a2, a4, a6] = powers;
      const inner = matmul(
        a6,
        combine([
          [b[13], a6],
          [b[11], a4],
          [b[9], a2],
        ]),
      ) as M;
      u = matmul(
        x,
        combine([
          [1, inner],
          [b[7], a6],
          [b[5], a4],
          [b[3], a2],
          [b[1], id],
        ]),
      ) as M;
      const innerV = matmul(
        a6,
        combine([
          [b[12], a6],
          [b[10], a4],
          [b[8], a2],
        ]),
      ) as M;
      v = combine([
        [1, innerV],
        [b[6], a6],
        [b[4], a4],
        [b[2], a2],
        [b[0], id],
      ]);
    }
    return solve(
      combine([
        [1, v],
        [-1, u],
      ]),
      combine([
        [1, v],
        [1, u],
      ]),
    );
  };
  for (const [m, theta] of THETA) if (norm <= theta) return inDTypeOf(pade(w, m), a);
  const s = Math.max(0, Math.ceil(Math.log2(norm / THETA13)));
  const scaled = combine([[2 ** -s, w]]);
  let r = pade(scaled, 13);
  for (let k = 0; k < s; k++) r = matmul(r, r) as M;
  return inDTypeOf(r, a);
}
