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
 * f32: MR x NR = 4 x 8 (8 f32x4 accumulators); f64: 4 x 4 (8 f64x2 accumulators).
 * Both precisions are one source, kernels-family.h, included once per precision below. V8 gives wasm
 * code 15 usable xmm registers on x64, which bounds the tile; there is no fused multiply-add in
 * WebAssembly SIMD 128 (relaxed-simd is not on by default in Node 20), so each step is mul + add.
 */
#include <wasm_simd128.h>

typedef float f32;
typedef double f64;

#define EXPORT_NAME(name) #name
/* (the name is macro-expanded first, so EXPORT(NAME(gemm)) exports "sgemm" or "dgemm") */
#define EXPORT(name) __attribute__((export_name(EXPORT_NAME(name))))
#define INLINE static inline __attribute__((always_inline))

#ifndef KC
#define KC 256
#endif
#ifndef S_MC
#define S_MC 192
#endif
#ifndef S_NC
#define S_NC 1024
#endif
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

/* The first byte past the static data: the JavaScript side places operands from here on. */
extern unsigned char __heap_base;
EXPORT(heap_base) unsigned int heap_base(void) { return (unsigned int)&__heap_base; }

/*
 * trsm: B = alpha A^-1 B, A triangular m x m (strides ars, acs), B m x n row-major (ldb). Blocked
 * right-looking (as LAPACK's dtrsm + level-3 update): each TRSM_NB-row diagonal block is solved by row
 * operations (vectorized across B's columns), then the rows still to be solved are updated by the
 * packed gemm. The right-side and transposed cases reach this one by transposition on the JavaScript
 * side (a transpose is a swap of strides).
 *
 * gemv: y = alpha A x + beta y, A m x n row-major (acs = 1) or column-major (ars = 1), x, y dense.
 * Row-major: four dot products at once (x loaded once per four rows); column-major: four axpys.
 */
#define TRSM_NB 64

/* float32: f32x4 lanes */
#define T f32
#define NAME(x) s##x
#define L 4
#define MC S_MC
#define NC S_NC
#define VSPLAT wasm_f32x4_splat
#define VLOAD_SPLAT wasm_v128_load32_splat
#define VADD wasm_f32x4_add
#define VSUB wasm_f32x4_sub
#define VMUL wasm_f32x4_mul
#define VDIV wasm_f32x4_div
INLINE f32 s_hsum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) +
         wasm_f32x4_extract_lane(v, 3);
}
#define hsum s_hsum
#include "kernels-family.h"
#undef T
#undef NAME
#undef L
#undef MC
#undef NC
#undef VSPLAT
#undef VLOAD_SPLAT
#undef VADD
#undef VSUB
#undef VMUL
#undef VDIV
#undef hsum

/* float64: f64x2 lanes */
#define T f64
#define NAME(x) d##x
#define L 2
#define MC D_MC
#define NC D_NC
#define VSPLAT wasm_f64x2_splat
#define VLOAD_SPLAT wasm_v128_load64_splat
#define VADD wasm_f64x2_add
#define VSUB wasm_f64x2_sub
#define VMUL wasm_f64x2_mul
#define VDIV wasm_f64x2_div
INLINE f64 d_hsum(v128_t v) { return wasm_f64x2_extract_lane(v, 0) + wasm_f64x2_extract_lane(v, 1); }
#define hsum d_hsum
#include "kernels-family.h"
