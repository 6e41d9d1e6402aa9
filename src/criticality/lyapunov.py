r"""Lyapunov exponents: every renormalised tangent loop of the package lives here.

Convention (the whole book): an exponent is :math:`\lambda`, the mean *natural* log of the growth of
a tangent vector's norm *per step*, :math:`\lambda = \lim_t \frac1t \ln\|u_t\|/\|u_0\|`. Mean-field
theory predicts the growth of the *squared* norm, :math:`\chi`, so it is compared with
:math:`\tfrac12\ln\chi`; nothing here returns :math:`2\lambda`.

Functions, named after what they return (as in the ChaosTools package of DynamicalSystems.jl):

``max_exponent``
    :math:`\lambda_{\max}` of a network from :func:`criticality.models.make_network` by Benettin's
    algorithm :cite:`benettin1980lyapunov` (thesis Algorithm 1), batched over gains;
``spectrum``
    the leading ``k`` exponents by repeated QR decomposition :cite:`benettin1980lyapunov`;
``two_trajectory_exponent``
    :math:`\lambda_{\max}` without the Jacobian, from two nearby trajectories renormalised every step
    (an independent check of the tangent map);
``sample_max_exponent``
    draw a network and return its :math:`\lambda_{\max}`, a task for :func:`criticality.sweep.run_sweep`;
``kaplan_yorke_dimension``, ``zero_crossing``
    what the chapter reads off a spectrum and a curve :math:`\lambda_{\max}(g)`.

The loops themselves (:func:`renormalised_growth`, :func:`benettin`) take any tangent step, so the
vanilla map (:mod:`criticality.vanilla`) and the linear recurrences of :mod:`criticality.glorot` use
them too. ``max_exponent``'s loop, :func:`columns_exponent`, runs compiled as a whole where numba
and numpy's ILP64 ``cblas_dgemm`` are there (the same steps, tested equal to rounding). Every loop of
a network flushes tiny states to 0 (:func:`flush_level`), which keeps an ordered state from decaying
through the slow subnormal numbers.
"""

from __future__ import annotations

import numpy as np

from ._validate import MAX_SCALE, as_count, as_numeric_array, as_real_array, as_rng, as_scale, as_vector

__all__ = ["max_exponent", "spectrum", "two_trajectory_exponent", "sample_max_exponent",
           "kaplan_yorke_dimension", "zero_crossing", "benettin", "renormalised_growth", "qr_exponents",
           "normalised", "flushed", "flush_level", "FLUSH", "FLUSH_FLOAT32", "columns_exponent"]


# -- the renormalised loop ---------------------------------------------------------------------

# The loops of the gated networks and of the vanilla map set state entries of magnitude below FLUSH
# (FLUSH_FLOAT32 in single precision) to 0 after every step. In the ordered phase the state decays to
# the fixed point 0 and would pass through the subnormal numbers (below 2.2e-308, or 1.2e-38 in
# float32), whose arithmetic is 10-100 times slower on x86: a column there made a whole batched step
# 2-3 times slower (GRU, N = 100, 32 gains; in float32 at N = 500, twice as slow as float64). At these
# levels, about the square root of the smallest normal number, the map is linear to rounding, so the
# tangent and the exponents do not change (tested); and the product of two entries that stay is
# still a normal number.
FLUSH = 1e-150
FLUSH_FLOAT32 = 1e-18


def flush_level(dtype) -> float:
    """The flush level of the Lyapunov loops for states of ``dtype``: :data:`FLUSH_FLOAT32` for float32,
    else :data:`FLUSH`."""
    return FLUSH_FLOAT32 if np.dtype(dtype) == np.float32 else FLUSH


def flushed(x: np.ndarray, tiny: float | None = None) -> np.ndarray:
    """``x`` with its entries of magnitude below ``tiny`` (default: :func:`flush_level` of its dtype) set
    to 0, in place (NaN stays NaN); returns ``x``."""
    x[np.abs(x) < (flush_level(x.dtype) if tiny is None else tiny)] = 0.0
    return x


# squared norms whose square roots and logs are exact to rounding, and whose sums lose no tiny entry
_NORMAL_RANGE = {t: (float(np.finfo(t).tiny / np.finfo(t).eps), float(np.finfo(t).max / 4))
                 for t in (np.float32, np.float64)}


