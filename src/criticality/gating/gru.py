r"""Random-matrix theory of the GRU Jacobian (Can, Krishnamurthy and Schwab 2020, sections 3 and 4.1-4.3).

Every function here takes the *paper's* convention (:cite:`can2020gating`, Eqs. 2-5, no input):

.. math::

    z_t = \sigma(U_z h_{t-1} + b_z),\quad r_t = \sigma(U_r h_{t-1} + b_r),\quad
    y_t = U_h (r_t\circ h_{t-1}),\quad h_t = z_t\circ h_{t-1} + (1 - z_t)\circ\phi(y_t),

with :math:`z` the *keep* (update) gate, :math:`\phi = \tanh`, :math:`(U_k)_{ij}\sim\mathcal N(0, a_k^2/N)`,
scalar gate biases :math:`b_z, b_r` and :math:`b_h = 0`. The state-to-state Jacobian is (Eq. 11)

.. math::

    J_t = \hat z_t + (1 - \hat z_t)\hat\phi'(y_t)\,U_h\big(\hat r_t + \hat h_{t-1}\hat r'_t U_r\big)
          + \big(\hat h_{t-1} - \hat\phi(y_t)\big)\hat z'_t U_z .

The simulation engine :mod:`criticality.models` writes the GRU in the *write-rate* convention
(:math:`h' = (1 - z)h + z\tanh(\cdot)`) with unit-variance couplings and per-matrix gains, so the
paper's network with :math:`(a_z, a_r, a_h, b_z, b_r)` is ``paper_network(n, b_z=b_z, b_r=b_r)`` (the
engine's gate bias is :math:`-b_z`) stepped with ``paper_gains(a_z, a_r, a_h)``. The engine's keep gate
is then :math:`\sigma(-a_z U^{\rm engine}_z h + b_z)`: the paper's :math:`U_z` is
:math:`-a_z U^{\rm engine}_z`, which has the same distribution.

Contents

* :func:`zero_fixed_point_disk`, :func:`zero_fixed_point_stable`: Proposition 2 and Corollary 3.
* :func:`steady_state`: one simulated network's state variables at a few steady-state times and the
  exact Jacobian :math:`J_t` at the last of them.
* :func:`spectral_function`, :func:`spectral_curve`, :func:`rho_t`: Theorem 1 (Eqs. 15-16), with every
  expectation the average over units of the simulated samples (the paper's "expectation over
  neurons", line 162).
* :func:`spectral_radius_az0`, :func:`rho_t_asymptotic`: Corollary 4 and Proposition 5 (its
  :math:`\Theta(\sqrt{a_r})` growth, Eq. 107).
* :func:`fraction_near_one`, :func:`scaling_function`, :func:`scaling_constants`,
  :func:`fit_scaling_function`: the accumulation of eigenvalues at 1 (Fig. 1 f, Appendix C, Eqs. 92-93).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np
from scipy.optimize import curve_fit
from scipy.special import erfc, expit

from .. import models
from ..spectra import eigenvalues as _eigenvalues, fraction_inside
from .._validate import (MAX_DENSE_N, MAX_SCALE, as_count, as_finite_array, as_real_array, as_rng, as_scale,
                         as_vector, broadcast, scalar_or_array)

__all__ = ["paper_network", "paper_gains", "zero_fixed_point_disk", "zero_fixed_point_stable", "SteadyState",
           "steady_state", "rho_t", "spectral_function", "spectral_curve", "spectral_radius_az0",
           "rho_t_asymptotic",
           "fraction_near_one", "scaling_function", "scaling_constants", "fit_scaling_function"]

SAMPLE_KEYS = ("h_prev", "z", "dz", "r", "dr", "y", "phi", "dphi")


def _bias(name: str, value) -> float:
    return as_scale(name, value, minimum=-MAX_SCALE)


def _gain(name: str, value) -> float:
    return as_scale(name, value)


# -- the paper's GRU on the engine ------------------------------------------------------------------
def paper_network(n: int, *, b_z: float = 0.0, b_r: float = 0.0, seed=None) -> models.Network:
    """The engine's GRU that is the paper's GRU with scalar biases ``b_z`` (keep gate), ``b_r`` (reset).

    ``n`` in ``[1, MAX_N]``; ``b_z, b_r`` finite in ``[-1e6, 1e6]``. Step it with
    :func:`paper_gains`. The engine's write gate is ``1 - z`` of the paper, hence its bias ``-b_z``.
    """
    b_z, b_r = _bias("b_z", b_z), _bias("b_r", b_r)
    return models.make_network("gru", n, biases={"z": -b_z, "r": b_r}, seed=seed)


def paper_gains(a_z: float, a_r: float, a_h: float) -> dict:
    """The engine's gains ``{"z": a_z, "r": a_r, "h": a_h}`` for the paper's standard deviations
    :math:`a_k` of :math:`\\sqrt N (U_k)_{ij}`, each finite in ``[0, 1e6]``."""
    return {"z": _gain("a_z", a_z), "r": _gain("a_r", a_r), "h": _gain("a_h", a_h)}


def _paper_parameters(net: models.Network, g: dict) -> tuple:
    """The paper's ``(U_z, U_r, U_h, b_z, b_r)`` of an engine GRU run with gains ``g`` (scalars)."""
    if net.arch != "gru" or not net.gates_recurrent or net.W:
        raise ValueError("net must be a GRU with recurrent gates and no inputs (see paper_network)")
    return (-g["z"] * net.U["z"], g["r"] * net.U["r"], g["h"] * net.U["h"],
            -np.asarray(net.biases["z"]), np.asarray(net.biases["r"]))


