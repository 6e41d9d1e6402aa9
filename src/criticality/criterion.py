r"""The random-matrix criterion for gated RNNs (thesis section 4.1, Table 1, Eqs. 10-14).

Every architecture that fits the unified update (thesis Eq. 10)

.. math:: h_{t+1} = A_t \circ \big((1-\alpha_t)\circ h_t + \alpha_t \circ \phi\big(gU(o_t\circ\Psi(h_t))\big)\big)

with zero candidate bias has the fixed point :math:`h = 0`, where its Jacobian is
:math:`J = M + g\,L U R` with the diagonal matrices :math:`M = D_A(I - D_\alpha)`,
:math:`L = D_A D_\alpha`, :math:`R = D_o` (Eq. 11, using :math:`\phi'(0) = \Psi'(0) = 1`). The limiting
spectrum of :math:`J` is bounded by the curve (Eq. 13, after Ahmadian, Fumarola and Miller)

.. math:: g^2\, \frac1N\sum_i \frac{L_i^2 R_i^2}{|z - M_i|^2} = 1,

and for :math:`0 < M_i < 1` it first touches the unit circle at :math:`z = 1`, at the critical gain (Eq. 14)

.. math:: g_c = \Big(\frac1N\sum_i \frac{L_i^2 R_i^2}{(1 - M_i)^2}\Big)^{-1/2}.

Table 1 in this package's convention (the standard gates of PyTorch-style GRU/LSTM cells, with
biases :math:`b_k`, :math:`\sigma` the sigmoid):

============  ==================  =======================  ================  =====================
architecture  :math:`A`           :math:`\alpha`           :math:`o`         :math:`M, L, R` at 0
============  ==================  =======================  ================  =====================
RNN           1                   1                        1                 0, 1, 1
GRU           1                   :math:`z = \sigma(b_z)`  :math:`r`         1 - z, z, r
LSTM          :math:`f + i`       :math:`i / (f + i)`      :math:`o`         f, i, o
============  ==================  =======================  ================  =====================

Conventions. The GRU gate written ``z`` here is the fraction of the candidate *written* into the
state, as in the thesis (:math:`h_{t+1} = (1-z)h_t + z\,\tilde h`). PyTorch's ``nn.GRU`` and
Can, Krishnamurthy and Schwab (2020) use the *keep* rate instead
(:math:`h_{t+1} = z' h_t + (1 - z')\tilde h`), so :math:`z = 1 - z'` and :math:`b_z = -b_{z'}`.
For the LSTM the state :math:`h` of Eq. (10) is the cell state :math:`c`; the usual hidden output is
:math:`o\circ\tanh(c)`. In PyTorch the effective bias of a gate is ``bias_ih + bias_hh``: write an
initialisation into one of the two vectors and zero the other, or it is counted twice.

Argument ranges: gains and diagonal entries are finite with magnitude at most ``MAX_MATRIX_GAIN``
(1e6); Gaussian gate-bias widths ``sigma_b`` lie in ``[0, MAX_BIAS_WIDTH]`` (30: a sigmoid gate is
saturated to double precision beyond ``|b| = 37``); chrono time scales lie in ``(2, T_MAX_LIMIT]``
(1e6: ``1 - M = 1/tau`` of sampled diagonals keeps about 10 digits); sampled bias vectors have at
most ``MAX_UNITS`` entries and dense Jacobians at most ``MAX_DENSE_N`` (10,000) rows. Every
iterative loop has a fixed iteration bound.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.special import expit, log_expit

from ._validate import (MAX_DENSE_N, MAX_MATRIX_GAIN, as_positive_int, as_real_array, as_real_scalar, as_rng,
                        scalar_or_array)
from .init import (ARCHITECTURES, BIAS_SCHEMES, GATES, MAX_BIAS_WIDTH, MAX_UNITS, T_MAX_LIMIT, _arch,  # noqa: F401
                   _sigma_b, _t_max, _units, chrono_biases_from_tau, gate_biases)
from .init import _bias_scheme as _bias
from .init import gaussian as _gaussian
from .quadrature import gaussian_expectation
from .spectra import spectral_radius

__all__ = [
    "ARCHITECTURES",
    "BIAS_SCHEMES",
    "GATES",
    "diagonals",
    "critical_gain",
    "critical_gain_from_diagonals",
    "spectral_boundary",
    "predicted_spectral_radius",
    "jacobian_at_zero",
    "sampled_diagonals",
    "jacobian_spectral_radius",
    "unit_crossing",
    "measured_critical_gain",
]

N_ANGLES_RANGE = (8, 2**16)  # directions of spectral_boundary
RTOL_RANGE = (1e-12, 1.0)  # measured_critical_gain: rtol in [1e-12, 1)
MAX_DOUBLINGS = 64  # measured_critical_gain: g_c * 2**64 bounds the search for the crossing
MAX_BISECTIONS = 200  # measured_critical_gain: 41 suffice for rtol = 1e-12 unless g_c is far off
_BLOCK = 2**20  # matrix entries evaluated at once by _boundary_function (8 MB)


def _gain(name, g, scalar=True, maximum=MAX_MATRIX_GAIN):
    """A gain in [0, MAX_MATRIX_GAIN] (or other ``maximum``): a float, or an array if not ``scalar``."""
    return (as_real_scalar if scalar else as_real_array)(name, g, maximum=maximum)


def _triplet(M, L, R, dense=False):
    """Diagonals as 1-d float arrays of one length with entries of magnitude <= MAX_MATRIX_GAIN."""
    arrs = [np.atleast_1d(as_real_array(k, v, minimum=-MAX_MATRIX_GAIN, maximum=MAX_MATRIX_GAIN))
            for k, v in (("M", M), ("L", L), ("R", R))]
    if len({a.shape for a in arrs}) != 1 or arrs[0].ndim != 1:
        raise ValueError(f"M, L and R must be 1-d arrays of the same shape, got {[a.shape for a in arrs]}")
    if dense and arrs[0].size > MAX_DENSE_N:
        raise ValueError(f"M, L and R must have at most {MAX_DENSE_N} entries for a dense N x N Jacobian, "
                         f"got {arrs[0].size}")
    return arrs


def diagonals(arch: str, biases: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Diagonals ``(M, L, R)`` of the Jacobian at ``h = 0`` from the gate biases (Table 1).

    ``biases`` maps gate names (``GATES[arch]``: ``z, r`` for the GRU in the write-rate
    convention, ``f, i, o`` for the LSTM) to arrays of one bias per unit; the RNN takes none.
    """
    arch = _arch(arch)
    biases = {} if biases is None else dict(biases)
    need = GATES[arch]
    if arch == "rnn":
        if biases:
            raise ValueError("a vanilla RNN has no gates: biases must be empty (its candidate bias must be 0)")
        return np.zeros(1), np.ones(1), np.ones(1)
    missing = [k for k in need if k not in biases]
    extra = [k for k in biases if k not in need]
    if missing or extra:
        raise ValueError(f"biases for arch={arch!r} must have exactly the keys {need}, got {sorted(biases)}")
    b = {k: np.atleast_1d(as_real_array(f"biases[{k!r}]", v, minimum=None)) for k, v in biases.items()}
    shapes = {v.shape for v in b.values()}
    if len(shapes) != 1 or len(next(iter(shapes))) != 1:
        raise ValueError(f"biases must be 1-d arrays of one common length, got shapes {sorted(shapes)}")
    s = {k: expit(v) for k, v in b.items()}
    if arch == "gru":
        return 1.0 - s["z"], s["z"], s["r"]
    return s["f"], s["i"], s["o"]


