r"""Fixed points of the random GRU: mean-field equations, phase diagram and stability
(Can, Krishnamurthy and Schwab 2020, sections 4.1, 4.4 and 4.5; Appendices C.1 and E).

Conventions are the paper's (see :mod:`criticality.gating.gru`): keep gate
:math:`z = \sigma(U_z h + b_z)`, reset gate :math:`r = \sigma(U_r h + b_r)`,
:math:`y = U_h(r\circ h)`, :math:`h' = z\circ h + (1 - z)\circ\tanh(y)`,
:math:`(U_k)_{ij}\sim\mathcal N(0, a_k^2/N)`, candidate bias :math:`b_h = 0` and :math:`v_h = 0` (so that
:math:`h = 0` is always a fixed point). The reset bias may be random, :math:`(b_r)_i \sim \mathcal N(b_r, v_r)`.

Fixed-point mean-field theory (Eq. 10, with :math:`b_h = v_h = 0`)

.. math::

    C_h = F(C_h) = \int Dx\,\tanh^2\!\big(x\sqrt{a_h^2 C_y}\big),\qquad
    C_y = C_h \int Dx\,\sigma^2\!\big(x\sqrt{a_r^2 C_h + v_r} + b_r\big).

The update gate does not enter (line 225). Non-zero solutions are the roots of the *excess*
:math:`G(C) = F(C)/C - 1`; :math:`G(0^+) = a_h^2\langle r^2\rangle - 1` with :math:`r = \sigma(x\sqrt{v_r}+b_r)`,
whose sign is the stability of the zero fixed point (Corollary 3), and :math:`G(1) < 0`, so every
non-zero solution lies in :math:`(0, 1)`. Without a leak (:math:`z \equiv 0`, i.e. :math:`b_z\to-\infty`)
the same map is the exact equal-time mean-field dynamics :math:`C_h(t) = F(C_h(t-1))` of a
time-dependent state (the reset gate and the candidate see independent Gaussian fields); with a leak
it is only the fixed-point condition.

Phase diagram for :math:`b_r = v_r = 0` (section 4.4, Fig. 2 left; the labels are :data:`PHASES`):

* ``"trivial"`` (blue): :math:`a_h \le \sqrt2`, or :math:`\sqrt 2 < a_h < 2` and :math:`a_r \le a_r^*(a_h)`;
  only the (stable) zero fixed point.
* ``"three_fixed_points"`` (green): :math:`\sqrt 2 < a_h < 2` and :math:`a_r > a_r^*(a_h)`; the zero
  fixed point is stable and two non-zero solutions exist (a saddle-node, "pitchfork-like" in the
  paper, at :math:`a_r^*`).
* ``"unstable_zero"`` (orange): :math:`a_h \ge 2`; the zero fixed point is unstable (marginal at
  :math:`a_h = 2`) and for :math:`a_h > 2` there is one non-zero solution (checked at sample points).

Stability (Corollary 6): a fixed point is stable iff the spectral shaping parameter (Eq. 16)
:math:`\rho_0^2 = a_h^2\langle\phi'(y)^2\rangle\,(\langle r^2\rangle + a_r^2\langle r'^2\rangle C_h) < 1`, for
any update gate. Marginal stability (Theorem 7, Eqs. 23-25): see :func:`marginal_stability`.

The simulation check :func:`simulate_settling` runs the engine (:mod:`criticality.models`, write gate
:math:`1 - z`, engine biases ``{"z": -b_z, "r": b_r}``, gains ``{"z": 0, "r": a_r, "h": a_h}``).

Numerical choices: Gaussian integrals by :func:`criticality.quadrature.gaussian_expectation` (and
:func:`criticality.dmft.mean_tanh2`, :func:`~criticality.dmft.mean_sech4`), about 1e-14 relative.
Non-zero solutions are bracketed on a geometric grid of ``grid`` points in :math:`[C_{\min}, 1]`,
:data:`C_MIN` = 1e-12, after adding the grid's interior extrema of :math:`G` refined by a bounded Brent
search (so that two roots closer than the grid spacing are still separated), and then polished by
``brentq``. Values :math:`|G| \le` :data:`NOISE` (1e-14, the quadrature's rounding) carry no sign. Not
reported: a double root (exactly at a saddle-node), a root below :data:`C_MIN`, and a root near which
:math:`|G|` stays below :data:`NOISE` (where :math:`G(0^+) = 0`, e.g. at :math:`a_h = 2`, :math:`b_r = 0`,
:math:`G(C) = (a_r^2 - 8)C/4 + O(C^2)` is rounding for the smallest :math:`C`, and no spurious root is read there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erfc, erfinv, expit

from .. import dmft
from .._validate import (MAX_N, MAX_SCALE, as_count, as_real_array, as_rng, as_vector, broadcast,
                         scalar_or_array)
from ..quadrature import gaussian_expectation
from .gru import _bias, _gain, paper_gains, paper_network

__all__ = ["PHASES", "C_MIN", "NOISE", "NO_LEAK_BIAS", "reset_moments", "variance_map", "fixed_point_excess",
           "fixed_point_variance", "FixedPoint", "fixed_points", "spectral_shaping", "Bifurcation", "bifurcation_point",
           "bifurcation_gain", "phase", "phase_diagram", "perturbative_variance", "Marginal", "marginal_stability",
           "Settling", "simulate_settling"]

PHASES = ("trivial", "three_fixed_points", "unstable_zero")
C_MIN = 1e-12  # smallest non-zero C_h that root finding resolves
GRID = 400  # default number of grid points in [C_MIN, 1]
SQRT2 = float(np.sqrt(2.0))
NO_LEAK_BIAS = -40.0  # paper b_z with sigma(b_z) < 5e-18: the keep gate is 0 in floating point
_RTOL = 4 * np.finfo(float).eps
NOISE = 1e-14  # |G| below this is rounding: no sign is read from it


# -- arguments ------------------------------------------------------------------------------------
def _params(a_h, a_r, b_r, v_r):
    return _gain("a_h", a_h), _gain("a_r", a_r), _bias("b_r", b_r), _gain("v_r", v_r)


def _grid(grid):
    return as_count("grid", grid, minimum=8, maximum=10**6)


# -- Gaussian integrals ---------------------------------------------------------------------------
def _sigmoid2(x):
    return expit(x) ** 2


def _dsigmoid2(x):
    return (expit(x) * expit(-x)) ** 2


def _reset2(c, a_r, b_r, v_r):
    """<r^2> for an array of C_h (no checks)."""
    return np.asarray(gaussian_expectation(_sigmoid2, np.sqrt(a_r * a_r * c + v_r), b_r))


def reset_moments(c_h, a_r, *, b_r=0.0, v_r=0.0):
    r"""The reset gate's moments :math:`(\langle r^2\rangle, \langle r'^2\rangle)` at variance ``c_h``:
    :math:`r = \sigma(u)`, :math:`r' = \sigma(u)(1 - \sigma(u))`, :math:`u = x\sqrt{a_r^2 C_h + v_r} + b_r`,
    :math:`x\sim\mathcal N(0,1)`.

    ``c_h`` in ``[0, 1e6]`` (a number or an array), ``a_r`` and ``v_r`` in ``[0, 1e6]``, ``b_r`` in
    ``[-1e6, 1e6]``. Two floats, or two arrays of the shape of ``c_h``.
    """
    c = as_real_array("c_h", c_h, maximum=MAX_SCALE)
    _, a_r, b_r, v_r = _params(0.0, a_r, b_r, v_r)
    s = np.sqrt(a_r * a_r * c + v_r)
    return gaussian_expectation(_sigmoid2, s, b_r), gaussian_expectation(_dsigmoid2, s, b_r)


def _excess(c, a_h, a_r, b_r, v_r):
    """G(C) = F(C)/C - 1 for an array of C > 0 (no checks), without cancellation at small C."""
    g = a_h * np.sqrt(_reset2(c, a_r, b_r, v_r))  # effective gain: a_h^2 <r^2> C = (g sqrt C)^2
    return np.asarray(dmft._chaotic_excess(g * np.sqrt(c), g))


def variance_map(c_h, a_h, a_r, *, b_r=0.0, v_r=0.0):
    r"""The right-hand side of Eq. (10), :math:`F(C_h) = \langle\tanh^2(x\sqrt{a_h^2 C_h\langle r^2\rangle})\rangle`.

    Its fixed points are the fixed-point variances; without a leak it is also the exact equal-time
    map :math:`C_h(t-1)\mapsto C_h(t)`. ``c_h`` in ``[0, 1e6]`` (number or array); ``a_h, a_r, v_r`` in
    ``[0, 1e6]``, ``b_r`` in ``[-1e6, 1e6]``.
    """
    c = as_real_array("c_h", c_h, maximum=MAX_SCALE)
    a_h, a_r, b_r, v_r = _params(a_h, a_r, b_r, v_r)
    return dmft.mean_tanh2(a_h * a_h * c * _reset2(c, a_r, b_r, v_r))


def fixed_point_excess(c_h, a_h, a_r, *, b_r=0.0, v_r=0.0):
    r""":math:`G(C_h) = F(C_h)/C_h - 1` (computed without cancellation); non-zero fixed points are its roots.

    ``c_h`` in ``(0, 1e6]`` (number or array); other arguments as in :func:`variance_map`.
    """
    c = as_real_array("c_h", c_h, strict=True, maximum=MAX_SCALE)
    return scalar_or_array(_excess(c, *_params(a_h, a_r, b_r, v_r)))


# -- non-zero fixed points ------------------------------------------------------------------------
def _refined_extremum(G, lo, hi, sign):
    """(C, G(C)) at the maximum (sign=+1) or minimum (sign=-1) of G on [lo, hi], searched in log C."""
    res = minimize_scalar(lambda u: -sign * G(np.exp(u)), bounds=(np.log(lo), np.log(hi)), method="bounded",
                          options={"xatol": 1e-12})
    return float(np.exp(res.x)), float(-sign * res.fun)


def _scalar(G):
    return lambda c: float(G(np.array([c]))[0])


def _nonzero_roots(G, grid: int) -> np.ndarray:
    """Roots of the vectorised ``G`` in [C_MIN, 1] (see the module docstring)."""
    c = np.geomspace(C_MIN, 1.0, grid)
    v = G(c)
    g1 = _scalar(G)
    extra = []
    for i in range(1, grid - 1):  # interior extrema (not plateaus) on the wrong side of 0
        lo, hi = min(v[i - 1], v[i + 1]), max(v[i - 1], v[i + 1])
        if -NOISE > v[i] >= hi and v[i] > lo + NOISE:
            extra.append(_refined_extremum(g1, c[i - 1], c[i + 1], +1))
        elif NOISE < v[i] <= lo and v[i] < hi - NOISE:
            extra.append(_refined_extremum(g1, c[i - 1], c[i + 1], -1))
    if extra:
        c = np.concatenate([c, [e[0] for e in extra]])
        v = np.concatenate([v, [e[1] for e in extra]])
        order = np.argsort(c, kind="stable")
        c, v = c[order], v[order]
    keep = np.abs(v) > NOISE  # signs within the quadrature's rounding are not trusted
    c, v = c[keep], v[keep]
    roots = [brentq(g1, c[i], c[i + 1], xtol=1e-300, rtol=_RTOL, maxiter=200)
             for i in np.flatnonzero(v[:-1] * v[1:] < 0)]
    return np.unique(roots)


def fixed_point_variance(a_h, a_r, *, b_r=0.0, v_r=0.0, grid: int = GRID) -> np.ndarray:
    r"""Every solution :math:`C_h \ge 0` of Eq. (10), ascending; the first is always ``0.0``.

    Parameters
    ----------
    a_h, a_r : float in [0, 1e6]
        Standard deviations of :math:`\sqrt N (U_h)_{ij}` and :math:`\sqrt N (U_r)_{ij}`.
    b_r : float in [-1e6, 1e6]
        Mean reset-gate bias.
    v_r : float in [0, 1e6]
        Variance of the reset-gate biases.
    grid : int in [8, 1e6]
        Number of bracketing grid points in :math:`[C_{\min}, 1]` (see the module docstring for what
        may be missed).
    """
    a_h, a_r, b_r, v_r = _params(a_h, a_r, b_r, v_r)
    roots = _nonzero_roots(lambda c: _excess(c, a_h, a_r, b_r, v_r), _grid(grid))
    return np.concatenate([[0.0], roots])


def _rho2(c, a_h, a_r, b_r, v_r):
    r2 = _reset2(c, a_r, b_r, v_r)
    dr2 = np.asarray(gaussian_expectation(_dsigmoid2, np.sqrt(a_r * a_r * c + v_r), b_r))
    return a_h * a_h * np.asarray(dmft.mean_sech4(a_h * a_h * c * r2)) * (r2 + a_r * a_r * dr2 * c)


def spectral_shaping(c_h, a_h, a_r, *, b_r=0.0, v_r=0.0):
    r"""The spectral shaping parameter :math:`\rho_0` (Eq. 16) at a fixed point of variance ``c_h``:

    :math:`\rho_0^2 = a_h^2 \langle\phi'(y)^2\rangle\,\big(\langle r^2\rangle + a_r^2\langle r'^2\rangle C_h\big)`,
    :math:`y \sim \mathcal N(0, a_h^2 C_h\langle r^2\rangle)` (at a fixed point :math:`h = \phi(y)`, so the
    :math:`a_z` term of Eq. 15 vanishes). At ``c_h = 0`` it is Corollary 3's radius
    :math:`a_h\sqrt{\langle\sigma^2(x\sqrt{v_r}+b_r)\rangle}`. Arguments as in :func:`variance_map`.
    """
    c = as_real_array("c_h", c_h, maximum=MAX_SCALE)
    return scalar_or_array(np.sqrt(_rho2(c, *_params(a_h, a_r, b_r, v_r))))


class FixedPoint(NamedTuple):
    """One mean-field fixed point: its variance, :math:`\\rho_0` (Eq. 16) and Corollary 6's verdict."""

    c_h: float
    rho: float
    stable: bool


