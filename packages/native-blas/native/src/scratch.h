// Per-thread memory reused from call to call (LAPACK workspaces, column-major copies, async
// operand copies), and the transpose the column-major copies use.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace kb {

/**
 * `bytes` of memory (contents unspecified) from a per-thread free list of released buffers: the
 * smallest one that fits, else a new one; released, it goes back to the list while the list holds
 * at most kKeepBytes in all. A fresh n x n workspace comes from mmap, or from a heap top that glibc
 * has returned to the OS, and is faulted in page by page on every call (about 15 us a page on small
 * VMs, 8 ms for 512 x 512 doubles, more than the Cholesky of that matrix). LAPACKE's row-major
 * wrappers allocate such a copy per call; the LAPACK workspaces here (Scratch) and the private
 * operand copies of async calls (async.h: made and released on the JS thread, only used by the
 * worker) come from this list instead. Buffers alive at the same time are distinct.
 */
class PooledBuffer {
 public:
  explicit PooledBuffer(size_t bytes) : size_(bytes) {
    if (bytes == 0) return;
    auto& list = freeList();
    auto best = list.buffers.end();
    for (auto it = list.buffers.begin(); it != list.buffers.end(); ++it)
      if (it->first >= bytes && (best == list.buffers.end() || it->first < best->first)) best = it;
    if (best != list.buffers.end()) {
      capacity_ = best->first;
      data_ = std::move(best->second);
      list.total -= capacity_;
      list.buffers.erase(best);
    } else {
      data_.reset(new std::byte[bytes]);
      capacity_ = bytes;
    }
  }
  ~PooledBuffer() {
    auto& list = freeList();
    if (data_ && list.total + capacity_ <= kKeepBytes) {
      list.total += capacity_;
      list.buffers.emplace_back(capacity_, std::move(data_));
    }
  }
  PooledBuffer(const PooledBuffer&) = delete;
  PooledBuffer& operator=(const PooledBuffer&) = delete;

  char* data() const { return reinterpret_cast<char*>(data_.get()); }
  size_t size() const { return size_; }

 private:
  struct FreeList {
    std::vector<std::pair<size_t, std::unique_ptr<std::byte[]>>> buffers;
    size_t total = 0;
  };
  static FreeList& freeList() {
    thread_local FreeList list;
    return list;
  }
  /** Per thread: the JS thread and each libuv worker that runs async calls. */
  static constexpr size_t kKeepBytes = size_t(64) << 20;
  size_t size_, capacity_ = 0;
  std::unique_ptr<std::byte[]> data_;
};

/** `count` elements of T from the pool (a LAPACK workspace or column-major copy). */
template <typename T>
class Scratch {
 public:
  explicit Scratch(size_t count) : buffer_(count * sizeof(T)) {}
  T* data() const { return reinterpret_cast<T*>(buffer_.data()); }
  T& operator[](size_t i) const { return data()[i]; }

 private:
  PooledBuffer buffer_;
};

/**
 * dst[j * ldd + i] = src[i * lds + j] for a rows x cols src, in 8 x 8 tiles whose inner loop
 * writes dst contiguously: at power-of-two strides (ld = 512) wider tiles or the plain loop thrash
 * the cache sets (a one-off C timing at n = 512 in float64: 0.15 ms against 1.8 ms for 32 x 32
 * tiles, 2.0 ms plain, 0.65 ms for LAPACKE's own transpose; not a benchmark in `pnpm bench`).
 */
template <typename T>
void transposeInto(int rows, int cols, const T* src, int lds, T* dst, int ldd) {
  constexpr int B = 8;
  for (int j0 = 0; j0 < cols; j0 += B)
    for (int i0 = 0; i0 < rows; i0 += B) {
      const int i1 = std::min(rows, i0 + B), j1 = std::min(cols, j0 + B);
      for (int j = j0; j < j1; j++)
        for (int i = i0; i < i1; i++)
          dst[static_cast<int64_t>(j) * ldd + i] = src[static_cast<int64_t>(i) * lds + j];
    }
}

}  // namespace kb
