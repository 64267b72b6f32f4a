/*
 * One precision's family of kernels (gemm, syrk, trsm, gemv), included by kernels.c once for float32
 * and once for float64, so the two families cannot drift apart. The includer defines:
 *   T            the element type (f32, f64)
 *   NAME(x)      the family's name for x: s##x or d##x (sgemm, s_pack_a...)
 *   L            lanes per v128 (4, 2); the micro-tile is MR x NR = 4 x 2L (8 accumulators)
 *   MC, NC       the A and B block sizes of the packed gemm (KC is shared)
 *   VSPLAT, VLOAD_SPLAT, VADD, VSUB, VMUL, VDIV   the lane-wise v128 operations of T
 *   hsum(v)      the sum of v's lanes
 */
#define MR 4
#define NR (2 * L)

/* Packs rows 0..mc, columns 0..kc of A (strides rs, cs), times alpha, into MR-row micro-panels. */
static void NAME(_pack_a)(int mc, int kc, const T *a, int rs, int cs, T alpha, T *pa) {
  for (int ir = 0; ir < mc; ir += MR) {
    const int rows = imin(MR, mc - ir);
    const T *ai = a + ir * rs;
    if (rows == MR && rs == 1) {
      const v128_t va = VSPLAT(alpha);
      for (int p = 0; p < kc; p++, pa += MR)
        for (int v = 0; v < MR; v += L) wasm_v128_store(pa + v, VMUL(va, wasm_v128_load(ai + p * cs + v)));
    } else if (rows == MR) {
      const T *a0 = ai, *a1 = ai + rs, *a2 = ai + 2 * rs, *a3 = ai + 3 * rs;
      for (int p = 0; p < kc; p++, pa += MR) {
        const int o = p * cs;
        pa[0] = alpha * a0[o];
        pa[1] = alpha * a1[o];
        pa[2] = alpha * a2[o];
        pa[3] = alpha * a3[o];
      }
    } else {
      for (int p = 0; p < kc; p++, pa += MR)
        for (int r = 0; r < MR; r++) pa[r] = r < rows ? alpha * ai[r * rs + p * cs] : (T)0;
    }
  }
}

/* Packs rows 0..kc, columns 0..nc of B (strides rs, cs) into NR-column micro-panels. */
static void NAME(_pack_b)(int kc, int nc, const T *b, int rs, int cs, T *pb) {
  for (int jr = 0; jr < nc; jr += NR) {
    const int cols = imin(NR, nc - jr);
    const T *bj = b + jr * cs;
    if (cols == NR && cs == 1) {
      for (int p = 0; p < kc; p++, pb += NR) {
        const T *src = bj + p * rs;
        wasm_v128_store(pb, wasm_v128_load(src));
        wasm_v128_store(pb + L, wasm_v128_load(src + L));
      }
    } else {
      for (int p = 0; p < kc; p++, pb += NR)
        for (int c = 0; c < NR; c++) pb[c] = c < cols ? bj[p * rs + c * cs] : (T)0;
    }
  }
}

/*
 * C[0..rows, 0..cols] += (packed A micro-panel) (packed B micro-panel) over kc. `mask` restricts the
 * update to a triangle for syrk: 0 none, 1 lower (i + di >= j + dj), 2 upper; di, dj are the tile's
 * row and column in C's triangle coordinates.
 */
