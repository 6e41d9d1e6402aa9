/* An experiment, not part of the package (benchmarks/bench_compiled_loop.py compiles and runs it):
   the whole Benettin loop of the batched GRU in C (zero biases or given ones, one gain per column, no
   inputs, float64), the products through numpy's own BLAS (its cblas_dgemm, passed in as a pointer),
   everything else fused per element and vectorised by the compiler. It measures how much of a step
   stays outside the matrix products once Python is out of the loop. Row-major (n x B) arrays.
   The same equations as criticality.models._fast with tangents; no saturation guard (the log path
   of the package is not here), so keep preactivations moderate. BLASINT is the BLAS integer type. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#ifndef BLASINT
#define BLASINT int64_t
#endif
typedef void (*dgemm_t)(int, int, int, BLASINT, BLASINT, BLASINT, double, const double *, BLASINT,
                        const double *, BLASINT, double, double *, BLASINT);
enum { ROW = 101, NT = 111 };

/* h, u: (n x B) state and unit tangent (updated); a: (B) gains; Uzr: (2n x n), U_z over U_r; Uh: (n x n);
   bz, br, bh: (n) biases; logs: (B) accumulated log growth. gemm_only: the two products alone.
   Returns 0, or -1 if memory ran out. */
int gru_loop(dgemm_t gemm, int64_t n, int64_t B, int64_t steps, double *h, double *u, const double *a,
              const double *Uzr, const double *Uh, const double *bz, const double *br, const double *bh,
              double *logs, int gemm_only) {
  int64_t B2 = 2 * B;
  double *X = malloc(sizeof(double) * n * B2), *P = malloc(sizeof(double) * 2 * n * B2);
  double *Q = malloc(sizeof(double) * n * B2), *Z = malloc(sizeof(double) * n * B * 3);
  double *nrm = malloc(sizeof(double) * B);
  if (!X || !P || !Q || !Z || !nrm) {
    free(X); free(P); free(Q); free(Z); free(nrm);
    return -1;
  }
  double *ZC = Z + n * B, *DZ = Z + 2 * n * B;
  for (int64_t t = 0; t < steps; t++) {
    if (!gemm_only)
      for (int64_t i = 0; i < n; i++) {
        const double *hi = h + i * B, *ui = u + i * B;
        double *xi = X + i * B2;
#pragma omp simd
        for (int64_t j = 0; j < B; j++) { xi[j] = a[j] * hi[j]; xi[B + j] = a[j] * ui[j]; }
      }
    gemm(ROW, NT, NT, 2 * n, B2, n, 1.0, Uzr, n, X, B2, 0.0, P, B2);
    if (!gemm_only)
      for (int64_t i = 0; i < n; i++) {
        const double *pz = P + i * B2, *pr = P + (n + i) * B2, *hi = h + i * B, *ui = u + i * B;
        double *xi = X + i * B2, *zi = Z + i * B, *zci = ZC + i * B, *dzi = DZ + i * B;
        double cz = bz[i], cr = br[i];
#pragma omp simd
        for (int64_t j = 0; j < B; j++) {
          double ez = exp(-(pz[j] + cz)), z = 1.0 / (1.0 + ez);
          double er = exp(-(pr[j] + cr)), r = 1.0 / (1.0 + er);
          zi[j] = z; zci[j] = ez * z; dzi[j] = pz[B + j];
          xi[j] = a[j] * (r * hi[j]);
          xi[B + j] = a[j] * (r * ((er * r) * pr[B + j] * hi[j] + ui[j]));
        }
      }
    gemm(ROW, NT, NT, n, B2, n, 1.0, Uh, n, X, B2, 0.0, Q, B2);
    if (gemm_only) continue;
    for (int64_t j = 0; j < B; j++) nrm[j] = 0.0;
    for (int64_t i = 0; i < n; i++) {
      const double *qi = Q + i * B2, *zi = Z + i * B, *zci = ZC + i * B, *dzi = DZ + i * B;
      double *hi = h + i * B, *ui = u + i * B, c0 = bh[i];
#pragma omp simd
      for (int64_t j = 0; j < B; j++) {
        double p = qi[j] + c0, e = exp(-2.0 * fabs(p)), d = 1.0 + e;
        double c = tanh(p), diff = c - hi[j];
        double un = zi[j] * ((4.0 * e / (d * d)) * qi[B + j] + diff * zci[j] * dzi[j]) + zci[j] * ui[j];
        hi[j] += zi[j] * diff;
        ui[j] = un;
        nrm[j] += un * un;
      }
    }
    for (int64_t j = 0; j < B; j++) { nrm[j] = sqrt(nrm[j]); logs[j] += log(nrm[j]); nrm[j] = 1.0 / nrm[j]; }
    for (int64_t i = 0; i < n; i++) {
      double *ui = u + i * B;
#pragma omp simd
      for (int64_t j = 0; j < B; j++) ui[j] *= nrm[j];
    }
  }
  free(X); free(P); free(Q); free(Z); free(nrm);
  return 0;
}
