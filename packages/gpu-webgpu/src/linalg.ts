import { ShapeError, checkBoolean, checkOptions, optionKeys } from '@krylov/core-array';
import { type GPUArray, allocate, checkFloat32, checkGPUArray } from './array.js';
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
           sbc: u32, scb: u32, alpha: f32, beta: f32, tn: u32, tiles: u32, total: u32, gx: u32 }
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
  // one linear tile index over (batch, row tile, column tile), spread over x and y of the grid so
  // that no dimension exceeds 65535 workgroups; the spare workgroups of the last row return at once
  let t = w.x + w.y * p.gx;
  if (t >= p.total) { return; }
  let z = t / p.tiles;
  let r = t % p.tiles;
  let row0 = (r / p.tn) * 64u;
  let col0 = (r % p.tn) * 64u;
  let tid = l.y * 16u + l.x;
  let aBase = z * p.sab;
  let bBase = z * p.sbb;
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
  store(z, i0, j0, acc0);
  store(z, i0 + 1u, j0, acc1);
  store(z, i0 + 2u, j0, acc2);
  store(z, i0 + 3u, j0, acc3);
}`;

export interface MatmulOptions {
  /** Read `a` as transposed (its last two axes swapped); default false. */
  transA?: boolean;
  /** Read `b` as transposed; default false. */
  transB?: boolean;
  /** Scale of the product (default 1); a finite number within float32's range. */
  alpha?: number;
  /** Scale of `c` added to the product (default 0: `c` is not read, NaN included). */
  beta?: number;
  /**
   * The array added as beta c, of the output's shape (required when beta is not 0). It is only
   * read: the result is a new array, so `c` may be `a`, `b` or share their buffer.
   */
  c?: GPUArray;
}

function matDims(
  fn: string,
  arg: string,
  x: GPUArray,
  trans: boolean,
): { lead: number[]; r: number; c: number } {
  checkGPUArray(fn, arg, x);
  if (x.ndim < 2) throw new ShapeError(fn, arg, 'must have at least 2 axes', x.shape);
  const r = x.shape[x.ndim - 2];
  const c = x.shape[x.ndim - 1];
  return { lead: x.shape.slice(0, -2), r: trans ? c : r, c: trans ? r : c };
}

const MATMUL_OPTIONS_KEYS = optionKeys<MatmulOptions>()('transA', 'transB', 'alpha', 'beta', 'c');

/**
 * alpha op(A) op(B) + beta C on the device, batched over leading axes (equal leading shapes,
 * or one operand a plain matrix shared by every batch entry). Returns a new array; inputs are
 * untouched and may be one array (`matmul(x, x, { beta: 1, c: x })` is correct). Any size the
 * adapter's storage binding limit holds runs: the tiles are spread over a 2-D grid, so more than
 * 65535 tiles or batch entries are fine. O(batch m n k) flops; float32 with fma, error about
 * k eps |A||B| per entry.
 * @throws ShapeError for mismatched inner or batch dimensions or a `c` of the wrong shape.
 * @throws InvalidArgumentError for unknown options, non-boolean transA/transB, alpha/beta that are
 * not finite numbers within float32's range, beta != 0 without `c`, operands that are not live
 * GPUArrays (naming which), or an output beyond the storage binding limit.
 */
export function matmul(a: GPUArray, b: GPUArray, options: MatmulOptions = {}): GPUArray {
  const fn = 'matmul';
  checkOptions(fn, options, MATMUL_OPTIONS_KEYS);
  const { transA = false, transB = false, alpha = 1, beta = 0, c } = options;
  checkBoolean(fn, 'options.transA', transA);
  checkBoolean(fn, 'options.transB', transB);
  checkFloat32(fn, 'options.alpha', alpha);
  checkFloat32(fn, 'options.beta', beta);
  const A = matDims(fn, 'a', a, transA);
  const B = matDims(fn, 'b', b, transB);
  if (A.c !== B.r) throw new ShapeError(fn, 'b', `inner dimension ${B.r} does not match a's ${A.c}`, b.shape);
  const sameLead = A.lead.length === B.lead.length && A.lead.every((d, i) => d === B.lead[i]);
  if (!sameLead && A.lead.length > 0 && B.lead.length > 0)
    throw new ShapeError(fn, 'b', `batch shape does not match a's ${JSON.stringify(A.lead)}`, b.shape);
  const lead = A.lead.length > 0 ? A.lead : B.lead;
  const batch = lead.reduce((s, d) => s * d, 1);
  const [m, k, n] = [A.r, A.c, B.c];
  const shape = [...lead, m, n];
  // a given `c` is checked even when beta = 0 makes it unread, so a wrong one never passes silently
  if (beta !== 0 || c !== undefined) {
    checkGPUArray(fn, 'options.c', c, 'a GPUArray (required when beta is not 0)');
    if (c!.ndim !== shape.length || c!.shape.some((d, i) => d !== shape[i]))
      throw new ShapeError(
        fn,
        'options.c',
        `does not match the product's shape ${JSON.stringify(shape)}`,
        c!.shape,
      );
  }
  // materialize the inputs first: a failure there leaks no output buffer
  const sa = a.storage(fn, 'a');
  const sb = b.storage(fn, 'b');
  const sc = beta !== 0 ? c!.storage(fn, 'options.c') : sa;
  const out = allocate(fn, shape);
  if (out.size === 0) return out;
  // a stored [.., rows, cols] row-major; op(A)(i, p) at i*sar + p*sac
  const aRows = a.shape[a.ndim - 2];
  const aCols = a.shape[a.ndim - 1];
  const bRows = b.shape[b.ndim - 2];
  const bCols = b.shape[b.ndim - 1];
  const tn = Math.ceil(n / 64);
  const tiles = tn * Math.ceil(m / 64);
  const [gx, gy] = grid(tiles * batch);
  dispatch(
    fn,
    GEMM,
    [sa.buffer, sb.buffer, sc.buffer, out.buffer(fn, 'out')],
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
      ['u', tn],
      ['u', tiles],
      ['u', tiles * batch],
      ['u', gx],
    ]),
    [gx, gy],
    3,
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
 * @throws InvalidArgumentError unless it is a live GPUArray; ShapeError unless a vector of length m.
 */