def fixed_points(a_h, a_r, *, b_r=0.0, v_r=0.0, grid: int = GRID) -> tuple:
    r"""Every fixed point of Eq. (10) with its stability (Corollary 6: stable iff :math:`\rho_0 < 1`).

    A tuple of :class:`FixedPoint`, ascending in ``c_h``, the zero fixed point first. The verdict
    holds for any update gate (:math:`a_z`, :math:`b_z`) as long as :math:`a_z` is finite; it assumes
    :math:`N\to\infty`, the mean-field (local chaos) independence of state and couplings, and a
    fixed point whose unit statistics are those of Eq. (10). Arguments as in :func:`fixed_point_variance`.
    """
    c = fixed_point_variance(a_h, a_r, b_r=b_r, v_r=v_r, grid=grid)
    rho = np.sqrt(_rho2(c, *_params(a_h, a_r, b_r, v_r)))
    return tuple(FixedPoint(float(ci), float(ri), bool(ri < 1.0)) for ci, ri in zip(c, rho))


# -- phase diagram --------------------------------------------------------------------------------
def _max_excess(a_h, a_r, grid=200):
    """(max_C G(C), argmax) for b_r = v_r = 0."""
    G = lambda c: _excess(c, a_h, a_r, 0.0, 0.0)  # noqa: E731
    c = np.geomspace(C_MIN, 1.0, grid)
    v = G(c)
    i = int(np.argmax(v))
    if i in (0, grid - 1):
        return float(v[i]), float(c[i])
    cm, vm = _refined_extremum(_scalar(G), c[i - 1], c[i + 1], +1)
    return vm, cm


