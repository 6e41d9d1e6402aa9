"""Benchmark of the batched GRU/LSTM engine (criticality.models) with tangent propagation.

Run:  python benchmarks/bench_models.py [--steps 2000] [--repeats 3] [--quick] [--no-reservoir]
      [--reservoir-n 1000] [--reservoir-steps 5000]

Prints, as medians over repeated runs measured side by side in one process:
- the BLAS libraries loaded (and which one runs numpy's products, if several), the load average;
- the dgemm/sgemm peak (2000^3) of numpy's BLAS with all threads and with one, measured in the same
  run; every fraction is of the all-thread peak;
- for GRU and LSTM at N = 500 and 1000 with 32 gains: time per step, achieved GEMM GFLOP/s and
  its fraction of the peak, the same for the step's matrix products alone (the step's floor on these
  tall, thin shapes), float32 against float64;
- the speed-up over the straightforward loop (one matrix-vector product per gate, per gain,
  for state and tangent) at N = 500, beside the ceiling the peak allows (the loop's time over
  the batched step's GEMMs at the all-thread peak);
- the per-step Python/elementwise overhead at N = 100 and 200, with the compiled kernels (numba) and
  with the numpy engine;
- the reservoir case (benchmarks/bench_reservoir.py, needs reservoirpy 0.4.2): one sweep of 32 gains
  (``--gains``) of a tanh reservoir at N = 1000, T = 5000, forecasting the Mackey-Glass map, by
  ``criticality.reservoir.evaluate`` against reservoirpy doing the same runs one after another:
  both medians and their ratio (goal: at least 5x), measured in this run.
FLOPs count only the matrix products (2 m k n each): 12 N^2 B per GRU step and 16 N^2 B per
LSTM step with tangents (B columns), i.e. the work a BLAS-bound implementation cannot avoid.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

import bench_reservoir  # benchmarks/, next to this script
from criticality.bench import (FLOPS_PER_COL, blas_info, engine_name, engines, gemm_peak, load_average,
                               median_time, non_gemm_share, run_loop, step_and_products)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--loop-steps", type=int, default=100, help="steps of the slow loop baseline")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--gains", type=int, default=32)
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    p.add_argument("--reservoir", action=argparse.BooleanOptionalAction, default=True,
                   help="the reservoir case against reservoirpy (default: on)")
    p.add_argument("--reservoir-n", type=int, default=1000, help="reservoir size N of the reservoir case")
    p.add_argument("--reservoir-steps", type=int, default=5000, help="series length T of the reservoir case")
    args = p.parse_args()
    if args.reservoir:
        bench_reservoir.require_reservoirpy()  # before the engine's minutes, not after
    sizes = (100, 200) if args.quick else (500, 1000)
    steps = 50 if args.quick else args.steps
    gains = np.linspace(0.5, 4.0, args.gains)
    print(f"numpy {np.__version__}; BLAS: {blas_info()}; cores: {os.cpu_count()}; "
          f"load average (1, 5, 15 min): {load_average()}\nengine: {engine_name()}")
    before = {dt: gemm_peak(dt) for dt in (np.float64, np.float32)}  # all threads: what the engine gets
    peak1 = {dt: gemm_peak(dt, threads=1) for dt in (np.float64, np.float32)}
    per_step, products = {}, {}
    for arch in ("gru", "lstm"):
        for n in sizes:
            for dtype in (np.float64, np.float32):
                per_step[arch, n, dtype], products[arch, n, dtype] = step_and_products(
                    arch, n, gains, steps, dtype, args.repeats)
    after = {dt: gemm_peak(dt) for dt in (np.float64, np.float32)}
    peak = {dt: max(before[dt], after[dt]) for dt in (np.float64, np.float32)}
    print("GEMM peak of numpy's BLAS (2000^3, warmed up, median of 5), measured in this run, with all threads "
          "before and after the engine's runs:")
    for dt in (np.float64, np.float32):
        print(f"  {np.dtype(dt).name}: {before[dt]:.1f} and {after[dt]:.1f} GF/s with all threads, "
              f"{peak1[dt]:.1f} GF/s with 1 thread")
        if peak[dt] < 1.5 * peak1[dt]:
            print(f"  WARNING: the all-thread {np.dtype(dt).name} peak is under 1.5 times the one-thread peak: "
                  "another process, or the hypervisor, had a core; the fractions below are unreliable")
    print("The fractions below are of the higher all-thread peak of the same dtype.\n")

    print(f"Batched engine, {args.gains} gains, {steps} steps with tangents, median of {args.repeats}")
    print("(products alone: the step's matrix products on their own, timed interleaved with it; the step "
          "does them and more, so they bound its speed)")
    print("| arch | N | dtype | s per run | ms/step | GF/s | % of peak | products alone: GF/s | % of peak "
          "| f32 speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for arch in ("gru", "lstm"):
        for n in sizes:
            for dtype in (np.float64, np.float32):
                t = per_step[arch, n, dtype]
                gf, gf_p = (FLOPS_PER_COL[arch] * n * n * len(gains) / x / 1e9 for x in (t, products[arch, n, dtype]))
                speed = "" if dtype is np.float64 else f"{per_step[arch, n, np.float64] / t:.2f}x"
                print(f"| {arch} | {n} | {np.dtype(dtype).name} | {t * steps:.2f} | {1e3 * t:.2f} | "
                      f"{gf:.1f} | {100 * gf / peak[dtype]:.0f}% | {gf_p:.1f} | {100 * gf_p / peak[dtype]:.0f}% "
                      f"| {speed} |")

    n = sizes[0]
    print(f"\nLoop baseline at N = {n} ({args.loop_steps} steps, per-step time compared):")
    print("| arch | loop ms/step | batched ms/step | speed-up | ceiling at peak |")
    print("|---|---|---|---|---|")
    for arch in ("gru", "lstm"):
        t_loop = median_time(run_loop(arch, n, gains, args.loop_steps), args.repeats) / args.loop_steps
        t_b = per_step[arch, n, np.float64]
        t_peak = FLOPS_PER_COL[arch] * n * n * len(gains) / (peak[np.float64] * 1e9)  # the GEMMs at peak
        print(f"| {arch} | {1e3 * t_loop:.2f} | {1e3 * t_b:.2f} | {t_loop / t_b:.1f}x | {t_loop / t_peak:.1f}x |")

    print(f"\nPer-step overhead, {len(gains)} gains (float64): step time against its GEMMs alone")
    print("| arch | N | engine | ms/step | GEMM-only ms/step | non-GEMM share |")
    print("|---|---|---|---|---|---|")
    for arch in ("gru", "lstm"):
        for n in (100, 200):
            for name, kernels in engines().items():
                t_step, t_gemm, share = non_gemm_share(arch, n, len(gains), 500, args.repeats, kernels)
                print(f"| {arch} | {n} | {name} | {1e3 * t_step:.3f} | "
                      f"{1e3 * t_gemm:.3f} | {100 * share:.0f}% |")

    if args.reservoir:
        print("\nReservoir case: one sweep with criticality.reservoir.evaluate (all gains batched) against "
              "reservoirpy (one gain after another)")
        bench_reservoir.run(**(bench_reservoir.QUICK if args.quick else
                               dict(n=args.reservoir_n, steps=args.reservoir_steps, n_gains=args.gains,
                                    repeats=args.repeats)))


if __name__ == "__main__":
    main()
