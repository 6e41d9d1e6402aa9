r"""Jacobian spectra of random LSTMs (Can, Krishnamurthy and Schwab 2020, section 5 and Appendix G).

Model (paper Eqs. 6-8, zero candidate bias :math:`b_h = 0` and no input, as in
:mod:`criticality.models`):

.. math::
    k_t = \sigma(a_k U_k h_{t-1} + b_k)\ (k = f, i, o),\quad y_t = a_h U_h h_{t-1},\quad
    c_t = f_t\circ c_{t-1} + i_t\circ\tanh(y_t),\quad h_t = o_t\circ\tanh(c_t),

with :math:`(U_k)_{ij}\sim\mathcal N(0, 1/N)`, so :math:`a_k U_k` is the paper's :math:`U_k` of
variance :math:`a_k^2/N`. Gains are dicts ``{"f": a_f, "i": a_i, "o": a_o, "h": a_h}`` (a missing
gain is 0) and biases dicts ``{"f": b_f, "i": b_i, "o": b_o}``, as in :func:`models.make_network`.

State order. The state is stacked as :math:`(c, h)` (``2N`` rows), in the engine and in the paper's
Eq. (26), whose first block row is :math:`\partial c_t/\partial(c_{t-1}, h_{t-1})`. The engine's
``Network.jacobian`` is Eq. (26) entry for entry (``tests/test_gating_lstm.py`` checks it to 1e-12),
with :math:`m_t = o_t\tanh'(c_t)` taken at the *new* cell state and :math:`f'_t c_{t-1}` at the old one.

Spectral boundary (Theorem 8, Corollary 9, Eqs. 28-31). With, per unit,

.. math::
    q_t = a_o^2 o_t'^2 \tanh(c_t)^2,\qquad
    p_t = o_t^2\tanh'(c_t)^2\big(a_f^2 c_{t-1}^2 f_t'^2 + a_i^2 i_t'^2\tanh(y_t)^2 + a_h^2 i_t^2\tanh'(y_t)^2\big),

the support of the eigenvalue density is :math:`\{S \ge 0\}` with boundary :math:`S(\lambda) = 0`,
:math:`S(\lambda) = E[q_t]/|\lambda|^2 + E[p_t/|\lambda - f_t|^2] - 1`. Here every expectation is an
average over units (and over the sampled steady-state times, if several are pooled): this is the
paper's finite-N form before the mean-field limit (Appendix G, "we keep an explicit sum over
neurons"). Because :math:`0 < f_t < 1`, :math:`S(re^{i\theta}) \le S(r)` for every angle, so the
largest modulus of the support lies on the positive real axis (:func:`predicted_spectral_radius`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import erfc, expit

from .. import models
from .._validate import (MAX_DENSE_N, MAX_SCALE, as_count, as_finite_array, as_real_array, as_rng, as_scale,
                         as_vector, scalar_or_array)
from ..criterion import _boundary_function  # g^2 mean(W / |z - M|^2), memory-bounded
from ..quadrature import gaussian_expectation
from .gru import _bias, fraction_near_one  # one definition for both architectures

__all__ = [
    "GATES",
    "MATRICES",
    "FIG3_GAINS",
    "FIG3E_GAIN_H",
    "zero_fixed_point_density",
    "zero_fixed_point_stable",
    "SteadyState",
    "steady_state",
    "coefficients",
    "boundary_function",
    "predicted_spectral_radius",
    "outer_radius",
    "spectral_boundary",
    "fraction_inside",
    "gate_slope_moment",
    "radius_asymptote",
    "gate_radius_inputs",
    "fraction_near_one",
    "near_one_theory",
    "near_one_scaling",
]

GATES = ("f", "i", "o")
MATRICES = ("f", "i", "o", "h")
# Fig. 3 a-d: N = 1000, a_h = 3, a_i = 1 and "the values of (a_f, a_o) indicated for each plot" (paper
# line 905): those values are in the figure only, not in the text, so these four are our choice.
FIG3_GAINS = {panel: {"f": a_f, "i": 1.0, "o": a_o, "h": 3.0}
              for panel, (a_f, a_o) in {"a": (1.0, 1.0), "b": (10.0, 1.0), "c": (1.0, 10.0), "d": (10.0, 10.0)}.items()}
FIG3E_GAIN_H = 3.0  # Fig. 3e: "g = 3, all parameters zero but one" (a_h = 3, the one gate gain varied)
MAX_LSTM_N = MAX_DENSE_N // 2  # the Jacobian is 2N x 2N
N_ANGLES_RANGE = (8, 2**14)
_SCAN = 256  # radial scan steps of outer_radius
_BISECT = 60  # bisection steps (the bracket shrinks by 2**-60)


# -- validation helpers --------------------------------------------------------------------------
def _positive(name, value):
    """A number or non-empty 1-d array of reals in ``(0, MAX_SCALE]`` (a float, or an array)."""
    return as_scale(name, value, strict=True) if np.ndim(value) == 0 else as_vector(name, value, strict=True)


def _gains(gains) -> dict:
    """A dict of the four gains as floats in [0, MAX_SCALE] (missing ones 0)."""
    if not isinstance(gains, dict):
        raise TypeError(f"gains must be a dict with keys among {MATRICES}, got {type(gains).__name__}")
    unknown = set(gains) - set(MATRICES)
    if unknown:
        raise ValueError(f"gains may only name {MATRICES}, got {sorted(map(str, unknown))}")
    return {k: as_scale(f"gains[{k!r}]", gains.get(k, 0.0)) for k in MATRICES}


def _biases(biases, n: int) -> dict:
    """``None`` or a dict with keys among ``f, i, o`` (missing ones 0) of numbers or length-``n`` arrays."""
    if biases is None:
        biases = {}
    if not isinstance(biases, dict):
        raise TypeError(f"biases must be None or a dict with keys among {GATES}, got {type(biases).__name__}")
    unknown = set(biases) - set(GATES)
    if unknown:
        raise ValueError(f"biases may only name {GATES}, got {sorted(map(str, unknown))}")
    out = {k: as_real_array(f"biases[{k!r}]", biases.get(k, 0.0), minimum=-MAX_SCALE, maximum=MAX_SCALE)
           for k in GATES}
    bad = {k: v.shape for k, v in out.items() if v.ndim > 1 or v.size not in (1, n)}
    if bad:
        raise ValueError(f"biases must be numbers or 1-d arrays of n = {n} entries, got shapes {bad}")
    return out


def _coefficient_arrays(q, p, f):
    """``q, p >= 0`` and ``0 <= f <= 1`` as flat float arrays of one length >= 1."""
    q, p = (np.ravel(as_real_array(k, v, maximum=MAX_SCALE ** 2)) for k, v in (("q", q), ("p", p)))
    f = np.ravel(as_real_array("f", f, maximum=1.0))
    if not (q.size == p.size == f.size) or q.size == 0:
        raise ValueError(f"q, p and f must be non-empty and of one size, got sizes {q.size}, {p.size}, {f.size}")
    if not (q.any() or p.any()):
        raise ValueError("q and p must not all vanish (the spectrum is then the points f and 0)")
    return q, p, f


# -- Corollaries 10 and 11: the zero fixed point ------------------------------------------------
def zero_fixed_point_density(a_h, b_f=0.0, b_i=0.0, b_o=0.0) -> tuple[float, float, float]:
    r"""Eigenvalue density of the Jacobian at :math:`c = h = 0` (Corollary 10, Eq. 32).

    Returns ``(centre, radius, zero_weight)``: a fraction ``zero_weight = 1/2`` of the ``2N``
    eigenvalues are exactly 0, the other half is uniform on the disk :math:`|\lambda - \sigma(b_f)|
    \le \sqrt p`, :math:`p = \sigma(b_o)^2\sigma(b_i)^2 a_h^2`, so ``radius`` :math:`=
    \sigma(b_o)\sigma(b_i)a_h`. (The paper normalises by N: :math:`\delta(\lambda) + 1/(\pi p)`
    integrates to 2.) The gate gains :math:`a_f, a_i, a_o` do not enter: at :math:`c = h = 0` every
    gate-derivative term of Eq. (26) is multiplied by :math:`c_{t-1} = 0`, :math:`\tanh(y) = 0` or
    :math:`\tanh(c) = 0`.

    ``a_h`` in ``[0, 1e6]``; biases finite in ``[-1e6, 1e6]``.
    """
    a_h = as_scale("a_h", a_h)
    s_f, s_i, s_o = (expit(_bias(k, v)) for k, v in (("b_f", b_f), ("b_i", b_i), ("b_o", b_o)))
    return float(s_f), float(s_o * s_i * a_h), 0.5


def zero_fixed_point_stable(a_h, b_f=0.0, b_i=0.0, b_o=0.0) -> bool:
    r"""Corollary 11: the zero fixed point is linearly stable iff :math:`\sigma(b_f) + \sigma(b_o)\sigma(b_i)a_h < 1`
    (the disk of :func:`zero_fixed_point_density` inside the unit circle). Arguments as there."""
    centre, radius, _ = zero_fixed_point_density(a_h, b_f, b_i, b_o)
    return bool(centre + radius < 1.0)


# -- steady state ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SteadyState:
    r"""Samples of a simulated LSTM at ``T`` steady-state times (arrays of shape ``(T, N)``).

    For the sample at step ``t`` (``times[k]``, counted from the random initial state): ``c_prev``,
    ``h_prev`` are :math:`c_{t-1}, h_{t-1}`; ``x`` maps each gate to its preactivation
    :math:`a_k U_k h_{t-1} + b_k`; ``y`` is :math:`a_h U_h h_{t-1}`; ``c`` is the engine's new cell
    state :math:`c_t`. ``jacobian`` is the engine's :math:`J_t` (2N x 2N, order (c, h)) at the last
    sample, i.e. at the state :math:`(c_{t-1}, h_{t-1})`; ``network`` is the realisation.
    """

    gains: dict
    times: np.ndarray
    c_prev: np.ndarray
    h_prev: np.ndarray
    x: dict
    y: np.ndarray
    c: np.ndarray
    jacobian: np.ndarray
    network: models.Network

    def gate(self, k: str) -> np.ndarray:
        """The gate values :math:`\\sigma(x_k)`, ``k`` in ``("f", "i", "o")``."""
        return expit(self.x[k])

    def gate_slope(self, k: str) -> np.ndarray:
        """:math:`\\sigma'(x_k)`."""
        s = expit(self.x[k])
        return s * (1.0 - s)


def steady_state(n: int, gains: dict, *, biases: dict | None = None, steps: int = 10, transient: int = 500,
                 times: int = 4, init_scale: float = 1.0, seed=None) -> SteadyState:
    """Simulate one random LSTM with the engine and sample it in the steady state.

    Draws ``models.make_network("lstm", n, biases=biases, seed=rng)`` and a random initial state
    (``init_scale`` times standard normal cell states, see ``Network.random_state``), runs
    ``transient`` steps, then takes ``times`` samples ``steps`` steps apart (the last at step
    ``transient + (times - 1) * steps``), and the engine's Jacobian at the last sample.

    ``n`` in ``[1, 5000]`` (the Jacobian is dense), ``gains`` a dict of gains in ``[0, 1e6]`` with
    keys among ``f, i, o, h`` (missing: 0), ``biases`` ``None`` (zero) or a dict with keys among
    ``f, i, o`` (missing: 0) of numbers or length-``n`` arrays in ``[-1e6, 1e6]``, ``steps`` and
    ``times`` >= 1, ``transient`` >= 0, ``init_scale`` in ``[0, 1e6]``, ``seed`` anything
    ``numpy.random.default_rng`` accepts.
    """
    n = as_count("n", n, maximum=MAX_LSTM_N)
    g = _gains(gains)
    steps = as_count("steps", steps)
    transient = as_count("transient", transient, minimum=0)
    times = as_count("times", times)
    init_scale = as_scale("init_scale", init_scale)
    if transient + (times - 1) * steps > 10**7:
        raise ValueError("transient + (times - 1) * steps must be at most 1e7")
    rng = as_rng(seed)
    net = models.make_network("lstm", n, biases=_biases(biases, n), seed=rng)
    a = net.gains(g)
    state = net.random_state(1, scale=init_scale, seed=rng)
    sample_at = transient + steps * np.arange(times)
    rows = {k: [] for k in ("c_prev", "h_prev", "y", "c", *GATES)}
    t = 0
    for target in sample_at:
        for _ in range(target - t):
            state = net.step(state, a)
        t = target
        c_prev, h_prev = state[:n, 0], state[n:, 0]
        rows["c_prev"].append(c_prev)
        rows["h_prev"].append(h_prev)
        for k in GATES:
            rows[k].append(g[k] * (net.U[k] @ h_prev) + net.biases[k])
        rows["y"].append(g["h"] * (net.U["h"] @ h_prev))
        previous = state
        state = net.step(state, a)
        t += 1
        rows["c"].append(state[:n, 0])
    out = {k: np.array(v) for k, v in rows.items()}
    return SteadyState(g, sample_at, out["c_prev"], out["h_prev"], {k: out[k] for k in GATES}, out["y"],
                       out["c"], net.jacobian(previous[:, 0], a), net)


def _sample_index(ss: SteadyState, sample):
    if sample is None:
        return slice(None)
    count = len(ss.times)
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or not -count <= sample < count:
        raise ValueError(f"sample must be None or an integer in [-{count}, {count - 1}], got {sample!r}")
    return int(sample)


def coefficients(ss: SteadyState, sample=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(q, p, f)`` of Eq. (28) per unit (flat arrays), at one sample (``sample`` an index into
    ``ss.times``; ``-1`` is the Jacobian's time) or pooled over all samples (``None``)."""
    if not isinstance(ss, SteadyState):
        raise TypeError(f"ss must be a SteadyState, got {type(ss).__name__}")
    s = _sample_index(ss, sample)
    a = ss.gains
    f, i, o = (ss.gate(k)[s] for k in GATES)
    df, di, do = (ss.gate_slope(k)[s] for k in GATES)
    tc, ty = np.tanh(ss.c[s]), np.tanh(ss.y[s])
    q = a["o"] ** 2 * do ** 2 * tc ** 2
    p = (o * (1.0 - tc ** 2)) ** 2 * (a["f"] ** 2 * ss.c_prev[s] ** 2 * df ** 2 + a["i"] ** 2 * di ** 2 * ty ** 2
                                      + a["h"] ** 2 * i ** 2 * (1.0 - ty ** 2) ** 2)
    return np.ravel(q), np.ravel(p), np.ravel(f)