class Bifurcation(NamedTuple):
    """The saddle-node of Eq. (10): reset gain :math:`a_r^*` and the variance :math:`C_h^*` where the two
    non-zero solutions are born."""

    a_r: float
    c_h: float


def _check_bifurcation_a_h(a_h):
    a_h = _gain("a_h", a_h)
    if not SQRT2 < a_h < 2.0:
        raise ValueError(f"a_h must be > sqrt(2) and < 2 (the reset gate creates fixed points only there), got {a_h!r}")
    return a_h


def bifurcation_point(a_h) -> Bifurcation:
    r"""The bifurcation curve of Fig. 2 (left) at ``a_h`` in :math:`(\sqrt2, 2)`, with :math:`b_r = v_r = 0`.

    :math:`a_r^*` solves :math:`\max_{C} G(C; a_r) = 0`, i.e. Eq. (10) and its derivative in
    :math:`C_h` both hold (a saddle-node); :math:`G` increases with :math:`a_r` (so does
    :math:`\langle r^2\rangle`), so there are two non-zero solutions for :math:`a_r > a_r^*` and none below.
    :math:`a_r^*\to\sqrt 8` as :math:`a_h\to 2^-` (Eq. 22) and :math:`a_r^*\to\infty` as :math:`a_h\to\sqrt2^+`
    (line 570), like :math:`3^{3/2}/(2^{1/4}\sqrt{2\pi})\,\epsilon^{-3/2}` for :math:`a_h = \sqrt 2 + \epsilon`
    (our large-:math:`a_r` expansion, :math:`\langle r^2\rangle \approx 1/2 - 1/(\sqrt{2\pi}a_r\sqrt{C_h})`).
    Where :math:`a_r^* > 10^6` (:math:`\epsilon \lesssim 1.4\times10^{-4}`) returns ``(inf, nan)``.
    """
    a_h = _check_bifurcation_a_h(a_h)
    lo, hi = 0.0, 4.0
    while _max_excess(a_h, hi)[0] <= 0.0:
        lo, hi = hi, 4.0 * hi
        if lo >= MAX_SCALE:
            return Bifurcation(float("inf"), float("nan"))
        hi = min(hi, MAX_SCALE)
    a_r = brentq(lambda x: _max_excess(a_h, x)[0], lo, hi, xtol=1e-13, rtol=_RTOL, maxiter=200)
    return Bifurcation(float(a_r), _max_excess(a_h, a_r)[1])


