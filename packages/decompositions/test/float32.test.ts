import { type FloatDType, type NDArray, add, eye, matmul, mul, rng, stack, sub } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  cholesky,
  det,
  eig,
  eigh,
  eigvals,
  expm,
  funm,
  hessenberg,
  inv,
  inverseRoot,
  ldl,
  logm,
  lstsq,
  lu,
  luFactor,
  luSolve,
  newtonSchulz,
  nullSpace,
  orth,
  pinv,
  pivotedCholesky,
  polar,
  qr,
  schur,
  slogdet,
  solve,
  spdBarycenter,
  spdGeodesic,
  spdPower,
  sqrtm,
  svd,
} from '../src/index.js';
import { geqrf, orgqr } from '../src/kernels.js';
import { EPS32, fro, orthogonality, scaledResidual, spdWithCondition, withCondition } from './helpers.js';

const f64 = (x: NDArray) => x.astype('float64');
const f32 = (x: NDArray) => x.astype('float32');
const N = 64;
// Condition 1e4 leaves float32 (1/eps = 8e6) a few digits, as LAPACK's single-precision tests do.
const COND = 1e4;
const a32 = f32(withCondition(N, N, COND, 11));
const spd32 = f32(spdWithCondition(N, COND, 12));
const tall32 = f32(withCondition(90, 40, COND, 13));

/** ||A X - B|| / (n eps ||A|| ||X||), LAPACK's residual for a solve, in float64 from the stored values. */
function solveResidual(a: NDArray, x: NDArray, b: NDArray): number {
  const r = sub(matmul(f64(a), f64(x)), f64(b));
  return fro(r) / (a.shape[0] * EPS32 * fro(a) * fro(x));
}

/** max |x - y| / max |y|: a float32 result against the float64 result on the same data. */
function relativeGap(x: NDArray, y: NDArray): number {
  const d = sub(f64(x), f64(y)).toFlatArray();
  const scale = Math.max(...y.toFlatArray().map(Math.abs));
  return Math.max(...d.map(Math.abs)) / scale;
}

function expectDType(dtype: FloatDType, ...arrays: (NDArray | null | undefined)[]): void {
  for (const x of arrays) expect(x?.dtype).toBe(dtype);
}

