// The computations, on raw pointers whose extents were validated by args.h. Shared by the
// synchronous entry points (which pass the typed arrays' own memory) and the async ones (which
// pass private copies, see async.h). No N-API here, so these run on any thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <climits>
#include <stdexcept>
#include <string>

#include "lapack.h"
#include "scratch.h"

namespace kb {

static_assert(sizeof(lapack_int) == sizeof(int32_t), "pivots are passed as Int32Array");

/** A validated matrix: element (i, j) at p[i * ld + j], or p[i + j * ld] when colMajor. */
template <typename T>
struct View {
  T* p;
  int rows, cols, ld;
  bool colMajor;
  T& at(int i, int j) const {
    return colMajor ? p[i + static_cast<int64_t>(j) * ld] : p[static_cast<int64_t>(i) * ld + j];
  }
  CBLAS_ORDER order() const { return colMajor ? CblasColMajor : CblasRowMajor; }
};

/** A validated vector: p points at the lowest element touched (BLAS's convention for inc < 0). */
template <typename T>
struct VView {
  T* p;
  int n, inc;
  T& at(int i) const {
    int64_t k = inc < 0 ? static_cast<int64_t>(n - 1 - i) * -inc : static_cast<int64_t>(i) * inc;
    return p[k];
  }
};

/** dst (column-major, leading dimension ld) = a. */
template <typename T>
void copyToColMajor(const View<T>& a, T* dst, int ld) {
  if (!a.colMajor) return transposeInto(a.rows, a.cols, a.p, a.ld, dst, ld);
  for (int j = 0; j < a.cols; j++)
    std::copy_n(a.p + static_cast<int64_t>(j) * a.ld, a.rows, dst + static_cast<int64_t>(j) * ld);
}

/** v = src (column-major, leading dimension ld), v's shape. */
template <typename T>
void copyFromColMajor(const T* src, int ld, const View<T>& v) {
  if (!v.colMajor) return transposeInto(v.cols, v.rows, src, ld, v.p, v.ld);
  for (int j = 0; j < v.cols; j++)
    std::copy_n(src + static_cast<int64_t>(j) * ld, v.rows, v.p + static_cast<int64_t>(j) * v.ld);
}

/**
 * `a` as LAPACK's column-major routines take it: `a` itself when it is column-major, else its
 * transpose in pooled scratch (scratch.h), which `commit` writes back. This is the copy
 * LAPACKE's row-major wrappers make, without their allocation per call.
 */
template <typename T>
struct ColMajor {
  explicit ColMajor(const View<T>& v)
      : a(v),
        copy(v.colMajor ? 0 : static_cast<size_t>(v.rows) * v.cols),
        p(v.colMajor ? v.p : copy.data()),
        ld(v.colMajor ? v.ld : std::max(v.rows, 1)) {
    if (!a.colMajor) copyToColMajor(a, p, ld);
  }
  void commit() const {
    if (!a.colMajor) copyFromColMajor(p, ld, a);
  }
  const View<T> a;
  const Scratch<T> copy;
  T* const p;
  const int ld;
};

/**
 * An error of a computation that JS code should see typed (async.h: dispatch and Worker turn it
 * into an Error with `code` and `argument`, which kernels.ts maps to InvalidArgumentError).
 */
struct KernelError : std::runtime_error {
  KernelError(const std::string& code, const std::string& argument, const std::string& message)
      : std::runtime_error(message), code(code), argument(argument) {}
  std::string code, argument;
};

/**
 * Refuses NaN or +-Infinity in the entries of `a` LAPACK reads (`lowerOnly`: the lower triangle,
 * for the symmetric routines). LAPACK's behaviour on such input is undefined: dgesdd and dgelsd
 * reject it as an illegal argument, dgeev's balancing does too, dsyevr returns zeros with info 1,
 * others return NaN with info 0 or iterate without end; an O(n^2) scan against O(n^3) work.
 */
template <typename T>
void requireFinite(const View<T>& a, const char* name, bool lowerOnly = false) {
  for (int i = 0; i < a.rows; i++)
    for (int j = 0, end = lowerOnly ? std::min(i + 1, a.cols) : a.cols; j < end; j++)
      if (!std::isfinite(a.at(i, j)))
        throw KernelError("KRYLOV_NON_FINITE", name,
                          std::string("'") + name + "' has a non-finite entry (" +
                              std::to_string(static_cast<double>(a.at(i, j))) + ") at [" + std::to_string(i) + ", " +
                              std::to_string(j) + "]; LAPACK's result on NaN or Infinity is undefined");
}

[[noreturn]] inline void internal(const std::string& routine, int64_t info) {
  throw std::runtime_error(routine + " rejected argument " + std::to_string(-info) +
                           " (a bug in @krylov/native-blas: please report it)");
}

/** C = beta C on the whole matrix or one triangle; beta = 0 writes zeros (NaN in C included). */
template <typename T>
void scaleMat(const View<T>& c, T beta, int tri = 0) {
  if (beta == T(1)) return;
  for (int i = 0; i < c.rows; i++) {
    int j0 = tri > 0 ? i : 0, j1 = tri < 0 ? std::min(i + 1, c.cols) : c.cols;
    for (int j = j0; j < j1; j++) c.at(i, j) = beta == T(0) ? T(0) : beta * c.at(i, j);
  }
}

template <typename T>
void scaleVec(const VView<T>& y, T beta) {
  if (beta == T(1)) return;
  for (int i = 0; i < y.n; i++) y.at(i) = beta == T(0) ? T(0) : beta * y.at(i);
}

// Operands stored in the other layout than the output are passed transposed, so every view that
// has one unit stride goes to BLAS without a copy.
inline CBLAS_TRANSPOSE transIf(bool t) { return t ? CblasTrans : CblasNoTrans; }

template <typename T>
void gemm(T alpha, const View<T>& a, const View<T>& b, T beta, const View<T>& c) {
  int m = c.rows, n = c.cols, k = a.cols;
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == T(0)) return scaleMat(c, beta);
  // beta = 0: BLAS itself ignores C's old contents (NaN included), as the reference dgemm
  // specifies and OpenBLAS's beta kernel does, so C is not zeroed here first (a full extra pass
  // over C: 8 MB at n = 1024 in float64)
  blas::gemm(c.order(), transIf(a.colMajor != c.colMajor), transIf(b.colMajor != c.colMajor), m, n, k, alpha, a.p,
             a.ld, b.p, b.ld, beta, c.p, c.ld);
}

