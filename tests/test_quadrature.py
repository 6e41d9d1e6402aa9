"""Gaussian expectations against scipy's adaptive quadrature and exact moments."""

import gc
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import expit

from criticality import quadrature
from criticality.quadrature import gaussian_expectation


def adaptive(func, s, mu=0.0):
    """E[func(mu + s Z)] with scipy.integrate.quad, integrating over x = mu + s z."""
    if s == 0:
        return float(func(np.array(mu)))
    dens = lambda x: np.exp(-0.5 * ((x - mu) / s) ** 2) / (np.sqrt(2 * np.pi) * s)  # noqa: E731
    pts = sorted({mu, 0.0})
    lo, hi = mu - 40 * s, mu + 40 * s
    edges = [lo] + [p for p in pts if lo < p < hi] + [hi]
    return sum(quad(lambda x: func(x) * dens(x), a, b, epsabs=1e-15, epsrel=1e-13, limit=400)[0]
               for a, b in zip(edges[:-1], edges[1:]))


def sech4(x):
    return 1.0 / np.cosh(np.clip(x, -100, 100)) ** 4


FUNCS = {"tanh^2": lambda x: np.tanh(x) ** 2, "sech^4": sech4, "sigmoid^2": lambda x: expit(x) ** 2}


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("s", [0.0, 1e-4, 0.1, 0.5, 1.0, 2.0, 5.0, 20.0, 100.0])
def test_matches_adaptive_quadrature(name, s):
    f = FUNCS[name]
    assert gaussian_expectation(f, s) == pytest.approx(adaptive(f, s), abs=1e-10, rel=1e-10)


@pytest.mark.parametrize("mu", [-3.0, -0.5, 1.0, 4.0])
def test_nonzero_mean_matches_adaptive(mu):
    f = FUNCS["sigmoid^2"]
    assert gaussian_expectation(f, 1.5, mu) == pytest.approx(adaptive(f, 1.5, mu), abs=1e-10)


def test_vectorised_equals_scalar():
    s = np.array([0.1, 1.0, 10.0])
    vec = gaussian_expectation(FUNCS["tanh^2"], s)
    assert vec.shape == (3,)
    for si, v in zip(s, vec):
        assert v == pytest.approx(gaussian_expectation(FUNCS["tanh^2"], si), abs=1e-14)


@settings(max_examples=50, deadline=None)
@given(s=st.floats(0, 50), mu=st.floats(-5, 5))
def test_exact_moments(s, mu):
    # E[X^2] = mu^2 + s^2 and E[(X - mu)^4] = 3 s^4 for X ~ N(mu, s^2)
    assert gaussian_expectation(lambda x: x**2, s, mu) == pytest.approx(mu**2 + s**2, rel=1e-12, abs=1e-12)
    assert gaussian_expectation(lambda x: (x - mu) ** 4, s, mu) == pytest.approx(3 * s**4, rel=1e-11, abs=1e-12)


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_bad_scale(bad):
    with pytest.raises(ValueError, match="scale"):
        gaussian_expectation(np.tanh, bad)


# --- large scales: bounded grid, accuracy up to q = 1e12 and beyond ---------------------------

def split_reference(func, s, mu=0.0):
    """E[func(mu + s Z)] by quad on x, split at 0, +-10 and +-60 where func has its structure."""
    dens = lambda x: np.exp(-0.5 * ((x - mu) / s) ** 2) / (np.sqrt(2 * np.pi) * s)  # noqa: E731
    lo, hi = mu - 12 * s, mu + 12 * s
    edges = [lo] + [p for p in (-60.0, -10.0, 0.0, 10.0, 60.0) if lo < p < hi] + [hi]
    return sum(quad(lambda x: func(x) * dens(x), a, b, epsabs=0, epsrel=1e-13, limit=400)[0]
               for a, b in zip(edges[:-1], edges[1:]))


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("q", [1e3, 1e6, 1e9, 1e12])
@pytest.mark.parametrize("mu", [0.0, -3.0])
def test_large_scale_matches_split_adaptive_quadrature(name, q, mu):
    # relative 1e-12 also for sech^4, whose expectation is ~0.53 / sqrt(q): a factor 2 is caught
    f, s = FUNCS[name], np.sqrt(q)
    assert gaussian_expectation(f, s, mu) == pytest.approx(split_reference(f, s, mu), rel=1e-12, abs=0)


