// The two libgfortran entry points that OpenBLAS's LAPACK (compiled from Fortran by gfortran)
// references, for the statically linked prebuilt binary (KRYLOV_STATIC=ON).
//
// Why not link libgfortran.a: Debian's (GCC 12) is compiled for executables, not shared objects
// (local-exec TLS: "relocation R_X86_64_TPOFF32 against hidden symbol `thread_unit' can not be
// used when making a shared object"), and _gfortran_concat_string alone drags in its whole I/O
// runtime. `nm -u libopenblas.a` lists only these two, and scripts/build-prebuilt.mjs fails the
// build if the finished .node still needs any libgfortran symbol.
#include <cstddef>
#include <cstring>
#include <sys/resource.h>

extern "C" {

// CHARACTER concatenation, dest = s1 // s2, blank-padded or truncated to destlen (gfortran >= 8
// passes lengths as size_t). Same semantics as libgfortran/intrinsics/string_intrinsics_inc.c.
__attribute__((visibility("hidden"))) void _gfortran_concat_string(size_t destlen, char *dest, size_t len1,
                                                                    const char *s1, size_t len2,
                                                                    const char *s2) {
  if (len1 >= destlen) {
    std::memcpy(dest, s1, destlen);
    return;
  }
  std::memcpy(dest, s1, len1);
  dest += len1;
  destlen -= len1;
  if (len2 >= destlen) {
    std::memcpy(dest, s2, destlen);
    return;
  }
  std::memcpy(dest, s2, len2);
  std::memset(dest + len2, ' ', destlen - len2);
}

// ETIME(TARRAY) for LAPACK's SECOND/DSECND timers (never called by the kernels Krylov uses):
// user and system CPU seconds into TARRAY(1:2), their sum returned. The argument is gfortran's
// rank-1 REAL(4) array descriptor; its first member is the data pointer, the stride is 1 here.
struct GfcArrayR4 {
  float *base;
};
__attribute__((visibility("hidden"))) float _gfortran_etime(GfcArrayR4 *t) {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  const float user = static_cast<float>(r.ru_utime.tv_sec) + 1e-6f * static_cast<float>(r.ru_utime.tv_usec);
  const float sys = static_cast<float>(r.ru_stime.tv_sec) + 1e-6f * static_cast<float>(r.ru_stime.tv_usec);
  if (t && t->base) {
    t->base[0] = user;
    t->base[1] = sys;
  }
  return user + sys;
}
}
