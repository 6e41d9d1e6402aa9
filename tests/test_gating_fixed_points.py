"""Fixed points of the random GRU (Can, Krishnamurthy and Schwab 2020, sections 4.1, 4.4, 4.5):
Eq. (10) against adaptive quadrature and the perturbative Eqs. (21)-(22), the bifurcation curve and its
limits, stability (Corollary 6, Theorem 7) and the simulated networks."""

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import erf, expit

from criticality.gating import fixed_points as fp

SQRT2 = np.sqrt(2.0)


def gauss(f, s, mu=0.0):
    """E[f(mu + s x)], x ~ N(0, 1), by scipy.integrate.quad (split where the argument is 0)."""
    w = lambda x: f(mu + s * x) * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    pts = [-mu / s] if s > 0 and abs(mu / s) < 12 else None
    return quad(w, -12, 12, points=pts, epsabs=1e-15, epsrel=1e-13, limit=400)[0]


def reset_by_quad(c, a_r, b_r=0.0, v_r=0.0):
    s = np.sqrt(a_r**2 * c + v_r)
    return gauss(lambda u: expit(u) ** 2, s, b_r), gauss(lambda u: (expit(u) * expit(-u)) ** 2, s, b_r)


def map_by_quad(c, a_h, a_r, b_r=0.0, v_r=0.0):
    r2 = reset_by_quad(c, a_r, b_r, v_r)[0]
    return gauss(lambda u: np.tanh(u) ** 2, np.sqrt(a_h**2 * c * r2))


CASES = [(0.05, 1.8, 12.0, 0.0, 0.0), (0.4, 3.0, 2.0, 0.0, 0.0), (1e-4, 2.001, 1.0, 0.0, 0.0),
         (0.2, 2.5, 5.0, -1.0, 0.5), (0.7, 1.2, 0.3, 2.0, 0.0), (0.3, 4.0, 20.0, 0.5, 2.0)]


# -- Gaussian integrals ---------------------------------------------------------------------------
@pytest.mark.parametrize("c,a_h,a_r,b_r,v_r", CASES)
def test_integrals_against_adaptive_quadrature(c, a_h, a_r, b_r, v_r):
    r2, dr2 = fp.reset_moments(c, a_r, b_r=b_r, v_r=v_r)
    q_r2, q_dr2 = reset_by_quad(c, a_r, b_r, v_r)
    assert r2 == pytest.approx(q_r2, rel=1e-10) and dr2 == pytest.approx(q_dr2, rel=1e-10)
    F = map_by_quad(c, a_h, a_r, b_r, v_r)
    assert fp.variance_map(c, a_h, a_r, b_r=b_r, v_r=v_r) == pytest.approx(F, rel=1e-10)
    assert fp.fixed_point_excess(c, a_h, a_r, b_r=b_r, v_r=v_r) == pytest.approx(F / c - 1, rel=1e-9, abs=1e-12)
    y_var = a_h**2 * c * q_r2
    rho2 = a_h**2 * gauss(lambda u: np.cosh(u) ** -4.0, np.sqrt(y_var)) * (q_r2 + a_r**2 * q_dr2 * c)
    assert fp.spectral_shaping(c, a_h, a_r, b_r=b_r, v_r=v_r) == pytest.approx(np.sqrt(rho2), rel=1e-10)


def test_vectorised_over_c_h():
    c = np.array([0.0, 1e-6, 0.1, 0.9])
    out = fp.variance_map(c, 2.5, 3.0)
    assert out.shape == (4,) and out[0] == 0.0
    assert np.allclose(out, [fp.variance_map(x, 2.5, 3.0) for x in c], rtol=1e-14, atol=0)
    # zero variance: rho_0 is Corollary 3's radius a_h sigma(b_r)
    assert fp.spectral_shaping(0.0, 1.7, 5.0, b_r=0.3) == pytest.approx(1.7 * expit(0.3), rel=1e-14)


