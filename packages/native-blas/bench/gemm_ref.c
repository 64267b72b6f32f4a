/* The same OpenBLAS gemm the native backend calls, from C: the floor the N-API path is measured
 * against. A worker (the bench's lineWorker): it prints {"ready":true}, then answers each line
 * "N d|s REPS" on stdin with one line {"times":[ms,...]} on stdout (one warm-up call first, then
 * REPS timed calls); it exits at the end of its input. One process serves every round, so the
 * bench does not fork Node once per round. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Seeded operands of size n x n, (re)built when n changes; the buffers are kept between requests. */
static double *a, *b, *c;
static float *af, *bf, *cf;
static int built = 0;

static int operands(int n) {
  if (n == built) return 1;
  size_t len = (size_t)n * n;
  free(a), free(b), free(c), free(af), free(bf), free(cf);
  a = malloc(len * sizeof *a), b = malloc(len * sizeof *b), c = malloc(len * sizeof *c);
  af = malloc(len * sizeof *af), bf = malloc(len * sizeof *bf), cf = malloc(len * sizeof *cf);
  if (!a || !b || !c || !af || !bf || !cf) return 0;
  unsigned s = 12345;
  for (size_t i = 0; i < len; i++) {
    s = s * 1103515245u + 12345u;
    a[i] = af[i] = (float)((s >> 8) / 16777216.0 - 0.5);
    s = s * 1103515245u + 12345u;
    b[i] = bf[i] = (float)((s >> 8) / 16777216.0 - 0.5);
  }
  built = n;
  return 1;
}

int main(void) {
  int n, reps;
  char type;
  printf("{\"ready\":true}\n");
  fflush(stdout);
  while (scanf("%d %c %d", &n, &type, &reps) == 3) {
    if (n <= 0 || reps <= 0 || (type != 'd' && type != 's') || !operands(n)) return 2;
    printf("{\"times\":[");
    for (int r = -1; r < reps; r++) {
      double t0 = now_ms();
      if (type == 's')
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, af, n, bf, n, 0.0f, cf, n);
      else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
      double t = now_ms() - t0;
      if (r >= 0) printf("%s%.4f", r ? "," : "", t);
    }
    printf("]}\n");
    fflush(stdout);
  }
  return 0;
}
