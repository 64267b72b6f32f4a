// The optional CUDA module (krylov_cuda.node): gemm (cuBLAS), potrf, getrf, gesvd and syevd
// (cuSOLVER dense) in float64 and float32. It has no link-time dependency on CUDA: the CUDA
// runtime, cuBLAS and cuSOLVER are opened with dlopen when `probe()` is first called, and the few
// entry points used are declared here (C ABI, stable across CUDA 11-13), so the module builds and
// loads on machines without the libraries and reports why it is unavailable. Each call copies its
// operands host -> device (packed column-major), runs, copies the results back, checks the
// status and `info`, and frees the device memory (RAII), all synchronously on the default stream.
//
// UNTESTED ON A GPU: it was built and its unavailable path and argument validation tested on a
// machine with the CUDA toolkit but no GPU and no cuBLAS/cuSOLVER libraries.
#include <dlfcn.h>
#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "../src/args.h"

namespace kc {

using kb::Ctx;
using kb::MatArg;

// ---- the CUDA C API, as declared by cuda_runtime_api.h, cublas_v2.h and cusolverDn.h ----
using cudaError_t = int;
using Handle = void*;
constexpr int kHostToDevice = 1, kDeviceToHost = 2;
constexpr int kOpN = 0;                          // CUBLAS_OP_N
constexpr int kLower = 0;                        // CUBLAS_FILL_MODE_LOWER
constexpr int kNoVectors = 0, kVectors = 1;      // CUSOLVER_EIG_MODE_NOVECTOR / VECTOR

struct Api {
  cudaError_t (*getDeviceCount)(int*);
  cudaError_t (*mallocFn)(void**, size_t);
  cudaError_t (*freeFn)(void*);
  cudaError_t (*copyFn)(void*, const void*, size_t, int);
  const char* (*errorString)(cudaError_t);
  cudaError_t (*runtimeVersion)(int*);
  cudaError_t (*driverVersion)(int*);
  int (*cublasCreate)(Handle*);
  int (*dgemm)(Handle, int, int, int, int, int, const double*, const double*, int, const double*, int, const double*,
               double*, int);
  int (*sgemm)(Handle, int, int, int, int, int, const float*, const float*, int, const float*, int, const float*,
               float*, int);
  int (*cusolverCreate)(Handle*);
  int (*dpotrfBuf)(Handle, int, int, double*, int, int*);
  int (*spotrfBuf)(Handle, int, int, float*, int, int*);
  int (*dpotrf)(Handle, int, int, double*, int, double*, int, int*);
  int (*spotrf)(Handle, int, int, float*, int, float*, int, int*);
  int (*dgetrfBuf)(Handle, int, int, double*, int, int*);
  int (*sgetrfBuf)(Handle, int, int, float*, int, int*);
  int (*dgetrf)(Handle, int, int, double*, int, double*, int*, int*);
  int (*sgetrf)(Handle, int, int, float*, int, float*, int*, int*);
  int (*dgesvdBuf)(Handle, int, int, int*);
  int (*sgesvdBuf)(Handle, int, int, int*);
  int (*dgesvd)(Handle, signed char, signed char, int, int, double*, int, double*, double*, int, double*, int,
                double*, int, double*, int*);
  int (*sgesvd)(Handle, signed char, signed char, int, int, float*, int, float*, float*, int, float*, int, float*,
                int, float*, int*);
  int (*dsyevdBuf)(Handle, int, int, int, const double*, int, const double*, int*);
  int (*ssyevdBuf)(Handle, int, int, int, const float*, int, const float*, int*);
  int (*dsyevd)(Handle, int, int, int, double*, int, double*, double*, int, int*);
  int (*ssyevd)(Handle, int, int, int, float*, int, float*, float*, int, int*);
  Handle cublas = nullptr;
  Handle cusolver = nullptr;
  int devices = 0, runtime = 0, driver = 0;
};

struct State {
  bool probed = false;
  bool available = false;
  std::string reason;
  Api api{};
};

State& state() {
  static State s;
  return s;
}

void* openFirst(const char* what, std::initializer_list<const char*> names, std::string& why) {
  std::string errors;
  for (const char* n : names) {
    if (void* h = dlopen(n, RTLD_NOW | RTLD_LOCAL)) return h;
    const char* e = dlerror();
    if (errors.empty() && e) errors = e;
  }
  why = std::string("cuda: ") + what + " not found (" + errors + ")";
  return nullptr;
}

template <typename F>
bool sym(void* lib, const char* name, F& out, std::string& why) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  if (!out) why = std::string("cuda: symbol ") + name + " missing from its library";
  return out != nullptr;
}

