"""The numba kernels of :mod:`criticality._kernels` (imported on first use; see that module)."""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic


# fast-math flags without "reassoc" (it would undo the two-part reduction of _exp) and without
# "nnan"/"ninf" (the saturation checks must see an inf or NaN preactivation)
_FM = {"contract", "nsz", "arcp"}
_jit = nb.njit(cache=True, fastmath=_FM, error_model="numpy", nogil=True)
_inline = nb.njit(inline="always", fastmath=_FM, error_model="numpy")


@intrinsic
def _from_bits(typingctx, i):
    """The float64 whose bits are the int64 ``i`` (a bit cast, which the vectoriser keeps)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # ln 2 in two parts: k * _LN2_HI is exact for |k| < 2^11
_LN2_LO = 1.90821492927058770002e-10


@_inline
def _poly(r):
    """The Taylor polynomial of exp(r) - 1 - r, divided by r^2, to degree 13 (|r| <= ln 2 / 2)."""
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    return p * r + 0.5


@_inline
def _exp(x):
    """exp(x) for x <= 0, clamped at -700 (exp(-700) ~ 1e-304, still a normal number); NaN stays NaN."""
    x = -700.0 if x < -700.0 else x
    k = math.floor(x * _LOG2E + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    return (1.0 + r + r * r * _poly(r)) * _from_bits((np.int64(k) + 1023) << 52)


@_inline
def _expm1(x, e):
    """exp(x) - 1 for x <= 0 given ``e = exp(x)``, exact in relative terms also near 0."""
    return x * (1.0 + x * _poly(x)) if x > -0.34 else e - 1.0


@_inline
def _gate(x):
    """(sigma(x), 1 - sigma(x)), each exact in relative terms."""
    e = _exp(-abs(x))
    q = 1.0 / (1.0 + e)
    return (q, e * q) if x >= 0.0 else (e * q, q)


@_inline
def _tanh(x):
    """(tanh x, 1 - tanh^2 x), each exact in relative terms."""
    y = -2.0 * abs(x)
    e = _exp(y)
    m = _expm1(y, e)
    t = -m / (2.0 + m)
    return (t if x >= 0.0 else -t), 4.0 * e / ((1.0 + e) * (1.0 + e))


# Per element: scalars in, scalars out (a helper that takes arrays keeps the loop from vectorising).


@_inline
def _gru_gates_el(xz, xr, dz, dr, h, u, a):
    """``(z, a r h, (1 - z) dz, (1 - z) u, a d(r h))`` with ``d(r h) = r ((1 - r) dr h + u)``."""
    z, cz = _gate(xz)
    r, cr = _gate(xr)
    return z, a * r * h, cz * dz, cz * u, a * r * (cr * dr * h + u)


@_inline
def _gru_out_el(x, dx, h, z, w, zu):
    """``(h + z (tanh x - h), z ((1 - tanh^2 x) dx + (tanh x - h) w) + zu)``."""
    t, d = _tanh(x)
    diff = t - h
    return h + z * diff, z * (d * dx + diff * w) + zu


@_inline
def _lstm_el(xf, xi, xo, xc, df, di, do, dxc, c, uc):
    """``(c', h', dc', dh')`` with ``c' = f c + i tanh(x_c)`` and ``h' = o tanh(c')``."""
    f, cf = _gate(xf)
    g, ci = _gate(xi)
    o, co = _gate(xo)
    cand, dcand = _tanh(xc)
    new = f * c + g * cand
    t, dt = _tanh(new)
    dc = f * (cf * df * c + uc) + g * (ci * di * cand + dcand * dxc)
    return new, o * t, dc, o * (co * do * t + dt * dc)


# The kernels take Fortran-ordered arrays (a column contiguous), each written array distinct from
# every other, and loop over the rows i < N inside the columns j < B, with the state in column j
# and its tangent in column B + j of the products. Without tangents (`T` false, `tb` = 0) the
# tangent inputs read the state's columns and the tangent results are not stored, so that no load
# leaves the arrays. Two outputs in one array at a distance unknown to the compiler (the LSTM's c'
# and h' rows of one state), or C order with its short rows of B, keep the loop scalar (measured
# 4-10x slower). A kernel returns how many preactivations exceed `sat` in absolute value, for the
# caller's saturation check: a count, since an integer sum vectorises and a running maximum does not.
# The kernels that write a new state set its entries of magnitude below `tiny` to 0 (the Lyapunov
# loops' flush, see criticality.lyapunov.flush_level; 0 leaves every entry as it is).


@_inline
def _flushed(v, tiny):
    """``v``, or 0 where ``|v| < tiny`` (NaN stays NaN; ``tiny = 0`` changes nothing)."""
    return 0.0 if abs(v) < tiny else v


@_jit
def rnn(P, off, new, s, T, tb, sat, tiny):
    """The RNN: ``new = tanh(x)``, ``s = (1 - tanh^2 x) dx`` with ``x = P[:, :B] + off``."""
    n, B = new.shape
    count = 0
    for j in range(B):
        for i in range(n):
            x = P[i, j] + off[i, 0]
            v, d = _tanh(x)
            new[i, j] = _flushed(v, tiny)
            if T:
                s[i, j] = d * P[i, tb + j]
            count += abs(x) > sat
    return count


@_jit
def gru_gates(P, off, h, u, ah, X, z, w, zu, T, tb, sat):
    """The GRU's gates from the stacked product P (rows z, r): ``z``, and the operand ``X`` of U_h,
    ``(a_h r h, a_h d(r h))``; ``w = (1 - z) dz`` and ``zu = (1 - z) u`` for :func:`gru_out`."""
    n, B = h.shape
    count = 0
    for j in range(B):
        for i in range(n):
            xz, xr = P[i, j] + off[i, 0], P[n + i, j] + off[n + i, 0]
            z[i, j], X[i, j], w[i, j], zu[i, j], xt = _gru_gates_el(
                xz, xr, P[i, tb + j], P[n + i, tb + j], h[i, j], u[i, j], ah[j])
            if T:
                X[i, B + j] = xt
            count += (abs(xz) > sat) + (abs(xr) > sat)
    return count


@_jit
def gru_out(Q, off, h, z, w, zu, new, s, T, tb, sat, tiny):
    """The GRU's new state ``h + z (tanh(x) - h)`` from ``Q = U_h X`` (``x = Q[:, :B] + off``) and
    its tangent ``z ((1 - tanh^2 x) dx + (tanh x - h) w) + zu``."""
    n, B = h.shape
    count = 0
    for j in range(B):
        for i in range(n):
            x = Q[i, j] + off[i, 0]
            v, st = _gru_out_el(x, Q[i, tb + j], h[i, j], z[i, j], w[i, j], zu[i, j])
            new[i, j] = _flushed(v, tiny)
            if T:
                s[i, j] = st
            count += abs(x) > sat
    return count


@_jit
def lstm(P, off, state, tangent, c, h, dc, dh, T, tb, sat, tiny):
    """The LSTM from the stacked product P (rows f, i, o, candidate): ``c' = f c + i tanh(x_c)`` in
    ``c`` and ``h' = o tanh(c')`` in ``h``, their tangents in ``dc`` and ``dh`` (four arrays); the
    count also covers ``c'``."""
    n, B = c.shape
    m, k = 2 * n, 3 * n
    count = 0
    for j in range(B):
        for i in range(n):
            xf, xi, xo, xc = (P[i, j] + off[i, 0], P[n + i, j] + off[n + i, 0],
                              P[m + i, j] + off[m + i, 0], P[k + i, j] + off[k + i, 0])
            cn, hn, sc, sh = _lstm_el(xf, xi, xo, xc, P[i, tb + j], P[n + i, tb + j],
                                      P[m + i, tb + j], P[k + i, tb + j], state[i, j], tangent[i, j])
            c[i, j], h[i, j] = _flushed(cn, tiny), _flushed(hn, tiny)
            if T:
                dc[i, j], dh[i, j] = sc, sh
            count += ((abs(xf) > sat) + (abs(xi) > sat) + (abs(xo) > sat) + (abs(xc) > sat)
                      + (abs(cn) > sat))
    return count


@_jit
def exp_nonpositive(x, out):
    """:func:`_exp` over a 1-D array (for the tests)."""
    for k in range(x.size):
        out[k] = _exp(x[k])


@_jit
def expm1_nonpositive(x, out):
    """:func:`_expm1` over a 1-D array (for the tests)."""
    for k in range(x.size):
        out[k] = _expm1(x[k], _exp(x[k]))


@_jit
def gate_and_tanh(x, sig, comp, th, sech2):
    """:func:`_gate` and :func:`_tanh` over a 1-D array (for the tests)."""
    for k in range(x.size):
        sig[k], comp[k] = _gate(x[k])
        th[k], sech2[k] = _tanh(x[k])


# -- the whole Benettin loop, compiled -----------------------------------------------------------
# A step of the loop below is the engine's step (the same kernels) with its two matrix products called
# straight from the compiled code, by the address of the cblas ?gemm of numpy's own BLAS (ILP64, as
# numpy's wheels ship it), and the renormalisation fused: no Python, no allocation, no numpy call per
# step. The address is an argument, not a constant, so that the compiled loop can be cached on disk.


@intrinsic
def _gemm(typingctx, addr, trans_a, m, n, k, A, lda, B, ldb, C, ldc):
    """``C = op(A) B`` in column-major terms (``C`` m x n, Fortran-ordered; ``op(A) = A^T`` if
    ``trans_a``, so a C-ordered ``A`` is passed transposed), by the ILP64 ``cblas_?gemm`` at ``addr``."""
    if not (A.dtype == B.dtype == C.dtype and A.dtype in (types.float64, types.float32)):
        return None
    real = ir.DoubleType() if C.dtype == types.float64 else ir.FloatType()

    def codegen(context, builder, signature, args):
        i32, i64 = ir.IntType(32), ir.IntType(64)
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, real, real.as_pointer(), i64,
                                               real.as_pointer(), i64, real, real.as_pointer(), i64])
        fn = builder.inttoptr(args[0], fnty.as_pointer())
        data = [context.make_array(signature.args[i])(context, builder, args[i]).data for i in (5, 7, 9)]
        wide = [builder.sext(v, i64) if v.type.width < 64 else v for v in (args[2], args[3], args[4], args[6],
                                                                            args[8], args[10])]
        trans = builder.select(builder.icmp_signed("!=", args[1], ir.Constant(args[1].type, 0)),
                               ir.Constant(i32, 112), ir.Constant(i32, 111))  # CblasTrans, CblasNoTrans
        builder.call(fn, [ir.Constant(i32, 102), trans, ir.Constant(i32, 111), wide[0], wide[1], wide[2],
                          ir.Constant(real, 1.0), data[0], wide[3], data[1], wide[4], ir.Constant(real, 0.0),
                          data[2], wide[5]])  # CblasColMajor
        return context.get_dummy_value()
    return types.void(addr, trans_a, m, n, k, A, lda, B, ldb, C, ldc), codegen


