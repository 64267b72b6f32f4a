// The optional cuda backend. Without a GPU (every machine this was run on): it is listed,
// unavailable with the precise reason, never chosen, and its module validates arguments before
// touching CUDA. With a GPU the last suite compares it with the pure-JS kernels (never run so far).
import {
  BackendUnavailableError,
  type Mat,
  NDArray,
  explain,
  listBackends,
  rng,
  runKernel,
  withBackends,
} from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { cudaAddon, cudaBackend, probeCuda } from '../src/index.js';
import { built, mm, on, relErr, scaled } from './helpers.js';

const module = cudaAddon();
const available = probeCuda().available;
const REASON =
  /^cuda: (module not built \(.+\)|libcudart\.so not found \(.+\)|libcublas\.so not found \(.+\)|libcusolver\.so not found \(.+\)|no CUDA device.*|symbol \w+ missing.*|cublasCreate failed.*|cusolverDnCreate failed.*)$/;

const mat = (rows: number, cols: number, fill = 1) => ({
  data: new Float64Array(rows * cols).fill(fill),
  offset: 0,
  rows,
  cols,
  ld: Math.max(1, cols),
  colMajor: false,
});
const vec = (n: number) => ({ data: new Float64Array(n), offset: 0, n, inc: 1 });

describe('cuda backend without a device', () => {
  it.skipIf(available)('is listed, unavailable with the precise reason, and never chosen', () => {
    const p = probeCuda();
    expect(p.available).toBe(false);
    expect(p.reason).toMatch(REASON);
    const listed = listBackends().find((b) => b.name === 'cuda');
    expect(listed?.available).toBe(false);
    expect(listed?.reason).toBe(p.reason);
    const a = rng(1).normal([4, 4]) as Mat;
    const c = new NDArray(new Float64Array(16), [4, 4]) as Mat;
    const why = explain('gemm', { alpha: 1, a, b: a, beta: 0, c });
    expect(why.backend).not.toBe('cuda');
    expect(why.considered.find((x) => x.backend === 'cuda')?.reason).toContain(p.reason);
    // asked for explicitly: the typed error with the reason, not a crash
    expect(() => withBackends(['cuda'], () => runKernel('gemm', { alpha: 1, a, b: a, beta: 0, c }))).toThrow(
      BackendUnavailableError,
    );
    expect(() => cudaBackend.kernels.potrf?.run?.({ a })).toThrow(BackendUnavailableError);
  });

  it.skipIf(!module || available)('the module validates every argument before calling CUDA', () => {
    const m = module!;
    const bad: [string, () => unknown][] = [
      ['gemm arity', () => (m.gemm as (...x: unknown[]) => void)(1, mat(2, 2))],
      ['gemm shapes', () => m.gemm(1, mat(2, 3), mat(2, 2), 0, mat(2, 2))],
      ['gemm empty', () => m.gemm(1, mat(0, 2), mat(2, 2), 0, mat(0, 2))],
      ['gemm dtype', () => m.gemm(1, mat(2, 2), { ...mat(2, 2), data: new Float32Array(4) }, 0, mat(2, 2))],
      ['gemm out of range', () => m.gemm(1, { ...mat(2, 2), offset: 1 }, mat(2, 2), 0, mat(2, 2))],
      ['gemm ld', () => m.gemm(1, { ...mat(2, 2), ld: 1 }, mat(2, 2), 0, mat(2, 2))],
      [
        'gemm aliasing',
        () => {
          const c = mat(2, 2);
          return m.gemm(1, c, mat(2, 2), 0, c);
        },
      ],
      ['potrf not square', () => m.potrf(mat(2, 3))],
      ['potrf NaN rows', () => m.potrf({ ...mat(2, 2), rows: Number.NaN })],
      ['getrf ipiv length', () => m.getrf(mat(3, 2), new Int32Array(3))],
      ['getrf ipiv type', () => m.getrf(mat(3, 2), new Float64Array(2) as unknown as Int32Array)],
      ['gesdd job', () => m.gesdd(mat(3, 2), 'Thin' as 'thin', vec(2), mat(3, 2), mat(2, 2))],
      ['gesdd s length', () => m.gesdd(mat(3, 2), 'values', vec(3), null, null)],
      ['gesdd u shape', () => m.gesdd(mat(3, 2), 'full', vec(2), mat(3, 2), mat(2, 2))],
      ['gesdd u for values', () => m.gesdd(mat(3, 2), 'values', vec(2), mat(3, 2), null)],
      ['syevd v for values', () => m.syevd(mat(2, 2), false, vec(2), mat(2, 2))],
      ['syevd w length', () => m.syevd(mat(2, 2), true, vec(1), mat(2, 2))],
      ['syevd vectors type', () => m.syevd(mat(2, 2), 1 as unknown as boolean, vec(2), mat(2, 2))],
    ];
    for (const [what, call] of bad) {
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(thrown instanceof TypeError || thrown instanceof RangeError, `${what}: ${thrown}`).toBe(true);
    }
    // valid calls reach the probe and fail with the reason, as a plain Error
    const valid: [string, () => unknown][] = [
      ['gemm', () => m.gemm(1, mat(2, 3), mat(3, 2), 0, mat(2, 2))],
      ['potrf', () => m.potrf(mat(2, 2))],
      ['getrf', () => m.getrf(mat(3, 2), new Int32Array(2))],
      ['gesdd', () => m.gesdd(mat(2, 3), 'thin', vec(2), mat(2, 2), mat(2, 3))],
      ['syevd', () => m.syevd(mat(2, 2), true, vec(2), mat(2, 2))],
    ];
    for (const [what, call] of valid) expect(call, what).toThrow(`cuda.${what}: ${probeCuda().reason}`);
  });
});

