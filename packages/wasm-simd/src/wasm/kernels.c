/*
 * @krylov/wasm-simd kernels: BLAS level 2/3 on 128-bit WebAssembly SIMD (f32x4, f64x2).
 *
 * Compiled by scripts/build-wasm.mjs with Debian's clang + lld:
 *   clang --target=wasm32 -msimd128 -mbulk-memory -O3 -nostdlib -Wl,--no-entry ...
 * No libc: the only memory helpers are the bulk-memory instructions clang emits for memset/memcpy.
 *
 * Operands live in this module's linear memory, copied there by the JavaScript side; matrices are
 * described by (pointer, row stride, column stride) in elements, so a transpose is a swap of strides.
 * Outputs (C of gemm/syrk, B of trsm, y of gemv) are dense row-major with leading dimension ldc.
 *
 * gemm follows the GotoBLAS/BLIS structure (Goto & van de Geijn, "Anatomy of high-performance
 * matrix multiplication", TOMS 2008): B is packed KC x NC into NR-wide column micro-panels, A is
 * packed MC x KC into MR-tall row micro-panels (scaled by alpha), and a register-blocked micro-kernel
 * accumulates an MR x NR tile of C over KC with vector loads of B and load-splats of A.
 * f32: MR x NR = 4 x 8 (8 f32x4 accumulators); f64: 4 x 4 (8 f64x2 accumulators). V8 gives wasm
 * code 15 usable xmm registers on x64, which bounds the tile; there is no fused multiply-add in
 * WebAssembly SIMD 128 (relaxed-simd is not on by default in Node 20), so each step is mul + add.
 */
#include <wasm_simd128.h>

typedef float f32;
typedef double f64;

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

#ifndef KC
#define KC 256
#endif
#define S_MR 4
#define S_NR 8
#ifndef S_MC
#define S_MC 192
#endif
#ifndef S_NC
#define S_NC 1024
#endif
#define D_MR 4
#define D_NR 4
#ifndef D_MC
#define D_MC 128
#endif
#ifndef D_NC
#define D_NC 512
#endif

/* Packing buffers, shared by both precisions: the larger of each need, in bytes. */
#define PACKA_BYTES (S_MC * KC * 4 > D_MC * KC * 8 ? S_MC * KC * 4 : D_MC * KC * 8)
#define PACKB_BYTES (S_NC * KC * 4 > D_NC * KC * 8 ? S_NC * KC * 4 : D_NC * KC * 8)
#define WORK_BYTES (PACKA_BYTES + PACKB_BYTES)
/* The calling thread's packing workspace for the entry points without a `work` argument. Threads
 * (workers on a shared memory) pass their own WORK_BYTES workspace to the *_ws / *_part entries. */
static _Alignas(16) unsigned char pack_ab[WORK_BYTES];

/** Bytes of packing workspace one thread needs (the `work` argument of the *_ws and *_part entries). */
EXPORT(work_bytes) unsigned int work_bytes(void) { return WORK_BYTES; }

INLINE int imin(int a, int b) { return a < b ? a : b; }
INLINE int imax(int a, int b) { return a > b ? a : b; }

void ssyrk_part(int n, int k, f32 alpha, const f32 *a, int ars, int acs, f32 beta, f32 *c, int ldc, int lower,
                int j0, int j1, unsigned char *work);
void dsyrk_part(int n, int k, f64 alpha, const f64 *a, int ars, int acs, f64 beta, f64 *c, int ldc, int lower,
                int j0, int j1, unsigned char *work);

/* The first byte past the static data: the JavaScript side places operands from here on. */
extern unsigned char __heap_base;
EXPORT(heap_base) unsigned int heap_base(void) { return (unsigned int)&__heap_base; }

/* ---------------------------------------------------------------------------------------------- */
/* float32                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

/* Packs rows 0..mc, columns 0..kc of A (strides rs, cs), times alpha, into S_MR-row micro-panels. */
static void s_pack_a(int mc, int kc, const f32 *a, int rs, int cs, f32 alpha, f32 *pa) {
  for (int ir = 0; ir < mc; ir += S_MR) {
    const int rows = imin(S_MR, mc - ir);
    const f32 *ai = a + ir * rs;
    if (rows == S_MR && rs == 1) {
      const v128_t va = wasm_f32x4_splat(alpha);
      for (int p = 0; p < kc; p++, pa += S_MR)
        wasm_v128_store(pa, wasm_f32x4_mul(va, wasm_v128_load(ai + p * cs)));
    } else if (rows == S_MR) {
      const f32 *a0 = ai, *a1 = ai + rs, *a2 = ai + 2 * rs, *a3 = ai + 3 * rs;
      for (int p = 0; p < kc; p++, pa += S_MR) {
        const int o = p * cs;
        pa[0] = alpha * a0[o];
        pa[1] = alpha * a1[o];
        pa[2] = alpha * a2[o];
        pa[3] = alpha * a3[o];
      }
    } else {
      for (int p = 0; p < kc; p++, pa += S_MR)
        for (int r = 0; r < S_MR; r++) pa[r] = r < rows ? alpha * ai[r * rs + p * cs] : 0.0f;
    }
  }
}