def recording(func, shapes):
    def wrapped(x):
        shapes.append(x.shape)
        return func(x)
    return wrapped


@pytest.mark.parametrize("panel_x", [1.0, 0.01])
def test_number_of_nodes_does_not_grow_with_the_scale(panel_x):
    # the old rule used 18 s / panel_x panels: 2**20 panels (21M nodes, 170 MB) already at s = 3e4
    bound = quadrature.NODES_PER_PANEL * (2 * quadrature.Z_MAX + 2 * quadrature.X_FINE / panel_x + 3)
    assert bound <= quadrature.NODES_PER_PANEL * quadrature.MAX_PANELS
    for s in [1e-3, 0.5, 4.0, 50.0, 3e4, 1e100, quadrature.MAX_SCALE]:
        for mu in [0.0, -30.0, 1e3]:
            shapes = []
            gaussian_expectation(recording(FUNCS["tanh^2"], shapes), s, mu, panel_x=panel_x)
            assert shapes[0][1] <= bound, (s, mu)


def test_large_inputs_are_evaluated_in_bounded_chunks():
    shapes = []
    s = np.logspace(-2, 1, 600).reshape(6, 100)
    vec = gaussian_expectation(recording(FUNCS["sech^4"], shapes), s)
    assert len(shapes) > 1 and max(a * b for a, b in shapes) <= quadrature.CHUNK_NODES
    assert vec.shape == s.shape
    for idx in [(0, 0), (3, 55), (5, 99)]:
        assert vec[idx] == pytest.approx(gaussian_expectation(FUNCS["sech^4"], s[idx]), rel=1e-13)


def test_no_memory_is_retained_between_calls():
    # the old lru_cache kept up to 64 rules: 84 MB for the single rule of s = 1e4
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for s in np.logspace(0, 4, 9):
            gaussian_expectation(FUNCS["tanh^2"], s)
        gc.collect()
        assert tracemalloc.get_traced_memory()[0] - before < 100_000
    finally:
        tracemalloc.stop()


def test_zero_scale_is_a_point_mass():
    f = FUNCS["sigmoid^2"]
    assert gaussian_expectation(f, 0.0, 0.7) == f(np.array(0.7))
    mixed = gaussian_expectation(f, np.array([0.0, 1.0]), np.array([0.7, 0.0]))
    assert mixed[0] == f(np.array(0.7)) and mixed[1] == pytest.approx(adaptive(f, 1.0), rel=1e-12)


@pytest.mark.parametrize("kwargs,error,match", [
    ({"scale": 1e161}, ValueError, "scale"),
    ({"scale": True}, TypeError, "scale"),
    ({"scale": [1.0, np.nan]}, ValueError, "scale"),
    ({"mean": np.nan}, ValueError, "mean"),
    ({"mean": -np.inf}, ValueError, "mean"),
    ({"mean": "1"}, TypeError, "mean"),
    ({"mean": 1j}, TypeError, "mean"),
    ({"scale": [1.0, 2.0], "mean": [0.0, 1.0, 2.0]}, ValueError, "scale, mean"),
    ({"panel_x": 0.0}, ValueError, "panel_x"),
    ({"panel_x": 1e-3}, ValueError, "panel_x"),
    ({"panel_x": 1e3}, ValueError, "panel_x"),
    ({"panel_x": np.nan}, ValueError, "panel_x"),
    ({"panel_x": [1.0, 2.0]}, ValueError, "panel_x"),
])
def test_bad_arguments_name_the_parameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        gaussian_expectation(np.tanh, **kwargs)


def test_bad_func():
    with pytest.raises(TypeError, match="func"):
        gaussian_expectation(1.0, 1.0)
    with pytest.raises(ValueError, match="func"):
        gaussian_expectation(lambda x: x.sum(axis=-1), 1.0)
