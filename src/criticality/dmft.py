r"""Mean-field theory of random tanh networks (thesis sections 2 and 3).

Book notation (see the introduction): preactivations have variance :math:`q`; the variance map
of a random network with weights :math:`\mathcal N(0, g^2/N)` and biases :math:`\mathcal N(0, \sigma_b^2)` is

.. math:: q_{t+1} = \mathcal V(q_t) = g^2 \langle \tanh^2(\sqrt{q_t}\, z) \rangle + \sigma_b^2 ,

its stable fixed point is :math:`q^*`, and an infinitesimal perturbation is multiplied, in squared
norm per unit, by the growth factor

.. math:: \chi = g^2 f(q^*), \qquad f(q) = \langle \tanh'(\sqrt{q}\, z)^2\rangle = \langle \mathrm{sech}^4(\sqrt{q}\, z)\rangle .

The thesis writes :math:`\sigma^2(t)` for :math:`q_t` (Eqs. 4-6). :math:`\chi = 1` is the edge of
chaos: :math:`g_c = 1` without biases, :math:`g_c(\sigma_b) > 1` with them.

Argument ranges: variances ``q`` are finite and ``>= 0``; gains ``g`` and bias standard deviations
``sigma_b`` lie in ``[0, MAX_GAIN]`` (``1e150``, so that :math:`q^* \le g^2 + \sigma_b^2` is a
finite float). Every root finding is bounded by :data:`MAX_ITER` iterations.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import elementwise

from ._validate import as_positive_int, as_real_array, broadcast, scalar_or_array
from .quadrature import gaussian_expectation

__all__ = [
    "mean_tanh2",
    "mean_sech4",
    "variance_map",
    "variance_trajectory",
    "fixed_point_variance",
    "growth_factor",
    "critical_gain_mlp",
    "critical_line_mlp",
]

_TOL = {"xatol": 0.0, "xrtol": 4 * np.finfo(float).eps, "fatol": 0.0, "frtol": 0.0}
MAX_GAIN = 1e150  # largest g and sigma_b: g^2 + sigma_b^2 stays finite
MAX_ITER = 2200  # Chandrupatla iterations; bisection alone needs < 2100 across the float range
MAX_STEPS = 10**6  # longest variance_trajectory


def _find_root(func, bracket, args):
    """Elementwise root in ``bracket`` to ~4 ulp; raises if any element does not converge."""
    res = elementwise.find_root(func, bracket, args=args, tolerances=_TOL, maxiter=MAX_ITER)
    if not np.all(res.success):
        raise RuntimeError(f"root finding did not converge within {MAX_ITER} iterations "
                           f"(status {np.unique(res.status).tolist()})")
    return res.x


def _sech2(x):
    c = np.exp(-2.0 * np.abs(x))  # sech^2 x = 4 e^{-2|x|} / (1 + e^{-2|x|})^2, no overflow
    return 4.0 * c / (1.0 + c) ** 2


def _sech4(x):
    return _sech2(x) ** 2


def _tanh2(x):
    return np.tanh(x) ** 2


def _mean_tanh2_s(s):
    """<tanh^2(s z)> as an array: directly for s <= 1 and as 1 - <sech^2(s z)> beyond, so that both
    the value and its deficit from 1 keep full relative accuracy and the value never exceeds 1."""
    s = np.asarray(s, dtype=float)
    out, big = np.empty(s.shape), s > 1.0
    if (~big).any():
        out[~big] = gaussian_expectation(_tanh2, s[~big])
    if big.any():
        out[big] = 1.0 - gaussian_expectation(_sech2, s[big])
    return out


def mean_tanh2(q):
    r"""Return :math:`\langle \tanh^2(\sqrt{q} z)\rangle` for a finite variance ``q >= 0``.

    Accurate to ~1e-14 relative (and so is its deficit from 1) for every finite ``q``; for large
    ``q`` it approaches :math:`1 - \sqrt{2/(\pi q)}`.
    """
    return scalar_or_array(_mean_tanh2_s(np.sqrt(as_real_array("q", q))))


def mean_sech4(q):
    r"""Return :math:`f(q) = \langle \mathrm{sech}^4(\sqrt{q} z)\rangle` for a finite variance ``q >= 0``.

    Accurate to ~1e-14 relative for every finite ``q``; for large ``q`` it approaches
    :math:`\tfrac43 / \sqrt{2\pi q}`.
    """
    return gaussian_expectation(_sech4, np.sqrt(as_real_array("q", q)))


def _chaotic_excess(s, g):
    """g^2 <(tanh(s z)/s)^2> - 1: a series at tiny s (no cancellation near 0), and exactly
    <tanh^2(g z)> - 1 <= 0 at s = g, the upper end of the bracket."""
    small = s < 1e-4
    t = np.minimum(s, 1e-4) ** 2  # <(tanh(s z)/s)^2> = 1 - 2 s^2 + 17/3 s^4 + ...
    ratio = (g / np.where(small, 1.0, s)) ** 2 * _mean_tanh2_s(s)
    return np.where(small, g * g * (1.0 - 2.0 * t + (17.0 / 3.0) * t * t), ratio) - 1.0


def _check_g_sb(g, sigma_b, **more):
    """Validated ``g``, ``sigma_b`` (in ``[0, MAX_GAIN]``) and ``more`` (finite, >= 0), broadcast."""
    arrays = {"g": as_real_array("g", g, maximum=MAX_GAIN),
              "sigma_b": as_real_array("sigma_b", sigma_b, maximum=MAX_GAIN)}
    return broadcast(**{k: as_real_array(k, v) for k, v in more.items()}, **arrays)


def variance_map(q, g, sigma_b=0.0):
    r"""One step of the variance map :math:`g^2\langle\tanh^2(\sqrt q z)\rangle + \sigma_b^2` (thesis Eq. 5).

    ``q`` finite and ``>= 0``; ``g`` and ``sigma_b`` in ``[0, MAX_GAIN]``; all broadcast together.
    """
    q, g, sigma_b = _check_g_sb(g, sigma_b, q=q)
    return scalar_or_array(np.asarray(g**2 * mean_tanh2(q) + sigma_b**2))


def variance_trajectory(q0, g, sigma_b=0.0, steps=50):
    """Iterate the variance map ``steps`` times from ``q0``; returns an array of ``steps + 1`` values.

    ``steps`` is an integer in ``[0, MAX_STEPS]``; ``q0``, ``g`` and ``sigma_b`` are checked as in
    :func:`variance_map` and broadcast, so the result has shape ``(steps + 1,) + broadcast shape``.
    """
    steps = as_positive_int("steps", steps, minimum=0, maximum=MAX_STEPS)
    out = list(_check_g_sb(g, sigma_b, q0=q0)[:1])
    for _ in range(steps):
        out.append(np.asarray(variance_map(out[-1], g, sigma_b)))
    return np.stack(out)


def fixed_point_variance(g, sigma_b=0.0):
    r"""Stable fixed point :math:`q^*` of the variance map (thesis Eq. 6).

    Without biases the zero solution is the stable one for ``g <= 1`` and 0.0 is returned; for
    ``g > 1`` the non-zero root is found in the variable :math:`s=\sqrt{q}` from
    :math:`g^2\langle(\tanh(sz)/s)^2\rangle = 1`, which has no cancellation as :math:`g \to 1^+`.
    With biases (``sigma_b > 0``) the fixed point is unique and positive.

    Parameters
    ----------
    g : float or array, in [0, MAX_GAIN]
        Gain: recurrent weights have variance ``g**2 / N``.
    sigma_b : float or array, in [0, MAX_GAIN]
        Standard deviation of the biases.
    """
    g, sigma_b = _check_g_sb(g, sigma_b)
    q = np.zeros(g.shape)
    biased = sigma_b**2 > 0  # (a sigma_b whose square underflows is no bias)
    chaotic = (~biased) & (g > 1)
    if np.any(chaotic):
        gc = g[chaotic]
        s = _find_root(_chaotic_excess, (np.zeros_like(gc), gc.copy()), (gc,))
        q[chaotic] = s**2
    # g = 0 leaves q* = sigma_b^2 exactly; otherwise the root lies in [sigma_b^2, g^2 + sigma_b^2]
    q[biased] = sigma_b[biased] ** 2
    solve = biased & (g > 0)
    if np.any(solve):
        gb, sb = g[solve], sigma_b[solve]
        excess = lambda x, gg, bb: gg**2 * mean_tanh2(x) + bb**2 - x  # noqa: E731
        q[solve] = _find_root(excess, (sb**2, gb**2 + sb**2), (gb, sb))
    return scalar_or_array(q)


def growth_factor(g, sigma_b=0.0):
    r"""Perturbation growth factor :math:`\chi = g^2 \langle\mathrm{sech}^4(\sqrt{q^*} z)\rangle` (thesis Eqs. 4, 6)."""
    g, sigma_b = _check_g_sb(g, sigma_b)
    q = np.asarray(fixed_point_variance(g, sigma_b))
    return scalar_or_array(np.asarray(g**2 * mean_sech4(q)))


def _bias_on_critical_line(q):
    r"""The :math:`\sigma_b^2` for which the critical line passes through :math:`q^*=q`.

    On the critical line :math:`g^2 = 1/f(q)`, and the fixed-point equation then gives
    :math:`\sigma_b^2 = q - \langle\tanh^2\rangle / f(q)`.
    """
    return q - mean_tanh2(q) / mean_sech4(q)


def critical_line_mlp(q):
    r"""Critical line in parametric form: for fixed-point variance ``q`` return ``(g_c, sigma_b)``.

    Eliminating :math:`g` between :math:`\chi = 1` and the fixed-point equation gives
    :math:`g_c^2 = 1/f(q)` and :math:`\sigma_b^2 = q - \langle\tanh^2(\sqrt q z)\rangle/f(q)`;
    for small ``q`` this is :math:`\sigma_b^2 \approx 4q^3/3`, :math:`g_c \approx 1 + q`. ``q`` is finite
    and ``>= 0``.
    """
    q = as_real_array("q", q)
    g = 1.0 / np.sqrt(np.asarray(mean_sech4(q)))
    sb2 = np.asarray(_bias_on_critical_line(q))
    return scalar_or_array(g), scalar_or_array(np.sqrt(np.maximum(sb2, 0.0)))


def critical_gain_mlp(sigma_b):
    r"""Critical gain :math:`g_c(\sigma_b)` where :math:`\chi = 1` (thesis Fig. 5).

    Solved on the parametric critical line (:func:`critical_line_mlp`) for the fixed-point
    variance, so no nested root finding is needed; ``critical_gain_mlp(0) == 1``. ``sigma_b`` lies in
    ``[0, MAX_GAIN]``.
    """
    sb = as_real_array("sigma_b", sigma_b, maximum=MAX_GAIN)
    target = sb**2
    q = np.zeros(sb.shape)
    pos = target > 0
    if np.any(pos):
        t = target[pos]
        # sigma_b^2(q) ~ 4 q^3 / 3 for small q and ~ q for large q: bracket accordingly
        lo = np.minimum((0.75 * t) ** (1.0 / 3.0), t) * 1e-3
        hi = 10.0 * (np.maximum((0.75 * t) ** (1.0 / 3.0), t) + 1.0)
        q[pos] = _find_root(lambda x, tt: _bias_on_critical_line(x) - tt, (lo, hi), (t,))
    g = 1.0 / np.sqrt(np.asarray(mean_sech4(q)))
    return scalar_or_array(np.asarray(g))