def bifurcation_gain(a_h) -> float:
    r""":math:`a_r^*(a_h)` for ``a_h`` in :math:`(\sqrt2, 2)`: see :func:`bifurcation_point`."""
    return bifurcation_point(a_h).a_r


def _phase_code(a_h, a_r, a_r_star):
    if a_h >= 2.0:
        return 2
    if a_h <= SQRT2:
        return 0
    return 1 if a_r > a_r_star else 0


def phase(a_h, a_r) -> str:
    r"""The region of Fig. 2 (left) at :math:`(a_h, a_r)`, :math:`b_r = v_r = 0`: a label of :data:`PHASES`.

    ``"trivial"`` for :math:`a_h\le\sqrt2` or :math:`a_r \le a_r^*(a_h)`, ``"three_fixed_points"`` for
    :math:`\sqrt2 < a_h < 2` and :math:`a_r > a_r^*(a_h)`, ``"unstable_zero"`` for :math:`a_h \ge 2`.
    ``a_h, a_r`` in ``[0, 1e6]``.
    """
    a_h, a_r = _gain("a_h", a_h), _gain("a_r", a_r)
    star = bifurcation_gain(a_h) if SQRT2 < a_h < 2.0 else np.nan
    return PHASES[_phase_code(a_h, a_r, star)]


