"""criticality.lyapunov: exponents of linear maps and fixed points (exact), the Sompolinsky value
(1/2) ln chi, the Jacobian-free estimate, convergence, invariances, batching and argument checks.

Tolerances are chosen so that a wrong factor of 2 (2 lambda instead of lambda) fails every test."""

import numpy as np
import pytest

from criticality import dmft, lyapunov as L, models, vanilla


def _linear(A):
    """A linear map as a tangent step: the state is unused."""
    return lambda x, v: (x, A @ v, 0.0)


def _matrix_with_moduli(moduli, seed):
    rng = np.random.default_rng(seed)
    V = rng.standard_normal((len(moduli), len(moduli)))
    return V @ np.diag(moduli) @ np.linalg.inv(V)


def test_linear_map_exponents_are_log_moduli_of_its_eigenvalues():
    moduli = np.array([1.3, -0.9, 0.6, 0.5, -0.2, 0.05])
    A = _matrix_with_moduli(moduli, 0)
    lam = L.qr_exponents(lambda x, q: (x, A @ q, 0.0), None, np.eye(6)[None, :, :4], 3000)
    np.testing.assert_allclose(lam[0], np.log(np.abs(moduli[:4])), atol=2e-3)
    u = np.random.default_rng(1).standard_normal((6, 1))
    assert L.benettin(_linear(A), None, u, 3000)[0] == pytest.approx(np.log(1.3), abs=2e-3)


def test_linear_map_with_complex_eigenvalues():
    """A random Gaussian matrix has complex pairs (equal moduli): the spectrum still gives log|eig|."""
    A = np.random.default_rng(3).standard_normal((8, 8)) / np.sqrt(8)
    ev = np.sort(np.log(np.abs(np.linalg.eigvals(A))))[::-1]
    lam = L.qr_exponents(lambda x, q: (x, A @ q, 0.0), None, np.eye(8)[None], 4000)[0]
    np.testing.assert_allclose(lam, ev, atol=5e-3)


def test_estimate_converges_like_one_over_steps():
    """For a linear map the error is the log of the initial tangent's overlap divided by the steps."""
    A = _matrix_with_moduli([1.1, 0.9, 0.3], 5)
    u = np.array([[0.05], [1.0], [1.0]])  # small overlap with the leading direction: a large 1/T term
    err = [abs(L.benettin(_linear(A), None, u, t)[0] - np.log(1.1)) for t in (100, 400, 1600)]
    assert err[0] > 3.5 * err[1] > 3.5**2 * err[2] > 0


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("g", [0.8, 1.5, 3.0])
def test_spectrum_at_the_zero_fixed_point_is_log_eig_of_j0(arch, g):
    """Started exactly at h = 0 the state stays there, and the tangent map is the fixed matrix J_0 at
    every gain (stable or not): the exponents are the log-moduli of J_0's eigenvalues."""
    net = models.make_network(arch, 20, sigma_b=0.0 if arch == "rnn" else 0.5, seed=1)
    zero = net.zero_state(1)[:, 0]
    ev = np.sort(np.log(np.abs(np.linalg.eigvals(net.jacobian(zero, g)))))[::-1]
    lam = L.spectrum(net, g, 6, 3000, state=zero, seed=2)
    np.testing.assert_allclose(lam, ev[:6], atol=3e-3)
    assert L.max_exponent(net, g, 3000, state=zero, seed=2) == pytest.approx(ev[0], abs=3e-3)


@pytest.mark.parametrize("arch", ["gru", "lstm"])
def test_below_gc_lambda_max_is_log_spectral_radius_of_j0(arch):
    """From a random state below g_c = 2 the network falls to h = 0 and lambda_max -> log rho(J_0)."""
    net = models.make_network(arch, 100, seed=4)
    rho = np.abs(np.linalg.eigvals(net.jacobian(net.zero_state(1)[:, 0], 1.2))).max()
    assert L.max_exponent(net, 1.2, 3000, transient=500, seed=5) == pytest.approx(np.log(rho), abs=2e-3)


