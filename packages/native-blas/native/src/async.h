// Runs a kernel now (sync) or on the libuv thread pool (async). Async kernels work on private
// copies of their operands, taken on the main thread; outputs are copied back on the main thread
// when the work is done. So the worker never touches JS memory: a typed array that is garbage
// collected, transferred or detached meanwhile cannot be written through a stale pointer (the
// copy-back checks the array is still there and rejects the promise if not). The copies cost
// O(n^2) against the O(n^3) work of the kernels that have an async form.
#pragma once

#include <napi.h>

#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

#include "args.h"
#include "cores.h"
#include "scratch.h"
#include "threads.h"
#include "xerbla.h"

namespace kb {

/** A private copy of the part of a typed array one operand touches. */
struct Staged {
  Napi::Reference<Napi::Value> ref;  // keeps the array alive until the copy-back
  size_t elem = 8;
  int64_t low = 0, outer = 0, inner = 0, ld = 1;  // first element, then outer x inner with stride ld
  bool writeBack = false;
  std::unique_ptr<PooledBuffer> buf;
  int64_t span() const { return outer == 0 || inner == 0 ? 0 : (outer - 1) * ld + inner; }
};

/** Turns validated operands into views: the arrays' own memory (sync) or staged copies (async). */
class Stager {
 public:
  Stager(Napi::Env env, const std::string& fn, bool async) : env_(env), fn_(fn), async_(async) {}
  bool async() const { return async_; }
  std::vector<std::unique_ptr<Staged>>& staged() { return staged_; }

  template <typename T>
  View<T> mat(MatArg m, bool out) {
    refresh(env_, fn_, m.st, m.name, static_cast<uint64_t>(m.offset + m.span()));
    View<T> v{m.ptr<T>(), static_cast<int>(m.rows), static_cast<int>(m.cols), static_cast<int>(m.ld), m.colMajor};
    if (async_ && !m.empty())
      v.p = reinterpret_cast<T*>(stage(m.st.array, sizeof(T), m.offset, m.outer(), m.inner(), m.ld, out));
    return v;
  }

  template <typename T>
  VView<T> vec(VecArg x, bool out) {
    int64_t last = x.n == 0 ? x.offset : std::max(x.offset, x.offset + (x.n - 1) * x.inc) + 1;
    refresh(env_, fn_, x.st, x.name, static_cast<uint64_t>(last));
    VView<T> v{x.ptr<T>(), static_cast<int>(x.n), static_cast<int>(x.inc)};
    if (async_ && x.n > 0)
      v.p = reinterpret_cast<T*>(stage(x.st.array, sizeof(T), x.low(), x.n, 1, x.inc < 0 ? -x.inc : x.inc, out));
    return v;
  }

  int32_t* ints(IntArg a, bool out) {
    size_t length;
    void* data;
    liveInfo(env_, a.array, length, data);
    if (length != a.length)
      rangeError(env_, fn_, "a pivot array was detached or shrunk while the arguments were read");
    a.data = static_cast<int32_t*>(data);
    if (!async_ || a.length == 0) return a.data;
    int64_t n = static_cast<int64_t>(a.length);
    return reinterpret_cast<int32_t*>(stage(a.array, sizeof(int32_t), 0, 1, n, n, out));
  }

 private:
  char* stage(const Napi::TypedArray& array, size_t elem, int64_t low, int64_t outer, int64_t inner, int64_t ld,
              bool out) {
    auto s = std::make_unique<Staged>();
    s->ref = Napi::Persistent(static_cast<Napi::Value>(array));
    s->elem = elem;
    s->low = low;
    s->outer = outer;
    s->inner = inner;
    s->ld = ld;
    s->writeBack = out;
    s->buf = std::make_unique<PooledBuffer>(static_cast<size_t>(s->span()) * elem);
    size_t length;
    void* data;
    liveInfo(env_, array, length, data);
    const char* src = static_cast<const char*>(data) + low * elem;
    std::memcpy(s->buf->data(), src, s->buf->size());
    char* p = s->buf->data();
    staged_.push_back(std::move(s));
    return p;
  }

