"""Batched RNN/GRU/LSTM: Jacobians and JVPs against central finite differences, batching against
single columns, the zero fixed point, and Table 1's reduction to M + g L U R."""

import numpy as np
import pytest

from criticality import _kernels
from criticality import criterion as crit
from criticality.models import TRANSPOSED_PRODUCT_BYTES, _fast, _matmul, make_network

CASES = [
    ("rnn", {}, True), ("gru", {}, True), ("lstm", {}, True),
    ("gru", {"sigma_b": 1.0}, True), ("lstm", {"sigma_b": 1.0}, True),
    ("gru", {"bias": "chrono", "t_max": 20.0}, True), ("lstm", {"bias": "chrono", "t_max": 20.0}, True),
    ("gru", {"sigma_b": 0.5}, False), ("lstm", {"sigma_b": 0.5}, False),
]


@pytest.fixture(params=["numpy", "compiled"])
def engine(request, monkeypatch):
    """Run a test with the fused numpy step and with the compiled kernels (skipped without numba)."""
    if request.param == "compiled" and not _kernels.AVAILABLE:
        pytest.skip("numba is not installed (or CRITICALITY_KERNELS=numpy)")
    monkeypatch.setattr(_kernels, "AVAILABLE", request.param == "compiled")
    return request.param


def fd_jvp(net, s, u, g, x=None, eps=1e-6):
    return (net.step(s + eps * u, g, x) - net.step(s - eps * u, g, x)) / (2 * eps)


