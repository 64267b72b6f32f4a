/* The same OpenBLAS gemm the native backend calls, from C: the floor the N-API path is measured
 * against. Usage: gemm_ref N d|s REPS; prints {"times":[ms,...]} (one warm-up call first). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s N d|s REPS\n", argv[0]);
    return 2;
  }
  int n = atoi(argv[1]), reps = atoi(argv[3]);
  int single = argv[2][0] == 's';
  if (n <= 0 || reps <= 0) return 2;
  size_t len = (size_t)n * n;
  double *a = malloc(len * sizeof *a), *b = malloc(len * sizeof *b), *c = malloc(len * sizeof *c);
  float *af = malloc(len * sizeof *af), *bf = malloc(len * sizeof *bf), *cf = malloc(len * sizeof *cf);
  if (!a || !b || !c || !af || !bf || !cf) return 1;
  unsigned s = 12345;
  for (size_t i = 0; i < len; i++) {
    s = s * 1103515245u + 12345u;
    a[i] = af[i] = (float)((s >> 8) / 16777216.0 - 0.5);
    s = s * 1103515245u + 12345u;
    b[i] = bf[i] = (float)((s >> 8) / 16777216.0 - 0.5);
  }
  printf("{\"times\":[");
  for (int r = -1; r < reps; r++) {
    double t0 = now_ms();
    if (single)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, af, n, bf, n, 0.0f, cf, n);
    else
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
    double t = now_ms() - t0;
    if (r >= 0) printf("%s%.4f", r ? "," : "", t);
  }
  printf("]}\n");
  return 0;
}