def critical_gain_from_diagonals(M, L, R) -> float:
    r"""Eq. (14): :math:`g_c = \big(\frac1N\sum_i L_i^2R_i^2/(1-M_i)^2\big)^{-1/2}` for given diagonals.

    Requires arrays of one shape with :math:`1 - M_i > 0` (otherwise the unit circle is crossed
    at ``g = 0`` or the formula does not apply) and not all :math:`L_i R_i` zero.
    """
    M, L, R = _triplet(M, L, R)
    if np.any(1.0 - M <= 0):
        raise ValueError("every 1 - M_i must be > 0 (M_i < 1); got max(M) = %g" % M.max())
    s = np.mean((L * R) ** 2 / (1.0 - M) ** 2)
    if s <= 0:
        raise ValueError("L * R must not vanish on every unit (no recurrent coupling)")
    return float(s ** -0.5)


def _log_ratios(arch: str, b: dict) -> np.ndarray:
    """``log(L_i R_i / (1 - M_i))`` per unit from gate biases (Table 1), free of the cancellation in
    ``1 - M``: ``r_i`` for the GRU (``L / (1 - M) = z / z``), ``i_i o_i / (1 - f_i)`` for the LSTM."""
    if arch == "gru":
        return log_expit(b["r"])
    return log_expit(b["i"]) + log_expit(b["o"]) - log_expit(-b["f"])