/** Opens the libraries, finds a device and creates the handles once; says why not otherwise. */
void probeOnce() {
  State& s = state();
  if (s.probed) return;
  s.probed = true;
  std::string why;
  void* rt = openFirst("libcudart.so", {"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"}, why);
  if (!rt) return void(s.reason = why);
  void* blas = openFirst("libcublas.so", {"libcublas.so", "libcublas.so.13", "libcublas.so.12", "libcublas.so.11"}, why);
  if (!blas) return void(s.reason = why);
  void* solver =
      openFirst("libcusolver.so", {"libcusolver.so", "libcusolver.so.12", "libcusolver.so.11", "libcusolver.so.13"}, why);
  if (!solver) return void(s.reason = why);
  Api& a = s.api;
  bool ok = sym(rt, "cudaGetDeviceCount", a.getDeviceCount, why) && sym(rt, "cudaMalloc", a.mallocFn, why) &&
            sym(rt, "cudaFree", a.freeFn, why) && sym(rt, "cudaMemcpy", a.copyFn, why) &&
            sym(rt, "cudaGetErrorString", a.errorString, why) &&
            sym(rt, "cudaRuntimeGetVersion", a.runtimeVersion, why) &&
            sym(rt, "cudaDriverGetVersion", a.driverVersion, why) && sym(blas, "cublasCreate_v2", a.cublasCreate, why) &&
            sym(blas, "cublasDgemm_v2", a.dgemm, why) && sym(blas, "cublasSgemm_v2", a.sgemm, why) &&
            sym(solver, "cusolverDnCreate", a.cusolverCreate, why) &&
            sym(solver, "cusolverDnDpotrf_bufferSize", a.dpotrfBuf, why) &&
            sym(solver, "cusolverDnSpotrf_bufferSize", a.spotrfBuf, why) && sym(solver, "cusolverDnDpotrf", a.dpotrf, why) &&
            sym(solver, "cusolverDnSpotrf", a.spotrf, why) && sym(solver, "cusolverDnDgetrf_bufferSize", a.dgetrfBuf, why) &&
            sym(solver, "cusolverDnSgetrf_bufferSize", a.sgetrfBuf, why) && sym(solver, "cusolverDnDgetrf", a.dgetrf, why) &&
            sym(solver, "cusolverDnSgetrf", a.sgetrf, why) && sym(solver, "cusolverDnDgesvd_bufferSize", a.dgesvdBuf, why) &&
            sym(solver, "cusolverDnSgesvd_bufferSize", a.sgesvdBuf, why) && sym(solver, "cusolverDnDgesvd", a.dgesvd, why) &&
            sym(solver, "cusolverDnSgesvd", a.sgesvd, why) && sym(solver, "cusolverDnDsyevd_bufferSize", a.dsyevdBuf, why) &&
            sym(solver, "cusolverDnSsyevd_bufferSize", a.ssyevdBuf, why) && sym(solver, "cusolverDnDsyevd", a.dsyevd, why) &&
            sym(solver, "cusolverDnSsyevd", a.ssyevd, why);
  if (!ok) return void(s.reason = why);
  cudaError_t e = a.getDeviceCount(&a.devices);
  if (e != 0) return void(s.reason = std::string("cuda: no CUDA device (cudaGetDeviceCount: ") + a.errorString(e) + ")");
  if (a.devices == 0) return void(s.reason = "cuda: no CUDA device");
  a.runtimeVersion(&a.runtime);
  a.driverVersion(&a.driver);
  if (int st = a.cublasCreate(&a.cublas); st != 0)
    return void(s.reason = "cuda: cublasCreate failed with status " + std::to_string(st));
  if (int st = a.cusolverCreate(&a.cusolver); st != 0)
    return void(s.reason = "cuda: cusolverDnCreate failed with status " + std::to_string(st));
  s.available = true;
}

