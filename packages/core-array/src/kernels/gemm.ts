import { NDArray } from '../ndarray.js';
import { defineKernel } from '../registry.js';
import { forEachBatch } from './batch.js';
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
  if (m * n * k <= SMALL_GEMM) {
    gemmSmall(alpha, a, b, beta, c, m, n, k);
    return;
  }
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

/**
 * Below this many multiply-adds (m n k) packing the panels costs more than it saves: measured with
 * `pnpm bench overhead` (2-vCPU EPYC, Node 20), the packed path took 3.9 us at 4x4 and 8.9 us at
 * 16x16, the direct loops below about 1 us and 6 us. Kept well inside L1 (24^3 doubles of work).
 */
const SMALL_GEMM = 24 * 24 * 24;

/**
 * C = alpha A B + beta C by direct dot products on the strided views: no packing, no temporaries.
 * Each entry is accumulated in double precision and rounded once (float32 too), and beta = 0
 * ignores C's old contents, as the packed path.
 */
function gemmSmall(
  alpha: number,
  a: Mat,
  b: Mat,
  beta: number,
  c: Mat,
  m: number,
  n: number,
  k: number,
): void {
  const ad = a.data;
  const bd = b.data;
  const cd = c.data;
  const ars = a.strides[0];
  const acs = a.strides[1];
  const brs = b.strides[0];
  const bcs = b.strides[1];
  const crs = c.strides[0];
  const ccs = c.strides[1];
  const m4 = alpha === 0 ? 0 : m - (m % 4);
  const n4 = alpha === 0 ? 0 : n - (n % 4);
  // 4 x 4 blocks of C in registers, A and B read through their strides
  for (let i = 0; i < m4; i += 4) {
    const a0 = a.offset + i * ars;
    for (let j = 0; j < n4; j += 4) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let p = 0, q = a0, r = b.offset + j * bcs; p < k; p++, q += acs, r += brs) {
        const x0 = ad[q],
          x1 = ad[q + ars],
          x2 = ad[q + 2 * ars],
          x3 = ad[q + 3 * ars];
        const y0 = bd[r],
          y1 = bd[r + bcs],
          y2 = bd[r + 2 * bcs],
          y3 = bd[r + 3 * bcs];
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3;
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
        c20 += x2 * y0;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3;
        c30 += x3 * y0;
        c31 += x3 * y1;
        c32 += x3 * y2;
        c33 += x3 * y3;
      }
      const o = c.offset + i * crs + j * ccs;
      store(cd, o, ccs, alpha, beta, c00, c01, c02, c03);
      store(cd, o + crs, ccs, alpha, beta, c10, c11, c12, c13);
      store(cd, o + 2 * crs, ccs, alpha, beta, c20, c21, c22, c23);
      store(cd, o + 3 * crs, ccs, alpha, beta, c30, c31, c32, c33);
    }
  }
  // the rest: rows below m4 (all columns) and columns right of n4 (rows above m4)
  for (let i = 0; i < m; i++) {
    const ai = a.offset + i * ars;
    for (let j = i < m4 ? n4 : 0; j < n; j++) {
      const o = c.offset + i * crs + j * ccs;
      const old = beta === 0 ? 0 : beta === 1 ? cd[o] : beta * cd[o];
      if (alpha === 0) {
        // A and B are not read (BLAS): their NaNs do not reach C
        cd[o] = old;
        continue;
      }
      let s = 0;
      for (let p = 0, q = ai, r = b.offset + j * bcs; p < k; p++, q += acs, r += brs) s += ad[q] * bd[r];
      cd[o] = alpha * s + old;
    }
  }
}

/** C[o + t ccs] = alpha s_t + beta C[o + t ccs] for t = 0..3 (beta = 0: C's old values unread). */
function store(
  cd: Mat['data'],
  o: number,
  ccs: number,
  alpha: number,
  beta: number,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
): void {
  if (beta === 0) {
    cd[o] = alpha * s0;
    cd[o + ccs] = alpha * s1;
    cd[o + 2 * ccs] = alpha * s2;
    cd[o + 3 * ccs] = alpha * s3;
  } else {
    cd[o] = alpha * s0 + beta * cd[o];
    cd[o + ccs] = alpha * s1 + beta * cd[o + ccs];
    cd[o + 2 * ccs] = alpha * s2 + beta * cd[o + 2 * ccs];
    cd[o + 3 * ccs] = alpha * s3 + beta * cd[o + 3 * ccs];
  }
}

/** The registered reference `gemm` kernel. */
export const gemmKernel = defineKernel('gemm', ({ alpha, a, b, beta, c }) =>
  gemmReference(alpha, a, b, beta, c),
);

/** The registered reference `gemmBatched` kernel: one gemm per batch entry. */
export const gemmBatchedKernel = defineKernel('gemmBatched', ({ alpha, a, b, beta, c }) =>
  forEachBatch([a, b, c], ([x, y, z]) => gemmReference(alpha, x, y, beta, z)),
);