def _gain_from_log_ratios(log_ratio, weights=None) -> float:
    """Eq. (14) on ``exp(log_ratio)``, scaled so that nothing over- or underflows."""
    m = log_ratio.max()
    return float(np.exp(-m) / np.sqrt(np.average(np.exp(2.0 * (log_ratio - m)), weights=weights)))


def _mean_sigmoid2(sigma_b):
    return gaussian_expectation(lambda b: expit(b) ** 2, sigma_b)


def _log_mean_inv_one_minus_sigmoid2(sigma_b):
    # 1/(1 - sigma(b))^2 = (1 + e^b)^2, so E = 1 + 2 e^{s^2/2} + e^{2 s^2} for b ~ N(0, s^2);
    # its log, 2 s^2 + log(1 + 2 e^{-3 s^2/2} + e^{-2 s^2}), does not overflow for wide biases
    s2 = np.asarray(sigma_b, dtype=float) ** 2
    return 2.0 * s2 + np.log1p(2.0 * np.exp(-1.5 * s2) + np.exp(-2.0 * s2))


def critical_gain(arch: str, sigma_b=0.0, bias: str = "gaussian", t_max=None, n=None, seed=None):
    r"""Critical gain :math:`g_c` of an RNN, GRU or LSTM at initialisation (thesis Eq. 14).

    Parameters
    ----------
    arch : {"rnn", "gru", "lstm"}
    sigma_b : float or array, in [0, MAX_BIAS_WIDTH]
        Standard deviation of the i.i.d. Gaussian gate biases (``bias="gaussian"``); 0 means zero
        biases. Must be 0 for the RNN, whose only bias is the candidate bias.
    bias : {"gaussian", "chrono"}
        Bias scheme; chrono draws :math:`\tau_i\sim\mathcal U(2, T_{\max})` (thesis section 4.3).
    t_max : float in (2, T_MAX_LIMIT]
        Largest chrono time scale (required for ``bias="chrono"``).
    n : int in [1, MAX_UNITS] or None
        ``None``: the infinite-N value, with exact expectations over the bias distribution
        (Gaussian quadrature, ~1e-14). An integer: sample ``n`` units' biases with ``seed`` and
        evaluate Eq. (14) on that sample.
    seed : int, Generator or None
        Seed of the bias sample (``n`` given).

    Notes
    -----
    Gaussian biases, infinite N: GRU :math:`g_c = \langle\sigma(b)^2\rangle^{-1/2}`; LSTM
    :math:`g_c = \big(\langle\sigma(b)^2\rangle^2 \langle(1+e^{b})^2\rangle\big)^{-1/2}` with
    :math:`\langle(1+e^b)^2\rangle = 1 + 2e^{\sigma_b^2/2} + e^{2\sigma_b^2}`. Chrono: the
    :math:`\tau` dependence cancels and :math:`g_c = 2` for every :math:`T_{\max}`.
    """
    arch, bias = _arch(arch), _bias(bias)
    sb = _sigma_b(sigma_b, scalar=False)
    if bias == "chrono":
        t_max = _t_max(t_max)
        if np.any(sb > 0):
            raise ValueError("sigma_b must be 0 with bias='chrono' (chrono biases are deterministic in tau)")
    if arch == "rnn" and np.any(sb > 0):
        gate_biases("rnn", 1, sigma_b=float(sb.max()))  # raises the explanatory error
    if n is not None:
        n = _units(n)
        if sb.ndim:
            raise ValueError("sigma_b must be a scalar when n is given")
        biases = gate_biases(arch, n, sigma_b=float(sb), bias=bias, t_max=t_max, seed=seed)
        return 1.0 if arch == "rnn" else _gain_from_log_ratios(_log_ratios(arch, biases))
    if arch == "rnn":
        return scalar_or_array(np.ones(sb.shape))
    if bias == "chrono":
        # exact expectation over tau ~ U(2, t_max) by Gauss-Legendre (the integrand is constant)
        x, w = np.polynomial.legendre.leggauss(32)
        tau = 2.0 + (t_max - 2.0) * (x + 1.0) / 2.0
        return _gain_from_log_ratios(_log_ratios(arch, chrono_biases_from_tau(arch, tau)), w)
    s2 = np.asarray(_mean_sigmoid2(sb))
    if arch == "gru":
        return scalar_or_array(s2 ** -0.5)
    return scalar_or_array(np.exp(-np.log(s2) - 0.5 * _log_mean_inv_one_minus_sigmoid2(sb)))