const Api& api(const std::string& fn) {
  probeOnce();
  if (!state().available) throw std::runtime_error(fn + ": " + state().reason);
  return state().api;
}

void check(const Api& a, cudaError_t e, const char* what) {
  if (e != 0) throw std::runtime_error(std::string(what) + " failed: " + a.errorString(e));
}
void status(int st, const char* what) {
  if (st != 0) throw std::runtime_error(std::string(what) + " failed with status " + std::to_string(st));
}

/** Device memory, freed on scope exit (also when an error unwinds). */
class DevBuf {
 public:
  DevBuf(const Api& a, size_t bytes) : a_(a) { check(a, a.mallocFn(&p_, std::max<size_t>(bytes, 1)), "cudaMalloc"); }
  ~DevBuf() {
    if (p_) a_.freeFn(p_);
  }
  DevBuf(const DevBuf&) = delete;
  DevBuf& operator=(const DevBuf&) = delete;
  template <typename T>
  T* as() const {
    return static_cast<T*>(p_);
  }
  void put(const void* src, size_t bytes) { check(a_, a_.copyFn(p_, src, bytes, kHostToDevice), "cudaMemcpy"); }
  void get(void* dst, size_t bytes) const { check(a_, a_.copyFn(dst, p_, bytes, kDeviceToHost), "cudaMemcpy"); }

 private:
  const Api& a_;
  void* p_ = nullptr;
};

template <typename T>
T& at(const MatArg& m, int64_t i, int64_t j) {
  T* p = static_cast<T*>(m.st.data) + m.offset;
  return m.colMajor ? p[i + j * m.ld] : p[i * m.ld + j];
}

/** The matrix packed column-major (ld = rows), as cuBLAS/cuSOLVER take it. */
template <typename T>
std::vector<T> pack(const MatArg& m) {
  std::vector<T> out(static_cast<size_t>(m.rows * m.cols));
  for (int64_t j = 0; j < m.cols; j++)
    for (int64_t i = 0; i < m.rows; i++) out[i + j * m.rows] = at<T>(m, i, j);
  return out;
}

template <typename T>
void unpack(const std::vector<T>& v, int64_t ld, const MatArg& m) {
  for (int64_t j = 0; j < m.cols; j++)
    for (int64_t i = 0; i < m.rows; i++) at<T>(m, i, j) = v[i + j * ld];
}

// ---- computations (operands validated; every dimension >= 1) ----

template <typename T>
void gemm(const Api& a, T alpha, const MatArg& A, const MatArg& B, T beta, const MatArg& C) {
  const int m = C.rows, n = C.cols, k = A.cols;
  auto ha = pack<T>(A), hb = pack<T>(B), hc = pack<T>(C);
  DevBuf da(a, ha.size() * sizeof(T)), db(a, hb.size() * sizeof(T)), dc(a, hc.size() * sizeof(T));
  da.put(ha.data(), ha.size() * sizeof(T));
  db.put(hb.data(), hb.size() * sizeof(T));
  if (beta != T(0)) dc.put(hc.data(), hc.size() * sizeof(T));  // beta = 0: cuBLAS does not read C
  if constexpr (sizeof(T) == 8)
    status(a.dgemm(a.cublas, kOpN, kOpN, m, n, k, &alpha, da.as<T>(), m, db.as<T>(), k, &beta, dc.as<T>(), m),
           "cublasDgemm");
  else
    status(a.sgemm(a.cublas, kOpN, kOpN, m, n, k, &alpha, da.as<T>(), m, db.as<T>(), k, &beta, dc.as<T>(), m),
           "cublasSgemm");
  dc.get(hc.data(), hc.size() * sizeof(T));
  unpack(hc, m, C);
}

