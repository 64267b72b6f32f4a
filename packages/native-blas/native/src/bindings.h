#pragma once

#include <napi.h>

namespace kb {

/** Adds every kernel entry point (dot, gemm, gemmAsync, potrf, ...) to `exports`. */
void registerKernels(Napi::Env env, Napi::Object exports);

}  // namespace kb