template <typename T>
void gemv(T alpha, const View<T>& a, const VView<T>& x, T beta, const VView<T>& y) {
  int m = a.rows, n = a.cols;
  if (m == 0) return;
  if (beta == T(0)) scaleVec(y, T(0));
  if (n == 0 || alpha == T(0)) return scaleVec(y, beta);
  blas::gemv(a.order(), m, n, alpha, a.p, a.ld, x.p, x.inc, beta, y.p, y.inc);
}

template <typename T>
void ger(T alpha, const VView<T>& x, const VView<T>& y, const View<T>& a) {
  if (a.rows == 0 || a.cols == 0) return;
  blas::ger(a.order(), a.rows, a.cols, alpha, x.p, x.inc, y.p, y.inc, a.p, a.ld);
}

template <typename T>
void syrk(T alpha, const View<T>& a, T beta, const View<T>& c, bool lower) {
  int n = c.rows, k = a.cols;
  if (n == 0) return;
  int tri = lower ? -1 : 1;
  if (beta == T(0)) scaleMat(c, T(0), tri);
  if (k == 0 || alpha == T(0)) return scaleMat(c, beta, tri);
  blas::syrk(c.order(), lower ? CblasLower : CblasUpper, transIf(a.colMajor != c.colMajor), n, k, alpha, a.p, a.ld,
             beta, c.p, c.ld);
}

/** op(A)^-1 B or B op(A)^-1 (trsm), or op(A) B / B op(A) (trmm): A stored in the other layout is its transpose. */
template <typename T>
void triangular3(bool solve, bool left, bool lower, bool transOp, bool unit, T alpha, const View<T>& a,
                 const View<T>& b) {
  if (b.rows == 0 || b.cols == 0) return;
  bool flip = a.colMajor != b.colMajor;
  auto uplo = lower != flip ? CblasLower : CblasUpper;
  auto trans = transIf(flip != transOp);
  auto side = left ? CblasLeft : CblasRight;
  auto diag = unit ? CblasUnit : CblasNonUnit;
  if (solve)
    blas::trsm(b.order(), side, uplo, trans, diag, b.rows, b.cols, alpha, a.p, a.ld, b.p, b.ld);
  else
    blas::trmm(b.order(), side, uplo, trans, diag, b.rows, b.cols, alpha, a.p, a.ld, b.p, b.ld);
}

