import { NDArray } from '../ndarray.js';
import { defineKernel } from '../registry.js';
import { gemmReference } from './gemm.js';
import type { Mat } from './signatures.js';

/**
 * BLAS level 3 reference kernels, blocked so that almost all of their flops go through the packed
 * gemm: only NB x NB diagonal blocks are handled by short loops.
 */

const NB = 64;

const view = (a: Mat, i0: number, i1: number, j0: number, j1: number): Mat =>
  new NDArray(a.data, [i1 - i0, j1 - j0], a.strides, a.offset + i0 * a.strides[0] + j0 * a.strides[1]) as Mat;

/**
 * C = alpha A A^T + beta C on the lower (or upper) triangle of C only (dsyrk). Off-diagonal blocks
 * are gemm calls; each NB x NB diagonal block is computed in a scratch and its triangle copied.
 * O(n^2 k).
 */
export const syrkKernel = defineKernel('syrk', ({ alpha, a, beta, c, lower }) => {
  const n = c.shape[0];
  const k = a.shape[1];
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = Math.min(n, j0 + NB);
    const aj = view(a, j0, j1, 0, k);
    // diagonal block
    const nb = j1 - j0;
    const tmp = new NDArray(new Float64Array(nb * nb), [nb, nb]) as Mat;
    gemmReference(alpha, aj, aj.T, 0, tmp);
    for (let i = 0; i < nb; i++) {
      for (let j = 0; j < nb; j++) {
        if (lower ? j > i : j < i) continue;
        const p = c.offset + (j0 + i) * c.strides[0] + (j0 + j) * c.strides[1];
        c.data[p] = tmp.data[i * nb + j] + (beta === 0 ? 0 : beta * c.data[p]);
      }
    }
    // the rest of the block column (lower) or block row (upper)
    if (lower && j1 < n) gemmReference(alpha, view(a, j1, n, 0, k), aj.T, beta, view(c, j1, n, j0, j1));
    if (!lower && j1 < n) gemmReference(alpha, aj, view(a, j1, n, 0, k).T, beta, view(c, j0, j1, j1, n));
  }
});

/** B = A^-1 B for a lower or upper triangular A (left side), blocked: diagonal solves plus gemm updates. */
function solveLeft(a: Mat, b: Mat, lower: boolean, unitDiag: boolean): void {
  const n = a.shape[0];
  const m = b.shape[1];
  const blocks: [number, number][] = [];
  for (let i0 = 0; i0 < n; i0 += NB) blocks.push([i0, Math.min(n, i0 + NB)]);
  if (!lower) blocks.reverse();
  for (const [i0, i1] of blocks) {
    // B_i = A_ii^-1 B_i by substitution, column by column of B
    for (let col = 0; col < m; col++) {
      for (let s = 0; s < i1 - i0; s++) {
        const i = lower ? i0 + s : i1 - 1 - s;
        let sum = b.data[b.offset + i * b.strides[0] + col * b.strides[1]];
        const [j0, j1] = lower ? [i0, i] : [i + 1, i1];
        for (let j = j0; j < j1; j++)
          sum -=
            a.data[a.offset + i * a.strides[0] + j * a.strides[1]] *
            b.data[b.offset + j * b.strides[0] + col * b.strides[1]];
        b.data[b.offset + i * b.strides[0] + col * b.strides[1]] = unitDiag
          ? sum
          : sum / a.data[a.offset + i * (a.strides[0] + a.strides[1])];
      }
    }
    // the rest of B: B_rest -= A_rest,i B_i
    if (lower && i1 < n)
      gemmReference(-1, view(a, i1, n, i0, i1), view(b, i0, i1, 0, m), 1, view(b, i1, n, 0, m));
    if (!lower && i0 > 0)
      gemmReference(-1, view(a, 0, i0, i0, i1), view(b, i0, i1, 0, m), 1, view(b, 0, i0, 0, m));
  }
}

/** B = A B for a triangular A (left side), blocked from the end that keeps inputs unread. */
function multiplyLeft(a: Mat, b: Mat, lower: boolean, unitDiag: boolean): void {
  const n = a.shape[0];
  const m = b.shape[1];
  const blocks: [number, number][] = [];
  for (let i0 = 0; i0 < n; i0 += NB) blocks.push([i0, Math.min(n, i0 + NB)]);
  // lower: new B_i depends on old B_0..i, so go bottom-up; upper: top-down
  if (lower) blocks.reverse();
  for (const [i0, i1] of blocks) {
    const nb = i1 - i0;
    const tmp = new NDArray(new Float64Array(nb * m), [nb, m]) as Mat;
    for (let s = 0; s < nb; s++) {
      for (let col = 0; col < m; col++) {
        let sum = 0;
        const [j0, j1] = lower ? [0, s] : [s + 1, nb];
        for (let j = j0; j < j1; j++)
          sum +=
            a.data[a.offset + (i0 + s) * a.strides[0] + (i0 + j) * a.strides[1]] *
            b.data[b.offset + (i0 + j) * b.strides[0] + col * b.strides[1]];
        const d = unitDiag ? 1 : a.data[a.offset + (i0 + s) * (a.strides[0] + a.strides[1])];
        tmp.data[s * m + col] = sum + d * b.data[b.offset + (i0 + s) * b.strides[0] + col * b.strides[1]];
      }
    }
    if (lower && i0 > 0) gemmReference(1, view(a, i0, i1, 0, i0), view(b, 0, i0, 0, m), 1, tmp);
    if (!lower && i1 < n) gemmReference(1, view(a, i0, i1, i1, n), view(b, i1, n, 0, m), 1, tmp);
    for (let s = 0; s < nb; s++)
      for (let col = 0; col < m; col++)
        b.data[b.offset + (i0 + s) * b.strides[0] + col * b.strides[1]] = tmp.data[s * m + col];
  }
}

function scale(b: Mat, alpha: number): void {
  if (alpha === 1) return;
  const [m, n] = b.shape;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) b.data[b.offset + i * b.strides[0] + j * b.strides[1]] *= alpha;
}

/**
 * B = alpha A^-1 B (left) or alpha B A^-1 (right) with A triangular (dtrsm). The right side is the
 * left side on transposed views (X A = B  <=>  A^T X^T = B^T; the transpose of lower is upper).
 * O(n^2 m).
 */
export const trsmKernel = defineKernel('trsm', ({ side, lower, unitDiag, alpha, a, b }) => {
  scale(b, alpha);
  if (side === 'left') solveLeft(a, b, lower, unitDiag);
  else solveLeft(a.T as Mat, b.T as Mat, !lower, unitDiag);
});

/** B = alpha A B (left) or alpha B A (right) with A triangular (dtrmm). O(n^2 m). */
export const trmmKernel = defineKernel('trmm', ({ side, lower, unitDiag, alpha, a, b }) => {
  scale(b, alpha);
  if (side === 'left') multiplyLeft(a, b, lower, unitDiag);
  else multiplyLeft(a.T as Mat, b.T as Mat, !lower, unitDiag);
});