/* Packs rows 0..kc, columns 0..nc of B (strides rs, cs) into S_NR-column micro-panels. */
static void s_pack_b(int kc, int nc, const f32 *b, int rs, int cs, f32 *pb) {
  for (int jr = 0; jr < nc; jr += S_NR) {
    const int cols = imin(S_NR, nc - jr);
    const f32 *bj = b + jr * cs;
    if (cols == S_NR && cs == 1) {
      for (int p = 0; p < kc; p++, pb += S_NR) {
        const f32 *src = bj + p * rs;
        wasm_v128_store(pb, wasm_v128_load(src));
        wasm_v128_store(pb + 4, wasm_v128_load(src + 4));
      }
    } else {
      for (int p = 0; p < kc; p++, pb += S_NR)
        for (int c = 0; c < S_NR; c++) pb[c] = c < cols ? bj[p * rs + c * cs] : 0.0f;
    }
  }
}

/*
 * C[0..rows, 0..cols] += (packed A micro-panel) (packed B micro-panel) over kc. `mask` restricts the
 * update to a triangle for syrk: 0 none, 1 lower (i + di >= j + dj), 2 upper; di, dj are the tile's
 * row and column in C's triangle coordinates.
 */
static void s_kernel(int kc, const f32 *restrict pa, const f32 *restrict pb, f32 *c, int ldc, int rows,
                     int cols, int mask, int di, int dj) {
  v128_t c00 = wasm_f32x4_const_splat(0), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(pb);
    const v128_t b1 = wasm_v128_load(pb + 4);
    v128_t a = wasm_v128_load32_splat(pa);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(pa + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(pa + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(pa + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
    pa += S_MR;
    pb += S_NR;
  }
  if (rows == S_MR && cols == S_NR && mask == 0) {
    f32 *r = c;
    wasm_v128_store(r, wasm_f32x4_add(wasm_v128_load(r), c00));
    wasm_v128_store(r + 4, wasm_f32x4_add(wasm_v128_load(r + 4), c01));
    r += ldc;
    wasm_v128_store(r, wasm_f32x4_add(wasm_v128_load(r), c10));
    wasm_v128_store(r + 4, wasm_f32x4_add(wasm_v128_load(r + 4), c11));
    r += ldc;
    wasm_v128_store(r, wasm_f32x4_add(wasm_v128_load(r), c20));
    wasm_v128_store(r + 4, wasm_f32x4_add(wasm_v128_load(r + 4), c21));
    r += ldc;
    wasm_v128_store(r, wasm_f32x4_add(wasm_v128_load(r), c30));
    wasm_v128_store(r + 4, wasm_f32x4_add(wasm_v128_load(r + 4), c31));
    return;
  }
  _Alignas(16) f32 t[S_MR * S_NR];
  wasm_v128_store(t, c00);
  wasm_v128_store(t + 4, c01);
  wasm_v128_store(t + 8, c10);
  wasm_v128_store(t + 12, c11);
  wasm_v128_store(t + 16, c20);
  wasm_v128_store(t + 20, c21);
  wasm_v128_store(t + 24, c30);
  wasm_v128_store(t + 28, c31);
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) {
      if (mask == 1 && di + i < dj + j) continue;
      if (mask == 2 && di + i > dj + j) continue;
      c[i * ldc + j] += t[i * S_NR + j];
    }
}

/* C (m x n, row-major, ldc) += alpha A B, A m x k with strides (ars, acs), B k x n with (brs, bcs). */
static void s_gemm_acc(int m, int n, int k, f32 alpha, const f32 *a, int ars, int acs, const f32 *b, int brs,
                       int bcs, f32 *c, int ldc, int mask, int off, unsigned char *work) {
  f32 *pa = (f32 *)work;
  f32 *pb = (f32 *)(work + PACKA_BYTES);
  for (int j0 = 0; j0 < n; j0 += S_NC) {
    const int nc = imin(S_NC, n - j0);
    /* for a triangle, rows entirely on the wrong side of this column block are skipped */
    for (int p0 = 0; p0 < k; p0 += KC) {
      const int kc = imin(KC, k - p0);
      s_pack_b(kc, nc, b + p0 * brs + j0 * bcs, brs, bcs, pb);
      int i_lo = 0, i_hi = m;
      if (mask == 1) i_lo = imin(m, imax(0, j0 - off)); /* lower: rows i + off >= j0 */
      if (mask == 2) i_hi = imin(m, j0 + nc - off);     /* upper: rows i + off < j0 + nc */
      for (int i0 = i_lo; i0 < i_hi; i0 += S_MC) {
        const int mc = imin(S_MC, i_hi - i0);
        s_pack_a(mc, kc, a + i0 * ars + p0 * acs, ars, acs, alpha, pa);
        for (int jr = 0; jr < nc; jr += S_NR) {
          const int cols = imin(S_NR, nc - jr);
          for (int ir = 0; ir < mc; ir += S_MR) {
            const int rows = imin(S_MR, mc - ir);
            const int gi = i0 + ir, gj = j0 + jr;
            const int di = gi + off; /* the row's index relative to column 0 of this part */
            int tile_mask = 0;
            if (mask == 1) {
              if (di + rows - 1 < gj) continue;        /* tile entirely above the diagonal */
              if (di < gj + cols - 1) tile_mask = 1;   /* tile crosses it */
            } else if (mask == 2) {
              if (di > gj + cols - 1) continue;
              if (di + rows - 1 > gj) tile_mask = 2;
            }
            s_kernel(kc, pa + ir * kc, pb + jr * kc, c + gi * ldc + gj, ldc, rows, cols, tile_mask, di, gj);
          }
        }
      }
    }
  }
}

/* C = beta C on C's triangle (mask) or all of it; beta = 0 writes exact zeros. */
static void s_scale(int m, int n, f32 beta, f32 *c, int ldc, int mask, int off) {
  if (beta == 1.0f) return;
  for (int i = 0; i < m; i++) {
    const int j_lo = mask == 2 ? imax(0, i + off) : 0;
    const int j_hi = mask == 1 ? imin(n, i + off + 1) : n;
    f32 *r = c + i * ldc;
    if (beta == 0.0f)
      for (int j = j_lo; j < j_hi; j++) r[j] = 0.0f;
    else
      for (int j = j_lo; j < j_hi; j++) r[j] *= beta;
  }
}

/** sgemm packing into the caller's workspace `work` (work_bytes() bytes): one thread's part of a
 * threaded product, a block of C's rows or columns. Each element's sum runs in the same order as in
 * the whole product, so the parts together equal the one-thread result bit for bit. */
EXPORT(sgemm_ws)
void sgemm_ws(int m, int n, int k, f32 alpha, const f32 *a, int ars, int acs, const f32 *b, int brs, int bcs,
              f32 beta, f32 *c, int ldc, unsigned char *work) {
  s_scale(m, n, beta, c, ldc, 0, 0);
  if (alpha == 0.0f || k == 0) return;
  s_gemm_acc(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, ldc, 0, 0, work);
}

/** C = alpha A B + beta C (sgemm); C row-major with leading dimension ldc. */
EXPORT(sgemm)
void sgemm(int m, int n, int k, f32 alpha, const f32 *a, int ars, int acs, const f32 *b, int brs, int bcs,
           f32 beta, f32 *c, int ldc) {
  sgemm_ws(m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, c, ldc, pack_ab);
}

/** C = alpha A A^T + beta C on the lower (lower = 1) or upper triangle of C (ssyrk); A n x k. */
EXPORT(ssyrk)
void ssyrk(int n, int k, f32 alpha, const f32 *a, int ars, int acs, f32 beta, f32 *c, int ldc, int lower) {
  ssyrk_part(n, k, alpha, a, ars, acs, beta, c, ldc, lower, 0, n, pack_ab);
}

/** Columns j0..j1 of ssyrk's triangle, packing into `work`: one thread's part of a threaded syrk. */
EXPORT(ssyrk_part)
void ssyrk_part(int n, int k, f32 alpha, const f32 *a, int ars, int acs, f32 beta, f32 *c, int ldc, int lower,
                int j0, int j1, unsigned char *work) {
  const int mask = lower ? 1 : 2;
  s_scale(n, j1 - j0, beta, c + j0, ldc, mask, -j0);
  if (alpha == 0.0f || k == 0) return;
  s_gemm_acc(n, j1 - j0, k, alpha, a, ars, acs, a + j0 * ars, acs, ars, c + j0, ldc, mask, -j0, work);
}

/* ---------------------------------------------------------------------------------------------- */
/* float64                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

static void d_pack_a(int mc, int kc, const f64 *a, int rs, int cs, f64 alpha, f64 *pa) {
  for (int ir = 0; ir < mc; ir += D_MR) {
    const int rows = imin(D_MR, mc - ir);
    const f64 *ai = a + ir * rs;
    if (rows == D_MR && rs == 1) {
      const v128_t va = wasm_f64x2_splat(alpha);
      for (int p = 0; p < kc; p++, pa += D_MR) {
        const f64 *src = ai + p * cs;
        wasm_v128_store(pa, wasm_f64x2_mul(va, wasm_v128_load(src)));
        wasm_v128_store(pa + 2, wasm_f64x2_mul(va, wasm_v128_load(src + 2)));
      }
    } else if (rows == D_MR) {
      const f64 *a0 = ai, *a1 = ai + rs, *a2 = ai + 2 * rs, *a3 = ai + 3 * rs;
      for (int p = 0; p < kc; p++, pa += D_MR) {
        const int o = p * cs;
        pa[0] = alpha * a0[o];
        pa[1] = alpha * a1[o];
        pa[2] = alpha * a2[o];
        pa[3] = alpha * a3[o];
      }
    } else {
      for (int p = 0; p < kc; p++, pa += D_MR)
        for (int r = 0; r < D_MR; r++) pa[r] = r < rows ? alpha * ai[r * rs + p * cs] : 0.0;
    }
  }
}

static void d_pack_b(int kc, int nc, const f64 *b, int rs, int cs, f64 *pb) {
  for (int jr = 0; jr < nc; jr += D_NR) {
    const int cols = imin(D_NR, nc - jr);
    const f64 *bj = b + jr * cs;
    if (cols == D_NR && cs == 1) {
      for (int p = 0; p < kc; p++, pb += D_NR) {
        const f64 *src = bj + p * rs;
        wasm_v128_store(pb, wasm_v128_load(src));
        wasm_v128_store(pb + 2, wasm_v128_load(src + 2));
      }
    } else {
      for (int p = 0; p < kc; p++, pb += D_NR)
        for (int c = 0; c < D_NR; c++) pb[c] = c < cols ? bj[p * rs + c * cs] : 0.0;
    }
  }
}

static void d_kernel(int kc, const f64 *restrict pa, const f64 *restrict pb, f64 *c, int ldc, int rows,
                     int cols, int mask, int di, int dj) {
  v128_t c00 = wasm_f64x2_const_splat(0), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(pb);
    const v128_t b1 = wasm_v128_load(pb + 2);
    v128_t a = wasm_v128_load64_splat(pa);
    c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(a, b0));
    c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(a, b1));
    a = wasm_v128_load64_splat(pa + 1);
    c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(a, b0));
    c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(a, b1));
    a = wasm_v128_load64_splat(pa + 2);
    c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(a, b0));
    c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(a, b1));
    a = wasm_v128_load64_splat(pa + 3);
    c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(a, b0));
    c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(a, b1));
    pa += D_MR;
    pb += D_NR;
  }
  if (rows == D_MR && cols == D_NR && mask == 0) {
    f64 *r = c;
    wasm_v128_store(r, wasm_f64x2_add(wasm_v128_load(r), c00));
    wasm_v128_store(r + 2, wasm_f64x2_add(wasm_v128_load(r + 2), c01));
    r += ldc;
    wasm_v128_store(r, wasm_f64x2_add(wasm_v128_load(r), c10));
    wasm_v128_store(r + 2, wasm_f64x2_add(wasm_v128_load(r + 2), c11));
    r += ldc;
    wasm_v128_store(r, wasm_f64x2_add(wasm_v128_load(r), c20));
    wasm_v128_store(r + 2, wasm_f64x2_add(wasm_v128_load(r + 2), c21));
    r += ldc;
    wasm_v128_store(r, wasm_f64x2_add(wasm_v128_load(r), c30));
    wasm_v128_store(r + 2, wasm_f64x2_add(wasm_v128_load(r + 2), c31));
    return;
  }
  _Alignas(16) f64 t[D_MR * D_NR];
  wasm_v128_store(t, c00);
  wasm_v128_store(t + 2, c01);
  wasm_v128_store(t + 4, c10);
  wasm_v128_store(t + 6, c11);
  wasm_v128_store(t + 8, c20);
  wasm_v128_store(t + 10, c21);
  wasm_v128_store(t + 12, c30);
  wasm_v128_store(t + 14, c31);
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) {
      if (mask == 1 && di + i < dj + j) continue;
      if (mask == 2 && di + i > dj + j) continue;
      c[i * ldc + j] += t[i * D_NR + j];
    }
}

static void d_gemm_acc(int m, int n, int k, f64 alpha, const f64 *a, int ars, int acs, const f64 *b, int brs,
                       int bcs, f64 *c, int ldc, int mask, int off, unsigned char *work) {
  f64 *pa = (f64 *)work;
  f64 *pb = (f64 *)(work + PACKA_BYTES);
  for (int j0 = 0; j0 < n; j0 += D_NC) {
    const int nc = imin(D_NC, n - j0);
    for (int p0 = 0; p0 < k; p0 += KC) {
      const int kc = imin(KC, k - p0);
      d_pack_b(kc, nc, b + p0 * brs + j0 * bcs, brs, bcs, pb);
      int i_lo = 0, i_hi = m;
      if (mask == 1) i_lo = imin(m, imax(0, j0 - off));
      if (mask == 2) i_hi = imin(m, j0 + nc - off);
      for (int i0 = i_lo; i0 < i_hi; i0 += D_MC) {
        const int mc = imin(D_MC, i_hi - i0);
        d_pack_a(mc, kc, a + i0 * ars + p0 * acs, ars, acs, alpha, pa);
        for (int jr = 0; jr < nc; jr += D_NR) {
          const int cols = imin(D_NR, nc - jr);
          for (int ir = 0; ir < mc; ir += D_MR) {
            const int rows = imin(D_MR, mc - ir);
            const int gi = i0 + ir, gj = j0 + jr;
            const int di = gi + off; /* the row's index relative to column 0 of this part */
            int tile_mask = 0;
            if (mask == 1) {
              if (di + rows - 1 < gj) continue;
              if (di < gj + cols - 1) tile_mask = 1;
            } else if (mask == 2) {
              if (di > gj + cols - 1) continue;
              if (di + rows - 1 > gj) tile_mask = 2;
            }
            d_kernel(kc, pa + ir * kc, pb + jr * kc, c + gi * ldc + gj, ldc, rows, cols, tile_mask, di, gj);
          }
        }
      }
    }
  }
}

