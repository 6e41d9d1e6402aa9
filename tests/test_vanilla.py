"""Simulations: Jacobians against finite differences, batching against single runs, seeds."""

import numpy as np
import pytest

from criticality import dmft, init, spectra, vanilla


def test_step_and_tangent_against_finite_differences():
    rng = np.random.default_rng(0)
    n, k = 30, 4
    U = init.gaussian(n, seed=rng)
    g = np.array([0.5, 1.0, 1.7, 3.0])
    b = rng.standard_normal((n, 1))
    h, u = rng.standard_normal((n, k)), rng.standard_normal((n, k))
    f, ju = vanilla.step_and_tangent(h, u, U, g, b)
    eps = 1e-6
    fp, _ = vanilla.step_and_tangent(h + eps * u, u, U, g, b)
    fm, _ = vanilla.step_and_tangent(h - eps * u, u, U, g, b)
    assert np.allclose(ju, (fp - fm) / (2 * eps), rtol=1e-7, atol=1e-8)
    assert np.allclose(f, (U @ np.tanh(h)) * g + b, rtol=1e-14)


def test_fixed_point_jacobian_against_finite_differences():
    h, J = vanilla.fixed_point(0.7, 0.5, n=40, seed=2)
    # rebuild F from the same seed: W and b are the first draws of the generator
    rng = np.random.default_rng(2)
    W = 0.7 * init.gaussian(40, seed=rng)
    b = 0.5 * rng.standard_normal(40)
    F = lambda x: W @ np.tanh(x) + b  # noqa: E731
    assert np.allclose(F(h), h, atol=1e-11)
    eps = 1e-6
    fd = np.column_stack([(F(h + eps * e) - F(h - eps * e)) / (2 * eps) for e in np.eye(40)])
    assert np.allclose(J, fd, atol=1e-8)


def test_fixed_point_fails_loudly_in_chaos():
    with pytest.raises(RuntimeError, match="did not converge"):
        vanilla.fixed_point(3.0, 0.5, n=200, seed=0, max_iter=300)


def test_batched_gains_equal_single_runs():
    gains = np.array([0.5, 1.5, 2.5])
    batch = vanilla.simulate_recurrent(gains, n=200, steps=20, transient=5, seed=4)
    for k, g in enumerate(gains):
        one = vanilla.simulate_recurrent([g], n=200, steps=20, transient=5, seed=4)
        # same U, same start; chaos amplifies rounding, so the horizon is short
        assert np.allclose(batch.final_state[:, k], one.final_state[:, 0], rtol=1e-9, atol=1e-9)


def test_seed_reproducible_and_distinct():
    a = vanilla.mlp_lyapunov([1.5], [0.2], n=100, depth=20, seed=9)
    b = vanilla.mlp_lyapunov([1.5], [0.2], n=100, depth=20, seed=9)
    c = vanilla.mlp_lyapunov([1.5], [0.2], n=100, depth=20, seed=10)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_replica_distance_grows_at_chi_then_saturates():
    g = np.array([0.7, 2.0])
    d = vanilla.replica_distance(g, n=1000, steps=160, transient=200, eps=1e-14, seed=5)
    # ordered: the replicas collapse; chaotic: exponential growth at rate ln chi over 10 steps
    assert d[-1, 0] < 1e-12 * d[0, 0]
    rate = np.log(d[25, 1] / d[5, 1]) / 20
    assert rate == pytest.approx(np.log(dmft.growth_factor(2.0)), abs=0.05)
    assert 0.1 < d[-1, 1] < 4 * dmft.fixed_point_variance(2.0)


def test_mlp_distance_shapes_and_phases():
    d = vanilla.mlp_distance([0.8, 3.0], [0.5], n=400, depth=30, d0=1e-6, seed=0)
    assert d.shape == (31, 2, 1)
    assert d[-1, 0, 0] < d[0, 0, 0] < d[-1, 1, 0]


def test_circular_law_fraction_and_edge():
    ev = spectra.gain_matrix_eigenvalues(800, 1.1, seed=0)
    assert spectra.fraction_inside(ev, 1.0) == pytest.approx(1 / 1.1**2, abs=0.03)
    assert 1.0 < np.abs(ev).max() / 1.1 < 1.08


