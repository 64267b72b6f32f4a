// Per-thread workspaces reused from call to call, and the column-major copies LAPACK needs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace kb {

/** Which per-thread buffer a Scratch takes: scratch alive at the same time needs distinct slots. */
enum class Slot { Matrix, Matrix2, Work, IWork, Count };

/**
 * `count` elements of T (contents unspecified) from a per-thread pool that keeps each slot's
 * largest buffer between calls, up to kKeepBytes. A fresh n x n workspace comes from mmap, or
 * from a heap top that glibc has returned to the OS, and is faulted in page by page on every
 * call: about 15 us a page on small VMs, 8 ms for 512 x 512 doubles, more than the Cholesky of
 * that matrix. LAPACKE's row-major wrappers allocate such a transposed copy per call; the routines
 * here use this pool instead.
 */
template <typename T>
class Scratch {
 public:
  Scratch(Slot slot, size_t count) : buffer_(pool()[static_cast<int>(slot)]) {
    const size_t bytes = std::max<size_t>(count, 1) * sizeof(T);
    if (buffer_.bytes < bytes) {
      // free the old one first (the two need not coexist), and record it before allocating, so a
      // failed allocation (std::bad_alloc, reported as an error) leaves an empty slot
      buffer_.data.reset();
      buffer_.bytes = 0;
      buffer_.data.reset(new std::byte[bytes]);
      buffer_.bytes = bytes;
    }
  }
  ~Scratch() {
    if (buffer_.bytes > kKeepBytes) {
      buffer_.data.reset();
      buffer_.bytes = 0;
    }
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  T* data() const { return reinterpret_cast<T*>(buffer_.data.get()); }
  T& operator[](size_t i) const { return data()[i]; }

 private:
  struct Buffer {
    std::unique_ptr<std::byte[]> data;
    size_t bytes = 0;
  };
  static Buffer* pool() {
    thread_local Buffer buffers[static_cast<int>(Slot::Count)];
    return buffers;
  }
  /** Enough for n = 1024 in float64; larger buffers go back to the allocator after the call. */
  static constexpr size_t kKeepBytes = size_t(16) << 20;
  Buffer& buffer_;
};

/**
 * Memory for one staged copy of an async call's operand (async.h), from a free list of released
 * buffers kept on the thread that makes and releases the copies (the JS thread; the worker thread
 * only uses them). Fresh buffers would be faulted in page by page on every async call: about 90 ms
 * for gemm's three 8 MB operands at n = 1024 on small VMs, three times the gemm itself. The list
 * keeps at most kKeepBytes in all; contents are unspecified.
 */
class StagingBuffer {
 public:
  explicit StagingBuffer(size_t bytes) : size_(bytes) {
    auto& list = freeList();
    // the smallest released buffer that fits
    auto best = list.buffers.end();
    for (auto it = list.buffers.begin(); it != list.buffers.end(); ++it)
      if (it->first >= bytes && (best == list.buffers.end() || it->first < best->first)) best = it;
    if (best != list.buffers.end()) {
      capacity_ = best->first;
      data_ = std::move(best->second);
      list.total -= capacity_;
      list.buffers.erase(best);
    } else {
      capacity_ = std::max<size_t>(bytes, 1);
      data_.reset(new std::byte[capacity_]);
    }
  }
  ~StagingBuffer() {
    auto& list = freeList();
    if (data_ && list.total + capacity_ <= kKeepBytes) {
      list.total += capacity_;
      list.buffers.emplace_back(capacity_, std::move(data_));
    }
  }
  StagingBuffer(const StagingBuffer&) = delete;
  StagingBuffer& operator=(const StagingBuffer&) = delete;

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
  static constexpr size_t kKeepBytes = size_t(64) << 20;
  size_t size_, capacity_ = 0;
  std::unique_ptr<std::byte[]> data_;
};

/**
 * dst[j * ldd + i] = src[i * lds + j] for a rows x cols src, in 8 x 8 tiles whose inner loop
 * writes dst contiguously: at power-of-two strides (ld = 512) wider tiles or the plain loop thrash
 * the cache sets (measured at n = 512 in float64: 0.15 ms against 1.8 ms for 32 x 32 tiles, 2.0 ms
 * plain, 0.65 ms for LAPACKE's own transpose).
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