# -- solutions of Eq. (10) ------------------------------------------------------------------------
@pytest.mark.parametrize("a_h,a_r,b_r,v_r", [(0.0, 0.0, 0.0, 0.0), (1.0, 3.0, 0.0, 0.0), (1.9, 3.0, 0.0, 0.0),
                                             (1.41, 1e4, 0.0, 0.0), (3.0, 10.0, 0.0, 0.0), (1.8, 12.0, 0.0, 0.0),
                                             (2.5, 2.0, -1.0, 0.3)])
def test_zero_is_always_a_solution_and_the_others_solve_eq_10(a_h, a_r, b_r, v_r):
    c = fp.fixed_point_variance(a_h, a_r, b_r=b_r, v_r=v_r)
    assert c[0] == 0.0 and np.all(np.diff(c) > 0) and np.all(c < 1)
    for x in c[1:]:
        assert map_by_quad(x, a_h, a_r, b_r, v_r) == pytest.approx(x, rel=1e-10)


def test_only_zero_below_two_for_small_reset_gain_and_below_sqrt2_for_any():
    for a_h in (0.5, 1.0, 1.5, 1.9, 1.99):
        for a_r in (0.0, 1.0, 2.0, 2.8):
            assert fp.fixed_point_variance(a_h, a_r).tolist() == [0.0]
    for a_r in (5.0, 50.0, 1e3, 1e5):  # a_h < sqrt(2): none however large a_r (line 570)
        assert fp.fixed_point_variance(1.4, a_r).tolist() == [0.0]
    # a_h > 2: exactly one non-zero solution (orange region of Fig. 2)
    for a_h, a_r in [(2.01, 0.0), (2.5, 1.0), (3.0, 10.0), (5.0, 100.0)]:
        assert fp.fixed_point_variance(a_h, a_r).size == 2


@pytest.mark.parametrize("a_r", [0.0, 1.0, 2.0])
def test_small_solution_matches_eq_21_near_two(a_r):
    # a_h = 2 + eps, a_r < sqrt(8): C_h ~ 4 eps / (8 - a_r^2); the relative error is O(eps)
    errs = []
    for eps in (1e-3, 1e-4, 1e-5):
        c = fp.fixed_point_variance(2 + eps, a_r)
        (p,) = fp.perturbative_variance(2 + eps, a_r)
        assert c.size == 2 and p == pytest.approx(4 * eps / (8 - a_r**2), rel=1e-9)
        errs.append(abs(c[1] / p - 1))
    assert errs[0] < 5e-3 and errs[1] < errs[0] / 8 and errs[2] < errs[1] / 8


def test_eq_21_at_the_threshold_and_eq_22_below_two():
    # a_r^2 = 8, a_h = 2 + eps: C_h ~ sqrt(3 eps / 31) (the paper prints sqrt(eps)/4), error O(sqrt eps)
    errs = []
    for eps in (1e-4, 1e-6):
        c = fp.fixed_point_variance(2 + eps, np.sqrt(8.0))
        (p,) = fp.perturbative_variance(2 + eps, np.sqrt(8.0))
        assert p == pytest.approx(np.sqrt(3 * eps / 31))
        errs.append(abs(c[1] / p - 1))
    assert errs[0] < 0.015 and errs[1] < errs[0] / 8
    # a_h = 2 - eps, a_r > sqrt(8): the small one of the two solutions of Eq. (22), 4 eps / (a_r^2 - 8)
    for eps in (1e-4, 1e-5):
        c = fp.fixed_point_variance(2 - eps, 3.5)
        p = fp.perturbative_variance(2 - eps, 3.5)
        assert c.size == 3 and len(p) == 2 and c[1] == pytest.approx(p[0], rel=30 * eps)
    # the O(1) branch truncates Eq. (111) at C_h^2: exact only as a_r^2 -> 8 (here at a_h = 2)
    errs = [abs(fp.fixed_point_variance(2.0, np.sqrt(x))[-1] / fp.perturbative_variance(2.0, np.sqrt(x))[0] - 1)
            for x in (8.1, 8.01)]
    assert errs[0] < 0.03 and errs[1] < errs[0] / 8