# -- Corollary 9: the boundary curve ---------------------------------------------------------------
def _s(z, q, p, f):
    """S(z) of Eq. (31) for validated coefficients (+inf at z = 0 when E[q] > 0)."""
    z = np.asarray(z, dtype=complex)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(z == 0, np.inf if q.mean() > 0 else 0.0, q.mean() / np.abs(z) ** 2)
    return first + _boundary_function(z, f, p, 1.0) - 1.0


def boundary_function(lam, q, p, f):
    r"""Corollary 9, Eq. (31): :math:`S(\lambda) = \overline{q}/|\lambda|^2 + \overline{p/|\lambda - f|^2} - 1`,
    the bar an average over the given units. :math:`S \ge 0` on the predicted support, 0 on its boundary.

    ``lam``: finite complex numbers (any shape; the result has that shape). ``q``, ``p``: arrays of
    values >= 0 and ``f`` of values in ``[0, 1]``, one size (from :func:`coefficients`).
    """
    q, p, f = _coefficient_arrays(q, p, f)
    lam = as_finite_array("lam", lam, maximum=MAX_SCALE)
    return _s(lam, q, p, f)


def predicted_spectral_radius(q, p, f) -> float:
    """The largest modulus of the support of Corollary 9 (arguments as for :func:`boundary_function`).

    It lies on the positive real axis, where ``S(r)`` decreases for ``r > max(f_i : p_i > 0)``; found
    by bisection. With constant ``f`` and ``q = 0`` it is ``f + sqrt(mean p)`` (paper Eq. 143).
    """
    return _radius(*_coefficient_arrays(q, p, f))