static void d_scale(int m, int n, f64 beta, f64 *c, int ldc, int mask, int off) {
  if (beta == 1.0) return;
  for (int i = 0; i < m; i++) {
    const int j_lo = mask == 2 ? imax(0, i + off) : 0;
    const int j_hi = mask == 1 ? imin(n, i + off + 1) : n;
    f64 *r = c + i * ldc;
    if (beta == 0.0)
      for (int j = j_lo; j < j_hi; j++) r[j] = 0.0;
    else
      for (int j = j_lo; j < j_hi; j++) r[j] *= beta;
  }
}

/** dgemm packing into the caller's workspace `work` (work_bytes() bytes): one thread's part of a
 * threaded product, a block of C's rows or columns. Each element's sum runs in the same order as in
 * the whole product, so the parts together equal the one-thread result bit for bit. */
EXPORT(dgemm_ws)
void dgemm_ws(int m, int n, int k, f64 alpha, const f64 *a, int ars, int acs, const f64 *b, int brs, int bcs,
              f64 beta, f64 *c, int ldc, unsigned char *work) {
  d_scale(m, n, beta, c, ldc, 0, 0);
  if (alpha == 0.0 || k == 0) return;
  d_gemm_acc(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, ldc, 0, 0, work);
}

/** C = alpha A B + beta C (dgemm); C row-major with leading dimension ldc. */
EXPORT(dgemm)
void dgemm(int m, int n, int k, f64 alpha, const f64 *a, int ars, int acs, const f64 *b, int brs, int bcs,
           f64 beta, f64 *c, int ldc) {
  dgemm_ws(m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, c, ldc, pack_ab);
}

