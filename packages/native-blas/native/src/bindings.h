#pragma once

#include <napi.h>

namespace kb {

/** Adds every kernel entry point (dot, gemm, gemmAsync, potrf, ...) to `exports`. */
void registerKernels(Napi::Env env, Napi::Object exports);
/** ormqr, trtrs, gelsd, syevr and their async forms (lapack_more.cc). */
void registerLapackMoreKernels(Napi::Env env, Napi::Object exports);
/** gemmBatched and gemmBatchedAsync (batched.cc). */
void registerBatchedKernels(Napi::Env env, Napi::Object exports);

}  // namespace kb