@pytest.mark.parametrize("kwargs,match", [
    ({"gains": [-1.0]}, "gains"), ({"n": 1}, "n"), ({"steps": 0}, "steps"), ({"n": 10.5}, "n"),
])
def test_simulate_recurrent_validates(kwargs, match):
    args = {"gains": [1.0], "n": 10, "steps": 5, "transient": 0} | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        vanilla.simulate_recurrent(**args)


def test_spectral_radius_requires_square():
    with pytest.raises(ValueError, match="square"):
        spectra.spectral_radius(np.ones((2, 3)))


def test_fixed_point_spectral_radius_matches_direct_computation():
    radius, sample = vanilla.fixed_point_spectral_radius(0.9, 0.5, n=300, seed=4)
    h, J = vanilla.fixed_point(0.9, 0.5, n=300, seed=4)
    assert radius == pytest.approx(spectra.spectral_radius(J), rel=1e-12)
    assert sample == pytest.approx(0.9 * np.sqrt(np.mean((1 - np.tanh(h) ** 2) ** 2)), rel=1e-12)
    # the mean-field radius sqrt(chi) is the large-N limit of both
    assert sample == pytest.approx(np.sqrt(dmft.growth_factor(0.9, 0.5)), rel=0.05)


def test_zero_gain_rate_is_minus_inf_not_nan():
    """At g = 0 the map sends every tangent to exactly 0: the rate is -inf (no 0/0 = NaN, no warning),
    and the other columns are unaffected."""
    run = vanilla.simulate_recurrent([0.0, 1.0], n=50, steps=20, transient=5, seed=1)
    assert run.lyapunov[0] == -np.inf and np.isfinite(run.lyapunov[1])
    alone = vanilla.simulate_recurrent([1.0], n=50, steps=20, transient=5, seed=1).lyapunov[0]
    assert run.lyapunov[1] == pytest.approx(alone, rel=1e-12)
    rate = vanilla.mlp_lyapunov([0.0, 1.0], [0.0, 0.5], n=50, depth=20, transient=2, seed=1)
    assert np.all(rate[0] == -np.inf) and np.all(np.isfinite(rate[1]))


def test_large_gains_give_finite_rates():
    """At g = 1e3, 1e4 every unit saturates and 1 - tanh^2 rounds to 0, which used to zero the tangent
    (NaN); sech^2 is now carried in logs, so the (very negative) rate is finite."""
    rate = vanilla.simulate_recurrent([1e3, 1e4], n=50, steps=20, transient=5, seed=1).lyapunov
    assert np.all(np.isfinite(rate)) and rate[1] < rate[0] < -5
    assert np.all(np.isfinite(vanilla.mlp_lyapunov([1e3, 1e4], [0.5], n=50, depth=10, seed=1)))


@pytest.mark.skipif(np.finfo(np.longdouble).minexp > -16000, reason="needs an 80-bit long double")
@pytest.mark.parametrize("g", [1.5, 60.0, 1e3])
def test_rate_against_extended_precision(g):
    """The rate equals Benettin's textbook recursion u <- g U (sech^2(h) u) in long double (where sech^2(1000)
    = 4e-869 does not underflow), along the same states (same draws, same matrix-product shapes)."""
    n, steps, transient, L = 40, 30, 5, np.longdouble
    rate = vanilla.simulate_recurrent([g], n, steps, transient, seed=2).lyapunov[0]
    rng = np.random.default_rng(2)
    U, _, h = init.gaussian(n, seed=rng), rng.standard_normal((n, 1)), rng.standard_normal((n, 1))
    u, total = rng.standard_normal((n, 1)).astype(L), L(0)
    for t in range(transient + steps):
        e = np.exp(-2 * np.abs(h.astype(L)))
        u = g * U.astype(L) @ (4 * e / (1 + e) ** 2 * u / np.sqrt(np.sum(u * u)))
        total += 0.5 * np.log(np.sum(u * u)) if t >= transient else 0
        h = vanilla.step_and_tangent(h, np.ones((n, 1)), U, [g])[0]
    assert rate == pytest.approx(float(total / steps), rel=1e-10)