/** C = alpha A A^T + beta C on the lower (lower = 1) or upper triangle of C (dsyrk); A n x k. */
EXPORT(dsyrk)
void dsyrk(int n, int k, f64 alpha, const f64 *a, int ars, int acs, f64 beta, f64 *c, int ldc, int lower) {
  dsyrk_part(n, k, alpha, a, ars, acs, beta, c, ldc, lower, 0, n, pack_ab);
}

/** Columns j0..j1 of dsyrk's triangle, packing into `work`: one thread's part of a threaded syrk. */
EXPORT(dsyrk_part)
void dsyrk_part(int n, int k, f64 alpha, const f64 *a, int ars, int acs, f64 beta, f64 *c, int ldc, int lower,
                int j0, int j1, unsigned char *work) {
  const int mask = lower ? 1 : 2;
  d_scale(n, j1 - j0, beta, c + j0, ldc, mask, -j0);
  if (alpha == 0.0 || k == 0) return;
  d_gemm_acc(n, j1 - j0, k, alpha, a, ars, acs, a + j0 * ars, acs, ars, c + j0, ldc, mask, -j0, work);
}

/* ---------------------------------------------------------------------------------------------- */
/* trsm: B = alpha A^-1 B, A triangular m x m (strides ars, acs), B m x n row-major (ldb).          */
/* Blocked right-looking (as LAPACK's dtrsm + level-3 update): each TRSM_NB-row diagonal block is   */
/* solved by row operations (vectorized across B's columns), then the rows still to be solved are  */
/* updated by the packed gemm. The right-side and transposed cases reach this one by transposition */
/* on the JavaScript side (a transpose is a swap of strides).                                       */
/* ---------------------------------------------------------------------------------------------- */

