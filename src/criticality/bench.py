"""Timing helpers behind ``benchmarks/bench_models.py`` and the performance appendix.

FLOPs count only the matrix products (2 m k n each): 12 N^2 B per GRU step and 16 N^2 B per LSTM
step with tangents (B columns), the work a BLAS-bound implementation cannot avoid.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time

import numpy as np

from . import _kernels
from ._kernels import _blas_libraries, engine_blas
from .lyapunov import columns_exponent, max_exponent, normalised
from .models import _fast, _matmul, make_network

__all__ = ["FLOPS_PER_COL", "median_time", "gemm_peak", "run_batched", "run_loop", "blas_info", "engine_blas",
           "engine_products", "step_and_products", "load_average", "step_scaling", "power_law", "non_gemm_share",
           "step_breakdown", "product_forms", "interleaved_times", "numpy_engine", "engine_name", "engines",
           "ufunc_times", "float32_effect"]


def blas_info() -> str:
    """BLAS libraries and their thread counts, as threadpoolctl reports them; the one that runs numpy's
    products (:func:`engine_blas`) is marked when several are loaded."""
    libs, mine = _blas_libraries(), engine_blas()
    if not libs:
        return "unknown"
    mark = len(libs) > 1
    return "; ".join(f"{d.get('internal_api')} {d.get('version')}, {d.get('num_threads')} threads"
                     + (f" ({os.path.basename(os.path.dirname(d.get('filepath', '')))}"
                        + (", runs numpy's products)" if d.get("filepath") == (mine or {}).get("filepath") else ")")
                        if mark else "")
                     for d in libs)


@contextlib.contextmanager
def numpy_engine():
    """Within: the engine without the compiled kernels of :mod:`criticality._kernels`, as without numba
    (networks drawn inside keep the numpy step, and the product form the numpy step chooses)."""
    available = _kernels.AVAILABLE
    _kernels.AVAILABLE = False
    try:
        yield
    finally:
        _kernels.AVAILABLE = available


def engine_name() -> str:
    """Which element-wise engine runs the steps: the compiled kernels (with numba's version, and whether
    ``max_exponent``'s whole loop is compiled, see :func:`criticality.lyapunov.columns_exponent`) or numpy."""
    if not _kernels.AVAILABLE:
        return "numpy (fused ufuncs)"
    import numba

    loop = ("max_exponent's loop compiled, products by numpy's BLAS" if _kernels.gemm_address(np.float64)
            else "loop stepped from Python: numpy's BLAS has no ILP64 cblas_dgemm")
    return f"compiled kernels (numba {numba.__version__}; {loop})"


def engines() -> dict:
    """The element-wise engines this installation can time, name -> the ``kernels`` flag of
    :func:`step_breakdown`: ``{"compiled": True, "numpy": False}`` with numba, else ``{"numpy": False}``."""
    return {"compiled": True, "numpy": False} if _kernels.AVAILABLE else {"numpy": False}


FLOPS_PER_COL = {"gru": 12, "lstm": 16}  # times N^2 per column per step (state + tangent)


def interleaved_times(parts, repeats, calls):
    """Median seconds per call of each function of the dict ``parts``, over ``repeats`` runs of ``calls``
    calls, the parts interleaved run by run, so that a slow spell of the machine hits every part alike."""
    times = {name: [] for name in parts}
    for _ in range(repeats):
        for name, part in parts.items():
            start = time.perf_counter()
            for _ in range(calls):
                part()
            times[name].append((time.perf_counter() - start) / calls)
    return {name: statistics.median(t) for name, t in times.items()}


def median_time(fn, repeats):
    """Median seconds of ``repeats`` calls of ``fn``: :func:`interleaved_times` of one part."""
    return interleaved_times({"fn": fn}, repeats, 1)["fn"]


def gemm_peak(dtype, n=2000, repeats=5, threads=None):
    """GF/s of one ``n x n`` matrix product in ``dtype`` (numpy's BLAS, the engine's), warmed up, the median
    of ``repeats``; with ``threads`` (an int) the BLAS thread pools are limited to that many meanwhile."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    with _limited(threads):
        a @ b
        return 2 * n**3 / median_time(lambda: a @ b, repeats) / 1e9


def _limited(threads):
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(int(threads), user_api="blas")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (``os.getloadavg``), or "unknown"."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"


def step_scaling(arch, sizes, columns, steps=None, repeats=3, dtype=np.float64):
    """Median time per step (seconds) of the batched engine with tangents: a dict ``(n, B) -> t`` over
    every N of ``sizes`` and B of ``columns``. ``steps`` per timed run; ``None`` adapts it to the size
    (``20000 // N``, between 5 and 200), so that small networks are timed over enough steps."""
    out = {}
    for n in sizes:
        k = int(np.clip(20000 // n, 5, 200)) if steps is None else int(steps)
        for b in columns:
            out[n, b] = median_time(run_batched(arch, n, np.linspace(0.5, 4.0, b), k, dtype), repeats) / k
    return out


def step_breakdown(arch, n, columns=32, steps=500, repeats=3, kernels=True):
    """Seconds per float64 step with tangents (``columns`` gains, medians of ``repeats`` runs of ``steps``
    steps), and its parts timed one by one: ``step`` is the engine's loop (:func:`run_batched`, as
    :func:`criticality.lyapunov.max_exponent` runs it: compiled as a whole where it can be); ``call``
    one ``Network._step`` with its argument handling, on a fixed state (a step driven from Python, as
    ``lyapunov.spectrum`` takes it); ``fused`` the fused step ``models._fast`` alone, on the same state;
    ``products`` the matrix products alone, as the loop computes them (:func:`engine_products`);
    ``renormalisation`` :func:`criticality.lyapunov.normalised` alone. Timed apart, the parts need not
    add up to ``step``. ``kernels=False`` times the numpy engine (:func:`numpy_engine`) even where numba
    is installed."""
    with contextlib.nullcontext() if kernels else numpy_engine():
        return _step_breakdown(arch, n, columns, steps, repeats)


def _step_breakdown(arch, n, columns, steps, repeats):
    gains = np.linspace(0.5, 4.0, columns)
    loop = run_batched(arch, n, gains, steps, np.float64)
    out = {"step": median_time(loop, repeats) / steps}
    s, u = loop()  # a state and unit tangents on the attractor, of the same network (seed 0)
    net = loop.net
    g = net.gains(gains, columns)
    a = {k: v[None, :] for k, v in g.items()}
    parts = {"call": lambda: net._step(s, u, g, None),
             "fused": lambda: _fast(net, s, u, a, {}, columns, g.uniform),
             "products": engine_products(net, columns),
             "renormalisation": lambda: normalised(u)}
    out.update(interleaved_times(parts, repeats, steps))
    return out


def engine_products(net, columns):
    """A function that computes the matrix products of one step of ``net`` with tangents, as the engine
    computes them: the stacked gate product on ``2 columns`` state-and-tangent columns, plus the GRU's
    candidate product; called from the compiled loop's code (``_kernels.gemm``, into the same buffers
    every time) where :func:`criticality.lyapunov.columns_exponent` runs compiled, else as
    ``models._matmul`` in the engine's form and operand order. Its time is the step's floor at the
    BLAS's speed on these shapes."""
    X = np.random.default_rng(0).standard_normal((net.n, 2 * columns)).astype(net.dtype)
    tr = net._transposed  # the engine's form of the products, and the order of its operand
    X = np.asfortranarray(X) if tr else X
    A, Uh = net._stack, np.ascontiguousarray(net.U["h"], dtype=net.dtype)  # the GRU's U_h acts on r * h
    addr = _kernels.gemm_address(net.dtype) if net.gates_recurrent else None
    if addr is not None:  # the compiled loop's own calls
        X = np.asfortranarray(X)
        P, Q = (np.empty((m.shape[0], 2 * columns), dtype=net.dtype, order="F") for m in (A, Uh))

        def compiled():
            _kernels.gemm(addr, A, X, P)
            if net.arch == "gru":
                _kernels.gemm(addr, Uh, X, Q)
                return P, Q
            return P
        compiled()  # numba loads (or compiles) the product's code now, not in the first timed call
        return compiled
    if net.arch == "gru":
        return lambda: (_matmul(A, X, tr), _matmul(Uh, X, tr))
    return lambda: _matmul(A, X, tr)


def product_forms(n, rows=3, columns=64, repeats=5, calls=5):
    """GF/s of the engine's product ``U @ X`` (``U`` of ``rows * n`` rows and ``n`` columns, C-ordered; ``X`` of
    ``columns`` columns) computed two ways, medians of ``repeats`` runs of ``calls`` products: as written
    (``"U @ X"``) and as the transposed product ``(X^T @ U^T)^T`` that the engine uses for matrices of
    ``models.TRANSPOSED_PRODUCT_BYTES`` or more (``"(X^T U^T)^T"``), with ``X`` Fortran-ordered as the
    engine keeps it then."""
    rng = np.random.default_rng(0)
    U, X = rng.standard_normal((rows * n, n)), rng.standard_normal((n, columns))
    XF = np.asfortranarray(X)
    forms = {"U @ X": lambda: U @ X, "(X^T U^T)^T": lambda: (XF.T @ U.T).T}
    return {name: 2 * rows * n * n * columns / t / 1e9
            for name, t in interleaved_times(forms, repeats, calls).items()}


def non_gemm_share(arch, n, columns=32, steps=500, repeats=3, kernels=True):
    """``(step seconds, GEMM-only seconds, share)`` of :func:`step_breakdown`: ``share`` is the fraction of
    the engine's step spent outside its matrix products."""
    t = step_breakdown(arch, n, columns, steps, repeats, kernels)
    return t["step"], t["products"], 1.0 - t["products"] / t["step"]


def ufunc_times(n, columns=32, repeats=5, calls=2000):
    """Seconds per call of ``np.tanh``, ``np.exp`` and ``np.multiply`` (in place) on one float64 ``(n, columns)``
    array, medians of ``repeats`` runs of ``calls`` calls: the price of one element-wise pass of a step."""
    x = np.random.default_rng(0).standard_normal((n, columns))
    y = np.empty_like(x)
    ops = {"tanh": lambda: np.tanh(x, out=y), "exp": lambda: np.exp(x, out=y),
           "multiply": lambda: np.multiply(x, x, out=y)}
    return interleaved_times(ops, repeats, calls)


def float32_effect(arch, n, gains, steps, transient, seed=0):
    """lambda_max (:func:`criticality.lyapunov.max_exponent`) of one network at ``gains`` three ways: in
    float64, in float32 (the same draws, rounded; the same start), and in float64 from another start
    (``seed + 1``), whose difference from the first is the finite-time fluctuation that float32's must
    be compared with. Returns ``(lam64, lam32, lam64_other)``."""
    nets = {dt: make_network(arch, n, seed=seed, dtype=dt) for dt in (np.float64, np.float32)}
    lam = {dt: max_exponent(net, gains, steps, transient=transient, seed=seed + 1) for dt, net in nets.items()}
    other = max_exponent(nets[np.float64], gains, steps, transient=transient, seed=seed + 2)
    return lam[np.float64], lam[np.float32], other


def power_law(x, y):
    """``(exponent, prefactor)`` of the least-squares fit ``y = prefactor * x**exponent`` in log-log."""
    k, c = np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)
    return float(k), float(np.exp(c))


def run_batched(arch, n, gains, steps, dtype, seed=0):
    """The engine: every gain a column of one batched step with tangents, renormalised every step, as
    :func:`criticality.lyapunov.max_exponent` runs it (:func:`criticality.lyapunov.columns_exponent`:
    the compiled loop where numba and an ILP64 gemm are there, else ``Network._step`` stepped from
    Python); ``go()`` runs ``steps`` steps and returns the final states and unit tangents; ``go.net``
    is the network."""
    net = make_network(arch, n, seed=seed, dtype=dtype)
    a = net.gains(np.asarray(gains, dtype=dtype), len(gains))
    s = net.random_state(len(gains), scale=0.5, seed=1)
    u = np.repeat(np.random.default_rng(2).standard_normal((s.shape[0], 1)), s.shape[1], axis=1).astype(dtype)

    def go():
        nonlocal s, u
        _, s, u = columns_exponent(net, a, s, u, steps)
        return s, u
    go.net = net
    return go


def step_and_products(arch, n, gains, steps, dtype, repeats=3, seed=0):
    """``(step, products)``: seconds per step of the engine's loop (:func:`run_batched`) and of its matrix
    products alone (:func:`engine_products`, on the same shapes), medians of ``repeats`` runs of ``steps``
    steps and of ``steps // 4`` products (at least 5), the two interleaved so that both see the machine
    in the same state."""
    run = run_batched(arch, n, gains, steps, dtype, seed)
    prod = engine_products(run.net, len(gains))
    calls = max(steps // 4, 5)

    def products():  # each result dropped at once, as in the step: kept, every call would take new pages
        for _ in range(calls):
            prod()
    t = interleaved_times({"step": run, "products": products}, repeats, 1)
    return t["step"] / steps, t["products"] / calls


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


