import { classicalScheme, directSum, kron } from './algebra.js';
import { parseScheme } from './format.js';
import type { Scheme } from './scheme.js';

/**
 * The shipped schemes, as listings (see `parseScheme`); each is parsed and Brent-checked on first
 * use (and in the tests). Coefficients are integers, so every scheme is exact over the reals.
 */

const STRASSEN = `# <2,2,2>:7 Strassen, Gaussian elimination is not optimal, Numer. Math. 13 (1969)
m1 = (a11 + a22) * (b11 + b22)
m2 = (a21 + a22) * b11
m3 = a11 * (b12 - b22)
m4 = a22 * (b21 - b11)
m5 = (a11 + a12) * b22
m6 = (a21 - a11) * (b11 + b12)
m7 = (a12 - a22) * (b21 + b22)
c11 = m1 + m4 - m5 + m7
c12 = m3 + m5
c21 = m2 + m4
c22 = m1 - m2 + m3 + m6
`;

// Winograd's variant (Higham 2002, sec. 23.2.2): 15 block additions once the sums
// S1 = A21 + A22, S2 = S1 - A11, ... are shared; written out term by term here, CSE finds them.
const WINOGRAD = `# <2,2,2>:7 Strassen-Winograd (Winograd 1971; Higham, Accuracy and Stability, 2nd ed., sec. 23.2.2)
m1 = a11 * b11
m2 = a12 * b21
m3 = (a11 + a12 - a21 - a22) * b22
m4 = a22 * (b11 - b12 - b21 + b22)
m5 = (a21 + a22) * (b12 - b11)
m6 = (a21 + a22 - a11) * (b11 - b12 + b22)
m7 = (a11 - a21) * (b22 - b12)
c11 = m1 + m2
c12 = m1 + m6 + m5 + m3
c21 = m1 + m6 + m7 - m4
c22 = m1 + m6 + m7 + m5
`;

const LADERMAN = `# <3,3,3>:23 Laderman, A noncommutative algorithm for multiplying 3x3 matrices using 23 multiplications, Bull. AMS 82 (1976)
m1 = (a11 + a12 + a13 - a21 - a22 - a32 - a33) * (b22)
m2 = (a11 - a21) * (-b12 + b22)
m3 = (a22) * (-b11 + b12 + b21 - b22 - b23 - b31 + b33)
m4 = (-a11 + a21 + a22) * (b11 - b12 + b22)
m5 = (a21 + a22) * (-b11 + b12)
m6 = (a11) * (b11)
m7 = (-a11 + a31 + a32) * (b11 - b13 + b23)
m8 = (-a11 + a31) * (b13 - b23)
m9 = (a31 + a32) * (-b11 + b13)
m10 = (a11 + a12 + a13 - a22 - a23 - a31 - a32) * (b23)
m11 = (a32) * (-b11 + b13 + b21 - b22 - b23 - b31 + b32)
m12 = (-a13 + a32 + a33) * (b22 + b31 - b32)
m13 = (a13 - a33) * (b22 - b32)
m14 = (a13) * (b31)
m15 = (a32 + a33) * (-b31 + b32)
m16 = (-a13 + a22 + a23) * (b23 + b31 - b33)
m17 = (a13 - a23) * (b23 - b33)
m18 = (a22 + a23) * (-b31 + b33)
m19 = (a12) * (b21)
m20 = (a23) * (b32)
m21 = (a21) * (b13)
m22 = (a31) * (b12)
m23 = (a33) * (b33)
c11 = m6 + m14 + m19
c12 = m1 + m4 + m5 + m6 + m12 + m14 + m15
c13 = m6 + m7 + m9 + m10 + m14 + m16 + m18
c21 = m2 + m3 + m4 + m6 + m14 + m16 + m17
c22 = m2 + m4 + m5 + m6 + m20
c23 = m14 + m16 + m17 + m18 + m21
c31 = m6 + m7 + m8 + m11 + m12 + m13 + m14
c32 = m12 + m13 + m14 + m15 + m22
c33 = m6 + m7 + m8 + m9 + m23
`;

// Hopcroft-Kerr (1971) showed rank 15 for <2,3,3> (via <3,2,3>); this integer scheme is the one
// AlphaTensor (Fawzi et al., Nature 610, 2022) lists, as re-published with ternary coefficients in
// dronperminov/FastMatrixMultiplication (schemes/known/alpha_tensor/2x3x3_m15_ZT.json).
const HK233 = `# <2,3,3>:15 Hopcroft-Kerr rank (1971); coefficients from AlphaTensor (Fawzi et al. 2022), ternary form
m1 = (a23) * (b11 + b31 + b32)
m2 = (a11 - a23) * (b11 + b33)
m3 = (a11) * (b12 - b13 - b33)
m4 = (a11 - a13) * (b33)
m5 = (a13 - a23) * (b21 + b31 - b33)
m6 = (a12) * (b22 - b23 + b32)
m7 = (a12 - a13 + a23) * (b21 - b32)
m8 = (a11 - a21 + a22) * (b12 + b23)
m9 = (a21 - a22) * (b12)
m10 = (a12 - a13 - a22 + a23) * (b21)
m11 = (a12 - a13) * (b32)
m12 = (a22) * (b12 + b21 + b22)
m13 = (a11 - a12 - a21 + a22) * (b23)
m14 = (a21 - a23) * (b11)
m15 = (a11 - a21) * (b11 - b13 - b23)
c11 = m1 + m2 - m4 + m5 + m7 + m11
c12 = m6 + m8 + m9 - m11 - m13
c13 = -m3 - m4 + m8 + m9 - m13
c21 = m1 + m7 - m10 + m11 + m14
c22 = -m7 + m9 + m10 - m11 + m12
c23 = -m2 - m3 + m8 + m9 + m14 + m15
`;

