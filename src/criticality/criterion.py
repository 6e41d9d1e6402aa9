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
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ._validate import as_positive_int, as_real_array, scalar_or_array
from .quadrature import gaussian_expectation
from .vanilla import random_coupling

__all__ = [
    "ARCHITECTURES",
    "BIAS_SCHEMES",
    "GATES",
    "diagonals",
    "sample_biases",
    "chrono_biases",
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

ARCHITECTURES = ("rnn", "gru", "lstm")
BIAS_SCHEMES = ("gaussian", "chrono")
GATES = {"rnn": (), "gru": ("z", "r"), "lstm": ("f", "i", "o")}


def _arch(arch) -> str:
    if not isinstance(arch, str) or arch.lower() not in ARCHITECTURES:
        raise ValueError(f"arch must be one of {ARCHITECTURES}, got {arch!r}")
    return arch.lower()


def _bias(bias) -> str:
    if not isinstance(bias, str) or bias.lower() not in BIAS_SCHEMES:
        raise ValueError(f"bias must be one of {BIAS_SCHEMES}, got {bias!r}")
    return bias.lower()


def _t_max(t_max) -> float:
    if t_max is None:
        raise ValueError("t_max must be given (a number > 2) for bias='chrono'")
    t = float(as_real_array("t_max", t_max, minimum=None))
    if not t > 2:
        raise ValueError(f"t_max must be > 2 (chrono time scales are drawn from U(2, t_max)), got {t_max!r}")
    return t


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


def chrono_biases(arch: str, n: int, t_max: float, seed=None) -> dict:
    r"""Chrono initialisation (Tallec and Ollivier 2018) as gate biases, :math:`\tau_i\sim\mathcal U(2, T_{\max})`.

    LSTM: :math:`b_f = \log(\tau - 1)`, :math:`b_i = -b_f`, :math:`b_o = 0`, so that
    :math:`f = 1 - 1/\tau`, :math:`i = 1/\tau`, :math:`o = 1/2`. GRU (write-rate convention):
    :math:`b_z = -\log(\tau - 1)`, :math:`b_r = 0`, so that :math:`z = 1/\tau`, :math:`r = 1/2`.
    These are *effective* biases: in PyTorch put them in ``bias_ih`` or ``bias_hh``, not both.
    """
    arch = _arch(arch)
    if arch == "rnn":
        raise ValueError("chrono initialisation needs a gated architecture: arch must be 'gru' or 'lstm'")
    n = as_positive_int("n", n)
    return chrono_biases_from_tau(arch, np.random.default_rng(seed).uniform(2.0, _t_max(t_max), size=n))


def sample_biases(arch: str, n: int, sigma_b: float = 0.0, bias: str = "gaussian", t_max=None, seed=None) -> dict:
    """Gate biases of ``n`` units: i.i.d. N(0, sigma_b^2) for every gate, or chrono(t_max)."""
    arch, bias = _arch(arch), _bias(bias)
    n = as_positive_int("n", n)
    sigma_b = float(as_real_array("sigma_b", sigma_b))
    if bias == "chrono":
        return chrono_biases(arch, n, t_max, seed)
    if arch == "rnn":
        if sigma_b > 0:
            raise ValueError("a vanilla RNN's only bias is its candidate bias, which must be 0 for the "
                             "criterion: sigma_b must be 0 (see dmft.critical_gain_mlp for biased tanh networks)")
        return {}
    rng = np.random.default_rng(seed)
    return {k: sigma_b * rng.standard_normal(n) for k in GATES[arch]}


def critical_gain_from_diagonals(M, L, R) -> float:
    r"""Eq. (14): :math:`g_c = \big(\frac1N\sum_i L_i^2R_i^2/(1-M_i)^2\big)^{-1/2}` for given diagonals.

    Requires arrays of one shape with :math:`1 - M_i > 0` (otherwise the unit circle is crossed
    at ``g = 0`` or the formula does not apply) and not all :math:`L_i R_i` zero.
    """
    arrs = [np.atleast_1d(as_real_array(name, v, minimum=None)) for name, v in (("M", M), ("L", L), ("R", R))]
    if len({a.shape for a in arrs}) != 1 or arrs[0].ndim != 1:
        raise ValueError(f"M, L and R must be 1-d arrays of the same shape, got {[a.shape for a in arrs]}")
    M, L, R = arrs
    if np.any(1.0 - M <= 0):
        raise ValueError("every 1 - M_i must be > 0 (M_i < 1); got max(M) = %g" % M.max())
    s = np.mean((L * R) ** 2 / (1.0 - M) ** 2)
    if s <= 0:
        raise ValueError("L * R must not vanish on every unit (no recurrent coupling)")
    return float(s ** -0.5)


def _mean_sigmoid2(sigma_b):
    return gaussian_expectation(lambda b: expit(b) ** 2, sigma_b)


def _mean_inv_one_minus_sigmoid2(sigma_b):
    # 1/(1 - sigma(b))^2 = (1 + e^b)^2, so E = 1 + 2 e^{s^2/2} + e^{2 s^2} for b ~ N(0, s^2)
    s2 = np.asarray(sigma_b, dtype=float) ** 2
    return 1.0 + 2.0 * np.exp(s2 / 2.0) + np.exp(2.0 * s2)


def critical_gain(arch: str, sigma_b=0.0, bias: str = "gaussian", t_max=None, n=None, seed=None):
    r"""Critical gain :math:`g_c` of an RNN, GRU or LSTM at initialisation (thesis Eq. 14).

    Parameters
    ----------
    arch : {"rnn", "gru", "lstm"}
    sigma_b : float or array, >= 0
        Standard deviation of the i.i.d. Gaussian gate biases (``bias="gaussian"``); 0 means zero
        biases. Must be 0 for the RNN, whose only bias is the candidate bias.
    bias : {"gaussian", "chrono"}
        Bias scheme; chrono draws :math:`\tau_i\sim\mathcal U(2, T_{\max})` (thesis section 4.3).
    t_max : float > 2
        Largest chrono time scale (required for ``bias="chrono"``).
    n : int or None
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
    sb = as_real_array("sigma_b", sigma_b)
    if bias == "chrono":
        t_max = _t_max(t_max)
        if np.any(sb > 0):
            raise ValueError("sigma_b must be 0 with bias='chrono' (chrono biases are deterministic in tau)")
    if arch == "rnn" and np.any(sb > 0):
        sample_biases("rnn", 1, float(sb.max()))  # raises the explanatory error
    if n is not None:
        n = as_positive_int("n", n)
        if sb.ndim:
            raise ValueError("sigma_b must be a scalar when n is given")
        return critical_gain_from_diagonals(*diagonals(arch, sample_biases(arch, n, float(sb), bias, t_max, seed)))
    if arch == "rnn":
        return scalar_or_array(np.ones(sb.shape))
    if bias == "chrono":
        # exact expectation over tau ~ U(2, t_max) by Gauss-Legendre (the integrand is constant)
        x, w = np.polynomial.legendre.leggauss(32)
        tau = 2.0 + (t_max - 2.0) * (x + 1.0) / 2.0
        M, L, R = diagonals(arch, chrono_biases_from_tau(arch, tau))
        mean = np.sum(w / 2.0 * (L * R) ** 2 / (1.0 - M) ** 2)
        return float(mean ** -0.5)
    s2 = np.asarray(_mean_sigmoid2(sb))
    if arch == "gru":
        return scalar_or_array(s2 ** -0.5)
    return scalar_or_array((s2**2 * _mean_inv_one_minus_sigmoid2(sb)) ** -0.5)


def chrono_biases_from_tau(arch: str, tau) -> dict:
    """Chrono gate biases for given time scales ``tau > 1`` (see :func:`chrono_biases`)."""
    arch = _arch(arch)
    tau = np.atleast_1d(as_real_array("tau", tau, minimum=1.0, strict=True))
    b = np.log(tau - 1.0)
    if arch == "gru":
        return {"z": -b, "r": np.zeros_like(b)}
    if arch == "lstm":
        return {"f": b, "i": -b, "o": np.zeros_like(b)}
    raise ValueError("chrono initialisation needs a gated architecture: arch must be 'gru' or 'lstm'")


def jacobian_at_zero(M, L, R, g: float, seed=None, U=None) -> np.ndarray:
    """The matrix ``diag(M) + g diag(L) U diag(R)`` with ``U`` i.i.d. N(0, 1/N) (or the given ``U``)."""
    M, L, R = (np.atleast_1d(as_real_array(k, v, minimum=None)) for k, v in (("M", M), ("L", L), ("R", R)))
    n = M.size
    if L.shape != M.shape or R.shape != M.shape:
        raise ValueError("M, L and R must have the same shape")
    g = float(as_real_array("g", g))
    if U is None:
        U = random_coupling(n, np.random.default_rng(seed))
    return np.diag(M) + g * (L[:, None] * U * R[None, :])


def _boundary_function(z, M, W, g):
    """g^2 mean(W / |z - M|^2) for complex z of any shape."""
    return g * g * np.mean(W / np.abs(z[..., None] - M) ** 2, axis=-1)


def spectral_boundary(M, L, R, g: float, n_angles: int = 721, center=None) -> np.ndarray:
    r"""Outer boundary of the limiting spectrum of :math:`M + gLUR` (thesis Eqs. 12-13).

    For each of ``n_angles`` directions from ``center`` (default: the mean of ``M``) returns the
    outermost point ``z`` with :math:`g^2\frac1N\sum_i L_i^2R_i^2/|z-M_i|^2 = 1` (NaN where the
    ray does not meet the support). For constant diagonals this is the circle of radius
    :math:`g|LR|` around :math:`M`.
    """
    M, L, R = (np.atleast_1d(as_real_array(k, v, minimum=None)) for k, v in (("M", M), ("L", L), ("R", R)))
    if L.shape != M.shape or R.shape != M.shape:
        raise ValueError("M, L and R must have the same shape")
    g = float(as_real_array("g", g))
    n_angles = as_positive_int("n_angles", n_angles, minimum=8)
    W = (L * R) ** 2
    c = float(np.mean(M)) if center is None else complex(center)
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
    equals 1 exactly at :math:`g = g_c`. Vectorised over ``g``.
    """
    M, L, R = (np.atleast_1d(as_real_array(k, v, minimum=None)) for k, v in (("M", M), ("L", L), ("R", R)))
    if np.any(M < 0):
        raise ValueError("M must be >= 0 (gate values); the largest modulus is then on the positive real axis")
    g_in = as_real_array("g", g)
    g = np.atleast_1d(g_in)
    W = (L * R) ** 2
    lo = np.full(g.shape, M.max())
    hi = M.max() + g * np.sqrt(W.max()) + 1e-12
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        inside = g**2 * np.mean(W / (mid[:, None] - M) ** 2, axis=1) >= 1.0
        lo, hi = np.where(inside, mid, lo), np.where(inside, hi, mid)
    return scalar_or_array(0.5 * (lo + hi) if np.ndim(g_in) else 0.5 * (lo[0] + hi[0]))


def sampled_diagonals(arch: str, n: int, sigma_b: float = 0.0, bias: str = "gaussian", t_max=None, seed=None):
    """``(M, L, R)`` of ``n`` units with biases drawn by :func:`sample_biases`."""
    return diagonals(arch, sample_biases(arch, n, sigma_b, bias, t_max, seed)) if arch != "rnn" else (
        np.zeros(as_positive_int("n", n)), np.ones(n), np.ones(n))


def jacobian_spectral_radius(M, L, R, gains, seed=None) -> np.ndarray:
    """Measured spectral radius of ``diag(M) + g diag(L) U diag(R)`` for each gain, one ``U`` for all."""
    M = np.atleast_1d(as_real_array("M", M, minimum=None))
    gains = np.atleast_1d(as_real_array("gains", gains))
    U = random_coupling(M.size, np.random.default_rng(seed))
    return np.array([np.abs(np.linalg.eigvals(jacobian_at_zero(M, L, R, g, U=U))).max() for g in gains])


def unit_crossing(gains, radii) -> float:
    """Gain at which ``radii`` (increasing with ``gains``) first crosses 1, by linear interpolation."""
    g, r = np.asarray(gains, float), np.asarray(radii, float)
    k = np.flatnonzero((r[:-1] < 1.0) & (r[1:] >= 1.0))
    if k.size == 0:
        return float("nan")
    k = k[0]
    return float(g[k] + (1.0 - r[k]) * (g[k + 1] - g[k]) / (r[k + 1] - r[k]))


def measured_critical_gain(M, L, R, seed=None, rtol: float = 1e-3) -> float:
    """Smallest gain at which the *sampled* ``diag(M) + g diag(L) U diag(R)`` has spectral radius 1.

    Bisection on ``g`` with one fixed ``U`` (drawn from ``seed``); assumes the radius grows with
    ``g``, which holds for the diagonals of gated networks in practice. Costs one eigenvalue
    decomposition per step (about ``log2(1/rtol) + 3`` of them).
    """
    M = np.atleast_1d(as_real_array("M", M, minimum=None))
    U = random_coupling(M.size, np.random.default_rng(seed))
    radius = lambda g: np.abs(np.linalg.eigvals(jacobian_at_zero(M, L, R, g, U=U))).max()  # noqa: E731
    if radius(0.0) >= 1.0:
        return 0.0
    lo, hi = 0.0, critical_gain_from_diagonals(M, L, R)
    while radius(hi) < 1.0:
        lo, hi = hi, 2.0 * hi
    while hi - lo > rtol * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if radius(mid) >= 1.0 else (mid, hi)
    return 0.5 * (lo + hi)