def phase_diagram(a_h, a_r, executor=None) -> np.ndarray:
    """:func:`phase` on the grid ``a_r x a_h``: integer codes (indices into :data:`PHASES`) of shape
    ``(len(a_r), len(a_h))``; :math:`a_r^*` is computed once per ``a_h``, on ``executor`` if given (a
    ``concurrent.futures.Executor``: one root search per task). Gains in ``[0, 1e6]``."""
    a_h, a_r = as_vector("a_h", a_h), as_vector("a_r", a_r)
    if executor is not None and not callable(getattr(executor, "map", None)):
        raise TypeError(f"executor must be None or a concurrent.futures.Executor, got {type(executor).__name__}")
    inside = [float(ah) for ah in a_h if SQRT2 < ah < 2.0]
    stars = dict(zip(inside, (map if executor is None else executor.map)(bifurcation_gain, inside)))
    out = np.empty((a_r.size, a_h.size), dtype=int)
    for j, ah in enumerate(a_h):
        star = stars.get(float(ah), np.nan)
        out[:, j] = [_phase_code(ah, ar, star) for ar in a_r]
    return out



def _f113(a_r):
    """f(a_r) of Eq. (113)."""
    x = a_r * a_r
    return 4.0 * (31552 - 11424 * x + 744 * x**2 + 72 * x**3 + 9 * x**4) / (3 * x**2 + 24 * x - 136) ** 2


