"""How much of the engine's step is Python: the batched GRU's Benettin loop compiled (an experiment).

Run:  python benchmarks/bench_compiled_loop.py [--sizes 100 200 500 1000] [--gains 32] [--repeats 5]

Compiles ``benchmarks/gru_loop.c`` (the GRU step with tangents and the renormalisation, the same
equations as ``criticality.models._fast``, the products through numpy's own BLAS) with the C compiler
``$CC`` (default ``cc``), checks it against the engine, then times, per step and 32 gains, the engine,
the compiled loop, and the compiled loop's two matrix products alone, with the float64 GEMM peak
measured before and after (the higher one is the reference). Not part of the package: it needs a C
compiler, glibc's vector maths (libmvec) for vectorised exp/tanh, and numpy's BLAS exporting
``cblas_dgemm`` (numpy's wheels ship scipy-openblas, ``scipy_cblas_dgemm64_``).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from criticality.bench import FLOPS_PER_COL, engine_blas, gemm_peak, median_time, run_batched
from criticality.lyapunov import normalised
from criticality.models import make_network

SOURCE = Path(__file__).with_name("gru_loop.c")
SYMBOLS = (("scipy_cblas_dgemm64_", "int64_t"), ("cblas_dgemm64_", "int64_t"), ("cblas_dgemm", "int"))
_D = ctypes.POINTER(ctypes.c_double)


def load(cc=None):
    """Compile gru_loop.c against numpy's BLAS: ``(function, dgemm pointer)``; RuntimeError naming what is
    missing (compiler, BLAS symbol, compile error) otherwise."""
    cc = cc or os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        raise RuntimeError(f"no C compiler: CC={cc!r} is not on PATH")
    info = engine_blas()
    if info is None:
        raise RuntimeError("numpy's BLAS library was not found (threadpoolctl)")
    blas = ctypes.CDLL(info["filepath"])
    found = [(name, itype) for name, itype in SYMBOLS if hasattr(blas, name)]
    if not found:
        raise RuntimeError(f"{info['filepath']} exports none of {[s for s, _ in SYMBOLS]}")
    name, itype = found[0]
    out = Path(tempfile.mkdtemp(prefix="gru_loop_"))
    obj, lib = out / "gru_loop.o", out / "gru_loop.so"
    # -ffast-math at compile time lets gcc call libmvec's vector exp/tanh; not at link time, where it
    # would add crtfastmath and flush denormals to zero for the whole process
    steps = [[cc, "-O3", "-march=native", "-ffast-math", "-fopenmp-simd", "-fPIC", f"-DBLASINT={itype}",
              "-c", str(SOURCE), "-o", str(obj)], [cc, "-shared", str(obj), "-o", str(lib), "-lm"]]
    for cmd in steps:
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr}")
    fn = ctypes.CDLL(str(lib)).gru_loop
    i64 = ctypes.c_int64
    fn.argtypes = [ctypes.c_void_p, i64, i64, i64] + [_D] * 9 + [ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn, ctypes.cast(getattr(blas, name), ctypes.c_void_p)


def loop(compiled, net, h, u, g, steps, gemm_only=False):
    """``go()`` running ``steps`` compiled steps of the GRU ``net`` on ``h``, ``u`` (updated in place, C
    order) at gains ``g``; ``go()`` returns the accumulated log growth of every column."""
    fn, gemm = compiled
    if net.arch != "gru" or h.dtype != np.float64 or not (h.flags.c_contiguous and u.flags.c_contiguous):
        raise ValueError("the compiled loop takes a float64 GRU and C-ordered float64 h, u")
    n, B = h.shape
    mats = [np.ascontiguousarray(np.vstack([net.U["z"], net.U["r"]])), np.ascontiguousarray(net.U["h"])]
    bias = [np.ascontiguousarray(net.biases.get(k, np.zeros(n)), dtype=np.float64) for k in ("z", "r", "h")]
    g, logs = np.ascontiguousarray(g, dtype=np.float64), np.zeros(B)
    ptr = lambda x: x.ctypes.data_as(_D)  # noqa: E731

    def go():
        if fn(gemm, n, B, steps, *map(ptr, (h, u, g, *mats, *bias, logs)), int(gemm_only)):
            raise MemoryError("gru_loop: out of memory")
        return logs
    return go


def check(compiled, n=120, columns=8, steps=50):
    """Largest differences between the compiled loop and the engine (``Network._step`` with
    ``normalised``) after ``steps`` steps: ``(state, log growth per step)``."""
    net = make_network("gru", n, seed=0)
    g = np.linspace(0.5, 4.0, columns)
    h = net.random_state(columns, scale=0.5, seed=1)
    u = normalised(np.random.default_rng(2).standard_normal(h.shape))[0]
    hc, uc = h.copy(), u.copy()
    logs = np.zeros(columns)
    for _ in range(steps):
        h, v, m = net._step(h, u, g, None)
        u, lognorm = normalised(v)
        logs += lognorm + m[0]
    got = loop(compiled, net, hc, uc, g, steps)()
    return float(np.abs(hc - h).max()), float(np.abs(got - logs).max() / steps)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 500, 1000])
    p.add_argument("--gains", type=int, default=32)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    compiled = load()
    d_state, d_log = check(compiled)
    print(f"compiled loop against the engine, 50 steps, N = 120: state differs by {d_state:.1e}, "
          f"log growth per step by {d_log:.1e}")
    before = gemm_peak(np.float64)
    g = np.linspace(0.5, 4.0, args.gains)
    rows = []
    for n in args.sizes:
        steps = max(20, 20000 // n)
        net = make_network("gru", n, seed=0)
        h = net.random_state(args.gains, scale=0.5, seed=1)
        u = normalised(np.random.default_rng(2).standard_normal(h.shape))[0]
        t = [median_time(run_batched("gru", n, g, steps, np.float64), args.repeats) / steps]
        for only in (False, True):
            t.append(median_time(loop(compiled, net, h.copy(), u.copy(), g, steps, only), args.repeats) / steps)
        rows.append((n, *t))
    peak = max(before, after := gemm_peak(np.float64))
    print(f"float64 GEMM peak, all threads: {before:.1f} GF/s before, {after:.1f} after\n")
    print(f"GRU with tangents, {args.gains} gains, per step (medians of {args.repeats}):")
    print("| N | engine (numpy) | compiled loop | its products alone | engine % of peak | compiled % of peak "
          "| outside the products: engine | compiled |")
    print("|---|---|---|---|---|---|---|---|")
    for n, t_np, t_c, t_g in rows:
        gf = FLOPS_PER_COL["gru"] * n * n * args.gains / 1e9
        print(f"| {n} | {1e6 * t_np:.0f} us | {1e6 * t_c:.0f} us | {1e6 * t_g:.0f} us | {100 * gf / t_np / peak:.0f}% "
              f"| {100 * gf / t_c / peak:.0f}% | {1 - t_g / t_np:.0%} | {1 - t_g / t_c:.0%} |")


if __name__ == "__main__":
    main()