def _radius(q, p, f) -> float:
    lo = float(f[p > 0].max()) if p.any() else 0.0
    hi = lo + np.sqrt(q.mean() + p.mean()) * 1.01 + 1e-300  # S(hi) < 0 (see outer_radius)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if _s(mid, q, p, f) >= 0 else (lo, mid)
    return 0.5 * (lo + hi)


def outer_radius(theta, q, p, f) -> np.ndarray:
    r"""For each angle ``theta`` the outermost ``r >= 0`` with :math:`S(re^{i\theta}) = 0` (0 where the
    ray from the origin misses the support, possible only when ``q = 0``).

    The rays start at the origin, where the :math:`E[q]/|\lambda|^2` term is centred and where the
    ``N`` exact zero eigenvalues lie when ``a_o = 0``. The region :math:`|\lambda| \le r(\arg\lambda)`
    is the support filled in radially (it equals the support when that is star-shaped about 0).
    Scan of 256 radii from :func:`predicted_spectral_radius` inwards, then 60 bisections; cost
    ``~300 len(theta) N`` operations (by half with conjugate symmetry). ``theta``: finite reals.
    """
    q, p, f = _coefficient_arrays(q, p, f)
    theta = as_real_array("theta", theta, minimum=None)
    return _outer_radius(theta, q, p, f)


