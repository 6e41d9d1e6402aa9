r"""Batched RNN, GRU and LSTM dynamics with exact Jacobian-vector products.

The networks are written in the unified form of the thesis (Eq. 10, Table 1; see
:mod:`criticality.criterion` for the convention table):

RNN
    :math:`h' = \tanh(a_h U_h h + W_h x)`
GRU (write-rate convention, :math:`z` = fraction of the candidate written)
    :math:`z = \sigma(a_z U_z h + b_z + W_z x)`, :math:`r = \sigma(a_r U_r h + b_r + W_r x)`,
    :math:`\tilde h = \tanh(a_h U_h (r\circ h) + W_h x)`, :math:`h' = (1-z)\circ h + z\circ\tilde h`
LSTM (state :math:`(c, h)`, nothing dropped)
    :math:`k = \sigma(a_k U_k h + b_k + W_k x)` for :math:`k\in\{f,i,o\}`,
    :math:`\tilde c = \tanh(a_h U_h h + W_h x)`, :math:`c' = f\circ c + i\circ\tilde c`,
    :math:`h' = o\circ\tanh(c')`

with :math:`(U_k)_{ij}\sim\mathcal N(0, 1/N)`. The candidate has no bias, so the zero state is a
fixed point without input. A global gain sets every :math:`a_k = g`; per-matrix gains follow
:cite:`can2020gating`. With ``gates_recurrent=False`` the gates have no recurrent weights and stay at
:math:`\sigma(b_k)` (plus input).

Batching: a state is an ``(S N, B)`` array (``S = 2`` for the LSTM: rows ``c`` then ``h``), one
column per gain (or per any other column parameter) of *one* disorder realisation. Every recurrent
matrix is stored stacked, so one time step is one GEMM ``U_stack @ [h, u]`` for all gates, states and
tangents, with each column scaled by its gain afterwards (scaling ``U`` by ``a`` is scaling the
column of the product).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from . import _kernels
from . import criterion as crit
from . import init
from ._validate import MAX_N, MAX_SCALE, as_count, as_rng, as_scale, as_scales
from .lyapunov import flushed
from .vanilla import SATURATION, _factors

__all__ = ["Network", "Gains", "make_network", "lyapunov", "sample_lyapunov", "MATRICES"]

MATRICES = {"rnn": ("h",), "gru": ("z", "r", "h"), "lstm": ("f", "i", "o", "h")}


def _sigmoid(x):
    """Logistic function as 0.5 (1 + tanh(x / 2)): 4-5x faster than scipy's expit on these arrays,
    exact to rounding in absolute terms (relative precision is lost only below ~1e-16)."""
    out = np.multiply(x, 0.5)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


class Gains(dict):
    """Validated per-matrix column gains (``Network.gains``); pass it to ``step`` to skip re-validation."""

    @cached_property
    def uniform(self) -> bool:
        """Every matrix has the same gain in each column (a global gain ``g``): derived once."""
        first = next(iter(self.values()))
        return all(np.array_equal(v, first) for v in self.values())

    @property
    def batch(self) -> int:
        """The number of columns: the longest gain array."""
        return max(v.size for v in self.values())


@dataclass
class Network:
    """One disorder realisation of an RNN, GRU or LSTM; see the module docstring for the equations."""

    arch: str
    n: int
    U: dict  # matrix name -> (N, N) array with N(0, 1/N) entries
    biases: dict  # gate name -> (N,) array
    W: dict = field(default_factory=dict)  # matrix name -> (N, d_in) input weights
    gates_recurrent: bool = True
    dtype: type = np.float64

    def __post_init__(self):
        # matrices that multiply h directly, stacked for one GEMM (the GRU's U_h acts on r * h later)
        self._rows = tuple(k for k in self.recurrent_names if not (self.arch == "gru" and k == "h"))
        self._stack = (np.ascontiguousarray(np.vstack([self.U[k] for k in self._rows]), dtype=self.dtype)
                       if self._rows else None)
        self._b = {k: np.asarray(v, dtype=self.dtype)[:, None] for k, v in self.biases.items()}
        zero = np.zeros((self.n, 1), dtype=self.dtype)
        self._bstack = np.vstack([self._b.get(k, zero) for k in self._rows]) if self._rows else None
        # the form of the engine's products (_matmul): transposed for the compiled kernels, which run
        # on Fortran order, and otherwise by the size of the largest matrix
        big = self._stack.nbytes if self._stack is not None else self.U["h"].nbytes
        self._transposed = _kernels.AVAILABLE or big >= TRANSPOSED_PRODUCT_BYTES

    # -- bookkeeping -------------------------------------------------------------------------
    @property
    def gate_names(self) -> tuple:
        return crit.GATES[self.arch]

    @property
    def recurrent_names(self) -> tuple:
        """Matrices that multiply the hidden state (the gates' only if ``gates_recurrent``)."""
        names = MATRICES[self.arch]
        return names if self.gates_recurrent else ("h",)

    @property
    def state_size(self) -> int:
        return (2 if self.arch == "lstm" else 1) * self.n

    def zero_state(self, batch: int = 1) -> np.ndarray:
        return np.zeros((self.state_size, as_count("batch", batch)), dtype=self.dtype)

    def random_state(self, batch: int = 1, scale: float = 1.0, seed=None) -> np.ndarray:
        """A random state, the same in every column (so columns differ only by their gains)."""
        batch, scale = as_count("batch", batch), as_scale("scale", scale)
        rng = as_rng(seed)
        col = scale * rng.standard_normal((self.state_size, 1))
        if self.arch == "lstm":  # keep h = o * tanh(c) in range
            col[self.n:] = np.tanh(col[self.n:])
        return np.repeat(col, batch, axis=1).astype(self.dtype)

    def _check_state(self, state, batch: int | None = None, name: str = "state") -> np.ndarray:
        """``state`` as an array of this network's dtype after checking it: real, finite, of shape
        ``(state_size, batch)`` (any number of columns if ``batch`` is None)."""
        try:
            arr = np.asarray(state)
        except ValueError as exc:
            raise ValueError(f"{name} must be a rectangular array, got {state!r}") from exc
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be a real array, got dtype {arr.dtype}")
        if arr.ndim != 2 or arr.shape[0] != self.state_size or arr.shape[1] < 1 or batch not in (None, arr.shape[1]):
            want = (self.state_size, "batch" if batch is None else batch)
            raise ValueError(f"{name} must have shape {want} for arch={self.arch!r}, n={self.n}, got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite")
        return arr if arr.dtype.kind == "f" else arr.astype(self.dtype)

    @property
    def n_inputs(self) -> int:
        """Input dimension (0 without input weights)."""
        return next(iter(self.W.values())).shape[1] if self.W else 0

    def batch_state(self, state, batch: int) -> np.ndarray:
        """``state`` of shape ``(state_size,)`` (the same in every column) or ``(state_size, 1 or batch)``,
        checked (real, finite, entries in ``[-MAX_SCALE, MAX_SCALE]``), as a new contiguous
        ``(state_size, batch)`` array of this network's dtype."""
        try:
            arr = np.asarray(state)
        except ValueError as exc:
            raise ValueError(f"state must be a rectangular array: {exc}") from exc
        arr = self._check_state(arr[:, None] if arr.ndim == 1 else arr, None, "state")
        if np.abs(arr).max() > MAX_SCALE:
            raise ValueError(f"state entries must be in [-{MAX_SCALE:g}, {MAX_SCALE:g}]")
        if arr.shape[1] not in (1, batch):
            raise ValueError(f"state must have shape ({self.state_size},) or ({self.state_size}, {batch}), "
                             f"got {np.shape(state)}")
        return np.array(np.broadcast_to(arr, (self.state_size, batch)), dtype=self.dtype, order="C")

    def gains(self, g, batch: int | None = None) -> dict:
        """Per-matrix column gains: ``g`` is a scalar/array (global) or a dict ``{matrix: gains}``, each
        gain in ``[0, MAX_SCALE]`` (1e6)."""
        names = MATRICES[self.arch]
        if isinstance(g, dict):
            unknown = set(g) - set(names)
            if unknown:
                raise ValueError(f"gains for arch={self.arch!r} may only name {names}, got {sorted(unknown)}")
            out = {k: np.atleast_1d(as_scales(f"gains[{k!r}]", g.get(k, 0.0))) for k in names}
        else:
            arr = np.atleast_1d(as_scales("g", g))
            out = {k: arr for k in names}
        shapes = {v.shape for v in out.values()}
        size = max(v.size for v in out.values())
        if any(v.ndim != 1 or v.size not in (1, size) for v in out.values()) or len(shapes) > 2 or size == 0:
            raise ValueError(f"g must be a number or a non-empty 1-d array (or a dict of them, of one length), "
                             f"got shapes {sorted(shapes)}")
        if batch is not None and size not in (1, batch):
            raise ValueError(f"gains have {size} columns but the state has {batch}")
        return Gains({k: v.astype(self.dtype) for k, v in out.items()})

    def _inputs(self, x, batch):
        if x is None:
            return {}
        if not self.W:
            raise ValueError("x given, but the network has no input weights (make_network(..., n_inputs=0))")
        d_in = self.n_inputs
        x = as_scales("x", x, minimum=None, maximum=None).astype(self.dtype)
        x = x[:, None] if x.ndim == 1 else x  # (d_in,) shared by all columns, or (d_in, B)
        if x.ndim != 2 or x.shape[0] != d_in or x.shape[1] not in (1, batch):
            raise ValueError(f"x must have shape ({d_in},) or ({d_in}, {batch}), got {x.shape}")
        return {k: Wk @ x for k, Wk in self.W.items()}

    # -- dynamics ----------------------------------------------------------------------------
    def step(self, state: np.ndarray, g, x=None) -> np.ndarray:
        """The map ``F``: one time step for every column."""
        return self._step(self._check_state(state), None, g, x)[0]

    def jvp(self, state: np.ndarray, tangent: np.ndarray, g, x=None):
        """``(F(state), J(state) @ tangent)``, both batched; one GEMM for states and tangents."""
        state = self._check_state(state)
        new, s, m = self._step(state, self._check_state(tangent, state.shape[1], "tangent"), g, x)
        return new, s * np.exp(m)

    def jacobian(self, state: np.ndarray, g: float, x=None) -> np.ndarray:
        """Full Jacobian ``dF/dstate`` at one state (a column vector), built from exact JVPs."""
        s = self._check_state(np.reshape(state, (-1, 1)), 1)
        k = self.state_size
        eye = np.eye(k, dtype=self.dtype)
        gains = self.gains(g)
        if any(v.size != 1 for v in gains.values()):
            raise ValueError("jacobian takes one gain (or one value per matrix), not a batch")
        _, J, m = self._step(np.repeat(s, k, axis=1), eye, gains, x)
        return J * np.exp(m)

    def _step(self, state, tangent, g, x, log=False, reference=False, flush=0.0):
        """``(F(state), s, m)`` with the tangent ``J(state) @ tangent = exp(m) * s`` (``m`` of shape (1, B);
        ``s = m = None`` without a tangent). Entries of ``F(state)`` of magnitude below ``flush`` are set
        to 0 (the Lyapunov loops' flush, :func:`criticality.lyapunov.flush_level`; 0, the default, keeps all).
        The derivative and gate factors are values, or logs when a
        preactivation exceeds ``vanilla.SATURATION`` (or ``log``): see ``vanilla._Factors``. A column
        saturated by a large gain, all of whose factors underflow to 0 in floating point, then keeps
        its tiny but non-zero tangent.

        Every step goes through :func:`_fast` (the same equations, fused in place), which computes the
        state by the same operations with or without tangents; the general code below is its reference
        (``reference=True``, tested equal to rounding), and computes the tangent of a step in logs."""
        B = state.shape[1]
        gains = g if isinstance(g, Gains) else self.gains(g, B)
        a = {k: v[None, :] for k, v in gains.items()}
        inp = self._inputs(x, B)
        if not log and not reference and self.gates_recurrent:
            out = _fast(self, state, tangent, a, inp, B, gains.uniform, flush)
            if out is not None:
                return out
            # a preactivation beyond SATURATION: the tangent in logs, the state as always
            new = _fast(self, state, None, a, inp, B, gains.uniform, flush)[0]
            return (new, *self._step(state, tangent, g, x, log=True, reference=True)[1:])
        if flush:
            new, s, m = self._step(state, tangent, g, x, log, reference)
            return flushed(new, flush), s, m
        n = self.n
        if self.arch == "lstm":
            c, h = state[:n], state[n:]
        else:
            h = state
        cols = h if tangent is None else np.concatenate([h, tangent[-n:]], axis=1)
        prod = self._stack @ cols if self._stack is not None else None
        rows = {k: slice(j * n, (j + 1) * n) for j, k in enumerate(self._rows)}

        def pre(k):  # preactivation of matrix k and the tangent a_k U_k u (None where there is none)
            q = prod[rows[k]] if k in rows else None
            p = (a[k] * q[:, :B] if k in rows else 0.0) + self._b.get(k, 0.0) + inp.get(k, 0.0)
            return p, (a[k] * q[:, B:] if q is not None and tangent is not None else None)

        def times(d, w):  # d * w, where d = None means no term
            return None if d is None else d * w

        if self.arch == "rnn":
            p, dp = pre("h")
            out = np.tanh(p)
            if tangent is None:
                return out, None, None
            F = _factors(log, p)
            return (out, *F.sum([(F.sech2(p), dp)]))

        if self.arch == "gru":
            (pz, dz), (pr, dr) = pre("z"), pre("r")
            z, r = _sigmoid(pz), _sigmoid(pr)
            rh = r * h
            if tangent is None:
                cand = np.tanh(a["h"] * (self.U["h"] @ rh) + inp.get("h", 0.0))
                return (1.0 - z) * h + z * cand, None, None
            F, u = _factors(log, pz, pr), tangent
            (fz, f1z), (fr, f1r) = F.gate(pz), F.gate(pr)
            v, mv = F.sum([(F.mul(fr, f1r), times(dr, h)), (fr, u)])  # d(r h) = exp(mv) v
            both = self.U["h"] @ np.concatenate([rh, v], axis=1)
            p = a["h"] * both[:, :B] + inp.get("h", 0.0)
            if _factors(log, p) is not F:
                return self._step(state, tangent, g, x, log=True, reference=reference)
            cand = np.tanh(p)
            return ((1.0 - z) * h + z * cand, *F.sum([(f1z, u), (F.mul(fz, f1z), times(dz, cand - h)),
                                                      (F.mul(fz, F.sech2(p)) + mv, a["h"] * both[:, B:])]))

        (pf, df), (pi, di), (po, do), (p, dp) = pre("f"), pre("i"), pre("o"), pre("h")
        f, i, o, cand = _sigmoid(pf), _sigmoid(pi), _sigmoid(po), np.tanh(p)
        c_new = f * c + i * cand
        t = np.tanh(c_new)
        new = np.concatenate([c_new, o * t])
        if tangent is None:
            return new, None, None
        F = _factors(log, pf, pi, po, p, c_new)
        (ff, f1f), (fi, f1i), (fo, f1o) = F.gate(pf), F.gate(pi), F.gate(po)
        dc, mc = F.sum([(F.mul(ff, f1f), times(df, c)), (ff, tangent[:n]), (F.mul(fi, f1i), times(di, cand)),
                        (F.mul(fi, F.sech2(p)), dp)])
        dh, mh = F.sum([(F.mul(fo, f1o), times(do, t)), (F.mul(fo, F.sech2(c_new)) + mc, dc)])
        m = np.maximum(mc, mh)
        return new, np.concatenate([dc * np.exp(mc - m), dh * np.exp(mh - m)]), m


def _gates(x, complement=True):
    """``(sigma(x), 1 - sigma(x))`` as ``1 / (1 + e)`` and ``e / (1 + e)`` with ``e = exp(-x)``: both exact in
    relative terms while ``|x| <= SATURATION`` (``e <= exp(50)``). Without ``complement`` only ``sigma``,
    for any ``x``: where ``e`` overflows to inf (the caller ignores it), ``sigma`` is 0 as it should be."""
    e = np.negative(x)
    np.exp(e, out=e)
    sig = e + 1.0
    np.reciprocal(sig, out=sig)
    if not complement:
        return sig, None
    e *= sig
    return sig, e


def _tanh_sech2(x):
    """``(tanh x, 1 - tanh(x)^2)``, the second as ``4 e / (1 + e)^2`` with ``e = exp(-2|x|)``, exact in relative
    terms where ``1 - tanh^2`` would round to 0 (as ``vanilla._Factors.sech2``)."""
    e = np.abs(x)
    e *= -2.0
    np.exp(e, out=e)
    d = e + 1.0
    d *= d
    e *= 4.0
    e /= d
    return np.tanh(x), e


# From this size of the stacked matrices on (4 MiB, about the machines' L2 plus L3 share per core),
# U @ X is computed as (X^T @ U^T)^T: the same sums, but OpenBLAS then streams the large matrix as its
# transposed operand. Measured with bench.product_forms on the 2-core build machines: 1.1-1.3x faster
# for 3N x N and 4N x N stacks from N = 500 on (1.4x at N = 1000), 0.85-1.0x for smaller matrices.
TRANSPOSED_PRODUCT_BYTES = 4 * 2**20


def _matmul(U, X, transposed):
    """``U @ X`` for a C-ordered ``U``; computed as ``(X^T @ U^T)^T`` (Fortran-ordered) if ``transposed``."""
    return (X.T @ U.T).T if transposed else U @ X


def _fast(net, state, tangent, a, inp, B, uniform, flush=0.0):
    """:meth:`Network._step` in values, fused: the same equations with every gate computed once and the
    elementwise work done in place (about half the calls and temporaries of the general code, which is
    its reference). ``tangent=None`` gives the state alone by the same operations, so with and without
    tangents a state agrees to rounding; not always bit for bit, since BLAS may sum a column of the
    wider product (states and tangents) in another order. With a tangent,
    ``None`` if a preactivation exceeds ``vanilla.SATURATION`` (that tangent step is done in logs).
    New state entries of magnitude below ``flush`` are set to 0."""
    n, arch, T = net.n, net.arch, tangent is not None
    h = state[n:] if arch == "lstm" else state
    u = (tangent[n:] if arch == "lstm" else tangent) if T else None
    tr = net._transposed
    X = np.empty((n, 2 * B if T else B), dtype=np.result_type(state, tangent) if T else state.dtype,
                 order="F" if tr else "C")  # transposed, X^T is the C-ordered operand
    if uniform:  # every matrix has the column's gain: scale the operand, a_k U_k x = U_k (a x)
        np.multiply(h, a["h"], out=X[:, :B])
        if T:
            np.multiply(u, a["h"], out=X[:, B:])
        P = _matmul(net._stack, X, tr)  # row blocks net._rows; columns states (then tangents)
    else:
        X[:, :B] = h
        if T:
            X[:, B:] = u
        P = _matmul(net._stack, X, tr)
        for j, k in enumerate(net._rows):
            P[j * n:(j + 1) * n, :B] *= a[k]
            if T:
                P[j * n:(j + 1) * n, B:] *= a[k]
    if tr and _kernels.AVAILABLE and all(v.shape[1] == 1 for v in inp.values()):
        return _compiled(net, state, tangent, a, inp, B, P, X, flush)
    out = _numpy_fast(net, state, tangent, a, inp, B, P, X)
    if out is not None and flush:
        flushed(out[0], flush)
    return out


def _numpy_fast(net, state, tangent, a, inp, B, P, X):
    """The rest of :func:`_fast` after the stacked product ``P``, in numpy ufuncs."""
    n, arch, T = net.n, net.arch, tangent is not None
    h = state[n:] if arch == "lstm" else state
    u = (tangent[n:] if arch == "lstm" else tangent) if T else None
    tr = net._transposed
    G, dG = P[:, :B] + net._bstack, (P[:, B:] if T else None)
    for j, k in enumerate(net._rows):
        if k in inp:
            G[j * n:(j + 1) * n] += inp[k]
    if T and np.abs(G).max() > SATURATION:
        return None
    with np.errstate(over="ignore"):  # state alone: exp(-x) = inf where sigma(x) = 0 (see _gates)
        sig, comp = _gates(G if arch == "gru" else G[:3 * n], T) if arch != "rnn" else (None, None)
    if arch == "rnn":
        if not T:
            return np.tanh(G), None, None
        new, s = _tanh_sech2(G)
        s *= dG
        return new, s, np.zeros((1, B), dtype=new.dtype)
    if arch == "gru":
        z, r = sig[:n], sig[n:]
        np.multiply(r, h, out=X[:, :B])  # the operand (a_h r h, a_h d(r h)) of U_h, in X's place
        X[:, :B] *= a["h"]
        if T:
            zc, rc = comp[:n], comp[n:]
            v = rc * dG[n:]  # d(r h) = r ((1 - r) dr h + u)
            v *= h
            v += u
            v *= r
            np.multiply(v, a["h"], out=X[:, B:])
        both = _matmul(net.U["h"], X, tr)
        p = both[:, :B] + inp["h"] if "h" in inp else both[:, :B]
        if T and np.abs(p).max() > SATURATION:
            return None
        diff, s = _tanh_sech2(p) if T else (np.tanh(p), None)
        diff -= h  # candidate - h
        new = z * diff
        new += h
        if not T:
            return new, None, None
        s *= both[:, B:]
        s += diff * zc * dG[:n]
        s *= z
        zc *= u
        s += zc
        return new, s, np.zeros((1, B), dtype=new.dtype)
    f, i, o = sig[:n], sig[n:2 * n], sig[2 * n:]  # the LSTM: rows f, i, o, candidate
    cand, sp = _tanh_sech2(G[3 * n:]) if T else (np.tanh(G[3 * n:]), None)
    new = np.empty_like(state)
    c_new = np.multiply(f, state[:n], out=new[:n])
    c_new += i * cand
    if T and np.abs(c_new).max() > SATURATION:
        return None
    t, sc = _tanh_sech2(c_new) if T else (np.tanh(c_new), None)
    np.multiply(o, t, out=new[n:])
    if not T:
        return new, None, None
    sp *= dG[3 * n:]
    s = np.empty_like(new)
    dc = np.multiply(comp[:n], dG[:n], out=s[:n])  # (1 - f) df c + u_c, times f
    dc *= state[:n]
    dc += tangent[:n]
    dc *= f
    w = comp[n:2 * n] * dG[n:2 * n]  # (1 - i) di cand + sech^2 dp, times i
    w *= cand
    w += sp
    w *= i
    dc += w
    dh = np.multiply(comp[2 * n:], dG[2 * n:3 * n], out=s[n:])  # (1 - o) do t + sech^2(c') dc, times o
    dh *= t
    sc *= dc
    dh += sc
    dh *= o
    return new, s, np.zeros((1, B), dtype=new.dtype)


def _compiled(net, state, tangent, a, inp, B, P, X, flush=0.0):
    """The rest of :func:`_fast` after the stacked product ``P``, by the compiled kernels of
    :mod:`criticality._kernels` (one pass per stage instead of numpy's dozens); the same equations, the
    same return values. Inputs shared by all columns only (``inp`` entries of shape (N, 1))."""
    n, arch, T = net.n, net.arch, tangent is not None
    dt = P.dtype
    state = np.asarray(state, order="F")  # the kernels run along columns
    tangent = np.asarray(tangent, dtype=dt, order="F") if T else state
    off = net._bstack
    if any(k in inp for k in net._rows):
        off = off.copy()
        for j, k in enumerate(net._rows):
            if k in inp:
                off[j * n:(j + 1) * n] += inp[k]
    # every array a kernel writes is distinct (also the unused tangent): a possible overlap keeps the
    # compiled loop from vectorising (measured 5x slower)
    new, s = np.empty(state.shape, dtype=dt, order="F"), np.empty(state.shape, dtype=dt, order="F")
    tb = B if T else 0
    if arch == "rnn":
        saturated = _kernels.rnn(P, off, new, s, T, tb, SATURATION, flush)
    elif arch == "lstm":  # c' and h' (and their tangents) in arrays of their own, then stacked
        c, h, dc, dh = (np.empty((n, B), dtype=dt, order="F") for _ in range(4))
        saturated = _kernels.lstm(P, off, state, tangent, c, h, dc, dh, T, tb, SATURATION, flush)
        new[:n], new[n:] = c, h
        if T:
            s[:n], s[n:] = dc, dh
    else:
        z, w, zu = (np.empty((n, B), dtype=dt, order="F") for _ in range(3))  # distinct, or no vectors
        ah = a["h"][0] if a["h"].shape[1] == B else np.full(B, a["h"][0, 0])  # one gain may serve all
        saturated = _kernels.gru_gates(P, off, state, tangent, ah, X, z, w, zu, T, tb, SATURATION)
        if T and saturated:
            return None
        Q = _matmul(net.U["h"], X, True)
        off_h = inp.get("h", np.zeros((n, 1), dtype=dt))
        saturated = _kernels.gru_out(Q, off_h, state, z, w, zu, new, s, T, tb, SATURATION, flush)
    if T and saturated:
        return None
    return (new, s, np.zeros((1, B), dtype=dt)) if T else (new, None, None)


def make_network(arch: str, n: int, *, sigma_b: float = 0.0, bias: str = "gaussian", t_max=None,
                 biases: dict | None = None, recurrent=None, gates_recurrent: bool = True, n_inputs: int = 0,
                 input_scale: float = 1.0, seed=None, dtype=np.float64) -> Network:
    """Draw one network: recurrent matrices, gate biases, optional input weights, all from :mod:`criticality.init`.

    ``recurrent`` chooses the recurrent matrices ``U_k`` (one per name of ``MATRICES[arch]``, drawn in
    that order; the gain ``g`` multiplies them later): ``None`` (default) or ``"gaussian"`` for i.i.d.
    N(0, 1/n) (:func:`criticality.init.gaussian`), another name of ``init.INITIALISERS`` (e.g.
    ``"orthogonal"``, ``"eigen"``) for :func:`criticality.init.recurrent`, a callable ``f(n, rng)``
    returning an ``n x n`` array, or a dict matrix name -> ``n x n`` array.
    ``biases`` (a dict gate -> array) overrides ``sigma_b``/``bias``; otherwise the gate biases are
    :func:`criticality.init.gate_biases` (i.i.d. N(0, sigma_b^2), or chrono(t_max)).
    Input weights, if ``n_inputs > 0``, are i.i.d. N(0, input_scale^2 / n_inputs) for every matrix
    (:func:`criticality.init.gaussian`).
    """
    arch = crit._arch(arch)
    n = as_count("n", n, maximum=MAX_N)
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"dtype must be numpy.float64 or numpy.float32, got {dtype!r}")
    sigma_b = as_scale("sigma_b", sigma_b)
    n_inputs = as_count("n_inputs", n_inputs, minimum=0, maximum=MAX_N)
    input_scale = as_scale("input_scale", input_scale)
    rng = as_rng(seed)
    U = _recurrent(recurrent, arch, n, rng)
    if biases is None:
        biases = init.gate_biases(arch, n, sigma_b=sigma_b, bias=bias, t_max=t_max, seed=rng)
    else:
        crit.diagonals(arch, biases)  # validates names, finiteness and shapes
        bad = {k: np.shape(v) for k, v in biases.items() if np.size(v) not in (1, n)}
        if bad:
            raise ValueError(f"biases must be scalars or arrays of n = {n} entries, got shapes {bad}")
        biases = {k: np.broadcast_to(np.asarray(v, float), (n,)).copy() for k, v in biases.items()}
    W = {k: init.gaussian(n, n_inputs, gain=input_scale, seed=rng)
         for k in MATRICES[arch]} if n_inputs else {}
    return Network(arch, n, {k: v.astype(dtype) for k, v in U.items()}, biases,
                   {k: v.astype(dtype) for k, v in W.items()}, bool(gates_recurrent), dtype)


