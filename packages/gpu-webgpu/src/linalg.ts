import { InvalidArgumentError, ShapeError, checkOptions } from '@krylov/core-array';
import { GPUArray, allocate } from './array.js';
import { dispatch, grid, uniforms } from './runtime.js';

/**
 * Dense linear algebra on device arrays: a tiled, batched gemm (64 x 64 output tiles per
 * workgroup, 4 x 4 register block per thread in vec4 accumulators, 32-deep k slices in shared memory; any operand may
 * be read transposed through strides, so `A^T B` needs no transpose pass) and a gemv with one
 * workgroup reduction per output element. Float32 throughout; the adapter's `shader-f16` is not
 * used (see the README).
 */

const GEMM = `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read> Cin: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
struct P { m: u32, n: u32, k: u32, sab: u32, sar: u32, sac: u32, sbb: u32, sbr: u32,
           sbc: u32, scb: u32, alpha: f32, beta: f32 }
@group(0) @binding(4) var<uniform> p: P;
// k-major tiles: As[kk][i] for 64 rows of op(A), Bs[kk][j] for 64 columns of op(B), 32 deep
var<workgroup> As: array<f32, 2048>;
var<workgroup> Bs: array<f32, 2048>;

fn store(z: u32, i: u32, j0: u32, v: vec4<f32>) {
  if (i >= p.m) { return; }
  for (var c = 0u; c < 4u; c++) {
    let j = j0 + c;
    if (j < p.n) {
      let idx = z * p.scb + i * p.n + j;
      var r = p.alpha * v[c];
      if (p.beta != 0.0) { r = r + p.beta * Cin[idx]; }
      C[idx] = r;
    }
  }
}

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let row0 = w.y * 64u;
  let col0 = w.x * 64u;
  let tid = l.y * 16u + l.x;
  let aBase = w.z * p.sab;
  let bBase = w.z * p.sbb;
  // a 4 x 4 block per thread in four vec4 registers (no dynamically indexed private array)
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < p.k; k0 += 32u) {
    for (var t = 0u; t < 8u; t++) {
      let e = tid + t * 256u;
      let i = e / 32u;
      let kk = e % 32u;
      var v = 0.0;
      if (row0 + i < p.m && k0 + kk < p.k) { v = A[aBase + (row0 + i) * p.sar + (k0 + kk) * p.sac]; }
      As[kk * 64u + i] = v;
      let kb = e / 64u;
      let j = e % 64u;
      var u = 0.0;
      if (k0 + kb < p.k && col0 + j < p.n) { u = B[bBase + (k0 + kb) * p.sbr + (col0 + j) * p.sbc]; }
      Bs[kb * 64u + j] = u;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 32u; kk++) {
      let ai = kk * 64u + l.y * 4u;
      let bj = kk * 64u + l.x * 4u;
      let b = vec4<f32>(Bs[bj], Bs[bj + 1u], Bs[bj + 2u], Bs[bj + 3u]);
      acc0 = fma(vec4<f32>(As[ai]), b, acc0);
      acc1 = fma(vec4<f32>(As[ai + 1u]), b, acc1);
      acc2 = fma(vec4<f32>(As[ai + 2u]), b, acc2);
      acc3 = fma(vec4<f32>(As[ai + 3u]), b, acc3);
    }
    workgroupBarrier();
  }
  let i0 = row0 + l.y * 4u;
  let j0 = col0 + l.x * 4u;
  store(w.z, i0, j0, acc0);
  store(w.z, i0 + 1u, j0, acc1);
  store(w.z, i0 + 2u, j0, acc2);
  store(w.z, i0 + 3u, j0, acc3);
}`;

export interface MatmulOptions {
  /** Read `a` as transposed (its last two axes swapped); default false. */
  transA?: boolean;
  /** Read `b` as transposed; default false. */
  transB?: boolean;
  /** Scale of the product (default 1). */
  alpha?: number;
  /** Scale of `c` added to the product (default 0: `c` is not read, NaN included). */
  beta?: number;
  /** The array added as beta c, of the output's shape (required when beta is not 0). */
  c?: GPUArray;
}