def _outer_radius(theta, q, p, f):
    shape, theta = theta.shape, np.abs(np.angle(np.exp(1j * theta.ravel())))  # S(conj z) = S(z)
    angles, where = np.unique(theta, return_inverse=True)
    direction = np.exp(1j * angles)
    rho = _radius(q, p, f)
    lo = np.full(angles.size, np.nan)  # inside
    hi = np.full(angles.size, np.nan)  # outside
    radii = np.linspace(rho * (1 + 1e-12), 0.0, _SCAN + 1)
    for r_out, r_in in zip(radii[:-1], radii[1:]):
        todo = np.flatnonzero(np.isnan(lo))
        if not todo.size:
            break
        inside = _s(r_in * direction[todo], q, p, f) >= 0
        lo[todo[inside]], hi[todo[inside]] = r_in, r_out
    lo, hi = np.nan_to_num(lo), np.nan_to_num(hi)
    for _ in range(_BISECT):
        mid = 0.5 * (lo + hi)
        inner = (hi > 0) & (_s(mid * direction, q, p, f) >= 0)
        lo, hi = np.where(inner, mid, lo), np.where(inner, hi, mid)
    return (0.5 * (lo + hi))[where].reshape(shape)


def spectral_boundary(q, p, f, n_angles: int = 721) -> np.ndarray:
    """The outer boundary of Corollary 9 as ``n_angles`` complex points ``r(theta) e^{i theta}``,
    ``theta = linspace(0, 2 pi, n_angles)`` (see :func:`outer_radius`); ``n_angles`` in ``[8, 16384]``."""
    n_angles = as_count("n_angles", n_angles, minimum=N_ANGLES_RANGE[0], maximum=N_ANGLES_RANGE[1])
    theta = np.linspace(0.0, 2.0 * np.pi, n_angles)
    return outer_radius(theta, q, p, f) * np.exp(1j * theta)