def jacobian_at_zero(M, L, R, g: float, seed=None, U=None) -> np.ndarray:
    """The matrix ``diag(M) + g diag(L) U diag(R)`` with ``U`` i.i.d. N(0, 1/N) (or the given ``U``).

    ``M``, ``L``, ``R``: 1-d, one length ``N <= MAX_DENSE_N``; ``g`` in ``[0, MAX_MATRIX_GAIN]``;
    ``U``: a finite real ``N x N`` array, or ``None`` to draw one from ``seed``.
    """
    M, L, R = _triplet(M, L, R, dense=True)
    g = _gain("g", g)
    if U is None:
        U = _gaussian(M.size, seed=as_rng(seed))
    else:
        U = as_real_array("U", U, minimum=None)
        if U.shape != (M.size, M.size):
            raise ValueError(f"U must have shape {(M.size, M.size)} (N x N for N = len(M)), got {U.shape}")
    return _jacobian(M, L, R, g, U)


def _jacobian(M, L, R, g, U):
    return np.diag(M) + g * (L[:, None] * U * R[None, :])


def _radius(M, L, R, g, U) -> float:
    return spectral_radius(_jacobian(M, L, R, g, U))


def _boundary_function(z, M, W, g):
    """g^2 mean(W / |z - M|^2) for z and g broadcast together, in blocks of at most _BLOCK entries.

    Terms with ``W_i = 0`` vanish; exactly at a pole ``z = M_i`` with ``W_i > 0`` the value is +inf.
    """
    z, g = np.broadcast_arrays(z, g)
    out, zf, gf = np.empty(z.shape), z.ravel(), g.ravel()
    n, keep = M.size, W > 0
    M, W = M[keep], W[keep]
    step = max(1, _BLOCK // max(M.size, 1))
    with np.errstate(divide="ignore", invalid="ignore"):  # inf at a pole, and 0 * inf = nan (not inside) at g = 0
        for i in range(0, zf.size, step):
            block = slice(i, i + step)
            out.flat[block] = gf[block] ** 2 * (np.sum(W / np.abs(zf[block, None] - M) ** 2, axis=-1) / n)
    return out


def spectral_boundary(M, L, R, g: float, n_angles: int = 721, center=None) -> np.ndarray:
    r"""Outer boundary of the limiting spectrum of :math:`M + gLUR` (thesis Eqs. 12-13).

    For each of ``n_angles`` directions from ``center`` (default: the mean of ``M``) returns the
    outermost point ``z`` with :math:`g^2\frac1N\sum_i L_i^2R_i^2/|z-M_i|^2 = 1` (NaN where the
    ray does not meet the support, which for ``g > 0`` and :math:`LR \ne 0` happens only if the
    support is not star-shaped about ``center``). For constant diagonals this is the circle of radius
    :math:`g|LR|` around :math:`M`. ``n_angles`` is an integer in ``N_ANGLES_RANGE``; the
    search takes 256 radial steps and 50 bisections, in blocks of bounded memory.
    """
    M, L, R = _triplet(M, L, R)
    g = as_real_scalar("g", g, strict=True, maximum=MAX_MATRIX_GAIN)
    if not np.any(L * R):
        raise ValueError("L * R must not vanish on every unit (the spectrum is then the points M_i)")
    n_angles = as_positive_int("n_angles", n_angles, minimum=N_ANGLES_RANGE[0], maximum=N_ANGLES_RANGE[1])
    W = (L * R) ** 2
    if center is None:
        c = float(np.mean(M))
    elif isinstance(center, numbers.Number) and not isinstance(center, bool) and np.isfinite(center):
        c = complex(center)
    else:
        raise ValueError(f"center must be None or a finite (complex) number, got {center!r}")
    theta = np.linspace(0.0, 2.0 * np.pi, n_angles)
    direction = np.exp(1j * theta)
    # F < 1 wherever the distance to every M_i exceeds g sqrt(max W): an outer bracket
    r_hi = np.max(np.abs(M - c)) + g * np.sqrt(W.max()) * 1.01 + 1e-12
    # scan inwards, one radius at a time (memory n_angles x N), for the outermost point inside
    lo = np.full(n_angles, np.nan)  # a radius inside the support
    hi = np.full(n_angles, np.nan)  # the previous radius, outside
    radii = np.linspace(r_hi, 0.0, 257)[:-1]
    for r_out, r_in in zip(radii[:-1], radii[1:]):
        todo = np.isnan(lo)
        if not todo.any():
            break
        inside = _boundary_function(c + r_in * direction[todo], M, W, g) >= 1.0
        idx = np.flatnonzero(todo)[inside]
        lo[idx], hi[idx] = r_in, r_out
    hit = ~np.isnan(lo)
    for _ in range(50):
        mid = 0.5 * (lo[hit] + hi[hit])
        inner = _boundary_function(c + mid * direction[hit], M, W, g) >= 1.0
        lo[hit] = np.where(inner, mid, lo[hit])
        hi[hit] = np.where(inner, hi[hit], mid)
    return c + 0.5 * (lo + hi) * direction


def predicted_spectral_radius(M, L, R, g) -> np.ndarray:
    r"""Largest modulus of the limiting spectrum of :math:`M + gLUR` (over the boundary curve).

    For :math:`M_i \ge 0` the support is widest along the positive real axis, where the
    boundary solves :math:`g^2\frac1N\sum_i L_i^2R_i^2/(x - M_i)^2 = 1` for ``x > max M``; it
    equals 1 exactly at :math:`g = g_c`. Vectorised over ``g`` (any shape, entries in
    ``[0, MAX_MATRIX_GAIN]``); 200 bisection steps.
    """
    M, L, R = _triplet(M, L, R)
    if np.any(M < 0):
        raise ValueError("M must be >= 0 (gate values); the largest modulus is then on the positive real axis")
    g = _gain("g", g, scalar=False)
    W = (L * R) ** 2
    lo = np.full(g.shape, M.max())
    hi = M.max() + g * np.sqrt(W.max()) + 1e-12
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        inside = _boundary_function(mid, M, W, g) >= 1.0
        lo, hi = np.where(inside, mid, lo), np.where(inside, hi, mid)
    return scalar_or_array(0.5 * (lo + hi))


def sampled_diagonals(arch: str, n: int, sigma_b: float = 0.0, bias: str = "gaussian", t_max=None, seed=None):
    """``(M, L, R)`` of ``n`` units with biases drawn by :func:`criticality.init.gate_biases` (arguments
    checked there)."""
    biases = gate_biases(arch, n, sigma_b=sigma_b, bias=bias, t_max=t_max, seed=seed)
    return diagonals(arch, biases) if _arch(arch) != "rnn" else (np.zeros(n), np.ones(n), np.ones(n))


def jacobian_spectral_radius(M, L, R, gains, seed=None) -> np.ndarray:
    """Measured spectral radius of ``diag(M) + g diag(L) U diag(R)`` for each gain, one ``U`` for all.

    ``gains``: a number or 1-d array with entries in ``[0, MAX_MATRIX_GAIN]``.
    """
    M, L, R = _triplet(M, L, R, dense=True)
    gains = np.atleast_1d(_gain("gains", gains, scalar=False))
    if gains.ndim != 1:
        raise ValueError(f"gains must be a number or a 1-d array, got shape {gains.shape}")
    U = _gaussian(M.size, seed=as_rng(seed))
    return np.array([_radius(M, L, R, g, U) for g in gains])


def unit_crossing(gains, radii) -> float:
    """Gain at which ``radii`` first crosses 1 from below, by linear interpolation.

    ``gains``: 1-d, strictly increasing, finite, at least 2 entries; ``radii``: finite, ``>= 0``,
    the same length. ``radii`` need not be monotone (measured radii fluctuate): the first ``k``
    with ``radii[k] < 1 <= radii[k + 1]`` is used, and NaN is returned if there is none (all
    radii below 1, or at or above 1 from the first gain on without a later upward crossing).
    """
    g = as_real_array("gains", gains, minimum=None)
    r = as_real_array("radii", radii)
    if g.ndim != 1 or r.ndim != 1 or g.size != r.size or g.size < 2:
        raise ValueError(f"gains and radii must be 1-d arrays of one length >= 2, got shapes "
                         f"gains {g.shape} and radii {r.shape}")
    if np.any(np.diff(g) <= 0):
        raise ValueError("gains must be strictly increasing")
    k = np.flatnonzero((r[:-1] < 1.0) & (r[1:] >= 1.0))
    if k.size == 0:
        return float("nan")
    k = k[0]
    return float(g[k] + (1.0 - r[k]) * (g[k + 1] - g[k]) / (r[k + 1] - r[k]))


def measured_critical_gain(M, L, R, seed=None, rtol: float = 1e-3) -> float:
    """Smallest gain at which the *sampled* ``diag(M) + g diag(L) U diag(R)`` has spectral radius 1.

    Bisection on ``g`` with one fixed ``U`` (drawn from ``seed``); assumes the radius grows with
    ``g``, which holds for the diagonals of gated networks in practice. Costs one eigenvalue
    decomposition per step (about ``log2(1/rtol) + 3`` of them). ``rtol`` (relative width of the
    final bracket) lies in ``[1e-12, 1)`` (``RTOL_RANGE``). The bracket is found by at most
    ``MAX_DOUBLINGS`` doublings of the predicted ``g_c`` and refined by at most ``MAX_BISECTIONS``
    bisections; ``RuntimeError`` if either bound is reached (the radius may not grow with ``g``).
    """
    M, L, R = _triplet(M, L, R, dense=True)
    rtol = as_real_scalar("rtol", rtol, minimum=RTOL_RANGE[0], maximum=RTOL_RANGE[1], strict_max=True)
    U = _gaussian(M.size, seed=as_rng(seed))
    radius = lambda g: _radius(M, L, R, g, U)  # noqa: E731
    if radius(0.0) >= 1.0:
        return 0.0
    lo, hi = 0.0, critical_gain_from_diagonals(M, L, R)
    for _ in range(MAX_DOUBLINGS):
        if radius(hi) >= 1.0:
            break
        lo, hi = hi, 2.0 * hi
    else:
        raise RuntimeError(f"measured_critical_gain did not converge: the spectral radius stays below 1 up "
                           f"to g = {lo:g} ({MAX_DOUBLINGS} doublings of the predicted g_c)")
    for _ in range(MAX_BISECTIONS):
        if hi - lo <= rtol * hi:
            return 0.5 * (lo + hi)
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if radius(mid) >= 1.0 else (mid, hi)
    raise RuntimeError(f"measured_critical_gain did not converge to rtol = {rtol:g} within {MAX_BISECTIONS} "
                       "bisections")
