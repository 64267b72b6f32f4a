// LAPACK kernels beyond the factorizations in cores.h: ormqr (apply Q from geqrf), trtrs
// (triangular solve with a singularity check), gelsd (least squares by SVD) and syevr (symmetric
// eigenpairs by index range). Computations first, on validated views (no N-API: they run on any
// thread), then the JS entry points, each with a synchronous and an async form.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "args.h"
#include "async.h"
#include "bindings.h"
#include "cores.h"
#include "entry.h"

namespace kb {
namespace {

/**
 * C = op(Q) C (left) or C op(Q) (right), Q = H_0 ... H_{k-1} from the reflectors in the first k
 * columns of `a` (dormqr). LAPACK takes the reflectors column-major, so a row-major `a` has those
 * k columns copied (O(nq k) against the O(nq k ncols) work). A row-major C is the column-major
 * C^T, and op(Q) C = (C^T op(Q)^T)^T: the call on C^T flips side and transposition, no copy.
 */
template <typename T>
void ormqr(const View<T>& a, const T* tau, int k, const View<T>& c, bool left, bool trans) {
  if (c.rows == 0 || c.cols == 0 || k == 0) return;
  const int nq = a.rows;
  const T* ap = a.p;
  int lda = a.ld;
  Scratch<T> reflectors(a.colMajor ? 0 : static_cast<size_t>(nq) * k);
  if (!a.colMajor) {
    copyToColMajor(View<T>{a.p, nq, k, a.ld, false}, reflectors.data(), nq);
    ap = reflectors.data();
    lda = nq;
  }
  const bool l = c.colMajor ? left : !left, t = c.colMajor ? trans : !trans;
  const int m = c.colMajor ? c.rows : c.cols, n = c.colMajor ? c.cols : c.rows;
  const char side = l ? 'L' : 'R', tr = t ? 'T' : 'N';
  T q = 0;
  lapack_int info = lapack::ormqr(LAPACK_COL_MAJOR, side, tr, m, n, k, ap, lda, tau, c.p, c.ld, &q, -1);
  if (info < 0) internal("ormqr", info);
  Scratch<T> work(workSize(q));
  info = lapack::ormqr(LAPACK_COL_MAJOR, side, tr, m, n, k, ap, lda, tau, c.p, c.ld, work.data(), workSize(q));
  if (info < 0) internal("ormqr", info);
}

/**
 * op(A) X = B in place (dtrtrs): LAPACK's own algorithm, an exact-zero check of the diagonal
 * (returns k + 1 for the first zero A[k, k], B untouched) and then trsm, which takes either layout
 * of A and B without a copy (LAPACKE's row-major dtrtrs would transpose both).
 */
template <typename T>
int64_t trtrs(const View<T>& a, const View<T>& b, bool lower, bool trans, bool unit) {
  if (!unit)
    for (int i = 0; i < a.rows; i++)
      if (a.at(i, i) == T(0)) return i + 1;
  triangular3<T>(true, true, lower, trans, unit, T(1), a, b);
  return 0;
}

/**
 * Minimum-norm least squares by SVD (dgelsd): A m x n and B m x nrhs are read only (copied to
 * column-major scratch, which LAPACK overwrites; B's scratch has max(m, n) rows for X). X n x nrhs
 * is written to `x`, the singular values to `s`, the effective rank to *rank. Returns info (> 0:
 * the SVD did not converge).
 */
template <typename T>
int64_t gelsd(const View<T>& a, const View<T>& b, T rcond, T* s, const View<T>& x, int32_t* rank) {
  const int m = a.rows, n = a.cols;
  *rank = 0;
  for (int i = 0; i < x.rows; i++)
    for (int j = 0; j < x.cols; j++) x.at(i, j) = T(0);
  if (std::min(m, n) == 0) return 0;
  requireFinite(a, "a");
  requireFinite(b, "b");
  // dgelsd's workspace: 12 mn + 2 mn smlsiz + 8 mn nlvl + mn nrhs + (smlsiz + 1)^2 (m >= n; with
  // smlsiz = 25, nlvl <= 32), plus max(m, n) for the bidiagonalization
  workspaceFits(std::min(m, n) * (62.0 + 8 * 32 + std::max(1, b.cols)) + 676 + std::max(m, n), "gelsd");
  // dgelsd takes NRHS = 0 but hands it on to dlalsd, which rejects it (parameter 4): with no
  // right-hand side, s and the rank still come from one zero column (x = 0 there), and no x.
  const int nrhs = std::max(1, b.cols);
  const int lda = std::max(1, m), ldb = std::max({1, m, n});
  Scratch<T> aw(static_cast<size_t>(lda) * n);
  Scratch<T> bw(static_cast<size_t>(ldb) * std::max(1, nrhs));
  copyToColMajor(a, aw.data(), lda);
  if (b.cols == 0)
    std::fill_n(bw.data(), ldb, T(0));
  else
    copyToColMajor(b, bw.data(), ldb);
  for (int j = 0; j < nrhs; j++) std::fill_n(bw.data() + static_cast<size_t>(j) * ldb + m, ldb - m, T(0));
  lapack_int r = 0;
  T q = 0;
  lapack_int iq = 1;
  lapack_int info =
      lapack::gelsd(LAPACK_COL_MAJOR, m, n, nrhs, aw.data(), lda, bw.data(), ldb, s, rcond, &r, &q, -1, &iq);
  if (info < 0) internal("gelsd", info);
  Scratch<T> work(workSize(q));
  Scratch<lapack_int> iwork(std::max<lapack_int>(1, iq));
  info = lapack::gelsd(LAPACK_COL_MAJOR, m, n, nrhs, aw.data(), lda, bw.data(), ldb, s, rcond, &r, work.data(),
                       workSize(q), iwork.data());
  if (info < 0) internal("gelsd", info);
  if (info > 0) return info;
  *rank = r;
  if (b.cols > 0) copyFromColMajor(bw.data(), ldb, x);
  return 0;
}

/**
 * Eigenpairs il..iu (0-based, inclusive) of a symmetric matrix from its lower triangle (dsyevr,
 * RANGE = 'I'; `a` is read only). w gets iu - il + 1 ascending values, v (when given) the vectors
 * as columns. Returns info (> 0: an internal error of the MRRR / inverse-iteration path).
 */
template <typename T>
int64_t syevr(const View<T>& a, int il, int iu, T* w, const View<T>* v) {
  const int n = a.rows, count = iu - il + 1;
  if (n == 0 || count <= 0) return 0;
  requireFinite(a, "a", true);
  Scratch<T> z(static_cast<size_t>(n) * n);
  copyToColMajor(a, z.data(), n);  // LAPACK reads only its lower triangle
  const char jobz = v ? 'V' : 'N';
  std::vector<T> wall(n);
  Scratch<T> vecs(v ? static_cast<size_t>(n) * count : 1);
  std::vector<lapack_int> isuppz(2 * static_cast<size_t>(count));
  lapack_int found = 0, iq = 0;
  T q = 0;
  lapack_int info = lapack::syevr(LAPACK_COL_MAJOR, jobz, 'I', 'L', n, z.data(), n, T(0), T(0), il + 1, iu + 1, T(0),
                                  &found, wall.data(), vecs.data(), v ? n : 1, isuppz.data(), &q, -1, &iq, -1);
  if (info < 0) internal("syevr", info);
  const lapack_int lwork = workSize(q), liwork = std::max<lapack_int>(1, iq);
  Scratch<T> work(lwork);
  Scratch<lapack_int> iwork(liwork);
  info = lapack::syevr(LAPACK_COL_MAJOR, jobz, 'I', 'L', n, z.data(), n, T(0), T(0), il + 1, iu + 1, T(0), &found,
                       wall.data(), vecs.data(), v ? n : 1, isuppz.data(), work.data(), lwork, iwork.data(), liwork);
  if (info < 0) internal("syevr", info);
  if (info > 0) return info;
  if (found != count)
    throw std::runtime_error("syevr found " + std::to_string(found) + " eigenvalues, expected " +
                             std::to_string(count));
  std::copy(wall.begin(), wall.begin() + count, w);
  if (v) copyFromColMajor(vecs.data(), n, *v);
  return 0;
}

// ---- entry points ----

// ormqr(a, tau, c, left, transpose): a nq x ka (nq = c's rows when left, columns when right),
// tau contiguous of length k <= min(nq, ka).
Napi::Value OrmqrImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "ormqrAsync" : "ormqr", 5);
  auto a = toMat(c, info[0], "a");
  auto tau = toVec(c, info[1], "tau");
  auto cm = toMat(c, info[2], "c");
  bool left = toBool(c, info[3], "left"), trans = toBool(c, info[4], "transpose");
  sameDType(c, a.st.dtype, tau.st, "tau");
  sameDType(c, a.st.dtype, cm.st, "c");
  const int64_t nq = left ? cm.rows : cm.cols;
  dims(c, a.rows == nq,
       "a has " + std::to_string(a.rows) + " rows; Q acting on the " + (left ? "left" : "right") + " of c (" +
           shape(cm) + ") needs " + std::to_string(nq));
  dims(c, tau.n <= a.cols && tau.n <= a.rows,
       "tau has length " + std::to_string(tau.n) + ", more reflectors than a (" + shape(a) + ") holds");
  contiguousVec(c, tau, tau.n);
  noOverlap(c, cm.region(), "c", a.region(), "a");
  noOverlap(c, cm.region(), "c", tau.region(), "tau");
  return dispatch(c, a.st.dtype, async, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false);
    auto Tau = s.vec<T>(tau, false);
    auto C = s.mat<T>(cm, true);
    return [=] {
      ormqr<T>(A, Tau.p, Tau.n, C, left, trans);
      return 0.0;
    };
  });
}
Napi::Value Ormqr(const Napi::CallbackInfo& info) { return OrmqrImpl(info, false); }
Napi::Value OrmqrAsync(const Napi::CallbackInfo& info) { return OrmqrImpl(info, true); }

