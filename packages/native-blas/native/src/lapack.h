// Overloads that pick the s/d BLAS and LAPACK routine from the element type, so each kernel is
// written once as a template.
#pragma once

#include <cblas.h>
#include <lapacke.h>

namespace kb::blas {

// Level 1. float32 dot accumulates in double (sdsdot/dsdot), as the pure-JS kernel does.
inline double dot(int n, const double* x, int ix, const double* y, int iy) { return cblas_ddot(n, x, ix, y, iy); }
inline double dot(int n, const float* x, int ix, const float* y, int iy) { return cblas_dsdot(n, x, ix, y, iy); }
inline void axpy(int n, double a, const double* x, int ix, double* y, int iy) { cblas_daxpy(n, a, x, ix, y, iy); }
inline void axpy(int n, float a, const float* x, int ix, float* y, int iy) { cblas_saxpy(n, a, x, ix, y, iy); }
inline double nrm2(int n, const double* x, int ix) { return cblas_dnrm2(n, x, ix); }
inline double nrm2(int n, const float* x, int ix) { return cblas_snrm2(n, x, ix); }
inline void scal(int n, double a, double* x, int ix) { cblas_dscal(n, a, x, ix); }
inline void scal(int n, float a, float* x, int ix) { cblas_sscal(n, a, x, ix); }
inline void swap(int n, double* x, int ix, double* y, int iy) { cblas_dswap(n, x, ix, y, iy); }
inline void swap(int n, float* x, int ix, float* y, int iy) { cblas_sswap(n, x, ix, y, iy); }

// Level 2
inline void gemv(CBLAS_ORDER o, int m, int n, double a, const double* A, int lda, const double* x, int ix,
                 double b, double* y, int iy) {
  cblas_dgemv(o, CblasNoTrans, m, n, a, A, lda, x, ix, b, y, iy);
}
inline void gemv(CBLAS_ORDER o, int m, int n, float a, const float* A, int lda, const float* x, int ix, float b,
                 float* y, int iy) {
  cblas_sgemv(o, CblasNoTrans, m, n, a, A, lda, x, ix, b, y, iy);
}
inline void ger(CBLAS_ORDER o, int m, int n, double a, const double* x, int ix, const double* y, int iy, double* A,
                int lda) {
  cblas_dger(o, m, n, a, x, ix, y, iy, A, lda);
}
inline void ger(CBLAS_ORDER o, int m, int n, float a, const float* x, int ix, const float* y, int iy, float* A,
                int lda) {
  cblas_sger(o, m, n, a, x, ix, y, iy, A, lda);
}
inline void trmv(CBLAS_ORDER o, CBLAS_UPLO u, CBLAS_DIAG d, int n, const double* A, int lda, double* x, int ix) {
  cblas_dtrmv(o, u, CblasNoTrans, d, n, A, lda, x, ix);
}
inline void trmv(CBLAS_ORDER o, CBLAS_UPLO u, CBLAS_DIAG d, int n, const float* A, int lda, float* x, int ix) {
  cblas_strmv(o, u, CblasNoTrans, d, n, A, lda, x, ix);
}
inline void trsv(CBLAS_ORDER o, CBLAS_UPLO u, CBLAS_DIAG d, int n, const double* A, int lda, double* x, int ix) {
  cblas_dtrsv(o, u, CblasNoTrans, d, n, A, lda, x, ix);
}
inline void trsv(CBLAS_ORDER o, CBLAS_UPLO u, CBLAS_DIAG d, int n, const float* A, int lda, float* x, int ix) {
  cblas_strsv(o, u, CblasNoTrans, d, n, A, lda, x, ix);
}

// Level 3
inline void gemm(CBLAS_ORDER o, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double a,
                 const double* A, int lda, const double* B, int ldb, double b, double* C, int ldc) {
  cblas_dgemm(o, ta, tb, m, n, k, a, A, lda, B, ldb, b, C, ldc);
}
inline void gemm(CBLAS_ORDER o, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float a,
                 const float* A, int lda, const float* B, int ldb, float b, float* C, int ldc) {
  cblas_sgemm(o, ta, tb, m, n, k, a, A, lda, B, ldb, b, C, ldc);
}
inline void syrk(CBLAS_ORDER o, CBLAS_UPLO u, CBLAS_TRANSPOSE t, int n, int k, double a, const double* A, int lda,
                 double b, double* C, int ldc) {
  cblas_dsyrk(o, u, t, n, k, a, A, lda, b, C, ldc);
}
inline void syrk(CBLAS_ORDER o, CBLAS_UPLO u, CBLAS_TRANSPOSE t, int n, int k, float a, const float* A, int lda,
                 float b, float* C, int ldc) {
  cblas_ssyrk(o, u, t, n, k, a, A, lda, b, C, ldc);
}
inline void trsm(CBLAS_ORDER o, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n, double a,
                 const double* A, int lda, double* B, int ldb) {
  cblas_dtrsm(o, s, u, t, d, m, n, a, A, lda, B, ldb);
}
inline void trsm(CBLAS_ORDER o, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n, float a,
                 const float* A, int lda, float* B, int ldb) {
  cblas_strsm(o, s, u, t, d, m, n, a, A, lda, B, ldb);
}
inline void trmm(CBLAS_ORDER o, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n, double a,
                 const double* A, int lda, double* B, int ldb) {
  cblas_dtrmm(o, s, u, t, d, m, n, a, A, lda, B, ldb);
}
inline void trmm(CBLAS_ORDER o, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n, float a,
                 const float* A, int lda, float* B, int ldb) {
  cblas_strmm(o, s, u, t, d, m, n, a, A, lda, B, ldb);
}

}  // namespace kb::blas