def test_sompolinsky_map_at_g_1_5_is_half_log_chi():
    """thesis Eq. 6: lambda_max = (1/2) ln chi = 0.0652 at g = 1.5 (ln chi itself, 0.130, must fail)."""
    theory = 0.5 * np.log(dmft.growth_factor(1.5))
    assert theory == pytest.approx(0.0652, abs=1e-4)
    # Algorithm 1's average over disorder samples. At N = 1000 one sample in four lands near 0.043 (finite-N
    # spread), so N = 2000: measured 0.0639, 0.0617 (vanilla) and 0.0650, 0.0633 (RNN) for seeds 0, 1
    runs = [vanilla.simulate_recurrent([1.5], n=2000, steps=1000, transient=300, seed=s).lyapunov[0]
            for s in range(2)]
    assert np.mean(runs) == pytest.approx(theory, abs=0.008)
    # the RNN of models, h' = tanh(g U h), is conjugate to it (x = g U h): the same exponent
    rnn = [L.sample_max_exponent("rnn", 2000, 1.5, steps=1000, transient=300, seed=s) for s in range(2)]
    assert np.mean(rnn) == pytest.approx(theory, abs=0.008)


@pytest.mark.parametrize("arch", ["gru", "lstm"])
def test_two_trajectory_estimate_agrees_with_the_tangent_map(arch):
    net = models.make_network(arch, 150, seed=6)
    g = np.array([1.2, 3.0, 5.0])
    tangent = L.max_exponent(net, g, 1500, transient=500, seed=7)
    free = L.two_trajectory_exponent(net, g, 1500, transient=500, seed=7)
    assert tangent[1] > 0.01 and tangent[0] < -0.1
    np.testing.assert_allclose(free, tangent, atol=1e-4)


def test_independent_of_the_initial_tangent():
    net = models.make_network("gru", 200, seed=8)
    state = net.random_state(1, scale=0.5, seed=9)[:, 0]
    lam = [L.max_exponent(net, 3.0, 4000, transient=500, state=state, seed=s) for s in range(3)]
    assert lam[0] > 0.02 and np.ptp(lam) < 1e-3


def test_spectrum_leads_with_the_max_exponent_and_is_descending():
    net = models.make_network("lstm", 100, seed=10)
    state = net.random_state(1, scale=0.5, seed=11)[:, 0]
    sp = L.spectrum(net, [1.0, 3.0], 5, 3000, transient=500, state=state, seed=12)
    top = L.max_exponent(net, [1.0, 3.0], 3000, transient=500, state=state, seed=13)
    assert sp.shape == (2, 5) and np.all(np.diff(sp, axis=1) <= 0)
    np.testing.assert_allclose(sp[:, 0], top, atol=2e-3)


@pytest.mark.parametrize("func", ["max_exponent", "spectrum", "two_trajectory_exponent"])
def test_a_gains_result_does_not_depend_on_the_other_gains(func):
    net = models.make_network("gru", 40, sigma_b=0.5, seed=14)
    call = {"max_exponent": lambda g: L.max_exponent(net, g, 200, transient=50, seed=15),
            "spectrum": lambda g: L.spectrum(net, g, 3, 200, transient=50, seed=15),
            "two_trajectory_exponent": lambda g: L.two_trajectory_exponent(net, g, 200, transient=50, seed=15)}[func]
    # the two-trajectory estimate divides a difference of states by eps = 1e-7: round-off that differs
    # with the GEMM's shape is amplified to ~1e-9 relative
    rtol = 1e-6 if func == "two_trajectory_exponent" else 1e-9
    batch = call(np.array([0.5, 2.5, 1.5]))
    np.testing.assert_allclose(batch[1], call(2.5), rtol=rtol)
    np.testing.assert_allclose(batch[2], call(np.array([1.5, 0.5]))[0], rtol=rtol)