template <typename T>
void triangular2(bool solve, const View<T>& a, const VView<T>& x, bool lower, bool unit) {
  if (a.rows == 0) return;
  auto uplo = lower ? CblasLower : CblasUpper;
  auto diag = unit ? CblasUnit : CblasNonUnit;
  if (solve)
    blas::trsv(a.order(), uplo, diag, a.rows, a.p, a.ld, x.p, x.inc);
  else
    blas::trmv(a.order(), uplo, diag, a.rows, a.p, a.ld, x.p, x.inc);
}

/** Cholesky on the lower triangle. Row-major storage is the column-major transpose, whose upper triangle it is. */
template <typename T>
int64_t potrf(const View<T>& a) {
  if (a.rows == 0) return 0;
  lapack_int info = lapack::potrf(LAPACK_COL_MAJOR, a.colMajor ? 'L' : 'U', a.rows, a.p, a.ld);
  if (info < 0) internal("potrf", info);
  // OpenBLAS's potrf tests a pivot with `ajj <= 0`, which NaN passes, so a NaN entry gives info 0
  // and a NaN factor. The pure-JS kernel (and reference dpotf2's DISNAN test) stops at the first
  // column whose pivot is not > 0, NaN included; a NaN in the input makes every later pivot it
  // reaches NaN, so the first NaN on the factor's diagonal is that column.
  if (info == 0)
    for (int j = 0; j < a.rows; j++)
      if (std::isnan(a.at(j, j))) return j + 1;
  return info;
}

template <typename T>
void potrs(const View<T>& l, const View<T>& b) {
  triangular3(true, true, true, false, false, T(1), l, b);
  triangular3(true, true, true, true, false, T(1), l, b);
}

/** LU with partial pivoting; ipiv comes back 0-based (LAPACK's is 1-based). */
template <typename T>
int64_t getrf(const View<T>& a, int32_t* ipiv) {
  int k = std::min(a.rows, a.cols);
  if (k == 0) return 0;
  ColMajor<T> c(a);
  lapack_int info = lapack::getrf(LAPACK_COL_MAJOR, a.rows, a.cols, c.p, c.ld, ipiv);
  if (info < 0) internal("getrf", info);
  c.commit();
  for (int i = 0; i < k; i++) ipiv[i] -= 1;
  return info;
}

template <typename T>
void swapRows(const View<T>& b, int r, int s) {
  if (b.colMajor)
    blas::swap(b.cols, b.p + r, b.ld, b.p + s, b.ld);
  else
    blas::swap(b.cols, b.p + static_cast<int64_t>(r) * b.ld, 1, b.p + static_cast<int64_t>(s) * b.ld, 1);
}

/** A X = B or A^T X = B from getrf's packed factors; ipiv entries were range-checked by the caller. */
template <typename T>
void getrs(const View<T>& lu, const int32_t* ipiv, int nPiv, const View<T>& b, bool transpose) {
  if (b.rows == 0 || b.cols == 0) return;
  if (!transpose) {
    for (int k = 0; k < nPiv; k++)
      if (ipiv[k] != k) swapRows(b, k, ipiv[k]);
    triangular3(true, true, true, false, true, T(1), lu, b);
    triangular3(true, true, false, false, false, T(1), lu, b);
  } else {
    triangular3(true, true, false, true, false, T(1), lu, b);
    triangular3(true, true, true, true, true, T(1), lu, b);
    for (int k = nPiv - 1; k >= 0; k--)
      if (ipiv[k] != k) swapRows(b, k, ipiv[k]);
  }
}

/**
 * A X = B for a square A (LAPACK ?gesv's result) without a transposing copy: read in the other
 * layout, a row-major A is A^T, so its buffer is factored as it lies by column-major ?getrf
 * (P A^T = L U) and B solved with the transposed factors (A = (A^T)^T); a column-major A is
 * factored as A. The pivots live in `ipiv` (n entries). Returns info (> 0: exact zero pivot, B
 * left unsolved).
 */
template <typename T>
int64_t gesv(const View<T>& a, int32_t* ipiv, const View<T>& b) {
  int n = a.rows;
  if (n == 0) return 0;
  lapack_int info = lapack::getrf(LAPACK_COL_MAJOR, n, n, a.p, a.ld, ipiv);
  if (info < 0) internal("gesv (getrf)", info);
  if (info > 0) return info;
  for (int i = 0; i < n; i++) ipiv[i] -= 1;
  getrs(View<T>{a.p, n, n, a.ld, true}, ipiv, n, b, !a.colMajor);
  return 0;
}

