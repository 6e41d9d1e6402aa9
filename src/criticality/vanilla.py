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

from dataclasses import dataclass

import numpy as np

from ._validate import as_positive_int, as_real_array

__all__ = [
    "step_and_tangent",
    "RecurrentRun",
    "simulate_recurrent",
    "replica_distance",
    "mlp_growth_rate",
    "mlp_distance",
    "fixed_point",
    "fixed_point_spectral_radius",
    "random_coupling",
]


def random_coupling(n: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """An ``n x n`` matrix with i.i.d. N(0, 1/n) entries (multiply by ``g`` for the gain)."""
    return (rng.standard_normal((n, n)) / np.sqrt(n)).astype(dtype, copy=False)


def step_and_tangent(h: np.ndarray, u: np.ndarray, U: np.ndarray, g, b=0.0):
    r"""One step of :math:`F(h) = gU\tanh(h) + b` and of its tangent map, with a single GEMM.

    Returns ``(F(h), J(h) u)`` with :math:`J(h) = gU\,\mathrm{diag}(\mathrm{sech}^2 h)`. ``h`` and
    ``u`` are ``(N, k)`` matrices (one column per gain or grid point), ``g`` and ``b`` broadcast
    against them (``g`` of shape ``(k,)`` scales each column, ``b`` of shape ``(N, 1)`` or ``(N, k)``).
    """
    t = np.tanh(h)
    k = h.shape[1]
    both = U @ np.concatenate([t, (1.0 - t * t) * u], axis=1)
    return both[:, :k] * g + b, both[:, k:] * g


def _gains(gains) -> np.ndarray:
    g = np.atleast_1d(as_real_array("gains", gains))
    if g.ndim != 1:
        raise ValueError(f"gains must be a scalar or 1-d array, got shape {g.shape}")
    return g


@dataclass
class RecurrentRun:
    """Result of :func:`simulate_recurrent` (one entry per gain)."""

    gains: np.ndarray
    variance: np.ndarray  # time- and unit-averaged h^2 after the transient
    log_growth: np.ndarray  # mean log of squared tangent-norm growth per step (= 2 lambda_max)
    final_state: np.ndarray  # (N, n_gains)


def simulate_recurrent(gains, n: int, steps: int, transient: int, seed=None, sigma_b: float = 0.0,
                       h0_scale: float = 1.0) -> RecurrentRun:
    r"""Run :math:`h_{t+1} = g U\tanh(h_t) + b` for every gain at once, with tangent propagation.

    After ``transient`` steps, averages the population variance :math:`\frac1N\sum_i h_i^2` over
    ``steps`` steps and estimates the growth rate of :math:`\|u_t\|^2` for the tangent dynamics
    :math:`u_{t+1} = g U (\mathrm{sech}^2(h_t)\circ u_t)` by Benettin renormalisation. The DMFT
    predicts the variance :math:`q^*` and the rate :math:`\ln\chi` (so :math:`\lambda_{\max}=\tfrac12\ln\chi`).
    """
    g = _gains(gains)
    n = as_positive_int("n", n, minimum=2)
    steps = as_positive_int("steps", steps)
    transient = as_positive_int("transient", transient, minimum=0)
    sigma_b = float(as_real_array("sigma_b", sigma_b))
    rng = np.random.default_rng(seed)
    U = random_coupling(n, rng)
    b = sigma_b * rng.standard_normal(n)
    h = h0_scale * np.repeat(rng.standard_normal((n, 1)), g.size, axis=1)
    u = rng.standard_normal((n, g.size))
    u /= np.linalg.norm(u, axis=0)
    var_sum = np.zeros(g.size)
    log_sum = np.zeros(g.size)
    for t in range(transient + steps):
        h, u = step_and_tangent(h, u, U, g, b[:, None])
        norms = np.linalg.norm(u, axis=0)
        u /= norms
        if t >= transient:
            var_sum += np.mean(h**2, axis=0)
            log_sum += 2.0 * np.log(norms)
    return RecurrentRun(g, var_sum / steps, log_sum / steps, h)


def replica_distance(gains, n: int, steps: int, transient: int, eps: float = 1e-8, seed=None) -> np.ndarray:
    r"""Mean squared distance :math:`d_t = \frac1N\|h^1_t-h^2_t\|^2` of two replicas (thesis Eq. 2).

    Both replicas share ``U``; the second starts from the first after ``transient`` steps, displaced
    by a random vector of squared norm per unit ``eps``. Returns an array ``(steps + 1, n_gains)``,
    without renormalisation, so the distance grows (or decays) until it saturates.
    """
    g = _gains(gains)
    n = as_positive_int("n", n, minimum=2)
    steps = as_positive_int("steps", steps)
    transient = as_positive_int("transient", transient, minimum=0)
    eps = float(as_real_array("eps", eps, minimum=0.0, strict=True))
    rng = np.random.default_rng(seed)
    U = random_coupling(n, rng)
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
    g = _gains(gains)
    sb = np.atleast_1d(as_real_array("sigma_bs", sigma_bs))
    G, S = np.meshgrid(g, sb, indexing="ij")
    return G.ravel(), S.ravel(), (g.size, sb.size)


def mlp_growth_rate(gains, sigma_bs, n: int, depth: int, transient: int = 30, seed=None) -> np.ndarray:
    r"""Growth rate of infinitesimal input differences through a deep random tanh MLP.

    Every (g, sigma_b) pair of the grid is a column; each layer draws a fresh ``U`` and bias vector
    shared by all columns (scaled by the column's ``g`` and ``sigma_b``). Returns the mean of
    :math:`\ln(\|u_{l+1}\|^2/\|u_l\|^2)` over ``depth`` layers after ``transient`` layers, shape
    ``(len(gains), len(sigma_bs))``. The mean-field prediction is :math:`\ln\chi(g,\sigma_b)`.
    """
    G, S, shape = _grid_columns(gains, sigma_bs)
    n = as_positive_int("n", n, minimum=2)
    depth = as_positive_int("depth", depth)
    transient = as_positive_int("transient", transient, minimum=0)
    rng = np.random.default_rng(seed)
    h = np.repeat(rng.standard_normal((n, 1)), G.size, axis=1)
    u = rng.standard_normal((n, G.size))
    u /= np.linalg.norm(u, axis=0)
    acc = np.zeros(G.size)
    for layer in range(transient + depth):
        U = random_coupling(n, rng)
        b = rng.standard_normal((n, 1))
        h, u = step_and_tangent(h, u, U, G, b * S)
        norms = np.linalg.norm(u, axis=0)
        u /= norms
        if layer >= transient:
            acc += 2.0 * np.log(norms)
    return (acc / depth).reshape(shape)


def mlp_distance(gains, sigma_bs, n: int, depth: int, d0: float = 1e-2, seed=None) -> np.ndarray:
    r"""Squared distance per unit between two inputs propagated through a deep random MLP.

    Two inputs at squared distance ``d0`` per unit enter a network of ``depth`` layers; returns
    :math:`d_l`, shape ``(depth + 1, len(gains), len(sigma_bs))``. Ordered phase: :math:`d_l\to 0`;
    chaotic phase: :math:`d_l` grows to a finite value.
    """
    G, S, shape = _grid_columns(gains, sigma_bs)
    n = as_positive_int("n", n, minimum=2)
    depth = as_positive_int("depth", depth)
    d0 = float(as_real_array("d0", d0, minimum=0.0, strict=True))
    rng = np.random.default_rng(seed)
    x1 = rng.standard_normal((n, 1))
    dx = rng.standard_normal((n, 1))
    x2 = x1 + dx * np.sqrt(d0 * n) / np.linalg.norm(dx)
    h1, h2 = np.repeat(x1, G.size, axis=1), np.repeat(x2, G.size, axis=1)
    out = np.empty((depth + 1, G.size))
    out[0] = np.mean((h1 - h2) ** 2, axis=0)
    for layer in range(depth):
        U = random_coupling(n, rng)
        b = rng.standard_normal((n, 1)) * S
        both = U @ np.tanh(np.concatenate([h1, h2], axis=1))
        h1, h2 = both[:, : G.size] * G + b, both[:, G.size:] * G + b
        out[layer + 1] = np.mean((h1 - h2) ** 2, axis=0)
    return out.reshape((depth + 1,) + shape)


def fixed_point(g: float, sigma_b: float, n: int, seed=None, max_iter: int = 10_000, tol: float = 1e-12):
    r"""Fixed point :math:`h^* = gU\tanh(h^*) + b` of one quenched network, by iteration.

    Iteration converges in the ordered phase, where the fixed point is stable. Returns
    ``(h_star, jacobian)`` with the Jacobian :math:`J = gU\,\mathrm{diag}(\tanh'(h^*))`, whose
    eigenvalues equal those of :math:`\mathrm{diag}(\tanh'(h^*))\,gU` (thesis Eq. 7).
    Raises ``RuntimeError`` if the iteration does not converge (for example above :math:`g_c`).
    """
    g = float(as_real_array("g", g))
    sigma_b = float(as_real_array("sigma_b", sigma_b))
    n = as_positive_int("n", n, minimum=2)
    rng = np.random.default_rng(seed)
    W = g * random_coupling(n, rng)
    b = sigma_b * rng.standard_normal(n)
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
    return float(np.max(np.abs(np.linalg.eigvals(J)))), float(g * np.sqrt(np.mean(slope**2)))
