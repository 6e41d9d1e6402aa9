"""Simulations: Jacobians against finite differences, batching against single runs, seeds."""

import numpy as np
import pytest

from criticality import dmft, spectra, vanilla


def test_step_and_tangent_against_finite_differences():
    rng = np.random.default_rng(0)
    n, k = 30, 4
    U = vanilla.random_coupling(n, rng)
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
    W = 0.7 * vanilla.random_coupling(40, rng)
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
    a = vanilla.mlp_growth_rate([1.5], [0.2], n=100, depth=20, seed=9)
    b = vanilla.mlp_growth_rate([1.5], [0.2], n=100, depth=20, seed=9)
    c = vanilla.mlp_growth_rate([1.5], [0.2], n=100, depth=20, seed=10)
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
