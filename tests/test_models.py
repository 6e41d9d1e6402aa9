"""Batched RNN/GRU/LSTM: Jacobians and JVPs against central finite differences, batching against
single columns, the zero fixed point, and Table 1's reduction to M + g L U R."""

import numpy as np
import pytest

from criticality import criterion as crit
from criticality.models import make_network

CASES = [
    ("rnn", {}, True), ("gru", {}, True), ("lstm", {}, True),
    ("gru", {"sigma_b": 1.0}, True), ("lstm", {"sigma_b": 1.0}, True),
    ("gru", {"bias": "chrono", "t_max": 20.0}, True), ("lstm", {"bias": "chrono", "t_max": 20.0}, True),
    ("gru", {"sigma_b": 0.5}, False), ("lstm", {"sigma_b": 0.5}, False),
]


def fd_jvp(net, s, u, g, x=None, eps=1e-6):
    return (net.step(s + eps * u, g, x) - net.step(s - eps * u, g, x)) / (2 * eps)


@pytest.mark.parametrize("arch,kw,gates", CASES)
@pytest.mark.parametrize("with_input", [False, True])
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
def test_full_jacobian_against_finite_differences(arch, kw, gates):
    net = make_network(arch, 8, gates_recurrent=gates, seed=4, **kw)
    s = net.random_state(1, seed=5)
    J = net.jacobian(s, 1.7)
    eye = np.eye(net.state_size)
    fd = np.column_stack([fd_jvp(net, s, eye[:, [k]], 1.7)[:, 0] for k in range(net.state_size)])
    assert J.shape == (net.state_size, net.state_size)
    assert np.allclose(J, fd, rtol=1e-6, atol=1e-8)


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
def test_benchmark_loop_baseline_computes_the_same_trajectories(arch):
    from criticality.bench import run_batched, run_loop

    gains = np.array([0.5, 1.5, 3.0])
    s_b, u_b = run_batched(arch, 40, gains, 10, np.float64)()
    s_l, u_l = run_loop(arch, 40, gains, 10)()
    assert np.allclose(s_b, s_l, rtol=1e-10, atol=1e-12)
    assert np.allclose(u_b, u_l, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
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
