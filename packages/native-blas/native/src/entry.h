// Helpers shared by the JS entry points (bindings.cc, lapack_more.cc, batched.cc): argument-count
// and shape checks, optional outputs, and the guard that turns stray C++ exceptions into JS errors.
#pragma once

#include <napi.h>

#include <exception>
#include <string>

#include "args.h"

namespace kb {

constexpr bool kNumber = true, kVoid = false;

inline Ctx ctx(const Napi::CallbackInfo& info, const char* fn, size_t nargs) {
  Ctx c{info.Env(), fn};
  requireArgs(c, info, nargs);
  return c;
}

inline void square(const Ctx& c, const MatArg& a) {
  dims(c, a.rows == a.cols, "'" + a.name + "' must be square (is " + shape(a) + ")");
}

inline void contiguousVec(const Ctx& c, const VecArg& v, int64_t n) {
  dims(c, v.n == n, "'" + v.name + "' must have length " + std::to_string(n) + " (has " + std::to_string(v.n) + ")");
  if (v.n > 1 && v.inc != 1) rangeError(c.env, c.fn, "'" + v.name + ".inc' must be 1");
}

/** An optional row-major output of a given shape (u, vt, v); must be null when not wanted. */
inline bool optionalOut(const Ctx& c, const Napi::Value& v, const std::string& name, bool wanted, int64_t rows,
                        int64_t cols, MatArg& out) {
  if (!wanted) {
    if (!v.IsNull()) typeError(c.env, c.fn, "'" + name + "' must be null for this job");
    return false;
  }
  out = toMat(c, v, name);
  dims(c, out.rows == rows && out.cols == cols,
       "'" + name + "' must be " + std::to_string(rows) + " x " + std::to_string(cols) + " (is " + shape(out) + ")");
  if (out.colMajor && !out.empty()) rangeError(c.env, c.fn, "'" + name + "' must be row-major");
  return true;
}

/** Turns any C++ exception that escaped validation (bad_alloc...) into a JS Error, never a crash. */
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("native: ") + e.what());
  }
}

}  // namespace kb
