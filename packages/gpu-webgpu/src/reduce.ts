import { InvalidArgumentError, ShapeError, normalizeAxis } from '@krylov/core-array';
import { type GPUArray, allocate, checkGPUArray } from './array.js';
import { sqrt } from './elementwise.js';
import { dispatch, grid, uniforms } from './runtime.js';

/**
 * Reductions and transposition on the device. A full reduction runs in two dispatches (each
 * thread accumulates a strided slice, then a shared-memory tree per workgroup, then one workgroup
 * over the partial results) and returns a size-1 GPUArray, a device scalar that elementwise
 * operations broadcast, so `div(x, norm(x))` needs no readback.
 */

type Kind = 'sum' | 'sumSquares' | 'max' | 'min';
// max/min start from an element of the slice (WGSL has no infinity literal); FIRST is replaced per kernel
const FIRST = '@first';
const SPEC: Record<
  Kind,
  { init: string; map: (v: string) => string; combine: (a: string, b: string) => string }
> = {
  sum: { init: '0.0', map: (v) => v, combine: (a, b) => `${a} + ${b}` },
  sumSquares: { init: '0.0', map: (v) => `${v} * ${v}`, combine: (a, b) => `${a} + ${b}` },
  max: { init: FIRST, map: (v) => v, combine: (a, b) => `max(${a}, ${b})` },
  min: { init: FIRST, map: (v) => v, combine: (a, b) => `min(${a}, ${b})` },
};

function treeCode(kind: Kind, mapped: boolean): string {
  const s = SPEC[kind];
  return `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
struct P { n: u32, groups: u32 }
@group(0) @binding(2) var<uniform> p: P;
var<workgroup> sh: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  var acc: f32 = ${s.init.replace(FIRST, 'x[0]')};
  for (var i = w.x * 256u + l.x; i < p.n; i += p.groups * 256u) {
    let v = x[i];
    acc = ${s.combine('acc', mapped ? s.map('v') : 'v')};
  }
  sh[l.x] = acc;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k >>= 1u) {
    if (l.x < k) { sh[l.x] = ${s.combine('sh[l.x]', 'sh[l.x + k]')}; }
    workgroupBarrier();
  }
  if (l.x == 0u) { out[w.x] = sh[0]; }
}`;
}

function axisCode(kind: Kind): string {
  const s = SPEC[kind];
  return `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
struct P { outer: u32, len: u32, inner: u32, stride: u32 }
@group(0) @binding(2) var<uniform> p: P;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let t = g.x + g.y * p.stride;
  if (t >= p.outer * p.inner) { return; }
  let o = t / p.inner;
  let i = t % p.inner;
  var acc: f32 = ${s.init.replace(FIRST, 'x[o * p.len * p.inner + i]')};
  for (var j = 0u; j < p.len; j++) {
    let v = x[(o * p.len + j) * p.inner + i];
    acc = ${s.combine('acc', s.map('v'))};
  }
  out[t] = acc;
}`;
}

function reduce(fn: string, kind: Kind, x: GPUArray, axis?: number): GPUArray {
  checkGPUArray(fn, 'x', x);
  const ax = axis === undefined ? undefined : normalizeAxis(fn, 'axis', axis, x.ndim);
  if ((kind === 'max' || kind === 'min') && (x.size === 0 || (ax !== undefined && x.shape[ax] === 0)))
    throw new InvalidArgumentError(fn, 'x', x.shape, 'a non-empty array (the identity would be infinite)');
  if (ax !== undefined) {
    const xs = x.storage(fn, 'x');
    const outer = x.shape.slice(0, ax).reduce((a, b) => a * b, 1);
    const inner = x.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
    const out = allocate(fn, [...x.shape.slice(0, ax), ...x.shape.slice(ax + 1)]);
    if (out.size === 0) return out;
    const [gx, gy] = grid(Math.ceil(out.size / 256));
    dispatch(
      fn,
      axisCode(kind),
      [xs.buffer, out.buffer(fn, 'out')],
      uniforms([
        ['u', outer],
        ['u', x.shape[ax]],
        ['u', inner],
        ['u', gx * 256],
      ]),
      [gx, gy],
      1,
    );
    return out;
  }
  const xs = x.storage(fn, 'x');
  const groups = Math.min(256, Math.max(1, Math.ceil(x.size / 2048)));
  const partial = allocate(fn, [groups]);
  dispatch(
    fn,
    treeCode(kind, true),
    [xs.buffer, partial.buffer(fn, 'partial')],
    uniforms([
      ['u', x.size],
      ['u', groups],
    ]),
    [groups],
    1,
  );
  const out = allocate(fn, []);
  dispatch(
    fn,
    treeCode(kind === 'sumSquares' ? 'sum' : kind, false),
    [partial.buffer(fn, 'partial'), out.buffer(fn, 'out')],
    uniforms([
      ['u', groups],
      ['u', 1],
    ]),
    [1],
    1,
  );
  partial.dispose();
  return out;
}