template <typename T>
int readInfo(const DevBuf& d) {
  int info = 0;
  d.get(&info, sizeof info);
  return info;
}

/** Cholesky of the lower triangle in place (the upper triangle is not written); returns info. */
template <typename T>
int potrf(const Api& a, const MatArg& A) {
  const int n = A.rows;
  auto h = pack<T>(A);
  DevBuf d(a, h.size() * sizeof(T)), dinfo(a, sizeof(int));
  d.put(h.data(), h.size() * sizeof(T));
  int lwork = 0;
  if constexpr (sizeof(T) == 8) status(a.dpotrfBuf(a.cusolver, kLower, n, d.as<T>(), n, &lwork), "potrf_bufferSize");
  else status(a.spotrfBuf(a.cusolver, kLower, n, d.as<T>(), n, &lwork), "potrf_bufferSize");
  DevBuf work(a, std::max(1, lwork) * sizeof(T));
  if constexpr (sizeof(T) == 8)
    status(a.dpotrf(a.cusolver, kLower, n, d.as<T>(), n, work.as<T>(), lwork, dinfo.as<int>()), "cusolverDnDpotrf");
  else
    status(a.spotrf(a.cusolver, kLower, n, d.as<T>(), n, work.as<T>(), lwork, dinfo.as<int>()), "cusolverDnSpotrf");
  int info = readInfo<T>(dinfo);
  if (info < 0) throw std::runtime_error("potrf rejected argument " + std::to_string(-info));
  d.get(h.data(), h.size() * sizeof(T));
  for (int j = 0; j < n; j++)
    for (int i = j; i < n; i++) at<T>(A, i, j) = h[i + static_cast<size_t>(j) * n];
  return info;
}

/** LU with partial pivoting in place; ipiv comes back 0-based; returns info. */
template <typename T>
int getrf(const Api& a, const MatArg& A, int32_t* ipiv) {
  const int m = A.rows, n = A.cols, k = std::min(m, n);
  auto h = pack<T>(A);
  DevBuf d(a, h.size() * sizeof(T)), dpiv(a, k * sizeof(int)), dinfo(a, sizeof(int));
  d.put(h.data(), h.size() * sizeof(T));
  int lwork = 0;
  if constexpr (sizeof(T) == 8) status(a.dgetrfBuf(a.cusolver, m, n, d.as<T>(), m, &lwork), "getrf_bufferSize");
  else status(a.sgetrfBuf(a.cusolver, m, n, d.as<T>(), m, &lwork), "getrf_bufferSize");
  DevBuf work(a, std::max(1, lwork) * sizeof(T));
  if constexpr (sizeof(T) == 8)
    status(a.dgetrf(a.cusolver, m, n, d.as<T>(), m, work.as<T>(), dpiv.as<int>(), dinfo.as<int>()), "cusolverDnDgetrf");
  else
    status(a.sgetrf(a.cusolver, m, n, d.as<T>(), m, work.as<T>(), dpiv.as<int>(), dinfo.as<int>()), "cusolverDnSgetrf");
  int info = readInfo<T>(dinfo);
  if (info < 0) throw std::runtime_error("getrf rejected argument " + std::to_string(-info));
  d.get(h.data(), h.size() * sizeof(T));
  unpack(h, m, A);
  std::vector<int> piv(k);
  dpiv.get(piv.data(), k * sizeof(int));
  for (int i = 0; i < k; i++) {
    if (piv[i] < 1 || piv[i] > m) throw std::runtime_error("getrf returned an invalid pivot");
    ipiv[i] = piv[i] - 1;
  }
  return info;
}

