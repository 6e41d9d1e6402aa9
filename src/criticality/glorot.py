r"""The Glorot edge: spectral radius of Ginibre matrices, rescaled Glorot, growth of linear recurrences.

Following :cite:`bar2025glorot`. A (real or complex) Glorot matrix has i.i.d. entries of variance
:math:`1/n`; its spectral radius converges to 1 *from above* (Rider's theorem,
:cite:`rider2003limit,rider2014extremal`):

.. math::
    \sqrt{4\rho_n n}\,\Bigl(|\lambda|_{\max} - 1 - \sqrt{\rho_n/4n}\Bigr) \to G,\qquad
    \rho_n = \log\frac{n}{2\pi(\log n)^2},\qquad F_G(x) = \exp\bigl(-(1-\delta_{\mathbb R}/2)e^{-x}\bigr),

with :math:`\delta_{\mathbb R} = 1` for real and 0 for complex matrices. All functions named after
the asymptotic law need :math:`\rho_n > 0`, i.e. ``n >= 164`` (:math:`\rho_{163} < 0`, where the
published code returns NaN); below that they raise ``ValueError``. :func:`rescaled_glorot` and
:func:`radius_quantile` also offer ``method="empirical"``, a Monte Carlo quantile of the finite-n
spectral radius that works for every ``n >= 2``.

Linear recurrences :math:`h_t = W h_{t-1} + x_t` are simulated batched: many matrices as one stacked
array, many inputs as columns, each step one batched matrix product.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import gammainc, gammaln

from ._validate import (MAX_N, as_count, as_finite_array, as_matrix_stack, as_positive_int, as_real_array, as_rng,
                        as_scale)
from .init import ginibre
from .lyapunov import normalised, renormalised_growth
from .spectra import spectral_radius

__all__ = ["glorot", "rescaled_glorot", "rho", "gumbel_cdf", "gumbel_quantile", "default_quantile",
           "spectral_radius_cdf", "spectral_radius_pdf", "complex_radius_cdf", "expected_spectral_radius",
           "radius_quantile", "rescaling_factor",
           "state_norm_lower_bound", "hidden_state_lower_bound", "spectral_radii", "power_norms",
           "hidden_state_norms", "explosion_times", "N_MIN_ASYMPTOTIC"]

N_MIN_ASYMPTOTIC = 164  # smallest n with rho_n > 0


def _delta(complex_) -> int:
    if not isinstance(complex_, (bool, np.bool_)):
        raise TypeError(f"complex_ must be True or False, got {complex_!r}")
    return 0 if complex_ else 1


def _n(n, minimum=1, dense=False):
    """Matrix size ``n``; at most ``MAX_N`` where an n x n matrix is built (``dense``)."""
    return as_count("n", n, minimum=minimum, maximum=MAX_N) if dense else as_positive_int("n", n, minimum=minimum)


def _shrunk(A, axis):
    """``(A / s, log s)`` with ``s = max(1, max |A|)`` over ``axis`` (kept): a huge scale divided out, so
    that products of ``A`` with unit vectors cannot overflow."""
    s = np.maximum(np.abs(A).max(axis=axis, keepdims=True), 1.0)
    return A / s, np.log(s)


def glorot(n: int, complex_: bool = False, seed=None, samples: int | None = None) -> np.ndarray:
    r"""A Glorot matrix: i.i.d. :math:`\mathcal N(0, 1/n)` entries (Eq. 2), or complex
    :math:`(Z_1 + iZ_2)/\sqrt2` with :math:`Z_{1,2}` of that law (Eq. 3). ``samples`` stacks that many
    independent matrices along a first axis. Drawn by :func:`criticality.init.ginibre`."""
    n = _n(n, dense=True)
    return ginibre(n, complex_=complex_, samples=samples, seed=seed)


def rho(n) -> np.ndarray | float:
    r""":math:`\rho_n = \log(n / (2\pi (\log n)^2))`; ``ValueError`` for ``n < 164`` where it is <= 0."""
    arr = np.asarray(n)
    if arr.dtype.kind not in "iu" or np.any(arr < N_MIN_ASYMPTOTIC):
        raise ValueError(f"n must be an integer >= {N_MIN_ASYMPTOTIC} for the asymptotic edge law "
                         f"(rho_n = log(n / (2 pi log(n)^2)) <= 0 for n <= 163), got {n!r}; "
                         "use method='empirical' for smaller matrices")
    out = np.log(arr / (2 * np.pi * np.log(arr) ** 2))
    return float(out) if out.ndim == 0 else out


def _gumbel_c(complex_) -> float:
    """c = 1 - delta_R / 2 in F_G(x) = exp(-c e^-x)."""
    return 1.0 - _delta(complex_) / 2


def _edge(n):
    """Eq. (6) as |lambda|_max = centre + width G: centre 1 + sqrt(rho_n/4n), width 1/sqrt(4 rho_n n)."""
    R = rho(n)
    n = np.asarray(n, dtype=float)
    return 1 + np.sqrt(R / (4 * n)), 1 / np.sqrt(4 * R * n)


def gumbel_cdf(x, complex_: bool = False):
    r""":math:`F_G(x) = \exp(-(1-\delta_{\mathbb R}/2)e^{-x})` of Theorem 4.1."""
    c = _gumbel_c(complex_)
    x = as_real_array("x", x, minimum=None)
    with np.errstate(over="ignore"):  # e^{-x} = inf far left: F_G = exp(-inf) = 0, exactly right
        out = np.exp(-c * np.exp(-x))
    return float(out) if out.ndim == 0 else out


def gumbel_quantile(p, complex_: bool = False):
    r"""The :math:`p`-quantile :math:`a_p` of :math:`G`: :math:`F_G(a_p) = p`."""
    p = as_real_array("p", p, minimum=0.0, strict=True)
    if np.any(p >= 1):
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    out = np.log(_gumbel_c(complex_)) - np.log(-np.log(p))
    return float(out) if out.ndim == 0 else out


def default_quantile(complex_: bool = False) -> float:
    r"""The paper's :math:`a_p = \gamma - \delta_{\mathbb R}\ln 2 + \pi/\sqrt6` (mean + 1 sd of G)."""
    return float(np.euler_gamma - _delta(complex_) * np.log(2) + np.pi / np.sqrt(6))


