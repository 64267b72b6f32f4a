// Argument validation for every entry point. Nothing reaches BLAS/LAPACK before each typed
// array, offset, extent, leading dimension and stride has been checked here, so bad input from
// JavaScript is a TypeError/RangeError, never an out-of-bounds access.
#pragma once

#include <napi.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace kb {

enum class DType { F32, F64 };

inline const char* dtypeName(DType d) { return d == DType::F64 ? "float64" : "float32"; }

// Largest dimension BLAS/LAPACK accept with 32-bit integers.
constexpr int64_t kMaxDim = INT_MAX;
// Offsets beyond 2^53 cannot come from a JS number exactly.
constexpr int64_t kMaxOffset = int64_t{1} << 53;

[[noreturn]] inline void typeError(Napi::Env env, const std::string& fn, const std::string& msg) {
  throw Napi::TypeError::New(env, "native." + fn + ": " + msg);
}
[[noreturn]] inline void rangeError(Napi::Env env, const std::string& fn, const std::string& msg) {
  throw Napi::RangeError::New(env, "native." + fn + ": " + msg);
}

/** Where an entry point is and which argument is being read, for error messages. */
struct Ctx {
  Napi::Env env;
  std::string fn;
};

inline int64_t toInt(const Ctx& c, const Napi::Value& v, const std::string& name, int64_t lo, int64_t hi) {
  if (!v.IsNumber()) typeError(c.env, c.fn, "'" + name + "' must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d)
    rangeError(c.env, c.fn, "'" + name + "' must be an integer (got " + std::to_string(d) + ")");
  if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
    rangeError(c.env, c.fn,
               "'" + name + "' = " + std::to_string(static_cast<long long>(d)) + " is outside [" +
                   std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int64_t>(d);
}

/**
 * The one check of every extent, leading dimension and increment against the integer width
 * BLAS/LAPACK are built with (LP64: 32-bit int, so at most kMaxDim = 2^31 - 1). Above it the
 * value would wrap when passed on, and the kernels would run on a garbage size (or for minutes on
 * a huge one); it is refused here, before anything is copied or allocated, with a RangeError whose
 * `code` is KRYLOV_INT32 and whose `argument` names the field, which kernels.ts maps to an
 * InvalidArgumentError naming the kernel.
 */
inline int64_t toExtent(const Ctx& c, const Napi::Value& v, const std::string& name, int64_t lo) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::isfinite(d) && std::fabs(d) > static_cast<double>(kMaxDim)) {
      Napi::Error e = Napi::RangeError::New(
          c.env, "native." + c.fn + ": '" + name + "' = " + std::to_string(static_cast<long long>(d)) +
                     " does not fit the 32-bit integers BLAS/LAPACK take (at most 2^31 - 1 = " +
                     std::to_string(kMaxDim) + ")");
      e.Set("code", Napi::String::New(c.env, "KRYLOV_INT32"));
      e.Set("argument", Napi::String::New(c.env, name));
      e.Set("value", Napi::Number::New(c.env, d));
      throw e;
    }
  }
  return toInt(c, v, name, lo, kMaxDim);
}

