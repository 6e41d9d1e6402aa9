r"""Chaotic benchmark series: the Mackey-Glass system (discrete map and delay equation) and the logistic map.

**Mackey-Glass** :cite:`mackey1977oscillation`, parameters :math:`\beta = 0.2`, :math:`\gamma = 0.1`,
exponent :math:`p = 10`, delay :math:`\tau = 17` (chaotic) by default, started from a constant history
:math:`u(t) = 1.2` for :math:`t \le 0`.

* ``kind="discrete"`` is the thesis's map (section 5), with an integer delay:

  .. math::
      u(t+1) = (1-\gamma)\,u(t) + \beta\,\frac{u(t-\tau)}{1 + u(t-\tau)^p}.

* ``kind="continuous"`` is the delay differential equation

  .. math::
      \dot u(t) = \beta\,\frac{u(t-\tau)}{1 + u(t-\tau)^p} - \gamma\,u(t),

  integrated by the classical fourth-order Runge-Kutta method with a step ``dt`` that divides both
  :math:`\tau` and 1, so that the delayed grid points and the sampling times (one per time unit) lie
  on the grid, and so do the points :math:`t = k\tau` where the solution's derivatives jump. The
  stages at :math:`t_k,\ t_k + dt/2,\ t_k + dt` need the delayed value at :math:`t_k - \tau`,
  :math:`t_k - \tau + dt/2` and :math:`t_k - \tau + dt`; the two grid values are stored, the midpoint
  is the cubic Hermite interpolant of the stored values and derivatives,

  .. math::
      u(t_j + dt/2) \approx \tfrac12\,(u_j + u_{j+1}) + \tfrac{dt}{8}\,(\dot u_j - \dot u_{j+1}),

  accurate to :math:`O(dt^4)`, so the method keeps its global order 4 (a linear interpolant would
  drop it to 2). Where the delayed time is :math:`\le 0` the history itself is used. The delay term
  enters each stage like the rest of the right-hand side, multiplied by the step.

  As the equation is linear in :math:`u(t)`, one RK4 step is affine, :math:`u_{k+1} = a\,u_k + b_k`,
  with :math:`a = 1 - z + z^2/2 - z^3/6 + z^4/24` (:math:`z = \gamma\,dt`) and :math:`b_k` the same
  step applied to :math:`u_k = 0`. Every delayed value of the next :math:`\tau/dt` steps is known in
  advance, so those steps are computed together: the :math:`b_k` as arrays, then the first-order
  recurrence in :func:`scipy.signal.lfilter`. The discrete map is computed the same way, in blocks
  of :math:`\tau + 1` steps.

Optional history noise (``history_noise > 0``) replaces the constant history by the piecewise-linear
interpolant of values :math:`1.2 + \varepsilon_i` at the integer times :math:`t_i = 0, -1, \ldots,
-\lceil\tau\rceil`, with :math:`\varepsilon_i` i.i.d. uniform on ``[-history_noise, history_noise]``
drawn from ``seed``, so that an ensemble of series can be generated; both kinds use the same values
for the same seed. With the default ``history_noise=0`` the series is deterministic and ``seed`` has no
effect.

**Logistic map**: :math:`x(t+1) = r\,x(t)\,(1 - x(t))`, chaotic at the default :math:`r = 3.9`. (At
:math:`r = 4` an orbit in floating point collapses to the fixed point 0 as soon as it comes within
about :math:`10^{-8}` of 1/2, which in long runs happens with non-negligible probability.)

Note: the ``mackey_glass`` generator of reservoirpy (0.4.1 and later; seen in 0.4.2's ``_mg_rk4``) has
wrong RK4 stages (``k2 = 2 k1 + ...``) and does not multiply the delay term by the step; this module is
tested against an independent high-accuracy solution of the delay equation instead.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import lfilter

from ._validate import MAX_COUNT, as_count, as_real_scalar, as_rng, as_scale

__all__ = ["mackey_glass", "logistic_map", "DEFAULT_DT"]

DEFAULT_DT = 0.1  # RK4 step of the continuous Mackey-Glass equation (time units)
_DIVIDES_RTOL = 1e-9  # tolerance of "dt divides tau and 1"
_MAX_Z = 1.0  # largest gamma * dt: above ~1.29 one RK4 step no longer keeps u > 0


def _feedback(x: np.ndarray, beta: float, p: float) -> np.ndarray:
    """``beta x / (1 + x^p)`` for ``x >= 0`` (``x^p`` overflowing to inf gives the exact limit 0)."""
    with np.errstate(over="ignore"):
        return beta * x / (1.0 + x ** p)


def _rk4_step(u, f0, fm, f1, gamma: float, dt: float):
    r"""One classical RK4 step of :math:`\dot u = f(t) - \gamma u` with the forcing :math:`f` known at
    the stage times :math:`t, t + dt/2, t + dt` (``f0``, ``fm``, ``f1``; arrays broadcast)."""
    k1 = f0 - gamma * u
    k2 = fm - gamma * (u + 0.5 * dt * k1)
    k3 = fm - gamma * (u + 0.5 * dt * k2)
    k4 = f1 - gamma * (u + dt * k3)
    return u + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


def _steps_per(length: float, dt: float, what: str) -> int:
    """``length / dt`` as an integer >= 1, or a ``ValueError`` naming ``dt`` and ``what``."""
    k = round(length / dt)
    if k < 1 or abs(k * dt - length) > _DIVIDES_RTOL * length:
        raise ValueError(f"dt must divide {what} (an integer ratio, to a relative 1e-9), got dt={dt!r}, "
                         f"{what} / dt = {length / dt!r}")
    return int(k)


def _history_knots(history: float, noise: float, count: int, rng) -> np.ndarray:
    """History values at the integer times ``-(count-1), ..., -1, 0`` (oldest first)."""
    knots = np.full(count, history)
    if noise > 0:
        knots += noise * rng.uniform(-1.0, 1.0, count)
    return knots


def _check_size(total: int, n: int, transient: int, tau, dt=None) -> None:
    """A ``ValueError`` naming every argument that sets the number of grid points, when there are too many."""
    if total > MAX_COUNT:
        step = "" if dt is None else f", dt={dt!r}"
        raise ValueError(f"n={n}, transient={transient} and tau={tau!r}{step} need {total} grid points, "
                         f"more than {MAX_COUNT}; reduce n, transient or tau"
                         + ("" if dt is None else " or increase dt"))


def mackey_glass(n: int, kind: str = "discrete", dt: float = DEFAULT_DT, seed=None, *, beta: float = 0.2,
                 gamma: float = 0.1, p: float = 10.0, tau: float = 17, history: float = 1.2,
                 history_noise: float = 0.0, transient: int = 0) -> np.ndarray:
    r"""``n`` samples of the Mackey-Glass system, one per time unit: :math:`u(\mathrm{transient} + k)`,
    :math:`k = 0, \ldots, n-1` (see the module docstring for the equations and the method).

    Parameters
    ----------
    n : number of samples (>= 1).
    kind : ``"discrete"`` (the thesis's map, integer ``tau``) or ``"continuous"`` (the delay
        differential equation, RK4).
    dt : RK4 step of ``kind="continuous"`` (default 0.1); ``tau / dt`` and ``1 / dt`` must be integers,
        and ``gamma * dt <= 1``. Ignored by the discrete map. Global error :math:`O(dt^4)`: about
        :math:`3\times10^{-10}` at ``dt=0.1`` over the first 50 time units (errors grow with the
        chaotic divergence later on).
    seed : ``None``, an integer or a numpy ``Generator``; draws the history noise, so it only has an
        effect when ``history_noise > 0``.
    beta, gamma : feedback and decay rates (>= 0; ``gamma <= 1`` for the map, which keeps ``u > 0``).
    p : exponent of the feedback (>= 1, so that it is bounded).
    tau : delay (a Python or numpy integer >= 1 for the map; a number > 0 for the delay equation).
    history : the constant history :math:`u(t),\ t \le 0` (> 0).
    history_noise : half-width of the uniform noise added to the history at the integer times
        :math:`0, -1, \ldots, -\lceil\tau\rceil` (linear in between); ``0 <= history_noise < history``.
    transient : time units discarded before the first sample (>= 0); the default 0 returns
        :math:`u(0), u(1), \ldots`, starting with the history value at 0. The series reaches the
        attractor after a few hundred time units.

    Returns
    -------
    A float array of shape ``(n,)``.
    """
    n = as_count("n", n)
    transient = as_count("transient", transient, minimum=0)
    if not isinstance(kind, str) or kind not in ("discrete", "continuous"):
        raise ValueError(f"kind must be 'discrete' or 'continuous', got {kind!r}")
    beta = as_scale("beta", beta)
    p = as_scale("p", p, minimum=1.0)
    history = as_scale("history", history, strict=True)
    history_noise = as_scale("history_noise", history_noise, maximum=history, strict_max=True)
    rng = as_rng(seed)
    if kind == "discrete":
        gamma = as_scale("gamma", gamma, maximum=1.0)
        tau = as_count("tau", tau)
        return _discrete(n, beta, gamma, p, tau, history, history_noise, transient, rng)
    gamma = as_scale("gamma", gamma)
    tau = as_scale("tau", tau, strict=True, maximum=float(MAX_COUNT))
    dt = as_real_scalar("dt", dt, strict=True, maximum=1.0)
    if gamma * dt > _MAX_Z:
        raise ValueError(f"gamma * dt must be <= {_MAX_Z:g} (RK4 stability and positivity), "
                         f"got gamma={gamma!r}, dt={dt!r}")
    return _continuous(n, beta, gamma, p, tau, dt, history, history_noise, transient, rng)


class _Window:
    """Grid values ``u[i]`` and forcings ``G[i]`` for the global indices ``base <= i < base + size``: the
    last ``reach`` values before the current one are kept, older ones dropped, and the samples at
    ``first, first + stride, ...`` copied out as they are computed, so that memory is
    O(reach + n + chunk), not O(number of steps)."""

    def __init__(self, last: int, reach: int, block: int, first: int, stride: int, n: int, chunk: int = 1 << 16):
        size = min(last + 1, reach + block + 1 + max(chunk, reach))
        self.u, self.G = np.empty(size), np.empty(size)
        self.base, self.reach, self.first, self.stride = 0, reach, first, stride
        self.out = np.empty(n)

    def reserve(self, i: int, stop: int) -> int:
        """Room for the indices up to ``stop``, keeping ``i - reach .. i``; returns ``base``."""
        if stop - self.base >= self.u.size:
            new, keep = i - self.reach, slice(i - self.reach - self.base, i + 1 - self.base)
            self.u[:self.reach + 1], self.G[:self.reach + 1] = self.u[keep].copy(), self.G[keep].copy()
            self.base = new
        return self.base

    def collect(self, lo: int, hi: int) -> None:
        """Copy out the samples among the newly computed indices ``lo .. hi``."""
        f, s = self.first, self.stride
        start = f if lo <= f else f + -(-(lo - f) // s) * s
        if start <= hi:
            k = (start - f) // s
            vals = self.u[start - self.base:hi + 1 - self.base:s]
            self.out[k:k + vals.size] = vals


def _discrete(n, beta, gamma, p, tau, history, history_noise, transient, rng):
    last = tau + transient + n - 1  # global index i <-> t = i - tau
    _check_size(last + 1, n, transient, tau)
    w = _Window(last, tau, tau + 1, tau + transient, 1, n)
    w.u[:tau + 1] = _history_knots(history, history_noise, tau + 1, rng)
    w.collect(0, tau)
    c = 1.0 - gamma
    i = tau  # u up to index i known
    while i < last:
        stop = min(i + tau + 1, last)  # steps i .. stop-1 need delayed values up to u[stop-1-tau] <= u[i]
        o = w.reserve(i, stop)
        b = _feedback(w.u[i - tau - o:stop - tau - o], beta, p)
        w.u[i + 1 - o:stop + 1 - o], _ = lfilter([1.0], [1.0, -c], b, zi=[c * w.u[i - o]])
        w.collect(i + 1, stop)
        i = stop
    return w.out


def _continuous(n, beta, gamma, p, tau, dt, history, history_noise, transient, rng):
    per_unit = _steps_per(1.0, dt, "1")  # one sample per time unit
    m = _steps_per(tau, dt, "tau")
    last = m + (transient + n - 1) * per_unit  # global index i <-> t = (i - m) dt
    _check_size(last + 1, n, transient, tau, dt)
    w = _Window(last, 2 * m, m, m + transient * per_unit, per_unit, n)
    # the history on the grid t = -tau .. 0 and at the midpoints between
    k_max = math.ceil(tau - _DIVIDES_RTOL * tau)
    knots = _history_knots(history, history_noise, k_max + 1, rng)
    knot_t = np.arange(-k_max, 1, dtype=float)
    grid_t = (np.arange(m + 1) - m) * dt
    w.u[:m + 1] = np.interp(grid_t, knot_t, knots)
    hist_mid = np.interp(grid_t[:-1] + 0.5 * dt, knot_t, knots)
    w.G[:m + 1] = _feedback(w.u[:m + 1], beta, p)  # G[i] = beta g(u[i]), the forcing at t_i + tau
    w.collect(0, m)
    a = _rk4_step(1.0, 0.0, 0.0, 0.0, gamma, dt)
    i = m  # u up to index i known
    while i < last:
        stop = min(i + m, last)  # steps k = i .. stop-1 need delayed grid points up to k + 1 - m <= i
        o = w.reserve(i, stop)
        u, G = w.u, w.G
        j = np.arange(i - m, stop - m)  # delayed left grid point of each step (global)
        mid = np.empty(j.size)
        past = j < m  # delayed interval within the history
        mid[past] = hist_mid[j[past]]
        jj = j[~past] - o
        if jj.size:  # cubic Hermite with the derivatives du/dt = G(t - tau) - gamma u
            d0 = G[jj - m] - gamma * u[jj]
            d1 = G[jj + 1 - m] - gamma * u[jj + 1]
            mid[~past] = np.maximum(0.5 * (u[jj] + u[jj + 1]) + 0.125 * dt * (d0 - d1), 0.0)
        b = _rk4_step(0.0, G[j - o], _feedback(mid, beta, p), G[j + 1 - o], gamma, dt)
        u[i + 1 - o:stop + 1 - o], _ = lfilter([1.0], [1.0, -a], b, zi=[a * u[i - o]])
        G[i + 1 - o:stop + 1 - o] = _feedback(u[i + 1 - o:stop + 1 - o], beta, p)
        w.collect(i + 1, stop)
        i = stop
    return w.out


def logistic_map(n: int, r: float = 3.9, x0: float | None = None, seed=None, transient: int = 0) -> np.ndarray:
    r"""``n`` values :math:`x(\mathrm{transient}), \ldots` of the logistic map
    :math:`x(t+1) = r\,x(t)(1 - x(t))` from :math:`x(0) = ` ``x0``.

    ``r`` in (0, 4] (default 3.9, chaotic; see the module docstring on r = 4); ``x0`` in (0, 1), drawn
    uniformly on (0, 1) from ``seed`` (``None``, an integer or a numpy ``Generator``) when not given,
    in which case ``seed`` fixes the series; ``transient`` (>= 0) steps are discarded first.
    """
    n = as_count("n", n)
    transient = as_count("transient", transient, minimum=0)
    if n + transient > MAX_COUNT:
        raise ValueError(f"n + transient must be <= {MAX_COUNT}, got n={n}, transient={transient}")
    r = as_real_scalar("r", r, strict=True, maximum=4.0)
    rng = as_rng(seed)
    if x0 is None:
        x = 0.0
        while x == 0.0:  # uniform on (0, 1): Generator.random is on [0, 1)
            x = float(rng.random())
    else:
        x = as_real_scalar("x0", x0, strict=True, maximum=1.0, strict_max=True)
    for _ in range(transient):
        x = r * x * (1.0 - x)
    out = np.empty(n)
    for t in range(n):
        out[t] = x
        x = r * x * (1.0 - x)
    return out
