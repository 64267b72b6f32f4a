// Module entry: library information, thread control, and the kernels from bindings.cc.
#include <napi.h>

#include <cblas.h>

#include <string>

#include "args.h"
#include "bindings.h"
#include "sparse.h"

#ifdef KRYLOV_HAVE_OPENBLAS
extern "C" {
char* openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
}
#endif

namespace {

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto out = Napi::Object::New(env);
#ifdef KRYLOV_HAVE_OPENBLAS
  out.Set("library", Napi::String::New(env, std::string(openblas_get_config())));
  out.Set("threads", Napi::Number::New(env, openblas_get_num_threads()));
#else
  out.Set("library", Napi::String::New(env, "system BLAS (CBLAS) + LAPACKE"));
  out.Set("threads", Napi::Number::New(env, 0));
#endif
  out.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return out;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  kb::Ctx c{info.Env(), "setThreads"};
  kb::requireArgs(c, info, 1);
  int64_t n = kb::toInt(c, info[0], "n", 1, 4096);
#ifdef KRYLOV_HAVE_OPENBLAS
  openblas_set_num_threads(static_cast<int>(n));
  return Napi::Number::New(info.Env(), openblas_get_num_threads());
#else
  (void)n;
  return Napi::Number::New(info.Env(), 0);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  kb::registerKernels(env, exports);
  kb::registerLapackMoreKernels(env, exports);
  kb::registerBatchedKernels(env, exports);
  kb::registerSparseKernels(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(krylov_native_blas, Init)
