// Sparse kernels: y = alpha op(A) x + beta y for a CSR matrix A (the registry kernel `spmv` that
// @krylov/solvers declares). Plain compiled loops, as scipy.sparse's csr_matvec: no BLAS involved.
// Every index is checked as it is read, so malformed arrays raise a RangeError, never an
// out-of-bounds access; on such an error y's contents are unspecified.
#include <napi.h>

#include <cstdint>
#include <string>

#include "args.h"
#include "sparse.h"

namespace kb {
namespace {

template <typename A>
A typed(const Ctx& c, const Napi::Value& v, napi_typedarray_type type, const char* name, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    typeError(c.env, c.fn, std::string("'") + name + "' must be " + what);
  return v.As<A>();
}

// spmv(indptr: Int32Array, indices: Int32Array, data: Float64Array, m, n, x: Float64Array,
//      y: Float64Array, alpha, beta, transpose)
Napi::Value Spmv(const Napi::CallbackInfo& info) {
  Ctx c{info.Env(), "spmv"};
  requireArgs(c, info, 10);
  auto indptr = typed<Napi::Int32Array>(c, info[0], napi_int32_array, "indptr", "an Int32Array");
  auto indices = typed<Napi::Int32Array>(c, info[1], napi_int32_array, "indices", "an Int32Array");
  auto data = typed<Napi::Float64Array>(c, info[2], napi_float64_array, "data", "a Float64Array");
  const int64_t m = toExtent(c, info[3], "m", 0);
  const int64_t n = toExtent(c, info[4], "n", 0);
  auto x = typed<Napi::Float64Array>(c, info[5], napi_float64_array, "x", "a Float64Array");
  auto y = typed<Napi::Float64Array>(c, info[6], napi_float64_array, "y", "a Float64Array");
  const double alpha = toNumber(c, info[7], "alpha");
  const double beta = toNumber(c, info[8], "beta");
  const bool transpose = toBool(c, info[9], "transpose");
  const int64_t rows = transpose ? n : m;  // length of y
  const int64_t cols = transpose ? m : n;  // length of x
  if (static_cast<int64_t>(indptr.ElementLength()) != m + 1)
    rangeError(c.env, c.fn, "indptr has length " + std::to_string(indptr.ElementLength()) + ", expected m + 1 = " + std::to_string(m + 1));
  if (static_cast<int64_t>(x.ElementLength()) != cols)
    rangeError(c.env, c.fn, "x has length " + std::to_string(x.ElementLength()) + ", expected " + std::to_string(cols));
  if (static_cast<int64_t>(y.ElementLength()) != rows)
    rangeError(c.env, c.fn, "y has length " + std::to_string(y.ElementLength()) + ", expected " + std::to_string(rows));
  const int64_t nnz = static_cast<int64_t>(std::min(indices.ElementLength(), data.ElementLength()));
  const int32_t* ip = indptr.Data();
  const int32_t* ix = indices.Data();
  const double* dv = data.Data();
  const double* xv = x.Data();
  double* yv = y.Data();
  if (static_cast<const void*>(yv) == static_cast<const void*>(xv) && rows > 0)
    rangeError(c.env, c.fn, "x and y must not share memory");
  if (m > 0 && ip[0] != 0) rangeError(c.env, c.fn, "indptr[0] must be 0");
  auto badRow = [&](int64_t i) {
    rangeError(c.env, c.fn, "indptr[" + std::to_string(i + 1) + "] = " + std::to_string(ip[i + 1]) +
                                " is not in [indptr[" + std::to_string(i) + "], nnz = " + std::to_string(nnz) + "]");
  };
  auto badIndex = [&](int64_t p) {
    rangeError(c.env, c.fn, "indices[" + std::to_string(p) + "] = " + std::to_string(ix[p]) + " is outside [0, " + std::to_string(n) + ")");
  };
  const uint64_t un = static_cast<uint64_t>(n);
  if (!transpose) {
    for (int64_t i = 0; i < m; i++) {
      const int64_t start = ip[i], end = ip[i + 1];
      if (end < start || end > nnz) badRow(i);
      double s = 0;
      for (int64_t p = start; p < end; p++) {
        const uint32_t j = static_cast<uint32_t>(ix[p]);
        if (j >= un) badIndex(p);
        s += dv[p] * xv[j];
      }
      yv[i] = beta == 0 ? alpha * s : alpha * s + beta * yv[i];
    }
    return info.Env().Undefined();
  }
  for (int64_t j = 0; j < n; j++) yv[j] = beta == 0 ? 0 : beta * yv[j];
  for (int64_t i = 0; i < m; i++) {
    const int64_t start = ip[i], end = ip[i + 1];
    if (end < start || end > nnz) badRow(i);
    const double xi = alpha * xv[i];
    for (int64_t p = start; p < end; p++) {
      const uint32_t j = static_cast<uint32_t>(ix[p]);
      if (j >= un) badIndex(p);
      yv[j] += dv[p] * xi;
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void registerSparseKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("spmv", Napi::Function::New(env, Spmv, "spmv"));
}

}  // namespace kb