def normalised(v, axis: int = 0):
    """``(v / ||v||, log ||v||)`` along ``axis`` (log-norms with that axis dropped). ``v`` is divided by
    its largest entry first, so a huge ``v`` neither overflows to inf nor gives inf/inf = NaN; a zero
    vector stays 0 with log-norm ``-inf`` (the map contracted it to exactly 0). Columns whose squared
    norms are all within the normal range of the dtype (the usual case) skip that scaling."""
    if axis == 0 and v.ndim == 2 and v.dtype.kind == "f":  # the common case: columns, squared norms in range
        sq = np.einsum("ij,ij->j", v, v)
        lo, hi = _NORMAL_RANGE.get(v.dtype.type, (np.inf, 0.0))
        if sq.min() > lo and sq.max() < hi:
            return v * (1.0 / np.sqrt(sq)), 0.5 * np.log(sq)
    peak = np.abs(v).max(axis=axis, keepdims=True)
    safe = np.where(peak > 0, peak, 1.0)
    v = v / safe
    norm = np.linalg.norm(v, axis=axis, keepdims=True)
    v /= np.where(norm > 0, norm, 1.0)
    with np.errstate(divide="ignore"):
        return v, np.squeeze(np.log(peak) + np.log(norm), axis=axis)


def renormalised_growth(step, state, u, steps: int, *, transient: int = 0, axis: int = 0):
    """Yield ``(t, state, log_growth)`` for t = 1..``transient + steps``: the log of the growth of the
    tangent vectors (the columns of ``u`` along ``axis``) in step t, with ``u`` renormalised to unit
    norm after every step.

    ``step(state, u) -> (state, s, m)`` is one step of the map and of its tangent map, the new tangent
    being ``exp(m) * s`` (``m`` broadcasting against the log-norms, 0 if the step works in values).
    """
    u = normalised(u, axis)[0]
    for t in range(1, transient + steps + 1):
        state, s, m = step(state, u)
        u, log_norm = normalised(s, axis)
        yield t, state, log_norm + m


def benettin(step, state, u, steps: int, *, transient: int = 0, axis: int = 0, observe=None):
    """Benettin's algorithm :cite:`benettin1980lyapunov`: the mean of the per-step log growth of the
    renormalised tangent ``u`` over the ``steps`` steps after ``transient`` (see
    :func:`renormalised_growth` for ``step``). ``observe(state)``, if given, is summed over the same
    steps, and ``(exponent, mean observation, final state)`` is returned."""
    total, seen = 0.0, 0.0
    for t, state, growth in renormalised_growth(step, state, u, steps, transient=transient, axis=axis):
        if t > transient:
            total = total + growth
            if observe is not None:
                seen = seen + observe(state)
    return (total / steps, seen / steps, state) if observe is not None else total / steps


# -- gated networks ----------------------------------------------------------------------------

def _network(net):
    from .models import Network

    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network (see criticality.models.make_network), got {type(net).__name__}")
    return net


def _start(net, g, seed, state):
    """Validated gains, batch size, generator and initial state (the same in every column)."""
    rng = as_rng(seed)
    gains = net.gains(g)
    batch = gains.batch
    if state is None:
        return gains, batch, rng, net.random_state(batch, scale=0.5, seed=rng)
    return gains, batch, rng, net.batch_state(state, batch)


def _per_gain(g, values):
    return values[0] if not isinstance(g, dict) and np.ndim(g) == 0 else values