@pytest.mark.parametrize("gains", [[1.5], [0.5, 1.5], [1.5, 3.0, 0.1]])
def test_a_gains_result_does_not_depend_on_the_other_gains(gains):
    """Every column starts from the same state and unit tangent (each used to draw its own tangent, and
    mlp_lyapunov's later draws, hence its networks, depended on the number of columns)."""
    k = gains.index(1.5)
    run = vanilla.simulate_recurrent(gains, n=100, steps=200, transient=50, seed=3)
    ref = vanilla.simulate_recurrent([1.5], n=100, steps=200, transient=50, seed=3)
    assert run.lyapunov[k] == pytest.approx(ref.lyapunov[0], rel=1e-12)
    assert run.variance[k] == pytest.approx(ref.variance[0], rel=1e-12)
    mlp = vanilla.mlp_lyapunov(gains, [0.0, 0.3], n=100, depth=40, transient=10, seed=3)
    ref = vanilla.mlp_lyapunov([1.5], [0.0, 0.3], n=100, depth=40, transient=10, seed=3)
    np.testing.assert_allclose(mlp[k], ref[0], rtol=1e-12)


@pytest.mark.parametrize("kwargs,match", [
    ({"max_iter": 0}, "max_iter"), ({"max_iter": 2.5}, "max_iter"), ({"max_iter": 10**12}, "max_iter"),
    ({"tol": np.nan}, "tol"), ({"tol": 0.0}, "tol"), ({"tol": 1e-20}, "tol"), ({"tol": np.inf}, "tol"),
    ({"tol": 1.0}, "tol"), ({"tol": [1e-9, 1e-8]}, "tol"), ({"g": np.nan}, "g"), ({"g": 1e7}, "g"),
    ({"sigma_b": -1.0}, "sigma_b"), ({"n": 10**12}, "n"),
])
def test_fixed_point_validates(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        vanilla.fixed_point(**({"g": 0.5, "sigma_b": 0.1, "n": 8, "seed": 0} | kwargs))


@pytest.mark.parametrize("call,match", [
    (lambda: vanilla.simulate_recurrent([], 10, 5, 0), "gains"),
    (lambda: vanilla.simulate_recurrent([[1.0, 2.0]], 10, 5, 0), "gains"),
    (lambda: vanilla.simulate_recurrent([1e7], 10, 5, 0), "gains"),
    (lambda: vanilla.simulate_recurrent([1.0], 10, 10**12, 0), "steps"),
    (lambda: vanilla.simulate_recurrent([1.0], 10, 5, -1), "transient"),
    (lambda: vanilla.simulate_recurrent([1.0], 10**9, 5, 0), "n"),
    (lambda: vanilla.simulate_recurrent([1.0], 10, 5, 0, h0_scale=np.nan), "h0_scale"),
    (lambda: vanilla.simulate_recurrent([1.0], 10, 5, 0, sigma_b=[0.1, 0.2]), "sigma_b"),
    (lambda: vanilla.replica_distance([1.0], 10, 5, 0, eps=0.0), "eps"),
    (lambda: vanilla.replica_distance([1.0], 10, 5, 0, eps=np.inf), "eps"),
    (lambda: vanilla.mlp_lyapunov([1.0], [np.nan], 10, 5), "sigma_bs"),
    (lambda: vanilla.mlp_lyapunov([1.0], [0.0], 10, 10**12), "depth"),
    (lambda: vanilla.mlp_distance([1.0], [0.0], 10, 5, d0=-1.0), "d0"),
    (lambda: vanilla.step_and_tangent(np.ones((3, 2)), np.ones((3, 2)), np.ones((3, 4)), [1.0, 2.0]), "U"),
    (lambda: vanilla.step_and_tangent(np.ones((4, 2)), np.ones((3, 2)), np.eye(3), [1.0, 2.0]), "h and u"),
    (lambda: vanilla.step_and_tangent(np.full((3, 2), np.nan), np.ones((3, 2)), np.eye(3), [1.0, 2.0]), "h"),
    (lambda: vanilla.step_and_tangent(np.ones((3, 2)), np.ones((3, 2)), np.eye(3), [1.0, 2.0, 3.0]), "g"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
