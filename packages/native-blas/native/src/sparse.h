#pragma once

#include <napi.h>

namespace kb {

/** Adds the sparse kernel entry points (spmv) to `exports`. */
void registerSparseKernels(Napi::Env env, Napi::Object exports);

}  // namespace kb
