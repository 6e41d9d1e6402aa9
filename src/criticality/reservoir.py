r"""Reservoir computing with the batched engine: drive many gains at once, ridge readouts, forecasting.

A network of :mod:`criticality.models` with fixed random weights is the reservoir (thesis section 5):
it reads a series :math:`u(t)` through its input weights and a linear readout of its hidden state
is trained by ridge regression. Every gain of a sweep is a column of one batched state, so one time
step is one engine step for all gains (:func:`drive`); the readouts of all gains are fitted from
per-gain Gram matrices accumulated in chunks of rows (:func:`fit_ridge`). The memory of a noisy
linear reservoir :math:`h_t = W h_{t-1} + w u_t + \sigma\xi_t`, a stack of matrices ``W`` at once, is
:func:`delay_recall`.

Conventions
-----------
* **Input.** Input weights come from the network: ``make_network(arch, n, n_inputs=d,
  input_scale=a)`` draws every input matrix (candidate and gates) with i.i.d.
  :math:`\mathcal N(0, a^2/d)` entries, so a unit-variance input gives every unit an input drive
  of standard deviation :math:`a`. The series is fed as given (standardise it first if you want
  the amplitude to be ``a`` exactly).
* **Time.** The state after reading :math:`u(t)` is :math:`h_t` (for the RNN
  :math:`h_t = \tanh(g U h_{t-1} + W u(t))`, from :math:`h_{-1}` = ``state``, zero by default).
  The readout features are :math:`h_t` (for the LSTM the hidden rows :math:`h`, not :math:`c`).
* **Readout.** :math:`\hat y_t = \beta^\top h_t + c` with an unpenalised intercept :math:`c`
  (features and targets centred on the training rows). For a relative ridge :math:`r` the
  penalty is :math:`\alpha = r\,\mathrm{tr}(G)/n`, the mean diagonal of the (centred) Gram matrix
  :math:`G = X_c^\top X_c` of the training rows, as in :func:`delay_recall`:
  :math:`\beta(r) = (G + \alpha I)^{-1} X_c^\top y_c`. The Gram matrices are accumulated as
  rank-k updates (BLAS ``dsyrk``, lower triangle). All candidates come from one factorisation per
  gain. When every relative ridge exceeds :math:`n^2\epsilon` (so that
  :math:`\alpha > n\epsilon\,\mathrm{tr}\,G \ge n\epsilon\max w`), it is the tridiagonal reduction
  :math:`G = Q T Q^\top` (LAPACK ``dsytrd``, about half the work of an eigendecomposition) and
  :math:`\beta(r) = Q\,(T + \alpha I)^{-1} Q^\top X_c^\top y_c`, one positive definite tridiagonal
  solve per ridge. Otherwise (a ridge of 0, or a shifted T that is not positive definite in
  floating point) it is the eigendecomposition :math:`G = V\,\mathrm{diag}(w)\,V^\top`:
  :math:`\beta(r) = V\,\mathrm{diag}(1/(w+\alpha))\,V^\top X_c^\top y_c` (``np.linalg.eigh``;
  eigenvalues below 0 by rounding are set to 0, and a direction with
  :math:`w + \alpha \le n\epsilon\max w` is dropped, which makes ``r = 0`` the minimum-norm least
  squares fit). The two agree to rounding where both apply (tested).
* **Errors.** MSE is the mean over rows (and target components) of the squared error;
  NRMSE :math:`= \sqrt{\mathrm{MSE}/\mathrm{var}(y)}` with the population variance (ddof 0) of the
  target on the same segment (for a vector target, the mean of the components' variances), i.e.
  :math:`\sqrt{\mathrm{MSE}}/\mathrm{std}(y)` for a scalar series. Predicting the segment mean gives
  NRMSE = 1.

Memory: :func:`evaluate` streams; it never stores the states. It keeps ``B`` Gram matrices (and,
on the eigendecomposition path, the eigenvector matrices: at most ``2 B n^2`` floats, 512 MB for 32
gains at n = 1000) and one buffer of ``chunk`` rows. Validation and test errors are summed from the
predictions chunk by chunk (exact); the training error of every ridge is computed from the
accumulated sums (:math:`\|y_c\|^2 - q^\top\beta - \alpha\|\beta\|^2` with
:math:`q = X_c^\top y_c`, evaluated in the reduced basis), accurate to about :math:`10^{-16}\,\mathrm{var}(y)` in absolute
terms, so a training NRMSE below ~1e-7 is at the rounding floor.

Everything is float64 (a float32 network's states are converted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.linalg.blas import dsyrk as _syrk
from scipy.linalg.lapack import dormqr as _ormqr, dptsv as _ptsv, dsterf as _sterf, dsytrd as _sytrd

from ._validate import (MAX_COUNT, MAX_SCALE, as_count, as_matrix_stack, as_numeric_array, as_real_array, as_rng,
                        as_scale, as_vector)
from .init import gaussian
from .models import Gains, Network

__all__ = ["DEFAULT_RIDGES", "CHUNK", "drive", "fit_ridge", "RidgeFit", "evaluate", "ReservoirResult",
           "FORECAST_OUTPUTS", "sample_forecast", "optimal_gain",
           "delay_recall"]

DEFAULT_RIDGES = np.logspace(-9, -1, 9)  # relative to the mean diagonal of the Gram matrix
CHUNK = 256  # rows per Gram update: BLAS-3 at bounded memory (B * CHUNK * n floats)
MAX_RIDGE = 1e6
MAX_VALUE = 1e100  # |features| and |targets| of fit_ridge: sums of squares cannot overflow


# -- validation helpers ----------------------------------------------------------------------------
def _check_net(net) -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a criticality.models.Network (make_network(...)), got {type(net).__name__}")
    if not net.W:
        raise ValueError("net has no input weights: build it with make_network(..., n_inputs=d, input_scale=a)")
    return net


def _series(name: str, value, d_in: int | None = None) -> np.ndarray:
    """A finite real series of shape (T,) or (T, d), entries in [-MAX_SCALE, MAX_SCALE], as (T, d) float64."""
    arr = as_real_array(name, value, minimum=-MAX_SCALE, maximum=MAX_SCALE)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        want = "(T,) or (T, d)" if d_in is None else f"(T,) or (T, {d_in})" if d_in > 1 else "(T,) or (T, 1)"
        raise ValueError(f"{name} must have shape {want} with T >= 1, got {np.shape(value)}")
    if d_in is not None and arr.shape[1] != d_in:
        raise ValueError(f"{name} must have shape (T, {d_in}) (the network's n_inputs = {d_in}), got {arr.shape}")
    return arr


def _ridges(ridges) -> np.ndarray:
    return as_vector("ridges", ridges, minimum=0.0, maximum=MAX_RIDGE)


def _states(net: Network, a: Gains, inputs: np.ndarray, state: np.ndarray):
    """Yield the hidden rows (n, B) after each input row (one engine step for all gains)."""
    x = inputs.astype(net.dtype, copy=False)
    for t in range(x.shape[0]):
        state = net._step(state, None, a, x[t])[0]
        yield state[-net.n:], state


# -- driving ---------------------------------------------------------------------------------------
def drive(net: Network, g, inputs, *, washout: int = 0, state=None, return_state: bool = False):
    r"""Drive the reservoir ``net`` with ``inputs`` at every gain of ``g`` at once.

    ``inputs`` is ``(T,)`` or ``(T, d_in)`` with ``d_in`` the network's ``n_inputs`` (the same input
    for every gain; input weights :math:`\mathcal N(0, a^2/d_{in})` with ``a`` = ``input_scale`` of
    :func:`~criticality.models.make_network`). ``g`` is a gain or array of ``B`` gains (or a dict of
    per-matrix gains, see ``Network.gains``); ``state`` the state before the first input, of shape
    ``(state_size,)`` (every column) or ``(state_size, B)``, zero by default.

    Returns the features ``(T - washout, B, n)`` (float64): row ``t`` is the hidden state after
    reading ``inputs[washout + t]`` (the LSTM's ``h``, the last ``n`` rows of its state), time-major
    like the series. With ``return_state`` also the final full state ``(state_size, B)``.
    One batched engine step per time step; no loop over gains.
    """
    net = _check_net(net)
    x = _series("inputs", inputs, net.n_inputs)
    T = x.shape[0]
    washout = as_count("washout", washout, minimum=0, maximum=T - 1) if T > 0 else 0
    a = net.gains(g)
    B = a.batch
    s = net.zero_state(B) if state is None else net.batch_state(state, B)
    out = np.empty((T - washout, B, net.n))
    last = s
    for t, (h, last) in enumerate(_states(net, a, x, s)):
        if t >= washout:
            out[t - washout] = h.T
    return (out, last) if return_state else out


# -- ridge readout ---------------------------------------------------------------------------------
@dataclass
class RidgeFit:
    """Ridge readouts for ``B`` feature sets (gains) and ``K`` ridge strengths, from one
    factorisation per gain (see the module docstring).

    Attributes: ``ridges`` (K,) relative strengths; ``alpha`` (B, K) the absolute penalties
    :math:`r\\,\\mathrm{tr}(G)/n`; ``coef`` (B, K, n, k); ``intercept`` (B, K, k) (zero without
    intercept); ``eigenvalues`` (B, n) of the (centred) Gram matrix; ``train_mse`` (B, K, k) from
    the accumulated sums; ``rows`` the number of training rows. ``k`` axes are dropped from
    ``predict``/``train_mse``-derived outputs when the targets were 1-d.
    """

    ridges: np.ndarray
    alpha: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    eigenvalues: np.ndarray
    train_mse: np.ndarray
    rows: int
    vector_target: bool = field(default=False, repr=False)

    @property
    def batch(self) -> int:
        return self.coef.shape[0]

    @property
    def n_features(self) -> int:
        return self.coef.shape[2]

    def _index(self, index) -> np.ndarray:
        K = self.ridges.size
        idx = np.asarray(index)
        if idx.dtype.kind not in "iu" or idx.ndim > 1 or (idx.ndim == 1 and idx.size != self.batch):
            raise ValueError(f"index must be an integer or {self.batch} integers (one per gain) in [0, {K - 1}], "
                             f"got {index!r}")
        if np.any(idx < 0) or np.any(idx >= K):
            raise ValueError(f"index must be in [0, {K - 1}], got {index!r}")
        return np.broadcast_to(idx, (self.batch,))

    def _features(self, features) -> np.ndarray:
        X = as_real_array("features", features, minimum=-MAX_VALUE, maximum=MAX_VALUE)
        if X.ndim == 2 and self.batch == 1:
            X = X[:, None, :]
        if X.ndim != 3 or X.shape[1:] != (self.batch, self.n_features):
            raise ValueError(f"features must have shape (T, {self.batch}, {self.n_features}), got {X.shape}")
        return X

    def _predict_gm(self, X: np.ndarray, idx: np.ndarray | None) -> np.ndarray:
        """Predictions of gain-major features X (B, rows, n): (B, rows, K, k), or (B, rows, k) for idx."""
        B, rows, n = X.shape
        if idx is None:
            K, k = self.coef.shape[1], self.coef.shape[3]
            C = self.coef.transpose(0, 2, 1, 3).reshape(B, n, K * k)
            return (X @ C).reshape(B, rows, K, k) + self.intercept[:, None]
        sel = np.arange(B)
        return X @ self.coef[sel, idx] + self.intercept[sel, idx][:, None, :]

    def predict(self, features, index=None) -> np.ndarray:
        """Predictions for time-major ``features`` (T, B, n) (or (T, n) for one gain): (T, B, K, k) for
        every ridge, or (T, B, k) for ``index`` (one ridge index, or one per gain); no ``k`` axis for
        1-d targets."""
        X = self._features(features)
        idx = None if index is None else self._index(index)
        P = np.moveaxis(self._predict_gm(np.ascontiguousarray(X.transpose(1, 0, 2)), idx), 0, 1)
        return P[..., 0] if self.vector_target else P

    def mse(self, features, targets) -> np.ndarray:
        """Mean squared error (over rows and target components) of every ridge: (B, K)."""
        X = self._features(features)
        Y = _targets(targets, X.shape[0], self.batch, self.coef.shape[3])
        err = self._predict_gm(np.ascontiguousarray(X.transpose(1, 0, 2)), None) - Y[:, :, None, :]
        return np.mean(err**2, axis=(1, 3))


def _targets(targets, T: int, batch: int, k: int | None = None) -> np.ndarray:
    """Targets as a gain-major (B or 1, T, k) array."""
    Y = as_real_array("targets", targets, minimum=-MAX_VALUE, maximum=MAX_VALUE)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.ndim == 2:
        Y = Y[None]
    elif Y.ndim == 3:
        Y = Y.transpose(1, 0, 2)
    if (Y.ndim != 3 or Y.shape[1] != T or Y.shape[0] not in (1, batch) or Y.shape[2] == 0
            or (k is not None and Y.shape[2] != k)):
        kk = "k" if k is None else k
        raise ValueError(f"targets must have shape ({T},), ({T}, {kk}) or ({T}, {batch}, {kk}) to match the features "
                         f"({T} rows, {batch} feature sets), got {np.shape(targets)}")
    return Y


class _Gram:
    """Streaming sums for B ridge problems: Gram matrices, cross terms and sums, BLAS-3 per chunk.

    With an intercept the rows are shifted by the first chunk's mean before accumulating (so the
    centring correction is small and loses no precision when the features have a large mean)."""

    def __init__(self, batch: int, n: int, k: int, intercept: bool = True):
        self.B, self.n, self.k, self.intercept = batch, n, k, intercept
        self.G = np.zeros((batch, n, n))  # only the lower triangle is accumulated (eigh reads that one)
        self.XY = np.zeros((batch, n, k))
        self.sx = np.zeros((batch, n))
        self.sy = np.zeros((batch, k))
        self.yy = np.zeros((batch, k))
        self.x0 = np.zeros((batch, 1, n))
        self.y0 = np.zeros((batch, 1, k))
        self.rows = 0

    def add(self, X: np.ndarray, Y: np.ndarray):
        """X gain-major (B, rows, n), Y (B or 1, rows, k)."""
        if self.intercept and self.rows == 0:
            self.x0 = X.mean(axis=1, keepdims=True)
            self.y0 = np.broadcast_to(Y.mean(axis=1, keepdims=True), (self.B, 1, self.k)).copy()
        Xs, Ys = (X - self.x0, Y - self.y0) if self.intercept else (X, Y)
        Xs = np.ascontiguousarray(Xs, dtype=np.float64)
        for b in range(self.B):  # G_b += Xs_b^T Xs_b in place: a rank-k update (half a GEMM), lower triangle
            out = _syrk(1.0, Xs[b].T, beta=1.0, c=self.G[b].T, trans=0, lower=0, overwrite_c=1)
            if not np.shares_memory(out, self.G):  # f2py made a copy after all
                self.G[b].T[...] = out
            self.XY[b] += Xs[b].T @ Ys[b if Ys.shape[0] > 1 else 0]
        self.sx += Xs.sum(axis=1)
        self.sy += Ys.sum(axis=1)
        self.yy += (Ys**2).sum(axis=1)
        self.rows += X.shape[1]

    def solve(self, ridges: np.ndarray, vector_target: bool = False) -> RidgeFit:
        """The readouts for every ridge; centres the Gram matrices in place (call once)."""
        m, n = self.rows, self.n
        G, XY, yy = self.G, self.XY, self.yy
        if self.intercept:
            mx, my = self.sx / m, self.sy / m
            G -= m * mx[:, :, None] * mx[:, None, :]
            XY = XY - m * mx[:, :, None] * my[:, None, :]
            yy = yy - m * my**2
        scale = np.trace(G, axis1=1, axis2=2) / n
        scale = np.where(scale > 0, scale, 1.0)  # constant features: any penalty gives beta = 0
        alpha = ridges[None, :] * scale[:, None]  # (B, K)
        K = ridges.size
        # A relative ridge above n^2 eps drops no direction below (w + alpha > n eps max w, as max w <= tr G),
        # so every ridge is a positive definite solve: one tridiagonal reduction per gain serves them all.
        solved = None
        if ridges.min() > n * n * np.finfo(float).eps:
            solved = [_tridiagonal_solve(G[b], XY[b], alpha[b]) for b in range(self.B)]
        if solved is not None and all(x is not None for x in solved):
            w, coef, fitted = (np.stack(x) for x in zip(*solved))
        else:  # a ridge of (nearly) 0: the eigendecomposition, which can drop null directions
            w, coef, fitted = _eigen_solve(G, XY, alpha)
        train_mse = np.maximum(yy[:, None, :] - fitted, 0.0) / m
        if self.intercept:
            xbar = self.x0[:, 0] + self.sx / m  # (B, n)
            ybar = self.y0[:, 0] + self.sy / m  # (B, k)
            intercept = ybar[:, None, :] - np.einsum("bn,bjnk->bjk", xbar, coef)
        else:
            intercept = np.zeros((self.B, K, self.k))
        return RidgeFit(ridges.copy(), alpha, coef, intercept, w, train_mse, m, vector_target)


def _eigen_solve(G, XY, alpha):
    """Every ridge from one symmetric eigendecomposition per gain (lower triangles of G (B, n, n));
    directions with w + alpha <= n eps max w are dropped (so a ridge of 0 is the minimum-norm fit).
    Returns eigenvalues (B, n), coefficients (B, K, n, k) and the fitted sums (B, K, k)."""
    B, n, k = XY.shape
    K = alpha.shape[1]
    w, V = np.linalg.eigh(G)  # LAPACK loops over B; reads the lower triangle
    w = np.maximum(w, 0.0)
    b = V.transpose(0, 2, 1) @ XY  # (B, n, k)
    den = w[:, None, :] + alpha[:, :, None]  # (B, K, n)
    tol = n * np.finfo(float).eps * w.max(axis=1)[:, None, None]
    inv = np.divide(1.0, den, out=np.zeros_like(den), where=den > tol)
    Z = inv[..., None] * b[:, None]  # (B, K, n, k)
    coef = (V @ Z.transpose(0, 2, 1, 3).reshape(B, n, K * k)).reshape(B, n, K, k).transpose(0, 2, 1, 3)
    fitted = np.einsum("bjn,bnk->bjk", inv * (2.0 - w[:, None, :] * inv), b**2)
    return w, coef, fitted


def _tridiagonal_solve(G, q, alpha):
    r"""Every ridge of one gain from one tridiagonal reduction :math:`G = Q T Q^\top` (LAPACK ``dsytrd``
    on the lower triangle of G (n, n), about half the work of an eigendecomposition):
    :math:`\beta(\alpha) = Q (T + \alpha I)^{-1} Q^\top q`, a tridiagonal positive definite solve
    (``dptsv``) per ridge. The fitted sum :math:`q^\top\beta + \alpha\|\beta\|^2` (training error
    = ``yy`` minus it) comes from the reduced vectors. Returns ``(eigenvalues (n,), coef (K, n, k),
    fitted (K, k))``, or None if a shifted T is not positive definite (then use :func:`_eigen_solve`)."""
    n, k = q.shape
    if n == 1:
        return None
    a, d, e, tau, info = _sytrd(G, lower=1, lwork=64 * n)
    if info:
        return None
    reflectors = a[1:, :-1]  # Q = diag(1, Q'), Q' the QR-type product of the n - 1 reflectors
    c = q.copy()
    c[1:] = _ormqr("L", "T", reflectors, tau, q[1:], 64 * k)[0]
    Z = np.empty((alpha.size, n, k))
    for j, al in enumerate(alpha):
        *_, Z[j], info = _ptsv(d + al, e, c)
        if info:
            return None
    fitted = np.einsum("jnk,nk->jk", Z, c) + alpha[:, None] * np.einsum("jnk,jnk->jk", Z, Z)
    flat = np.ascontiguousarray(Z.transpose(1, 0, 2)).reshape(n, alpha.size * k)
    coef = flat.copy()
    coef[1:] = _ormqr("L", "N", reflectors, tau, flat[1:], 64 * flat.shape[1])[0]
    w, info = _sterf(d, e)
    return np.maximum(w, 0.0), coef.reshape(n, alpha.size, k).transpose(1, 0, 2), fitted


def fit_ridge(features, targets, ridges=DEFAULT_RIDGES, *, intercept: bool = True, chunk: int = CHUNK) -> RidgeFit:
    r"""Ridge readouts of ``targets`` from ``features`` for every gain and every ridge strength.

    ``features`` is time-major ``(T, B, n)`` (the output of :func:`drive`) or ``(T, n)`` for one
    feature set; ``targets`` ``(T,)``, ``(T, k)`` (shared by all gains) or ``(T, B, k)``; finite, of
    modulus at most 1e100. ``ridges``
    (K values >= 0) are relative to the mean diagonal of the Gram matrix (centred if
    ``intercept``); ``intercept`` fits an unpenalised constant. The Gram matrices are accumulated
    in chunks of ``chunk`` rows; all ridges come from one factorisation per gain.
    Returns a :class:`RidgeFit`.
    """
    X = as_real_array("features", features, minimum=-MAX_VALUE, maximum=MAX_VALUE)
    if X.ndim == 2:
        X = X[:, None, :]
    if X.ndim != 3 or 0 in X.shape:
        raise ValueError(f"features must have shape (T, B, n) or (T, n), not empty, got {np.shape(features)}")
    T, B, n = X.shape
    targets = as_real_array("targets", targets, minimum=-MAX_VALUE, maximum=MAX_VALUE)
    vector_target = targets.ndim == 1
    Y = _targets(targets, T, B)
    ridges = _ridges(ridges)
    chunk = as_count("chunk", chunk)
    if not isinstance(intercept, (bool, np.bool_)):
        raise TypeError(f"intercept must be True or False, got {intercept!r}")
    acc = _Gram(B, n, Y.shape[2], bool(intercept))
    for s in range(0, T, chunk):
        acc.add(np.ascontiguousarray(X[s:s + chunk].transpose(1, 0, 2)), Y[:, s:s + chunk])
    return acc.solve(ridges, vector_target)


# -- forecasting -----------------------------------------------------------------------------------
@dataclass
class ReservoirResult:
    """Result of :func:`evaluate`, one entry per gain (B gains).

    ``train_mse``, ``validation_mse``, ``test_mse`` and the ``*_nrmse`` (B,) at the chosen ridge;
    ``ridge`` (B,) the chosen relative ridge, ``ridge_index`` (B,) its index in ``ridges`` (K,),
    ``alpha`` (B,) the absolute penalty; ``validation_mse_grid`` and ``train_mse_grid`` (B, K) for
    every candidate; ``readout`` the :class:`RidgeFit` (every candidate; use ``readout.predict(X,
    index=ridge_index)``); ``predictions`` (if asked) ``{"validation": (V, B[, d]), "test":
    (Te, B[, d])}`` and ``targets`` the matching ``{"validation": (V[, d]), "test": (Te[, d])}``;
    ``segments`` the first and last+1 state index of each segment (the target of state ``t`` is
    ``series[t + horizon]``).
    """

    g: object
    horizon: int
    segments: dict
    ridges: np.ndarray
    ridge_index: np.ndarray
    ridge: np.ndarray
    alpha: np.ndarray
    train_mse: np.ndarray
    validation_mse: np.ndarray
    test_mse: np.ndarray
    train_nrmse: np.ndarray
    validation_nrmse: np.ndarray
    test_nrmse: np.ndarray
    validation_mse_grid: np.ndarray
    train_mse_grid: np.ndarray
    readout: RidgeFit = field(repr=False)
    predictions: dict | None = field(default=None, repr=False)
    targets: dict | None = field(default=None, repr=False)


def _variance(name: str, Y: np.ndarray) -> float:
    var = float(np.mean(np.var(Y, axis=0)))
    if not var > 0:
        raise ValueError(f"series: the target is constant on the {name} segment ({len(Y)} samples), so its "
                         f"NRMSE is undefined")
    return var


def evaluate(net: Network, g, series, *, horizon: int = 1, washout: int, train: int, validation: int,
             test: int, ridges=DEFAULT_RIDGES, state=None, predictions: bool = False,
             chunk: int = CHUNK) -> ReservoirResult:
    r"""Forecast ``series`` ``horizon`` steps ahead with the reservoir ``net`` at every gain of ``g``.

    The reservoir reads ``series`` (``(T,)`` or ``(T, d)``, ``d`` = the network's ``n_inputs``); the
    readout of the state after reading :math:`u(t)` predicts :math:`u(t + \text{horizon})` (every
    component). States ``0 .. washout-1`` are discarded; the next ``train`` states fit the readout
    (intercept, every ridge of ``ridges``, relative to the mean diagonal of the centred Gram
    matrix), the next ``validation`` choose the ridge with the smallest validation MSE (per gain),
    and the next ``test`` score it (``train``, ``validation``, ``test`` >= 2, so that every segment's
    target can vary). ``series`` needs at least ``washout + train + validation + test + horizon``
    samples, with entries in [-1e6, 1e6]; later samples are ignored. MSE and NRMSE
    (:math:`\sqrt{\mathrm{MSE}/\mathrm{var}}` of the target on the same segment) as in the module
    docstring. One batched engine step per time step for all gains; the states are streamed
    through Gram matrices in chunks of ``chunk`` rows, never stored. ``predictions=True`` keeps the
    validation and test predictions at the chosen ridge. Returns a :class:`ReservoirResult`.
    """
    net = _check_net(net)
    d = net.n_inputs
    u = _series("series", series, d)
    horizon = as_count("horizon", horizon)
    washout = as_count("washout", washout, minimum=0)
    # two rows at least, so that each segment's target variance (the NRMSE's scale) can be non-zero
    train, validation, test = (as_count(k, v, minimum=2) for k, v in
                               (("train", train), ("validation", validation), ("test", test)))
    need = washout + train + validation + test + horizon
    if need > u.shape[0]:
        raise ValueError(f"series is too short: washout + train + validation + test + horizon = "
                         f"{washout} + {train} + {validation} + {test} + {horizon} = {need} samples needed, "
                         f"got {u.shape[0]}")
    ridges = _ridges(ridges)
    chunk = as_count("chunk", chunk, maximum=MAX_COUNT)
    if not isinstance(predictions, (bool, np.bool_)):
        raise TypeError(f"predictions must be True or False, got {predictions!r}")
    a = net.gains(g)
    B = a.batch
    s0 = net.zero_state(B) if state is None else net.batch_state(state, B)
    n, K = net.n, ridges.size

    bounds = np.cumsum([washout, train, validation, test])
    names = ("train", "validation", "test")
    segments = {k: (int(bounds[i]), int(bounds[i + 1])) for i, k in enumerate(names)}
    Y = u[horizon:need]  # Y[t] = u(t + horizon), the target of state t
    var = {k: _variance(k, Y[lo:hi]) for k, (lo, hi) in segments.items()}

    acc = _Gram(B, n, d, intercept=True)
    buf = np.empty((B, min(chunk, max(train, validation, test)), n))
    sse_val = np.zeros((B, K))
    sse_test = np.zeros(B)
    kept = {"validation": [], "test": []}
    fit = idx = None
    seg, i = 0, 0
    for t, (h, _) in enumerate(_states(net, a, u[:bounds[-1]], s0)):
        if t < washout:
            continue
        buf[:, i] = h.T
        i += 1
        hi_seg = segments[names[seg]][1]
        if i < buf.shape[1] and t + 1 < hi_seg:
            continue
        X, Yc = buf[:, :i], Y[t + 1 - i:t + 1]
        if seg == 0:
            acc.add(X, Yc[None])
        elif seg == 1:
            P = fit._predict_gm(X, None)  # (B, rows, K, d)
            sse_val += np.sum((P - Yc[None, :, None, :]) ** 2, axis=(1, 3))
            if predictions:
                kept["validation"].append(P)
        else:
            P = fit._predict_gm(X, idx)  # (B, rows, d)
            sse_test += np.sum((P - Yc[None]) ** 2, axis=(1, 2))
            if predictions:
                kept["test"].append(P)
        i = 0
        if t + 1 == hi_seg:
            if seg == 0:
                fit = acc.solve(ridges, np.ndim(series) == 1)
            elif seg == 1:
                idx = np.argmin(sse_val, axis=1)
            seg += 1

    sel = np.arange(B)
    val_grid = sse_val / (validation * d)
    train_grid = fit.train_mse.mean(axis=2)
    mse = {"train": train_grid[sel, idx], "validation": val_grid[sel, idx], "test": sse_test / (test * d)}
    nrmse = {k: np.sqrt(v / var[k]) for k, v in mse.items()}
    pred = tgt = None
    if predictions:
        vec = np.ndim(series) == 1
        P_val = np.concatenate(kept["validation"], axis=1)[sel, :, idx]  # (B, V, d)
        P_test = np.concatenate(kept["test"], axis=1)
        pred = {"validation": P_val.transpose(1, 0, 2), "test": P_test.transpose(1, 0, 2)}
        tgt = {k: Y[lo:hi] for k, (lo, hi) in segments.items() if k != "train"}
        if vec:
            pred = {k: v[..., 0] for k, v in pred.items()}
            tgt = {k: v[:, 0] for k, v in tgt.items()}
    gains = g if isinstance(g, dict) else np.atleast_1d(np.asarray(g, dtype=float))
    return ReservoirResult(gains, horizon, segments, ridges, idx, ridges[idx], fit.alpha[sel, idx],
                           mse["train"], mse["validation"], mse["test"], nrmse["train"], nrmse["validation"],
                           nrmse["test"], val_grid, train_grid, fit, pred, tgt)


FORECAST_OUTPUTS = ("train_mse", "validation_mse", "test_mse", "test_nrmse", "train_mse_least")


def sample_forecast(arch: str, n: int, g, *, series, washout: int, train: int, validation: int, test: int,
                    horizon: int = 1, input_scale: float = 1.0, sigma_b: float = 0.0, bias: str = "gaussian",
                    t_max=None, recurrent=None, ridges=DEFAULT_RIDGES, seed=None, dtype=np.float64) -> dict:
    r"""Draw one reservoir from ``seed`` and return its forecasting errors at every gain of ``g``.

    The reservoir is ``make_network(arch, n, sigma_b=..., bias=..., t_max=..., recurrent=..., n_inputs=d,
    input_scale=..., dtype=...)`` (``d`` the series' dimension; ``recurrent`` names an initialiser of
    :data:`criticality.init.INITIALISERS`, default Gaussian; ``dtype``, numpy.float64 or numpy.float32, is
    the precision of the reservoir's states, the readout being fitted in float64 either way); the errors
    are those of :func:`evaluate` with the other keywords. A self-contained task for
    :func:`criticality.sweep.run_sweep` (``seed`` may be the task's ``numpy.random.SeedSequence``);
    averaging it over seeds averages over disorder.

    Returns a dict of (B,) arrays, one entry per gain, named as in :data:`FORECAST_OUTPUTS`:
    ``train_mse``, ``validation_mse``, ``test_mse`` and ``test_nrmse`` at the ridge chosen on the
    validation segment, and ``train_mse_least``, the training MSE of the weakest ridge of ``ridges``
    (the least-squares fit, as close to unregularised as the grid goes).
    """
    from .models import make_network

    u = _series("series", series)
    net = make_network(arch, n, sigma_b=sigma_b, bias=bias, t_max=t_max, recurrent=recurrent,
                       n_inputs=u.shape[1], input_scale=input_scale, seed=as_rng(seed), dtype=dtype)
    r = evaluate(net, g, series, horizon=horizon, washout=washout, train=train, validation=validation,
                 test=test, ridges=ridges)
    least = int(np.argmin(r.ridges))
    return {"train_mse": r.train_mse, "validation_mse": r.validation_mse, "test_mse": r.test_mse,
            "test_nrmse": r.test_nrmse, "train_mse_least": r.train_mse_grid[:, least]}


def optimal_gain(g, errors) -> np.ndarray:
    r"""The gain of least error along the last axis of ``errors`` (..., G), refined between grid points.

    ``g`` is the increasing grid of G >= 3 gains (not necessarily uniform). For each row the grid
    minimum :math:`g_i` is refined to the vertex of the parabola through the three points
    :math:`(g_{i-1}, \ln e_{i-1}), (g_i, \ln e_i), (g_{i+1}, \ln e_{i+1})` (errors fall and rise by
    orders of magnitude, so the fit is in the log), which lies within :math:`[g_{i-1}, g_{i+1}]`; a
    minimum at either end of the grid is returned as that end (the true minimum may lie beyond).
    Rows with a non-finite or non-positive error at the minimum's points give NaN.
    """
    g = as_vector("g", g, minimum=-MAX_SCALE, maximum=MAX_SCALE)
    if g.size < 3 or np.any(np.diff(g) <= 0):
        raise ValueError(f"g must be an increasing grid of at least 3 gains, got {g!r}")
    e = as_numeric_array("errors", errors)
    if e.ndim == 0 or e.shape[-1] != g.size:
        raise ValueError(f"errors must have the grid's {g.size} gains on its last axis, got shape {e.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(np.where(e > 0, e, np.nan))
    i = np.argmin(np.where(np.isnan(y), np.inf, y), axis=-1)
    j = np.clip(i, 1, g.size - 2)  # the middle of the three points
    y0, y1, y2 = (np.take_along_axis(y, (j + k)[..., None], axis=-1)[..., 0] for k in (-1, 0, 1))
    x0, x1, x2 = g[j - 1], g[j], g[j + 1]
    d01, d12 = (y1 - y0) / (x1 - x0), (y2 - y1) / (x2 - x1)
    curv = (d12 - d01) / (x2 - x0)
    with np.errstate(divide="ignore", invalid="ignore"):
        vertex = 0.5 * (x0 + x1) - d01 / (2 * curv)
    vertex = np.where(curv > 0, np.clip(vertex, x0, x2), g[i])
    out = np.where((i == 0) | (i == g.size - 1), g[i], vertex)
    return np.where(np.isfinite(y0 + y1 + y2), out, np.nan)


# -- memory: delay recall of a linear reservoir ----------------------------------------------------
def delay_recall(W, delays, *, noise: float = 0.1, train: int = 3000, test: int = 1000,
                 ridge: float = 1e-6, blowup: float = 1e8, seed=None):
    r"""How well a noisy linear reservoir :math:`h_t = W h_{t-1} + w u_t + \sigma\xi_t` remembers its input.

    A scalar i.i.d. :math:`\mathcal N(0,1)` input drives every matrix of the stack ``W`` (S, n, n)
    through the same input weights :math:`w\sim\mathcal N(0, I_n)`; for each delay ``d`` a ridge
    readout of :math:`h_t` is fitted to :math:`u_{t-d}` on ``train`` steps and scored on the next
    ``test`` steps by the squared correlation :math:`R^2(d)` (:func:`fit_ridge`). The state noise
    :math:`\xi_t\sim\mathcal N(0, I_n)` of size :math:`\sigma` = ``noise`` (the same noise for every matrix) is what
    makes memory finite: without it a contracting linear network of n units recalls n past inputs
    exactly, up to round-off. Returns ``(r2, blew_up, peak)``:
    ``r2`` of shape (S, len(delays)), NaN where the state norm exceeded ``blowup`` times its first
    value or stopped being finite (no readout is fitted to an exploded state), the flags, and the
    largest state norm reached. ``ridge`` is relative to the mean diagonal of the Gram matrix.
    """
    W = as_matrix_stack("W", W)
    if np.iscomplexobj(W):
        raise TypeError("delay_recall takes real matrices W")
    delays = np.atleast_1d(np.asarray(delays))
    if delays.dtype.kind not in "iu" or np.any(delays < 0) or delays.ndim != 1 or delays.size == 0:
        raise ValueError(f"delays must be a 1-d array of integers >= 0 (not empty), got {delays!r}")
    as_count("delays", int(delays.max()), minimum=0)
    train, test = as_count("train", train), as_count("test", test, minimum=2)  # a correlation needs two points
    ridge = as_scale("ridge", ridge)
    noise = as_scale("noise", noise)
    blowup = as_scale("blowup", blowup, minimum=1.0, strict=True, maximum=None)
    S, n = W.shape[:2]
    rng = as_rng(seed)
    d_max = int(delays.max())
    T = d_max + train + test
    u = rng.standard_normal(T)
    w = gaussian(n, 1, seed=rng)[:, 0]  # unit-variance input weights
    H = np.empty((T, S, n))
    h = np.zeros((S, n, 1))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T):
            h = W @ h + (w * u[t] + noise * rng.standard_normal(n))[:, None]
            H[t] = h[..., 0]
        norms = np.linalg.norm(H, axis=2)  # (T, S)
        peak = np.nanmax(np.where(np.isfinite(norms), norms, np.inf), axis=0)
        blew_up = ~np.all(np.isfinite(norms), axis=0) | (peak > blowup * norms[0])
    rows = np.arange(d_max, T)
    Y = u[rows[:, None] - delays[None, :]]  # (train + test, D)
    r2 = np.full((S, delays.size), np.nan)
    ok = np.flatnonzero(~blew_up)
    if ok.size:  # one ridge readout per matrix, no intercept
        fit = fit_ridge(H[rows[:train]][:, ok], Y[:train], [ridge], intercept=False)
        pred = fit.predict(H[rows[train:]][:, ok], index=0)  # (test, S_ok, D)
        yc, pc = Y[train:] - Y[train:].mean(0), pred - pred.mean(0)
        r2[ok] = (yc[:, None] * pc).sum(0) ** 2 / ((yc**2).sum(0) * (pc**2).sum(0))
    return r2, blew_up, peak