/**
 * SVD by cusolverDn?gesvd, which needs rows >= cols: a wide A is factored as A^T = U' S V'^T, so
 * U = V' and V^T = U'^T. job 'N' values, 'S' thin, 'A' full. Returns info.
 */
template <typename T>
int gesvd(const Api& a, const MatArg& A, char job, T* s, const MatArg* u, const MatArg* vt) {
  const bool wide = A.cols > A.rows;
  const int m = wide ? A.cols : A.rows, n = wide ? A.rows : A.cols;  // m >= n
  std::vector<T> h(static_cast<size_t>(m) * n);
  for (int j = 0; j < n; j++)
    for (int i = 0; i < m; i++) h[i + static_cast<size_t>(j) * m] = wide ? at<T>(A, j, i) : at<T>(A, i, j);
  const int ucols = job == 'A' ? m : n;  // U' is m x ucols, V'^T is n x n
  DevBuf d(a, h.size() * sizeof(T)), ds(a, n * sizeof(T)), dinfo(a, sizeof(int)), drwork(a, n * sizeof(T));
  DevBuf du(a, job == 'N' ? 1 : static_cast<size_t>(m) * ucols * sizeof(T));
  DevBuf dvt(a, job == 'N' ? 1 : static_cast<size_t>(n) * n * sizeof(T));
  d.put(h.data(), h.size() * sizeof(T));
  int lwork = 0;
  if constexpr (sizeof(T) == 8) status(a.dgesvdBuf(a.cusolver, m, n, &lwork), "gesvd_bufferSize");
  else status(a.sgesvdBuf(a.cusolver, m, n, &lwork), "gesvd_bufferSize");
  DevBuf work(a, std::max(1, lwork) * sizeof(T));
  const signed char jobu = job, jobvt = job == 'N' ? 'N' : 'A';  // V'^T is n x n for 'S' and 'A'
  if constexpr (sizeof(T) == 8)
    status(a.dgesvd(a.cusolver, jobu, jobvt, m, n, d.as<T>(), m, ds.as<T>(), du.as<T>(), m, dvt.as<T>(), n,
                    work.as<T>(), lwork, drwork.as<T>(), dinfo.as<int>()),
           "cusolverDnDgesvd");
  else
    status(a.sgesvd(a.cusolver, jobu, jobvt, m, n, d.as<T>(), m, ds.as<T>(), du.as<T>(), m, dvt.as<T>(), n,
                    work.as<T>(), lwork, drwork.as<T>(), dinfo.as<int>()),
           "cusolverDnSgesvd");
  int info = readInfo<T>(dinfo);
  if (info < 0) throw std::runtime_error("gesvd rejected argument " + std::to_string(-info));
  ds.get(s, n * sizeof(T));
  if (job == 'N') return info;
  std::vector<T> hu(static_cast<size_t>(m) * ucols), hvt(static_cast<size_t>(n) * n);
  du.get(hu.data(), hu.size() * sizeof(T));
  dvt.get(hvt.data(), hvt.size() * sizeof(T));
  // tall: U = U', V^T = V'^T. wide: U = V' = (V'^T)^T, V^T = U'^T.
  for (int64_t i = 0; i < u->rows; i++)
    for (int64_t j = 0; j < u->cols; j++)
      at<T>(*u, i, j) = wide ? hvt[j + i * n] : hu[i + j * m];
  for (int64_t i = 0; i < vt->rows; i++)
    for (int64_t j = 0; j < vt->cols; j++)
      at<T>(*vt, i, j) = wide ? hu[j + i * m] : hvt[i + j * n];
  return info;
}