def _recurrent(recurrent, arch: str, n: int, rng) -> dict:
    """The recurrent matrices of :func:`make_network` (see there), checked: finite, real, ``n x n``."""
    names = MATRICES[arch]
    if recurrent is None or (isinstance(recurrent, str) and recurrent == "gaussian"):
        return {k: init.gaussian(n, seed=rng) for k in names}
    if isinstance(recurrent, str):
        if recurrent not in init.INITIALISERS:
            raise ValueError(f"recurrent must be None, a dict, a callable or one of {init.INITIALISERS}, "
                             f"got {recurrent!r}")
        return {k: init.recurrent(recurrent, n, seed=rng) for k in names}
    if callable(recurrent):
        U = {k: recurrent(n, rng) for k in names}
    elif isinstance(recurrent, dict):
        if set(recurrent) != set(names):
            raise ValueError(f"recurrent must have exactly the keys {names} for arch={arch!r}, got {sorted(recurrent)}")
        U = dict(recurrent)
    else:
        raise TypeError(f"recurrent must be None, a name, a callable or a dict, got {type(recurrent).__name__}")
    out = {}
    for k in names:
        a = np.asarray(U[k])
        if a.shape != (n, n) or a.dtype.kind not in "iuf" or not np.all(np.isfinite(a)):
            raise ValueError(f"recurrent[{k!r}] must be a finite real {n} x {n} array, got shape {a.shape}, "
                             f"dtype {a.dtype}")
        out[k] = a.astype(float)
    return out


def lyapunov(net: Network, g, steps: int, *, transient: int = 0, state=None, seed=None):
    """The largest Lyapunov exponent per gain: :func:`criticality.lyapunov.max_exponent` (kept here so
    that existing callers keep working; the loop lives in :mod:`criticality.lyapunov`)."""
    from .lyapunov import max_exponent

    return max_exponent(net, g, steps, transient=transient, seed=seed, state=state)


def sample_lyapunov(arch: str, n: int, g, *, steps: int, transient: int = 0, sigma_b: float = 0.0,
                    bias: str = "gaussian", t_max=None, gates_recurrent: bool = True, seed=None):
    """:func:`criticality.lyapunov.sample_max_exponent` (kept here for existing callers and caches)."""
    from .lyapunov import sample_max_exponent

    return sample_max_exponent(arch, n, g, steps=steps, transient=transient, sigma_b=sigma_b, bias=bias,
                               t_max=t_max, gates_recurrent=gates_recurrent, seed=seed)
