// The JS entry points: parse and validate every argument (args.h), check shapes and aliasing,
// then run the computation (cores.h) now or off the main thread (async.h).
#include "bindings.h"

#include "args.h"
#include "async.h"
#include "cores.h"
#include "entry.h"

namespace kb {
namespace {

// ---- level 1 ----

Napi::Value Dot(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "dot", 2);
  auto x = toVec(c, info[0], "x"), y = toVec(c, info[1], "y");
  sameDType(c, x.st.dtype, y.st, "y");
  dims(c, x.n == y.n, "x has length " + std::to_string(x.n) + ", y " + std::to_string(y.n));
  return dispatch(c, x.st.dtype, false, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto X = s.vec<T>(x, false), Y = s.vec<T>(y, false);
    return [=] { return X.n == 0 ? 0.0 : blas::dot(X.n, X.p, X.inc, Y.p, Y.inc); };
  });
}

Napi::Value Nrm2(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "nrm2", 1);
  auto x = toVec(c, info[0], "x");
  return dispatch(c, x.st.dtype, false, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto X = s.vec<T>(x, false);
    // BLAS nrm2 returns 0 for a negative increment; the norm does not depend on the order
    return [=] { return X.n == 0 ? 0.0 : blas::nrm2(X.n, X.p, X.inc < 0 ? -X.inc : X.inc); };
  });
}

Napi::Value Axpy(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "axpy", 3);
  double alpha = toNumber(c, info[0], "alpha");
  auto x = toVec(c, info[1], "x"), y = toVec(c, info[2], "y");
  sameDType(c, x.st.dtype, y.st, "y");
  dims(c, x.n == y.n, "x has length " + std::to_string(x.n) + ", y " + std::to_string(y.n));
  noOverlap(c, y.region(), "y", x.region(), "x");
  return dispatch(c, x.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto X = s.vec<T>(x, false), Y = s.vec<T>(y, true);
    T a = static_cast<T>(alpha);
    return [=] {
      if (X.n > 0) blas::axpy(X.n, a, X.p, X.inc, Y.p, Y.inc);
      return 0.0;
    };
  });
}

Napi::Value Scal(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "scal", 2);
  double alpha = toNumber(c, info[0], "alpha");
  auto x = toVec(c, info[1], "x");
  return dispatch(c, x.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto X = s.vec<T>(x, true);
    T a = static_cast<T>(alpha);
    // the plain product, so 0 * NaN stays NaN as in the pure-JS kernel (some BLAS zero-fill)
    return [=] {
      for (int i = 0; i < X.n; i++) X.at(i) *= a;
      return 0.0;
    };
  });
}

// ---- level 2 ----

Napi::Value Gemv(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "gemv", 5);
  double alpha = toNumber(c, info[0], "alpha");
  auto a = toMat(c, info[1], "a");
  auto x = toVec(c, info[2], "x");
  double beta = toNumber(c, info[3], "beta");
  auto y = toVec(c, info[4], "y");
  sameDType(c, a.st.dtype, x.st, "x");
  sameDType(c, a.st.dtype, y.st, "y");
  dims(c, x.n == a.cols && y.n == a.rows,
       "a is " + shape(a) + ", x has length " + std::to_string(x.n) + ", y " + std::to_string(y.n));
  noOverlap(c, y.region(), "y", a.region(), "a");
  noOverlap(c, y.region(), "y", x.region(), "x");
  return dispatch(c, a.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false);
    auto X = s.vec<T>(x, false), Y = s.vec<T>(y, true);
    T al = static_cast<T>(alpha), be = static_cast<T>(beta);
    return [=] {
      gemv<T>(al, A, X, be, Y);
      return 0.0;
    };
  });
}

Napi::Value Ger(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "ger", 4);
  double alpha = toNumber(c, info[0], "alpha");
  auto x = toVec(c, info[1], "x"), y = toVec(c, info[2], "y");
  auto a = toMat(c, info[3], "a");
  sameDType(c, a.st.dtype, x.st, "x");
  sameDType(c, a.st.dtype, y.st, "y");
  dims(c, x.n == a.rows && y.n == a.cols,
       "a is " + shape(a) + ", x has length " + std::to_string(x.n) + ", y " + std::to_string(y.n));
  noOverlap(c, a.region(), "a", x.region(), "x");
  noOverlap(c, a.region(), "a", y.region(), "y");
  return dispatch(c, a.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto X = s.vec<T>(x, false), Y = s.vec<T>(y, false);
    auto A = s.mat<T>(a, true);
    T al = static_cast<T>(alpha);
    return [=] {
      ger<T>(al, X, Y, A);
      return 0.0;
    };
  });
}