// A rank-23 scheme with ternary coefficients whose additions fall to 60 with shared sums
// (dronperminov/FastMatrixMultiplication, schemes/known/a_60_addition/3x3x3_m23_additions60_ZT.json):
// 97 additions term by term against Laderman's 98.
const LOWADD333 = `# <3,3,3>:23 ternary low-addition scheme, published with 60 additions after sharing (dronperminov/FastMatrixMultiplication)
m1 = (-a12 - a13) * (-b32)
m2 = (-a21 + a22 - a32) * (-b22 + b32)
m3 = (a12 - a21) * (b11 + b12 - b13 + b22 - b32)
m4 = (-a11 + a21) * (-b11 + b13)
m5 = (-a23) * (b23 - b33)
m6 = (-a22 - a23 + a32 + a33) * (b32)
m7 = (-a33) * (-b13 + b32 + b33)
m8 = (-a22 - a23 + a32) * (b23 + b32)
m9 = (-a32) * (-b21)
m10 = (a12 + a23) * (-b23 - b31 + b33)
m11 = (-a11 + a21 - a31 - a33) * (b13 - b31)
m12 = (-a31) * (b12)
m13 = (a11 + a13 - a21 - a23 + a31 + a33) * (-b31)
m14 = (-a11 + a12) * (b11 + b12 - b13)
m15 = (-a21) * (b13)
m16 = (a11 - a21 + a31) * (b11 - b31)
m17 = (a32) * (b22 + b23)
m18 = (a12 + a13) * (-b31 + b33)
m19 = (-a31 - a33) * (b13)
m20 = (-a12) * (-b11 - b12 + b13 - b21 - b22 + b23 + b31 + b32 - b33)
m21 = (-a12 + a22) * (b21)
m22 = (-a22 - a23) * (-b23)
m23 = (a21) * (b12 + b22 - b32)
c11 = -m3 + m4 + m5 - m10 - m11 - m13 - m15 + m19 + m20 - m23
c12 = m1 + m3 - m4 - m14 + m23
c13 = m5 - m10 - m11 - m13 - m15 + m18 + m19
c21 = -m3 + m5 - m10 - m15 + m20 + m21 - m23
c22 = -m2 - m8 + m17 - m22 + m23
c23 = m5 - m15 + m22
c31 = -m4 + m9 + m11 + m16 - m19
c32 = m6 - m8 - m12 + m17 - m22
c33 = -m6 - m7 + m8 - m19 + m22
`;

let cache: Map<string, Scheme> | undefined;

function build(): Map<string, Scheme> {
  const strassen = parseScheme(STRASSEN, { name: 'strassen' });
  const map = new Map<string, Scheme>([
    ['strassen', strassen],
    ['winograd', parseScheme(WINOGRAD, { name: 'winograd' })],
    ['laderman', parseScheme(LADERMAN, { name: 'laderman' })],
    ['333-23-lowadd', parseScheme(LOWADD333, { name: '333-23-lowadd' })],
    ['233-15', parseScheme(HK233, { name: '233-15' })],
  ]);
  map.set('strassen-squared', {
    ...kron(strassen, strassen, 'strassen-squared'),
    source: 'tensor product Strassen x Strassen, <4,4,4>:49',
  });
  map.set('223-11', {
    ...directSum(strassen, classicalScheme(2, 2, 1), 'n', '223-11'),
    source: 'direct sum of Strassen and the classical <2,2,1>:4 along n, <2,2,3>:11',
  });
  return map;
}

/** Names of the shipped schemes (`getScheme` loads them). */
export const SCHEME_NAMES = [
  'strassen',
  'winograd',
  'laderman',
  '333-23-lowadd',
  'strassen-squared',
  '223-11',
  '233-15',
] as const;
export type SchemeName = (typeof SCHEME_NAMES)[number];

/**
 * A shipped scheme by name: 'strassen' and 'winograd' <2,2,2>:7, 'laderman' and '333-23-lowadd'
 * <3,3,3>:23, 'strassen-squared' <4,4,4>:49, '223-11' <2,2,3>:11, '233-15' <2,3,3>:15. Parsed and
 * Brent-checked on first call. O(1) after the first call.
 */
export function getScheme(name: SchemeName): Scheme {
  cache ??= build();
  return cache.get(name)!;
}