namespace kb::lapack {

inline lapack_int potrf(int layout, char uplo, lapack_int n, double* a, lapack_int lda) {
  return LAPACKE_dpotrf_work(layout, uplo, n, a, lda);
}
inline lapack_int potrf(int layout, char uplo, lapack_int n, float* a, lapack_int lda) {
  return LAPACKE_spotrf_work(layout, uplo, n, a, lda);
}
inline lapack_int getrf(int layout, lapack_int m, lapack_int n, double* a, lapack_int lda, lapack_int* ipiv) {
  return LAPACKE_dgetrf_work(layout, m, n, a, lda, ipiv);
}
inline lapack_int getrf(int layout, lapack_int m, lapack_int n, float* a, lapack_int lda, lapack_int* ipiv) {
  return LAPACKE_sgetrf_work(layout, m, n, a, lda, ipiv);
}
inline lapack_int geqrf(int layout, lapack_int m, lapack_int n, double* a, lapack_int lda, double* tau, double* w,
                        lapack_int lw) {
  return LAPACKE_dgeqrf_work(layout, m, n, a, lda, tau, w, lw);
}
inline lapack_int geqrf(int layout, lapack_int m, lapack_int n, float* a, lapack_int lda, float* tau, float* w,
                        lapack_int lw) {
  return LAPACKE_sgeqrf_work(layout, m, n, a, lda, tau, w, lw);
}
inline lapack_int orgqr(int layout, lapack_int m, lapack_int n, lapack_int k, double* a, lapack_int lda,
                        const double* tau, double* w, lapack_int lw) {
  return LAPACKE_dorgqr_work(layout, m, n, k, a, lda, tau, w, lw);
}
inline lapack_int orgqr(int layout, lapack_int m, lapack_int n, lapack_int k, float* a, lapack_int lda,
                        const float* tau, float* w, lapack_int lw) {
  return LAPACKE_sorgqr_work(layout, m, n, k, a, lda, tau, w, lw);
}
inline lapack_int geqp3(int layout, lapack_int m, lapack_int n, double* a, lapack_int lda, lapack_int* jpvt,
                        double* tau, double* w, lapack_int lw) {
  return LAPACKE_dgeqp3_work(layout, m, n, a, lda, jpvt, tau, w, lw);
}
inline lapack_int geqp3(int layout, lapack_int m, lapack_int n, float* a, lapack_int lda, lapack_int* jpvt,
                        float* tau, float* w, lapack_int lw) {
  return LAPACKE_sgeqp3_work(layout, m, n, a, lda, jpvt, tau, w, lw);
}
inline lapack_int gesdd(int layout, char job, lapack_int m, lapack_int n, double* a, lapack_int lda, double* s,
                        double* u, lapack_int ldu, double* vt, lapack_int ldvt, double* w, lapack_int lw,
                        lapack_int* iw) {
  return LAPACKE_dgesdd_work(layout, job, m, n, a, lda, s, u, ldu, vt, ldvt, w, lw, iw);
}
inline lapack_int gesdd(int layout, char job, lapack_int m, lapack_int n, float* a, lapack_int lda, float* s,
                        float* u, lapack_int ldu, float* vt, lapack_int ldvt, float* w, lapack_int lw,
                        lapack_int* iw) {
  return LAPACKE_sgesdd_work(layout, job, m, n, a, lda, s, u, ldu, vt, ldvt, w, lw, iw);
}
inline lapack_int syevd(int layout, char job, char uplo, lapack_int n, double* a, lapack_int lda, double* w,
                        double* work, lapack_int lw, lapack_int* iw, lapack_int liw) {
  return LAPACKE_dsyevd_work(layout, job, uplo, n, a, lda, w, work, lw, iw, liw);
}
inline lapack_int syevd(int layout, char job, char uplo, lapack_int n, float* a, lapack_int lda, float* w,
                        float* work, lapack_int lw, lapack_int* iw, lapack_int liw) {
  return LAPACKE_ssyevd_work(layout, job, uplo, n, a, lda, w, work, lw, iw, liw);
}

inline lapack_int geev(int layout, char jobvl, char jobvr, lapack_int n, double* a, lapack_int lda, double* wr,
                       double* wi, double* vl, lapack_int ldvl, double* vr, lapack_int ldvr, double* work,
                       lapack_int lw) {
  return LAPACKE_dgeev_work(layout, jobvl, jobvr, n, a, lda, wr, wi, vl, ldvl, vr, ldvr, work, lw);
}
inline lapack_int geev(int layout, char jobvl, char jobvr, lapack_int n, float* a, lapack_int lda, float* wr,
                       float* wi, float* vl, lapack_int ldvl, float* vr, lapack_int ldvr, float* work, lapack_int lw) {
  return LAPACKE_sgeev_work(layout, jobvl, jobvr, n, a, lda, wr, wi, vl, ldvl, vr, ldvr, work, lw);
}

inline lapack_int ormqr(int layout, char side, char trans, lapack_int m, lapack_int n, lapack_int k, const double* a,
                        lapack_int lda, const double* tau, double* c, lapack_int ldc, double* w, lapack_int lw) {
  return LAPACKE_dormqr_work(layout, side, trans, m, n, k, a, lda, tau, c, ldc, w, lw);
}
inline lapack_int ormqr(int layout, char side, char trans, lapack_int m, lapack_int n, lapack_int k, const float* a,
                        lapack_int lda, const float* tau, float* c, lapack_int ldc, float* w, lapack_int lw) {
  return LAPACKE_sormqr_work(layout, side, trans, m, n, k, a, lda, tau, c, ldc, w, lw);
}
inline lapack_int gelsd(int layout, lapack_int m, lapack_int n, lapack_int nrhs, double* a, lapack_int lda, double* b,
                        lapack_int ldb, double* s, double rcond, lapack_int* rank, double* w, lapack_int lw,
                        lapack_int* iw) {
  return LAPACKE_dgelsd_work(layout, m, n, nrhs, a, lda, b, ldb, s, rcond, rank, w, lw, iw);
}
inline lapack_int gelsd(int layout, lapack_int m, lapack_int n, lapack_int nrhs, float* a, lapack_int lda, float* b,
                        lapack_int ldb, float* s, float rcond, lapack_int* rank, float* w, lapack_int lw,
                        lapack_int* iw) {
  return LAPACKE_sgelsd_work(layout, m, n, nrhs, a, lda, b, ldb, s, rcond, rank, w, lw, iw);
}
inline lapack_int syevr(int layout, char job, char range, char uplo, lapack_int n, double* a, lapack_int lda,
                        double vl, double vu, lapack_int il, lapack_int iu, double abstol, lapack_int* m, double* w,
                        double* z, lapack_int ldz, lapack_int* isuppz, double* work, lapack_int lw, lapack_int* iw,
                        lapack_int liw) {
  return LAPACKE_dsyevr_work(layout, job, range, uplo, n, a, lda, vl, vu, il, iu, abstol, m, w, z, ldz, isuppz, work,
                             lw, iw, liw);
}
inline lapack_int syevr(int layout, char job, char range, char uplo, lapack_int n, float* a, lapack_int lda, float vl,
                        float vu, lapack_int il, lapack_int iu, float abstol, lapack_int* m, float* w, float* z,
                        lapack_int ldz, lapack_int* isuppz, float* work, lapack_int lw, lapack_int* iw,
                        lapack_int liw) {
  return LAPACKE_ssyevr_work(layout, job, range, uplo, n, a, lda, vl, vu, il, iu, abstol, m, w, z, ldz, isuppz, work,
                             lw, iw, liw);
}

template <typename T>
T lamch(char c);
template <>
inline double lamch<double>(char c) {
  return LAPACKE_dlamch_work(c);
}
template <>
inline float lamch<float>(char c) {
  return LAPACKE_slamch_work(c);
}
inline double lange(int layout, char norm, lapack_int m, lapack_int n, const double* a, lapack_int lda) {
  return LAPACKE_dlange_work(layout, norm, m, n, a, lda, nullptr);
}
inline float lange(int layout, char norm, lapack_int m, lapack_int n, const float* a, lapack_int lda) {
  return LAPACKE_slange_work(layout, norm, m, n, a, lda, nullptr);
}
inline lapack_int lascl(int layout, char type, lapack_int kl, lapack_int ku, double cfrom, double cto, lapack_int m,
                        lapack_int n, double* a, lapack_int lda) {
  return LAPACKE_dlascl_work(layout, type, kl, ku, cfrom, cto, m, n, a, lda);
}
inline lapack_int lascl(int layout, char type, lapack_int kl, lapack_int ku, float cfrom, float cto, lapack_int m,
                        lapack_int n, float* a, lapack_int lda) {
  return LAPACKE_slascl_work(layout, type, kl, ku, cfrom, cto, m, n, a, lda);
}
inline lapack_int gebal(int layout, char job, lapack_int n, double* a, lapack_int lda, lapack_int* ilo,
                        lapack_int* ihi, double* scale) {
  return LAPACKE_dgebal_work(layout, job, n, a, lda, ilo, ihi, scale);
}
inline lapack_int gebal(int layout, char job, lapack_int n, float* a, lapack_int lda, lapack_int* ilo,
                        lapack_int* ihi, float* scale) {
  return LAPACKE_sgebal_work(layout, job, n, a, lda, ilo, ihi, scale);
}
inline lapack_int gehrd(int layout, lapack_int n, lapack_int ilo, lapack_int ihi, double* a, lapack_int lda,
                        double* tau, double* w, lapack_int lw) {
  return LAPACKE_dgehrd_work(layout, n, ilo, ihi, a, lda, tau, w, lw);
}
inline lapack_int gehrd(int layout, lapack_int n, lapack_int ilo, lapack_int ihi, float* a, lapack_int lda,
                        float* tau, float* w, lapack_int lw) {
  return LAPACKE_sgehrd_work(layout, n, ilo, ihi, a, lda, tau, w, lw);
}
inline lapack_int hseqr(int layout, char job, char compz, lapack_int n, lapack_int ilo, lapack_int ihi, double* h,
                        lapack_int ldh, double* wr, double* wi, double* z, lapack_int ldz, double* w, lapack_int lw) {
  return LAPACKE_dhseqr_work(layout, job, compz, n, ilo, ihi, h, ldh, wr, wi, z, ldz, w, lw);
}
inline lapack_int hseqr(int layout, char job, char compz, lapack_int n, lapack_int ilo, lapack_int ihi, float* h,
                        lapack_int ldh, float* wr, float* wi, float* z, lapack_int ldz, float* w, lapack_int lw) {
  return LAPACKE_shseqr_work(layout, job, compz, n, ilo, ihi, h, ldh, wr, wi, z, ldz, w, lw);
}

}  // namespace kb::lapack
