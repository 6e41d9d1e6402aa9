"""criticality.glorot: Glorot matrices, Rider's Gumbel edge law (Theorem 4.1, Eqs. 6-7), rescaled Glorot
(Eq. 10), the n <= 163 boundary of rho_n, Theorem 6.1's bound, and the simulation helpers, each against an
independent computation (scipy's Gumbel law, adaptive quadrature, exact rationals, direct loops, Monte Carlo)."""

import contextlib
import math
import sys
import warnings
from fractions import Fraction

import numpy as np
import pytest
from scipy import integrate, stats

from criticality import glorot as gl

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - optional; only changes speed
    threadpool_limits = None

GAMMA = np.euler_gamma
SD_GUMBEL = math.pi / math.sqrt(6)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Many small eigenproblems: on a loaded 2-core machine OpenBLAS threads spin-wait, which made the
    n = 300 eigenvalue test 40x slower (measured); one thread costs nothing at these sizes."""
    ctx = threadpool_limits(limits=1, user_api="blas") if threadpool_limits else contextlib.nullcontext()
    with ctx:
        yield


def naive_rho(n):
    return math.log(n / (2 * math.pi * math.log(n) ** 2))


def gumbel_loc(cplx):
    """F_G(x) = exp(-c e^-x) with c = 1 - delta/2 is scipy's gumbel_r shifted to loc = ln c."""
    return 0.0 if cplx else math.log(0.5)