#define TRSM_NB 64

/* y -= s x over n elements */
static void s_row_sub(int n, f32 s, const f32 *x, f32 *y) {
  const v128_t vs = wasm_f32x4_splat(s);
  int j = 0;
  for (; j + 4 <= n; j += 4)
    wasm_v128_store(y + j, wasm_f32x4_sub(wasm_v128_load(y + j), wasm_f32x4_mul(vs, wasm_v128_load(x + j))));
  for (; j < n; j++) y[j] -= s * x[j];
}

static void s_row_div(int n, f32 d, f32 *y) {
  const v128_t vd = wasm_f32x4_splat(d);
  int j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(y + j, wasm_f32x4_div(wasm_v128_load(y + j), vd));
  for (; j < n; j++) y[j] /= d;
}

EXPORT(strsm)
void strsm(int m, int n, f32 alpha, const f32 *a, int ars, int acs, f32 *b, int ldb, int lower, int unit) {
  s_scale(m, n, alpha, b, ldb, 0, 0);
  if (alpha == 0.0f || m == 0 || n == 0) return;
  if (lower) {
    for (int i0 = 0; i0 < m; i0 += TRSM_NB) {
      const int i1 = imin(m, i0 + TRSM_NB);
      for (int i = i0; i < i1; i++) {
        f32 *bi = b + i * ldb;
        for (int j = i0; j < i; j++) s_row_sub(n, a[i * ars + j * acs], b + j * ldb, bi);
        if (!unit) s_row_div(n, a[i * ars + i * acs], bi);
      }
      if (i1 < m)
        s_gemm_acc(m - i1, n, i1 - i0, -1.0f, a + i1 * ars + i0 * acs, ars, acs, b + i0 * ldb, ldb, 1,
                   b + i1 * ldb, ldb, 0, 0, pack_ab);
    }
  } else {
    for (int i1 = m; i1 > 0; i1 -= TRSM_NB) {
      const int i0 = i1 > TRSM_NB ? i1 - TRSM_NB : 0;
      for (int i = i1 - 1; i >= i0; i--) {
        f32 *bi = b + i * ldb;
        for (int j = i + 1; j < i1; j++) s_row_sub(n, a[i * ars + j * acs], b + j * ldb, bi);
        if (!unit) s_row_div(n, a[i * ars + i * acs], bi);
      }
      if (i0 > 0)
        s_gemm_acc(i0, n, i1 - i0, -1.0f, a + i0 * acs, ars, acs, b + i0 * ldb, ldb, 1, b, ldb, 0, 0, pack_ab);
    }
  }
}