describe('float32 in, float32 out (LAPACK scaled residuals with float32 eps)', () => {
  it('lu, luFactor / luSolve: P A = L U below 30', () => {
    const { p, l, u } = lu(a32);
    expectDType('float32', l, u);
    const rows = Array.from(p, (r) => f64(a32).slice(r));
    expect(scaledResidual(stack(rows), matmul(f64(l), f64(u)), N, EPS32)).toBeLessThan(30);
    const b = f32(rng(1).normal([N, 3]));
    const x = luSolve(luFactor(a32), b);
    expectDType('float32', x);
    expect(solveResidual(a32, x, b)).toBeLessThan(30);
  });

  it('cholesky (lower and upper), ldl, pivotedCholesky', () => {
    const l = cholesky(spd32);
    expectDType('float32', l, cholesky(spd32, { lower: false }));
    expect(scaledResidual(f64(spd32), matmul(f64(l), f64(l).T), N, EPS32)).toBeLessThan(30);
    const f = ldl(spd32);
    expectDType('float32', f.l, f.d);
    const pc = pivotedCholesky(spd32);
    expectDType('float32', pc.l);
    expect(pc.rank).toBe(N);
  });

  it('qr (reduced, complete, pivoted) below 30, Q orthonormal below 30', () => {
    for (const mode of ['reduced', 'complete'] as const) {
      const { q, r } = qr(tall32, { mode });
      expectDType('float32', q, r);
      expect(scaledResidual(f64(tall32), matmul(f64(q!), f64(r)), 90, EPS32)).toBeLessThan(30);
      expect(orthogonality(f64(q!), EPS32)).toBeLessThan(30);
    }
    const { q, r, p } = qr(a32, { pivoting: true });
    expectDType('float32', q, r);
    const permuted = stack(
      Array.from(p!, (j) => f64(a32).slice(null, j)),
      1,
    );
    expect(scaledResidual(permuted, matmul(f64(q!), f64(r)), N, EPS32)).toBeLessThan(30);
  });

  it('svd (thin, full, values) below 50; pinv, orth, nullSpace', () => {
    const { u, s, vt } = svd(tall32);
    expectDType('float32', u, s, vt);
    const us = f64(u).copy();
    for (let i = 0; i < 90; i++) for (let j = 0; j < 40; j++) us.data[i * 40 + j] *= s.data[j];
    expect(scaledResidual(f64(tall32), matmul(us, f64(vt)), 90, EPS32)).toBeLessThan(50);
    expect(orthogonality(f64(u), EPS32)).toBeLessThan(50);
    expect(orthogonality(f64(vt).T, EPS32)).toBeLessThan(50);
    expectDType('float32', svd(tall32, { mode: 'values' }).s, svd(tall32, { mode: 'full' }).u);
    const exact = svd(f64(tall32), { mode: 'values' }).s;
    expect(relativeGap(s, exact)).toBeLessThan(50 * 90 * EPS32);
    expectDType('float32', pinv(tall32), orth(tall32), nullSpace(tall32.T));
    expect(nullSpace(tall32.T).shape).toEqual([90, 50]);
  });

  it('eigh (all, values only, index range) below 60', () => {
    const { values, vectors } = eigh(spd32);
    expectDType('float32', values, vectors);
    const av = matmul(f64(spd32), f64(vectors!));
    const vw = f64(vectors!).copy();
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) vw.data[i * N + j] *= values.data[j];
    expect(fro(sub(av, vw)) / (N * EPS32 * fro(spd32))).toBeLessThan(60);
    expect(orthogonality(f64(vectors!), EPS32)).toBeLessThan(60);
    const part = eigh(spd32, { range: [3, 7] });
    expectDType('float32', part.values, part.vectors);
    expect(relativeGap(part.values, values.slice('3:8'))).toBeLessThan(60 * N * EPS32);
    expectDType('float32', eigh(spd32, { vectors: false }).values);
  });

  it('eig below 20; eigvals, schur, hessenberg', () => {
    const { re, im, vectorsRe, vectorsIm } = eig(a32);
    expectDType('float32', re, im, vectorsRe, vectorsIm);
    // A (Vr + i Vi) = (Vr + i Vi) diag(re + i im), checked in float64
    const [vr, vi] = [f64(vectorsRe), f64(vectorsIm)];
    const [avr, avi] = [matmul(f64(a32), vr), matmul(f64(a32), vi)];
    let worst = 0;
    for (let i = 0; i < N; i++)
      for (let j = 0; j < N; j++) {
        const k = i * N + j;
        const lr = re.data[j];
        const li = im.data[j];
        worst = Math.max(
          worst,
          Math.hypot(
            avr.data[k] - (vr.data[k] * lr - vi.data[k] * li),
            avi.data[k] - (vr.data[k] * li + vi.data[k] * lr),
          ),
        );
      }
    expect(worst / (N * EPS32 * fro(a32))).toBeLessThan(20);
    const ev = eigvals(a32);
    expectDType('float32', ev.re, ev.im);
    const { t, z } = schur(a32);
    expectDType('float32', t, z);
    expect(scaledResidual(f64(a32), matmul(matmul(f64(z), f64(t)), f64(z).T), N, EPS32)).toBeLessThan(20);
    const { h, q } = hessenberg(a32);
    expectDType('float32', h, q);
  });

  it('solve (general, positive definite, triangular), inv, det, slogdet, lstsq', () => {
    const b = f32(rng(2).normal([N, 2]));
    for (const assume of ['general', 'symmetric', 'positive definite'] as const) {
      const a = assume === 'general' ? a32 : spd32;
      const x = solve(a, b, { assume });
      expectDType('float32', x);
      expect(solveResidual(a, x, b)).toBeLessThan(30);
    }
    const l = cholesky(spd32);
    const xt = solve(l, b, { assume: 'triangular' });
    expectDType('float32', xt);
    expect(solveResidual(l, xt, b)).toBeLessThan(30);
    const xv = solve(a32, b.slice(null, 0));
    expect(xv.dtype).toBe('float32');
    expect(xv.shape).toEqual([N]);
    const ai = inv(a32);
    expectDType('float32', ai);
    expect(solveResidual(a32, ai, eye(N))).toBeLessThan(30);
    const d64 = slogdet(f64(spd32));
    const d32 = slogdet(spd32);
    expect(d32.sign).toBe(1);
    expect(Math.abs(d32.logabsdet - d64.logabsdet)).toBeLessThan(N * N * EPS32 * 10);
    expect(Math.sign(det(a32))).toBe(Math.sign(det(f64(a32))));
    const y = f32(rng(3).normal([90]));
    for (const method of ['qr', 'svd'] as const) {
      const fit = lstsq(tall32, y, { driver: method });
      expectDType('float32', fit.x);
      const exact = lstsq(f64(tall32), f64(y), { driver: method });
      expect(relativeGap(fit.x, exact.x)).toBeLessThan(COND * 90 * EPS32);
    }
  });

  it('matrix functions compute in float64 and return float32', () => {
    const small = f32(withCondition(12, 12, 10, 21));
    const s = f32(spdWithCondition(12, 10, 22));
    const near = f32(add(eye(12), mul(small, 0.1)));
    const cases: [string, NDArray, NDArray][] = [
      ['expm', expm(small), expm(f64(small))],
      ['sqrtm', sqrtm(s), sqrtm(f64(s))],
      ['sqrtm nonsymmetric', sqrtm(near), sqrtm(f64(near))],
      ['logm', logm(near), logm(f64(near))],
      ['funm', funm(s, Math.exp), funm(f64(s), Math.exp)],
      ['spdPower', spdPower(s, -0.25), spdPower(f64(s), -0.25)],
      ['inverseRoot', inverseRoot(s, 4).root, inverseRoot(f64(s), 4).root],
      ['inverseRoot newton', inverseRoot(s, 2, { method: 'newton' }).root, inverseRoot(f64(s), 2).root],
      ['polar', polar(small).u, polar(f64(small)).u],
      ['spdGeodesic', spdGeodesic(s, f32(eye(12)), 0.5), spdGeodesic(f64(s), eye(12), 0.5)],
      ['spdBarycenter', spdBarycenter([s, f32(eye(12))]), spdBarycenter([f64(s), eye(12)])],
      ['newtonSchulz', newtonSchulz(small), newtonSchulz(f64(small))],
    ];
    for (const [name, got, want] of cases) {
      expect(got.dtype, name).toBe('float32');
      expect(relativeGap(got, want), name).toBeLessThan(1e-5);
    }
  });

  it('mixed float32 and float64 inputs compute in float64, as NumPy promotes', () => {
    const b64 = rng(4).normal([N, 2]);
    expectDType(
      'float64',
      solve(a32, b64),
      luSolve(luFactor(a32), b64),
      lstsq(tall32, rng(5).normal([90])).x,
    );
    expectDType('float64', spdGeodesic(spd32, eye(N), 0.3));
  });

  it('stacks of float32 matrices stay float32', () => {
    const st = stack([spd32, spd32]);
    expectDType('float32', cholesky(st), eigh(st).values, svd(st).s, inv(st), qr(st).r);
  });
});