@_jit
def gemm(addr, A, X, out):
    """``out = A @ X`` for a C-ordered ``A`` and Fortran-ordered ``X`` and ``out`` (the loop's product)."""
    _gemm(addr, 1, A.shape[0], X.shape[1], A.shape[1], A, A.shape[1], X, X.shape[0], out, out.shape[0])


@_jit
def _scaled(h, u, a, X):
    """The product's operand ``X = [a h, a u]`` (column gains ``a``)."""
    n, B = h.shape
    for j in range(B):
        for i in range(n):
            X[i, j] = a[j] * h[i, j]
            X[i, B + j] = a[j] * u[i, j]


@_jit
def _stack2(top, bottom, out):
    """``out = [top; bottom]`` (rows)."""
    n, B = top.shape
    for j in range(B):
        for i in range(n):
            out[i, j] = top[i, j]
            out[n + i, j] = bottom[i, j]


@_jit
def _renormalise(s, u, logs, lo, hi):
    """``u = s / |s|`` per column and ``logs = log |s|``, as ``lyapunov.normalised`` computes them: the
    squared norm directly while it lies in ``(lo, hi)``, else after dividing by the largest entry; a
    zero column stays 0 with log -inf."""
    S, B = s.shape
    for j in range(B):
        sq = 0.0
        for i in range(S):
            sq += s[i, j] * s[i, j]
        if lo < sq < hi:
            inv = 1.0 / math.sqrt(sq)
            for i in range(S):
                u[i, j] = s[i, j] * inv
            logs[j] = 0.5 * math.log(sq)
            continue
        peak = 0.0
        for i in range(S):
            peak = max(peak, abs(s[i, j]))
        if peak == 0.0:
            for i in range(S):
                u[i, j] = 0.0
            logs[j] = -math.inf
            continue
        sq = 0.0
        for i in range(S):
            u[i, j] = s[i, j] / peak
            sq += u[i, j] * u[i, j]
        inv = 1.0 / math.sqrt(sq)
        for i in range(S):
            u[i, j] *= inv
        logs[j] = math.log(peak) + 0.5 * math.log(sq)