static void d_row_sub(int n, f64 s, const f64 *x, f64 *y) {
  const v128_t vs = wasm_f64x2_splat(s);
  int j = 0;
  for (; j + 2 <= n; j += 2)
    wasm_v128_store(y + j, wasm_f64x2_sub(wasm_v128_load(y + j), wasm_f64x2_mul(vs, wasm_v128_load(x + j))));
  for (; j < n; j++) y[j] -= s * x[j];
}

static void d_row_div(int n, f64 d, f64 *y) {
  const v128_t vd = wasm_f64x2_splat(d);
  int j = 0;
  for (; j + 2 <= n; j += 2) wasm_v128_store(y + j, wasm_f64x2_div(wasm_v128_load(y + j), vd));
  for (; j < n; j++) y[j] /= d;
}

EXPORT(dtrsm)
void dtrsm(int m, int n, f64 alpha, const f64 *a, int ars, int acs, f64 *b, int ldb, int lower, int unit) {
  d_scale(m, n, alpha, b, ldb, 0, 0);
  if (alpha == 0.0 || m == 0 || n == 0) return;
  if (lower) {
    for (int i0 = 0; i0 < m; i0 += TRSM_NB) {
      const int i1 = imin(m, i0 + TRSM_NB);
      for (int i = i0; i < i1; i++) {
        f64 *bi = b + i * ldb;
        for (int j = i0; j < i; j++) d_row_sub(n, a[i * ars + j * acs], b + j * ldb, bi);
        if (!unit) d_row_div(n, a[i * ars + i * acs], bi);
      }
      if (i1 < m)
        d_gemm_acc(m - i1, n, i1 - i0, -1.0, a + i1 * ars + i0 * acs, ars, acs, b + i0 * ldb, ldb, 1,
                   b + i1 * ldb, ldb, 0, 0, pack_ab);
    }
  } else {
    for (int i1 = m; i1 > 0; i1 -= TRSM_NB) {
      const int i0 = i1 > TRSM_NB ? i1 - TRSM_NB : 0;
      for (int i = i1 - 1; i >= i0; i--) {
        f64 *bi = b + i * ldb;
        for (int j = i + 1; j < i1; j++) d_row_sub(n, a[i * ars + j * acs], b + j * ldb, bi);
        if (!unit) d_row_div(n, a[i * ars + i * acs], bi);
      }
      if (i0 > 0)
        d_gemm_acc(i0, n, i1 - i0, -1.0, a + i0 * acs, ars, acs, b + i0 * ldb, ldb, 1, b, ldb, 0, 0, pack_ab);
    }
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* gemv: y = alpha A x + beta y, A m x n row-major (acs = 1) or column-major (ars = 1), x, y dense.  */
/* Row-major: four dot products at once (x loaded once per four rows); column-major: four axpys.   */
/* ---------------------------------------------------------------------------------------------- */

EXPORT(sgemv)
void sgemv(int m, int n, f32 alpha, const f32 *a, int ars, int acs, const f32 *x, f32 beta, f32 *y) {
  s_scale(1, m, beta, y, m, 0, 0);
  if (alpha == 0.0f || n == 0) return;
  if (acs == 1) {
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      const f32 *r0 = a + i * ars, *r1 = r0 + ars, *r2 = r1 + ars, *r3 = r2 + ars;
      v128_t s0 = wasm_f32x4_const_splat(0), s1 = s0, s2 = s0, s3 = s0;
      int j = 0;
      for (; j + 4 <= n; j += 4) {
        const v128_t xv = wasm_v128_load(x + j);
        s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(r0 + j), xv));
        s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(r1 + j), xv));
        s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(r2 + j), xv));
        s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_v128_load(r3 + j), xv));
      }
      f32 t0 = wasm_f32x4_extract_lane(s0, 0) + wasm_f32x4_extract_lane(s0, 1) +
               wasm_f32x4_extract_lane(s0, 2) + wasm_f32x4_extract_lane(s0, 3);
      f32 t1 = wasm_f32x4_extract_lane(s1, 0) + wasm_f32x4_extract_lane(s1, 1) +
               wasm_f32x4_extract_lane(s1, 2) + wasm_f32x4_extract_lane(s1, 3);
      f32 t2 = wasm_f32x4_extract_lane(s2, 0) + wasm_f32x4_extract_lane(s2, 1) +
               wasm_f32x4_extract_lane(s2, 2) + wasm_f32x4_extract_lane(s2, 3);
      f32 t3 = wasm_f32x4_extract_lane(s3, 0) + wasm_f32x4_extract_lane(s3, 1) +
               wasm_f32x4_extract_lane(s3, 2) + wasm_f32x4_extract_lane(s3, 3);
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
      const f32 *r = a + i * ars;
      v128_t s = wasm_f32x4_const_splat(0);
      int j = 0;
      for (; j + 4 <= n; j += 4) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_v128_load(r + j), wasm_v128_load(x + j)));
      f32 t = wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) +
              wasm_f32x4_extract_lane(s, 3);
      for (; j < n; j++) t += r[j] * x[j];
      y[i] += alpha * t;
    }
  } else {
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      const f32 *k0 = a + j * acs, *k1 = k0 + acs, *k2 = k1 + acs, *k3 = k2 + acs;
      const f32 x0 = alpha * x[j], x1 = alpha * x[j + 1], x2 = alpha * x[j + 2], x3 = alpha * x[j + 3];
      const v128_t v0 = wasm_f32x4_splat(x0), v1 = wasm_f32x4_splat(x1), v2 = wasm_f32x4_splat(x2),
                   v3 = wasm_f32x4_splat(x3);
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        v128_t s = wasm_v128_load(y + i);
        s = wasm_f32x4_add(s, wasm_f32x4_mul(v0, wasm_v128_load(k0 + i)));
        s = wasm_f32x4_add(s, wasm_f32x4_mul(v1, wasm_v128_load(k1 + i)));
        s = wasm_f32x4_add(s, wasm_f32x4_mul(v2, wasm_v128_load(k2 + i)));
        s = wasm_f32x4_add(s, wasm_f32x4_mul(v3, wasm_v128_load(k3 + i)));
        wasm_v128_store(y + i, s);
      }
      for (; i < m; i++) y[i] += x0 * k0[i] + x1 * k1[i] + x2 * k2[i] + x3 * k3[i];
    }
    for (; j < n; j++) {
      const f32 *k0 = a + j * acs;
      const f32 x0 = alpha * x[j];
      for (int i = 0; i < m; i++) y[i] += x0 * k0[i];
    }
  }
}