/**
 * Refuses a call whose LAPACK workspace (`elements`, from the routine's documented minimum, in
 * double) does not fit LAPACK's 32-bit integers: the routine would compute its size and its
 * workspace offsets with int arithmetic that wraps (dgesdd's 4 k^2 past k = 23170, dsyevd's 2 n^2
 * past n = 32767), so its query answers garbage and the call rejects its LWORK.
 */
inline void workspaceFits(double elements, const char* routine) {
  if (elements > static_cast<double>(INT32_MAX))
    throw KernelError("KRYLOV_INT32", "a",
                      std::string(routine) + " needs a workspace of " + std::to_string(elements) +
                          " elements, beyond the 32-bit integers LAPACK indexes it with (2^31 - 1)");
}

/** LAPACK's optimal workspace from a query's first element, at least 1. */
template <typename T>
lapack_int workSize(T query) {
  double w = static_cast<double>(query);
  if (!(w >= 1)) return 1;
  if (w > 2e9)
    throw KernelError("KRYLOV_INT32", "a",
                      "LAPACK needs a workspace of " + std::to_string(w) +
                          " elements, beyond the 32-bit integers it indexes with (2^31 - 1)");
  return static_cast<lapack_int>(w);
}

template <typename T>
void geqrf(const View<T>& a, T* tau) {
  if (std::min(a.rows, a.cols) == 0) return;
  ColMajor<T> c(a);
  T q = 0;
  lapack_int info = lapack::geqrf(LAPACK_COL_MAJOR, a.rows, a.cols, c.p, c.ld, tau, &q, -1);
  if (info < 0) internal("geqrf", info);
  Scratch<T> work(workSize(q));
  info = lapack::geqrf(LAPACK_COL_MAJOR, a.rows, a.cols, c.p, c.ld, tau, work.data(), workSize(q));
  if (info < 0) internal("geqrf", info);
  c.commit();
}

template <typename T>
void orgqr(const View<T>& a, const T* tau, int k) {
  if (a.cols == 0) return;
  ColMajor<T> c(a);
  T q = 0;
  lapack_int info = lapack::orgqr(LAPACK_COL_MAJOR, a.rows, a.cols, k, c.p, c.ld, tau, &q, -1);
  if (info < 0) internal("orgqr", info);
  Scratch<T> work(workSize(q));
  info = lapack::orgqr(LAPACK_COL_MAJOR, a.rows, a.cols, k, c.p, c.ld, tau, work.data(), workSize(q));
  if (info < 0) internal("orgqr", info);
  c.commit();
}

/** QR with column pivoting; jpvt comes back 0-based. */
template <typename T>
void geqp3(const View<T>& a, T* tau, int32_t* jpvt) {
  for (int j = 0; j < a.cols; j++) jpvt[j] = 0;  // 0: every column is free to move
  if (std::min(a.rows, a.cols) == 0) {
    for (int j = 0; j < a.cols; j++) jpvt[j] = j;
    return;
  }
  ColMajor<T> c(a);
  T q = 0;
  lapack_int info = lapack::geqp3(LAPACK_COL_MAJOR, a.rows, a.cols, c.p, c.ld, jpvt, tau, &q, -1);
  if (info < 0) internal("geqp3", info);
  Scratch<T> work(workSize(q));
  info = lapack::geqp3(LAPACK_COL_MAJOR, a.rows, a.cols, c.p, c.ld, jpvt, tau, work.data(), workSize(q));
  if (info < 0) internal("geqp3", info);
  c.commit();
  for (int j = 0; j < a.cols; j++) jpvt[j] -= 1;
}

enum class SvdJob { Values, Thin, Full };

/**
 * SVD by divide and conquer (dgesdd). A row-major m x n buffer is the column-major n x m
 * transpose, whose SVD V S U^T LAPACK writes straight into row-major vt and u: no transposes.
 * A column-major input is first copied to row-major scratch. `a` may be overwritten.
 */
