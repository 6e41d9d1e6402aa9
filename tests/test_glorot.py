"""criticality.glorot: Rider's edge law, rescaled Glorot, Theorem 6.1, the n <= 163 boundary, and the
simulation helpers against direct computations."""

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from scipy import integrate, stats

from criticality import glorot as gl


@pytest.mark.parametrize("cplx", [False, True])
def test_glorot_entries_have_variance_one_over_n(cplx):
    W = gl.glorot(200, complex_=cplx, seed=0)
    assert W.shape == (200, 200) and W.dtype == (np.complex128 if cplx else np.float64)
    se = 2 / np.sqrt(W.size)  # relative standard error of a variance estimate
    assert abs(np.mean(np.abs(W) ** 2) * 200 - 1) < 4 * se
    if cplx:
        assert abs(np.mean(W.real**2) * 400 - 1) < 6 * se and abs(np.mean(W.imag**2) * 400 - 1) < 6 * se
    np.testing.assert_array_equal(W, gl.glorot(200, complex_=cplx, seed=0))
    assert gl.glorot(10, cplx, seed=1, samples=3).shape == (3, 10, 10)


def test_rho_and_the_small_n_boundary():
    assert gl.rho(1000) == pytest.approx(np.log(1000 / (2 * np.pi * np.log(1000) ** 2)), rel=1e-15)
    naive = lambda n: np.log(n / (2 * np.pi * np.log(n) ** 2))  # noqa: E731
    assert naive(163) < 0 < naive(164) and gl.rho(164) > 0
    with np.errstate(invalid="ignore"):
        assert np.isnan(np.sqrt(naive(163) / (4 * 163)))  # what the published formula returns
    for n in (2, 100, 163):
        with pytest.raises(ValueError, match=r"n must be an integer >= 164"):
            gl.rho(n)
    for fn in (gl.expected_spectral_radius, gl.rescaling_factor, gl.rescaled_glorot):
        with pytest.raises(ValueError, match="method='empirical'"):
            fn(163)
    with pytest.raises(ValueError, match=">= 164"):
        gl.spectral_radius_cdf(1.0, 163)


def test_empirical_rescaling_below_the_boundary_hits_p():
    """method='empirical' divides by the Monte Carlo p-quantile: fresh matrices are stable w.p. ~p."""
    n, S = 60, 300
    c = gl.radius_quantile(None, n, method="empirical")
    radii = gl.spectral_radii(n, S, seed=123) / c
    p = gl.default_quantile_probability()
    assert abs(np.mean(radii < 1) - p) < 3 * np.sqrt(p * (1 - p) / S) + 0.03
    W = gl.rescaled_glorot(n, method="empirical", seed=5)
    assert np.allclose(W, gl.glorot(n, seed=5) / c)


@pytest.mark.parametrize("cplx", [False, True])
def test_gumbel_law_against_scipy(cplx):
    x = np.linspace(-3, 6, 19)
    loc = 0.0 if cplx else np.log(0.5)  # exp(-(1/2) e^-x) = exp(-e^-(x - ln 1/2))
    np.testing.assert_allclose(gl.gumbel_cdf(x, cplx), stats.gumbel_r.cdf(x, loc=loc), rtol=1e-13)
    p = np.array([0.01, 0.3, 0.5, 0.86, 0.999])
    np.testing.assert_allclose(gl.gumbel_cdf(gl.gumbel_quantile(p, cplx), cplx), p, rtol=1e-13)
    mean = integrate.quad(lambda t: 1 - gl.gumbel_cdf(t, cplx), 0, np.inf)[0] \
        - integrate.quad(lambda t: gl.gumbel_cdf(t, cplx), -np.inf, 0)[0]
    var = stats.gumbel_r.var()
    assert mean == pytest.approx(np.euler_gamma + np.log(1 - (0 if cplx else 1) / 2), abs=1e-9)
    assert gl.default_quantile(cplx) == pytest.approx(mean + np.sqrt(var), abs=1e-9)


def test_default_quantile_probability_is_the_same_for_both_ensembles():
    p_r, p_c = gl.default_quantile_probability(False), gl.default_quantile_probability(True)
    assert p_r == pytest.approx(p_c, abs=1e-14)
    assert p_r == pytest.approx(np.exp(-np.exp(-np.euler_gamma - np.pi / np.sqrt(6))), abs=1e-14)
    assert 0.85 < p_r < 0.86