  Napi::Env env_;
  std::string fn_;
  bool async_;
  std::vector<std::unique_ptr<Staged>> staged_;
};

using Compute = std::function<double()>;

/** What went wrong in a computation, kept until it can become a JS error on the main thread. */
struct Failure {
  std::string message, code, argument, routine;
  int parameter = 0;
};

/**
 * Runs a computation on this thread and reports what failed: a KernelError keeps its code; a
 * LAPACK/BLAS routine that called xerbla (xerbla.cc; it printed nothing) is reported by name and
 * parameter, even where the wrapper went on to see a negative info; other exceptions by message.
 */
inline bool runCompute(const Compute& compute, double& result, Failure& failure) {
  xerblaClear();
  bool ok = true;
  try {
    result = compute();
  } catch (const KernelError& e) {
    failure = {e.what(), e.code, e.argument, "", 0};
    ok = false;
  } catch (const std::exception& e) {
    failure = {e.what(), "", "", "", 0};
    ok = false;
  }
  XerblaRecord x = xerblaTake();
  if (x.set && (ok || failure.code.empty())) {
    failure = {std::string("LAPACK/BLAS routine ") + x.routine + " rejected its parameter " +
                   std::to_string(x.parameter) + " (an input it cannot take, e.g. NaN or Infinity where "
                   "the kernel does not check for them)",
               "KRYLOV_LAPACK_ARGUMENT", "", x.routine, x.parameter};
    ok = false;
  }
  return ok;
}

/** The JS error for a failure: Error with `code`, `argument`, `routine`, `parameter` when known. */
inline Napi::Error failureError(Napi::Env env, const std::string& fn, const Failure& f) {
  Napi::Error e = Napi::Error::New(env, "native." + fn + ": " + f.message);
  if (!f.code.empty()) e.Set("code", Napi::String::New(env, f.code));
  if (!f.argument.empty()) e.Set("argument", Napi::String::New(env, f.argument));
  if (!f.routine.empty()) {
    e.Set("routine", Napi::String::New(env, f.routine));
    e.Set("parameter", Napi::Number::New(env, f.parameter));
  }
  return e;
}

class Worker : public Napi::AsyncWorker {
 public:
  Worker(Napi::Env env, const std::string& fn, std::vector<std::unique_ptr<Staged>> staged, Compute compute,
         bool returnsNumber, int threads)
      : Napi::AsyncWorker(env, fn.c_str()),
        threads_(threads),
        fn_(fn),
        deferred_(Napi::Promise::Deferred::New(env)),
        staged_(std::move(staged)),
        compute_(std::move(compute)),
        returnsNumber_(returnsNumber) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    // the count asked for when the call was made, applied here on the worker thread (threads.h)
    ThreadLease lease(threads_);
    if (!runCompute(compute_, result_, failure_)) SetError(failure_.message);
  }

  void OnOK() override {
    Napi::Env env = Env();
    for (auto& s : staged_) {
      if (!s->writeBack) continue;
      Napi::Value v = s->ref.Value();
      if (!v.IsTypedArray()) {
        deferred_.Reject(Napi::Error::New(env, "native." + fn_ + ": an output array is gone").Value());
        return;
      }
      size_t length;
      void* data;
      liveInfo(env, v.As<Napi::TypedArray>(), length, data);
      if (static_cast<int64_t>(length) < s->low + s->span()) {
        deferred_.Reject(
            Napi::Error::New(env, "native." + fn_ + ": an output array was detached or shrunk before the result arrived")
                .Value());
        return;
      }
    }
    for (auto& s : staged_) {
      if (!s->writeBack) continue;
      size_t length;
      void* data;
      liveInfo(env, s->ref.Value().As<Napi::TypedArray>(), length, data);
      char* dst = static_cast<char*>(data) + s->low * s->elem;
      // only the elements of the operand, not the gaps between its rows, which JS may own
      for (int64_t o = 0; o < s->outer; o++)
        std::memcpy(dst + o * s->ld * s->elem, s->buf->data() + o * s->ld * s->elem, s->inner * s->elem);
    }
    deferred_.Resolve(returnsNumber_ ? Napi::Number::New(env, result_) : env.Undefined());
  }

  void OnError(const Napi::Error&) override { deferred_.Reject(failureError(Env(), fn_, failure_).Value()); }

 private:
  int threads_;
  std::string fn_;
  Napi::Promise::Deferred deferred_;
  std::vector<std::unique_ptr<Staged>> staged_;
  Compute compute_;
  bool returnsNumber_;
  double result_ = 0;
  Failure failure_;
};

/**
 * Instantiates `make` for the call's element type, then runs the computation it returns now or
 * queues it on the thread pool and returns a promise. Either way the computation holds the
 * thread gate (threads.h) with the OpenBLAS count JS asked for at the time of the call.
 */
template <typename Make>
Napi::Value dispatch(const Ctx& c, DType dtype, bool async, bool returnsNumber, Make make) {
  Stager stager(c.env, c.fn, async);
  Compute compute = dtype == DType::F64 ? make(double{}, stager) : make(float{}, stager);
  const int threads = ThreadGate::instance().requested();  // read on the main thread, at the call
  if (!async) {
    double r = 0;
    Failure f;
    bool ok;
    {
      ThreadLease lease(threads);
      ok = runCompute(compute, r, f);
    }
    if (!ok) throw failureError(c.env, c.fn, f);
    return returnsNumber ? Napi::Value(Napi::Number::New(c.env, r)) : c.env.Undefined();
  }
  auto* w = new Worker(c.env, c.fn, std::move(stager.staged()), std::move(compute), returnsNumber, threads);
  Napi::Promise p = w->promise();
  w->Queue();  // the worker deletes itself after OnOK/OnError
  return p;
}

}  // namespace kb