def max_exponent(net, g, steps: int, *, transient: int = 0, seed=None, state=None):
    r"""The largest Lyapunov exponent :math:`\lambda_{\max}` (natural log per step) of ``net`` at every
    gain of ``g``, by Benettin's algorithm (thesis Algorithm 1).

    ``g`` is a gain, a 1-d array of gains, or a dict ``{matrix: gains}`` of per-matrix gains (see
    :meth:`criticality.models.Network.gains`). The state (default: a random state of scale 0.5;
    ``state`` may be one column or a ``(state_size, len(g))`` array) and a random unit tangent, both
    the same in every column, are iterated for ``transient`` steps and then ``steps`` steps, the
    tangent renormalised every step; the result is the mean log growth over the last ``steps``. One
    call propagates every gain at once (one GEMM per step), and a gain's result does not depend on
    the other gains or its position. Returns a float for a scalar ``g``, else an array; ``-inf``
    where the map contracts the tangent to exactly 0 (the RNN at ``g = 0``).
    """
    net = _network(net)
    steps = as_count("steps", steps)
    transient = as_count("transient", transient, minimum=0)
    gains, batch, rng, state = _start(net, g, seed, state)
    u = np.repeat(rng.standard_normal((net.state_size, 1)), batch, axis=1).astype(net.dtype)
    lam = columns_exponent(net, gains, state, u, steps, transient=transient)[0]
    return _per_gain(g, np.asarray(lam, dtype=float).reshape(batch))


def columns_exponent(net, gains, state, u, steps: int, *, transient: int = 0):
    """The loop of :func:`max_exponent`: ``(lambda_max per column, final state, final unit tangent)`` from
    ``state`` and tangents ``u`` (``(state_size, B)`` arrays) at the validated ``gains``
    (``Network.gains``). Compiled as a whole (:func:`_compiled_exponent`) where it can be, else
    :func:`benettin` over ``Network._step``; the same steps either way."""
    out = _compiled_exponent(net, gains, state, u, steps, transient)
    if out is not None:
        return out
    last = {}

    def step(x, v):
        new, s, m = net._step(x, v, gains, None, flush=flush_level(net.dtype))
        last["u"] = s
        return new, s, m
    lam, _, state = benettin(step, state, u, steps, transient=transient, observe=lambda x: 0.0)
    return np.asarray(lam).reshape(-1), state, normalised(last["u"])[0]


def _compiled_exponent(net, gains, state, u, steps, transient):
    """:func:`columns_exponent` by the compiled loop of :mod:`criticality._kernels` (``benettin``: the
    engine's kernels, the products called from compiled code, the renormalisation fused), or None
    where it does not apply: no numba, no ILP64 gemm in numpy's BLAS, gains that differ between the
    matrices, gates without recurrent weights. A step whose preactivations exceed the saturation
    bound is done here by ``Network._step`` (in logs), and the compiled loop resumes after it."""
    from . import _kernels
    from .vanilla import SATURATION

    addr = _kernels.gemm_address(net.dtype)
    if addr is None or not gains.uniform or not net.gates_recurrent:
        return None
    n, batch, dt, arch = net.n, gains.batch, net.dtype, net.arch

    def fortran(shape):
        return np.empty(shape, dtype=dt, order="F")
    state = np.array(state, dtype=dt, order="F")
    u = np.asfortranarray(normalised(np.asarray(u, dtype=dt))[0])
    S = state.shape
    work = (fortran((n, 2 * batch)), fortran((net._stack.shape[0], 2 * batch)),
            fortran((n, 2 * batch) if arch == "gru" else (n, batch)), fortran((n, batch)), fortran((n, batch)),
            fortran((n, batch)), fortran(S), fortran(S))
    a = np.ascontiguousarray(np.broadcast_to(gains["h"], (batch,)), dtype=dt)
    Uh = np.ascontiguousarray(net.U["h"], dtype=dt)
    off_h = np.zeros((n, 1), dtype=dt)
    total, logs = np.zeros(batch), np.empty(batch)
    lo, hi = _NORMAL_RANGE[dt]
    code, t, end = ("rnn", "gru", "lstm").index(arch), 0, transient + steps
    while True:
        t = _kernels.benettin(code, addr, net._stack, Uh, net._bstack, off_h, a, state, u, t, end, transient,
                              total, logs, work, flush_level(dt), SATURATION, lo, hi)
        if t == end:
            return total / steps, state, u
        new, s, m = net._step(state, u, gains, None, flush=flush_level(dt))  # a saturated step, in logs
        v, log_norm = normalised(s)
        state[:], u[:] = new, v
        if t >= transient:
            total += log_norm + m.reshape(-1)
        t += 1