inline double toNumber(const Ctx& c, const Napi::Value& v, const std::string& name) {
  if (!v.IsNumber()) typeError(c.env, c.fn, "'" + name + "' must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

inline bool toBool(const Ctx& c, const Napi::Value& v, const std::string& name) {
  if (!v.IsBoolean()) typeError(c.env, c.fn, "'" + name + "' must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

inline Napi::Object toObject(const Ctx& c, const Napi::Value& v, const std::string& name) {
  if (!v.IsObject() || v.IsNull() || v.IsTypedArray() || v.IsArray())
    typeError(c.env, c.fn, "'" + name + "' must be a descriptor object");
  return v.As<Napi::Object>();
}

/** A float typed array with its storage. Small arrays get real storage when first asked for. */
struct Storage {
  Napi::TypedArray array;
  DType dtype = DType::F64;
  size_t length = 0;
  void* data = nullptr;
  size_t elemSize() const { return dtype == DType::F64 ? 8 : 4; }
};

/** A typed array's current length and data pointer (Napi::TypedArray caches its length). */
inline void liveInfo(Napi::Env env, const Napi::TypedArray& array, size_t& length, void*& data) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t byteOffset;
  length = 0;
  data = nullptr;
  if (napi_get_typedarray_info(env, array, &type, &length, &data, &buffer, &byteOffset) != napi_ok) {
    length = 0;
    data = nullptr;
  }
  if (length == 0) data = nullptr;
}

/**
 * Re-reads where a typed array's elements are and checks `needed` of them still exist. Descriptor
 * fields are read through JS property access, so a getter on one argument could detach or
 * transfer another argument's buffer after it was validated; every operand is refreshed once all
 * arguments are read, right before the call.
 */
inline void refresh(Napi::Env env, const std::string& fn, Storage& s, const std::string& name, uint64_t needed) {
  liveInfo(env, s.array, s.length, s.data);
  if (needed > s.length)
    rangeError(env, fn, "'" + name + "' was detached or shrunk while the arguments were read");
}

inline Storage toStorage(const Ctx& c, const Napi::Value& v, const std::string& name) {
  if (!v.IsTypedArray()) typeError(c.env, c.fn, "'" + name + "' must be a Float64Array or Float32Array");
  auto ta = v.As<Napi::TypedArray>();
  Storage s;
  s.array = ta;
  switch (ta.TypedArrayType()) {
    case napi_float64_array:
      s.dtype = DType::F64;
      break;
    case napi_float32_array:
      s.dtype = DType::F32;
      break;
    default:
      typeError(c.env, c.fn, "'" + name + "' must be a Float64Array or Float32Array");
  }
  s.length = ta.ElementLength();
  s.data = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return s;
}

/** Elements the region spans from its first element, and the memory range it touches. */
struct Region {
  char* lo = nullptr;  // first byte touched
  char* hi = nullptr;  // one past the last byte touched
  bool overlaps(const Region& o) const { return lo < hi && o.lo < o.hi && lo < o.hi && o.lo < hi; }
};

/**
 * A matrix operand: element (i, j) at data[offset + i * ld + j] (row-major) or
 * data[offset + j * ld + i] (column-major, `colMajor`). JS shape: {data, offset, rows, cols, ld, colMajor}.
 */
struct MatArg {
  Storage st;
  std::string name;
  int64_t offset = 0, rows = 0, cols = 0, ld = 1;
  bool colMajor = false;
  int64_t inner() const { return colMajor ? rows : cols; }
  int64_t outer() const { return colMajor ? cols : rows; }
  bool empty() const { return rows == 0 || cols == 0; }
  /** Elements from the first to one past the last touched (0 when empty). */
  int64_t span() const { return empty() ? 0 : (outer() - 1) * ld + inner(); }
  template <typename T>
  T* ptr() const {
    static T dummy[1];
    // BLAS may read its pointer argument even for empty operands; never hand it a null
    return st.data ? static_cast<T*>(st.data) + offset : dummy;
  }
  Region region() const {
    char* base = static_cast<char*>(st.data) + offset * st.elemSize();
    return {base, base + span() * st.elemSize()};
  }
};

inline MatArg toMat(const Ctx& c, const Napi::Value& v, const std::string& name) {
  auto o = toObject(c, v, name);
  MatArg m;
  m.name = name;
  m.st = toStorage(c, o.Get("data"), name + ".data");
  m.offset = toInt(c, o.Get("offset"), name + ".offset", 0, kMaxOffset);
  m.rows = toExtent(c, o.Get("rows"), name + ".rows", 0);
  m.cols = toExtent(c, o.Get("cols"), name + ".cols", 0);
  m.ld = toExtent(c, o.Get("ld"), name + ".ld", 1);
  m.colMajor = toBool(c, o.Get("colMajor"), name + ".colMajor");
  if (m.ld < m.inner())
    rangeError(c.env, c.fn,
               "'" + name + ".ld' = " + std::to_string(m.ld) + " is less than the " +
                   (m.colMajor ? "row count " : "column count ") + std::to_string(m.inner()));
  // (outer - 1) * ld < 2^62 and offset <= 2^53, so no overflow in int64
  int64_t end = m.offset + m.span();
  if (static_cast<uint64_t>(end) > m.st.length || static_cast<uint64_t>(m.offset) > m.st.length)
    rangeError(c.env, c.fn,
               "'" + name + "' (" + std::to_string(m.rows) + " x " + std::to_string(m.cols) + ", offset " +
                   std::to_string(m.offset) + ", ld " + std::to_string(m.ld) + ") reaches element " +
                   std::to_string(end - 1) + " of an array of length " + std::to_string(m.st.length));
  return m;
}

/** A vector operand: element i at data[offset + i * inc] (inc may be negative). JS: {data, offset, n, inc}. */
struct VecArg {
  Storage st;
  std::string name;
  int64_t offset = 0, n = 0, inc = 1;
  /** The lowest element touched: where BLAS wants its pointer for a negative increment. */
  int64_t low() const { return inc < 0 && n > 0 ? offset + (n - 1) * inc : offset; }
  template <typename T>
  T* ptr() const {
    static T dummy[1];
    return st.data ? static_cast<T*>(st.data) + low() : dummy;
  }
  Region region() const {
    char* base = static_cast<char*>(st.data) + low() * st.elemSize();
    int64_t count = n == 0 ? 0 : (n - 1) * (inc < 0 ? -inc : inc) + 1;
    return {base, base + count * st.elemSize()};
  }
};

inline VecArg toVec(const Ctx& c, const Napi::Value& v, const std::string& name) {
  auto o = toObject(c, v, name);
  VecArg x;
  x.name = name;
  x.st = toStorage(c, o.Get("data"), name + ".data");
  x.offset = toInt(c, o.Get("offset"), name + ".offset", 0, kMaxOffset);
  x.n = toExtent(c, o.Get("n"), name + ".n", 0);
  x.inc = toExtent(c, o.Get("inc"), name + ".inc", -kMaxDim);
  if (x.inc == 0) {
    // a zero increment would make BLAS write one element n times
    if (x.n > 1) rangeError(c.env, c.fn, "'" + name + ".inc' must not be 0");
    x.inc = 1;
  }
  if (x.n > 0) {
    int64_t last = x.offset + (x.n - 1) * x.inc;
    int64_t lo = std::min(x.offset, last), hi = std::max(x.offset, last);
    if (lo < 0 || static_cast<uint64_t>(hi) >= x.st.length)
      rangeError(c.env, c.fn,
                 "'" + name + "' (n " + std::to_string(x.n) + ", offset " + std::to_string(x.offset) + ", inc " +
                     std::to_string(x.inc) + ") reaches outside an array of length " +
                     std::to_string(x.st.length));
  } else if (static_cast<uint64_t>(x.offset) > x.st.length) {
    rangeError(c.env, c.fn, "'" + name + ".offset' is past the end of its array");
  }
  return x;
}

/** An Int32Array of exactly `length` elements (pivot vectors). */
struct IntArg {
  Napi::TypedArray array;
  int32_t* data = nullptr;
  size_t length = 0;
  Region region() const {
    char* base = reinterpret_cast<char*>(data);
    return {base, base + length * sizeof(int32_t)};
  }
};

inline IntArg toInt32Array(const Ctx& c, const Napi::Value& v, const std::string& name, int64_t length) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    typeError(c.env, c.fn, "'" + name + "' must be an Int32Array");
  auto ta = v.As<Napi::TypedArray>();
  if (static_cast<int64_t>(ta.ElementLength()) != length)
    rangeError(c.env, c.fn,
               "'" + name + "' has length " + std::to_string(ta.ElementLength()) + "; expected " +
                   std::to_string(length));
  IntArg a;
  a.array = ta;
  a.length = ta.ElementLength();
  a.data = reinterpret_cast<int32_t*>(static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
  return a;
}

inline void sameDType(const Ctx& c, DType want, const Storage& s, const std::string& name) {
  if (s.dtype != want)
    typeError(c.env, c.fn,
              "'" + name + "' is " + dtypeName(s.dtype) + " but the call is " + dtypeName(want) +
                  " (all operands share one dtype)");
}

inline void requireArgs(const Ctx& c, const Napi::CallbackInfo& info, size_t n) {
  if (info.Length() != n)
    typeError(c.env, c.fn, "expected " + std::to_string(n) + " arguments, got " + std::to_string(info.Length()));
}

inline void dims(const Ctx& c, bool ok, const std::string& what) {
  if (!ok) rangeError(c.env, c.fn, "shape mismatch: " + what);
}

/** BLAS requires outputs not to share memory with inputs. */
inline void noOverlap(const Ctx& c, const Region& out, const std::string& outName, const Region& in,
                      const std::string& inName) {
  if (out.overlaps(in))
    rangeError(c.env, c.fn, "'" + outName + "' shares memory with '" + inName + "'; pass a copy");
}

/** An operand of a call with several outputs: its memory, its name, its storage (null: not a float array). */
struct Named {
  Region region;
  std::string name;
  const Storage* st;
};
template <typename Arg>
Named named(const Arg& x) {
  return {x.region(), x.name, &x.st};
}

/**
 * Float outputs of the call's dtype that overlap neither an input nor one another (LAPACK writes
 * them while it reads the inputs).
 */
inline void separateOutputs(const Ctx& c, DType dtype, const std::vector<Named>& outputs,
                            const std::vector<Named>& inputs) {
  for (size_t i = 0; i < outputs.size(); i++) {
    const Named& o = outputs[i];
    if (o.st) sameDType(c, dtype, *o.st, o.name);
    for (const Named& in : inputs) noOverlap(c, o.region, o.name, in.region, in.name);
    for (size_t j = i + 1; j < outputs.size(); j++)
      noOverlap(c, o.region, o.name, outputs[j].region, outputs[j].name);
  }
}

inline std::string shape(const MatArg& m) { return std::to_string(m.rows) + " x " + std::to_string(m.cols); }

}  // namespace kb