def _state_variables(params: tuple, h_prev: np.ndarray) -> dict:
    """Eqs. (2)-(4) at ``h_prev``: the arrays named in ``SAMPLE_KEYS``."""
    U_z, U_r, U_h, b_z, b_r = params
    z, r = expit(U_z @ h_prev + b_z), expit(U_r @ h_prev + b_r)
    y = U_h @ (r * h_prev)
    phi = np.tanh(y)
    return {"h_prev": h_prev, "z": z, "dz": z * (1.0 - z), "r": r, "dr": r * (1.0 - r), "y": y, "phi": phi,
            "dphi": 1.0 - phi**2}


# -- Proposition 2 and Corollary 3 ------------------------------------------------------------------
def zero_fixed_point_disk(a_h, b_z=0.0, b_r=0.0):
    r"""Proposition 2: at :math:`h = 0` the Jacobian's eigenvalues are uniform on the disk
    :math:`|\lambda - \sigma(b_z)| \le (1 - \sigma(b_z))\,\sigma(b_r)\,a_h`.

    Returns ``(centre, radius)`` (floats, or arrays for array arguments, broadcast together);
    ``a_h`` in ``[0, 1e6]``, ``b_z, b_r`` in ``[-1e6, 1e6]``.
    """
    a_h = as_real_array("a_h", a_h, maximum=MAX_SCALE)
    b_z = as_real_array("b_z", b_z, minimum=-MAX_SCALE, maximum=MAX_SCALE)
    b_r = as_real_array("b_r", b_r, minimum=-MAX_SCALE, maximum=MAX_SCALE)
    a_h, b_z, b_r = broadcast(a_h=a_h, b_z=b_z, b_r=b_r)
    z, r = expit(b_z), expit(b_r)
    return scalar_or_array(z), scalar_or_array((1.0 - z) * r * a_h)


def zero_fixed_point_stable(a_h, b_z=0.0, b_r=0.0):
    r"""Corollary 3: the zero fixed point is stable iff :math:`\sigma(b_z) + (1 - \sigma(b_z))\sigma(b_r)a_h < 1`.

    A bool, or a bool array for array arguments (ranges as in :func:`zero_fixed_point_disk`).
    """
    centre, radius = zero_fixed_point_disk(a_h, b_z, b_r)
    stable = np.asarray(centre) + np.asarray(radius) < 1.0
    return bool(stable) if stable.ndim == 0 else stable