template <typename T>
int64_t gesdd(const View<T>& a, SvdJob job, T* s, const View<T>* u, const View<T>* vt) {
  int m = a.rows, n = a.cols, k = std::min(m, n);
  if (k == 0) {
    // nothing to factor; 'full' still owes orthogonal (identity) U and V^T
    if (job == SvdJob::Full) {
      for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) u->at(i, j) = i == j ? T(1) : T(0);
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) vt->at(i, j) = i == j ? T(1) : T(0);
    }
    return 0;
  }
  requireFinite(a, "a");
  {
    const double mn = k, mx = std::max(m, n);
    workspaceFits(job == SvdJob::Values ? 3 * mn + std::max(mx, 7 * mn) : 4 * mn * mn + 6 * mn + mx, "gesdd");
  }
  Scratch<T> rowMajor(a.colMajor ? static_cast<size_t>(m) * n : 0);
  T* w = a.p;
  int lda = a.ld;
  if (a.colMajor) {
    transposeInto(n, m, a.p, a.ld, rowMajor.data(), n);
    w = rowMajor.data();
    lda = n;
  }
  char jobz = job == SvdJob::Values ? 'N' : job == SvdJob::Thin ? 'S' : 'A';
  static T none[1];
  T* uPtr = job == SvdJob::Values ? none : vt->p;  // LAPACK's U of A^T is V
  int ldu = job == SvdJob::Values ? 1 : vt->ld;
  T* vtPtr = job == SvdJob::Values ? none : u->p;  // and its V^T is U^T
  int ldvt = job == SvdJob::Values ? 1 : u->ld;
  Scratch<lapack_int> iwork(8 * static_cast<size_t>(k));
  T q = 0;
  lapack_int info = lapack::gesdd(LAPACK_COL_MAJOR, jobz, n, m, w, lda, s, uPtr, ldu, vtPtr, ldvt, &q, -1,
                                  iwork.data());
  if (info < 0) internal("gesdd", info);
  Scratch<T> work(workSize(q));
  info = lapack::gesdd(LAPACK_COL_MAJOR, jobz, n, m, w, lda, s, uPtr, ldu, vtPtr, ldvt, work.data(), workSize(q),
                       iwork.data());
  if (info < 0) internal("gesdd", info);
  return info;
}

/** Symmetric eigendecomposition (dsyevd) of the lower triangle; `a` is read only; v gets eigenvectors as columns. */
template <typename T>
int64_t syevd(const View<T>& a, T* w, const View<T>* v) {
  int n = a.rows;
  if (n == 0) return 0;
  requireFinite(a, "a", true);
  workspaceFits(v ? 1 + 6.0 * n + 2.0 * n * n : 2.0 * n + 1, "syevd");
  Scratch<T> z(static_cast<size_t>(n) * n);
  copyToColMajor(a, z.data(), n);  // LAPACK reads only its lower triangle
  char jobz = v ? 'V' : 'N';
  T q = 0;
  lapack_int iq = 0;
  lapack_int info = lapack::syevd(LAPACK_COL_MAJOR, jobz, 'L', n, z.data(), n, w, &q, -1, &iq, -1);
  if (info < 0) internal("syevd", info);
  const lapack_int lwork = workSize(q), liwork = std::max<lapack_int>(1, iq);
  Scratch<T> work(lwork);
  Scratch<lapack_int> iwork(liwork);
  info = lapack::syevd(LAPACK_COL_MAJOR, jobz, 'L', n, z.data(), n, w, work.data(), lwork, iwork.data(), liwork);
  if (info < 0) internal("syevd", info);
  if (v) copyFromColMajor(z.data(), n, *v);
  return info;
}