def spectral_radius_cdf(r, n: int, complex_: bool = False):
    r"""Asymptotic :math:`P(|\lambda|_{\max} \le r)` of an n x n Glorot matrix (Theorem 4.1)."""
    centre, width = _edge(_n(n))
    return gumbel_cdf((as_real_array("r", r, minimum=None) - centre) / width, complex_)


def complex_radius_cdf(r, n: int):
    r"""Exact :math:`P(|\lambda|_{\max} \le r)` of an n x n *complex* Glorot matrix, at any n.

    By Kostlan's theorem :cite:`kostlan1992spectra` the squared moduli :math:`N|\lambda_k|^2` of the
    eigenvalues of a complex Ginibre matrix are distributed as independent Gamma variables of shapes
    :math:`k = 1, \dots, N`, so :math:`P(\rho \le r) = \prod_{k=1}^{N} P(\Gamma_k \le N r^2)`, a product
    of regularised incomplete gamma functions (summed in logs). ``r`` a real number or array."""
    n = _n(n, dense=True)
    r = as_real_array("r", r, minimum=None)
    x = n * np.square(np.clip(r, 0.0, 1e100))[..., None]  # clipped: the square stays finite
    with np.errstate(divide="ignore"):  # a factor 0 (r <= 0) gives log 0 = -inf: probability 0
        out = np.exp(np.log(gammainc(np.arange(1, n + 1), x)).sum(axis=-1))
    return float(out) if out.ndim == 0 else out


def spectral_radius_pdf(r, n: int, complex_: bool = False):
    """Density of the asymptotic law of :func:`spectral_radius_cdf` (for histograms)."""
    centre, width = _edge(_n(n))
    x = (as_real_array("r", r, minimum=None) - centre) / width
    c = _gumbel_c(complex_)
    with np.errstate(over="ignore"):  # one exponential, so the far left tail is 0 rather than inf * 0
        out = c * np.exp(-x - c * np.exp(-x)) / width
    return float(out) if out.ndim == 0 else out


def expected_spectral_radius(n, complex_: bool = False):
    r"""Eq. (7): :math:`1 + \sqrt{\rho_n/4n} + (\gamma - \delta_{\mathbb R}\ln 2)/\sqrt{4\rho_n n}`."""
    centre, width = _edge(n)
    out = centre + (np.euler_gamma - _delta(complex_) * np.log(2)) * width
    return float(out) if out.ndim == 0 else out


def rescaling_factor(n: int, p=None, complex_: bool = False) -> float:
    r"""Eq. (10)'s :math:`c = 1 + \sqrt{\rho_n/4n} + a_p/\sqrt{4\rho_n n}`: rescaled Glorot is Glorot / c."""
    centre, width = _edge(_n(n))
    a = default_quantile(complex_) if p is None else gumbel_quantile(as_scale("p", p, maximum=None), complex_)
    return float(centre + a * width)