function matDims(
  fn: string,
  arg: string,
  x: GPUArray,
  trans: boolean,
): { lead: number[]; r: number; c: number } {
  if (!(x instanceof GPUArray) || x.ndim < 2)
    throw new InvalidArgumentError(
      fn,
      arg,
      x instanceof GPUArray ? x.shape : x,
      'a GPUArray with at least 2 axes',
    );
  const r = x.shape[x.ndim - 2];
  const c = x.shape[x.ndim - 1];
  return { lead: x.shape.slice(0, -2), r: trans ? c : r, c: trans ? r : c };
}

/**
 * alpha op(A) op(B) + beta C on the device, batched over leading axes (equal leading shapes,
 * or one operand a plain matrix shared by every batch entry). Returns a new array; inputs are
 * untouched. O(batch m n k) flops; float32 with fma, error about k eps |A||B| per entry.
 * @throws ShapeError for mismatched inner or batch dimensions or a `c` of the wrong shape.
 * @throws InvalidArgumentError for unknown options, or beta != 0 without `c`.
 */
export function matmul(a: GPUArray, b: GPUArray, options: MatmulOptions = {}): GPUArray {
  const fn = 'matmul';
  checkOptions(fn, options, ['transA', 'transB', 'alpha', 'beta', 'c']);
  const { transA = false, transB = false, alpha = 1, beta = 0, c } = options;
  const A = matDims(fn, 'a', a, transA);
  const B = matDims(fn, 'b', b, transB);
  if (A.c !== B.r) throw new ShapeError(fn, 'b', `inner dimension ${B.r} does not match a's ${A.c}`, b.shape);
  const sameLead = A.lead.length === B.lead.length && A.lead.every((d, i) => d === B.lead[i]);
  if (!sameLead && A.lead.length > 0 && B.lead.length > 0)
    throw new ShapeError(fn, 'b', `batch shape does not match a's ${JSON.stringify(A.lead)}`, b.shape);
  const lead = A.lead.length > 0 ? A.lead : B.lead;
  const batch = lead.reduce((s, d) => s * d, 1);
  if (batch > 65535) throw new InvalidArgumentError(fn, 'a', a.shape, 'at most 65535 batch entries');
  const [m, k, n] = [A.r, A.c, B.c];
  const shape = [...lead, m, n];
  if (typeof alpha !== 'number' || typeof beta !== 'number' || Number.isNaN(alpha) || Number.isNaN(beta))
    throw new InvalidArgumentError(fn, 'options.alpha/beta', [alpha, beta], 'numbers');
  if (beta !== 0) {
    if (!(c instanceof GPUArray))
      throw new InvalidArgumentError(fn, 'options.c', c, 'a GPUArray when beta is not 0');
    if (c.ndim !== shape.length || c.shape.some((d, i) => d !== shape[i]))
      throw new ShapeError(
        fn,
        'options.c',
        `does not match the product's shape ${JSON.stringify(shape)}`,
        c.shape,
      );
  }
  const out = allocate(fn, shape);
  if (out.size === 0) return out;
  // a stored [.., rows, cols] row-major; op(A)(i, p) at i*sar + p*sac
  const aRows = a.shape[a.ndim - 2];
  const aCols = a.shape[a.ndim - 1];
  const bRows = b.shape[b.ndim - 2];
  const bCols = b.shape[b.ndim - 1];
  const ab = a.buffer(fn);
  const bb = b.buffer(fn);
  dispatch(
    fn,
    GEMM,
    [ab, bb, beta !== 0 ? c!.buffer(fn) : ab, out.buffer(fn)],
    uniforms([
      ['u', m],
      ['u', n],
      ['u', k],
      ['u', A.lead.length > 0 ? aRows * aCols : 0],
      ['u', transA ? 1 : aCols],
      ['u', transA ? aCols : 1],
      ['u', B.lead.length > 0 ? bRows * bCols : 0],
      ['u', transB ? 1 : bCols],
      ['u', transB ? bCols : 1],
      ['u', m * n],
      ['f', alpha],
      ['f', beta],
    ]),
    [Math.ceil(n / 64), Math.ceil(m / 64), batch],
  );
  return out;
}

