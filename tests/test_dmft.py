"""Mean-field theory: fixed points, growth factor and critical line, checked against independent
computations (adaptive quadrature, nested root finding, series expansions) and simulations."""

import time
import tracemalloc

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from criticality import dmft, init, vanilla


def q_tanh2(q):
    s = np.sqrt(q)
    return quad(lambda z: np.tanh(s * z) ** 2 * np.exp(-z * z / 2) / np.sqrt(2 * np.pi), -12, 12,
                epsabs=1e-15, epsrel=1e-13, limit=400)[0]


def q_sech4(q):
    s = np.sqrt(q)
    return quad(lambda z: np.cosh(s * z) ** -4.0 * np.exp(-z * z / 2) / np.sqrt(2 * np.pi), -12, 12,
                epsabs=1e-15, epsrel=1e-13, limit=400)[0]


def fixed_point_by_quad(g, sb):
    """Independent solution with scipy.integrate.quad and brentq."""
    return brentq(lambda q: g * g * q_tanh2(q) + sb * sb - q, max(sb * sb, 1e-3), g * g + sb * sb + 1,
                  xtol=1e-14)


@pytest.mark.parametrize("g,sb", [(1.5, 0.0), (3.0, 0.0), (0.5, 0.3), (1.2, 0.5), (2.5, 2.0)])
def test_fixed_point_and_growth_against_adaptive(g, sb):
    q = dmft.fixed_point_variance(g, sb)
    assert q == pytest.approx(fixed_point_by_quad(g, sb), rel=1e-10)
    assert dmft.growth_factor(g, sb) == pytest.approx(g * g * q_sech4(q), rel=1e-10)


def test_fixed_point_solves_variance_map():
    g = np.linspace(0, 4, 41)
    for sb in (0.0, 0.2, 1.0):
        q = dmft.fixed_point_variance(g, sb)
        assert np.allclose(dmft.variance_map(q, g, sb), q, rtol=1e-12, atol=1e-15)


def test_zero_is_the_fixed_point_below_one_without_bias():
    g = np.array([0.0, 0.3, 0.99, 1.0])
    assert np.all(dmft.fixed_point_variance(g) == 0.0)
    assert np.all(dmft.fixed_point_variance([1.0 + 1e-6, 1.1, 2.0]) > 0.0)
    assert np.allclose(dmft.growth_factor(g), g**2, rtol=1e-14)


def test_fixed_point_is_the_attractor_of_the_map():
    # iterating Eq. 5 from any positive start reaches the returned (stable) fixed point
    for g, sb in [(1.5, 0.0), (2.0, 0.5), (0.8, 0.3)]:
        traj = dmft.variance_trajectory(5.0, g, sb, steps=400)
        assert traj[-1] == pytest.approx(dmft.fixed_point_variance(g, sb), rel=1e-9)


@pytest.mark.parametrize("g", [1.001, 1.0001])
def test_fixed_point_near_transition_series(g):
    # q* = (g^2 - 1)/(2 g^2) + O((g - 1)^2) and chi = 1 + (4/3) g^2 q*^2 + ...
    q = dmft.fixed_point_variance(g)
    lead = (g * g - 1) / (2 * g * g)
    assert q == pytest.approx(lead, rel=10 * (g - 1))
    assert dmft.growth_factor(g) - 1 == pytest.approx(4 / 3 * g * g * q * q, rel=0.05)


def test_chaotic_growth_factor_exceeds_one():
    g = np.linspace(1.05, 5, 30)
    assert np.all(dmft.growth_factor(g) > 1)


def nested_critical_gain(sb):
    return brentq(lambda g: dmft.growth_factor(g, sb) - 1.0, 1.0 + 1e-9, 10.0, xtol=1e-13)


@pytest.mark.parametrize("sb", [0.05, 0.3, 1.0, 3.0])
def test_critical_gain_against_nested_solution(sb):
    gc = dmft.critical_gain_mlp(sb)
    assert gc == pytest.approx(nested_critical_gain(sb), rel=1e-9)
    assert dmft.growth_factor(gc, sb) == pytest.approx(1.0, abs=1e-10)


def test_critical_gain_properties():
    assert dmft.critical_gain_mlp(0.0) == 1.0
    sb = np.linspace(0, 4, 81)
    gc = dmft.critical_gain_mlp(sb)
    assert gc.shape == sb.shape and np.all(np.diff(gc) > 0)
    g_line, sb_line = dmft.critical_line_mlp(np.array([0.01, 0.5, 2.0]))
    assert np.allclose(dmft.critical_gain_mlp(sb_line), g_line, rtol=1e-10)