describe('float32 sweep: sizes 0 to 64, tall and wide, condition 1 to 1e4', () => {
  for (const n of [0, 1, 2, 3, 17, 64])
    for (const c of [1, 1e2, 1e4])
      it(`n=${n}, cond=${c}: LU and Cholesky below 30, eigh below 60`, () => {
        const a = f32(withCondition(n, n, c, n + 30));
        const { p, l, u } = lu(a);
        const rows = Array.from(p, (r) => f64(a).slice(r));
        if (n > 0) expect(scaledResidual(stack(rows), matmul(f64(l), f64(u)), n, EPS32)).toBeLessThan(30);
        const s = f32(spdWithCondition(n, c, n + 40));
        const lc = f64(cholesky(s));
        expect(scaledResidual(f64(s), matmul(lc, lc.T), n, EPS32)).toBeLessThan(30);
        const { values, vectors } = eigh(s);
        expectDType('float32', values, vectors);
        const vw = f64(vectors!).copy();
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vw.data[i * n + j] *= values.data[j];
        expect(scaledResidual(matmul(f64(s), f64(vectors!)), vw, n, EPS32)).toBeLessThan(60);
      });
  for (const [m, n] of [
    [5, 3],
    [3, 5],
    [40, 17],
    [17, 40],
    [130, 100],
  ])
    it(`${m}x${n}: QR below 30, SVD below 50`, () => {
      const a = f32(withCondition(m, n, 1e4, m * n + 1));
      const { q, r } = qr(a);
      expectDType('float32', q, r);
      expect(scaledResidual(f64(a), matmul(f64(q!), f64(r)), Math.max(m, n), EPS32)).toBeLessThan(30);
      expect(orthogonality(f64(q!), EPS32)).toBeLessThan(30);
      const { u, s, vt } = svd(a);
      const us = f64(u).copy();
      const k = s.shape[0];
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] *= s.data[j];
      expect(scaledResidual(f64(a), matmul(us, f64(vt)), Math.max(m, n), EPS32)).toBeLessThan(50);
      expect(orthogonality(f64(u), EPS32)).toBeLessThan(50);
    });
});

describe('float32 kernels', () => {
  it('the blocked geqrf/orgqr kernels accept float32 matrices wider than one block', () => {
    const a = rng(3).normal([80, 70], { dtype: 'float32' });
    const w = a.copy();
    const { tau } = geqrf({ a: w });
    const r = w.slice('0:70').copy();
    for (let i = 0; i < 70; i++) for (let j = 0; j < i; j++) r.data[i * 70 + j] = 0;
    orgqr({ a: w, tau });
    const back = matmul(w, r);
    let err = 0;
    for (let i = 0; i < back.size; i++) err = Math.max(err, Math.abs(back.data[i] - a.data[i]));
    expect(back.dtype).toBe('float32');
    expect(err).toBeLessThan(1e-4);
  });
});
