r"""Simulations of random tanh networks: the discrete Sompolinsky model and deep random MLPs.

All functions batch over gains: the state of one disorder realisation at every gain is a column
of one ``(N, n_gains)`` matrix, so each time step is one matrix-matrix product
``U @ tanh(H)`` followed by scaling column ``k`` by ``g_k`` (the weights are ``g_k U``, with the
same ``U`` for every gain). Seeds are arguments; nothing reads global random state.

Recurrent model (thesis Eq. 1): :math:`h_{t+1} = g U \tanh(h_t) + b`, :math:`U_{ij}\sim\mathcal N(0, 1/N)`,
:math:`b_i \sim \mathcal N(0,\sigma_b^2)` (quenched: drawn once). Deep MLP (thesis section 3): the
same map with a fresh :math:`U^{(l)}, b^{(l)}` at every layer (annealed).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ._validate import MAX_N, as_count, as_scale, as_scales, as_vector, as_rng
from .init import bias_vector, gaussian
from .lyapunov import benettin, flushed
from .spectra import spectral_radius

__all__ = [
    "step_and_tangent",
    "RecurrentRun",
    "simulate_recurrent",
    "replica_distance",
    "mlp_lyapunov",
    "mlp_distance",
    "fixed_point",
    "fixed_point_spectral_radius",
]


SATURATION = 50.0  # |preactivation| up to which tangent factors are used as values (see _Factors)


class _Factors:
    """The derivative and gate factors of one tangent step, as values or (``log=True``) as logs.

    Values are computed from ``exp(-|x|)``, exact in relative terms (``1 - tanh(x)^2`` and ``1 - sigma(x)``
    round to 0 beyond |x| ~ 19 and 37). They serve while every |preactivation| is at most ``SATURATION``:
    no product of factors in a term then comes near the float underflow. Large gains saturate every
    unit, and all the factors of a column can underflow to 0 although its tangent is not 0; such
    steps are done in logs, and :meth:`sum` factors the largest term out. Either way :meth:`sum`
    returns ``(s, m)``, the sum being ``exp(m) * s`` (``m`` of shape (1, B), 0 for values, so ``factor + m``
    rescales a factor in both representations).
    """

    def __init__(self, log: bool):
        self.log = log

    def sech2(self, x):
        """tanh'(x) = 1 - tanh(x)^2."""
        if self.log:
            return 2.0 * (math.log(2.0) - np.logaddexp(x, -x))
        e = np.exp(-2.0 * np.abs(x))
        return 4.0 * e / (1.0 + e) ** 2

    def gate(self, x):
        """``(sigma(x), 1 - sigma(x))``."""
        e = np.exp(-np.abs(x))
        if self.log:
            t = -np.log1p(e)
            return np.minimum(x, 0) + t, np.minimum(-x, 0) + t
        d = 1.0 / (1.0 + e)
        return np.where(x >= 0, d, e * d), np.where(x >= 0, e * d, d)

    def mul(self, *factors):
        return sum(factors) if self.log else functools.reduce(np.multiply, factors)

    def sum(self, terms):
        """``sum_k f_k * v_k`` over the terms ``(f_k, v_k)`` (``v_k = None``: no term) as ``(s, m)``. In logs,
        each term is computed as ``exp(l_k + log|v_k| - m)`` with ``m`` (1, B) the log of each column's
        largest term: a term is lost only if ``e^-700`` times smaller than the largest, nothing overflows,
        and a column whose ``v_k`` are all 0 gives ``s = 0``."""
        terms = [(f, v) for f, v in terms if v is not None]
        if not self.log:
            s = sum(f * v for f, v in terms)
            return s, np.zeros((1, s.shape[1]), s.dtype)
        with np.errstate(divide="ignore"):  # log 0 = -inf: a zero entry contributes exactly 0
            terms = [(f + np.log(np.abs(v)), v) for f, v in terms]
        m = functools.reduce(np.maximum, [np.max(l, axis=0, keepdims=True) for l, _ in terms])
        m = np.where(np.isfinite(m), m, 0.0)
        return sum(np.copysign(np.exp(l - m), v) for l, v in terms), m


_VALUES, _LOGS = _Factors(False), _Factors(True)


def _factors(log: bool, *preactivations) -> _Factors:
    """Logs if asked for or if any preactivation exceeds ``SATURATION`` in modulus, values otherwise."""
    return _LOGS if log or max(np.max(np.abs(p)) for p in preactivations) > SATURATION else _VALUES