def derivative(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


# --- 1. Glorot matrices -------------------------------------------------------------------------------

@pytest.mark.parametrize("cplx", [False, True])
def test_glorot_shape_dtype_and_entry_moments(cplx):
    """Eq. 2: w ~ N(0, 1/n), so n E w^2 = 1 and n^2 E w^4 = 3. Eq. 3: w = (Z1 + i Z2)/sqrt 2, so n E|w|^2 = 1,
    2n E Re^2 = 2n E Im^2 = 1, E Re Im = 0, E w^2 = 0 (circular) and n^2 E|w|^4 = 2 (|w|^2 n ~ Exp(1))."""
    n = 200
    W = gl.glorot(n, complex_=cplx, seed=0)
    N = W.size
    assert W.shape == (n, n) and W.dtype == (np.complex128 if cplx else np.float64)
    # tolerances: 4 standard errors of each sample moment (a factor 2 in any variance is ~100 se)
    assert abs(W.mean()) * math.sqrt(n * N) < 4
    if not cplx:
        assert abs(n * np.mean(W**2) - 1) < 4 * math.sqrt(2 / N)
        assert abs(n**2 * np.mean(W**4) - 3) < 4 * math.sqrt(96 / N)
    else:
        assert abs(n * np.mean(np.abs(W) ** 2) - 1) < 4 * math.sqrt(1 / N)
        assert abs(2 * n * np.mean(W.real**2) - 1) < 4 * math.sqrt(2 / N)
        assert abs(2 * n * np.mean(W.imag**2) - 1) < 4 * math.sqrt(2 / N)
        assert abs(2 * n * np.mean(W.real * W.imag)) < 4 * math.sqrt(1 / N)
        assert abs(n * np.mean(W**2)) < 4 * math.sqrt(2 / N)
        assert abs(n**2 * np.mean(np.abs(W) ** 4) - 2) < 4 * math.sqrt(20 / N)


@pytest.mark.parametrize("cplx", [False, True])
def test_glorot_samples_stack_and_seeds(cplx):
    """samples= stacks independent matrices; a seed reproduces, another seed (or a consumed Generator) does not."""
    S = gl.glorot(10, cplx, seed=1, samples=3)
    assert S.shape == (3, 10, 10)
    assert not np.allclose(S[0], S[1]) and not np.allclose(S[1], S[2])
    np.testing.assert_array_equal(S, gl.glorot(10, cplx, seed=1, samples=3))
    assert not np.allclose(gl.glorot(10, cplx, seed=2), gl.glorot(10, cplx, seed=1))
    rng = np.random.default_rng(4)
    assert not np.allclose(gl.glorot(10, cplx, rng), gl.glorot(10, cplx, rng))


# --- 2. rho_n and the n <= 163 boundary ---------------------------------------------------------------

def test_rho_formula():
    """rho_n = log(n / (2 pi (log n)^2)), scalar and vectorised."""
    n = np.array([164, 500, 1000, 10**6])
    np.testing.assert_allclose(gl.rho(n), [naive_rho(int(m)) for m in n], rtol=1e-14)
    assert isinstance(gl.rho(500), float) and gl.rho(500) == pytest.approx(naive_rho(500), rel=1e-15)


def test_rho_boundary_is_164():
    """rho_163 < 0 < rho_164: the published sqrt(rho_n / 4n) is NaN at n = 163; here rho raises, naming n and 164."""
    assert naive_rho(163) < 0 < naive_rho(164) and gl.N_MIN_ASYMPTOTIC == 164
    assert gl.rho(164) == pytest.approx(naive_rho(164), rel=1e-13) and gl.rho(164) > 0
    with np.errstate(invalid="ignore"):
        assert np.isnan(np.sqrt(np.float64(naive_rho(163)) / (4 * 163)))  # what the published formula returns
    for n in (2, 100, 163, np.array([163, 500])):
        with pytest.raises(ValueError, match=r"n must be an integer >= 164.*got"):
            gl.rho(n)
    with pytest.raises(ValueError, match="n must be an integer >= 164"):
        gl.rho(500.0)


ASYMPTOTIC_CALLS = {
    "expected_spectral_radius": lambda n: gl.expected_spectral_radius(n),
    "spectral_radius_cdf": lambda n: gl.spectral_radius_cdf(1.0, n),
    "spectral_radius_pdf": lambda n: gl.spectral_radius_pdf(1.0, n, complex_=True),
    "rescaling_factor": lambda n: gl.rescaling_factor(n),
    "rescaled_glorot": lambda n: gl.rescaled_glorot(n, seed=0),
    "radius_quantile": lambda n: gl.radius_quantile(0.5, n),
}


@pytest.mark.parametrize("name", list(ASYMPTOTIC_CALLS))
def test_asymptotic_functions_raise_at_163_and_work_at_164(name):
    """Every function built on rho_n raises at n = 163 (pointing to method='empirical') and is finite at 164."""
    with pytest.raises(ValueError, match=r"n must be an integer >= 164 .*got 163.*method='empirical'"):
        ASYMPTOTIC_CALLS[name](163)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(np.isfinite(ASYMPTOTIC_CALLS[name](164)))


def test_empirical_rescaling_below_the_boundary():
    """method='empirical' works at n = 163 (Glorot / Monte Carlo quantile) and at n = 60 fresh matrices have
    spectral radius < 1 with probability ~ p (Eq. 11): 400 samples, sd ~0.02 plus ~0.02 from the 400-sample
    quantile; dividing by the median instead would give 0.5, not rescaling at all 0.1."""
    c163 = gl.radius_quantile(None, 163, method="empirical")
    W = gl.rescaled_glorot(163, method="empirical", seed=5)
    np.testing.assert_allclose(W, gl.glorot(163, seed=5) / c163, rtol=1e-15)
    assert 1.0 < c163 < 1.3
    n, S = 60, 400
    W = gl.rescaled_glorot(n, method="empirical", seed=123, samples=S)
    radii = np.abs(np.linalg.eigvals(W)).max(axis=-1)
    assert abs(np.mean(radii < 1) - gl.default_quantile_probability()) < 0.08
    c60 = gl.radius_quantile(None, n, method="empirical")
    assert np.mean(radii * c60 < 1) < 0.3  # the same Glorot matrices before rescaling: mostly unstable
    # the empirical quantile really is the p-quantile of its Monte Carlo radii: a median is not a 0.9-quantile
    assert gl.radius_quantile(0.5, n, method="empirical") < gl.radius_quantile(0.9, n, method="empirical")


# --- 3. the Gumbel law ---------------------------------------------------------------------------------

@pytest.mark.parametrize("cplx", [False, True])
def test_gumbel_cdf_is_scipy_gumbel_r(cplx):
    """Complex: F = exp(-e^-x) = gumbel_r; real: exp(-(1/2) e^-x) = gumbel_r with loc = ln(1/2)."""
    x = np.linspace(-4, 8, 25)
    np.testing.assert_allclose(gl.gumbel_cdf(x, cplx), stats.gumbel_r.cdf(x, loc=gumbel_loc(cplx)), rtol=1e-13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # far left tail: exactly 0, no overflow warning
        assert gl.gumbel_cdf(-1000.0, cplx) == 0.0 and gl.gumbel_cdf(1000.0, cplx) == 1.0
    assert isinstance(gl.gumbel_cdf(0.3, cplx), float)


@pytest.mark.parametrize("cplx", [False, True])
def test_gumbel_quantile_inverts_cdf(cplx):
    """F_G(a_p) = p, a_p(F_G(x)) = x, and a_p = scipy's gumbel_r.ppf."""
    p = np.array([1e-6, 0.01, 0.3, 0.5, 0.86, 0.999])
    np.testing.assert_allclose(gl.gumbel_cdf(gl.gumbel_quantile(p, cplx), cplx), p, rtol=1e-13)
    np.testing.assert_allclose(gl.gumbel_quantile(p, cplx), stats.gumbel_r.ppf(p, loc=gumbel_loc(cplx)), rtol=1e-12)
    x = np.linspace(-2, 10, 13)
    np.testing.assert_allclose(gl.gumbel_quantile(gl.gumbel_cdf(x, cplx), cplx), x, atol=1e-9)


@pytest.mark.parametrize("cplx", [False, True])
def test_gumbel_mean_and_default_quantile_by_quadrature(cplx):
    """E G = gamma + ln(1 - delta/2) and a_p = E G + sd G with sd = pi/sqrt 6, from quad of x dF (dF by central
    differences of gumbel_cdf) - the constants behind Eq. 7 and the paper's a_p."""
    dens = lambda t: derivative(lambda s: gl.gumbel_cdf(s, cplx), t)  # noqa: E731
    kw = dict(points=[0.0], limit=200, epsabs=1e-12)
    mass = integrate.quad(dens, -10, 40, **kw)[0]
    mean = integrate.quad(lambda t: t * dens(t), -10, 40, **kw)[0]
    var = integrate.quad(lambda t: (t - mean) ** 2 * dens(t), -10, 40, **kw)[0]
    delta = 0 if cplx else 1
    assert mass == pytest.approx(1, abs=1e-8)
    assert mean == pytest.approx(GAMMA + math.log(1 - delta / 2), abs=1e-8)
    assert math.sqrt(var) == pytest.approx(SD_GUMBEL, abs=1e-8)
    assert gl.default_quantile(cplx) == pytest.approx(mean + math.sqrt(var), abs=1e-8)


def test_default_quantile_probability_is_the_same_for_both_ensembles():
    """p = F_G(E G + sd G) = exp(-exp(-gamma - pi/sqrt 6)) = 0.85581 for real and complex (paper: p ~ 0.86)."""
    p_r, p_c = gl.default_quantile_probability(False), gl.default_quantile_probability(True)
    assert p_r == pytest.approx(p_c, abs=1e-14)
    assert p_c == pytest.approx(stats.gumbel_r.cdf(stats.gumbel_r.mean() + stats.gumbel_r.std()), abs=1e-14)
    assert p_r == pytest.approx(0.85581, abs=1e-5)


# --- 4. the spectral radius law (Eqs. 6, 7, 9-11) -----------------------------------------------------

@pytest.mark.parametrize("cplx", [False, True])
@pytest.mark.parametrize("n", [164, 1000, 10**6])
def test_radius_cdf_is_eq6_and_pdf_its_derivative(cplx, n):
    """P(r_max <= r) = F_G(sqrt(4 rho n)(r - 1 - sqrt(rho/4n))) with scipy's gumbel_r; pdf = d cdf / dr."""
    rho = naive_rho(n)
    scale, centre = math.sqrt(4 * rho * n), 1 + math.sqrt(rho / (4 * n))
    r = centre + np.linspace(-3, 8, 23) / scale
    want = stats.gumbel_r.cdf(scale * (r - centre), loc=gumbel_loc(cplx))
    np.testing.assert_allclose(gl.spectral_radius_cdf(r, n, cplx), want, rtol=1e-10)
    h = 1e-4 / scale
    numeric = (gl.spectral_radius_cdf(r + h, n, cplx) - gl.spectral_radius_cdf(r - h, n, cplx)) / (2 * h)
    np.testing.assert_allclose(gl.spectral_radius_pdf(r, n, cplx), numeric, rtol=1e-6)


@pytest.mark.parametrize("cplx", [False, True])
@pytest.mark.parametrize("n", [164, 1000, 10**6])
def test_expected_radius_is_the_mean_of_the_edge_law(cplx, n):
    """Eq. 7 = integral of r against the density of Eq. 6 (scipy's Gumbel pdf mapped by quad)."""
    rho = naive_rho(n)
    scale, centre = math.sqrt(4 * rho * n), 1 + math.sqrt(rho / (4 * n))
    dens = lambda r: scale * stats.gumbel_r.pdf(scale * (r - centre), loc=gumbel_loc(cplx))  # noqa: E731
    lo, hi = centre - 10 / scale, centre + 40 / scale
    mean = integrate.quad(lambda r: r * dens(r), lo, hi, points=[centre], epsabs=1e-13, epsrel=1e-13, limit=200)[0]
    assert gl.expected_spectral_radius(n, cplx) == pytest.approx(mean, abs=1e-9)
    assert gl.expected_spectral_radius(np.array([n, 2 * n]), cplx)[0] == gl.expected_spectral_radius(n, cplx)


@pytest.mark.parametrize("cplx", [False, True])
@pytest.mark.parametrize("n", [164, 500, 10**5])
def test_rescaling_factor_is_the_p_quantile_of_the_radius(cplx, n):
    """Eq. 9: F(c_p) = p exactly; the default c puts mass default_quantile_probability() below it; Corollary 4.2:
    P(r_max < 1 + sqrt(rho/4n)) = exp(-(1 - delta/2)), i.e. 0.61 (real) and 0.37 (complex)."""
    for p in (0.05, 0.3, 0.5, 0.9, 0.99):
        assert gl.spectral_radius_cdf(gl.rescaling_factor(n, p, cplx), n, cplx) == pytest.approx(p, abs=1e-12)
        assert gl.radius_quantile(p, n, cplx) == gl.rescaling_factor(n, p, cplx)
    assert gl.spectral_radius_cdf(gl.rescaling_factor(n, complex_=cplx), n, cplx) == pytest.approx(
        gl.default_quantile_probability(cplx), abs=1e-12)
    edge = 1 + math.sqrt(naive_rho(n) / (4 * n))
    assert gl.spectral_radius_cdf(edge, n, cplx) == pytest.approx(math.exp(-(0.5 if not cplx else 1.0)), abs=1e-12)


@pytest.mark.parametrize("cplx", [False, True])
def test_rescaled_glorot_divides_by_the_rescaling_factor(cplx):
    """Eq. 10: rescaled Glorot = Glorot / c_p with the same draws, for the default and an explicit p."""
    n = 300
    np.testing.assert_allclose(gl.rescaled_glorot(n, complex_=cplx, seed=4),
                               gl.glorot(n, cplx, seed=4) / gl.rescaling_factor(n, complex_=cplx), rtol=1e-15)
    np.testing.assert_allclose(gl.rescaled_glorot(n, 0.99, cplx, seed=4, samples=2),
                               gl.glorot(n, cplx, seed=4, samples=2) / gl.rescaling_factor(n, 0.99, cplx), rtol=1e-15)


# --- 5. simulated spectral radii -----------------------------------------------------------------------

def test_complex_radius_mean_matches_eq7_at_n300():
    """Sample mean of 60 complex n = 300 radii vs Eq. 7 (1.0448): sd of the mean 0.002, finite-n bias ~-0.004
    (measured over seeds). Tolerance 0.01 catches a factor 2 on sqrt(rho/4n) (0.018) or on E G (0.027).
    The real case is not asserted: it does not agree at these n (see the book)."""
    radii = gl.spectral_radii(300, 60, complex_=True, seed=2)
    assert radii.shape == (60,) and np.all(radii > 0.9)
    assert abs(radii.mean() - gl.expected_spectral_radius(300, True)) < 0.01


@pytest.mark.parametrize("cplx", [False, True])
def test_spectral_radii_are_max_moduli_and_scale_multiplies(cplx):
    """spectral_radii = max |eig| of the Glorot matrices drawn in chunks from one stream; scale= multiplies exactly."""
    rng = np.random.default_rng(1)
    W = np.concatenate([gl.glorot(30, cplx, rng, 16), gl.glorot(30, cplx, rng, 4)])
    np.testing.assert_allclose(gl.spectral_radii(30, 20, cplx, seed=1), np.abs(np.linalg.eigvals(W)).max(axis=-1),
                               rtol=1e-12)
    np.testing.assert_allclose(gl.spectral_radii(30, 5, cplx, scale=0.5, seed=3),
                               0.5 * gl.spectral_radii(30, 5, cplx, seed=3), rtol=1e-15)


# --- 6. Theorem 6.1 -----------------------------------------------------------------------------------

def exact_bound(n, k):
    n, k = int(n), int(k)
    return Fraction(n, k + 1) * Fraction(math.factorial(n + k), math.factorial(n) * n**k)


@pytest.mark.parametrize("n,k", [(1, 0), (1, 5), (7, 3), (20, 20), (50, 7)])
def test_state_norm_bound_exact_rational(n, k):
    """(n/(k+1)) (n+k)!/(n! n^k) as an exact fraction, and the proof's eigenvalue moment
    n E|lambda|^2k = n^-k sum_{s<n} (k+s)!/s! (Ginibre density, Section 11.1) as another."""
    eig_moment = Fraction(sum(math.factorial(k + s) // math.factorial(s) for s in range(n)), n**k)
    assert eig_moment == exact_bound(n, k)
    assert gl.state_norm_lower_bound(n, k) == pytest.approx(float(exact_bound(n, k)), rel=1e-12)
    assert gl.state_norm_lower_bound(n, k, log=True) == pytest.approx(math.log(exact_bound(n, k)), abs=1e-12)


@pytest.mark.parametrize("n,k", [(100, 50), (1000, 300), (10**4, 10**3), (10**6, 10**5)])
def test_state_norm_bound_against_direct_product(n, k):
    """log bound = log(n/(k+1)) + sum_{d=1..k} log(1 + d/n) (math.fsum of log1p), rel 1e-10."""
    direct = math.log(n) - math.log1p(k) + math.fsum(math.log1p(d / n) for d in range(1, k + 1))
    assert gl.state_norm_lower_bound(n, k, log=True) == pytest.approx(direct, rel=1e-10)
    if direct < 700:
        assert gl.state_norm_lower_bound(n, k) == pytest.approx(math.exp(direct), rel=1e-10)


def test_state_norm_bound_beyond_float_range():
    """log=True stays finite at n = 10^6, k = 10^5 (log ~ 4800); log=False is inf, with no warning or error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert 4000 < gl.state_norm_lower_bound(10**6, 10**5, log=True) < 6000
        assert gl.state_norm_lower_bound(10**6, 10**5) == np.inf
        both = gl.state_norm_lower_bound(10**6, np.array([10, 10**5]))
    assert np.isfinite(both[0]) and both[1] == np.inf
    ks = np.arange(6)
    np.testing.assert_allclose(gl.state_norm_lower_bound(100, ks), [float(exact_bound(100, k)) for k in ks], rtol=1e-12)


def test_double_scaling_limit_lemma_11_4():
    """log((k+1)/n bound) = sum log1p(d/n) = k(k+1)/2n - k(k+1)(2k+1)/12n^2 + O(k^4/n^3) -> alpha^2/2 for
    k = alpha sqrt n; at n = 10^6, k = 2000 the leading term is within 0.14% and the second order within 1e-5."""
    n, k = 10**6, 2000
    lhs = gl.state_norm_lower_bound(n, k, log=True) + math.log1p(k) - math.log(n)
    first = k * (k + 1) / (2 * n)
    assert lhs == pytest.approx(first, rel=2e-3)
    assert lhs == pytest.approx(first - k * (k + 1) * (2 * k + 1) / (12 * n**2), abs=1e-5)


def test_theorem_61_eigenvalue_identity_by_monte_carlo():
    """The proof's identity E sum_i |lambda_i|^2k = bound(n, k) (complex Ginibre, n = 32, 1000 samples; 5% is
    >= 4 standard errors up to k = 6), and the Schur step ||W^k||_F^2 >= sum |lambda|^2k for every sample."""
    n, S = 32, 1000
    W = gl.glorot(n, True, seed=6, samples=S)
    lam2 = np.abs(np.linalg.eigvals(W)) ** 2
    for k in range(1, 7):
        moments = (lam2**k).sum(axis=1)
        bound = gl.state_norm_lower_bound(n, k)
        assert moments.mean() == pytest.approx(bound, rel=0.05)
        frob = np.linalg.norm(np.linalg.matrix_power(W, k), axis=(1, 2)) ** 2
        assert np.all(frob >= moments * (1 - 1e-10))


def test_theorem_61_bound_holds_by_monte_carlo():
    """E ||W^k x||^2 = E tr (W^k)* W^k >= bound for complex Glorot (n = 64, 200 matrices). By unitary invariance
    E_W ||W^k x||^2 = ||x||^2 E tr(...)/n for each fixed x, so n ||W^k x||^2/||x||^2 estimates the trace; at
    k = 1 it is exactly n (the bound is (n+1)/2), which pins the estimator."""
    n, S, ks = 64, 200, np.array([1, 2, 5, 10])
    W = gl.glorot(n, True, seed=6, samples=S)
    x = np.random.default_rng(7).standard_normal((n, 8))
    ratio = n * (gl.power_norms(W, x, ks.max())[ks] / np.linalg.norm(x, axis=0)) ** 2  # (K, S, B)
    per_matrix = ratio.mean(axis=2)
    mean, se = per_matrix.mean(axis=1), per_matrix.std(axis=1) / math.sqrt(S)
    assert abs(mean[0] - n) < 4 * se[0]
    bound = gl.state_norm_lower_bound(n, ks)
    assert np.all(mean - 4 * se > bound)


# --- 7. hidden-state bound (Eq. 14) -------------------------------------------------------------------

def test_hidden_state_bound_is_the_cumulative_sum():
    """sum_{k=0..t} bound(n, k), vectorised over t; scalar t gives a float; log=True is its log."""
    n, t = 50, np.array([0, 3, 10, 40])
    terms = np.array([float(exact_bound(n, k)) for k in range(41)])
    np.testing.assert_allclose(gl.hidden_state_lower_bound(n, t), np.cumsum(terms)[t], rtol=1e-12)
    np.testing.assert_allclose(gl.hidden_state_lower_bound(n, t, log=True), np.log(np.cumsum(terms)[t]), rtol=1e-12)
    assert isinstance(gl.hidden_state_lower_bound(n, 7), float)
    assert gl.hidden_state_lower_bound(n, 7) == pytest.approx(terms[:8].sum(), rel=1e-12)
    assert gl.hidden_state_lower_bound(n, 0) == pytest.approx(n, rel=1e-14)  # k = 0: E||x||^2 = n


# --- 8.-9. power and hidden-state norms ---------------------------------------------------------------

@pytest.mark.parametrize("cplx", [False, True])
def test_power_norms_against_matrix_power(cplx):
    """||W^k x|| for a stack of 3 matrices and 2 inputs equals the norm of np.linalg.matrix_power(W, k) @ x."""
    rng = np.random.default_rng(8)
    W = gl.glorot(12, cplx, rng, samples=3)
    x = rng.standard_normal((12, 2))
    got = gl.power_norms(W, x, 6)
    assert got.shape == (7, 3, 2)
    for s in range(3):
        for k in range(7):
            want = np.linalg.norm(np.linalg.matrix_power(W[s], k) @ x, axis=0)
            np.testing.assert_allclose(got[k, s], want, rtol=1e-10)
    one = gl.power_norms(W[0], x[:, 0], 6)  # a single matrix and a 1-d x
    assert one.shape == (7, 1, 1)
    np.testing.assert_allclose(one[:, 0, 0], got[:, 0, 0], rtol=1e-13)


def test_power_norms_overflow_only_beyond_float_range():
    """W = 3 I (and 0.5 I) on x = 1 in R^4: ||W^k x|| = 2 * 3^k exactly until 2 * 3^k exceeds the largest float,
    inf from there on, no warnings; the contracting matrix of the same stack stays exact (2 * 0.5^k)."""
    W = np.stack([3 * np.eye(4), 0.5 * np.eye(4)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gl.power_norms(W, np.ones(4), 1000)[:, :, 0]
    k_star = next(k for k in range(1001) if 2 * 3**k > int(sys.float_info.max))  # first overflowing power
    assert 600 < k_star < 700
    # rel error ~ k ulp(log norm) from summing 1000 logs: ~1e-11 at k = 1000
    np.testing.assert_allclose(out[:k_star, 0], [float(2 * 3**k) for k in range(k_star)], rtol=1e-10)
    assert np.all(np.isinf(out[k_star:, 0]))
    np.testing.assert_allclose(out[:, 1], 2 * 0.5 ** np.arange(1001), rtol=1e-10)


def test_power_norms_of_an_annihilated_vector_are_zero():
    """||W^k x|| = 0 for k >= 1 when W = 0, and for k >= 3 for the 3x3 nilpotent shift e1 -> e2 -> e3 -> 0."""
    shift = np.diag(np.ones(2), -1)  # e1 -> e2 -> e3 -> 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gl.power_norms(np.stack([np.zeros((3, 3)), shift]), np.array([1.0, 0, 0]), 4)[:, :, 0]
    np.testing.assert_array_equal(out, [[1, 1], [0, 1], [0, 1], [0, 0], [0, 0]])


@pytest.mark.parametrize("cplx", [False, True])
def test_hidden_state_norms_against_a_naive_loop(cplx):
    """||h_t|| for h_t = W h_{t-1} + x_t, h_0 = 0, t = 1..T: shared inputs (T, n, B) and per-matrix (T, S, n, B)."""
    rng = np.random.default_rng(9)
    T, S, n, B = 6, 3, 10, 2
    W = gl.glorot(n, cplx, rng, samples=S)
    shared = rng.standard_normal((T, n, B))
    own = rng.standard_normal((T, S, n, B))
    for X, per_matrix in ((shared, False), (own, True)):
        want = np.empty((T, S, B))
        for s in range(S):
            h = np.zeros((n, B), dtype=W.dtype)
            for t in range(T):
                h = W[s] @ h + (X[t, s] if per_matrix else X[t])
                want[t, s] = [np.sqrt(np.sum(np.abs(h[:, b]) ** 2)) for b in range(B)]
        np.testing.assert_allclose(gl.hidden_state_norms(W, X), want, rtol=1e-12)
    assert gl.hidden_state_norms(W[0], shared).shape == (T, 1, B)


# --- 10. explosion times ------------------------------------------------------------------------------

@pytest.mark.parametrize("cplx,scale", [(False, 1.0), (False, 1.2), (True, 1.0)])
def test_explosion_time_matches_a_naive_loop(cplx, scale):
    """First k with ||W^k x|| >= 10 ||x||, one vector at a time, from the same random stream (matrices first,
    then the input vectors), with W = scale * Glorot."""
    n, k_max, inputs = 30, 400, 4
    rng = np.random.default_rng(11)
    W = scale * gl.glorot(n, cplx, rng, 1)[0]
    v = rng.standard_normal((1, n, inputs))[0]
    got = gl.explosion_times(n, 1, complex_=cplx, inputs=inputs, k_max=k_max, scale=scale, seed=11)[0]
    want = []
    for j in range(inputs):
        y, first = v[:, j] / np.linalg.norm(v[:, j]), np.inf
        for k in range(1, k_max + 1):
            y = W @ y
            if np.linalg.norm(y) >= 10:
                first = k
                break
        want.append(first)
    np.testing.assert_array_equal(got, want)
    if scale > 1:
        assert np.all(np.isfinite(got))


def test_explosion_times_of_a_stack_match_a_naive_loop_per_matrix():
    """Several matrices in one chunk, some of which explode early, some late and some never: the chunk
    is compacted as matrices finish (glorot._first_crossings), and every time is still the naive one."""
    n, samples, k_max, inputs = 24, 12, 60, 3
    rng = np.random.default_rng(5)
    W = gl.glorot(n, False, rng, samples)
    v = rng.standard_normal((samples, n, inputs))
    got = gl.explosion_times(n, samples, inputs=inputs, k_max=k_max, seed=5)
    want = np.full((samples, inputs), np.inf)
    for i, j in np.ndindex(samples, inputs):
        y = v[i, :, j] / np.linalg.norm(v[i, :, j])
        for k in range(1, k_max + 1):
            y = W[i] @ y
            if np.linalg.norm(y) >= 10:
                want[i, j] = k
                break
    np.testing.assert_array_equal(got, want)
    done = np.isfinite(want).all(axis=1)
    assert 3 <= done.sum() <= samples - 1 and np.ptp(want[np.isfinite(want)]) > 5  # a mixed chunk


def test_explosion_times_contracting_and_expanding():
    """scale 0.5 (radius ~0.5): never 10x within 200 steps -> all inf. scale 2: integers near log 10 / log 2 = 3.3."""
    never = gl.explosion_times(50, 3, scale=0.5, k_max=200, seed=0)
    assert never.shape == (3, 4) and np.all(np.isinf(never))
    fast = gl.explosion_times(50, 20, scale=2.0, threshold=10.0, seed=0)
    assert fast.shape == (20, 4) and np.all(np.isfinite(fast))
    assert np.all(fast == np.round(fast)) and fast.min() >= 2 and fast.max() <= 6 and fast.max() < 10
    np.testing.assert_array_equal(fast, gl.explosion_times(50, 20, scale=2.0, threshold=10.0, seed=0))
    # a higher threshold takes longer, vector by vector (same draws)
    assert np.all(gl.explosion_times(50, 20, scale=2.0, threshold=1e3, seed=0) > fast)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(threshold=1.0), ValueError, "threshold must be > 1"),
    (dict(threshold=0.5), ValueError, "threshold must be > 1"),
    (dict(samples=0), ValueError, "samples must be an integer in \\[1,"),
    (dict(inputs=0), ValueError, "inputs must be an integer in \\[1,"),
    (dict(k_max=0), ValueError, "k_max must be an integer in \\[1,"),
    (dict(n=0), ValueError, "n must be an integer in \\[1,"),
])
def test_explosion_times_validation(kwargs, error, match):
    args = dict(n=10, samples=2) | kwargs
    with pytest.raises(error, match=match):
        gl.explosion_times(**args)


# --- 11. error messages name the parameter ------------------------------------------------------------

@pytest.mark.parametrize("call, error, match", [
    (lambda: gl.glorot(0), ValueError, "n must be an integer in \\[1,"),
    (lambda: gl.glorot(n=1.5), TypeError, "n must be an integer"),
    (lambda: gl.glorot(5, samples=0), ValueError, "samples must be an integer in \\[1,"),
    (lambda: gl.glorot(5, complex_="yes"), TypeError, "complex_ must be True or False"),
    (lambda: gl.gumbel_cdf(0.0, complex_=1), TypeError, "complex_ must be True or False"),
    (lambda: gl.gumbel_quantile(p=1.0), ValueError, r"p must be in \(0, 1\)"),
    (lambda: gl.gumbel_quantile(0.0), ValueError, "p must be > 0"),
    (lambda: gl.rescaling_factor(500, p=1.5), ValueError, r"p must be in \(0, 1\)"),
    (lambda: gl.rescaled_glorot(500, method="magic"), ValueError, "method must be 'gumbel' or 'empirical'"),
    (lambda: gl.radius_quantile(1.0, 30, method="empirical"), ValueError, r"p must be in \(0, 1\)"),
    (lambda: gl.rescaled_glorot(1, method="empirical"), ValueError, "n must be an integer >= 2"),
    (lambda: gl.spectral_radius_cdf(np.nan, 500), ValueError, "r must be finite"),
    (lambda: gl.spectral_radii(10, 0), ValueError, "samples must be an integer in \\[1,"),
    (lambda: gl.spectral_radii(10, 2, scale=0.0), ValueError, "scale must be > 0"),
    (lambda: gl.state_norm_lower_bound(0, 1), ValueError, "n must be an integer"),
    (lambda: gl.state_norm_lower_bound(5, -1), ValueError, "k must be an integer"),
    (lambda: gl.state_norm_lower_bound(5, 1.5), ValueError, "k must be an integer"),
    (lambda: gl.hidden_state_lower_bound(5, -1), ValueError, "t must be an integer"),
    (lambda: gl.power_norms(np.ones((2, 3)), np.ones(3), 2), ValueError, "W must be a square matrix"),
    (lambda: gl.power_norms(np.eye(3), np.ones(4), 2), ValueError, "x must have 3 rows"),
    (lambda: gl.power_norms(np.eye(3), np.ones(3), -1), ValueError, "k_max must be an integer in \\[0,"),
    (lambda: gl.hidden_state_norms(np.eye(3), np.ones((5, 4, 1))), ValueError, "inputs must have shape"),
])
def test_errors_name_the_parameter(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_empirical_radius_quantile_validates_complex_flag():
    with pytest.raises(TypeError, match="complex_ must be True or False"):
        gl.radius_quantile(0.5, 20, complex_="yes", method="empirical", samples=10)


# --- 12. overflow: inf, never NaN -----------------------------------------------------------------------

def test_hidden_state_norms_overflow_to_inf_not_nan():
    """W = 3 I (and 0.5 I) with inputs x_t = 1 in R^4: ||h_t|| = 2 (3^t - 1) / 2 = 3^t - 1 exactly while it fits a
    float (also beyond 1e154, where squaring the entries used to overflow), inf from there on (used to be NaN
    after inf - inf), no warnings; the contracting matrix of the same stack stays exact."""
    W = np.stack([3 * np.eye(4), 0.5 * np.eye(4)])
    T = 700
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gl.hidden_state_norms(W, np.ones((T, 4, 1)))[:, :, 0]
    t_star = next(t for t in range(1, T + 1) if 3**t - 1 > int(sys.float_info.max))  # first overflowing t
    assert 600 < t_star < 700
    np.testing.assert_allclose(out[: t_star - 1, 0], [float(3**t - 1) for t in range(1, t_star)], rtol=1e-10)
    assert np.all(np.isinf(out[t_star - 1:, 0])) and not np.any(np.isnan(out))
    np.testing.assert_allclose(out[:, 1], 4 * (1 - 0.5 ** np.arange(1, T + 1)), rtol=1e-12)  # 2 (1 - 0.5^t) / 0.5


def test_huge_matrices_and_inputs_give_inf_or_exact_values_not_nan():
    """Entries near the float maximum: ||W^k x|| with W = 1e300 I and x = 1e300 (norm 2e300) is exact at k = 0,
    inf after; a huge Glorot stack's hidden-state norms are inf or finite, never NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gl.power_norms(1e300 * np.eye(4), np.full(4, 1e300), 3)[:, 0, 0]
        assert out[0] == pytest.approx(2e300, rel=1e-12) and np.all(np.isinf(out[1:]))
        np.testing.assert_allclose(gl.power_norms(0.5 * np.eye(4), np.full(4, 1e300), 3)[:, 0, 0],
                                   2e300 * 0.5 ** np.arange(4), rtol=1e-12)
        inputs = np.random.default_rng(0).standard_normal((6, 20, 3))
        big = gl.hidden_state_norms(1e200 * gl.glorot(20, seed=0, samples=2), inputs)
        assert not np.any(np.isnan(big)) and np.all(big[1:] > 1e150)
        first = gl.explosion_times(20, 2, scale=1e6, k_max=5, seed=0)
        np.testing.assert_array_equal(first, 1.0)


@pytest.mark.parametrize("call, error, match", [
    (lambda: gl.power_norms(np.full((3, 3), np.nan), np.ones(3), 2), ValueError, "W must be finite"),
    (lambda: gl.power_norms(np.array([["a"] * 3] * 3), np.ones(3), 2), TypeError, "W must be an array"),
    (lambda: gl.power_norms(np.eye(3), [1.0, np.inf, 0.0], 2), ValueError, "x must be finite"),
    (lambda: gl.power_norms(np.eye(3), np.ones(3), 10**12), ValueError, "k_max"),
    (lambda: gl.hidden_state_norms(np.eye(3), np.full((2, 3, 1), np.nan)), ValueError, "inputs must be finite"),
    (lambda: gl.hidden_state_norms([[1, 2], [3]], np.ones((2, 2, 1))), ValueError, "W must be"),
    (lambda: gl.hidden_state_norms(np.stack([np.eye(3)] * 3), np.ones((2, 2, 3, 1))), ValueError, "inputs must have"),
    (lambda: gl.gumbel_cdf(np.nan), ValueError, "x must be finite"),
    (lambda: gl.glorot(10**9), ValueError, "n must be"),
    (lambda: gl.spectral_radii(4, 10**12), ValueError, "samples"),
    (lambda: gl.spectral_radii(4, 2, scale=1e300), ValueError, "scale"),
    (lambda: gl.radius_quantile([0.5, 0.6], 8, method="empirical"), ValueError, "p must be"),
])
def test_bad_arrays_and_sizes_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- Kostlan: the exact law of the complex radius ------------------------------------------------------

def test_complex_radius_cdf_is_exact_for_one_entry_and_for_sampled_matrices():
    """N = 1: |U|^2 ~ Exp(1), so P(rho <= r) = 1 - exp(-r^2). N = 8: the empirical CDF of the eigenvalue
    radii of 20000 sampled complex matrices within 0.015 everywhere (the Kolmogorov bound at 99.9 %
    is 0.014; a variance off by a factor of 2 moves the CDF by 0.3)."""
    r = np.linspace(0.0, 3.0, 31)
    np.testing.assert_allclose(gl.complex_radius_cdf(r, 1), -np.expm1(-r**2), rtol=1e-12, atol=1e-15)
    radii = np.sort(gl.spectral_radii(8, 20000, complex_=True, seed=4, chunk=20000))
    grid = np.linspace(0.5, 2.0, 61)
    empirical = np.searchsorted(radii, grid) / radii.size
    assert np.abs(empirical - gl.complex_radius_cdf(grid, 8)).max() < 0.015
    wrong = np.abs(empirical - gl.complex_radius_cdf(grid / np.sqrt(2), 8)).max()
    assert wrong > 0.2
    assert gl.complex_radius_cdf(-1.0, 8) == 0.0 and gl.complex_radius_cdf(0.0, 8) == 0.0
    assert gl.complex_radius_cdf(50.0, 8) == 1.0


def test_kostlan_radii_follow_the_exact_law_and_refuse_real_matrices():
    n, s = 300, 20000
    radii = np.sort(gl.spectral_radii(n, s, complex_=True, method="kostlan", seed=1))
    grid = np.linspace(0.95, 1.25, 61)
    empirical = np.searchsorted(radii, grid) / s
    assert np.abs(empirical - gl.complex_radius_cdf(grid, n)).max() < 0.015
    np.testing.assert_array_equal(radii, np.sort(gl.spectral_radii(n, s, True, method="kostlan", seed=1)))
    half = gl.spectral_radii(n, 10, True, scale=0.5, method="kostlan", seed=2)
    np.testing.assert_allclose(half, 0.5 * gl.spectral_radii(n, 10, True, method="kostlan", seed=2), rtol=1e-15)
    with pytest.raises(ValueError, match="complex_=True"):
        gl.spectral_radii(n, 3, complex_=False, method="kostlan")
    with pytest.raises(ValueError, match="method must be"):
        gl.spectral_radii(n, 3, complex_=True, method="qr")