Napi::Value Triangular2(const Napi::CallbackInfo& info, bool solve) {
  auto c = ctx(info, solve ? "trsv" : "trmv", 4);
  auto a = toMat(c, info[0], "a");
  auto x = toVec(c, info[1], "x");
  bool lower = toBool(c, info[2], "lower"), unit = toBool(c, info[3], "unitDiag");
  sameDType(c, a.st.dtype, x.st, "x");
  square(c, a);
  dims(c, x.n == a.rows, "a is " + shape(a) + ", x has length " + std::to_string(x.n));
  noOverlap(c, x.region(), "x", a.region(), "a");
  return dispatch(c, a.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false);
    auto X = s.vec<T>(x, true);
    return [=] {
      triangular2<T>(solve, A, X, lower, unit);
      return 0.0;
    };
  });
}
Napi::Value Trmv(const Napi::CallbackInfo& info) { return Triangular2(info, false); }
Napi::Value Trsv(const Napi::CallbackInfo& info) { return Triangular2(info, true); }

// ---- level 3 ----

Napi::Value GemmImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "gemmAsync" : "gemm", 5);
  double alpha = toNumber(c, info[0], "alpha");
  auto a = toMat(c, info[1], "a"), b = toMat(c, info[2], "b");
  double beta = toNumber(c, info[3], "beta");
  auto cm = toMat(c, info[4], "c");
  sameDType(c, a.st.dtype, b.st, "b");
  sameDType(c, a.st.dtype, cm.st, "c");
  dims(c, a.cols == b.rows && a.rows == cm.rows && b.cols == cm.cols,
       "a is " + shape(a) + ", b " + shape(b) + ", c " + shape(cm));
  noOverlap(c, cm.region(), "c", a.region(), "a");
  noOverlap(c, cm.region(), "c", b.region(), "b");
  return dispatch(c, a.st.dtype, async, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false), B = s.mat<T>(b, false), C = s.mat<T>(cm, true);
    T al = static_cast<T>(alpha), be = static_cast<T>(beta);
    return [=] {
      gemm<T>(al, A, B, be, C);
      return 0.0;
    };
  });
}
Napi::Value Gemm(const Napi::CallbackInfo& info) { return GemmImpl(info, false); }
Napi::Value GemmAsync(const Napi::CallbackInfo& info) { return GemmImpl(info, true); }

Napi::Value Syrk(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "syrk", 5);
  double alpha = toNumber(c, info[0], "alpha");
  auto a = toMat(c, info[1], "a");
  double beta = toNumber(c, info[2], "beta");
  auto cm = toMat(c, info[3], "c");
  bool lower = toBool(c, info[4], "lower");
  sameDType(c, a.st.dtype, cm.st, "c");
  square(c, cm);
  dims(c, a.rows == cm.rows, "a is " + shape(a) + ", c " + shape(cm));
  noOverlap(c, cm.region(), "c", a.region(), "a");
  return dispatch(c, a.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false), C = s.mat<T>(cm, true);
    T al = static_cast<T>(alpha), be = static_cast<T>(beta);
    return [=] {
      syrk<T>(al, A, be, C, lower);
      return 0.0;
    };
  });
}

