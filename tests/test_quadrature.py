"""Gaussian expectations against scipy's adaptive quadrature and exact moments."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import expit

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