static void NAME(_kernel)(int kc, const T *restrict pa, const T *restrict pb, T *c, int ldc, int rows, int cols,
                          int mask, int di, int dj) {
  v128_t c00 = VSPLAT((T)0), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(pb);
    const v128_t b1 = wasm_v128_load(pb + L);
    v128_t a = VLOAD_SPLAT(pa);
    c00 = VADD(c00, VMUL(a, b0));
    c01 = VADD(c01, VMUL(a, b1));
    a = VLOAD_SPLAT(pa + 1);
    c10 = VADD(c10, VMUL(a, b0));
    c11 = VADD(c11, VMUL(a, b1));
    a = VLOAD_SPLAT(pa + 2);
    c20 = VADD(c20, VMUL(a, b0));
    c21 = VADD(c21, VMUL(a, b1));
    a = VLOAD_SPLAT(pa + 3);
    c30 = VADD(c30, VMUL(a, b0));
    c31 = VADD(c31, VMUL(a, b1));
    pa += MR;
    pb += NR;
  }
  if (rows == MR && cols == NR && mask == 0) {
    T *r = c;
    wasm_v128_store(r, VADD(wasm_v128_load(r), c00));
    wasm_v128_store(r + L, VADD(wasm_v128_load(r + L), c01));
    r += ldc;
    wasm_v128_store(r, VADD(wasm_v128_load(r), c10));
    wasm_v128_store(r + L, VADD(wasm_v128_load(r + L), c11));
    r += ldc;
    wasm_v128_store(r, VADD(wasm_v128_load(r), c20));
    wasm_v128_store(r + L, VADD(wasm_v128_load(r + L), c21));
    r += ldc;
    wasm_v128_store(r, VADD(wasm_v128_load(r), c30));
    wasm_v128_store(r + L, VADD(wasm_v128_load(r + L), c31));
    return;
  }
  _Alignas(16) T t[MR * NR];
  wasm_v128_store(t, c00);
  wasm_v128_store(t + L, c01);
  wasm_v128_store(t + 2 * L, c10);
  wasm_v128_store(t + 3 * L, c11);
  wasm_v128_store(t + 4 * L, c20);
  wasm_v128_store(t + 5 * L, c21);
  wasm_v128_store(t + 6 * L, c30);
  wasm_v128_store(t + 7 * L, c31);
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) {
      if (mask == 1 && di + i < dj + j) continue;
      if (mask == 2 && di + i > dj + j) continue;
      c[i * ldc + j] += t[i * NR + j];
    }
}

/* C (m x n, row-major, ldc) += alpha A B, A m x k with strides (ars, acs), B k x n with (brs, bcs). */
static void NAME(_gemm_acc)(int m, int n, int k, T alpha, const T *a, int ars, int acs, const T *b, int brs, int bcs,
                            T *c, int ldc, int mask, int off, unsigned char *work) {
  T *pa = (T *)work;
  T *pb = (T *)(work + PACKA_BYTES);
  for (int j0 = 0; j0 < n; j0 += NC) {
    const int nc = imin(NC, n - j0);
    /* for a triangle, rows entirely on the wrong side of this column block are skipped */
    for (int p0 = 0; p0 < k; p0 += KC) {
      const int kc = imin(KC, k - p0);
      NAME(_pack_b)(kc, nc, b + p0 * brs + j0 * bcs, brs, bcs, pb);
      int i_lo = 0, i_hi = m;
      if (mask == 1) i_lo = imin(m, imax(0, j0 - off)); /* lower: rows i + off >= j0 */
      if (mask == 2) i_hi = imin(m, j0 + nc - off);     /* upper: rows i + off < j0 + nc */
      for (int i0 = i_lo; i0 < i_hi; i0 += MC) {
        const int mc = imin(MC, i_hi - i0);
        NAME(_pack_a)(mc, kc, a + i0 * ars + p0 * acs, ars, acs, alpha, pa);
        for (int jr = 0; jr < nc; jr += NR) {
          const int cols = imin(NR, nc - jr);
          for (int ir = 0; ir < mc; ir += MR) {
            const int rows = imin(MR, mc - ir);
            const int gi = i0 + ir, gj = j0 + jr;
            const int di = gi + off; /* the row's index relative to column 0 of this part */
            int tile_mask = 0;
            if (mask == 1) {
              if (di + rows - 1 < gj) continue;      /* tile entirely above the diagonal */
              if (di < gj + cols - 1) tile_mask = 1; /* tile crosses it */
            } else if (mask == 2) {
              if (di > gj + cols - 1) continue;
              if (di + rows - 1 > gj) tile_mask = 2;
            }
            NAME(_kernel)(kc, pa + ir * kc, pb + jr * kc, c + gi * ldc + gj, ldc, rows, cols, tile_mask, di, gj);
          }
        }
      }
    }
  }
}

/* C = beta C on C's triangle (mask) or all of it; beta = 0 writes exact zeros. */
static void NAME(_scale)(int m, int n, T beta, T *c, int ldc, int mask, int off) {
  if (beta == (T)1) return;
  for (int i = 0; i < m; i++) {
    const int j_lo = mask == 2 ? imax(0, i + off) : 0;
    const int j_hi = mask == 1 ? imin(n, i + off + 1) : n;
    T *r = c + i * ldc;
    if (beta == (T)0)
      for (int j = j_lo; j < j_hi; j++) r[j] = (T)0;
    else
      for (int j = j_lo; j < j_hi; j++) r[j] *= beta;
  }
}