def test_per_matrix_gains_and_zero_gain():
    net = models.make_network("gru", 30, seed=16)
    gains = {"z": [1.0, 1.0], "r": [1.0, 1.0], "h": [0.5, 3.0]}
    assert L.spectrum(net, gains, 2, 300, seed=1).shape == (2, 2)
    rnn = models.make_network("rnn", 10, seed=1)
    assert np.all(L.spectrum(rnn, 0.0, 3, 20, seed=1) == -np.inf)
    assert L.max_exponent(rnn, [0.0, 1.0], 20, seed=1)[0] == -np.inf


def test_models_keeps_its_names():
    net = models.make_network("gru", 20, seed=1)
    assert models.lyapunov(net, [1.0, 3.0], 100, seed=2).tolist() == L.max_exponent(net, [1.0, 3.0], 100, seed=2).tolist()
    assert models.sample_lyapunov("gru", 20, 2.0, steps=50, seed=3) == L.sample_max_exponent("gru", 20, 2.0, steps=50, seed=3)


def test_kaplan_yorke_dimension():
    assert L.kaplan_yorke_dimension([-0.1, -0.5]) == 0.0
    assert L.kaplan_yorke_dimension([0.2, -0.4]) == pytest.approx(1.5)
    assert L.kaplan_yorke_dimension([-0.3, 0.1, 0.05, -0.2]) == pytest.approx(2 + 0.15 / 0.2)
    with pytest.raises(ValueError, match="exponents"):
        L.kaplan_yorke_dimension([0.2, -0.1])
    # Lorenz-like spectrum: 2 + 0.9 / 14.57
    assert L.kaplan_yorke_dimension([0.906, 0.0, -14.572]) == pytest.approx(2 + 0.906 / 14.572)


def test_zero_crossing():
    g = [1.0, 2.0, 3.0, 4.0]
    assert L.zero_crossing(g, [-0.2, -0.1, 0.1, 0.3]) == pytest.approx(2.5)
    assert L.zero_crossing(g, [-0.2, -0.1, 0.1, 0.3], level=0.2) == pytest.approx(3.5)
    assert L.zero_crossing(g, [-0.2, 0.1, -0.1, 0.3]) == pytest.approx(3.25)  # the last crossing
    assert np.isnan(L.zero_crossing(g, [-0.2, -0.1, -0.1, -0.3]))
    assert L.zero_crossing(g, [-np.inf, 0.1, 0.2, 0.3]) == 1.0
    with pytest.raises(ValueError, match="increasing"):
        L.zero_crossing([1.0, 1.0, 2.0, 3.0], [-1, 0, 1, 2])
    with pytest.raises(ValueError, match="lam"):
        L.zero_crossing(g, [0.1, np.nan, 0.2, 0.3])


@pytest.mark.parametrize("call,match", [
    (lambda net: L.spectrum(net, 1.0, 0, 10), "k"),
    (lambda net: L.spectrum(net, 1.0, 41, 10), "k"),
    (lambda net: L.spectrum(net, 1.0, 2, -1), "steps"),
    (lambda net: L.spectrum(net, 1.0, 2, 10, transient=-1), "transient"),
    (lambda net: L.max_exponent(net, 1.0, 0), "steps"),
    (lambda net: L.max_exponent(net, -1.0, 10), "g"),
    (lambda net: L.max_exponent(net, 1.0, 10, state=np.zeros(3)), "state"),
    (lambda net: L.two_trajectory_exponent(net, 1.0, 10, eps=0.0), "eps"),
    (lambda net: L.max_exponent("gru", 1.0, 10), "net"),
])
def test_bad_arguments_name_the_parameter(call, match):
    net = models.make_network("lstm", 20, seed=0)  # state size 40
    with pytest.raises((ValueError, TypeError), match=match):
        call(net)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_normalised_fast_path_equals_the_scaled_path(dtype):
    """normalised() skips the division by the peak when every squared norm is in the normal range:
    the same unit vectors and log-norms as with it; out of range (huge, tiny, zero) the safe path."""
    from criticality.lyapunov import normalised

    v = np.random.default_rng(1).standard_normal((50, 4)).astype(dtype) * np.array([1e-3, 1.0, 10.0, 1e3], dtype)
    fast, logs = normalised(v)
    peak = np.abs(v).max(axis=0)
    w = v / peak
    norm = np.linalg.norm(w, axis=0)
    rtol = 1e-14 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(fast, w / norm, rtol=rtol)
    np.testing.assert_allclose(logs, np.log(peak) + np.log(norm), rtol=rtol)
    huge = np.full((3, 2), np.finfo(dtype).max / 2, dtype)
    huge[:, 1] = 0.0
    u, lg = normalised(huge)
    np.testing.assert_allclose(u[:, 0], 1 / np.sqrt(3), rtol=rtol)
    assert np.all(u[:, 1] == 0) and np.isneginf(lg[1]) and np.isfinite(lg[0])