const GEMV = `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> yin: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
struct P { m: u32, n: u32, sr: u32, sc: u32, alpha: f32, beta: f32, gx: u32 }
@group(0) @binding(4) var<uniform> p: P;
var<workgroup> sh: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let i = w.x + w.y * p.gx;
  if (i >= p.m) { return; }
  var acc = 0.0;
  for (var j = l.x; j < p.n; j += 64u) { acc = fma(A[i * p.sr + j * p.sc], x[j], acc); }
  sh[l.x] = acc;
  workgroupBarrier();
  for (var k = 32u; k > 0u; k >>= 1u) {
    if (l.x < k) { sh[l.x] += sh[l.x + k]; }
    workgroupBarrier();
  }
  if (l.x == 0u) {
    var v = p.alpha * sh[0];
    if (p.beta != 0.0) { v = v + p.beta * yin[i]; }
    y[i] = v;
  }
}`;

/**
 * Checks the `y` that a matrix-vector product adds as beta y (needed only when beta is not 0).
 * @throws ShapeError unless it is a GPUArray vector of length m.
 */
export function requireAddend(fn: string, y: GPUArray | undefined, beta: number, m: number): void {
  if (beta !== 0 && (!(y instanceof GPUArray) || y.ndim !== 1 || y.size !== m))
    throw new ShapeError(
      fn,
      'options.y',
      `must be a GPUArray vector of length ${m} when beta is not 0`,
      y instanceof GPUArray ? y.shape : undefined,
    );
}

/**
 * y = alpha op(A) x + beta y0 on the device (A a matrix, x a vector; `y0` required when beta is
 * not 0). Returns a new vector. O(mn); one 64-thread workgroup reduction per output element,
 * error about (n / 64 + 6) eps |A||x|.
 * @throws ShapeError for mismatched dimensions. @throws InvalidArgumentError for bad options.
 */
export function gemv(
  a: GPUArray,
  x: GPUArray,
  options: { trans?: boolean; alpha?: number; beta?: number; y?: GPUArray } = {},
): GPUArray {
  const fn = 'gemv';
  checkOptions(fn, options, ['trans', 'alpha', 'beta', 'y']);
  const { trans = false, alpha = 1, beta = 0, y } = options;
  if (!(a instanceof GPUArray) || a.ndim !== 2)
    throw new InvalidArgumentError(fn, 'a', a instanceof GPUArray ? a.shape : a, 'a GPUArray matrix');
  if (!(x instanceof GPUArray) || x.ndim !== 1)
    throw new InvalidArgumentError(fn, 'x', x instanceof GPUArray ? x.shape : x, 'a GPUArray vector');
  const [rows, cols] = a.shape;
  const [m, n] = trans ? [cols, rows] : [rows, cols];
  if (x.size !== n)
    throw new ShapeError(fn, 'x', `length must be ${n} for a of shape ${JSON.stringify(a.shape)}`, x.shape);
  requireAddend(fn, y, beta, m);
  const out = allocate(fn, [m]);
  if (m === 0) return out;
  const ab = a.buffer(fn);
  const [gx, gy] = grid(m);
  dispatch(
    fn,
    GEMV,
    [ab, x.buffer(fn), beta !== 0 ? y!.buffer(fn) : ab, out.buffer(fn)],
    uniforms([
      ['u', m],
      ['u', n],
      ['u', trans ? 1 : cols],
      ['u', trans ? cols : 1],
      ['f', alpha],
      ['f', beta],
      ['u', gx],
    ]),
    [gx, gy],
  );
  return out;
}