def test_f113_is_the_slope_of_the_truncated_expansion():
    # Eq. (113): f(a_r) / (a_r^2 - 8) is d C_h / d eps of the O(1) root of Eq. (112) truncated at C_h^2
    def root(eps, x):
        ah2 = (2 + eps) ** 2
        A, B = ah2 / 4 - 1, ah2 / 16 * (x - 2 * ah2)
        D = ah2 / 192 * (17 * ah2**2 - 12 * ah2 * x - 6 * x * x)
        return max(np.roots([D, B, A]).real)
    for a_r in (3.0, 4.0):
        h = 1e-6
        slope = (root(h, a_r**2) - root(-h, a_r**2)) / (2 * h)
        c0 = fp.perturbative_variance(2.0, a_r)[0]
        c1 = fp.perturbative_variance(2.0 + 1e-3, a_r)[-1]
        assert c0 == pytest.approx(root(0.0, a_r**2), rel=1e-12)
        assert (c1 - c0) / 1e-3 == pytest.approx(slope, rel=1e-5)


# -- the bifurcation curve and the phase diagram -----------------------------------------------------
@pytest.mark.parametrize("a_h", [1.6, 1.9])
def test_two_solutions_merge_at_the_bifurcation(a_h):
    star, c_star = fp.bifurcation_point(a_h)
    # a saddle-node: G(C*) = 0 and C* is G's maximum
    assert abs(fp.fixed_point_excess(c_star, a_h, star)) < 1e-12
    assert fp.fixed_point_excess(c_star * np.array([0.99, 1.01]), a_h, star).max() < 0
    above = fp.fixed_point_variance(a_h, star * (1 + 1e-6))
    assert above.size == 3 and above[1] < c_star < above[2] and above[2] / above[1] < 1.2
    wider = fp.fixed_point_variance(a_h, star * 1.1)
    assert wider[1] < above[1] and wider[2] > above[2]
    assert fp.fixed_point_variance(a_h, star * (1 - 1e-6)).tolist() == [0.0]


def test_bifurcation_limits():
    # a_h -> 2-: a_r*^2 -> 2 a_h^2 = 8 (Eq. 22), from Eq. (112): a_r*^2 - 2 a_h^2 ~ 8 sqrt(31 eps / 3)
    ratios = []
    for eps in (1e-3, 1e-5):
        star = fp.bifurcation_gain(2 - eps)
        ratios.append((star**2 - 2 * (2 - eps) ** 2) / (8 * np.sqrt(31 * eps / 3)))
    assert abs(ratios[0] - 1) < 0.1 and abs(ratios[1] - 1) < abs(ratios[0] - 1) / 5
    # a_h -> sqrt(2)+: a_r* -> infinity like 3^(3/2) / (2^(1/4) sqrt(2 pi)) eps^(-3/2)
    k = 3**1.5 / (2**0.25 * np.sqrt(2 * np.pi))
    big = [fp.bifurcation_gain(SQRT2 + eps) * eps**1.5 / k for eps in (3e-3, 3e-4)]
    assert abs(big[0] - 1) < 5e-3 and abs(big[1] - 1) < 1e-3
    assert fp.bifurcation_point(SQRT2 + 1e-5).a_r == np.inf  # beyond the largest gain, 1e6
    # in between a_r* falls with a_h
    assert np.all(np.diff([fp.bifurcation_gain(a) for a in (1.5, 1.7, 1.8, 1.95)]) < 0)


def test_phase_labels_match_the_count_of_solutions():
    a_h = np.array([1.0, 1.5, 1.8, 1.95, 2.5, 3.0])
    a_r = np.array([1.0, 3.0, 6.0, 20.0, 200.0])
    codes = fp.phase_diagram(a_h, a_r)
    assert codes.shape == (5, 6)
    for i, ar in enumerate(a_r):
        for j, ah in enumerate(a_h):
            n = fp.fixed_point_variance(ah, ar).size
            label = fp.PHASES[codes[i, j]]
            assert n == {"trivial": 1, "three_fixed_points": 3, "unstable_zero": 2}[label]
    assert fp.phase(1.8, 8.0) == "trivial" and fp.phase(1.8, 8.3) == "three_fixed_points"  # a_r*(1.8) = 8.157
    assert fp.phase(1.0, 3.0) == fp.PHASES[codes[1, 0]] and fp.phase(3.0, 6.0) == fp.PHASES[codes[2, 5]]
    assert fp.phase(SQRT2, 1e6) == "trivial" and fp.phase(2.0, 0.0) == "unstable_zero"


