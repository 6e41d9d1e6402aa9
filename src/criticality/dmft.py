r"""Mean-field theory of random tanh networks (thesis sections 2 and 3).

Book notation (see the introduction): preactivations have variance :math:`q`; the variance map
of a random network with weights :math:`\mathcal N(0, g^2/N)` and biases :math:`\mathcal N(0, \sigma_b^2)` is

.. math:: q_{t+1} = \mathcal V(q_t) = g^2 \langle \tanh^2(\sqrt{q_t}\, z) \rangle + \sigma_b^2 ,

its stable fixed point is :math:`q^*`, and an infinitesimal perturbation is multiplied, in squared
norm per unit, by the growth factor

.. math:: \chi = g^2 f(q^*), \qquad f(q) = \langle \tanh'(\sqrt{q}\, z)^2\rangle = \langle \mathrm{sech}^4(\sqrt{q}\, z)\rangle .

The thesis writes :math:`\sigma^2(t)` for :math:`q_t` (Eqs. 4-6). :math:`\chi = 1` is the edge of
chaos: :math:`g_c = 1` without biases, :math:`g_c(\sigma_b) > 1` with them.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import elementwise

from ._validate import as_real_array, scalar_or_array
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


def _sech4(x):
    c = np.exp(-2.0 * np.abs(x))  # sech x = 2 e^{-|x|} / (1 + e^{-2|x|}), no overflow
    return (2.0 * np.sqrt(c) / (1.0 + c)) ** 4


def mean_tanh2(q):
    r"""Return :math:`\langle \tanh^2(\sqrt{q} z)\rangle` for variance ``q >= 0``."""
    q = as_real_array("q", q)
    return gaussian_expectation(lambda x: np.tanh(x) ** 2, np.sqrt(q))


def mean_sech4(q):
    r"""Return :math:`f(q) = \langle \mathrm{sech}^4(\sqrt{q} z)\rangle` for variance ``q >= 0``."""
    q = as_real_array("q", q)
    return gaussian_expectation(_sech4, np.sqrt(q))


def _tanh_ratio2(s):
    """<(tanh(s z)/s)^2>, continuous at s = 0 where it equals 1 (no cancellation near 0)."""
    # E[(tanh(s z)/s)^2] = E[tanh(x)^2]/s^2 with x = s z; written on x for the quadrature rule
    inner = gaussian_expectation(lambda x: np.tanh(x) ** 2, s)
    small = s < 1e-4
    out = np.where(small, 1.0, inner / np.where(small, 1.0, s * s))
    # series for tiny s: 1 - 2 s^2 + 17/3 s^4
    return np.where(small, 1.0 - 2.0 * s**2 + (17.0 / 3.0) * s**4, out)


def _check_g_sb(g, sigma_b):
    g = as_real_array("g", g)
    sigma_b = as_real_array("sigma_b", sigma_b)
    return np.broadcast_arrays(g, sigma_b)


def variance_map(q, g, sigma_b=0.0):
    r"""One step of the variance map :math:`g^2\langle\tanh^2(\sqrt q z)\rangle + \sigma_b^2` (thesis Eq. 5)."""
    q = as_real_array("q", q)
    g, sigma_b = _check_g_sb(g, sigma_b)
    return scalar_or_array(np.asarray(g**2 * mean_tanh2(q) + sigma_b**2))


def variance_trajectory(q0, g, sigma_b=0.0, steps=50):
    """Iterate the variance map ``steps`` times from ``q0``; returns an array of ``steps + 1`` values."""
    out = [as_real_array("q0", q0)]
    for _ in range(int(steps)):
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
    g : float or array, >= 0
        Gain: recurrent weights have variance ``g**2 / N``.
    sigma_b : float or array, >= 0
        Standard deviation of the biases.
    """
    g, sigma_b = _check_g_sb(g, sigma_b)
    q = np.zeros(g.shape)
    biased = sigma_b > 0
    chaotic = (~biased) & (g > 1)
    if np.any(chaotic):
        gc = g[chaotic]
        res = elementwise.find_root(
            lambda s, gg: gg**2 * _tanh_ratio2(s) - 1.0,
            (np.zeros_like(gc), gc.copy()),
            args=(gc,),
            tolerances=_TOL,
        )
        q[chaotic] = res.x**2
    if np.any(biased):
        gb, sb = g[biased], sigma_b[biased]
        lo, hi = sb**2, gb**2 + sb**2
        res = elementwise.find_root(
            lambda x, gg, bb: gg**2 * mean_tanh2(x) + bb**2 - x,
            (lo, hi),
            args=(gb, sb),
            tolerances=_TOL,
        )
        # g = 0 gives a degenerate bracket whose root is exactly sigma_b^2
        q[biased] = np.where(gb > 0, res.x, lo)
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
    for small ``q`` this is :math:`\sigma_b^2 \approx 4q^3/3`, :math:`g_c \approx 1 + q`.
    """
    q = as_real_array("q", q)
    g = 1.0 / np.sqrt(np.asarray(mean_sech4(q)))
    sb2 = np.asarray(_bias_on_critical_line(q))
    return scalar_or_array(g), scalar_or_array(np.sqrt(np.maximum(sb2, 0.0)))


def critical_gain_mlp(sigma_b):
    r"""Critical gain :math:`g_c(\sigma_b)` where :math:`\chi = 1` (thesis Fig. 5).

    Solved on the parametric critical line (:func:`critical_line_mlp`) for the fixed-point
    variance, so no nested root finding is needed; ``critical_gain_mlp(0) == 1``.
    """
    sb = as_real_array("sigma_b", sigma_b)
    target = sb**2
    q = np.zeros(sb.shape)
    pos = target > 0
    if np.any(pos):
        t = target[pos]
        # sigma_b^2(q) ~ 4 q^3 / 3 for small q and ~ q for large q: bracket accordingly
        lo = np.minimum((0.75 * t) ** (1.0 / 3.0), t) * 1e-3
        hi = 10.0 * (np.maximum((0.75 * t) ** (1.0 / 3.0), t) + 1.0)
        res = elementwise.find_root(
            lambda x, tt: _bias_on_critical_line(x) - tt, (lo, hi), args=(t,), tolerances=_TOL
        )
        q[pos] = res.x
    g = 1.0 / np.sqrt(np.asarray(mean_sech4(q)))
    return scalar_or_array(np.asarray(g))