// trtrs(a, b, lower, transpose, unitDiag) -> info
Napi::Value TrtrsImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "trtrsAsync" : "trtrs", 5);
  auto a = toMat(c, info[0], "a"), b = toMat(c, info[1], "b");
  bool lower = toBool(c, info[2], "lower"), trans = toBool(c, info[3], "transpose"),
       unit = toBool(c, info[4], "unitDiag");
  sameDType(c, a.st.dtype, b.st, "b");
  square(c, a);
  dims(c, b.rows == a.rows, "a is " + shape(a) + ", b " + shape(b));
  noOverlap(c, b.region(), "b", a.region(), "a");
  return dispatch(c, a.st.dtype, async, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false), B = s.mat<T>(b, true);
    return [=] { return static_cast<double>(trtrs<T>(A, B, lower, trans, unit)); };
  });
}
Napi::Value Trtrs(const Napi::CallbackInfo& info) { return TrtrsImpl(info, false); }
Napi::Value TrtrsAsync(const Napi::CallbackInfo& info) { return TrtrsImpl(info, true); }

// gelsd(a, b, rcond, s, x, rank: Int32Array(1)) -> info
Napi::Value GelsdImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "gelsdAsync" : "gelsd", 6);
  auto a = toMat(c, info[0], "a"), b = toMat(c, info[1], "b");
  double rcond = toNumber(c, info[2], "rcond");
  if (std::isnan(rcond)) rangeError(c.env, c.fn, "'rcond' must not be NaN");
  auto sv = toVec(c, info[3], "s");
  auto x = toMat(c, info[4], "x");
  auto rank = toInt32Array(c, info[5], "rank", 1);
  sameDType(c, a.st.dtype, b.st, "b");
  dims(c, b.rows == a.rows, "a is " + shape(a) + ", b " + shape(b));
  dims(c, x.rows == a.cols && x.cols == b.cols,
       "x must be " + std::to_string(a.cols) + " x " + std::to_string(b.cols) + " (is " + shape(x) + ")");
  contiguousVec(c, sv, std::min(a.rows, a.cols));
  separateOutputs(c, a.st.dtype, {named(sv), named(x), Named{rank.region(), "rank", nullptr}},
                  {named(a), named(b)});
  return dispatch(c, a.st.dtype, async, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false), B = s.mat<T>(b, false), X = s.mat<T>(x, true);
    auto S = s.vec<T>(sv, true);
    int32_t* r = s.ints(rank, true);
    T rc = static_cast<T>(rcond);
    return [=] { return static_cast<double>(gelsd<T>(A, B, rc, S.p, X, r)); };
  });
}
Napi::Value Gelsd(const Napi::CallbackInfo& info) { return GelsdImpl(info, false); }
Napi::Value GelsdAsync(const Napi::CallbackInfo& info) { return GelsdImpl(info, true); }