def _unit_tangent(rng, n: int, columns: int) -> np.ndarray:
    """One random unit vector, the same in every column (so a column's result does not depend on the others)."""
    u = rng.standard_normal((n, 1))
    return np.repeat(u / np.linalg.norm(u), columns, axis=1)


def _step(h, u, U, g, b):
    """:func:`step_and_tangent` with the tangent as ``(s, m)``, ``J(h) u = exp(m) * s`` (see :class:`_Factors`:
    saturation at a large gain cannot underflow the whole tangent to 0)."""
    k = h.shape[1]
    F = _factors(False, h)
    s, m = F.sum([(F.sech2(h), u)])
    both = U @ np.concatenate([np.tanh(h), s], axis=1)
    return both[:, :k] * g + b, both[:, k:] * g, m


def _flushed_step(h, u, U, g, b):
    """:func:`_step` with the new state's entries below ``lyapunov.FLUSH`` (float64) in magnitude set to 0 (see there)."""
    new, s, m = _step(h, u, U, g, b)
    return flushed(new), s, m


def step_and_tangent(h: np.ndarray, u: np.ndarray, U: np.ndarray, g, b=0.0):
    r"""One step of :math:`F(h) = gU\tanh(h) + b` and of its tangent map, with a single GEMM.

    Returns ``(F(h), J(h) u)`` with :math:`J(h) = gU\,\mathrm{diag}(\mathrm{sech}^2 h)`. ``h`` and
    ``u`` are ``(N, k)`` matrices (one column per gain or grid point), ``g`` and ``b`` broadcast
    against them (``g`` of shape ``(k,)`` scales each column, ``b`` of shape ``(N, 1)`` or ``(N, k)``).
    """
    U = as_scales("U", U, minimum=None, maximum=None)
    if U.ndim != 2 or U.shape[0] != U.shape[1]:
        raise ValueError(f"U must be a square matrix, got shape {U.shape}")
    h, u = (as_scales(name, v, minimum=None, maximum=None) for name, v in (("h", h), ("u", u)))
    if h.ndim != 2 or h.shape[0] != U.shape[0] or u.shape != h.shape:
        raise ValueError(f"h and u must be (N, k) matrices with N = {U.shape[0]} rows (U is N x N), "
                         f"got shapes {h.shape} and {u.shape}")
    g, b = as_scales("g", g), as_scales("b", b, minimum=None)
    try:
        fits = np.broadcast_shapes(g.shape, b.shape, h.shape) == h.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"g and b must broadcast against h of shape {h.shape}, got {g.shape} and {b.shape}")
    new, s, m = _step(h, u, U, g, b)
    return new, s * np.exp(m)


@dataclass
class RecurrentRun:
    """Result of :func:`simulate_recurrent` (one entry per gain)."""

    gains: np.ndarray
    variance: np.ndarray  # time- and unit-averaged h^2 after the transient
    lyapunov: np.ndarray  # largest Lyapunov exponent lambda_max (natural log per step; DMFT: (1/2) ln chi)
    final_state: np.ndarray  # (N, n_gains)


def simulate_recurrent(gains, n: int, steps: int, transient: int, seed=None, sigma_b: float = 0.0,
                       h0_scale: float = 1.0) -> RecurrentRun:
    r"""Run :math:`h_{t+1} = g U\tanh(h_t) + b` for every gain at once, with tangent propagation.

    After ``transient`` steps, averages the population variance :math:`\frac1N\sum_i h_i^2` over
    ``steps`` steps and estimates the largest Lyapunov exponent :math:`\lambda_{\max}` (natural log of
    the growth of :math:`\|u_t\|` per step) of the tangent dynamics
    :math:`u_{t+1} = g U (\mathrm{sech}^2(h_t)\circ u_t)` by Benettin's algorithm
    (:func:`criticality.lyapunov.benettin`). The DMFT predicts the variance :math:`q^*` and the growth
    factor :math:`\chi` of the *squared* norm, so :math:`\lambda_{\max} = \tfrac12\ln\chi`.
    Every gain starts from the same state and the same unit tangent, so its result does not depend on
    the other gains. At ``g = 0`` the tangent is mapped to 0 and the exponent is ``-inf``.
    """
    g = as_vector("gains", gains)
    n = as_count("n", n, minimum=2, maximum=MAX_N)
    steps = as_count("steps", steps)
    transient = as_count("transient", transient, minimum=0)
    sigma_b = as_scale("sigma_b", sigma_b)
    h0_scale = as_scale("h0_scale", h0_scale)
    rng = as_rng(seed)
    U = gaussian(n, seed=rng)
    b = bias_vector(n, sigma_b=sigma_b, seed=rng)[:, None]
    h = h0_scale * np.repeat(rng.standard_normal((n, 1)), g.size, axis=1)
    u = _unit_tangent(rng, n, g.size)
    lam, var, h = benettin(lambda x, v: _flushed_step(x, v, U, g, b), h, u, steps, transient=transient,
                           observe=lambda x: np.mean(x**2, axis=0))
    return RecurrentRun(g, var, lam[0], h)


