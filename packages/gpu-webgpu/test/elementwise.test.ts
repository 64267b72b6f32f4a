import { InvalidArgumentError, ShapeError } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  axpby,
  div,
  exp,
  matmul,
  max,
  maximum,
  min,
  mul,
  neg,
  norm,
  relu,
  sqrt,
  sub,
  sum,
  sumSquares,
  tanh,
  webgpuStats,
} from '../src/index.js';
import { U32, gpu, randn, requireGpu } from './helpers.js';

const ok = await requireGpu();

function close(got: Float32Array, ref: ArrayLike<number>, rtol: number): void {
  expect(got.length).toBe(ref.length);
  for (let i = 0; i < got.length; i++)
    expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(rtol * (Math.abs(ref[i]) + 1));
}

describe.skipIf(!ok)('fused elementwise chains', () => {
  for (const n of [1, 255, 257, 70_001]) {
    it(`n=${n}: a chain of 8 operations is one dispatch, and matches float64`, async () => {
      const x = randn(n, [n]);
      const y = randn(n + 1, [n]);
      const gx = gpu(x);
      const gy = gpu(y);
      const before = webgpuStats();
      const r = relu(sub(mul(tanh(add(mul(gx, 2), gy)), 3), div(abs(gy), add(exp(neg(abs(gx))), 1))));
      const got = await r.read();
      const after = webgpuStats();
      expect(after.dispatches - before.dispatches).toBe(1);
      expect(after.readbacks - before.readbacks).toBe(1);
      const ref = Array.from(x.data, (xi, i) => {
        const yi = y.data[i];
        return Math.max(0, Math.tanh(2 * xi + yi) * 3 - Math.abs(yi) / (Math.exp(-Math.abs(xi)) + 1));
      });
      close(got, ref, 8 * U32 * 4);
    });
  }

  it('device scalars broadcast: x / ||x|| needs no readback until the end', async () => {
    const x = randn(3, [33, 17]);
    const gx = gpu(x);
    const before = webgpuStats();
    const unit = div(gx, norm(gx));
    const n2 = await sumSquares(unit).read();
    expect(webgpuStats().readbacks - before.readbacks).toBe(1);
    expect(Math.abs(n2[0] - 1)).toBeLessThan(1e-5);
  });

  it('axpby, maximum and sqrt against float64', async () => {
    const x = randn(5, [9, 11]);
    const y = randn(6, [9, 11]);
    const got = await sqrt(maximum(axpby(0.5, gpu(x), -2, gpu(y)), 0.25)).read();
    close(
      got,
      Array.from(x.data, (v, i) => Math.sqrt(Math.max(0.5 * v - 2 * y.data[i], 0.25))),
      4 * U32,
    );
  });

  it('inputs may be disposed while a lazy result still reads them', async () => {
    const a = gpu([1, 2, 3]);
    const b = add(a, 1);
    a.dispose();
    expect([...(await b.read())]).toEqual([2, 3, 4]);
  });

  it('long chains materialize in pieces and stay correct', async () => {
    let acc = gpu(new Float32Array(100).fill(1));
    for (let i = 0; i < 60; i++) acc = add(acc, 1);
    expect([...(await acc.read())]).toEqual(new Array(100).fill(61));
  });

  it('rejects mismatched shapes, NaN scalars and non-arrays with typed errors', () => {
    const a = gpu(randn(1, [2, 3]));
    const b = gpu(randn(2, [3, 2]));
    expect(() => add(a, b)).toThrow(ShapeError);
    expect(() => add(a, b)).toThrow(/add.*does not match a's shape \[2,3\]/);
    expect(() => mul(a, Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => add(a, [1, 2] as never)).toThrow(InvalidArgumentError);
  });
});

describe.skipIf(!ok)('reductions', () => {
  for (const shape of [[1], [7], [300, 301], [5, 2049]]) {
    it(`shape ${JSON.stringify(shape)}: sum, sumSquares, max, min in full and along each axis`, async () => {
      const x = randn(shape[0] * 31 + shape.length, shape);
      const g = gpu(x);
      let s = 0;
      let s1 = 0;
      let ss = 0;
      let mx = Number.NEGATIVE_INFINITY;
      let mn = Number.POSITIVE_INFINITY;
      for (const v of x.data) {
        const f = Math.fround(v);
        s += f;
        s1 += Math.abs(f);
        ss += f * f;
        mx = Math.max(mx, f);
        mn = Math.min(mn, f);
      }
      const tol = (x.size / 256 + 20) * U32;
      expect(Math.abs((await sum(g).read())[0] - s)).toBeLessThanOrEqual(tol * s1);
      expect(Math.abs((await sumSquares(g).read())[0] - ss)).toBeLessThanOrEqual(tol * ss);
      expect((await max(g).read())[0]).toBe(mx);
      expect((await min(g).read())[0]).toBe(mn);
      for (let axis = 0; axis < shape.length; axis++) {
        const got = await sum(g, axis).read();
        const other = shape.length === 1 ? 1 : shape[1 - axis];
        expect(got.length).toBe(other);
        for (let j = 0; j < other; j++) {
          let r = 0;
          let r1 = 0;
          for (let i = 0; i < shape[axis]; i++) {
            const v = Math.fround(
              shape.length === 1
                ? x.data[i]
                : axis === 0
                  ? x.data[i * shape[1] + j]
                  : x.data[j * shape[1] + i],
            );
            r += v;
            r1 += Math.abs(v);
          }
          expect(Math.abs(got[j] - r)).toBeLessThanOrEqual((shape[axis] + 2) * U32 * r1);
        }
      }
    });
  }

  it('max of an empty array and a bad axis are typed errors', () => {
    expect(() => max(gpu([]))).toThrow(/non-empty/);
    expect(() => sum(gpu([1, 2]), 1)).toThrow(InvalidArgumentError);
  });
});

describe.skipIf(!ok)('chained device operations', () => {
  it('matmul -> elementwise -> matmul -> norm reads back once, at the end', async () => {
    const a = gpu(randn(1, [40, 30]));
    const b = gpu(randn(2, [30, 20]));
    const before = webgpuStats();
    const c = matmul(a, b);
    const d = relu(sub(c, 0.1));
    const e = matmul(d, b, { transB: true });
    const f = norm(e);
    expect(webgpuStats().readbacks).toBe(before.readbacks);
    expect(webgpuStats().uploads).toBe(before.uploads);
    const v = (await f.read())[0];
    expect(webgpuStats().readbacks - before.readbacks).toBe(1);
    expect(v).toBeGreaterThan(0);
  });
});