/** Symmetric eigendecomposition from the lower triangle (`A` read only); returns info. */
template <typename T>
int syevd(const Api& a, const MatArg& A, T* w, const MatArg* v) {
  const int n = A.rows;
  std::vector<T> h(static_cast<size_t>(n) * n);
  for (int j = 0; j < n; j++)
    for (int i = 0; i < n; i++) h[i + static_cast<size_t>(j) * n] = i >= j ? at<T>(A, i, j) : at<T>(A, j, i);
  DevBuf d(a, h.size() * sizeof(T)), dw(a, n * sizeof(T)), dinfo(a, sizeof(int));
  d.put(h.data(), h.size() * sizeof(T));
  const int jobz = v ? kVectors : kNoVectors;
  int lwork = 0;
  if constexpr (sizeof(T) == 8)
    status(a.dsyevdBuf(a.cusolver, jobz, kLower, n, d.as<T>(), n, dw.as<T>(), &lwork), "syevd_bufferSize");
  else
    status(a.ssyevdBuf(a.cusolver, jobz, kLower, n, d.as<T>(), n, dw.as<T>(), &lwork), "syevd_bufferSize");
  DevBuf work(a, std::max(1, lwork) * sizeof(T));
  if constexpr (sizeof(T) == 8)
    status(a.dsyevd(a.cusolver, jobz, kLower, n, d.as<T>(), n, dw.as<T>(), work.as<T>(), lwork, dinfo.as<int>()),
           "cusolverDnDsyevd");
  else
    status(a.ssyevd(a.cusolver, jobz, kLower, n, d.as<T>(), n, dw.as<T>(), work.as<T>(), lwork, dinfo.as<int>()),
           "cusolverDnSsyevd");
  int info = readInfo<T>(dinfo);
  if (info < 0) throw std::runtime_error("syevd rejected argument " + std::to_string(-info));
  dw.get(w, n * sizeof(T));
  if (v) {
    d.get(h.data(), h.size() * sizeof(T));
    unpack(h, n, *v);
  }
  return info;
}

// ---- entry points: validate everything first (args.h), then call ----

void nonEmpty(const Ctx& c, const MatArg& m) {
  if (m.empty()) kb::rangeError(c.env, c.fn, "'" + m.name + "' is empty (the cuda backend takes non-empty matrices)");
}

/**
 * Re-reads where each operand's elements are once every argument has been read: a getter on a
 * later descriptor could have detached or shrunk an earlier array (as in the main addon).
 */
void fresh(const Ctx& c, MatArg& m) {
  kb::refresh(c.env, c.fn, m.st, m.name, static_cast<uint64_t>(m.offset + m.span()));
}
void fresh(const Ctx& c, kb::VecArg& v) {
  kb::refresh(c.env, c.fn, v.st, v.name, static_cast<uint64_t>(v.n == 0 ? v.offset : v.offset + v.n));
}
void fresh(const Ctx& c, kb::IntArg& p) {
  size_t length;
  void* data;
  kb::liveInfo(c.env, p.array, length, data);
  if (length != p.length) kb::rangeError(c.env, c.fn, "'ipiv' was detached or shrunk while the arguments were read");
  p.data = static_cast<int32_t*>(data);
}

template <typename F>
Napi::Value run(const Ctx& c, kb::DType dtype, F f) {
  try {
    const Api& a = api("cuda." + c.fn);
    return dtype == kb::DType::F64 ? f(a, double{}) : f(a, float{});
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(c.env, std::string(e.what()).rfind("cuda.", 0) == 0 ? e.what() : "cuda." + c.fn + ": " + e.what());
  }
}