def replica_distance(gains, n: int, steps: int, transient: int, eps: float = 1e-8, seed=None) -> np.ndarray:
    r"""Mean squared distance :math:`d_t = \frac1N\|h^1_t-h^2_t\|^2` of two replicas (thesis Eq. 2).

    Both replicas share ``U``; the second starts from the first after ``transient`` steps, displaced
    by a random vector of squared norm per unit ``eps``. Returns an array ``(steps + 1, n_gains)``,
    without renormalisation, so the distance grows (or decays) until it saturates.
    """
    g = as_vector("gains", gains)
    n = as_count("n", n, minimum=2, maximum=MAX_N)
    steps = as_count("steps", steps)
    transient = as_count("transient", transient, minimum=0)
    eps = as_scale("eps", eps, strict=True)
    rng = as_rng(seed)
    U = gaussian(n, seed=rng)
    h1 = np.repeat(rng.standard_normal((n, 1)), g.size, axis=1)
    for _ in range(transient):
        h1 = (U @ np.tanh(h1)) * g
    delta = rng.standard_normal((n, 1))
    delta *= np.sqrt(eps * n) / np.linalg.norm(delta)
    h2 = h1 + delta
    d = np.empty((steps + 1, g.size))
    d[0] = np.mean((h1 - h2) ** 2, axis=0)
    for t in range(steps):
        both = U @ np.tanh(np.concatenate([h1, h2], axis=1))  # one GEMM for both replicas
        h1, h2 = both[:, : g.size] * g, both[:, g.size:] * g
        d[t + 1] = np.mean((h1 - h2) ** 2, axis=0)
    return d


def _grid_columns(gains, sigma_bs):
    g = as_vector("gains", gains)
    sb = as_vector("sigma_bs", sigma_bs)
    G, S = np.meshgrid(g, sb, indexing="ij")
    return G.ravel(), S.ravel(), (g.size, sb.size)


def mlp_lyapunov(gains, sigma_bs, n: int, depth: int, transient: int = 30, seed=None) -> np.ndarray:
    r"""The largest Lyapunov exponent of a deep random tanh MLP: the mean log growth *per layer* of
    the norm of an infinitesimal input difference, :math:`\lambda = \langle\ln(\|u_{l+1}\|/\|u_l\|)\rangle`.

    Every (g, sigma_b) pair of the grid is a column; each layer draws a fresh ``U`` and bias vector
    shared by all columns (scaled by the column's ``g`` and ``sigma_b``), and every column starts from
    the same input and unit tangent. Returns the mean over ``depth`` layers after ``transient``
    layers (:func:`criticality.lyapunov.benettin`), shape ``(len(gains), len(sigma_bs))`` (``-inf``
    at ``g = 0``). The mean-field prediction is :math:`\tfrac12\ln\chi(g,\sigma_b)`.
    """
    G, S, shape = _grid_columns(gains, sigma_bs)
    n = as_count("n", n, minimum=2, maximum=MAX_N)
    depth = as_count("depth", depth)
    transient = as_count("transient", transient, minimum=0)
    rng = as_rng(seed)
    h = np.repeat(rng.standard_normal((n, 1)), G.size, axis=1)
    u = _unit_tangent(rng, n, G.size)

    def layer(x, v):  # a fresh U and b at every layer (annealed disorder)
        U = gaussian(n, seed=rng)
        b = bias_vector(n, seed=rng)[:, None]
        return _step(x, v, U, G, b * S)

    return benettin(layer, h, u, depth, transient=transient)[0].reshape(shape)