@_jit
def benettin(arch, addr, stack, Uh, off, off_h, a, state, u, first, last, transient, total, logs, work,
             tiny, sat, lo, hi):
    """Steps ``first`` to ``last - 1`` (counted from 0) of Benettin's loop for one network, every column a
    gain ``a``: ``state`` and the unit tangent ``u`` (Fortran-ordered, updated in place) stepped with
    the engine's kernels (``arch`` 0 RNN, 1 GRU, 2 LSTM), the tangent renormalised, its log growth
    added to ``total`` from step ``transient`` on. Stops before a step whose preactivations exceed
    ``sat`` (the caller does that step in logs) and returns the index of the next step to do. ``work``:
    the operand X (n x 2B), the stacked product P, then for the GRU the candidate's product Q (n x 2B)
    and z, (1 - z) dz, (1 - z) u (n x B each), for the LSTM c', h' and their tangents (n x B each);
    then the new state and its tangent (state's shape)."""
    X, P, Q, z, w, zu, new, s = work
    n, B = Q.shape[0], state.shape[1]
    h = state[n:] if arch == 2 else state
    uh = u[n:] if arch == 2 else u
    for t in range(first, last):
        _scaled(h, uh, a, X)
        gemm(addr, stack, X, P)
        if arch == 0:
            if rnn(P, off, new, s, True, B, sat, tiny):
                return t
        elif arch == 1:
            if gru_gates(P, off, state, u, a, X, z, w, zu, True, B, sat):
                return t
            gemm(addr, Uh, X, Q)
            if gru_out(Q, off_h, state, z, w, zu, new, s, True, B, sat, tiny):
                return t
        else:
            if lstm(P, off, state, u, Q, z, w, zu, True, B, sat, tiny):
                return t
            _stack2(Q, z, state)
            _stack2(w, zu, s)
        if arch != 2:
            state[:] = new
        _renormalise(s, u, logs, lo, hi)
        if t >= transient:
            for j in range(B):
                total[j] += logs[j]
    return last