/** gemm packing into the caller's workspace `work` (work_bytes() bytes): one thread's part of a
 * threaded product, a block of C's rows or columns. Each element's sum runs in the same order as in
 * the whole product, so the parts together equal the one-thread result bit for bit. */
EXPORT(NAME(gemm_ws))
void NAME(gemm_ws)(int m, int n, int k, T alpha, const T *a, int ars, int acs, const T *b, int brs, int bcs, T beta,
                   T *c, int ldc, unsigned char *work) {
  NAME(_scale)(m, n, beta, c, ldc, 0, 0);
  if (alpha == (T)0 || k == 0) return;
  NAME(_gemm_acc)(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, ldc, 0, 0, work);
}

/** C = alpha A B + beta C (gemm); C row-major with leading dimension ldc. */
EXPORT(NAME(gemm))
void NAME(gemm)(int m, int n, int k, T alpha, const T *a, int ars, int acs, const T *b, int brs, int bcs, T beta,
                T *c, int ldc) {
  NAME(gemm_ws)(m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, c, ldc, pack_ab);
}

void NAME(syrk_part)(int n, int k, T alpha, const T *a, int ars, int acs, T beta, T *c, int ldc, int lower, int j0,
                     int j1, unsigned char *work);

/** C = alpha A A^T + beta C on the lower (lower = 1) or upper triangle of C (syrk); A n x k. */
EXPORT(NAME(syrk))
void NAME(syrk)(int n, int k, T alpha, const T *a, int ars, int acs, T beta, T *c, int ldc, int lower) {
  NAME(syrk_part)(n, k, alpha, a, ars, acs, beta, c, ldc, lower, 0, n, pack_ab);
}

/** Columns j0..j1 of syrk's triangle, packing into `work`: one thread's part of a threaded syrk. */
EXPORT(NAME(syrk_part))
void NAME(syrk_part)(int n, int k, T alpha, const T *a, int ars, int acs, T beta, T *c, int ldc, int lower, int j0,
                     int j1, unsigned char *work) {
  const int mask = lower ? 1 : 2;
  NAME(_scale)(n, j1 - j0, beta, c + j0, ldc, mask, -j0);
  if (alpha == (T)0 || k == 0) return;
  NAME(_gemm_acc)(n, j1 - j0, k, alpha, a, ars, acs, a + j0 * ars, acs, ars, c + j0, ldc, mask, -j0, work);
}

/* y -= s x over n elements */
static void NAME(_row_sub)(int n, T s, const T *x, T *y) {
  const v128_t vs = VSPLAT(s);
  int j = 0;
  for (; j + L <= n; j += L) wasm_v128_store(y + j, VSUB(wasm_v128_load(y + j), VMUL(vs, wasm_v128_load(x + j))));
  for (; j < n; j++) y[j] -= s * x[j];
}

static void NAME(_row_div)(int n, T d, T *y) {
  const v128_t vd = VSPLAT(d);
  int j = 0;
  for (; j + L <= n; j += L) wasm_v128_store(y + j, VDIV(wasm_v128_load(y + j), vd));
  for (; j < n; j++) y[j] /= d;
}