// syevr(a, vectors, il, iu, w, v | null) -> info; 0 <= il <= iu + 1 <= n
Napi::Value SyevrImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "syevrAsync" : "syevr", 6);
  auto a = toMat(c, info[0], "a");
  square(c, a);
  bool vectors = toBool(c, info[1], "vectors");
  const int64_t n = a.rows;
  int64_t il = toInt(c, info[2], "il", 0, n);
  int64_t iu = toInt(c, info[3], "iu", il - 1, n - 1);
  const int64_t count = iu - il + 1;
  auto w = toVec(c, info[4], "w");
  contiguousVec(c, w, count);
  MatArg v;
  optionalOut(c, info[5], "v", vectors, n, count, v);
  std::vector<Named> outs{named(w)};
  if (vectors) outs.push_back(named(v));
  separateOutputs(c, a.st.dtype, outs, {named(a)});
  return dispatch(c, a.st.dtype, async, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false);
    auto W = s.vec<T>(w, true);
    View<T> V{};
    if (vectors) V = s.mat<T>(v, true);
    int lo = static_cast<int>(il), hi = static_cast<int>(iu);
    return [=] { return static_cast<double>(syevr<T>(A, lo, hi, W.p, vectors ? &V : nullptr)); };
  });
}
Napi::Value Syevr(const Napi::CallbackInfo& info) { return SyevrImpl(info, false); }
Napi::Value SyevrAsync(const Napi::CallbackInfo& info) { return SyevrImpl(info, true); }

}  // namespace

void registerLapackMoreKernels(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Value (*)(const Napi::CallbackInfo&)> table[] = {
      {"ormqr", guarded<Ormqr>}, {"ormqrAsync", guarded<OrmqrAsync>}, {"trtrs", guarded<Trtrs>},
      {"trtrsAsync", guarded<TrtrsAsync>}, {"gelsd", guarded<Gelsd>}, {"gelsdAsync", guarded<GelsdAsync>},
      {"syevr", guarded<Syevr>}, {"syevrAsync", guarded<SyevrAsync>},
  };
  for (const auto& [name, fn] : table) exports.Set(name, Napi::Function::New(env, fn, name));
}

}  // namespace kb