@pytest.mark.parametrize("cplx", [False, True])
@pytest.mark.parametrize("n", [200, 1000, 10**6])
def test_radius_law_mean_density_and_rescaling(cplx, n):
    ell = gl.rho(n)
    centre, scale = 1 + np.sqrt(ell / (4 * n)), np.sqrt(4 * ell * n)
    lo, hi = centre - 10 / scale, centre + 40 / scale  # Gumbel tails below e^-1000 and e^-40
    total = integrate.quad(lambda r: gl.spectral_radius_pdf(r, n, cplx), lo, hi, limit=200)[0]
    mean = integrate.quad(lambda r: r * gl.spectral_radius_pdf(r, n, cplx), lo, hi, limit=200)[0]
    assert total == pytest.approx(1, abs=1e-6)
    assert mean == pytest.approx(gl.expected_spectral_radius(n, cplx), abs=1e-6)
    for p in (0.2, 0.5, 0.9):
        assert gl.spectral_radius_cdf(gl.rescaling_factor(n, p, cplx), n, cplx) == pytest.approx(p, abs=1e-12)


def test_complex_radius_mean_matches_eq7_at_n300():
    """Measured at n = 500 in the book to 1e-3; here n = 300, 60 samples (sd of mean ~0.002)."""
    radii = gl.spectral_radii(300, 60, complex_=True, seed=2)
    assert abs(radii.mean() - gl.expected_spectral_radius(300, True)) < 0.01
    np.testing.assert_allclose(gl.spectral_radii(300, 4, True, scale=0.5, seed=3),
                               0.5 * gl.spectral_radii(300, 4, True, seed=3), rtol=1e-12)


def test_rescaled_glorot_divides_by_the_rescaling_factor():
    n = 500
    np.testing.assert_allclose(gl.rescaled_glorot(n, seed=4), gl.glorot(n, seed=4) / gl.rescaling_factor(n),
                               rtol=1e-15)
    assert gl.rescaling_factor(n) > gl.expected_spectral_radius(n) > 1


@pytest.mark.parametrize("n,k", [(1, 0), (1, 5), (7, 3), (20, 20), (50, 7)])
def test_state_norm_bound_exact_rational(n, k):
    exact = Fraction(n, k + 1) * Fraction(math.factorial(n + k), math.factorial(n) * n**k)
    assert gl.state_norm_lower_bound(n, k) == pytest.approx(float(exact), rel=1e-12)