/** B = alpha A^-1 B (trsm, left side, A not transposed; see kernels.c for the blocking). */
EXPORT(NAME(trsm))
void NAME(trsm)(int m, int n, T alpha, const T *a, int ars, int acs, T *b, int ldb, int lower, int unit) {
  NAME(_scale)(m, n, alpha, b, ldb, 0, 0);
  if (alpha == (T)0 || m == 0 || n == 0) return;
  if (lower) {
    for (int i0 = 0; i0 < m; i0 += TRSM_NB) {
      const int i1 = imin(m, i0 + TRSM_NB);
      for (int i = i0; i < i1; i++) {
        T *bi = b + i * ldb;
        for (int j = i0; j < i; j++) NAME(_row_sub)(n, a[i * ars + j * acs], b + j * ldb, bi);
        if (!unit) NAME(_row_div)(n, a[i * ars + i * acs], bi);
      }
      if (i1 < m)
        NAME(_gemm_acc)(m - i1, n, i1 - i0, (T)-1, a + i1 * ars + i0 * acs, ars, acs, b + i0 * ldb, ldb, 1,
                        b + i1 * ldb, ldb, 0, 0, pack_ab);
    }
  } else {
    for (int i1 = m; i1 > 0; i1 -= TRSM_NB) {
      const int i0 = i1 > TRSM_NB ? i1 - TRSM_NB : 0;
      for (int i = i1 - 1; i >= i0; i--) {
        T *bi = b + i * ldb;
        for (int j = i + 1; j < i1; j++) NAME(_row_sub)(n, a[i * ars + j * acs], b + j * ldb, bi);
        if (!unit) NAME(_row_div)(n, a[i * ars + i * acs], bi);
      }
      if (i0 > 0)
        NAME(_gemm_acc)(i0, n, i1 - i0, (T)-1, a + i0 * acs, ars, acs, b + i0 * ldb, ldb, 1, b, ldb, 0, 0, pack_ab);
    }
  }
}

/** y = alpha A x + beta y (gemv; see kernels.c for the two layouts). */
EXPORT(NAME(gemv))
void NAME(gemv)(int m, int n, T alpha, const T *a, int ars, int acs, const T *x, T beta, T *y) {
  NAME(_scale)(1, m, beta, y, m, 0, 0);
  if (alpha == (T)0 || n == 0) return;
  if (acs == 1) {
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      const T *r0 = a + i * ars, *r1 = r0 + ars, *r2 = r1 + ars, *r3 = r2 + ars;
      v128_t s0 = VSPLAT((T)0), s1 = s0, s2 = s0, s3 = s0;
      int j = 0;
      for (; j + L <= n; j += L) {
        const v128_t xv = wasm_v128_load(x + j);
        s0 = VADD(s0, VMUL(wasm_v128_load(r0 + j), xv));
        s1 = VADD(s1, VMUL(wasm_v128_load(r1 + j), xv));
        s2 = VADD(s2, VMUL(wasm_v128_load(r2 + j), xv));
        s3 = VADD(s3, VMUL(wasm_v128_load(r3 + j), xv));
      }
      T t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
      for (; j < n; j++) {
        t0 += r0[j] * x[j];
        t1 += r1[j] * x[j];
        t2 += r2[j] * x[j];
        t3 += r3[j] * x[j];
      }
      y[i] += alpha * t0;
      y[i + 1] += alpha * t1;
      y[i + 2] += alpha * t2;
      y[i + 3] += alpha * t3;
    }
    for (; i < m; i++) {
      const T *r = a + i * ars;
      v128_t s = VSPLAT((T)0);
      int j = 0;
      for (; j + L <= n; j += L) s = VADD(s, VMUL(wasm_v128_load(r + j), wasm_v128_load(x + j)));
      T t = hsum(s);
      for (; j < n; j++) t += r[j] * x[j];
      y[i] += alpha * t;
    }
  } else {
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      const T *k0 = a + j * acs, *k1 = k0 + acs, *k2 = k1 + acs, *k3 = k2 + acs;
      const T x0 = alpha * x[j], x1 = alpha * x[j + 1], x2 = alpha * x[j + 2], x3 = alpha * x[j + 3];
      const v128_t v0 = VSPLAT(x0), v1 = VSPLAT(x1), v2 = VSPLAT(x2), v3 = VSPLAT(x3);
      int i = 0;
      for (; i + L <= m; i += L) {
        v128_t s = wasm_v128_load(y + i);
        s = VADD(s, VMUL(v0, wasm_v128_load(k0 + i)));
        s = VADD(s, VMUL(v1, wasm_v128_load(k1 + i)));
        s = VADD(s, VMUL(v2, wasm_v128_load(k2 + i)));
        s = VADD(s, VMUL(v3, wasm_v128_load(k3 + i)));
        wasm_v128_store(y + i, s);
      }
      for (; i < m; i++) y[i] += x0 * k0[i] + x1 * k1[i] + x2 * k2[i] + x3 * k3[i];
    }
    for (; j < n; j++) {
      const T *k0 = a + j * acs;
      const T x0 = alpha * x[j];
      for (int i = 0; i < m; i++) y[i] += x0 * k0[i];
    }
  }
}

#undef MR
#undef NR