# -- stability ----------------------------------------------------------------------------------
def test_zero_stable_below_two_and_every_nonzero_fixed_point_unstable():
    # Corollary 6 with Corollary 3 (rho_0 = a_h / 2 at zero), and line 669: rho_0 > 1 at every non-zero FP
    for a_h, a_r in [(1.6, 40.0), (1.8, 12.0), (1.9, 8.0), (2.001, 1.0), (2.5, 1.0), (3.0, 2.0), (3.0, 10.0),
                     (5.0, 0.5)]:
        pts = fp.fixed_points(a_h, a_r)
        assert pts[0].c_h == 0.0 and pts[0].rho == pytest.approx(a_h / 2) and pts[0].stable == (a_h < 2)
        assert len(pts) > 1 and all(p.rho > 1 and not p.stable for p in pts[1:])


def test_marginal_stability_condition():
    # beta = 0: alpha = 1/2 and the bound rho_0 < sqrt(2) (Eq. 25)
    m = fp.marginal_stability([0.9, 1.0, 1.2, 1.41, 1.42, 2.0], 0.3)
    assert m.alpha == pytest.approx(0.5) and m.rho_max == pytest.approx(SQRT2)
    assert m.marginal.tolist() == [False, False, True, True, False, False]
    assert np.isnan(m.c[[0, 1, 4, 5]]).all() and np.all(m.c[2:4] > 0)
    # Eq. (24) holds, with a bias beta of either sign
    for rho0, c_h, beta in [(1.2, 0.3, 0.0), (1.1, 0.05, -0.1), (1.7, 0.4, 0.3)]:
        r = fp.marginal_stability(rho0, c_h, beta=beta)
        assert r.alpha == pytest.approx(0.5 * (1 - erf(beta / np.sqrt(2 * c_h))), rel=1e-14)
        assert r.marginal == (1 < rho0 < r.rho_max)
        assert erf((r.c - beta / np.sqrt(c_h)) / SQRT2) == pytest.approx(2 / rho0**2 - 1, rel=1e-12)
    # beta > 0 opens more keep gates (z -> 1): fewer closed, alpha < 1/2, a wider window
    assert fp.marginal_stability(1.5, 0.2, beta=0.5).rho_max > SQRT2
    assert fp.marginal_stability(1.5, 0.2, beta=50.0).rho_max == np.inf
    # the non-zero FP at (a_h, a_r) = (2.5, 1) has rho_0 = 1.054 < sqrt 2: inside the black region of Fig. 2
    (_, nz) = fp.fixed_points(2.5, 1.0)
    assert fp.marginal_stability(nz.rho, nz.c_h).marginal
    (_, nz) = fp.fixed_points(3.0, 10.0)
    assert not fp.marginal_stability(nz.rho, nz.c_h).marginal


# -- simulations --------------------------------------------------------------------------------
def test_time_dependent_state_without_leak_has_the_mft_variance():
    # b_z -> -inf (keep gate 0): the equal-time variance obeys C(t) = F(C(t-1)), so a time-dependent state
    # sits at the upper root of Eq. (10); N = 500, the window average of mean h^2, mean over 2 seeds
    for a_h, a_r in [(3.0, 10.0), (1.9, 20.0)]:
        c_mft = fp.fixed_point_variance(a_h, a_r)[-1]
        runs = [fp.simulate_settling(500, a_h, a_r, b_z=fp.NO_LEAK_BIAS, seed=s, steps=600, window=300,
                                     init_scales=(1.0,)) for s in (1, 2)]
        assert all(r.kind == ("time-dependent",) for r in runs)
        assert np.mean([r.c_h[0] for r in runs]) == pytest.approx(c_mft, rel=0.1)