def perturbative_variance(a_h, a_r) -> tuple:
    r"""The non-zero solutions of Eq. (10) near :math:`a_h = 2` by perturbation theory, :math:`b_r = v_r = 0`
    (Eqs. 21-22, Appendix E, Eq. 113), with :math:`\epsilon = a_h - 2`. A tuple of floats, ascending:

    * :math:`\epsilon > 0`, :math:`a_r^2 < 8`: :math:`4\epsilon/(8 - a_r^2)`;
    * :math:`\epsilon > 0`, :math:`a_r^2 = 8`: :math:`\sqrt{3\epsilon/31}` -- *not* the paper's
      :math:`\sqrt\epsilon/4`: Eq. (112) at :math:`a_h = 2`, :math:`a_r^2 = 8` reads
      :math:`0 = \epsilon - (31/3)C_h^2` (see the tests, which check it against the full equation);
    * :math:`a_r^2 > 8`: :math:`6(a_r^2-8)/(3a_r^4+24a_r^2-136) + f(a_r)\epsilon/(a_r^2-8)` (any sign of
      :math:`\epsilon`), and for :math:`\epsilon < 0` also :math:`4|\epsilon|/(a_r^2 - 8)`;
    * otherwise none; non-positive values (far from :math:`a_h = 2`) are left out.

    The paper's threshold :math:`a_r = \sqrt{2a_h}` (text as extracted, line 550) is read as
    :math:`a_r^2 = 8 = 2a_h^2` at leading order. Only the :math:`O(\epsilon)` branches are controlled as
    :math:`\epsilon\to0` for fixed :math:`a_r`; the :math:`O(1)` branch truncates Eq. (111) at
    :math:`C_h^2` and is accurate only where it is small (:math:`a_r^2` near 8). ``a_h`` in ``[0, 1e6]``,
    ``a_r`` in ``[0, 1e6]``.
    """
    a_h, a_r = _gain("a_h", a_h), _gain("a_r", a_r)
    eps, x = a_h - 2.0, a_r * a_r
    out = []
    if abs(x - 8.0) <= 1e-12:  # a_r = sqrt(8) to rounding
        if eps > 0:
            out.append(np.sqrt(3.0 * eps / 31.0))
    elif x < 8.0:
        if eps > 0:
            out.append(4.0 * eps / (8.0 - x))
    else:
        if eps < 0:
            out.append(-4.0 * eps / (x - 8.0))
        out.append(6.0 * (x - 8.0) / (3 * x * x + 24 * x - 136) + _f113(a_r) * eps / (x - 8.0))
    return tuple(sorted(float(c) for c in out if c > 0))


