// LAPACK's and BLAS's error handler, replaced. The reference xerbla (and OpenBLAS's, LAPACKE's
// LAPACKE_xerbla, CBLAS's cblas_xerbla) print "** On entry to DLASCL parameter number 4 had an
// illegal value" to stdout and let the routine return. Defined here, in the addon, these win over
// the libraries' own: node dlopens the addon with its dependencies after it in the lookup scope,
// and libopenblas / liblapack / liblapacke call xerbla_ through their PLT (the symbol is weak
// there), so every internal call lands here. Nothing is printed; the routine and the parameter are
// recorded in thread-local state, which dispatch() (async.h) turns into a typed error after the
// computation (test/xerbla.test.ts checks a child process prints nothing).
#include <cstdarg>
#include <cstddef>
#include <cstring>

#include "xerbla.h"

namespace kb {
namespace {
thread_local XerblaRecord record;

void note(const char* name, size_t len, int parameter) {
  if (record.set) return;  // keep the first report: later ones follow from it
  record.set = true;
  record.parameter = parameter;
  size_t n = 0;
  while (name && n < len && n + 1 < sizeof(record.routine) && name[n] != '\0' && name[n] != ' ') {
    record.routine[n] = name[n];
    n++;
  }
  record.routine[n] = '\0';
}
}  // namespace

void xerblaClear() { record = XerblaRecord{}; }

XerblaRecord xerblaTake() {
  XerblaRecord r = record;
  record = XerblaRecord{};
  return r;
}

}  // namespace kb

extern "C" {

// Fortran: CALL XERBLA(SRNAME, INFO), SRNAME a CHARACTER*(*) (hidden length argument last).
__attribute__((visibility("default"))) void xerbla_(const char* srname, const int* info, size_t len) {
  kb::note(srname, len, info ? *info : 0);
}

// LAPACKE's handler (lapacke_utils.h): info = -k for its parameter k (the layout is parameter 1).
__attribute__((visibility("default"))) void LAPACKE_xerbla(const char* name, int info) {
  kb::note(name, name ? std::strlen(name) : 0, info < 0 ? -info : info);
}

// CBLAS's handler: p is the parameter number.
__attribute__((visibility("default"))) void cblas_xerbla(int p, const char* rout, const char* form, ...) {
  (void)form;
  kb::note(rout, rout ? std::strlen(rout) : 0, p);
}

}  // extern "C"
