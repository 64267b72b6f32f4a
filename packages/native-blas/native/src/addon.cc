// Module entry: library information, thread control, and the kernels from bindings.cc.
#include <napi.h>

#include <cblas.h>
#include <lapacke.h>

#include <cmath>
#include <string>

#include "args.h"
#include "async.h"
#include "bindings.h"
#include "sparse.h"

#include "threads.h"

#ifdef KRYLOV_HAVE_OPENBLAS
extern "C" {
char* openblas_get_config(void);
}
#endif

namespace {

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto out = Napi::Object::New(env);
#ifdef KRYLOV_HAVE_OPENBLAS
  out.Set("library", Napi::String::New(env, std::string(openblas_get_config())));
  int current = 0, inFlight = 0;
  kb::ThreadGate::instance().state(current, inFlight);
  out.Set("threads", Napi::Number::New(env, current));
  out.Set("maxThreads", Napi::Number::New(env, kb::ThreadGate::instance().maxThreads()));
  out.Set("inFlight", Napi::Number::New(env, inFlight));
#else
  out.Set("library", Napi::String::New(env, "system BLAS (CBLAS) + LAPACKE"));
  out.Set("threads", Napi::Number::New(env, 0));
  out.Set("maxThreads", Napi::Number::New(env, 0));
  out.Set("inFlight", Napi::Number::New(env, 0));
#endif
  out.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  // the largest extent, leading dimension or increment the kernels take (args.h: toExtent)
  out.Set("maxExtent", Napi::Number::New(env, static_cast<double>(kb::kMaxDim)));
  return out;
}

/**
 * setThreads(n): the OpenBLAS thread count of the calls made after it from JS (sync and async),
 * applied now when no call is in flight (threads.h). Returns the count in force.
 */
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  kb::Ctx c{info.Env(), "setThreads"};
  kb::requireArgs(c, info, 1);
  int64_t n = kb::toInt(c, info[0], "n", 1, 4096);
#ifdef KRYLOV_HAVE_OPENBLAS
  return Napi::Number::New(info.Env(), kb::ThreadGate::instance().request(static_cast<int>(n)));
#else
  (void)n;
  return Napi::Number::New(info.Env(), 0);
#endif
}

/**
 * _selfTestXerbla(which): makes one LAPACK ('lapack': dlascl with cfrom = NaN, parameter 4), CBLAS
 * ('blas': dgemm with lda = 0) or LAPACKE ('lapacke': row-major dgetrf with lda < n) call with an
 * illegal argument, through the same dispatch as every kernel. It must print nothing and throw the
 * error that names the routine and parameter: the test that the addon's xerbla (xerbla.cc) is the
 * one the libraries call. Not part of the API.
 */
Napi::Value SelfTestXerbla(const Napi::CallbackInfo& info) {
  kb::Ctx c{info.Env(), "_selfTestXerbla"};
  kb::requireArgs(c, info, 1);
  if (!info[0].IsString()) kb::typeError(c.env, c.fn, "'which' must be 'lapack', 'blas' or 'lapacke'");
  const std::string which = info[0].As<Napi::String>().Utf8Value();
  if (which != "lapack" && which != "blas" && which != "lapacke")
    kb::rangeError(c.env, c.fn, "'which' must be 'lapack', 'blas' or 'lapacke'");
  return kb::dispatch(c, kb::DType::F64, false, false, [&](auto, kb::Stager&) -> kb::Compute {
    return [which] {
      double a[4] = {1, 0, 0, 1};
      lapack_int ipiv[2];
      if (which == "lapack")
        LAPACKE_dlascl_work(LAPACK_COL_MAJOR, 'G', 0, 0, std::nan(""), 1.0, 1, 1, a, 1);
      else if (which == "blas")
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0, a, 0, a + 1, 1, 0.0, a + 2, 1);
      else
        LAPACKE_dgetrf(LAPACK_ROW_MAJOR, 2, 2, a, 1, ipiv);
      return 0.0;
    };
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("_selfTestXerbla", Napi::Function::New(env, SelfTestXerbla, "_selfTestXerbla"));
  kb::registerKernels(env, exports);
  kb::registerLapackMoreKernels(env, exports);
  kb::registerBatchedKernels(env, exports);
  kb::registerSparseKernels(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(krylov_native_blas, Init)
