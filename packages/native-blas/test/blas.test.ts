import { type FloatDType, type Mat, NDArray, type Vec, copyInto, explain, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { DTYPES, built, epsOf, layouts, on, relErr, untouchedOutside } from './helpers.js';

/** For each layout, every matrix in that layout; then two mixes of layouts. */
function variants(mats: NDArray[]): { name: string; views: NDArray[] }[] {
  const per = mats.map(layouts);
  const out = per[0].map((_, l) => ({ name: per[0][l].name, views: per.map((p) => p[l].make()) }));
  out.push({ name: 'mixed 1', views: per.map((p, i) => p[i % p.length].make()) });
  out.push({ name: 'mixed 2', views: per.map((p, i) => p[(i + 1) % p.length].make()) });
  return out;
}

const vec = (g: ReturnType<typeof rng>, n: number, dtype: FloatDType) => g.normal([n], { dtype }) as Vec;
/** A copy of `x` as a view with stride 3 in NaN-filled storage, or reversed (stride -3). */
function stridedVec(x: NDArray, reversed: boolean): Vec {
  const n = x.shape[0];
  const len = 3 * n + 1;
  const big = x.dtype === 'float64' ? new Float64Array(len) : new Float32Array(len);
  big.fill(Number.NaN);
  const v = reversed
    ? new NDArray(big as Float64Array, [n], [-3], n > 0 ? 3 * (n - 1) + 1 : 0)
    : new NDArray(big as Float64Array, [n], [3], 1);
  copyInto(v, x);
  return v as NDArray as Vec;
}

const GEMM_SHAPES: [number, number, number][] = [
  [0, 0, 0],
  [1, 1, 1],
  [0, 3, 2],
  [3, 0, 2],
  [2, 3, 0],
  [5, 7, 3],
  [17, 9, 13],
  [64, 65, 33],
];

describe.skipIf(!built)('native BLAS kernels against the pure-JS kernels', () => {
  for (const dtype of DTYPES) {
    const tol = 8 * epsOf(dtype);

    it(`gemm ${dtype}: every layout, transposes, sizes 0 and 1, beta 0 over NaN`, () => {
      const g = rng(`gemm-${dtype}`);
      for (const [m, k, n] of GEMM_SHAPES) {
        const a = g.normal([m, k], { dtype });
        const b = g.normal([k, n], { dtype });
        const c0 = g.normal([m, n], { dtype });
        for (const beta of [0, 0.5]) {
          const ref = c0.copy() as Mat;
          on('js', 'gemm', { alpha: 1.5, a: a as Mat, b: b as Mat, beta, c: ref });
          for (const { name, views } of variants([a, b, c0])) {
            const [va, vb, vc] = views as Mat[];
            if (beta === 0) vc.fill(Number.NaN);
            on('native', 'gemm', { alpha: 1.5, a: va, b: vb, beta, c: vc });
            expect(relErr(vc, ref), `${m}x${k}x${n} beta ${beta} ${name}`).toBeLessThanOrEqual(tol * (k + 1));
            if (name === 'padded ld' || name === 'strided') expect(untouchedOutside(vc), name).toBe(true);
          }
        }
      }
    });

    it(`gemv, ger ${dtype}`, () => {
      const g = rng(`gemv-${dtype}`);
      for (const [m, n] of [
        [0, 0],
        [1, 1],
        [3, 0],
        [0, 3],
        [7, 5],
        [40, 33],
      ]) {
        const a = g.normal([m, n], { dtype });
        const x = vec(g, n, dtype);
        const y = vec(g, m, dtype);
        for (const beta of [0, -2]) {
          const ref = y.copy() as Vec;
          on('js', 'gemv', { alpha: 0.7, a: a as Mat, x, beta, y: ref });
          for (const { name, views } of variants([a])) {
            for (const reversed of [false, true]) {
              const vy = stridedVec(y, reversed);
              if (beta === 0) vy.fill(Number.NaN);
              on('native', 'gemv', {
                alpha: 0.7,
                a: views[0] as Mat,
                x: stridedVec(x, !reversed),
                beta,
                y: vy,
              });
              expect(relErr(vy, ref), `gemv ${m}x${n} ${name}`).toBeLessThanOrEqual(tol * (n + 1));
            }
          }
        }
        const refA = a.copy() as Mat;
        on('js', 'ger', { alpha: -1.25, x: y, y: x, a: refA });
        for (const { name, views } of variants([a])) {
          const va = views[0] as Mat;
          on('native', 'ger', { alpha: -1.25, x: stridedVec(y, true), y: x, a: va });
          expect(relErr(va, refA), `ger ${m}x${n} ${name}`).toBeLessThanOrEqual(tol * 2);
        }
      }
    });

    it(`dot, nrm2, axpy, scal ${dtype} on strided and reversed vectors`, () => {
      const g = rng(`level1-${dtype}`);
      for (const n of [0, 1, 2, 7, 1000]) {
        const x = vec(g, n, dtype);
        const y = vec(g, n, dtype);
        for (const [rx, ry] of [
          [false, false],
          [true, false],
          [false, true],
        ]) {
          const sx = stridedVec(x, rx);
          const sy = stridedVec(y, ry);
          const d = on('native', 'dot', { x: sx, y: sy });
          expect(Math.abs(d - on('js', 'dot', { x, y }))).toBeLessThanOrEqual(
            tol * (n + 1) * Math.sqrt(n + 1),
          );
          const nr = on('native', 'nrm2', { x: sx });
          expect(Math.abs(nr - on('js', 'nrm2', { x }))).toBeLessThanOrEqual(tol * (nr + 1));
          const refY = y.copy() as Vec;
          on('js', 'axpy', { alpha: 3, x, y: refY });
          on('native', 'axpy', { alpha: 3, x: sx, y: sy });
          expect(relErr(sy, refY)).toBeLessThanOrEqual(tol);
          const refX = x.copy() as Vec;
          on('js', 'scal', { alpha: -0.5, x: refX });
          on('native', 'scal', { alpha: -0.5, x: sx });
          expect(relErr(sx, refX)).toBe(0);
        }
      }
      // nrm2 neither overflows nor underflows
      const big = new NDArray(
        dtype === 'float64' ? Float64Array.of(1e300, 1e300) : Float32Array.of(1e30, 1e30),
        [2],
      );
      expect(on('native', 'nrm2', { x: big as Vec }) / big.get(0)).toBeCloseTo(Math.SQRT2, 5);
    });

    it(`syrk ${dtype}: one triangle only, the other untouched`, () => {
      const g = rng(`syrk-${dtype}`);
      for (const [n, k] of [
        [0, 0],
        [1, 1],
        [4, 0],
        [9, 5],
        [33, 40],
      ]) {
        const a = g.normal([n, k], { dtype });
        const c0 = g.normal([n, n], { dtype });
        for (const lower of [true, false]) {
          for (const beta of [0, 2]) {
            const ref = c0.copy() as Mat;
            on('js', 'syrk', { alpha: 0.5, a: a as Mat, beta, c: ref, lower });
            for (const { name, views } of variants([a, c0])) {
              const [va, vc] = views as Mat[];
              on('native', 'syrk', { alpha: 0.5, a: va, beta, c: vc, lower });
              expect(relErr(vc, ref), `syrk ${n}x${k} ${name} lower ${lower}`).toBeLessThanOrEqual(
                tol * (k + 1),
              );
            }
          }
        }
      }
    });

    it(`trsm, trmm, trsv, trmv ${dtype}: both sides, both triangles, unit diagonal, garbage in the other triangle`, () => {
      const g = rng(`trsm-${dtype}`);
      for (const [n, p] of [
        [0, 3],
        [1, 1],
        [3, 0],
        [6, 4],
        [31, 17],
      ]) {
        // a well-conditioned triangle (dominant diagonal); the other triangle is huge garbage
        const a = g.normal([n, n], { dtype });
        for (let i = 0; i < n; i++) a.set(n + 2 + Math.abs(a.get(i, i)), i, i);
        for (const lower of [true, false]) {
          const t = a.copy();
          for (let i = 0; i < n; i++)
            for (let j = 0; j < n; j++) if (lower ? j > i : j < i) t.set(1e30, i, j);
          for (const unitDiag of [false, true]) {
            for (const side of ['left', 'right'] as const) {
              const b = g.normal(side === 'left' ? [n, p] : [p, n], { dtype });
              for (const kernel of ['trsm', 'trmm'] as const) {
                const ref = b.copy() as Mat;
                on('js', kernel, { side, lower, unitDiag, alpha: 2, a: t as Mat, b: ref });
                for (const { name, views } of variants([t, b])) {
                  const [va, vb] = views as Mat[];
                  on('native', kernel, { side, lower, unitDiag, alpha: 2, a: va, b: vb });
                  const what = `${kernel} n=${n} ${side} lower=${lower} unit=${unitDiag} ${name}`;
                  expect(relErr(vb, ref), what).toBeLessThanOrEqual(tol * 4 * (n + 1));
                }
              }
            }
            const x = vec(g, n, dtype);
            for (const kernel of ['trsv', 'trmv'] as const) {
              const ref = x.copy() as Vec;
              on('js', kernel, { a: t as Mat, x: ref, lower, unitDiag });
              for (const { name, views } of variants([t])) {
                const vx = stridedVec(x, name === 'column-major');
                on('native', kernel, { a: views[0] as Mat, x: vx, lower, unitDiag });
                expect(relErr(vx, ref), `${kernel} n=${n} ${name}`).toBeLessThanOrEqual(tol * 4 * (n + 1));
              }
            }
          }
        }
      }
    });
  }

  it('declines what it cannot take, so the pure-JS kernel reports the error', () => {
    const a = rng(1).normal([3, 4]) as Mat;
    const b = rng(2).normal([3, 4], { dtype: 'float32' }) as Mat;
    const c = rng(3).normal([3, 4]) as Mat;
    const e = explain('gemm', { alpha: 1, a, b, beta: 0, c });
    expect(e.considered.find((x) => x.backend === 'native')?.reason).toMatch(
      /^declined: (mixed dtypes|shape mismatch)/,
    );
    const square = explain('gemm', { alpha: 1, a, b: a.T as Mat, beta: 0, c: rng(4).normal([3, 3]) as Mat });
    expect(square.backend).toBe('native');
  });

  it('copies inputs that share storage with the output', () => {
    const a = rng(5).normal([4, 4]) as Mat;
    const ref = a.copy() as Mat;
    on('js', 'gemm', { alpha: 1, a: a.copy() as Mat, b: a.copy() as Mat, beta: 1, c: ref });
    on('native', 'gemm', { alpha: 1, a, b: a, beta: 1, c: a });
    expect(relErr(a, ref)).toBeLessThan(1e-14);
  });
});
