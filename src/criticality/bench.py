"""Timing helpers behind ``benchmarks/bench_models.py`` and the performance appendix.

FLOPs count only the matrix products (2 m k n each): 12 N^2 B per GRU step and 16 N^2 B per LSTM
step with tangents (B columns), the work a BLAS-bound implementation cannot avoid.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from .models import make_network

__all__ = ["FLOPS_PER_COL", "median_time", "gemm_peak", "run_batched", "run_loop", "blas_info"]


def blas_info() -> str:
    """BLAS libraries and their thread counts, as threadpoolctl reports them."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover
        return "unknown"
    return "; ".join(f"{d.get('internal_api')} {d.get('version')}, {d.get('num_threads')} threads"
                     for d in threadpool_info() if d.get("user_api") == "blas") or "unknown"


FLOPS_PER_COL = {"gru": 12, "lstm": 16}  # times N^2 per column per step (state + tangent)


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def gemm_peak(dtype, n=2000, repeats=5):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    a @ b
    return 2 * n**3 / median_time(lambda: a @ b, repeats) / 1e9


def run_batched(arch, n, gains, steps, dtype, seed=0):
    net = make_network(arch, n, seed=seed, dtype=dtype)
    a = net.gains(np.asarray(gains, dtype=dtype), len(gains))
    s = net.random_state(len(gains), scale=0.5, seed=1)
    u = np.repeat(np.random.default_rng(2).standard_normal((s.shape[0], 1)), s.shape[1], axis=1).astype(dtype)

    def go():
        nonlocal s, u
        for _ in range(steps):
            s, u = net.jvp(s, u, a)
            u /= np.linalg.norm(u, axis=0)
        return s, u
    return go


def run_loop(arch, n, gains, steps, seed=0):
    """The straightforward version: every gain its own vector, one mat-vec per gate and state/tangent."""
    net = make_network(arch, n, seed=seed)
    U = net.U
    b = {k: v for k, v in net.biases.items()}
    sig = lambda x: 1.0 / (1.0 + np.exp(-x))  # noqa: E731
    s0 = net.random_state(1, scale=0.5, seed=1)[:, 0]
    u0 = np.random.default_rng(2).standard_normal(s0.shape)

    def go():
        out = []
        for g in gains:
            s, u = s0.copy(), u0.copy()
            for _ in range(steps):
                if arch == "gru":
                    h = s
                    z = sig(g * (U["z"] @ h) + b["z"]); dz = z * (1 - z) * g * (U["z"] @ u)  # noqa: E702
                    r = sig(g * (U["r"] @ h) + b["r"]); dr = r * (1 - r) * g * (U["r"] @ u)  # noqa: E702
                    c = np.tanh(g * (U["h"] @ (r * h)))
                    dc = (1 - c * c) * g * (U["h"] @ (dr * h + r * u))
                    s, u = (1 - z) * h + z * c, (1 - z) * u + dz * (c - h) + z * dc
                else:
                    c, h = s[:n], s[n:]
                    uc, uh = u[:n], u[n:]
                    gate = {}
                    for k in ("f", "i", "o"):
                        v = sig(g * (U[k] @ h) + b[k])
                        gate[k] = (v, v * (1 - v) * g * (U[k] @ uh))
                    ct = np.tanh(g * (U["h"] @ h))
                    dct = (1 - ct * ct) * g * (U["h"] @ uh)
                    (f, df), (i, di), (o, do) = gate["f"], gate["i"], gate["o"]
                    cn = f * c + i * ct
                    dcn = df * c + f * uc + di * ct + i * dct
                    t = np.tanh(cn)
                    s = np.concatenate([cn, o * t])
                    u = np.concatenate([dcn, do * t + o * (1 - t * t) * dcn])
                u /= np.linalg.norm(u)
            out.append((s, u))
        return np.column_stack([o[0] for o in out]), np.column_stack([o[1] for o in out])
    return go


