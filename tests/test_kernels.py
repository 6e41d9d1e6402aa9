"""The compiled kernels' arithmetic (criticality._kernels) against numpy and scipy, in units in the last place."""

import numpy as np
import pytest
from scipy.special import expit

from criticality import _kernels

pytestmark = pytest.mark.skipif(not _kernels.AVAILABLE, reason="numba is not installed (or CRITICALITY_KERNELS=numpy)")


def ulps(x, ref):
    return np.abs(x - ref) / np.spacing(np.abs(ref))


def test_exp_is_within_one_ulp_of_numpy_down_to_minus_700():
    x = -np.r_[0.0, np.logspace(-300, np.log10(699.9), 200001), np.random.default_rng(0).uniform(0, 699.9, 100000)]
    out = np.empty_like(x)
    _kernels.exp_nonpositive(x, out)
    assert ulps(out, np.exp(x)).max() <= 1.0
    _kernels.exp_nonpositive(np.array([-800.0, -1e300, -np.inf]), out[:3])
    assert np.all(out[:3] == np.exp(-700.0))  # clamped, a normal number: its callers need no more


def test_expm1_keeps_its_relative_precision_near_zero():
    x = -np.r_[np.logspace(-300, np.log10(700.0), 200001), 0.34, np.nextafter(0.34, 1), np.nextafter(0.34, 0)]
    out = np.empty_like(x)
    _kernels.expm1_nonpositive(x, out)
    assert ulps(out, np.expm1(x)).max() <= 2.0  # exp(x) - 1 would be off by ~1e-16 / |x| relative


def test_gate_and_tanh_are_exact_in_relative_terms_on_both_sides():
    """sigma, 1 - sigma, tanh and 1 - tanh^2 within a few ulp of scipy/numpy, also where sigma is tiny,
    1 - sigma is tiny, tanh is tiny or 1 - tanh^2 is tiny (the regimes the log path of the engine needs)."""
    x = np.r_[-np.logspace(-12, np.log10(300.0), 50001), 0.0, np.logspace(-12, np.log10(300.0), 50001)]
    sig, comp, th, sech2 = (np.empty_like(x) for _ in range(4))
    _kernels.gate_and_tanh(x, sig, comp, th, sech2)
    assert ulps(sig, expit(x)).max() <= 4.0
    assert ulps(comp, expit(-x)).max() <= 4.0
    assert ulps(th[x != 0], np.tanh(x[x != 0])).max() <= 4.0 and th[x == 0] == 0.0
    assert ulps(sech2, 1.0 / np.cosh(x) ** 2).max() <= 8.0


def test_nan_stays_nan():
    """A diverged state must not come back finite (a clamp by max(x, -700) would turn NaN into 1e-304)."""
    x = np.array([np.nan, -np.nan])
    out = np.empty_like(x)
    _kernels.exp_nonpositive(x, out)
    assert np.all(np.isnan(out))
    parts = [np.empty_like(x) for _ in range(4)]
    _kernels.gate_and_tanh(x, *parts)
    assert all(np.all(np.isnan(p)) for p in parts)