# -- steady state ---------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SteadyState:
    """State variables of one paper-convention GRU at steady-state times ``t`` (arrays of shape (T, N)).

    Row ``k`` holds, at time ``t[k]``: ``h_prev`` = :math:`h_{t-1}`, ``z``, ``dz`` = :math:`z_t, z'_t`,
    ``r``, ``dr`` = :math:`r_t, r'_t`, ``y`` = :math:`y_t`, ``phi``, ``dphi`` = :math:`\\phi(y_t),
    \\phi'(y_t)`. ``jacobian`` is the engine's exact :math:`J_t` (Eq. 11) at the last time ``t[-1]``.
    """

    h_prev: np.ndarray
    z: np.ndarray
    dz: np.ndarray
    r: np.ndarray
    dr: np.ndarray
    y: np.ndarray
    phi: np.ndarray
    dphi: np.ndarray
    t: np.ndarray
    jacobian: np.ndarray
    a_z: float
    a_r: float
    a_h: float
    b_z: float
    b_r: float

    @cached_property
    def eigenvalues(self) -> np.ndarray:
        """Eigenvalues of ``jacobian`` (computed once)."""
        return _eigenvalues(self.jacobian)

    @cached_property
    def spectral_radius(self) -> float:
        """Largest eigenvalue modulus of ``jacobian``."""
        return float(np.abs(self.eigenvalues).max())


def steady_state(n: int, a_z: float, a_r: float, a_h: float, *, b_z: float = 0.0, b_r: float = 0.0,
                 steps: int = 300, transient: int = 200, times: int = 4, seed=None) -> SteadyState:
    """Simulate one paper-convention GRU from :math:`h_0\\sim\\mathcal N(0, 1)^N` with the engine.

    The network runs ``transient`` steps, then ``steps`` more; the state variables are recorded at
    ``times`` steps spread evenly over the second window, the last at its final step, where the engine's
    exact Jacobian (``net.jacobian``) is also taken. The gates, ``y`` and ``phi`` are computed from the
    network's own matrices, so they are the engine's quantities (``z h_prev + (1 - z) phi`` is the
    engine's next state to rounding).

    ``n`` in ``[1, MAX_DENSE_N]`` (a dense Jacobian is built), gains in ``[0, 1e6]``, biases in
    ``[-1e6, 1e6]``, ``transient >= 0``, ``steps >= 1``, ``times`` in ``[1, steps]``.
    """
    n = as_count("n", n, maximum=MAX_DENSE_N)
    gains = paper_gains(a_z, a_r, a_h)
    b_z, b_r = _bias("b_z", b_z), _bias("b_r", b_r)
    steps = as_count("steps", steps)
    transient = as_count("transient", transient, minimum=0)
    times = as_count("times", times, maximum=steps)
    rng = as_rng(seed)
    net = paper_network(n, b_z=b_z, b_r=b_r, seed=rng)
    params = _paper_parameters(net, gains)
    g = net.gains(gains)
    total = transient + steps
    record = set((total - np.round(np.arange(times)[::-1] * steps / times)).astype(int).tolist())
    h = rng.standard_normal((n, 1))
    rows, when = [], []
    for t in range(1, total + 1):
        if t in record:
            rows.append(_state_variables(params, h[:, 0]))
            when.append(t)
        if t == total:
            jac = net.jacobian(h, g)
        h = net.step(h, g)
    data = {k: np.array([row[k] for row in rows]) for k in SAMPLE_KEYS}
    return SteadyState(**data, t=np.array(when), jacobian=jac, a_z=gains["z"], a_r=gains["r"], a_h=gains["h"],
                       b_z=b_z, b_r=b_r)


# -- Theorem 1 ------------------------------------------------------------------------------------
def _samples(samples, time, need=SAMPLE_KEYS) -> dict:
    """The arrays ``need`` of ``samples`` (a SteadyState or a mapping of (N,) or (T, N) arrays) at row
    ``time`` (an index; None pools all rows), each flattened to 1-d."""
    if isinstance(samples, SteadyState):
        samples = {f.name: getattr(samples, f.name) for f in fields(samples)}
    if not isinstance(samples, Mapping):
        raise TypeError(f"samples must be a SteadyState or a mapping with the keys {need}, "
                        f"got {type(samples).__name__}")
    missing = [k for k in need if k not in samples]
    if missing:
        raise ValueError(f"samples lacks the keys {missing} (needs {need})")
    arrays = {k: np.atleast_2d(as_real_array(f"samples[{k!r}]", samples[k], minimum=None)) for k in need}
    shapes = {a.shape for a in arrays.values()}
    shape = next(iter(shapes))
    if len(shapes) != 1 or len(shape) != 2 or 0 in shape:
        raise ValueError(f"samples arrays must share one shape (N,) or (T, N), N >= 1, got "
                         f"{ {k: np.shape(samples[k]) for k in need} }")
    rows = shape[0]
    if time is None:
        return {k: a.ravel() for k, a in arrays.items()}
    if isinstance(time, bool) or not isinstance(time, (int, np.integer)) or not -rows <= time < rows:
        raise ValueError(f"time must be None or an integer index in [-{rows}, {rows - 1}], got {time!r}")
    return {k: a[time] for k, a in arrays.items()}