def fraction_inside(eigenvalues, q, p, f, *, rtol: float = 0.0) -> float:
    r"""Fraction of ``eigenvalues`` with :math:`|\lambda| \le (1 + \text{rtol})\, r(\arg\lambda) + 10^{-12}`
    (:func:`outer_radius` at each eigenvalue's own angle; exact zeros count as inside).
    ``rtol`` in ``[0, 1e6]``; ``eigenvalues`` a non-empty finite array."""
    ev = np.ravel(as_finite_array("eigenvalues", eigenvalues, maximum=MAX_SCALE))
    if ev.size == 0:
        raise ValueError("eigenvalues must not be empty")
    rtol = as_scale("rtol", rtol)
    r = _outer_radius(np.angle(ev), *_coefficient_arrays(q, p, f))
    return float(np.mean(np.abs(ev) <= (1.0 + rtol) * r + 1e-12))


# -- Proposition 12: growth of the spectral radius with a_i and a_o -------------------------------
def gate_slope_moment(a, c_h, b=0.0, *, asymptotic: bool = False):
    r""":math:`E[\sigma'(b + a\sqrt{C_h} Z)^2]`, :math:`Z\sim\mathcal N(0,1)`: the mean squared gate slope when
    the preactivation :math:`a_k U_k h + b_k` has variance :math:`a^2 C_h`, :math:`C_h = E[h^2]`.

    With ``asymptotic`` the large-``a`` form of paper Eqs. (145)/(150),
    :math:`e^{-b^2/(2a^2C_h)}/(6a\sqrt{2\pi C_h})` (:math:`\int\sigma'^2 = 1/6`); the paper writes it for
    ``b = 0``. ``a`` > 0 (a number or a 1-d array), ``c_h`` > 0, ``b`` finite.
    """
    a = _positive("a", a)
    c_h = as_scale("c_h", c_h, strict=True)
    b = _bias("b", b)
    s = a * np.sqrt(c_h)
    if asymptotic:
        out = np.exp(-b ** 2 / (2 * s ** 2)) / (6 * s * np.sqrt(2 * np.pi))
    else:
        out = gaussian_expectation(lambda x: (expit(x) * expit(-x)) ** 2, s, b)
    return scalar_or_array(np.asarray(out, dtype=float))