@pytest.mark.parametrize("arch,kw,gates", CASES)
@pytest.mark.parametrize("with_input", [False, True])
@pytest.mark.usefixtures("engine")
def test_jvp_against_finite_differences(arch, kw, gates, with_input):
    net = make_network(arch, 12, gates_recurrent=gates, n_inputs=3 if with_input else 0, seed=1, **kw)
    g = np.array([0.5, 1.5, 3.0])
    rng = np.random.default_rng(2)
    s = net.random_state(3, seed=3) + 0.1 * rng.standard_normal((net.state_size, 3))
    u = rng.standard_normal((net.state_size, 3))
    x = rng.standard_normal(3) if with_input else None
    new, ju = net.jvp(s, u, g, x)
    assert np.allclose(new, net.step(s, g, x), rtol=1e-14, atol=1e-15)
    assert np.allclose(ju, fd_jvp(net, s, u, g, x), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("arch,kw,gates", CASES)
@pytest.mark.usefixtures("engine")
def test_full_jacobian_against_finite_differences(arch, kw, gates):
    net = make_network(arch, 8, gates_recurrent=gates, seed=4, **kw)
    s = net.random_state(1, seed=5)
    J = net.jacobian(s, 1.7)
    eye = np.eye(net.state_size)
    fd = np.column_stack([fd_jvp(net, s, eye[:, [k]], 1.7)[:, 0] for k in range(net.state_size)])
    assert J.shape == (net.state_size, net.state_size)
    assert np.allclose(J, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.usefixtures("engine")
def test_per_matrix_gains_against_finite_differences():
    net = make_network("lstm", 10, sigma_b=0.3, seed=6)
    gains = {"f": [0.5, 2.0], "i": [1.0, 1.0], "o": [3.0, 0.1], "h": [2.0, 4.0]}
    s = net.random_state(2, seed=7)
    u = np.random.default_rng(8).standard_normal(s.shape)
    assert np.allclose(net.jvp(s, u, gains)[1], fd_jvp(net, s, u, gains), rtol=1e-6, atol=1e-8)
    # a per-matrix gain of zero switches that matrix off
    off = make_network("gru", 10, seed=9, gates_recurrent=False)
    on = make_network("gru", 10, seed=9)
    s = on.random_state(1, seed=1)
    assert np.allclose(on.step(s, {"z": 0.0, "r": 0.0, "h": 2.0}), off.step(s, 2.0), rtol=1e-14)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.usefixtures("engine")
def test_batched_equals_single_columns(arch):
    net = make_network(arch, 50, sigma_b=0.5 if arch != "rnn" else 0.0, seed=10)
    g = np.array([0.5, 1.0, 2.0, 3.0])
    s = net.random_state(4, seed=11)
    u = np.random.default_rng(12).standard_normal(s.shape)
    S, Ub = s.copy(), u.copy()
    for _ in range(5):
        S, Ub = net.jvp(S, Ub, g)
    for k, gk in enumerate(g):
        s1, u1 = s[:, [k]], u[:, [k]]
        for _ in range(5):
            s1, u1 = net.jvp(s1, u1, gk)
        assert np.allclose(S[:, [k]], s1, rtol=1e-12, atol=1e-12)
        assert np.allclose(Ub[:, [k]], u1, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_zero_state_is_a_fixed_point(arch):
    net = make_network(arch, 30, sigma_b=1.0 if arch != "rnn" else 0.0, seed=13)
    z = net.zero_state(3)
    assert np.array_equal(net.step(z, [0.5, 2.0, 5.0]), z)


@pytest.mark.parametrize("arch,kw", [("gru", {"sigma_b": 0.8}), ("lstm", {"sigma_b": 0.8}),
                                     ("lstm", {"bias": "chrono", "t_max": 10.0}), ("rnn", {})])
def test_table_1_reduction_at_zero(arch, kw):
    """At h = 0 the Jacobian is M + g L U_h R (GRU/RNN); for the LSTM's (c, h) state it is
    [[M + g L U R, ...]] with the same non-zero eigenvalues (the h block is o times the c block)."""
    n, g = 40, 1.3
    net = make_network(arch, n, seed=14, **kw)
    J = net.jacobian(net.zero_state(1), g)
    M, L, R = crit.diagonals(arch, net.biases if arch != "rnn" else None)
    expected = crit.jacobian_at_zero(np.broadcast_to(M, n), np.broadcast_to(L, n),
                                     np.broadcast_to(R, n), g, U=net.U["h"])
    if arch == "lstm":
        # c' = f c + i tanh(g U_h o tanh(c_prev) ...): the Jacobian w.r.t. (c, h) at 0 is
        # [[diag(f), g diag(i) U_h], [diag(o f), g diag(o i) U_h]] = [I; diag(o)] [diag(f), g diag(i) U_h]
        o = R
        assert np.allclose(J[:n, :n], np.diag(M)) and np.allclose(J[:n, n:], g * L[:, None] * net.U["h"])
        assert np.allclose(J[n:], o[:, None] * J[:n])
        ev = np.sort_complex(np.linalg.eigvals(J))
        ev = ev[np.abs(ev) > 1e-9]
        assert np.allclose(np.sort_complex(ev), np.sort_complex(np.linalg.eigvals(expected)), atol=1e-9)
    else:
        assert np.allclose(J, expected, atol=1e-14)


@pytest.mark.usefixtures("engine")
def test_float32_runs_and_stays_float32():
    net = make_network("gru", 64, seed=15, dtype=np.float32)
    s = net.random_state(2, seed=1)
    new, du = net.jvp(s, s, np.array([1.0, 2.0], dtype=np.float32))
    assert new.dtype == np.float32 and du.dtype == np.float32
    ref = make_network("gru", 64, seed=15)
    assert np.allclose(new, ref.step(s.astype(float), [1.0, 2.0]), atol=1e-5)


@pytest.mark.parametrize("kwargs,match", [
    ({"arch": "transformer", "n": 4}, "arch"), ({"arch": "gru", "n": 0}, "n"),
    ({"arch": "gru", "n": 4, "sigma_b": -1.0}, "sigma_b"), ({"arch": "gru", "n": 4, "dtype": np.int64}, "dtype"),
    ({"arch": "lstm", "n": 4, "biases": {"f": 0.0}}, "keys"),
])
def test_make_network_validates(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make_network(**kwargs)


def test_gains_validation():
    net = make_network("gru", 5, seed=0)
    with pytest.raises(ValueError, match="only name"):
        net.step(net.zero_state(1), {"q": 1.0})
    with pytest.raises(ValueError, match="columns"):
        net.step(net.zero_state(3), [1.0, 2.0])
    with pytest.raises(ValueError, match="g must be"):
        net.step(net.zero_state(1), -1.0)


@pytest.mark.parametrize("arch", ["gru", "lstm"])
@pytest.mark.usefixtures("engine")
def test_benchmark_loop_baseline_computes_the_same_trajectories(arch):
    from criticality.bench import run_batched, run_loop

    gains = np.array([0.5, 1.5, 3.0])
    s_b, u_b = run_batched(arch, 40, gains, 10, np.float64)()
    s_l, u_l = run_loop(arch, 40, gains, 10)()
    assert np.allclose(s_b, s_l, rtol=1e-10, atol=1e-12)
    assert np.allclose(u_b, u_l, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.usefixtures("engine")
def test_lyapunov_in_ordered_phase_is_log_radius_of_jacobian_at_zero(arch):
    """Below the edge the state decays to 0, so the exponent is ln rho(J(0)), exactly in the limit."""
    from criticality.models import lyapunov
    net = make_network(arch, 40, sigma_b=0.5 if arch != "rnn" else 0.0, seed=4)
    g = 0.6
    expected = np.log(np.max(np.abs(np.linalg.eigvals(net.jacobian(net.zero_state(), g)))))
    got = lyapunov(net, g, 3000, transient=1000, seed=5)
    assert isinstance(got, float)
    assert abs(got - expected) < 5e-3 * max(1.0, abs(expected))
    batched = lyapunov(net, [g, 2 * g], 3000, transient=1000, seed=5)
    assert batched[0] == pytest.approx(got, abs=1e-12)


def test_sample_lyapunov_is_seeded_and_chaotic_above_the_edge():
    from criticality.models import sample_lyapunov
    a = sample_lyapunov("rnn", 200, [0.5, 3.0], steps=400, transient=200, seed=np.random.SeedSequence(1))
    b = sample_lyapunov("rnn", 200, [0.5, 3.0], steps=400, transient=200, seed=np.random.SeedSequence(1))
    np.testing.assert_array_equal(a, b)
    assert a[0] < np.log(0.5) + 0.1 and a[1] > 0.1


def _reference_exponent(net, g, steps, transient, seed):
    """Benettin along the same float64 states as ``lyapunov``, with the textbook JVP evaluated in long double
    (exponents down to e^-11000, so derivatives like sech^2(1000) = 4e-869 do not underflow), no log tricks."""
    L = np.longdouble
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    dsig = lambda x: np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2  # noqa: E731
    sech2 = lambda x: 4 * np.exp(-2 * np.abs(x)) / (1 + np.exp(-2 * np.abs(x))) ** 2  # noqa: E731
    rng = np.random.default_rng(seed)
    s = net.random_state(1, scale=0.5, seed=rng)
    u = rng.standard_normal((net.state_size, 1)).astype(L)
    U = {k: v.astype(L) for k, v in net.U.items()}
    b = {k: v.astype(L)[:, None] for k, v in net.biases.items()}
    n, total = net.n, L(0)
    for t in range(transient + steps):
        u /= np.sqrt(np.sum(u * u))
        S = s.astype(L)
        if net.arch == "rnn":
            u = sech2(g * U["h"] @ S) * (g * U["h"] @ u)
        elif net.arch == "gru":
            pz, pr = g * U["z"] @ S + b["z"], g * U["r"] @ S + b["r"]
            pc = g * U["h"] @ (sig(pr) * S)
            v = dsig(pr) * (g * U["r"] @ u) * S + sig(pr) * u
            u = (sig(-pz) * u + dsig(pz) * (g * U["z"] @ u) * (np.tanh(pc) - S)
                 + sig(pz) * sech2(pc) * (g * U["h"] @ v))
        else:
            c, h, uc, uh = S[:n], S[n:], u[:n], u[n:]
            p = {k: g * U[k] @ h + b.get(k, 0) for k in "fioh"}
            c_new = sig(p["f"]) * c + sig(p["i"]) * np.tanh(p["h"])
            dc = (dsig(p["f"]) * (g * U["f"] @ uh) * c + sig(p["f"]) * uc + dsig(p["i"]) * (g * U["i"] @ uh)
                  * np.tanh(p["h"]) + sig(p["i"]) * sech2(p["h"]) * (g * U["h"] @ uh))
            dh = dsig(p["o"]) * (g * U["o"] @ uh) * np.tanh(c_new) + sig(p["o"]) * sech2(c_new) * dc
            u = np.concatenate([dc, dh])
        if t >= transient:
            total += np.log(np.sqrt(np.sum(u * u)))
        s = net.jvp(s, (u / np.max(np.abs(u))).astype(float), g)[0]  # the states lyapunov sees
    return float(total / steps)


@pytest.mark.skipif(np.finfo(np.longdouble).minexp > -16000, reason="needs an 80-bit long double")
@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("g", [1.5, 5.0, 60.0, 1e3, 3e3])
@pytest.mark.usefixtures("engine")
def test_lyapunov_at_large_gains_against_extended_precision(arch, g):
    """At g = 1e3 the gates and units saturate: sigma' and tanh' (and 1 - z) round or underflow to 0 in
    float64, so the tangent used to die (0/0 = NaN) or lose its dominant terms. The exponent now equals the
    textbook computation in long double, in the chaotic (5), mixed (60) and saturated regimes."""
    from criticality.models import lyapunov
    net = make_network(arch, 30, sigma_b=0.5 if arch != "rnn" else 0.0, seed=3)
    got = lyapunov(net, g, 200, transient=50, seed=4)
    assert got == pytest.approx(_reference_exponent(net, g, 200, 50, 4), rel=1e-10, abs=1e-13)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.usefixtures("engine")
def test_lyapunov_never_nan_at_zero_and_huge_gains(arch, dtype):
    """g = 0: the RNN maps every tangent to exactly 0, so its exponent is -inf (no 0/0, no warning); the
    GRU and LSTM keep (1 - z) u and f u_c, finite. g = 1e3, 1e4: finite (and very negative)."""
    from criticality.models import lyapunov, sample_lyapunov
    net = make_network(arch, 50, sigma_b=0.5 if arch != "rnn" else 0.0, seed=1, dtype=dtype)
    lam = lyapunov(net, [0.0, 1.0, 1e3, 1e4], 300, transient=100, seed=2)
    assert not np.any(np.isnan(lam))
    assert (lam[0] == -np.inf) if arch == "rnn" else np.isfinite(lam[0])
    assert np.all(np.isfinite(lam[1:])) and lam[3] < -1
    if arch == "rnn":
        assert lyapunov(net, 0.0, 10, seed=2) == -np.inf  # the scalar path too
    assert np.all(np.isfinite(sample_lyapunov(arch, 20, [1e3, 1e4], steps=50, seed=0)))


@pytest.mark.parametrize("call,match", [
    (lambda net: net.step(np.ones(net.state_size), 1.0), "state must have shape"),
    (lambda net: net.step(np.full((net.state_size, 1), np.nan), 1.0), "state must be finite"),
    (lambda net: net.step(np.array([["a"] * 1] * net.state_size), 1.0), "state must be a real array"),
    (lambda net: net.jvp(net.zero_state(2), np.ones((net.state_size, 3)), 1.0), "tangent must have shape"),
    (lambda net: net.step(net.zero_state(1), 1.0, x=np.ones(3)), "x given"),
    (lambda net: net.step(net.zero_state(1), 1e7), "g must be >= 0 and <= 1e"),
    (lambda net: net.step(net.zero_state(1), []), "g must be"),
    (lambda net: net.random_state(1, scale=np.nan), "scale"),
    (lambda net: net.jacobian(np.ones(3), 1.0), "state must have shape"),
])
def test_network_methods_validate(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(make_network("gru", 5, seed=0))


def test_inputs_are_validated():
    net = make_network("gru", 5, n_inputs=3, seed=0)
    for x, match in ((np.ones(4), "x must have shape"), (np.full(3, np.inf), "x must be finite"),
                     (np.ones((3, 2)), "x must have shape")):
        with pytest.raises(ValueError, match=match):
            net.step(net.zero_state(3), [1.0, 2.0, 3.0], x)


@pytest.mark.parametrize("kwargs,match", [
    ({"steps": 10**12}, "steps"), ({"steps": 0}, "steps"), ({"transient": -1}, "transient"),
    ({"g": np.nan}, "g"), ({"g": [[1.0, 2.0]]}, "g"), ({"state": np.eye(3)}, "state"),
    ({"state": np.full((5, 2), np.inf)}, "state"),
])
def test_lyapunov_validates(kwargs, match):
    from criticality.models import lyapunov
    with pytest.raises((ValueError, TypeError), match=match):
        lyapunov(make_network("gru", 5, seed=0), **({"g": [0.5, 2.0], "steps": 5} | kwargs))
    with pytest.raises(TypeError, match="net must be a Network"):
        lyapunov("gru", 1.0, 5)


@pytest.mark.parametrize("kwargs,match", [
    ({"n": 10**9}, "n"), ({"input_scale": np.nan, "n_inputs": 2}, "input_scale"),
    ({"biases": {"z": np.zeros(3), "r": 0.0}}, "biases"), ({"sigma_b": 1e7}, "sigma_b"),
])
def test_make_network_validates_sizes_and_scales(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make_network(**({"arch": "gru", "n": 4} | kwargs))


@pytest.mark.parametrize("arch,kw,gates", CASES)
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-13), (np.float32, 2e-5)])
@pytest.mark.parametrize("per_matrix", [False, True])
@pytest.mark.usefixtures("engine")
def test_fused_step_equals_the_reference_step(arch, kw, gates, dtype, tol, per_matrix):
    """The fused value path of Network._step (models._fast) against the general code it replaces
    (reference=True), with inputs, per-matrix gains and both dtypes: the same map and tangent."""
    net = make_network(arch, 40, gates_recurrent=gates, n_inputs=2, seed=4, dtype=dtype, **kw)
    rng = np.random.default_rng(5)
    B = 6
    names = {"rnn": ("h",), "gru": ("z", "r", "h"), "lstm": ("f", "i", "o", "h")}[arch]
    g = {k: rng.uniform(0.3, 5.0, B) for k in names} if per_matrix else np.linspace(0.3, 5.0, B)
    s = net.random_state(B, scale=1.5, seed=6)
    u = rng.standard_normal((net.state_size, B)).astype(dtype)
    x = rng.standard_normal(2)
    new, t, m = net._step(s, u, g, x)
    ref, t_ref, m_ref = net._step(s, u, g, x, reference=True)
    scale = np.abs(t_ref * np.exp(m_ref)).max()
    np.testing.assert_allclose(new, ref, rtol=0, atol=tol)
    np.testing.assert_allclose(t * np.exp(m), t_ref * np.exp(m_ref), rtol=0, atol=tol * scale)
    assert new.dtype == t.dtype == dtype


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("n,B", [(40, 1), (40, 3), (40, 7), (300, 32), (300, 33), (450, 29)])
@pytest.mark.usefixtures("engine")
def test_trajectory_is_the_same_with_and_without_tangents(arch, n, B):
    """Network._step computes the state by the same equations whether or not tangents ride along (a
    step whose tangent goes to the log path takes its state from the path without tangents). The two
    agree to rounding, not bit for bit: BLAS may sum a column of the wider product (states and
    tangents) in another order than the state-only product, as OpenBLAS does for some column counts
    (3, 33) even in ``U @ X`` and for many in the transposed product of large N. One step agrees to
    a few units of rounding; 25 chaotic steps (the gains reach 4) stay within 1e-8, where a wrong
    term in either path would differ by order one."""
    net = make_network(arch, n, n_inputs=1, seed=10)
    g = np.linspace(0.5, 4.0, B)
    s = t = net.random_state(B, scale=0.5, seed=11)
    u = np.random.default_rng(12).standard_normal(s.shape)
    for k, x in enumerate(np.random.default_rng(13).standard_normal((25, 1))):
        s, v, _ = net._step(s, u, g, x)
        u = v / np.linalg.norm(v, axis=0)
        t = net.step(t, g, x)
        if k == 0:
            np.testing.assert_allclose(s, t, rtol=0, atol=1e-14)
    np.testing.assert_allclose(s, t, rtol=0, atol=1e-8)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.usefixtures("engine")
def test_a_nan_state_stays_nan(arch):
    """The public API refuses a non-finite state; inside, a NaN must propagate, never come back finite."""
    net = make_network(arch, 20, seed=1)
    s = net.random_state(3, seed=2)
    s[0, 1] = np.nan
    for new in (net._step(s, None, [1.0, 2.0, 3.0], None)[0], net._step(s, np.ones_like(s), [1.0, 2.0, 3.0], None)[0]):
        assert np.isnan(new[:, 1]).any() and not np.isnan(new[:, [0, 2]]).any()


@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("order", ["C", "F"])
def test_matmul_is_the_product_in_either_form(transposed, order):
    rng = np.random.default_rng(0)
    U, X = rng.standard_normal((90, 30)), np.asarray(rng.standard_normal((30, 9)), order=order)
    P = _matmul(U, X, transposed)
    np.testing.assert_allclose(P, U @ X, rtol=0, atol=1e-13)
    assert P.shape == (90, 9) and P.flags.f_contiguous == transposed


@pytest.mark.parametrize("arch,n", [("rnn", 724), ("rnn", 725), ("gru", 511), ("gru", 512), ("lstm", 362),
                                    ("lstm", 363)])
def test_products_are_transposed_for_the_kernels_or_from_four_mebibytes(arch, n):
    """The engine transposes its products for the compiled kernels, and without them for a stack (or the
    RNN's U_h) of TRANSPOSED_PRODUCT_BYTES or more; either form gives the same step to rounding."""
    net = make_network(arch, n, seed=1)
    assert (net._stack.nbytes >= TRANSPOSED_PRODUCT_BYTES) == (n in (725, 512, 363))
    assert net._transposed == (_kernels.AVAILABLE or net._stack.nbytes >= TRANSPOSED_PRODUCT_BYTES)
    s, u = net.random_state(5, scale=0.5, seed=2), np.random.default_rng(3).standard_normal((net.state_size, 5))
    g = np.linspace(0.5, 3.0, 5)
    new, t, _ = net._step(s, u, g, None)
    net._transposed = not net._transposed
    new2, t2, _ = net._step(s, u, g, None)
    np.testing.assert_allclose(new, new2, rtol=0, atol=1e-13)
    np.testing.assert_allclose(t, t2, rtol=0, atol=1e-12 * np.abs(t).max())


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.usefixtures("engine")
def test_saturated_step_is_done_in_logs(arch):
    """A preactivation beyond vanilla.SATURATION sends the step to the log path: the result is the
    reference's in logs, and the tangent of a column saturated by a huge gain is tiny but not 0."""
    net = make_network(arch, 30, seed=7)
    s = net.random_state(2, scale=1.0, seed=8)
    u = np.random.default_rng(9).standard_normal((net.state_size, 2))
    g = np.array([1.0, 5e3])
    new, t, m = net._step(s, u, g, None)
    ref, t_ref, m_ref = net._step(s, u, g, None, log=True, reference=True)
    np.testing.assert_allclose(new, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(m, m_ref, rtol=1e-12)
    np.testing.assert_allclose(t, t_ref, rtol=1e-10, atol=1e-12)
    a = {k: v[None, :] for k, v in net.gains(g).items()}
    assert _fast(net, s, u, a, {}, 2, True) is None  # the fused path declines
    assert np.all(np.isfinite(t)) and np.abs(t[:, 1]).max() > 0