Napi::Value Triangular3(const Napi::CallbackInfo& info, bool solve) {
  auto c = ctx(info, solve ? "trsm" : "trmm", 6);
  bool left = toBool(c, info[0], "left"), lower = toBool(c, info[1], "lower"), unit = toBool(c, info[2], "unitDiag");
  double alpha = toNumber(c, info[3], "alpha");
  auto a = toMat(c, info[4], "a"), b = toMat(c, info[5], "b");
  sameDType(c, a.st.dtype, b.st, "b");
  square(c, a);
  dims(c, a.rows == (left ? b.rows : b.cols), "a is " + shape(a) + ", b " + shape(b) + (left ? " (left)" : " (right)"));
  noOverlap(c, b.region(), "b", a.region(), "a");
  return dispatch(c, a.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false), B = s.mat<T>(b, true);
    T al = static_cast<T>(alpha);
    return [=] {
      triangular3<T>(solve, left, lower, false, unit, al, A, B);
      return 0.0;
    };
  });
}
Napi::Value Trmm(const Napi::CallbackInfo& info) { return Triangular3(info, false); }
Napi::Value Trsm(const Napi::CallbackInfo& info) { return Triangular3(info, true); }

// ---- LAPACK ----

Napi::Value PotrfImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "potrfAsync" : "potrf", 1);
  auto a = toMat(c, info[0], "a");
  square(c, a);
  return dispatch(c, a.st.dtype, async, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, true);
    return [=] { return static_cast<double>(potrf<T>(A)); };
  });
}
Napi::Value Potrf(const Napi::CallbackInfo& info) { return PotrfImpl(info, false); }
Napi::Value PotrfAsync(const Napi::CallbackInfo& info) { return PotrfImpl(info, true); }

Napi::Value Potrs(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "potrs", 2);
  auto l = toMat(c, info[0], "l"), b = toMat(c, info[1], "b");
  sameDType(c, l.st.dtype, b.st, "b");
  square(c, l);
  dims(c, b.rows == l.rows, "l is " + shape(l) + ", b " + shape(b));
  noOverlap(c, b.region(), "b", l.region(), "l");
  return dispatch(c, l.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto L = s.mat<T>(l, false), B = s.mat<T>(b, true);
    return [=] {
      potrs<T>(L, B);
      return 0.0;
    };
  });
}

Napi::Value GetrfImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "getrfAsync" : "getrf", 2);
  auto a = toMat(c, info[0], "a");
  auto ipiv = toInt32Array(c, info[1], "ipiv", std::min(a.rows, a.cols));
  noOverlap(c, ipiv.region(), "ipiv", a.region(), "a");
  return dispatch(c, a.st.dtype, async, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, true);
    int32_t* piv = s.ints(ipiv, true);
    return [=] { return static_cast<double>(getrf<T>(A, piv)); };
  });
}
Napi::Value Getrf(const Napi::CallbackInfo& info) { return GetrfImpl(info, false); }
Napi::Value GetrfAsync(const Napi::CallbackInfo& info) { return GetrfImpl(info, true); }

Napi::Value Getrs(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "getrs", 4);
  auto lu = toMat(c, info[0], "lu");
  square(c, lu);
  auto ipiv = toInt32Array(c, info[1], "ipiv", lu.rows);
  auto b = toMat(c, info[2], "b");
  bool transpose = toBool(c, info[3], "transpose");
  sameDType(c, lu.st.dtype, b.st, "b");
  dims(c, b.rows == lu.rows, "lu is " + shape(lu) + ", b " + shape(b));
  for (size_t k = 0; k < ipiv.length; k++)
    if (ipiv.data[k] < 0 || ipiv.data[k] >= lu.rows)
      rangeError(c.env, c.fn,
                 "ipiv[" + std::to_string(k) + "] = " + std::to_string(ipiv.data[k]) + " is not a row of a " +
                     shape(lu) + " matrix");
  noOverlap(c, b.region(), "b", lu.region(), "lu");
  noOverlap(c, b.region(), "b", ipiv.region(), "ipiv");
  return dispatch(c, lu.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto LU = s.mat<T>(lu, false), B = s.mat<T>(b, true);
    const int32_t* piv = s.ints(ipiv, false);
    int n = static_cast<int>(ipiv.length);
    return [=] {
      getrs<T>(LU, piv, n, B, transpose);
      return 0.0;
    };
  });
}