def test_flushed_zeroes_tiny_entries_only():
    x = np.array([1e-151, -1e-151, 1e-149, -2.0, 0.0, np.nan, 5e-324])
    out = L.flushed(x.copy())
    np.testing.assert_array_equal(out[[0, 1, 4, 6]], 0.0)
    assert out[2] == 1e-149 and out[3] == -2.0 and np.isnan(out[5])


def _subnormals(x):
    return int(np.count_nonzero((x != 0) & (np.abs(x) < np.finfo(x.dtype).tiny)))


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("kernels", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ordered_states_are_flushed_before_they_turn_subnormal(arch, kernels, dtype, monkeypatch):
    """In the ordered phase the state decays to 0 through the subnormal numbers (slow arithmetic); the
    Lyapunov loops flush it at flush_level(dtype) instead, and the exponents are those of the
    unflushed loop (the map there is linear to rounding). Both engines, both precisions; 1200 steps
    take every gain below 1e-308."""
    from criticality import _kernels

    monkeypatch.setattr(_kernels, "AVAILABLE", kernels and _kernels.AVAILABLE)
    net = models.make_network(arch, 16, seed=4, dtype=dtype)
    g = net.gains(np.array([0.2, 0.4, 0.6, 4.0], dtype=dtype))
    state = net.random_state(4, scale=0.5, seed=5)
    u = np.repeat(np.random.default_rng(6).standard_normal((net.state_size, 1)), 4, axis=1).astype(dtype)
    level = L.flush_level(dtype)
    seen = {}
    for flush in (0.0, level):
        subnormal, total = 0, 0.0
        for t, x, growth in L.renormalised_growth(lambda x, v: net._step(x, v, g, None, flush=flush),
                                                  state, u, 1200):
            subnormal += _subnormals(x)
            total = total + growth
        seen[flush] = subnormal, total / 1200, x
    assert seen[0.0][0] > 0, "the unflushed loop should pass through subnormal states"
    assert seen[level][0] == 0
    np.testing.assert_allclose(seen[level][1], seen[0.0][1], rtol=1e-12 if dtype == np.float64 else 1e-5)
    assert np.all(seen[level][2][:, :3] == 0) and np.all(np.abs(seen[level][2][:, 3]) > level)
    if dtype == np.float64:  # in float32 the chaotic column's rounding differs after 1200 steps
        np.testing.assert_array_equal(seen[level][2][:, 3], seen[0.0][2][:, 3])


def test_flush_levels_keep_products_normal():
    for dtype, level in ((np.float64, L.FLUSH), (np.float32, L.FLUSH_FLOAT32)):
        assert L.flush_level(dtype) == level and level**2 > np.finfo(dtype).tiny


def test_vanilla_loop_flushes_its_state():
    """simulate_recurrent's step flushes tiny states (the unflushed step keeps them), and its exponents
    are those of the unflushed loop, to rounding, over a run that takes g = 0.3 below 1e-308."""
    U = np.random.default_rng(0).standard_normal((30, 30)) / np.sqrt(30)
    h, u = np.full((30, 1), 1e-200), np.ones((30, 1))
    assert np.all(vanilla._flushed_step(h, u, U, 0.5, 0.0)[0] == 0)
    assert np.all(vanilla._step(h, u, U, 0.5, 0.0)[0] != 0)
    g = np.array([0.3, 2.0])
    run = vanilla.simulate_recurrent(g, 30, steps=1500, transient=0, seed=1)
    rng = np.random.default_rng(1)  # simulate_recurrent's draws, in its order
    U, b = vanilla.gaussian(30, seed=rng), vanilla.bias_vector(30, sigma_b=0.0, seed=rng)[:, None]
    h = np.repeat(rng.standard_normal((30, 1)), 2, axis=1)
    u = vanilla._unit_tangent(rng, 30, 2)
    lam = L.benettin(lambda x, v: vanilla._step(x, v, U, g, b), h, u, 1500)
    np.testing.assert_allclose(run.lyapunov, lam[0], rtol=1e-12)
    assert np.all(run.final_state[:, 0] == 0) and np.all(np.abs(run.final_state[:, 1]) > L.FLUSH)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_loop_is_the_stepwise_loop(arch, dtype):
    """max_exponent's compiled loop (the engine's kernels, the products called from compiled code, the
    renormalisation fused) against benettin over Network._step: the same exponents, states and
    tangents to rounding, also with a gain that saturates (those steps go back to Python, in logs)
    and over a transient."""
    from criticality import _kernels

    if _kernels.gemm_address(dtype) is None:
        pytest.skip("no numba, or numpy's BLAS has no ILP64 gemm")
    net = models.make_network(arch, 24, seed=1, dtype=dtype, sigma_b=0.0 if arch == "rnn" else 0.5)
    g = net.gains(np.array([0.3, 1.0, 2.5, 60.0], dtype=dtype))
    s = net.random_state(4, scale=0.5, seed=2)
    u = np.random.default_rng(3).standard_normal(s.shape).astype(dtype)
    lam, state, tangent = L._compiled_exponent(net, g, s, u, 200, 30)
    last = {}

    def step(x, v):
        new, w, m = net._step(x, v, g, None, flush=L.flush_level(dtype))
        last["u"] = w
        return new, w, m
    ref, _, ref_state = L.benettin(step, s, u, 200, transient=30, observe=lambda x: 0.0)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(lam, np.reshape(ref, -1), rtol=tol, atol=tol)
    np.testing.assert_allclose(state, ref_state, atol=tol)
    np.testing.assert_allclose(tangent, L.normalised(last["u"])[0], atol=100 * tol)
    assert lam[0] < 0 and np.isfinite(lam[3])  # the saturated column's steps are done in logs


def test_max_exponent_without_the_compiled_loop_is_the_same(monkeypatch):
    """Where the compiled loop does not apply (here: no gemm found), max_exponent steps from Python."""
    from criticality import _kernels

    net = models.make_network("gru", 20, seed=5)
    g = np.array([0.5, 2.0, 3.5])
    compiled = L.max_exponent(net, g, 300, transient=50, seed=1)
    monkeypatch.setattr(_kernels, "gemm_address", lambda dtype: None)
    np.testing.assert_allclose(L.max_exponent(net, g, 300, transient=50, seed=1), compiled, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_gemm_is_the_matrix_product(dtype):
    from criticality import _kernels

    addr = _kernels.gemm_address(dtype)
    if addr is None:
        pytest.skip("no numba, or numpy's BLAS has no ILP64 gemm")
    rng = np.random.default_rng(0)
    A, X = rng.standard_normal((37, 19)).astype(dtype), np.asfortranarray(rng.standard_normal((19, 11)), dtype)
    out = np.empty((37, 11), dtype=dtype, order="F")
    _kernels.gemm(addr, A, X, out)
    np.testing.assert_allclose(out, A @ X, rtol=1e-12 if dtype == np.float64 else 1e-5)
