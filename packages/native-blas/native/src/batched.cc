// Batched gemm: C[i] = alpha A[i] B[i] + beta C[i] for i < count, each operand a strided matrix at
// its own offset in one typed array (the registry's `gemmBatched`; broadcast inputs repeat an
// offset). One BLAS gemm per entry, in order: OpenBLAS threads each product, which is the
// efficient split for the sizes where batching matters on a few cores; for many tiny products the
// call overhead is that of cblas_?gemm itself, with no N-API call per entry.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "args.h"
#include "async.h"
#include "bindings.h"
#include "cores.h"
#include "entry.h"

namespace kb {
namespace {

/** A batch operand: one matrix shape and layout, `count` offsets into one typed array. */
struct BatchArg {
  MatArg m;  // offset 0; the shape, ld, layout and storage shared by every entry
  std::vector<int64_t> offsets;
  Region item(size_t i) const {
    MatArg x = m;
    x.offset = offsets[i];
    return x.region();
  }
  /** From the lowest first element to the highest last one: every entry lies inside. */
  Region hull() const {
    Region r{nullptr, nullptr};
    for (size_t i = 0; i < offsets.size(); i++) {
      Region x = item(i);
      if (x.lo == x.hi) continue;
      if (r.lo == r.hi) r = x;
      r.lo = std::min(r.lo, x.lo);
      r.hi = std::max(r.hi, x.hi);
    }
    return r;
  }
};

// JS shape: {data, offsets: Float64Array, rows, cols, ld, colMajor}
BatchArg toBatch(const Ctx& c, const Napi::Value& v, const std::string& name, int64_t count) {
  auto o = toObject(c, v, name);
  BatchArg b;
  b.m.name = name;
  b.m.st = toStorage(c, o.Get("data"), name + ".data");
  b.m.rows = toExtent(c, o.Get("rows"), name + ".rows", 0);
  b.m.cols = toExtent(c, o.Get("cols"), name + ".cols", 0);
  b.m.ld = toExtent(c, o.Get("ld"), name + ".ld", 1);
  b.m.colMajor = toBool(c, o.Get("colMajor"), name + ".colMajor");
  if (b.m.ld < b.m.inner())
    rangeError(c.env, c.fn,
               "'" + name + ".ld' = " + std::to_string(b.m.ld) + " is less than the " +
                   (b.m.colMajor ? "row count " : "column count ") + std::to_string(b.m.inner()));
  Napi::Value offs = o.Get("offsets");
  if (!offs.IsTypedArray() || offs.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    typeError(c.env, c.fn, "'" + name + ".offsets' must be a Float64Array");
  auto f = offs.As<Napi::Float64Array>();
  const int64_t n = static_cast<int64_t>(f.ElementLength());
  if (count >= 0 && n != count)
    rangeError(c.env, c.fn,
               "'" + name + ".offsets' has length " + std::to_string(n) + "; the batch has " + std::to_string(count));
  if (n > kMaxDim) rangeError(c.env, c.fn, "'" + name + ".offsets' is too long");
  b.offsets.resize(static_cast<size_t>(n));
  const int64_t span = b.m.span();
  for (int64_t i = 0; i < n; i++) {
    double d = f[static_cast<size_t>(i)];
    if (!(d >= 0 && d <= static_cast<double>(kMaxOffset)) || std::floor(d) != d)
      rangeError(c.env, c.fn, "'" + name + ".offsets[" + std::to_string(i) + "]' = " + std::to_string(d) +
                                  " is not an integer in [0, 2^53]");
    int64_t off = static_cast<int64_t>(d);
    if (static_cast<uint64_t>(off + span) > b.m.st.length || static_cast<uint64_t>(off) > b.m.st.length)
      rangeError(c.env, c.fn,
                 "'" + name + "' entry " + std::to_string(i) + " (" + shape(b.m) + ", offset " + std::to_string(off) +
                     ", ld " + std::to_string(b.m.ld) + ") reaches element " + std::to_string(off + span - 1) +
                     " of an array of length " + std::to_string(b.m.st.length));
    b.offsets[static_cast<size_t>(i)] = off;
  }
  return b;
}

/** No two output entries may share memory (the products would race or depend on the order). */
void disjointEntries(const Ctx& c, const BatchArg& b) {
  std::vector<std::pair<char*, char*>> r;
  for (size_t i = 0; i < b.offsets.size(); i++) {
    Region x = b.item(i);
    if (x.lo < x.hi) r.emplace_back(x.lo, x.hi);
  }
  std::sort(r.begin(), r.end());
  for (size_t i = 1; i < r.size(); i++)
    if (r[i].first < r[i - 1].second)
      rangeError(c.env, c.fn, "entries of '" + b.m.name + "' share memory; pass a copy");
}

Napi::Value GemmBatchedImpl(const Napi::CallbackInfo& info, bool async) {
  auto c = ctx(info, async ? "gemmBatchedAsync" : "gemmBatched", 5);
  double alpha = toNumber(c, info[0], "alpha");
  double beta = toNumber(c, info[3], "beta");
  auto cb = toBatch(c, info[4], "c", -1);
  const int64_t count = static_cast<int64_t>(cb.offsets.size());
  auto ab = toBatch(c, info[1], "a", count), bb = toBatch(c, info[2], "b", count);
  sameDType(c, ab.m.st.dtype, bb.m.st, "b");
  sameDType(c, ab.m.st.dtype, cb.m.st, "c");
  dims(c, ab.m.cols == bb.m.rows && ab.m.rows == cb.m.rows && bb.m.cols == cb.m.cols,
       "a is " + shape(ab.m) + ", b " + shape(bb.m) + ", c " + shape(cb.m));
  disjointEntries(c, cb);
  noOverlap(c, cb.hull(), "c", ab.hull(), "a");
  noOverlap(c, cb.hull(), "c", bb.hull(), "b");
  return dispatch(c, ab.m.st.dtype, async, kVoid, [&](auto t, Stager& s) -> Compute {
    using T = decltype(t);
    std::vector<View<T>> A, B, C;
    // an async call stages each distinct input entry once (a broadcast input is one copy)
    auto views = [&](const BatchArg& x, bool out, std::vector<View<T>>& dst) {
      std::map<int64_t, View<T>> seen;
      for (int64_t off : x.offsets) {
        auto it = out ? seen.end() : seen.find(off);
        if (it != seen.end()) {
          dst.push_back(it->second);
          continue;
        }
        MatArg e = x.m;
        e.offset = off;
        View<T> v = s.mat<T>(e, out);
        if (!out) seen.emplace(off, v);
        dst.push_back(v);
      }
    };
    views(ab, false, A);
    views(bb, false, B);
    views(cb, true, C);
    T al = static_cast<T>(alpha), be = static_cast<T>(beta);
    return [=] {
      for (size_t i = 0; i < C.size(); i++) gemm<T>(al, A[i], B[i], be, C[i]);
      return 0.0;
    };
  });
}
Napi::Value GemmBatched(const Napi::CallbackInfo& info) { return GemmBatchedImpl(info, false); }
Napi::Value GemmBatchedAsync(const Napi::CallbackInfo& info) { return GemmBatchedImpl(info, true); }

}  // namespace

void registerBatchedKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("gemmBatched", Napi::Function::New(env, guarded<GemmBatched>, "gemmBatched"));
  exports.Set("gemmBatchedAsync", Napi::Function::New(env, guarded<GemmBatchedAsync>, "gemmBatchedAsync"));
}

}  // namespace kb
