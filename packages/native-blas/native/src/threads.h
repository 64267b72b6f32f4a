// The OpenBLAS thread count of each call. openblas_set_num_threads is process-global (a pthreads
// OpenBLAS reads it at each BLAS entry, and LAPACK routines make many BLAS calls), so two calls on
// two threads that each set their own count could race: the second setting would change the count
// under the first call while it runs. The gate below makes that impossible:
//
// - JS asks for the count of the next calls with setThreads(n) (the policy in src/threads.ts picks
//   it from the call's flops; it calls only when the count changes). dispatch() reads that request
//   on the main thread and hands it to the computation, sync or async.
// - A computation enters the gate (on the thread that runs it: the main thread, or the libuv worker
//   of an async call) and leaves it when done. Entering sets OpenBLAS's count only when no other
//   computation is in flight; otherwise the call runs with the count in force, so the count never
//   changes under a running call. Entering never waits, so a sync call is not held behind a long
//   async one (it then takes that call's count: a performance matter only, never a wrong result).
#pragma once

#include <mutex>

#ifdef KRYLOV_HAVE_OPENBLAS
extern "C" {
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
}
#endif

namespace kb {

class ThreadGate {
 public:
  static ThreadGate& instance() {
    static ThreadGate gate;
    return gate;
  }

  /** The count OpenBLAS started with (one per core, or OPENBLAS_NUM_THREADS): the policy's "all". */
  int maxThreads() const { return max_; }

  /** Main thread: the count the next calls ask for (0: leave OpenBLAS's count as it is). */
  int requested() const { return requested_; }

  /** Main thread: the count for the next calls; applied now when no call is in flight. Returns the count in force. */
  int request(int n) {
    requested_ = n;
    std::lock_guard<std::mutex> lock(m_);
    if (holders_ == 0) apply(n);
    return current_;
  }

  /** Enters the gate wanting `want` threads (0: any); returns the count the call runs with. */
  int enter(int want) {
    std::lock_guard<std::mutex> lock(m_);
    if (holders_ == 0 && want > 0) apply(want);
    holders_++;
    return current_;
  }

  void leave() {
    std::lock_guard<std::mutex> lock(m_);
    holders_--;
  }

  /** The count in force and the number of computations in flight (for tests and diagnostics). */
  void state(int& current, int& holders) {
    std::lock_guard<std::mutex> lock(m_);
    current = current_;
    holders = holders_;
  }

 private:
  ThreadGate() {
#ifdef KRYLOV_HAVE_OPENBLAS
    max_ = openblas_get_num_threads();
    if (max_ < 1) max_ = 1;
#endif
    current_ = max_;
  }

  void apply(int n) {
    if (n == current_) return;
#ifdef KRYLOV_HAVE_OPENBLAS
    openblas_set_num_threads(n);
    current_ = openblas_get_num_threads();
#else
    current_ = n;
#endif
  }

  std::mutex m_;
  int max_ = 1;
  int current_ = 1;
  int holders_ = 0;
  int requested_ = 0;
};

/** Holds the gate for one computation (RAII: left on every path, exceptions included). */
class ThreadLease {
 public:
  explicit ThreadLease(int want) : threads_(ThreadGate::instance().enter(want)) {}
  ~ThreadLease() { ThreadGate::instance().leave(); }
  ThreadLease(const ThreadLease&) = delete;
  ThreadLease& operator=(const ThreadLease&) = delete;
  int threads() const { return threads_; }

 private:
  int threads_;
};

}  // namespace kb
