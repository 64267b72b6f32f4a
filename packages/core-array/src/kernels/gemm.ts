import type { FloatDType } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { defineKernel } from '../registry.js';
import type { Mat } from './signatures.js';

/**
 * The pure-JS gemm: the GotoBLAS/BLIS structure (Goto & van de Geijn 2008, "Anatomy of
 * high-performance matrix multiplication"). A is packed MC x KC into row panels MR tall, B is
 * packed KC x NC into column panels NR wide after it, in one Float64Array reused across calls, so the
 * 4 x 4 register-blocked micro-kernel streams contiguous memory whatever the input strides or
 * transposes. Edges are zero-padded in the packed buffers and clipped on write-back.
 * float32 inputs are accumulated in double precision and rounded once when stored.
 */

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 96;
const NC = 2048;

/** Where the packed B panel starts in `pack`. */
const B0 = MC * KC;
const pack = new Float64Array(B0 + KC * NC);

/** Packs rows i0..i0+mc, columns p0..p0+kc of A (scaled by alpha) into MR-row panels. */
function packPanelA(a: Mat, i0: number, mc: number, p0: number, kc: number, alpha: number): void {
  const ad = a.data;
  const [rs, cs] = a.strides;
  let q = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    for (let p = 0; p < kc; p++) {
      const base = a.offset + (p0 + p) * cs + (i0 + ir) * rs;
      for (let r = 0; r < MR; r++) pack[q++] = r < rows ? alpha * ad[base + r * rs] : 0;
    }
  }
}

/** Packs rows p0..p0+kc, columns j0..j0+nc of B into NR-column panels. */
function packPanelB(b: Mat, p0: number, kc: number, j0: number, nc: number): void {
  const bd = b.data;
  const [rs, cs] = b.strides;
  let q = B0;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    for (let p = 0; p < kc; p++) {
      const base = b.offset + (p0 + p) * rs + (j0 + jr) * cs;
      for (let c = 0; c < NR; c++) pack[q++] = c < cols ? bd[base + c * cs] : 0;
    }
  }
}

/**
 * C[i0.., j0..] += packed A panel x packed B panel, one MR x NR tile at a time.
 * The k loop runs on the A index alone and finds B at a fixed distance in the same array (MR = NR,
 * so both advance alike); with `| 0` offsets TurboFan drops the overflow checks, leaving ~18% fewer
 * instructions per step than separate A and B counters.
 */
// biome-ignore format: the 4 x 4 register tile reads best as a grid
function macroKernel(c: Mat, i0: number, mc: number, j0: number, nc: number, kc: number): void {
  const cd = c.data;
  const [crs, ccs] = c.strides;
  const W = pack;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    const bBase = B0 + jr * kc;
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = Math.min(MR, mc - ir);
      const start = ir * kc;
      const end = start + MR * kc;
      const toB = (bBase - start) | 0;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let pa = start; pa < end; pa += MR) {
        const pb = (pa + toB) | 0;
        const a0 = W[pa], a1 = W[(pa + 1) | 0], a2 = W[(pa + 2) | 0], a3 = W[(pa + 3) | 0];
        const b0 = W[pb], b1 = W[(pb + 1) | 0], b2 = W[(pb + 2) | 0], b3 = W[(pb + 3) | 0];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      const base = c.offset + (i0 + ir) * crs + (j0 + jr) * ccs;
      if (rows === MR && cols === NR) {
        let r = base;
        cd[r] += c00; cd[r + ccs] += c01; cd[r + 2 * ccs] += c02; cd[r + 3 * ccs] += c03;
        r += crs;
        cd[r] += c10; cd[r + ccs] += c11; cd[r + 2 * ccs] += c12; cd[r + 3 * ccs] += c13;
        r += crs;
        cd[r] += c20; cd[r + ccs] += c21; cd[r + 2 * ccs] += c22; cd[r + 3 * ccs] += c23;
        r += crs;
        cd[r] += c30; cd[r + ccs] += c31; cd[r + 2 * ccs] += c32; cd[r + 3 * ccs] += c33;
      } else {
        const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) cd[base + i * crs + j * ccs] += tile[i * 4 + j];
      }
    }
  }
}

/** C *= beta, with beta = 0 writing exact zeros (so NaN in an uninitialized C does not leak). */
function scaleC(c: Mat, beta: number): void {
  if (beta === 1) return;
  const [m, n] = c.shape;
  const [rs, cs] = c.strides;
  for (let i = 0; i < m; i++)
    for (let j = 0, p = c.offset + i * rs; j < n; j++, p += cs) c.data[p] = beta === 0 ? 0 : beta * c.data[p];
}

/**
 * C = alpha A B + beta C on views with any strides. When C is float32 the product is accumulated
 * in a float64 buffer and rounded once, matching the accuracy of a float64 product stored as float32.
 * O(mnk) time; O(MC KC + KC NC) packing memory, allocated once.
 */
export function gemmReference(alpha: number, a: Mat, b: Mat, beta: number, c: Mat): void {
  const [m, k] = a.shape;
  const n = b.shape[1];
  if (c.dtype === 'float32' && m * n > 0) {
    const acc = new NDArray(new Float64Array(m * n), [m, n]) as Mat;
    if (beta !== 0)
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) acc.data[i * n + j] = beta * c.get(i, j);
    gemmReference(alpha, a, b, 1, acc);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++)
        c.data[c.offset + i * c.strides[0] + j * c.strides[1]] = acc.data[i * n + j];
    return;
  }
  scaleC(c, beta);
  if (alpha === 0 || k === 0) return;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      packPanelB(b, p0, kc, j0, nc);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packPanelA(a, i0, mc, p0, kc, alpha);
        macroKernel(c, i0, mc, j0, nc, kc);
      }
    }
  }
}

/** The registered reference `gemm` kernel. */
export const gemmKernel = defineKernel('gemm', ({ alpha, a, b, beta, c }) =>
  gemmReference(alpha, a, b, beta, c),
);

/** Calls `fn` with the 2-D views of every batch entry of [..., r, c] arrays sharing leading dimensions. */
export function forEachBatch(arrays: NDArray<FloatDType>[], fn: (views: Mat[]) => void): void {
  const lead = arrays[0].shape.slice(0, -2);
  const count = lead.reduce((x, y) => x * y, 1);
  const index = new Array<number>(lead.length).fill(0);
  for (let t = 0; t < count; t++) {
    fn(
      arrays.map((x) => {
        let off = x.offset;
        for (let d = 0; d < lead.length; d++) off += index[d] * x.strides[d];
        return new NDArray(x.data, x.shape.slice(-2), x.strides.slice(-2), off) as Mat;
      }),
    );
    for (let d = lead.length - 1; d >= 0 && ++index[d] === lead[d]; d--) index[d] = 0;
  }
}

/** The registered reference `gemmBatched` kernel: one gemm per batch entry. */
export const gemmBatchedKernel = defineKernel('gemmBatched', ({ alpha, a, b, beta, c }) =>
  forEachBatch([a, b, c], ([x, y, z]) => gemmReference(alpha, x, y, beta, z)),
);