# -- marginal stability -----------------------------------------------------------------------------
class Marginal(NamedTuple):
    """Theorem 7 / Eq. (25) at one fixed point (arrays for array input): the closed fraction ``alpha``,
    the bound ``rho_max`` = :math:`\\alpha^{-1/2}`, the exponent ``c`` of Eq. (24) (NaN where it has no
    positive solution) and ``marginal`` = :math:`1 < \\rho_0 < \\alpha^{-1/2}`."""

    alpha: object
    rho_max: object
    c: object
    marginal: object


def marginal_stability(rho0, c_h, *, beta=0.0) -> Marginal:
    r"""Emergence of marginal stability for a large update gain (Theorem 7, Eqs. 23-25, Appendix C.1).

    For :math:`a_z\to\infty` with :math:`b_z = a_z\beta` the fixed-point Jacobian's spectral radius obeys
    :math:`\rho(J_0) - 1 = \Theta(e^{-c\sqrt{C_h}a_z})` where :math:`c > 0` solves
    :math:`\mathrm{erf}((c - \beta/\sqrt{C_h})/\sqrt2) = 2/\rho_0^2 - 1` (Eq. 24), i.e.
    :math:`c = \beta/\sqrt{C_h} + \sqrt2\,\mathrm{erf}^{-1}(2/\rho_0^2 - 1)`. A positive solution exists iff
    :math:`1 < \rho_0^2 < 1/\alpha`, :math:`\alpha = \tfrac12\mathrm{erfc}(\beta/\sqrt{2C_h})` (Eq. 25; the fraction
    of update gates that are closed, :math:`z = 0`, as :math:`a_z\to\infty`; :math:`\alpha = 1/2` and the bound
    :math:`\rho_0 < \sqrt2` for :math:`\beta = 0`). For :math:`\rho_0 \le 1` the fixed point is already stable
    (Corollary 6) and ``c`` is NaN.

    Assumptions (as in the paper): a fixed point of variance :math:`C_h > 0` with :math:`\rho_0` from
    Eq. (16) (:func:`spectral_shaping`), :math:`C_h` and :math:`\beta` held fixed as :math:`a_z\to\infty`
    (fixed points do not depend on the update gate), :math:`N\to\infty`, and the leading-edge ansatz
    :math:`\lambda = 1 + \lambda_0 e^{-c\sqrt{C_h}a_z}` of Appendix C.1 (Eqs. 94-97). ``beta`` is in the
    paper's convention (the engine's write-gate bias is :math:`-a_z\beta`).

    ``rho0`` in ``(0, 1e6]``, ``c_h`` in ``(0, 1]``, ``beta`` in ``[-1e6, 1e6]``, broadcast together.
    """
    rho0 = as_real_array("rho0", rho0, strict=True, maximum=MAX_SCALE)
    c_h = as_real_array("c_h", c_h, strict=True, maximum=1.0)
    beta = as_real_array("beta", beta, minimum=-MAX_SCALE, maximum=MAX_SCALE)
    rho0, c_h, beta = broadcast(rho0=rho0, c_h=c_h, beta=beta)
    bt = beta / np.sqrt(c_h)
    alpha = 0.5 * erfc(bt / SQRT2)
    with np.errstate(divide="ignore"):
        rho_max = np.where(alpha > 0, 1.0 / np.sqrt(np.maximum(alpha, 1e-300)), np.inf)
    arg = 2.0 / rho0**2 - 1.0
    ok = (rho0 > 1.0) & (arg > -1.0)
    c = np.full(rho0.shape, np.nan)
    c[ok] = bt[ok] + SQRT2 * erfinv(arg[ok])
    c = np.where(c > 0, c, np.nan)
    marginal = np.isfinite(c)
    return Marginal(*(scalar_or_array(np.asarray(v, float)) for v in (alpha, rho_max, c)),
                    bool(marginal) if marginal.ndim == 0 else marginal)