def test_state_norm_bound_in_logs():
    n, k = 10**6, 10**5
    direct = math.log(n) - math.log1p(k) + math.fsum(math.log1p(d / n) for d in range(1, k + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gl.state_norm_lower_bound(n, k, log=True) == pytest.approx(direct, rel=1e-10)
        assert gl.state_norm_lower_bound(n, k) == np.inf  # e^(~4800): beyond float range, no warning
    # Lemma 11.4: (k+1)/n * bound -> e^(k^2/2n) for k = alpha sqrt(n)
    n = 10**8
    k = 2 * 10**4
    lhs = gl.state_norm_lower_bound(n, k, log=True) + math.log1p(k) - math.log(n)
    assert lhs == pytest.approx(k * (k + 1) / (2 * n), rel=1e-3)
    np.testing.assert_allclose(gl.state_norm_lower_bound(100, np.arange(5)),
                               [gl.state_norm_lower_bound(100, k) for k in range(5)], rtol=1e-15)


def test_theorem_61_against_monte_carlo():
    """E sum|lambda|^2k equals the bound (the identity of the proof); E||W^k x||^2 exceeds it."""
    n, S, ks = 32, 400, np.array([1, 2, 4, 6])
    W = gl.glorot(n, True, seed=6, samples=S)
    lam = np.abs(np.linalg.eigvals(W))
    bound = gl.state_norm_lower_bound(n, ks)
    eig = np.array([(lam ** (2 * k)).sum(axis=1).mean() for k in ks])
    np.testing.assert_allclose(eig / bound, 1, atol=0.05)
    x = np.random.default_rng(7).standard_normal((n, 8))
    norm2 = (gl.power_norms(W, x, ks.max())[ks] ** 2).mean(axis=(1, 2))
    assert np.all(norm2 > 1.3 * bound)  # loose by ~ (k+1) at small k


def test_hidden_state_bound_is_cumulative():
    t = np.array([0, 3, 10])
    terms = gl.state_norm_lower_bound(50, np.arange(11))
    np.testing.assert_allclose(gl.hidden_state_lower_bound(50, t), np.cumsum(terms)[t], rtol=1e-12)


@pytest.mark.parametrize("cplx", [False, True])
def test_power_norms_and_hidden_states_against_direct(cplx):
    rng = np.random.default_rng(8)
    W = gl.glorot(12, cplx, rng, samples=3)
    x = rng.standard_normal((12, 2))
    got = gl.power_norms(W, x, 6)
    for s in range(3):
        for k in range(7):
            want = np.linalg.norm(np.linalg.matrix_power(W[s], k) @ x, axis=0)
            np.testing.assert_allclose(got[k, s], want, rtol=1e-10)
    assert gl.power_norms(W[0], x[:, 0], 2).shape == (3, 1, 1)
    X = rng.standard_normal((5, 12, 2))
    h, want = np.zeros((3, 12, 2), dtype=W.dtype), []
    for t in range(5):
        h = np.einsum("sij,sjb->sib", W, h) + X[t]
        want.append(np.linalg.norm(h, axis=1))
    np.testing.assert_allclose(gl.hidden_state_norms(W, X), np.array(want), rtol=1e-10)


def test_power_norms_do_not_overflow_early():
    W = 3 * np.eye(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gl.power_norms(W, np.ones(4), 1000)[:, 0, 0]
    k_max = int(np.log(np.finfo(float).max / 2) / np.log(3))
    np.testing.assert_allclose(out[:k_max], 2 * 3.0 ** np.arange(k_max), rtol=1e-10)
    assert np.isinf(out[-1])


def test_explosion_times():
    never = gl.explosion_times(50, 3, scale=0.5, k_max=200, seed=0)
    assert np.all(np.isinf(never))
    fast = gl.explosion_times(50, 3, scale=3.0, threshold=10.0, seed=0)
    # ||(3W)^k x|| ~ 3^k ||W^k x|| reaches 10 ||x|| after about log(10)/log(3) ~ 2 steps
    assert np.all(np.isfinite(fast)) and fast.max() <= 4 and fast.min() >= 1
    a = gl.explosion_times(40, 4, seed=9, k_max=300)
    np.testing.assert_array_equal(a, gl.explosion_times(40, 4, seed=9, k_max=300))
    with pytest.raises(ValueError, match="threshold must be > 1"):
        gl.explosion_times(40, 2, threshold=1.0)
    with pytest.raises(ValueError, match="samples must be an integer >= 1"):
        gl.explosion_times(40, 0)


def test_explosion_time_matches_a_naive_loop():
    n, k_max = 30, 400
    rng = np.random.default_rng(11)
    W = gl.glorot(n, False, rng, 1)
    v = rng.standard_normal((1, n, 4))
    got = gl.explosion_times(n, 1, inputs=4, k_max=k_max, seed=11)[0]
    for j in range(4):
        x = v[0, :, j] / np.linalg.norm(v[0, :, j])
        y, first = x.copy(), np.inf
        for k in range(1, k_max + 1):
            y = W[0] @ y
            if np.linalg.norm(y) >= 10:
                first = k
                break
        assert got[j] == first


def test_delay_recall():
    n = 40
    zero = np.zeros((1, n, n))
    r2, blew, _ = gl.delay_recall(zero, [0, 1], noise=0.0, train=400, test=200, seed=0)
    assert r2[0, 0] > 0.999 and r2[0, 1] < 0.05 and not blew[0]
    W = gl.glorot(n, seed=1)
    big = (1.5 * W / np.abs(np.linalg.eigvals(W)).max())[None]
    r2, blew, peak = gl.delay_recall(big, [1], train=400, test=200, seed=0)
    assert blew[0] and np.isnan(r2[0, 0])
    r2, blew, _ = gl.delay_recall((W / 2)[None], [1, 200], noise=0.01, train=1000, test=500, seed=0)
    assert r2[0, 0] > 0.9 and r2[0, 1] < 0.1
    with pytest.raises(TypeError, match="real matrices"):
        gl.delay_recall(gl.glorot(4, True, seed=0), [1])
    with pytest.raises(ValueError, match="delays must be"):
        gl.delay_recall(zero, [-1])


@pytest.mark.parametrize("call, error, match", [
    (lambda: gl.glorot(0), ValueError, "n must be an integer >= 1"),
    (lambda: gl.glorot(1.5), TypeError, "n must be an integer"),
    (lambda: gl.glorot(5, complex_="yes"), TypeError, "complex_ must be True or False"),
    (lambda: gl.gumbel_quantile(1.0), ValueError, r"p must be in \(0, 1\)"),
    (lambda: gl.gumbel_quantile(0.0), ValueError, "p must be > 0"),
    (lambda: gl.rescaled_glorot(500, method="magic"), ValueError, "method must be 'gumbel' or 'empirical'"),
    (lambda: gl.state_norm_lower_bound(0, 1), ValueError, "n must be an integer"),
    (lambda: gl.state_norm_lower_bound(5, -1), ValueError, "k must be an integer"),
    (lambda: gl.power_norms(np.ones((2, 3)), np.ones(3), 2), ValueError, "W must be a square matrix"),
])
def test_errors_name_the_parameter(call, error, match):
    with pytest.raises(error, match=match):
        call()