def _rho2(x: dict, a_r: float, a_h: float, asymptotic: bool = False) -> float:
    """Eq. (16), a_h^2 C_phi' (C_r + a_r^2 C_r' C_h), or with C_r' from Eq. (107) if ``asymptotic``."""
    c_h = np.mean(x["h_prev"]**2)
    reset = a_r * np.sqrt(c_h) / (6.0 * np.sqrt(2.0 * np.pi)) if asymptotic else a_r**2 * np.mean(x["dr"]**2) * c_h
    return a_h**2 * np.mean(x["dphi"]**2) * (np.mean(x["r"]**2) + reset)


def rho_t(samples, a_r: float, a_h: float, *, time=-1) -> float:
    r"""The spectral shaping parameter :math:`\rho_t` of Eq. (16),

    .. math:: \rho_t^2 = a_h^2 C_{\phi'}(t,t)\,\big[C_r(t,t) + a_r^2 C_{r'}(t,t) C_h(t-1,t-1)\big],

    with :math:`C_x(t,t)` the mean of :math:`x^2` over units. ``samples``: a :class:`SteadyState` or a
    mapping with the keys ``h_prev, r, dr, dphi`` (arrays of shape (N,) or (T, N)); ``time`` the row
    (default the last, where :attr:`SteadyState.jacobian` is taken) or None to pool every row; ``a_r,
    a_h`` in ``[0, 1e6]``.
    """
    a_r, a_h = _gain("a_r", a_r), _gain("a_h", a_h)
    return float(np.sqrt(_rho2(_samples(samples, time, ("h_prev", "r", "dr", "dphi")), a_r, a_h)))


def _weights(samples, a_z, a_r, a_h, time, factorized):
    """``(z, w)`` with ``S(lambda) = mean(w / |lambda - z|^2) - 1``."""
    a_z, a_r, a_h = _gain("a_z", a_z), _gain("a_r", a_r), _gain("a_h", a_h)
    x = _samples(samples, time, tuple(k for k in SAMPLE_KEYS if k != "y"))
    update = a_z**2 * x["dz"]**2 * (x["h_prev"] - x["phi"])**2
    if factorized:  # Eqs. (15)-(16)
        w = _rho2(x, a_r, a_h) * (1.0 - x["z"])**2 + update
    else:  # Eqs. (65)-(66), before the mean-field factorisation
        w = a_h**2 * x["dphi"]**2 * (1.0 - x["z"])**2 * (a_r**2 * np.mean(x["h_prev"]**2 * x["dr"]**2) + x["r"]**2)
        w = w + update
    return x["z"], w