def spectrum(net, g, k: int, steps: int, *, transient: int = 0, seed=None, state=None):
    r"""The ``k`` largest Lyapunov exponents of ``net`` at every gain of ``g``, in descending order, by
    repeated QR decomposition :cite:`benettin1980lyapunov`.

    ``k`` orthonormal tangent vectors per gain (the same random ones for every gain) are propagated
    and re-orthonormalised by QR after every step; the log of the moduli of the diagonal of R,
    averaged over the ``steps`` steps after ``transient``, are the exponents. Returns shape ``(k,)``
    for a scalar ``g``, ``(len(g), k)`` otherwise; ``spectrum(...)[..., 0]`` estimates
    :func:`max_exponent`. Every gain's ``k`` tangents go through one batched step (its state is
    repeated ``k`` times, so a step costs about twice a state-only step of ``k`` columns).
    """
    net = _network(net)
    k = as_count("k", k, maximum=net.state_size)
    steps = as_count("steps", steps)
    transient = as_count("transient", transient, minimum=0)
    gains, batch, rng, state = _start(net, g, seed, state)
    S = net.state_size
    wide = type(gains)({key: np.repeat(v, k) if v.size > 1 else v for key, v in gains.items()})
    Q = np.linalg.qr(rng.standard_normal((S, k)))[0].astype(net.dtype)

    def step(x, q):  # x (S, batch); q (batch, S, k) -> tangents of all gains in one batched step
        cols = np.moveaxis(q, 0, 1).reshape(S, batch * k)  # column b k + j: tangent j of gain b
        new, s, m = net._step(np.repeat(x, k, axis=1), cols, wide, None, flush=flush_level(net.dtype))
        return new[:, ::k], np.moveaxis(s.reshape(S, batch, k), 1, 0), m.reshape(batch, k)

    lam = qr_exponents(step, state, np.repeat(Q[None], batch, axis=0), steps, transient=transient)
    return _per_gain(g, lam)


def qr_exponents(step, state, Q, steps: int, *, transient: int = 0) -> np.ndarray:
    """The loop behind :func:`spectrum`, for any map: ``Q`` is a stack ``(batch, n, k)`` of ``k``
    tangent vectors per system, ``step(state, Q) -> (state, s, m)`` with the new tangents
    ``exp(m)[..., None, :] * s`` (``m`` of shape ``(batch, k)`` or 0). After every step the tangents
    are re-orthonormalised by QR; the mean log moduli of R's diagonal over the ``steps`` steps after
    ``transient``, sorted in descending order, are returned, shape ``(batch, k)``."""
    steps = as_count("steps", steps)
    transient = as_count("transient", transient, minimum=0)
    Q = np.linalg.qr(Q)[0]
    total = 0.0
    for t in range(1, transient + steps + 1):
        state, s, m = step(state, Q)
        Q, r = np.linalg.qr(s)
        with np.errstate(divide="ignore"):
            growth = np.log(np.abs(np.diagonal(r, axis1=-2, axis2=-1))) + m
        if t > transient:
            total = total + growth
    return np.sort(total / steps, axis=-1)[..., ::-1]


def two_trajectory_exponent(net, g, steps: int, *, transient: int = 0, eps: float = 1e-7, seed=None,
                            state=None):
    r""":math:`\lambda_{\max}` without the Jacobian: a second trajectory starts at distance ``eps``
    from the first and, after every step, is pulled back to distance ``eps`` along the new separation;
    the exponent is the mean log of the distance ratio per step after ``transient``. Agrees with
    :func:`max_exponent` up to ``O(eps)`` and the round-off of a difference of two states
    (about ``1e-16 / eps`` per step); used as an independent check of the tangent map."""
    net = _network(net)
    steps = as_count("steps", steps)
    transient = as_count("transient", transient, minimum=0)
    eps = as_scale("eps", eps, strict=True, maximum=1e-2)
    gains, batch, rng, state = _start(net, g, seed, state)
    u = np.repeat(rng.standard_normal((net.state_size, 1)), batch, axis=1)
    two = type(gains)({key: np.concatenate([v, v]) if v.size > 1 else v for key, v in gains.items()})

    def step(x, v):
        both = net._step(np.concatenate([x, x + eps * v], axis=1), None, two, None)[0]
        return both[:, :batch], (both[:, batch:] - both[:, :batch]) / eps, 0.0

    lam = benettin(step, state, u, steps, transient=transient)
    return _per_gain(g, np.asarray(lam, dtype=float).reshape(batch))


