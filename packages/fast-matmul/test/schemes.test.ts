import { InvalidArgumentError } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  BrentEquationError,
  SCHEME_NAMES,
  SYMMETRIC_2X2,
  SchemeError,
  checkBrent,
  checkSymmetricScheme,
  classicalScheme,
  compilePlan,
  directSum,
  getScheme,
  kron,
  naiveAdditions,
  parseScheme,
  rational,
  rotateScheme,
  stabilityFactor,
  toListing,
  transposeScheme,
} from '../src/index.js';

const expected: Record<string, [number, number, number, number]> = {
  strassen: [2, 2, 2, 7],
  winograd: [2, 2, 2, 7],
  laderman: [3, 3, 3, 23],
  '333-23-lowadd': [3, 3, 3, 23],
  'strassen-squared': [4, 4, 4, 49],
  '223-11': [2, 2, 3, 11],
  '233-15': [2, 3, 3, 15],
};

describe('shipped schemes', () => {
  it.each(SCHEME_NAMES)('%s has its format and rank and satisfies the Brent equations exactly', (name) => {
    const s = getScheme(name);
    expect([s.m, s.k, s.n, s.rank]).toEqual(expected[name]);
    expect(() => checkBrent(s)).not.toThrow();
    // and survives a round trip through the listing format
    const again = parseScheme(toListing(s), { name });
    expect(again.u).toEqual(s.u);
    expect(again.w).toEqual(s.w);
  });
  it('counts additions before and after CSE (Winograd: 24 -> 15)', () => {
    expect(compilePlan(getScheme('winograd')).additions).toEqual({ naive: 24, cse: 15 });
    expect(compilePlan(getScheme('strassen')).additions).toEqual({ naive: 18, cse: 18 });
    expect(naiveAdditions(getScheme('laderman'))).toBe(98);
    expect(compilePlan(getScheme('333-23-lowadd')).additions.cse).toBe(60);
    expect(compilePlan(getScheme('winograd'), false).additions.cse).toBe(24);
  });
  it('has the growth factors of Higham ch. 23 (12 for Strassen, 18 for Winograd)', () => {
    expect(stabilityFactor(getScheme('strassen'))).toBe(12);
    expect(stabilityFactor(getScheme('winograd'))).toBe(18);
  });
  it('symmetric A A^T scheme satisfies its equations', () => {
    expect(() => checkSymmetricScheme(SYMMETRIC_2X2)).not.toThrow();
    const bad = { ...SYMMETRIC_2X2, w: SYMMETRIC_2X2.w.map((r, l) => (l === 4 ? [0, 0, 0, 0] : r)) };
    expect(() => checkSymmetricScheme(bad)).toThrow(BrentEquationError);
  });
});

describe('scheme algebra', () => {
  const strassen = getScheme('strassen');
  it('tensor product, direct sums, transpose and rotation give valid schemes', () => {
    for (const s of [
      kron(strassen, classicalScheme(1, 2, 1)),
      kron(classicalScheme(2, 1, 3), strassen),
      directSum(strassen, classicalScheme(1, 2, 2), 'm'),
      directSum(strassen, classicalScheme(2, 1, 2), 'k'),
      transposeScheme(getScheme('233-15')),
      rotateScheme(getScheme('233-15')),
      rotateScheme(rotateScheme(getScheme('223-11'))),
    ])
      expect(() => checkBrent(s)).not.toThrow();
    expect(rotateScheme(getScheme('233-15'))).toMatchObject({ m: 3, k: 3, n: 2, rank: 15 });
  });
  it('refuses a direct sum of mismatched formats', () => {
    expect(() => directSum(strassen, classicalScheme(3, 2, 2), 'n')).toThrow(InvalidArgumentError);
  });
});

describe('loading', () => {
  it('refuses a corrupted scheme naming the failing equation', () => {
    const text = toListing(getScheme('strassen')).replace('c12 = m3 + m5', 'c12 = m3 - m5');
    try {
      parseScheme(text, { name: 'broken' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BrentEquationError);
      const err = e as BrentEquationError;
      expect(err.equation).toEqual({ a: [0, 0], b: [1, 1], c: [0, 1], expected: 0, got: '-2' });
      expect(err.message).toContain("scheme 'broken': Brent equation (a11 b22 c12) fails");
    }
  });
  it('refuses a corrupted coefficient tensor', () => {
    const s = getScheme('laderman');
    const w = s.w.map((r) => [...r]);
    w[5][0] = rational(2n);
    expect(() => checkBrent({ ...s, w })).toThrow(BrentEquationError);
  });
  it('reads JSON with u, v, w and rational coefficients', () => {
    const s = parseScheme({ format: [1, 1, 1], u: [['1/2'], [0.5]], v: [[1], [1]], w: [[1], ['1']] });
    expect(s.rank).toBe(2);
    expect(() => parseScheme({ format: [1, 1, 1], u: [['1/3']], v: [[1]], w: [[1]] })).toThrow(
      BrentEquationError,
    );
  });
  it("reads the flip-graph collections' JSON listings", () => {
    const s = parseScheme({
      n: [1, 1, 2],
      multiplications: ['m1 = (a11) * (b11 + b12)', 'm2 = (a11) * (-b12)'],
      elements: ['c11 = m1 + m2', 'c12 = -m2'],
    });
    expect([s.m, s.k, s.n, s.rank]).toEqual([1, 1, 2, 2]);
  });
  it('refuses text it cannot read, Z2 schemes and bad options with typed errors', () => {
    expect(() => parseScheme('m1 = a11 +* b11\nc11 = m1')).toThrow(SchemeError);
    expect(() => parseScheme('m1 = (a11 ⊕ a12) ∧ b11')).toThrow(/Z2/);
    expect(() => parseScheme('m2 = a11 * b11\nc11 = m2')).toThrow(/numbered/);
    expect(() => parseScheme('{"format": [1,1,1], "u": [[1]], "v": [[1]], "w": [["x"]]}')).toThrow(
      SchemeError,
    );
    expect(() => parseScheme('m1 = a11 * b11\nc11 = m1', { trusted: 'yes' } as never)).toThrow(
      InvalidArgumentError,
    );
    expect(() => parseScheme('m1 = a11 * b11\nc11 = m1', { nmae: 'x' } as never)).toThrow(
      InvalidArgumentError,
    );
    expect(() => parseScheme(42 as never)).toThrow(InvalidArgumentError);
  });
});