def _support_sum(lam: np.ndarray, z: np.ndarray, w: np.ndarray, chunk: int = 1 << 21) -> np.ndarray:
    """``mean_i w_i / |lam - z_i|^2`` for a 1-d complex ``lam`` (``inf`` where ``lam`` hits some ``z_i``)."""
    out = np.empty(lam.size)
    rows = max(1, chunk // z.size)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for s in range(0, lam.size, rows):
            part = lam[s:s + rows]
            d = (part.real[:, None] - z) ** 2 + part.imag[:, None] ** 2
            out[s:s + rows] = np.mean(w / d, axis=1)
    return np.where(np.isnan(out), np.inf, out)


def spectral_function(lam, samples, a_z: float, a_r: float, a_h: float, *, time=-1, factorized: bool = True):
    r"""Theorem 1's support function (Eq. 15),

    .. math:: S(\lambda) = \rho_t^2\, E\Big[\frac{(1 - z_t)^2}{|\lambda - z_t|^2}\Big]
              + a_z^2\, E\Big[\frac{z_t'^2 (h_{t-1} - \phi(y_t))^2}{|\lambda - z_t|^2}\Big] - 1,

    the spectrum of :math:`J_t` filling :math:`\{S \ge 0\}` as :math:`N\to\infty`. Every :math:`E` and
    :math:`C_x` is the mean over units of ``samples`` (a :class:`SteadyState`, or a mapping with the keys
    ``h_prev, z, dz, r, dr, y, phi, dphi``) at row ``time`` (default: the last, the Jacobian's time; None
    pools every row). ``factorized=False`` uses Eqs. (65)-(66) instead, the form before the paper's
    mean-field factorisation: :math:`a_h^2 E[\phi'^2 (1-z)^2 (r^2 + a_r^2 E[h^2 r'^2])/|\lambda-z|^2]` in
    place of the first term. ``lam``: a finite real or complex array of any shape; ``+inf`` is returned
    where ``lam`` equals some :math:`z_i`. Gains in ``[0, 1e6]``.
    """
    lam = np.asarray(as_finite_array("lam", lam), dtype=complex)
    z, w = _weights(samples, a_z, a_r, a_h, time, factorized)
    s = _support_sum(lam.ravel(), z, w).reshape(lam.shape) - 1.0
    return scalar_or_array(s)


def spectral_curve(samples, a_z: float, a_r: float, a_h: float, *, grid: int = 301, time=-1,
                   factorized: bool = True) -> list:
    r"""The spectral curve :math:`\{S(\lambda) = 0\}` of Theorem 1, as a list of complex arrays (one per
    connected piece; empty if the support is only the point masses at the :math:`z_i`).

    Method: :math:`\log(S + 1)` is evaluated on a ``grid x grid`` lattice (on the upper half plane,
    mirrored: :math:`S(\bar\lambda) = S(\lambda)`) and contoured at 0 by ``contourpy``, with linear
    interpolation between lattice points. The lattice covers the whole support: writing
    :math:`S + 1 = E[w/|\lambda - z|^2]`, every :math:`\lambda` with :math:`S \ge 0` lies within
    :math:`\sqrt{E[w]}` of some :math:`z_i`. Its spacing is about ``2 (1 + sqrt(E[w])) / grid``, so pieces
    of the support thinner than that (a strongly pinched curve near 1 at large :math:`a_z`) may be missed.
    Other arguments as in :func:`spectral_function`; ``grid`` in ``[16, 4000]``.
    """
    import contourpy

    grid = as_count("grid", grid, minimum=16, maximum=4000)
    z, w = _weights(samples, a_z, a_r, a_h, time, factorized)
    reach = np.sqrt(np.mean(w))
    if reach == 0.0:
        return []
    pad = 1.05 * reach
    x = np.linspace(z.min() - pad, z.max() + pad, grid)
    y = np.linspace(-pad, pad, grid)
    upper = np.arange(grid // 2, grid)  # rows with y >= 0; row j mirrors row grid - 1 - j
    lam = (x[None, :] + 1j * y[upper, None]).ravel()
    with np.errstate(divide="ignore"):
        half = np.log(_support_sum(lam, z, w)).reshape(upper.size, grid)
    f = np.empty((grid, grid))
    f[upper] = half
    f[grid - 1 - upper] = half
    f = np.clip(f, -700.0, 700.0)  # finite for contourpy (+inf where a lattice point hits some z_i)
    lines = contourpy.contour_generator(x, y, f, line_type="Separate").lines(0.0)
    return [pts[:, 0] + 1j * pts[:, 1] for pts in lines]


# -- Corollary 4 / Proposition 5 -------------------------------------------------------------------
def spectral_radius_az0(samples, a_r: float, a_h: float, b_z: float, *, time=-1) -> float:
    r"""Corollary 4: for :math:`a_z = 0` the spectral radius of :math:`J_t` is
    :math:`\sigma(b_z) + (1 - \sigma(b_z))\rho_t` (Eq. 20), :math:`\rho_t` from :func:`rho_t` (same
    ``samples`` and ``time``). By Proposition 5 it grows as :math:`\Theta(\sqrt{a_r})`: for large
    :math:`a_r`, :math:`C_{r'} \approx 1/(6\sqrt{2\pi C_h}\,a_r)` so :math:`\rho_t^2` grows linearly in
    :math:`a_r`. ``b_z`` in ``[-1e6, 1e6]``.
    """
    z = float(expit(_bias("b_z", b_z)))
    return z + (1.0 - z) * rho_t(samples, a_r, a_h, time=time)


def rho_t_asymptotic(samples, a_r: float, a_h: float, *, time=-1) -> float:
    r"""Proposition 5's large-:math:`a_r` form of :math:`\rho_t`: Eq. (16) with :math:`C_{r'}` replaced by
    its expansion :math:`1/(6 a_r\sqrt{2\pi C_h})` (Eq. 107, derived for :math:`b_r = 0`),

    .. math:: \rho_t^2 \approx a_h^2 C_{\phi'}\big(C_r + a_r\sqrt{C_h}/(6\sqrt{2\pi})\big),

    so :math:`\rho_t/\sqrt{a_r} \to a_h (C_{\phi'}\sqrt{C_h}/(6\sqrt{2\pi}))^{1/2}`. Arguments as in
    :func:`rho_t`; ``a_r`` in ``(0, 1e6]``.
    """
    a_r, a_h = as_scale("a_r", a_r, strict=True), _gain("a_h", a_h)
    return float(np.sqrt(_rho2(_samples(samples, time, ("h_prev", "r", "dphi")), a_r, a_h, asymptotic=True)))


# -- Fig. 1 f: eigenvalues accumulating at 1 ---------------------------------------------------------
def fraction_near_one(eigenvalues, r: float = 0.05) -> float:
    """Fraction of ``eigenvalues`` (a non-empty finite real or complex array) with :math:`|\\lambda - 1| < r`,
    the empirical CDF of Fig. 1 f; ``r`` in ``(0, 1e6]``."""
    return fraction_inside(eigenvalues, as_scale("r", r, strict=True), centre=1.0)


def scaling_function(a_z, c1: float, c2: float):
    r"""The scaling function :math:`c_1\,\mathrm{erfc}(c_2/a_z)` of Eq. (93) for the fraction of
    eigenvalues within ``r`` of 1 (Fig. 1 f). The paper fits :math:`c_1, c_2`
    (:func:`fit_scaling_function`); :func:`scaling_constants` gives the values of its derivation.
    ``a_z`` in ``(0, 1e6]`` (number or array), ``c1`` in ``[0, 1]``, ``c2`` in ``[0, 1e6]``.
    """
    a_z = as_real_array("a_z", a_z, strict=True, maximum=MAX_SCALE)
    c1 = as_scale("c1", c1, maximum=1.0)
    c2 = as_scale("c2", c2)
    return scalar_or_array(c1 * erfc(c2 / a_z))


def scaling_constants(r: float, c_h: float) -> tuple[float, float]:
    r"""``(c1, c2)`` of Eq. (92),
    :math:`P(|\lambda - 1| < r) \approx \tfrac12\mathrm{erfc}\big(-\log r / (a_z\sqrt{2C_h})\big)`:
    :math:`c_1 = 1/2`, :math:`c_2 = -\log r/\sqrt{2 C_h}`. Derived for large :math:`a_z`, :math:`a_r = 0`,
    :math:`b_z = 0`, hard-tanh :math:`\phi` and a state near a fixed point (Appendix C). ``r`` in
    ``(0, 1)``, ``c_h`` (:math:`C_h`, the mean of :math:`h^2`) in ``(0, 1e6]``.
    """
    r = as_scale("r", r, strict=True, maximum=1.0, strict_max=True)
    c_h = as_scale("c_h", c_h, strict=True)
    return 0.5, float(-np.log(r) / np.sqrt(2.0 * c_h))


def fit_scaling_function(a_z, cdf) -> tuple[float, float]:
    """Least-squares ``(c1, c2)`` of :func:`scaling_function` to measured fractions ``cdf`` (in [0, 1]) at
    update-gate gains ``a_z`` (in ``(0, 1e6]``), two 1-d arrays of one length >= 2, as the paper does
    for Fig. 1 f (its constants are fitted, lines 466 and 2203)."""
    a_z = as_vector("a_z", a_z, strict=True)
    cdf = as_vector("cdf", cdf, maximum=1.0)
    if a_z.size != cdf.size or a_z.size < 2:
        raise ValueError(f"a_z and cdf must have one length >= 2, got {a_z.size} and {cdf.size}")
    guess = (max(float(cdf.max()), 1e-3), float(np.median(a_z)))
    (c1, c2), _ = curve_fit(lambda a, c1, c2: c1 * erfc(c2 / a), a_z, cdf, p0=guess,
                            bounds=([0.0, 0.0], [1.0, np.inf]))
    return float(c1), float(c2)