def sample_max_exponent(arch: str, n: int, g, *, steps: int, transient: int = 0, sigma_b: float = 0.0,
                        bias: str = "gaussian", t_max=None, gates_recurrent: bool = True, seed=None):
    """Draw one network from ``seed`` (see :func:`criticality.models.make_network`) and return its
    :func:`max_exponent` at every gain in ``g``. A self-contained task for
    :func:`criticality.sweep.run_sweep` (``seed`` may be the task's ``numpy.random.SeedSequence``);
    averaging it over seeds is Algorithm 1's average over disorder realisations."""
    from .models import make_network

    rng = as_rng(seed)
    net = make_network(arch, n, sigma_b=sigma_b, bias=bias, t_max=t_max, gates_recurrent=gates_recurrent,
                       seed=rng)
    return max_exponent(net, g, steps, transient=transient, seed=rng)


# -- what is read off exponents -----------------------------------------------------------------

def _exponents(name: str, value) -> np.ndarray:
    """Exponents as a non-empty 1-d float array: numbers in [-MAX_SCALE, MAX_SCALE] (1e6 per step is
    far beyond any map of this package), or -inf (a tangent contracted to exactly 0)."""
    raw = as_numeric_array(name, value)
    zero = np.isneginf(raw)
    arr = as_real_array(name, np.where(zero, 0.0, raw), minimum=-MAX_SCALE, maximum=MAX_SCALE)
    arr[zero] = -np.inf
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    return arr


def kaplan_yorke_dimension(exponents) -> float:
    r"""The Kaplan-Yorke (Lyapunov) dimension :math:`D = j + \sum_{i\le j}\lambda_i / |\lambda_{j+1}|`,
    ``j`` the largest index with :math:`\sum_{i\le j}\lambda_i \ge 0`, from exponents in any order.
    0 if :math:`\lambda_1 < 0`. Raises ``ValueError`` if the sum of all given exponents is still
    positive (more exponents are needed to locate :math:`D`)."""
    lam = np.sort(_exponents("exponents", exponents))[::-1]
    sums = np.cumsum(lam)
    if lam[0] < 0:
        return 0.0
    if sums[-1] >= 0:
        raise ValueError(f"exponents: all {lam.size} given exponents sum to {sums[-1]:.3g} >= 0; the "
                         "Kaplan-Yorke dimension needs the spectrum up to where the sum turns negative")
    j = int(np.flatnonzero(sums >= 0)[-1])  # 0-based: the first j + 1 exponents sum to >= 0
    return float(j + 1 + sums[j] / abs(lam[j + 1]))


def zero_crossing(g, lam, level: float = 0.0) -> float:
    r"""The gain where :math:`\lambda_{\max}(g)` crosses ``level`` from below, by linear interpolation
    between the two gains around the *last* crossing from below ``level`` to at least ``level`` on the
    grid. ``level = 0`` locates where the exponent reaches zero; a small positive ``level`` the onset
    of measurable chaos (a finite network can sit on a limit cycle, :math:`\lambda_{\max} = 0`, just
    above :math:`g_c`). ``g`` strictly increasing. Returns ``nan`` when ``lam`` never crosses
    ``level`` from below on the grid (all below or all above it), so that a caller sees it.
    """
    g = as_vector("g", g, minimum=None, maximum=None)
    level = as_scale("level", level, minimum=None)
    lam = _exponents("lam", lam)
    if lam.shape != g.shape:
        raise ValueError(f"lam must hold one exponent per gain ({g.size}), got shape {lam.shape}")
    if np.any(np.diff(g) <= 0):
        raise ValueError("g must be strictly increasing")
    up = np.flatnonzero((lam[:-1] < level) & (lam[1:] >= level))
    if up.size == 0:
        return float("nan")
    i = up[-1]
    if not np.isfinite(lam[i]):
        return float(g[i])
    return float(g[i] + (g[i + 1] - g[i]) * (level - lam[i]) / (lam[i + 1] - lam[i]))