Napi::Value GesvImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "gesvAsync" : "gesv", 2);
  auto a = toMat(c, info[0], "a"), b = toMat(c, info[1], "b");
  square(c, a);
  sameDType(c, a.st.dtype, b.st, "b");
  dims(c, b.rows == a.rows, "a is " + shape(a) + ", b " + shape(b));
  noOverlap(c, b.region(), "b", a.region(), "a");
  return dispatch(c, a.st.dtype, async, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, true), B = s.mat<T>(b, true);
    return [=] {
      std::vector<int32_t> ipiv(static_cast<size_t>(A.rows));
      return static_cast<double>(gesv<T>(A, ipiv.data(), B));
    };
  });
}
Napi::Value Gesv(const Napi::CallbackInfo& info) { return GesvImpl(info, false); }
Napi::Value GesvAsync(const Napi::CallbackInfo& info) { return GesvImpl(info, true); }

Napi::Value Geqrf(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "geqrf", 2);
  auto a = toMat(c, info[0], "a");
  auto tau = toVec(c, info[1], "tau");
  sameDType(c, a.st.dtype, tau.st, "tau");
  contiguousVec(c, tau, std::min(a.rows, a.cols));
  noOverlap(c, tau.region(), "tau", a.region(), "a");
  return dispatch(c, a.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, true);
    auto Tau = s.vec<T>(tau, true);
    return [=] {
      geqrf<T>(A, Tau.p);
      return 0.0;
    };
  });
}

Napi::Value Orgqr(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "orgqr", 2);
  auto a = toMat(c, info[0], "a");
  auto tau = toVec(c, info[1], "tau");
  sameDType(c, a.st.dtype, tau.st, "tau");
  dims(c, a.rows >= a.cols && a.cols >= tau.n,
       "orgqr needs rows >= cols >= tau length (a is " + shape(a) + ", tau has length " + std::to_string(tau.n) + ")");
  contiguousVec(c, tau, tau.n);
  noOverlap(c, a.region(), "a", tau.region(), "tau");
  return dispatch(c, a.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, true);
    auto Tau = s.vec<T>(tau, false);
    return [=] {
      orgqr<T>(A, Tau.p, Tau.n);
      return 0.0;
    };
  });
}

Napi::Value Geqp3(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "geqp3", 3);
  auto a = toMat(c, info[0], "a");
  auto tau = toVec(c, info[1], "tau");
  auto jpvt = toInt32Array(c, info[2], "jpvt", a.cols);
  sameDType(c, a.st.dtype, tau.st, "tau");
  contiguousVec(c, tau, std::min(a.rows, a.cols));
  noOverlap(c, tau.region(), "tau", a.region(), "a");
  noOverlap(c, jpvt.region(), "jpvt", a.region(), "a");
  return dispatch(c, a.st.dtype, false, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, true);
    auto Tau = s.vec<T>(tau, true);
    int32_t* piv = s.ints(jpvt, true);
    return [=] {
      geqp3<T>(A, Tau.p, piv);
      return 0.0;
    };
  });
}

Napi::Value GesddImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "gesddAsync" : "gesdd", 5);
  auto a = toMat(c, info[0], "a");
  if (!info[1].IsString()) typeError(c.env, c.fn, "'job' must be 'values', 'thin' or 'full'");
  std::string j = info[1].As<Napi::String>().Utf8Value();
  if (j != "values" && j != "thin" && j != "full")
    rangeError(c.env, c.fn, "'job' must be 'values', 'thin' or 'full'");
  SvdJob job = j == "values" ? SvdJob::Values : j == "thin" ? SvdJob::Thin : SvdJob::Full;
  int64_t m = a.rows, n = a.cols, k = std::min(m, n);
  auto sv = toVec(c, info[2], "s");
  contiguousVec(c, sv, k);
  MatArg u, vt;
  bool full = job == SvdJob::Full, vecs = job != SvdJob::Values;
  optionalOut(c, info[3], "u", vecs, m, full ? m : k, u);
  optionalOut(c, info[4], "vt", vecs, full ? n : k, n, vt);
  std::vector<Named> outs{named(sv)};
  if (vecs) outs.insert(outs.end(), {named(u), named(vt)});
  separateOutputs(c, a.st.dtype, outs, {named(a)});
  return dispatch(c, a.st.dtype, async, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    // `a` may be overwritten (as LAPACK does); an async call works on its copy
    auto A = s.mat<T>(a, false);
    auto S = s.vec<T>(sv, true);
    View<T> U{}, VT{};
    if (vecs) {
      U = s.mat<T>(u, true);
      VT = s.mat<T>(vt, true);
    }
    return [=] { return static_cast<double>(gesdd<T>(A, job, S.p, vecs ? &U : nullptr, vecs ? &VT : nullptr)); };
  });
}
Napi::Value Gesdd(const Napi::CallbackInfo& info) { return GesddImpl(info, false); }
Napi::Value GesddAsync(const Napi::CallbackInfo& info) { return GesddImpl(info, true); }