def _check_method(method):
    if method not in ("gumbel", "empirical"):
        raise ValueError(f"method must be 'gumbel' or 'empirical', got {method!r}")


def radius_quantile(p, n: int, complex_: bool = False, method: str = "gumbel", samples: int = 400):
    """The p-quantile of the spectral radius: from Theorem 4.1 (``method="gumbel"``, n >= 164) or the
    Monte Carlo quantile of ``samples`` matrices (``"empirical"``, any n >= 2, fixed seed)."""
    _check_method(method)
    n = _n(n, minimum=2)
    if method == "gumbel":
        return rescaling_factor(n, p, complex_)
    _delta(complex_)  # validates complex_
    q = default_quantile_probability(complex_) if p is None else as_scale("p", p, strict=True, maximum=None)
    if not 0 < q < 1:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    return float(np.quantile(_empirical_radii(n, bool(complex_), as_count("samples", samples)), q))


def default_quantile_probability(complex_: bool = False) -> float:
    """p = F_G(a_p) = exp(-exp(-gamma - pi/sqrt 6)) = 0.8558 for the paper's a_p, real or complex."""
    return gumbel_cdf(default_quantile(complex_), complex_)


@lru_cache(maxsize=64)
def _empirical_radii(n: int, complex_: bool, samples: int) -> np.ndarray:
    return spectral_radii(n, samples, complex_=complex_, seed=np.random.SeedSequence([20250611, n, int(complex_)]))


def rescaled_glorot(n: int, p=None, complex_: bool = False, seed=None, method: str = "gumbel",
                    samples: int | None = None) -> np.ndarray:
    r"""Eq. (10): a Glorot matrix divided by the ``p``-quantile of its spectral radius.

    ``p=None`` uses the paper's :math:`a_p = \gamma - \delta_{\mathbb R}\ln2 + \pi/\sqrt6`
    (:math:`p \approx 0.856`). ``method="gumbel"`` (the paper) needs ``n >= 164``;
    ``method="empirical"`` divides by the Monte Carlo p-quantile of 400 spectral radii at this n
    instead (any ``n >= 2``; computed once per n and cached for the session).
    """
    _check_method(method)
    n = _n(n, minimum=2)
    c = radius_quantile(p, n, complex_, method)
    return glorot(n, complex_, seed, samples) / c


def state_norm_lower_bound(n, k, log: bool = False):
    r"""Theorem 6.1: :math:`E\|W^k x\|^2 \ge \frac{n}{k+1}\frac{(n+k)!}{n!\,n^k}` (complex Glorot W,
    :math:`x\sim\mathcal N(0, I_n)`). Computed in logs with ``gammaln``; ``log=True`` returns the
    natural log (finite for any n, k), otherwise its exponential (``inf`` beyond float range)."""
    n = np.asarray(n)
    k = np.asarray(k)
    for name, v, lo in (("n", n, 1), ("k", k, 0)):
        if v.dtype.kind not in "iu" or np.any(v < lo):
            raise ValueError(f"{name} must be an integer (array) >= {lo}, got {v!r}")
    nf, kf = n.astype(float), k.astype(float)
    out = np.log(nf) - np.log1p(kf) + gammaln(nf + kf + 1) - gammaln(nf + 1) - kf * np.log(nf)
    if not log:
        with np.errstate(over="ignore"):
            out = np.exp(out)
    return float(out) if out.ndim == 0 else out


def hidden_state_lower_bound(n: int, t, log: bool = False):
    r"""Eq. (14) of Bar et al. with Theorem 6.1: :math:`\sum_{k=0}^{t} \text{bound}(n, k)`, a lower bound on
    the squared norm of a state that has received the ``t + 1`` i.i.d. standard Gaussian inputs
    :math:`x_0, \dots, x_t` (the paper's indexing), i.e. on :math:`E\|h_{t+1}\|^2` in the indexing of
    :func:`hidden_state_norms` (:math:`h_0 = 0`, first input at step 1). Log-sum-exp; ``t`` may be an array."""
    n = _n(n)
    t = np.asarray(t)
    if t.dtype.kind not in "iu" or np.any(t < 0):
        raise ValueError(f"t must be an integer (array) >= 0, got {t!r}")
    terms = state_norm_lower_bound(n, np.arange(int(t.max()) + 1), log=True)
    cum = np.logaddexp.accumulate(terms)[t]
    if not log:
        with np.errstate(over="ignore"):
            cum = np.exp(cum)
    return float(cum) if np.ndim(cum) == 0 else cum