/** Sum of all elements (a device scalar), or along `axis`. O(size); f32 accumulation, error about (size / 65536 + 16) eps |x|_1. */
export const sum = (x: GPUArray, axis?: number): GPUArray => reduce('sum', 'sum', x, axis);
/** Sum of squares of all elements (a device scalar), or along `axis`. O(size). */
export const sumSquares = (x: GPUArray, axis?: number): GPUArray =>
  reduce('sumSquares', 'sumSquares', x, axis);
/** Largest element (a device scalar), or along `axis`. @throws InvalidArgumentError for an empty array. */
export const max = (x: GPUArray, axis?: number): GPUArray => reduce('max', 'max', x, axis);
/** Smallest element (a device scalar), or along `axis`. @throws InvalidArgumentError for an empty array. */
export const min = (x: GPUArray, axis?: number): GPUArray => reduce('min', 'min', x, axis);
/**
 * Frobenius (2-) norm as a device scalar: sqrt(sumSquares(x)), fused. Not scaled against
 * overflow: entries beyond about 1e19 overflow float32 squares.
 */
export const norm = (x: GPUArray): GPUArray => {
  const s = reduce('norm', 'sumSquares', x);
  const r = sqrt(s);
  s.dispose();
  return r;
};

const TRANSPOSE = `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
struct P { rows: u32, cols: u32, tc: u32, tiles: u32, total: u32, gx: u32 }
@group(0) @binding(2) var<uniform> p: P;
var<workgroup> tile: array<f32, 272>;
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  // one linear tile index over (matrix, row tile, column tile), spread over x and y of the grid
  let t = w.x + w.y * p.gx;
  if (t >= p.total) { return; }
  let z = t / p.tiles;
  let tx = (t % p.tiles) % p.tc;
  let ty = (t % p.tiles) / p.tc;
  let base = z * p.rows * p.cols;
  let r = ty * 16u + l.y;
  let c = tx * 16u + l.x;
  if (r < p.rows && c < p.cols) { tile[l.y * 17u + l.x] = x[base + r * p.cols + c]; }
  workgroupBarrier();
  let orow = tx * 16u + l.y;
  let ocol = ty * 16u + l.x;
  if (orow < p.cols && ocol < p.rows) { out[base + orow * p.rows + ocol] = tile[l.x * 17u + l.y]; }
}`;

/**
 * Swaps the last two axes (a batch of matrix transposes), through 16 x 16 shared-memory tiles
 * spread over a 2-D grid (any number of tiles and matrices the storage limit holds).
 * O(size). Matrix products take `transA`/`transB` instead, which is cheaper than transposing.
 * @throws InvalidArgumentError for a non-array or a disposed one; ShapeError for fewer than 2 axes.
 */
export function transpose(x: GPUArray): GPUArray {
  const fn = 'transpose';
  checkGPUArray(fn, 'x', x);
  if (x.ndim < 2) throw new ShapeError(fn, 'x', 'must have at least 2 axes', x.shape);
  const rows = x.shape[x.ndim - 2];
  const cols = x.shape[x.ndim - 1];
  const batch = shapeSizeOf(x.shape.slice(0, -2));
  const xs = x.storage(fn, 'x');
  const out = allocate(fn, [...x.shape.slice(0, -2), cols, rows]);
  if (out.size === 0) return out;
  const tc = Math.ceil(cols / 16);
  const tiles = tc * Math.ceil(rows / 16);
  const [gx, gy] = grid(tiles * batch);
  dispatch(
    fn,
    TRANSPOSE,
    [xs.buffer, out.buffer(fn, 'out')],
    uniforms([
      ['u', rows],
      ['u', cols],
      ['u', tc],
      ['u', tiles],
      ['u', tiles * batch],
      ['u', gx],
    ]),
    [gx, gy],
    1,
  );
  return out;
}

function shapeSizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}