export function requireAddend(fn: string, y: GPUArray | undefined, beta: number, m: number): void {
  if (beta === 0 && y === undefined) return;
  checkGPUArray(fn, 'options.y', y, 'a GPUArray vector (required when beta is not 0)');
  if (y!.ndim !== 1 || y!.size !== m)
    throw new ShapeError(fn, 'options.y', `must be a vector of length ${m}`, y!.shape);
}

const GEMV_OPTIONS_KEYS = optionKeys<GemvOptions>()('trans', 'alpha', 'beta', 'y');

/** Options of {@link gemv}. */
export type GemvOptions = { trans?: boolean; alpha?: number; beta?: number; y?: GPUArray };

/**
 * y = alpha op(A) x + beta y0 on the device (A a matrix, x a vector; `y0` required when beta is
 * not 0). Returns a new vector; `y0` is only read and may be `x` itself. O(mn); one 64-thread
 * workgroup reduction per output element, error about (n / 64 + 6) eps |A||x|.
 * @throws ShapeError for a non-matrix a, a non-vector x or y, or mismatched lengths.
 * @throws InvalidArgumentError for unknown options, a non-boolean `trans`, alpha/beta that are not
 * finite float32 numbers, or operands that are not live GPUArrays.
 */
export function gemv(a: GPUArray, x: GPUArray, options: GemvOptions = {}): GPUArray {
  const fn = 'gemv';
  checkOptions(fn, options, GEMV_OPTIONS_KEYS);
  const { trans = false, alpha = 1, beta = 0, y } = options;
  checkBoolean(fn, 'options.trans', trans);
  checkFloat32(fn, 'options.alpha', alpha);
  checkFloat32(fn, 'options.beta', beta);
  checkGPUArray(fn, 'a', a);
  if (a.ndim !== 2) throw new ShapeError(fn, 'a', 'must be a matrix (2 axes)', a.shape);
  checkGPUArray(fn, 'x', x);
  if (x.ndim !== 1) throw new ShapeError(fn, 'x', 'must be a vector (1 axis)', x.shape);
  const [rows, cols] = a.shape;
  const [m, n] = trans ? [cols, rows] : [rows, cols];
  if (x.size !== n)
    throw new ShapeError(fn, 'x', `length must be ${n} for a of shape ${JSON.stringify(a.shape)}`, x.shape);
  requireAddend(fn, y, beta, m);
  const sa = a.storage(fn, 'a');
  const sx = x.storage(fn, 'x');
  const sy = beta !== 0 ? y!.storage(fn, 'options.y') : sa;
  const out = allocate(fn, [m]);
  if (m === 0) return out;
  const [gx, gy] = grid(m);
  dispatch(
    fn,
    GEMV,
    [sa.buffer, sx.buffer, sy.buffer, out.buffer(fn, 'out')],
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
    3,
  );
  return out;
}