@pytest.mark.parametrize("sb", [1e-4, 1e-3])
def test_small_bias_law(sb):
    x = (0.75 * sb**2) ** (1 / 3)
    assert dmft.critical_gain_mlp(sb) - 1 == pytest.approx(x, rel=2 * x * x + 1e-6)


@pytest.mark.parametrize("name", ["g", "sigma_b"])
@pytest.mark.parametrize("bad", [-0.1, np.nan, np.inf])
def test_invalid_arguments_name_the_parameter(name, bad):
    kwargs = {"g": 1.0, "sigma_b": 0.0, name: bad}
    for func in (dmft.fixed_point_variance, dmft.growth_factor):
        with pytest.raises(ValueError, match=name):
            func(**kwargs)


@pytest.mark.parametrize("bad", [-1.0, np.nan, "0.5", None])
def test_critical_gain_mlp_rejects_bad_sigma_b(bad):
    with pytest.raises((ValueError, TypeError), match="sigma_b"):
        dmft.critical_gain_mlp(bad)


# --- theory against simulation -------------------------------------------------------------

def test_mlp_variance_matches_simulation():
    # annealed disorder: the recursion is exact up to O(1/sqrt(N)) sampling noise
    g, sb, n = np.array([0.8, 1.5, 2.5]), 0.5, 2000
    rng = np.random.default_rng(0)
    h = np.repeat(rng.standard_normal((n, 1)), g.size, axis=1)
    var = []
    for layer in range(60):
        h = (init.gaussian(n, seed=rng) @ np.tanh(h)) * g + sb * rng.standard_normal((n, 1))
        if layer >= 20:
            var.append(np.mean(h**2, axis=0))
    assert np.allclose(np.mean(var, axis=0), dmft.fixed_point_variance(g, sb), rtol=0.02)


def test_recurrent_variance_and_rate_match_simulation_in_chaos():
    g = np.array([2.0, 3.0])
    run = vanilla.simulate_recurrent(g, n=1000, steps=400, transient=200, seed=1)
    assert np.allclose(run.variance, dmft.fixed_point_variance(g), rtol=0.03)
    assert np.allclose(run.lyapunov, 0.5 * np.log(dmft.growth_factor(g)), atol=0.015)


def test_mlp_lyapunov_matches_theory():
    gains, sbs = np.array([0.8, 1.5, 3.0]), np.array([0.0, 1.0])
    lam = vanilla.mlp_lyapunov(gains, sbs, n=500, depth=200, seed=3)
    G, S = np.meshgrid(gains, sbs, indexing="ij")
    assert np.allclose(lam, 0.5 * np.log(dmft.growth_factor(G, S)), atol=0.025)


# --- huge variances and gains; argument checks -------------------------------------------------

def x_expectation(func, q):
    """E[func(sqrt(q) Z)] by quad on x = sqrt(q) z, split where func has its structure."""
    s = np.sqrt(q)
    dens = lambda x: np.exp(-0.5 * (x / s) ** 2) / (np.sqrt(2 * np.pi) * s)  # noqa: E731
    edges = [-12 * s, -60.0, -10.0, 0.0, 10.0, 60.0, 12 * s]
    return sum(quad(lambda x: func(x) * dens(x), a, b, epsabs=0, epsrel=1e-13, limit=400)[0]
               for a, b in zip(edges[:-1], edges[1:]))


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("q", [1e3, 1e6, 1e9, 1e12])
def test_large_variance_against_adaptive(q):
    sech2 = lambda x: np.cosh(np.minimum(np.abs(x), 300)) ** -2.0  # noqa: E731
    sech4 = lambda x: np.cosh(np.minimum(np.abs(x), 300)) ** -4.0  # noqa: E731
    assert dmft.mean_sech4(q) == pytest.approx(x_expectation(sech4, q), rel=1e-12, abs=0)
    # <tanh^2> = 1 - <sech^2>: to an ulp, so a wrong deficit (8e-7 at q = 1e12) is caught
    assert dmft.mean_tanh2(q) == pytest.approx(1 - x_expectation(sech2, q), rel=4e-16, abs=0)