/** geev's eigenvalues only, on the column-major n x n `h` (overwritten): see geev below. */
template <typename T>
int64_t geevValues(T* h, int n, T* wr, T* wi) {
  const T eps = lapack::lamch<T>('P'), smlnum = std::sqrt(lapack::lamch<T>('S')) / eps, bignum = T(1) / smlnum;
  const T anrm = lapack::lange(LAPACK_COL_MAJOR, 'M', n, n, h, n);
  T cscale = 0;
  bool scaled = false;
  if (anrm > 0 && anrm < smlnum) {
    scaled = true;
    cscale = smlnum;
  } else if (anrm > bignum) {
    scaled = true;
    cscale = bignum;
  }
  lapack_int info;
  if (scaled) {
    info = lapack::lascl(LAPACK_COL_MAJOR, 'G', 0, 0, anrm, cscale, n, n, h, n);
    if (info < 0) internal("geev (lascl)", info);
  }
  lapack_int ilo = 1, ihi = n;
  Scratch<T> scale(n);
  info = lapack::gebal(LAPACK_COL_MAJOR, 'B', n, h, n, &ilo, &ihi, scale.data());
  if (info < 0) internal("geev (gebal)", info);
  Scratch<T> tau(std::max(1, n - 1));
  T q = 0;
  info = lapack::gehrd(LAPACK_COL_MAJOR, n, ilo, ihi, h, n, tau.data(), &q, -1);
  if (info < 0) internal("geev (gehrd)", info);
  lapack_int lwork = std::max<lapack_int>(workSize(q), 4 * static_cast<lapack_int>(n));
  T dummy = 0;
  info = lapack::hseqr(LAPACK_COL_MAJOR, 'S', 'N', n, ilo, ihi, h, n, wr, wi, &dummy, 1, &q, -1);
  if (info < 0) internal("geev (hseqr)", info);
  lwork = std::max(lwork, workSize(q));
  Scratch<T> work(lwork);
  info = lapack::gehrd(LAPACK_COL_MAJOR, n, ilo, ihi, h, n, tau.data(), work.data(), lwork);
  if (info < 0) internal("geev (gehrd)", info);
  info = lapack::hseqr(LAPACK_COL_MAJOR, 'S', 'N', n, ilo, ihi, h, n, wr, wi, &dummy, 1, work.data(), lwork);
  if (info < 0) internal("geev (hseqr)", info);
  if (scaled) {
    // undo the scaling as dgeev does: the converged values (all, or info + 1..n)
    lapack_int from = info > 0 ? info : 0, count = n - from;
    lapack::lascl(LAPACK_COL_MAJOR, 'G', 0, 0, cscale, anrm, count, 1, wr + from, std::max<lapack_int>(count, 1));
    lapack::lascl(LAPACK_COL_MAJOR, 'G', 0, 0, cscale, anrm, count, 1, wi + from, std::max<lapack_int>(count, 1));
    if (info > 0 && ilo > 1) {
      lapack::lascl(LAPACK_COL_MAJOR, 'G', 0, 0, cscale, anrm, ilo - 1, 1, wr, n);
      lapack::lascl(LAPACK_COL_MAJOR, 'G', 0, 0, cscale, anrm, ilo - 1, 1, wi, n);
    }
  }
  return info;
}

/**
 * Nonsymmetric eigenproblem (dgeev, with balancing): eigenvalues wr + i wi; with `v`, right
 * eigenvectors packed as LAPACK does (complex pairs in two columns). `a` is read only.
 *
 * Without `v` this is dgeev's own sequence minus the vectors (scale into range as dgeev does,
 * dgebal 'B', dgehrd, then dhseqr JOB = 'S', COMPZ = 'N') rather than dgeev with JOBVR = 'N',
 * whose dhseqr JOB = 'E' follows another path through the QR sweeps: so the eigenvalues with and
 * without vectors are the same numbers in the same order (the order of the Schur form's diagonal),
 * and `eigvals` agrees with `eig`. dhseqr's COMPZ only decides whether Z is updated; the workspace
 * is at least 4n as in dgeev, which fixes the deflation window caps (dlaqr0's NWMAX, NSMAX).
 */
template <typename T>
int64_t geev(const View<T>& a, T* wr, T* wi, const View<T>* v) {
  int n = a.rows;
  if (n == 0) return 0;
  requireFinite(a, "a");
  Scratch<T> z(static_cast<size_t>(n) * n);
  copyToColMajor(a, z.data(), n);
  if (!v) return geevValues<T>(z.data(), n, wr, wi);
  Scratch<T> vr(static_cast<size_t>(n) * n);
  T dummy = 0;
  T q = 0;
  lapack_int info =
      lapack::geev(LAPACK_COL_MAJOR, 'N', 'V', n, z.data(), n, wr, wi, &dummy, 1, vr.data(), n, &q, -1);
  if (info < 0) internal("geev", info);
  Scratch<T> work(workSize(q));
  info = lapack::geev(LAPACK_COL_MAJOR, 'N', 'V', n, z.data(), n, wr, wi, &dummy, 1, vr.data(), n, work.data(),
                      workSize(q));
  if (info < 0) internal("geev", info);
  copyFromColMajor(vr.data(), n, *v);
  return info;
}

}  // namespace kb