describe.skipIf(!available || !built)('cuda kernels on a device (against the pure-JS kernels)', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const eps = dtype === 'float64' ? 2 ** -52 : 2 ** -23;
    it(`gemm, potrf, getrf, gesdd, syevd ${dtype}`, () => {
      const g = rng(`cuda-${dtype}`);
      const a = g.normal([37, 21], { dtype }) as Mat;
      const b = g.normal([21, 9], { dtype }) as Mat;
      const c = g.normal([37, 9], { dtype }) as Mat;
      const ref = c.copy() as Mat;
      on('js', 'gemm', { alpha: 2, a, b, beta: 0.5, c: ref });
      withBackends(['cuda'], () => runKernel('gemm', { alpha: 2, a: a.T.copy().T as Mat, b, beta: 0.5, c }));
      expect(relErr(c, ref)).toBeLessThan(100 * 21 * eps);
      const spd = mm(a.T, a).astype(dtype) as Mat;
      for (let i = 0; i < 21; i++) spd.set(spd.get(i, i) + 21, i, i);
      const l = spd.copy() as Mat;
      expect(withBackends(['cuda'], () => runKernel('potrf', { a: l }))).toBe(0);
      const lref = spd.copy() as Mat;
      on('js', 'potrf', { a: lref });
      expect(relErr(l, lref)).toBeLessThan(100 * 21 * eps);
      const lu = a.copy() as Mat;
      const r = withBackends(['cuda'], () => runKernel('getrf', { a: lu }));
      const rref = on('js', 'getrf', { a: a.copy() as Mat });
      expect([...r.ipiv]).toEqual([...rref.ipiv]);
      for (const wide of [false, true]) {
        const x = (wide ? a.T.copy() : a) as Mat;
        const sv = withBackends(['cuda'], () => runKernel('gesdd', { a: x.copy() as Mat, job: 'thin' }));
        const us = sv.u!.copy('float64');
        const k = sv.s.shape[0];
        for (let i = 0; i < us.shape[0]; i++)
          for (let j = 0; j < k; j++) us.set(us.get(i, j) * sv.s.get(j), i, j);
        expect(scaled(x, mm(us, sv.vt!), 37, eps)).toBeLessThan(50);
      }
      const e = withBackends(['cuda'], () => runKernel('syevd', { a: spd, vectors: true }));
      const eref = on('js', 'syevd', { a: spd, vectors: false });
      expect(relErr(e.w, eref.w)).toBeLessThan(60 * 21 * eps);
    });
  }
});