@pytest.mark.parametrize("q", [1e15, 1e100, 1e300, 1.7e308])
def test_huge_variance_asymptotics(q):
    # <sech^2(s z)> = 2 phi(0)/s (1 - pi^2/(12 s^2) + ...), <sech^4(s z)> = (4/3) phi(0)/s (1 + O(1/s^2))
    s, phi0 = np.sqrt(q), 1 / np.sqrt(2 * np.pi)
    assert dmft.mean_tanh2(q) == pytest.approx(1 - 2 * phi0 / s, rel=4e-16, abs=0)
    assert dmft.mean_tanh2(q) <= 1.0
    assert dmft.mean_sech4(q) == pytest.approx(4 / 3 * phi0 / s, rel=1e-13, abs=0)


def test_huge_variance_is_fast_and_small():
    # the old grid grew like sqrt(q): 435 MB at q = 1e9, 5.5 GB at q = 1e11
    for q in (1e9, 1e11, 1e15, 1e300):
        tracemalloc.start()
        try:
            start = time.perf_counter()
            dmft.mean_tanh2(q), dmft.mean_sech4(q)
            elapsed, peak = time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert elapsed < 1.0 and peak < 5e6, (q, elapsed, peak)


@pytest.mark.parametrize("g", [1e3, 1e6, 1e75, 1e150])
def test_huge_gain(g):
    # q* = g^2 <tanh^2(sqrt(q*) z)> = g^2 - sqrt(2/pi) g + O(1) and chi = (4/3) phi(0) g + O(1)
    lead = g * g * (1 - np.sqrt(2 / np.pi) / g)
    for sb in (0.0, 1.0):
        assert dmft.fixed_point_variance(g, sb) == pytest.approx(lead, rel=1 / g**2 + 1e-13, abs=0)
    assert dmft.growth_factor(g) == pytest.approx(4 / 3 * g / np.sqrt(2 * np.pi), rel=1 / g + 1e-13, abs=0)
    assert np.isfinite(dmft.critical_gain_mlp(g))


def test_root_finding_is_bounded(monkeypatch):
    monkeypatch.setattr(dmft, "MAX_ITER", 2)
    for call in (lambda: dmft.fixed_point_variance(3.0), lambda: dmft.fixed_point_variance(1.5, 0.5),
                 lambda: dmft.critical_gain_mlp(0.5)):
        with pytest.raises(RuntimeError, match="converge within 2 iterations"):
            call()


def test_variance_trajectory_arguments():
    assert dmft.variance_trajectory(1.0, 2.0, steps=0).tolist() == [1.0]
    assert dmft.variance_trajectory([1.0, 2.0], [[1.5], [2.5]], steps=3).shape == (4, 2, 2)
    for steps, error in [(-5, ValueError), (-1, ValueError), (10**7, ValueError), (2.5, TypeError),
                         (True, TypeError), ("3", TypeError), (None, TypeError)]:
        with pytest.raises(error, match="steps"):
            dmft.variance_trajectory(1.0, 2.0, steps=steps)
    for kwargs, match in [({"q0": np.nan}, "q0"), ({"q0": -1.0}, "q0"), ({"g": np.inf}, "g"),
                          ({"sigma_b": -1.0}, "sigma_b"), ({"q0": [1.0, 2.0], "g": [1.0, 2.0, 3.0]}, "q0, g")]:
        with pytest.raises(ValueError, match=match):
            dmft.variance_trajectory(**{"q0": 1.0, "g": 2.0, **kwargs})


@pytest.mark.parametrize("func", [dmft.mean_tanh2, dmft.mean_sech4, dmft.critical_line_mlp,
                                  lambda q: dmft.variance_map(q, 1.0)])
@pytest.mark.parametrize("bad,error", [(-1.0, ValueError), (np.nan, ValueError), (np.inf, ValueError),
                                       ([1.0, -np.inf], ValueError), ("1", TypeError), (None, TypeError),
                                       (True, TypeError), (1j, TypeError), ([[1.0], [2.0, 3.0]], ValueError)])
def test_bad_variance_names_q(func, bad, error):
    with pytest.raises(error, match="q"):
        func(bad)


@pytest.mark.parametrize("name", ["g", "sigma_b"])
@pytest.mark.parametrize("bad,error", [(1e151, ValueError), ("1", TypeError), (True, TypeError), (1j, TypeError)])
def test_huge_or_mistyped_gain_names_the_parameter(name, bad, error):
    kwargs = {"g": 1.0, "sigma_b": 0.0, name: bad}
    for func in (dmft.fixed_point_variance, dmft.growth_factor, lambda **k: dmft.variance_map(1.0, **k)):
        with pytest.raises(error, match=name):
            func(**kwargs)