EXPORT(dgemv)
void dgemv(int m, int n, f64 alpha, const f64 *a, int ars, int acs, const f64 *x, f64 beta, f64 *y) {
  d_scale(1, m, beta, y, m, 0, 0);
  if (alpha == 0.0 || n == 0) return;
  if (acs == 1) {
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      const f64 *r0 = a + i * ars, *r1 = r0 + ars, *r2 = r1 + ars, *r3 = r2 + ars;
      v128_t s0 = wasm_f64x2_const_splat(0), s1 = s0, s2 = s0, s3 = s0;
      int j = 0;
      for (; j + 2 <= n; j += 2) {
        const v128_t xv = wasm_v128_load(x + j);
        s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(wasm_v128_load(r0 + j), xv));
        s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(wasm_v128_load(r1 + j), xv));
        s2 = wasm_f64x2_add(s2, wasm_f64x2_mul(wasm_v128_load(r2 + j), xv));
        s3 = wasm_f64x2_add(s3, wasm_f64x2_mul(wasm_v128_load(r3 + j), xv));
      }
      f64 t0 = wasm_f64x2_extract_lane(s0, 0) + wasm_f64x2_extract_lane(s0, 1);
      f64 t1 = wasm_f64x2_extract_lane(s1, 0) + wasm_f64x2_extract_lane(s1, 1);
      f64 t2 = wasm_f64x2_extract_lane(s2, 0) + wasm_f64x2_extract_lane(s2, 1);
      f64 t3 = wasm_f64x2_extract_lane(s3, 0) + wasm_f64x2_extract_lane(s3, 1);
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
      const f64 *r = a + i * ars;
      v128_t s = wasm_f64x2_const_splat(0);
      int j = 0;
      for (; j + 2 <= n; j += 2) s = wasm_f64x2_add(s, wasm_f64x2_mul(wasm_v128_load(r + j), wasm_v128_load(x + j)));
      f64 t = wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
      for (; j < n; j++) t += r[j] * x[j];
      y[i] += alpha * t;
    }
  } else {
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      const f64 *k0 = a + j * acs, *k1 = k0 + acs, *k2 = k1 + acs, *k3 = k2 + acs;
      const f64 x0 = alpha * x[j], x1 = alpha * x[j + 1], x2 = alpha * x[j + 2], x3 = alpha * x[j + 3];
      const v128_t v0 = wasm_f64x2_splat(x0), v1 = wasm_f64x2_splat(x1), v2 = wasm_f64x2_splat(x2),
                   v3 = wasm_f64x2_splat(x3);
      int i = 0;
      for (; i + 2 <= m; i += 2) {
        v128_t s = wasm_v128_load(y + i);
        s = wasm_f64x2_add(s, wasm_f64x2_mul(v0, wasm_v128_load(k0 + i)));
        s = wasm_f64x2_add(s, wasm_f64x2_mul(v1, wasm_v128_load(k1 + i)));
        s = wasm_f64x2_add(s, wasm_f64x2_mul(v2, wasm_v128_load(k2 + i)));
        s = wasm_f64x2_add(s, wasm_f64x2_mul(v3, wasm_v128_load(k3 + i)));
        wasm_v128_store(y + i, s);
      }
      for (; i < m; i++) y[i] += x0 * k0[i] + x1 * k1[i] + x2 * k2[i] + x3 * k3[i];
    }
    for (; j < n; j++) {
      const f64 *k0 = a + j * acs;
      const f64 x0 = alpha * x[j];
      for (int i = 0; i < m; i++) y[i] += x0 * k0[i];
    }
  }
}