def spectral_radii(n: int, samples: int, complex_: bool = False, scale: float = 1.0, seed=None,
                   chunk: int = 16, executor=None, method: str = "eigenvalues") -> np.ndarray:
    r"""Spectral radii of ``samples`` independent Glorot matrices (times ``scale``).

    ``method="eigenvalues"`` draws the matrices in chunks of ``chunk`` in order from ``seed`` and
    computes their eigenvalues, each chunk's in parallel on ``executor`` if given (see
    :func:`criticality.spectra.eigenvalues`). ``method="kostlan"`` (complex matrices only) draws the
    radii directly from their exact law, :math:`\sqrt{\max_k \Gamma_k / N}` with independent
    :math:`\Gamma_k` of shapes :math:`k = 1, \dots, N` (see :func:`complex_radius_cdf`): the same
    distribution, not the same numbers, at a cost of N Gamma draws a matrix instead of an eigenvalue
    solve (a zgeev of 1.6 s at N = 1000)."""
    n = _n(n, dense=True)
    samples = as_count("samples", samples)
    scale = as_scale("scale", scale, strict=True)
    chunk = as_count("chunk", chunk)
    rng = as_rng(seed)
    if method not in ("eigenvalues", "kostlan"):
        raise ValueError(f"method must be 'eigenvalues' or 'kostlan', got {method!r}")
    if method == "kostlan":
        if _delta(complex_):
            raise ValueError("method='kostlan' needs complex_=True: Kostlan's theorem is for complex "
                             "Ginibre matrices")
        out = np.empty(samples)
        for start in range(0, samples, 4096):  # at most 4096 x N draws at a time
            m = min(4096, samples - start)
            out[start:start + m] = rng.gamma(np.arange(1.0, n + 1), size=(m, n)).max(axis=1)
        return scale * np.sqrt(out / n)
    out = []
    for start in range(0, samples, chunk):
        W = glorot(n, complex_, rng, min(chunk, samples - start))
        out.append(np.atleast_1d(spectral_radius(W, executor)))
    return scale * np.concatenate(out)


def _log_growth(W, v, k_max):
    """Yield ``(k, log ||W^k v|| - log ||v||)`` for k = 1..k_max, columns of the stack ``v`` (S, n, B):
    the renormalised loop of :func:`criticality.lyapunov.renormalised_growth`, with ``W`` divided by
    its largest entry (if > 1) so nothing overflows; a vector mapped to exactly 0 has log-growth -inf
    from then on."""
    W, log_s = _shrunk(W, (1, 2))
    total = np.zeros((v.shape[0], v.shape[2]))
    for k, _, growth in renormalised_growth(lambda x, u: (x, W @ u, log_s[:, :, 0]), None, v, k_max, axis=1):
        total += growth
        yield k, total


def power_norms(W, x, k_max: int) -> np.ndarray:
    r""":math:`\|W^k x\|` for k = 0..k_max: ``W`` of shape (S, n, n) or (n, n), ``x`` of shape
    (n, B) (the same inputs for every matrix) -> array (k_max + 1, S, B). Norms are accumulated in
    logs with renormalisation, so they overflow only to ``inf`` beyond the float range."""
    W = as_matrix_stack("W", W)
    k_max = as_count("k_max", k_max, minimum=0)
    x = as_finite_array("x", x)
    x = x[:, None] if x.ndim == 1 else x
    if x.ndim != 2 or x.shape[0] != W.shape[1]:
        raise ValueError(f"x must have {W.shape[1]} rows (W is {W.shape[1]} x {W.shape[1]}) and shape (n,) or (n, B), "
                         f"got {x.shape}")
    v = np.broadcast_to(x, (W.shape[0],) + x.shape).astype(np.result_type(W, x, float))
    logs = np.empty((k_max + 1, W.shape[0], x.shape[1]))
    logs[0] = normalised(v, axis=1)[1]  # a zero input has log-norm -inf: norm 0 throughout
    for k, growth in _log_growth(W, v, k_max):
        logs[k] = logs[0] + growth
    with np.errstate(over="ignore"):
        return np.exp(logs)