Napi::Value Probe(const Napi::CallbackInfo& info) {
  probeOnce();
  const State& s = state();
  auto out = Napi::Object::New(info.Env());
  out.Set("available", s.available);
  if (!s.available) out.Set("reason", s.reason);
  else {
    out.Set("devices", s.api.devices);
    out.Set("runtimeVersion", s.api.runtime);
    out.Set("driverVersion", s.api.driver);
  }
  return out;
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Ctx c{info.Env(), "gemm"};
  kb::requireArgs(c, info, 5);
  double alpha = kb::toNumber(c, info[0], "alpha");
  auto A = kb::toMat(c, info[1], "a"), B = kb::toMat(c, info[2], "b");
  double beta = kb::toNumber(c, info[3], "beta");
  auto C = kb::toMat(c, info[4], "c");
  kb::sameDType(c, A.st.dtype, B.st, "b");
  kb::sameDType(c, A.st.dtype, C.st, "c");
  kb::dims(c, A.cols == B.rows && A.rows == C.rows && B.cols == C.cols,
           "a is " + kb::shape(A) + ", b " + kb::shape(B) + ", c " + kb::shape(C));
  for (auto* m : {&A, &B, &C}) nonEmpty(c, *m);
  kb::noOverlap(c, C.region(), "c", A.region(), "a");
  kb::noOverlap(c, C.region(), "c", B.region(), "b");
  for (auto* m : {&A, &B, &C}) fresh(c, *m);
  return run(c, A.st.dtype, [&](const Api& a, auto t) -> Napi::Value {
    using T = decltype(t);
    gemm<T>(a, static_cast<T>(alpha), A, B, static_cast<T>(beta), C);
    return c.env.Undefined();
  });
}

Napi::Value Potrf(const Napi::CallbackInfo& info) {
  Ctx c{info.Env(), "potrf"};
  kb::requireArgs(c, info, 1);
  auto A = kb::toMat(c, info[0], "a");
  kb::dims(c, A.rows == A.cols, "'a' must be square (is " + kb::shape(A) + ")");
  nonEmpty(c, A);
  fresh(c, A);
  return run(c, A.st.dtype, [&](const Api& a, auto t) -> Napi::Value {
    using T = decltype(t);
    return Napi::Number::New(c.env, potrf<T>(a, A));
  });
}

Napi::Value Getrf(const Napi::CallbackInfo& info) {
  Ctx c{info.Env(), "getrf"};
  kb::requireArgs(c, info, 2);
  auto A = kb::toMat(c, info[0], "a");
  nonEmpty(c, A);
  auto ipiv = kb::toInt32Array(c, info[1], "ipiv", std::min(A.rows, A.cols));
  kb::noOverlap(c, ipiv.region(), "ipiv", A.region(), "a");
  fresh(c, A);
  fresh(c, ipiv);
  return run(c, A.st.dtype, [&](const Api& a, auto t) -> Napi::Value {
    using T = decltype(t);
    return Napi::Number::New(c.env, getrf<T>(a, A, ipiv.data));
  });
}