Napi::Value SyevdImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "syevdAsync" : "syevd", 4);
  auto a = toMat(c, info[0], "a");
  square(c, a);
  bool vectors = toBool(c, info[1], "vectors");
  auto w = toVec(c, info[2], "w");
  contiguousVec(c, w, a.rows);
  MatArg v;
  optionalOut(c, info[3], "v", vectors, a.rows, a.rows, v);
  std::vector<Named> outs{named(w)};
  if (vectors) outs.push_back(named(v));
  separateOutputs(c, a.st.dtype, outs, {named(a)});
  return dispatch(c, a.st.dtype, async, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false);
    auto W = s.vec<T>(w, true);
    View<T> V{};
    if (vectors) V = s.mat<T>(v, true);
    return [=] { return static_cast<double>(syevd<T>(A, W.p, vectors ? &V : nullptr)); };
  });
}
Napi::Value Syevd(const Napi::CallbackInfo& info) { return SyevdImpl(info, false); }
Napi::Value SyevdAsync(const Napi::CallbackInfo& info) { return SyevdImpl(info, true); }

Napi::Value Geev(const Napi::CallbackInfo& info) {
  auto c = ctx(info, "geev", 5);
  auto a = toMat(c, info[0], "a");
  square(c, a);
  bool vectors = toBool(c, info[1], "vectors");
  auto wr = toVec(c, info[2], "wr");
  auto wi = toVec(c, info[3], "wi");
  contiguousVec(c, wr, a.rows);
  contiguousVec(c, wi, a.rows);
  MatArg v;
  optionalOut(c, info[4], "v", vectors, a.rows, a.rows, v);
  std::vector<Named> outs{named(wr), named(wi)};
  if (vectors) outs.push_back(named(v));
  separateOutputs(c, a.st.dtype, outs, {named(a)});
  return dispatch(c, a.st.dtype, false, kNumber, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    auto A = s.mat<T>(a, false);
    auto WR = s.vec<T>(wr, true);
    auto WI = s.vec<T>(wi, true);
    View<T> V{};
    if (vectors) V = s.mat<T>(v, true);
    return [=] { return static_cast<double>(geev<T>(A, WR.p, WI.p, vectors ? &V : nullptr)); };
  });
}

}  // namespace

void registerKernels(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Value (*)(const Napi::CallbackInfo&)> table[] = {
      {"dot", guarded<Dot>},         {"nrm2", guarded<Nrm2>},
      {"axpy", guarded<Axpy>},       {"scal", guarded<Scal>},
      {"gemv", guarded<Gemv>},       {"ger", guarded<Ger>},
      {"trmv", guarded<Trmv>},       {"trsv", guarded<Trsv>},
      {"gemm", guarded<Gemm>},       {"gemmAsync", guarded<GemmAsync>},
      {"syrk", guarded<Syrk>},       {"trmm", guarded<Trmm>},
      {"trsm", guarded<Trsm>},       {"potrf", guarded<Potrf>},
      {"potrfAsync", guarded<PotrfAsync>}, {"potrs", guarded<Potrs>},
      {"getrf", guarded<Getrf>},     {"getrfAsync", guarded<GetrfAsync>},
      {"getrs", guarded<Getrs>},     {"gesv", guarded<Gesv>},
      {"gesvAsync", guarded<GesvAsync>}, {"geqrf", guarded<Geqrf>},
      {"orgqr", guarded<Orgqr>},     {"geqp3", guarded<Geqp3>},
      {"gesdd", guarded<Gesdd>},     {"gesddAsync", guarded<GesddAsync>},
      {"syevd", guarded<Syevd>},     {"syevdAsync", guarded<SyevdAsync>},
      {"geev", guarded<Geev>},
  };
  for (const auto& [name, fn] : table) exports.Set(name, Napi::Function::New(env, fn, name));
}

}  // namespace kb