def hidden_state_norms(W, inputs) -> np.ndarray:
    r""":math:`\|h_t\|` for :math:`h_t = W h_{t-1} + x_t`, :math:`h_0 = 0`: ``inputs`` of shape
    (T, n, B) (shared by all matrices) or (T, S, n, B) -> array (T, S, B) for t = 1..T. The state is
    kept as :math:`e^{c} \hat h` with :math:`\|\hat h\| = 1` (and ``W``, the inputs divided by their
    largest entries), so a norm beyond the float range is returned as ``inf``, never as NaN."""
    W = as_matrix_stack("W", W)
    X = as_finite_array("inputs", inputs)
    if X.ndim == 3:
        X = X[:, None]
    S = max(W.shape[0], X.shape[1]) if X.ndim == 4 else 0
    if X.ndim != 4 or X.shape[2] != W.shape[1] or {X.shape[1], W.shape[0]} - {1, S} or X.shape[0] == 0:
        raise ValueError(f"inputs must have shape (T, n, B) or (T, S, n, B) with n = {W.shape[1]} and S = "
                         f"{W.shape[0]} (W is (S, n, n)), T >= 1, got {np.shape(inputs)}")
    W, log_w = _shrunk(W, (1, 2))  # W = e^log_w W', entries of W' at most 1
    X, log_x = _shrunk(X, None)  # h is linear in the inputs: scale them to at most 1
    log_w, T, B = log_w[:, :, 0], X.shape[0], X.shape[3]
    h = np.zeros((S, W.shape[1], B), dtype=np.result_type(W, X))
    c = np.full((S, B), -np.inf)  # h_t = e^(c + log_x) h with ||h|| = 1 (h_0 = 0)
    logs = np.empty((T, S, B))
    for t in range(T):
        top = np.maximum(c + log_w, 0.0)  # W h_{t-1} and x_t are below ~n e^top: scale both by e^-top
        h = (W @ h) * np.exp(c + log_w - top)[:, None, :] + X[t] * np.exp(-top)[:, None, :]
        h, log_norm = normalised(h, axis=1)
        c = logs[t] = top + log_norm
    with np.errstate(over="ignore"):
        return np.exp(logs + log_x.item())


def explosion_times(n: int, samples: int, complex_: bool = False, threshold: float = 10.0,
                    k_max: int | None = None, inputs: int = 4, scale: float = 1.0, seed=None) -> np.ndarray:
    r"""First k with :math:`\|W^k x\| \ge` ``threshold`` :math:`\|x\|`, for ``samples`` Glorot matrices
    (times ``scale``) and ``inputs`` Gaussian vectors each -> array (samples, inputs); ``inf`` where the
    norm never got there within ``k_max`` steps (default ``12 sqrt(n)``). Matrices are drawn and
    iterated in chunks of at most 2^24 entries; a matrix whose vectors have all exploded leaves the
    product (the chunk is compacted each time a quarter of the matrices still in it are done), and
    iteration stops once every vector has: a chunk costs about the sum of its matrices' times, not
    its slowest's."""
    n = _n(n, dense=True)
    samples = as_count("samples", samples)
    inputs = as_count("inputs", inputs)
    threshold = as_scale("threshold", threshold, minimum=1.0, strict=True, maximum=None)
    scale = as_scale("scale", scale, strict=True)
    k_max = int(12 * np.sqrt(n)) if k_max is None else as_count("k_max", k_max)
    rng = as_rng(seed)
    chunk = max(1, 2**24 // (n * n))
    out = np.full((samples, inputs), np.inf)
    log_t, log_scale = np.log(threshold), np.log(scale)
    for start in range(0, samples, chunk):
        m = min(chunk, samples - start)
        W = glorot(n, complex_, rng, m)  # ||(sW)^k v|| = s^k ||W^k v||: the scale is added in logs
        v = rng.standard_normal((m, n, inputs)).astype(W.dtype)
        out[start:start + m] = _first_crossings(W, v, k_max, log_t - np.arange(k_max + 1) * log_scale)
    return out


def _first_crossings(W, v, k_max, log_t):
    """First k <= k_max with log ||W^k v|| - log ||v|| >= log_t[k], per column of the stack v (S, n, B)
    -> (S, B), inf where none; the loop of :func:`_log_growth` on the matrices not yet done only."""
    W, log_s = _shrunk(W, (1, 2))
    live = [np.arange(len(W)), W]  # the matrices with a vector not yet exploded, and their stack

    def step(x, u):
        s = u.copy()  # a finished matrix's vectors stay put: their times are known
        s[live[0]] = live[1] @ u[live[0]]
        return x, s, log_s[:, :, 0]

    first, total = np.full(v.shape[::2], np.inf), np.zeros(v.shape[::2])
    for k, _, growth in renormalised_growth(step, None, v, k_max, axis=1):
        total += growth
        first[np.isinf(first) & (total >= log_t[k])] = k
        todo = np.flatnonzero(np.isinf(first).any(axis=1))
        if todo.size == 0:
            break
        if 4 * todo.size <= 3 * live[0].size:
            live[:] = todo, W[todo]
    return first