def mlp_distance(gains, sigma_bs, n: int, depth: int, d0: float = 1e-2, seed=None) -> np.ndarray:
    r"""Squared distance per unit between two inputs propagated through a deep random MLP.

    Two inputs at squared distance ``d0`` per unit enter a network of ``depth`` layers; returns
    :math:`d_l`, shape ``(depth + 1, len(gains), len(sigma_bs))``. Ordered phase: :math:`d_l\to 0`;
    chaotic phase: :math:`d_l` grows to a finite value.
    """
    G, S, shape = _grid_columns(gains, sigma_bs)
    n = as_count("n", n, minimum=2, maximum=MAX_N)
    depth = as_count("depth", depth)
    d0 = as_scale("d0", d0, strict=True)
    rng = as_rng(seed)
    x1 = rng.standard_normal((n, 1))
    dx = rng.standard_normal((n, 1))
    x2 = x1 + dx * np.sqrt(d0 * n) / np.linalg.norm(dx)
    h1, h2 = np.repeat(x1, G.size, axis=1), np.repeat(x2, G.size, axis=1)
    out = np.empty((depth + 1, G.size))
    out[0] = np.mean((h1 - h2) ** 2, axis=0)
    for layer in range(depth):
        U = gaussian(n, seed=rng)
        b = bias_vector(n, seed=rng)[:, None] * S
        both = U @ np.tanh(np.concatenate([h1, h2], axis=1))
        h1, h2 = both[:, : G.size] * G + b, both[:, G.size:] * G + b
        out[layer + 1] = np.mean((h1 - h2) ** 2, axis=0)
    return out.reshape((depth + 1,) + shape)


def fixed_point(g: float, sigma_b: float, n: int, seed=None, max_iter: int = 10_000, tol: float = 1e-12):
    r"""Fixed point :math:`h^* = gU\tanh(h^*) + b` of one quenched network, by iteration.

    Iteration converges in the ordered phase, where the fixed point is stable. Returns
    ``(h_star, jacobian)`` with the Jacobian :math:`J = gU\,\mathrm{diag}(\tanh'(h^*))`, whose
    eigenvalues equal those of :math:`\mathrm{diag}(\tanh'(h^*))\,gU` (thesis Eq. 7). Stops when a step
    moves no entry by more than ``tol (1 + max|h|)`` (``1e-15 <= tol < 1``: smaller cannot be reached in
    float64), after at most ``max_iter`` steps.
    Raises ``RuntimeError`` if the iteration does not converge (for example above :math:`g_c`).
    """
    g = as_scale("g", g)
    sigma_b = as_scale("sigma_b", sigma_b)
    n = as_count("n", n, minimum=2, maximum=MAX_N)
    max_iter = as_count("max_iter", max_iter)
    tol = as_scale("tol", tol, minimum=1e-15, maximum=None)
    if tol >= 1:
        raise ValueError(f"tol must be >= 1e-15 and < 1, got {tol!r}")
    rng = as_rng(seed)
    W = g * gaussian(n, seed=rng)
    b = bias_vector(n, sigma_b=sigma_b, seed=rng)
    h = b.copy()
    for _ in range(max_iter):
        new = W @ np.tanh(h) + b
        if np.max(np.abs(new - h)) < tol * (1.0 + np.max(np.abs(h))):
            h = new
            break
        h = new
    else:
        raise RuntimeError(f"fixed-point iteration did not converge in {max_iter} steps (g={g}, sigma_b={sigma_b})")
    return h, W * (1.0 - np.tanh(h) ** 2)[None, :]


def fixed_point_spectral_radius(g: float, sigma_b: float, n: int, seed=None) -> tuple[float, float]:
    r"""Spectral radius of the Jacobian at the fixed point, measured and predicted from the sample.

    Returns ``(rho(J), g * sqrt(mean(tanh'(h*)^2)))``: the largest eigenvalue modulus of
    :math:`J = gU\,\mathrm{diag}(\tanh'(h^*))` and the radius of the limiting spectrum that the
    Ahmadian-Fumarola-Miller criterion assigns to the sample's own diagonal (thesis Eqs. 7-9).
    """
    h, J = fixed_point(g, sigma_b, n, seed=seed)
    slope = 1.0 - np.tanh(h) ** 2
    return spectral_radius(J), float(g * np.sqrt(np.mean(slope**2)))