def radius_asymptote(a_k, c_h, moment, b_k=0.0):
    r"""Leading-order spectral radius :math:`\sqrt{a_k^2 E[k'^2]\,m} = \sqrt{a_k\, m/(6\sqrt{2\pi C_h})}`
    (Proposition 12, Eq. 35, from Eqs. 143-151): the radius grows like :math:`\sqrt{a_k}` as
    :math:`a_k\to\infty` with the other gains fixed; the additive O(1) terms (e.g. :math:`\sigma(b_f)`
    and the :math:`a_h` part of :math:`p_t`) are dropped, so it is the asymptote, not the radius.

    ``moment`` :math:`m` is the average that multiplies :math:`a_k^2 k'^2` in Eq. (28):
    :math:`E[o^2\tanh'(c)^2\tanh(y)^2]` for the input gate (Eq. 144), :math:`E[\tanh(c)^2]` for the
    output gate (Eq. 151), :math:`E[o^2\tanh'(c)^2 c_{t-1}^2]` for the forget gate (Eq. 141-142, only an
    upper bound there); :func:`gate_radius_inputs` measures it. ``a_k`` > 0 (number or 1-d array),
    ``c_h`` > 0, ``moment`` >= 0, ``b_k`` finite.
    """
    moment = as_scale("moment", moment)
    a_k = _positive("a_k", a_k)
    slope = gate_slope_moment(a_k, c_h, b_k, asymptotic=True)
    return scalar_or_array(np.sqrt(np.asarray(a_k) ** 2 * slope * moment))


def gate_radius_inputs(ss: SteadyState, gate: str) -> tuple[float, float]:
    r"""``(c_h, moment)`` for :func:`radius_asymptote` measured in a simulated steady state (all samples
    pooled): :math:`C_h = E[h_{t-1}^2]` and the moment conditioned on the gate's slope,
    :math:`m = E[k'^2 X]/E[k'^2]`, so that :math:`a_k^2 E[k'^2 X] = a_k^2 E[k'^2]\,m` exactly (the paper
    factorises :math:`E[k'^2 X] = E[k'^2]E[X]` in the mean-field limit). ``gate`` in ``("f", "i", "o")``."""
    if not isinstance(ss, SteadyState):
        raise TypeError(f"ss must be a SteadyState, got {type(ss).__name__}")
    if gate not in GATES:
        raise ValueError(f"gate must be one of {GATES}, got {gate!r}")
    tc, ty = np.tanh(ss.c), np.tanh(ss.y)
    o2 = ss.gate("o") ** 2
    x = {"i": o2 * (1 - tc ** 2) ** 2 * ty ** 2, "o": tc ** 2, "f": o2 * (1 - tc ** 2) ** 2 * ss.c_prev ** 2}[gate]
    w = ss.gate_slope(gate) ** 2
    return float(np.mean(ss.h_prev ** 2)), float(np.sum(w * x) / np.sum(w))


# -- Fig. 3f: the forget gate piles eigenvalues up near 1 ------------------------------------------
def near_one_theory(a_f, r, c_h, b_f=0.0):
    r"""Fraction of the ``2N`` eigenvalues within ``r`` of 1 if each unit whose forget gate is within ``r``
    of 1 gives one such eigenvalue: :math:`\tfrac14\operatorname{erfc}\big((\ln(1/r) - b_f)/(a_f\sqrt{2C_h})\big)`
    (the LSTM version of paper Eq. 92, :math:`1 - f \approx e^{-(a_f\sqrt{C_h}z + b_f)}`; the 1/4 is the
    paper's 1/2 per N over 2N eigenvalues). ``a_f`` > 0 (number or 1-d array), ``0 < r < 1``,
    ``c_h`` > 0, ``b_f`` finite."""
    a_f = _positive("a_f", a_f)
    r = as_scale("r", r, strict=True, maximum=1.0, strict_max=True)
    c_h = as_scale("c_h", c_h, strict=True)
    return scalar_or_array(0.25 * erfc((-np.log(r) - _bias("b_f", b_f)) / (np.asarray(a_f) * np.sqrt(2 * c_h))))


def near_one_scaling(a_f, c1, c2):
    """The fit function of Fig. 3f, paper Eq. (93): ``c1 * erfc(c2 / a_f)``. ``a_f`` > 0 (number or 1-d
    array), ``c1`` >= 0, ``c2`` finite."""
    a_f = _positive("a_f", a_f)
    return scalar_or_array(as_scale("c1", c1) * erfc(_bias("c2", c2) / np.asarray(a_f)))