def test_green_region_settling_documented():
    # Measured (N = 500, seed 1): at a_r = 12 > a_r*(1.8) = 8.16, without leak, h_0 ~ N(0, 0.1^2) (C = 0.01,
    # below the unstable root 0.0134) decays to the stable zero FP, as the map predicts, while h_0 ~ N(0, 1)
    # stays chaotic near the upper root 0.147 (bistability); with the keep gate at 1/2 (b_z = 0) both decay to
    # zero -- the leak delays chaos beyond a_r* (in a scan, to about 3 a_r* at a_h = 1.8 and 1.9). Below a_r*
    # everything decays.
    runs = [fp.simulate_settling(500, 1.8, 12.0, b_z=b_z, seed=1, steps=1500, window=200, init_scales=(0.1, 1.0))
            for b_z in (fp.NO_LEAK_BIAS, 0.0)]
    assert runs[0].kind == ("zero", "time-dependent") and runs[0].c_h[1] == pytest.approx(0.147, rel=0.1)
    assert runs[1].kind == ("zero", "zero") and runs[1].b_z == 0.0
    below = fp.simulate_settling(500, 1.8, 7.0, b_z=fp.NO_LEAK_BIAS, seed=1, steps=1500, window=200)
    assert below.kind == ("zero", "zero")


# -- arguments --------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,match", [
    (lambda: fp.fixed_point_variance(-1.0, 1.0), "a_h must be >= 0"),
    (lambda: fp.fixed_point_variance(1.0, np.nan), "a_r must be finite"),
    (lambda: fp.fixed_point_variance(1.0, 1.0, b_r=2e6), "b_r must be"),
    (lambda: fp.fixed_point_variance(1.0, 1.0, v_r=-1.0), "v_r must be >= 0"),
    (lambda: fp.fixed_point_variance(1.0, 1.0, grid=3), "grid must be an integer in"),
    (lambda: fp.fixed_point_excess(0.0, 1.0, 1.0), "c_h must be > 0"),
    (lambda: fp.variance_map(-0.1, 1.0, 1.0), "c_h must be >= 0"),
    (lambda: fp.bifurcation_gain(1.4), r"a_h must be > sqrt\(2\) and < 2"),
    (lambda: fp.bifurcation_gain(2.0), r"a_h must be > sqrt\(2\) and < 2"),
    (lambda: fp.phase(1.0, -2.0), "a_r must be >= 0"),
    (lambda: fp.phase_diagram([], [1.0]), "a_h must be a number or a non-empty 1-d array"),
    (lambda: fp.perturbative_variance(2.0, 1e7), "a_r must be"),
    (lambda: fp.marginal_stability(0.0, 0.1), "rho0 must be > 0"),
    (lambda: fp.marginal_stability(1.2, 1.5), "c_h must be > 0 and <= 1"),
    (lambda: fp.marginal_stability([1.2, 1.3], [0.1, 0.2, 0.3]), "broadcastable"),
    (lambda: fp.simulate_settling(0, 2.0, 1.0), "n must be an integer"),
    (lambda: fp.simulate_settling(10, 2.0, 1.0, steps=10, window=20), "window must be an integer in"),
    (lambda: fp.simulate_settling(10, 2.0, 1.0, init_scales=[1.0, 0.0]), "init_scales must be > 0"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_types():
    with pytest.raises(TypeError, match="a_h"):
        fp.fixed_point_variance("2", 1.0)
    with pytest.raises(TypeError, match="grid"):
        fp.fixed_point_variance(2.0, 1.0, grid=10.5)


def test_phase_diagram_on_an_executor_is_the_serial_one():
    import concurrent.futures as cf

    a_h, a_r = np.array([1.0, 1.5, 1.8, 2.5]), np.array([1.0, 6.0, 20.0])
    with cf.ThreadPoolExecutor(2) as pool:
        np.testing.assert_array_equal(fp.phase_diagram(a_h, a_r, executor=pool), fp.phase_diagram(a_h, a_r))
    with pytest.raises(TypeError, match="executor must be None or a concurrent.futures.Executor"):
        fp.phase_diagram(a_h, a_r, executor=2)