// gesvd(a, job: 'values' | 'thin' | 'full', s, u | null, vt | null) -> info; `a` is read only
Napi::Value Gesvd(const Napi::CallbackInfo& info) {
  Ctx c{info.Env(), "gesdd"};
  kb::requireArgs(c, info, 5);
  auto A = kb::toMat(c, info[0], "a");
  nonEmpty(c, A);
  if (!info[1].IsString()) kb::typeError(c.env, c.fn, "'job' must be 'values', 'thin' or 'full'");
  std::string j = info[1].As<Napi::String>().Utf8Value();
  if (j != "values" && j != "thin" && j != "full") kb::rangeError(c.env, c.fn, "'job' must be 'values', 'thin' or 'full'");
  const char job = j == "values" ? 'N' : j == "thin" ? 'S' : 'A';
  const int64_t m = A.rows, n = A.cols, k = std::min(m, n);
  auto s = kb::toVec(c, info[2], "s");
  kb::sameDType(c, A.st.dtype, s.st, "s");
  kb::dims(c, s.n == k && (s.n <= 1 || s.inc == 1), "'s' must be contiguous of length " + std::to_string(k));
  MatArg u, vt;
  const bool vecs = job != 'N';
  if (vecs) {
    u = kb::toMat(c, info[3], "u");
    vt = kb::toMat(c, info[4], "vt");
    kb::sameDType(c, A.st.dtype, u.st, "u");
    kb::sameDType(c, A.st.dtype, vt.st, "vt");
    const bool full = job == 'A';
    kb::dims(c, u.rows == m && u.cols == (full ? m : k), "'u' is " + kb::shape(u));
    kb::dims(c, vt.rows == (full ? n : k) && vt.cols == n, "'vt' is " + kb::shape(vt));
    kb::noOverlap(c, u.region(), "u", vt.region(), "vt");
    kb::noOverlap(c, u.region(), "u", A.region(), "a");
    kb::noOverlap(c, vt.region(), "vt", A.region(), "a");
    kb::noOverlap(c, u.region(), "u", s.region(), "s");
    kb::noOverlap(c, vt.region(), "vt", s.region(), "s");
  } else if (!info[3].IsNull() || !info[4].IsNull()) {
    kb::typeError(c.env, c.fn, "'u' and 'vt' must be null for job 'values'");
  }
  kb::noOverlap(c, s.region(), "s", A.region(), "a");
  fresh(c, A);
  fresh(c, s);
  if (vecs) {
    fresh(c, u);
    fresh(c, vt);
  }
  return run(c, A.st.dtype, [&](const Api& a, auto t) -> Napi::Value {
    using T = decltype(t);
    T* sp = static_cast<T*>(s.st.data) + s.offset;
    return Napi::Number::New(c.env, gesvd<T>(a, A, job, sp, vecs ? &u : nullptr, vecs ? &vt : nullptr));
  });
}

// syevd(a, vectors, w, v | null) -> info
Napi::Value Syevd(const Napi::CallbackInfo& info) {
  Ctx c{info.Env(), "syevd"};
  kb::requireArgs(c, info, 4);
  auto A = kb::toMat(c, info[0], "a");
  kb::dims(c, A.rows == A.cols, "'a' must be square (is " + kb::shape(A) + ")");
  nonEmpty(c, A);
  bool vectors = kb::toBool(c, info[1], "vectors");
  auto w = kb::toVec(c, info[2], "w");
  kb::sameDType(c, A.st.dtype, w.st, "w");
  kb::dims(c, w.n == A.rows && (w.n <= 1 || w.inc == 1), "'w' must be contiguous of length " + std::to_string(A.rows));
  kb::noOverlap(c, w.region(), "w", A.region(), "a");
  MatArg v;
  if (vectors) {
    v = kb::toMat(c, info[3], "v");
    kb::sameDType(c, A.st.dtype, v.st, "v");
    kb::dims(c, v.rows == A.rows && v.cols == A.rows, "'v' is " + kb::shape(v));
    kb::noOverlap(c, v.region(), "v", A.region(), "a");
    kb::noOverlap(c, v.region(), "v", w.region(), "w");
  } else if (!info[3].IsNull()) {
    kb::typeError(c.env, c.fn, "'v' must be null without vectors");
  }
  fresh(c, A);
  fresh(c, w);
  if (vectors) fresh(c, v);
  return run(c, A.st.dtype, [&](const Api& a, auto t) -> Napi::Value {
    using T = decltype(t);
    T* wp = static_cast<T*>(w.st.data) + w.offset;
    return Napi::Number::New(c.env, syevd<T>(a, A, wp, vectors ? &v : nullptr));
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("probe", Napi::Function::New(env, Probe, "probe"));
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
  exports.Set("potrf", Napi::Function::New(env, Potrf, "potrf"));
  exports.Set("getrf", Napi::Function::New(env, Getrf, "getrf"));
  exports.Set("gesdd", Napi::Function::New(env, Gesvd, "gesdd"));
  exports.Set("syevd", Napi::Function::New(env, Syevd, "syevd"));
  return exports;
}

}  // namespace kc

namespace {
Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return kc::Init(env, exports); }
}  // namespace

NODE_API_MODULE(krylov_cuda, InitModule)