# -- simulation -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settling:
    """Where simulated networks settle, one entry per initial state (arrays of length ``len(init_scales)``).

    ``c_h``: mean over units of :math:`h^2`, averaged over the last ``window`` steps; ``c_h_final``: the
    same at the last step; ``drift``: :math:`\\sqrt{\\overline{(h_t - h_{t-1})^2}}/\\sqrt{\\overline{h_t^2}}`
    (overline: mean over units), averaged over the window; ``kind``: ``"zero"`` (``c_h_final`` < 1e-12),
    ``"fixed"`` (``drift`` < 1e-6) or ``"time-dependent"``.
    """

    c_h: np.ndarray
    c_h_final: np.ndarray
    drift: np.ndarray
    kind: tuple
    init_scales: np.ndarray
    b_z: float


def simulate_settling(n: int, a_h, a_r, *, b_r=0.0, b_z=0.0, seed=None, steps: int = 2000, window: int = 200,
                      init_scales=(0.1, 1.0)) -> Settling:
    r"""Simulate one engine GRU with :math:`a_z = 0` from several random initial states; see :class:`Settling`.

    With :math:`a_z = 0` the keep gate is the constant :math:`\sigma(b_z)` (paper convention; the engine's
    write-gate bias is :math:`-b_z`): ``b_z = 0`` (the default) gives :math:`z = 1/2`. The update gate does not
    move fixed points, but it does change a time-dependent state; only without a leak,
    ``b_z = NO_LEAK_BIAS`` (-40: :math:`z = 0` in floating point, :math:`h_t = \tanh(y_t)`), is the
    equal-time variance of a time-dependent state given by iterating :func:`variance_map`.

    All initial states share one network (drawn from ``seed``); column ``k`` starts from
    :math:`h_0\sim\mathcal N(0, s_k^2)^N`, :math:`s_k` = ``init_scales[k]`` (each in ``(0, 10]``).
    ``n`` in ``[1, MAX_N]``, ``steps >= window >= 1``, gains in ``[0, 1e6]``, biases in ``[-1e6, 1e6]``.
    """
    n = as_count("n", n, maximum=MAX_N)
    a_h, a_r, b_r, _ = _params(a_h, a_r, b_r, 0.0)
    b_z = _bias("b_z", b_z)
    steps = as_count("steps", steps)
    window = as_count("window", window, maximum=steps)
    scales = as_vector("init_scales", init_scales, strict=True, maximum=10.0)
    rng = as_rng(seed)
    net = paper_network(n, b_z=b_z, b_r=b_r, seed=rng)
    g = net.gains(paper_gains(0.0, a_r, a_h))
    h = rng.standard_normal((n, scales.size)) * scales
    c_sum = np.zeros(scales.size)
    drift_sum = np.zeros(scales.size)
    for t in range(steps):
        new = net.step(h, g)
        if t >= steps - window:
            c = np.mean(new**2, axis=0)
            c_sum += c
            with np.errstate(invalid="ignore", divide="ignore"):
                d = np.sqrt(np.mean((new - h) ** 2, axis=0) / c)
            drift_sum += np.where(c > 0, d, 0.0)
        h = new
    c_final = np.mean(h**2, axis=0)
    drift = drift_sum / window
    kind = tuple("zero" if cf < 1e-12 else "fixed" if d < 1e-6 else "time-dependent"
                 for cf, d in zip(c_final, drift))
    return Settling(c_sum / window, c_final, drift, kind, scales, b_z)
