"""The gated-RNN criterion: Eq. (14), its infinite-N expectations, the spectral boundary (Eq. 13),
and agreement with sampled spectra of J = M + g L U R."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import expit

from criticality import criterion as crit
from criticality import init


def gauss_mean(func, s):
    if s == 0:
        return func(0.0)
    pdf = lambda b: np.exp(-b * b / (2 * s * s)) / np.sqrt(2 * np.pi * s * s)  # noqa: E731
    return quad(lambda b: func(b) * pdf(b), -40 * s, 40 * s, epsabs=0, epsrel=1e-13, limit=400, points=[0])[0]


@pytest.mark.parametrize("arch,expected", [("rnn", 1.0), ("gru", 2.0), ("lstm", 2.0)])
def test_zero_bias(arch, expected):
    assert crit.critical_gain(arch) == expected
    assert crit.critical_gain(arch, n=50, seed=0) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("sb", [0.1, 0.5, 1.0, 2.0])
def test_infinite_n_against_adaptive_quadrature(sb):
    s2 = gauss_mean(lambda b: expit(b) ** 2, sb)
    inv = gauss_mean(lambda b: (1 + np.exp(b)) ** 2, sb)
    assert crit.critical_gain("gru", sb) == pytest.approx(s2**-0.5, rel=1e-10)
    assert crit.critical_gain("lstm", sb) == pytest.approx((s2 * s2 * inv) ** -0.5, rel=1e-10)


def test_gru_sample_converges_to_infinite_n():
    # law of large numbers: relative error ~ std(sigma(b)^2) / (2 E sigma^2 sqrt(N))
    sb, n = 1.0, 200_000
    assert crit.critical_gain("gru", sb, n=n, seed=1) == pytest.approx(crit.critical_gain("gru", sb), rel=2e-3)


def test_bias_lowers_gated_critical_gain():
    sb = np.linspace(0, 3, 31)
    for arch in ("gru", "lstm"):
        assert np.all(np.diff(crit.critical_gain(arch, sb)) < 0)


@pytest.mark.parametrize("arch", ["gru", "lstm"])
@pytest.mark.parametrize("t_max", [2.5, 10.0, 1000.0])
def test_chrono_is_two_for_any_t_max(arch, t_max):
    assert crit.critical_gain(arch, bias="chrono", t_max=t_max) == pytest.approx(2.0, rel=1e-13)
    assert crit.critical_gain(arch, bias="chrono", t_max=t_max, n=300, seed=3) == pytest.approx(2.0, rel=1e-13)
    M, L, R = crit.diagonals(arch, init.chrono_biases(1000, t_max, arch=arch, seed=0))
    tau = 1.0 / L
    assert np.allclose(M, 1 - 1 / tau) and np.allclose(R, 0.5) and np.all((tau >= 2) & (tau <= t_max))


def test_gru_write_rate_cancels():
    # GRU: L^2 R^2 / (1 - M)^2 = r^2, whatever the update-gate biases
    rng = np.random.default_rng(0)
    br = rng.standard_normal(100)
    g1 = crit.critical_gain_from_diagonals(*crit.diagonals("gru", {"z": rng.standard_normal(100) * 3, "r": br}))
    g2 = crit.critical_gain_from_diagonals(*crit.diagonals("gru", {"z": np.zeros(100), "r": br}))
    assert g1 == pytest.approx(g2, rel=1e-13) == pytest.approx(np.mean(expit(br) ** 2) ** -0.5, rel=1e-13)


@settings(max_examples=40, deadline=None)
@given(bz=st.floats(-4, 4), br=st.floats(-4, 4), bf=st.floats(-4, 4), bi=st.floats(-4, 4), bo=st.floats(-4, 4),
       a=st.floats(0.05, 10))
def test_can_et_al_zero_fixed_point_conditions_are_the_criterion(bz, br, bf, bi, bo, a):
    """Can et al. (2020), Corollary 3 and the LSTM analogue, in their notation, equal g < g_c."""
    one = np.ones(1)
    # GRU: Can's update gate is the keep rate z' = sigma(b_z'); ours writes z = 1 - z', b_z = -b_z'
    keep, r = expit(bz), expit(br)
    gc = crit.critical_gain_from_diagonals(*crit.diagonals("gru", {"z": -bz * one, "r": br * one}))
    can_stable = keep + (1 - keep) * r * a < 1
    if abs(keep + (1 - keep) * r * a - 1) > 1e-9:
        assert can_stable == (a < gc)
    # their disk: centre z', radius (1 - z') r a_h; ours: the boundary curve of M + g L U R
    z = crit.spectral_boundary(*crit.diagonals("gru", {"z": -bz * one, "r": br * one}), g=a, n_angles=16)
    assert np.allclose(np.abs(z - keep), (1 - keep) * r * a, rtol=1e-9)
    # LSTM: sigma(b_f) + sigma(b_o) sigma(b_i) a_h < 1
    f, i, o = expit(bf), expit(bi), expit(bo)
    gc = crit.critical_gain_from_diagonals(*crit.diagonals("lstm", {"f": bf * one, "i": bi * one, "o": bo * one}))
    if abs(f + o * i * a - 1) > 1e-9:
        assert (f + o * i * a < 1) == (a < gc)


def test_boundary_points_solve_eq_13():
    M, L, R = crit.diagonals("lstm", init.gate_biases("lstm", 500, sigma_b=0.8, seed=5))
    z = crit.spectral_boundary(M, L, R, g=2.0, n_angles=90)
    F = 4.0 * np.mean((L * R) ** 2 / np.abs(z[:, None] - M) ** 2, axis=1)
    assert not np.isnan(z).any()
    assert np.allclose(F, 1.0, rtol=1e-9)


@pytest.mark.parametrize("arch,sb", [("gru", 0.0), ("gru", 1.0), ("lstm", 0.5), ("rnn", 0.0)])
def test_predicted_radius_is_one_at_gc(arch, sb):
    M, L, R = crit.diagonals(arch, init.gate_biases(arch, 400, sigma_b=sb, seed=2))
    gc = crit.critical_gain_from_diagonals(M, L, R)
    rho = crit.predicted_spectral_radius(M, L, R, [0.5 * gc, gc, 1.5 * gc])
    assert rho[1] == pytest.approx(1.0, abs=1e-12)
    assert rho[0] < 1 < rho[2]
    assert np.nanmax(np.abs(crit.spectral_boundary(M, L, R, gc))) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("arch,sb,bias,t_max", [
    ("gru", 0.0, "gaussian", None), ("gru", 1.0, "gaussian", None), ("lstm", 0.5, "gaussian", None),
    ("lstm", 0.0, "chrono", 20.0), ("gru", 0.0, "chrono", 5.0),
])
def test_sampled_spectrum_against_prediction(arch, sb, bias, t_max):
    n = 1000
    M, L, R = crit.diagonals(arch, init.gate_biases(arch, n, sigma_b=sb, bias=bias, t_max=t_max, seed=7))
    gc = crit.critical_gain_from_diagonals(M, L, R)
    ev = np.linalg.eigvals(crit.jacobian_at_zero(M, L, R, gc, seed=8))
    # spectral radius at g_c: 1 up to the finite-N edge correction (a few percent)
    assert np.abs(ev).max() == pytest.approx(1.0, abs=0.06)
    # nearly all eigenvalues inside the predicted boundary (star-shaped about mean(M))
    c = np.mean(M)
    z = crit.spectral_boundary(M, L, R, gc, n_angles=1441)
    theta = np.angle(ev - c) % (2 * np.pi)
    k = np.rint(theta / (2 * np.pi) * 1440).astype(int)
    outside = np.abs(ev - c) > np.abs(z[k] - c) * 1.02
    assert outside.mean() < 0.02
    # and the wrong factor of 2 in g would be caught: the cloud fills the predicted region
    assert np.abs(ev - c).max() > 0.9 * np.nanmax(np.abs(z - c))


def test_constant_diagonals_give_circle():
    n = 10
    z = crit.spectral_boundary(np.full(n, 0.3), np.full(n, 0.5), np.full(n, 0.4), g=1.5, n_angles=64)
    assert np.allclose(np.abs(z - 0.3), 1.5 * 0.5 * 0.4, rtol=1e-10)


@pytest.mark.parametrize("kwargs,match", [
    ({"arch": "transformer"}, "arch"),
    ({"arch": "gru", "bias": "uniform"}, "bias"),
    ({"arch": "gru", "sigma_b": -0.1}, "sigma_b"),
    ({"arch": "gru", "sigma_b": np.nan}, "sigma_b"),
    ({"arch": "lstm", "bias": "chrono", "t_max": 2.0}, "t_max"),
    ({"arch": "lstm", "bias": "chrono"}, "t_max"),
    ({"arch": "gru", "n": 0}, "n"),
    ({"arch": "rnn", "sigma_b": 0.5}, "sigma_b"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        crit.critical_gain(**kwargs)


def test_invalid_diagonals():
    with pytest.raises(ValueError, match="same shape"):
        crit.critical_gain_from_diagonals([0.1, 0.2], [1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="1 - M_i"):
        crit.critical_gain_from_diagonals([0.5, 1.0], [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="keys"):
        crit.diagonals("lstm", {"f": [0.0], "i": [0.0]})
    with pytest.raises(ValueError, match="common length"):
        crit.diagonals("gru", {"z": [0.0, 1.0], "r": [0.0]})


def test_measured_critical_gain_brackets_the_unit_crossing():
    M, L, R = crit.sampled_diagonals("gru", 200, 0.5, seed=3)
    g = crit.measured_critical_gain(M, L, R, seed=4, rtol=1e-4)
    rho = crit.jacobian_spectral_radius(M, L, R, [g * (1 - 1e-3), g * (1 + 1e-3)], seed=4)
    assert rho[0] < 1.0 <= rho[1]
    # and it agrees with the criterion to the finite-N edge tolerance
    assert g == pytest.approx(crit.critical_gain_from_diagonals(M, L, R), rel=0.1)


def test_unit_crossing_interpolates():
    assert crit.unit_crossing([1.0, 2.0, 3.0], [0.5, 0.9, 1.3]) == pytest.approx(2.25)
    assert np.isnan(crit.unit_crossing([1.0, 2.0], [0.5, 0.9]))


def test_sampled_diagonals_rnn_and_chrono():
    M, L, R = crit.sampled_diagonals("rnn", 5)
    assert np.all(M == 0) and np.all(L == 1) and np.all(R == 1)
    M, L, R = crit.sampled_diagonals("gru", 100, bias="chrono", t_max=8.0, seed=1)
    assert np.allclose(M + L, 1.0) and np.allclose(R, 0.5)


def test_explorer_updates_when_a_control_changes():
    pytest.importorskip("ipywidgets")
    from criticality.explorer import criterion_explorer

    box = criterion_explorer(arch="gru", sigma_b=0.0, g=1.0, n=100)
    assert "critical gain, this sample: 2.0000" in box.readout.value
    box.controls["arch"].value = "rnn"
    assert "critical gain, this sample: 1.0000" in box.readout.value
    box.controls["arch"].value = "lstm"
    box.controls["sigma_b"].value = 1.0
    assert "critical gain, N → ∞: 0.9971" in box.readout.value


# --- argument checks, bounded loops, robustness ------------------------------------------------

@pytest.mark.parametrize("gains,radii,error,match", [
    ([1.0, 2.0, 3.0], [0.5, 1.2], ValueError, "gains and radii"),
    ([1.0, 2.0], [0.5, 0.9, 1.2], ValueError, "gains and radii"),
    ([1.0], [0.5], ValueError, "gains and radii"),
    ([[1.0, 2.0]], [[0.5, 1.2]], ValueError, "gains and radii"),
    ([1.0, 2.0, 3.0], [0.5, np.nan, 1.2], ValueError, "radii"),
    ([1.0, np.inf, 3.0], [0.5, 0.9, 1.2], ValueError, "gains"),
    ([1.0, 2.0, 3.0], [0.5, -0.1, 1.2], ValueError, "radii"),
    ([3.0, 2.0, 1.0], [0.5, 0.9, 1.2], ValueError, "gains must be strictly increasing"),
    ([1.0, 1.0, 2.0], [0.5, 0.9, 1.2], ValueError, "gains must be strictly increasing"),
    (["a", "b"], [0.5, 1.2], TypeError, "gains"),
])
def test_unit_crossing_rejects_bad_input(gains, radii, error, match):
    with pytest.raises(error, match=match):
        crit.unit_crossing(gains, radii)


def test_unit_crossing_non_monotone_radii():
    # measured radii fluctuate: the first upward crossing counts, later ones are ignored
    assert crit.unit_crossing([1.0, 2.0, 3.0, 4.0], [0.5, 1.5, 0.8, 1.2]) == pytest.approx(1.5)
    assert crit.unit_crossing([1.0, 2.0, 3.0], [1.2, 0.5, 1.1]) == pytest.approx(2 + 5 / 6)
    assert np.isnan(crit.unit_crossing([1.0, 2.0, 3.0], [1.2, 1.3, 1.4]))  # at or above 1 throughout


def test_measured_critical_gain_validates_rtol():
    M, L, R = crit.sampled_diagonals("gru", 20, 0.5, seed=3)
    # NaN first: the old loop returned at once for NaN, and never ended for rtol <= 1e-16
    for bad in [np.nan, np.inf, 1.0, 2.0, 0.0, -1e-3, 1e-13, 1e-17]:
        with pytest.raises(ValueError, match=r"rtol must be .*>= 1e-12 and < 1"):
            crit.measured_critical_gain(M, L, R, seed=4, rtol=bad)
    with pytest.raises(ValueError, match="rtol must be a single number"):
        crit.measured_critical_gain(M, L, R, seed=4, rtol=[1e-3])
    for bad in ["1e-3", None, True]:
        with pytest.raises(TypeError, match="rtol"):
            crit.measured_critical_gain(M, L, R, seed=4, rtol=bad)
    g = crit.measured_critical_gain(M, L, R, seed=4, rtol=1e-12)
    rho = crit.jacobian_spectral_radius(M, L, R, [g * (1 - 1e-10), g * (1 + 1e-10)], seed=4)
    assert rho[0] < 1.0 <= rho[1]


def test_measured_critical_gain_loops_are_bounded(monkeypatch):
    M, L, R = crit.sampled_diagonals("gru", 20, 0.5, seed=3)
    monkeypatch.setattr(crit, "_radius", lambda *args: 0.5)  # a radius that never reaches 1
    with pytest.raises(RuntimeError, match=f"converge.*{crit.MAX_DOUBLINGS} doublings"):
        crit.measured_critical_gain(M, L, R, seed=4)
    monkeypatch.setattr(crit, "MAX_BISECTIONS", 3)
    monkeypatch.setattr(crit, "_radius", lambda M, L, R, g, U: g)  # crossing at g = 1
    with pytest.raises(RuntimeError, match="converge.*within 3 bisections"):
        crit.measured_critical_gain(M, L, R, seed=4)


@pytest.mark.parametrize("kwargs,match", [
    ({"arch": "gru", "sigma_b": 31.0}, "sigma_b"),
    ({"arch": "gru", "sigma_b": [0.5, np.inf]}, "sigma_b"),
    ({"arch": "gru", "sigma_b": True}, "sigma_b"),
    ({"arch": "gru", "sigma_b": 1j}, "sigma_b"),
    ({"arch": "gru", "n": 10**8}, "n"),
    ({"arch": "gru", "n": 2.0}, "n"),
    ({"arch": "gru", "n": 10, "seed": -1}, "seed"),
    ({"arch": "gru", "n": 10, "seed": 1.5}, "seed"),
    ({"arch": "lstm", "bias": "chrono", "t_max": 1e7}, "t_max"),
    ({"arch": "lstm", "bias": "chrono", "t_max": np.nan}, "t_max"),
    ({"arch": "lstm", "bias": "chrono", "t_max": [5.0, 6.0]}, "t_max"),
])
def test_more_invalid_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        crit.critical_gain(**kwargs)


@pytest.mark.parametrize("sb", [20.0, 30.0])
def test_wide_biases_do_not_overflow(sb):
    # the LSTM's <(1 + e^b)^2> = 1 + 2 e^{sb^2/2} + e^{2 sb^2} overflows beyond sb = 18.8
    s2 = gauss_mean(lambda b: expit(b) ** 2, sb)
    assert crit.critical_gain("gru", sb) == pytest.approx(s2**-0.5, rel=1e-10)
    # LSTM: <(1 + e^b)^2> = e^{2 sb^2} (1 + O(e^{-3 sb^2 / 2})), so g_c = e^{-sb^2} / s2 (0.0 for sb = 30)
    assert crit.critical_gain("lstm", sb) == pytest.approx(np.exp(-sb * sb) / s2, rel=1e-10, abs=0)
    # sampled: some sigmoid gates round to exactly 1, so 1 - M = 0; the bias form has no cancellation
    for arch in ("gru", "lstm"):
        b = init.gate_biases(arch, 200, sigma_b=sb, seed=1)
        ratio = expit(b["r"]) if arch == "gru" else expit(b["i"]) * expit(b["o"]) / expit(-b["f"])
        assert crit.critical_gain(arch, sb, n=200, seed=1) == pytest.approx(np.mean(ratio**2) ** -0.5, rel=1e-12)


def test_chrono_is_two_for_long_time_scales():
    for arch in ("gru", "lstm"):
        assert crit.critical_gain(arch, bias="chrono", t_max=1e6) == pytest.approx(2.0, rel=1e-15)
        assert crit.critical_gain(arch, bias="chrono", t_max=1e6, n=100, seed=0) == pytest.approx(2.0, rel=1e-15)


def test_matrix_arguments():
    M, L, R = crit.sampled_diagonals("gru", 10, 0.5, seed=0)
    cases = [
        (lambda: crit.jacobian_at_zero(M, L, R, 1.0, U=np.zeros((3, 3))), ValueError, "U must have shape"),
        (lambda: crit.jacobian_at_zero(M, L, R, 1.0, U=np.full((10, 10), np.nan)), ValueError, "U"),
        (lambda: crit.jacobian_at_zero(M, L, R, 1e7), ValueError, "g"),
        (lambda: crit.jacobian_at_zero(M, L, R, [1.0, 2.0]), ValueError, "g"),
        (lambda: crit.jacobian_at_zero(np.zeros(20_000), np.ones(20_000), np.ones(20_000), 1.0), ValueError,
         "at most 10000"),
        (lambda: crit.jacobian_at_zero(M[None, :], L[None, :], R[None, :], 1.0), ValueError, "1-d"),
        (lambda: crit.critical_gain_from_diagonals(M, L * 1e7, R), ValueError, "L"),
        (lambda: crit.jacobian_spectral_radius(M, L, R, [[1.0, 2.0]]), ValueError, "gains"),
        (lambda: crit.jacobian_spectral_radius(M, L, R, [1.0, -1.0]), ValueError, "gains"),
        (lambda: crit.predicted_spectral_radius(M, L, R, np.nan), ValueError, "g"),
        (lambda: crit.spectral_boundary(M, L, R, 0.0), ValueError, "g"),
        (lambda: crit.spectral_boundary(M, 0 * L, R, 1.0), ValueError, "L \\* R"),
        (lambda: crit.spectral_boundary(M, L, R, 1.0, n_angles=7), ValueError, "n_angles"),
        (lambda: crit.spectral_boundary(M, L, R, 1.0, n_angles=2**16 + 1), ValueError, "n_angles"),
        (lambda: crit.spectral_boundary(M, L, R, 1.0, n_angles=16.0), TypeError, "n_angles"),
        (lambda: crit.spectral_boundary(M, L, R, 1.0, center="0.5"), ValueError, "center"),
        (lambda: crit.spectral_boundary(M, L, R, 1.0, center=np.nan), ValueError, "center"),
        (lambda: init.chrono_biases_from_tau("gru", [0.5]), ValueError, "tau"),
        (lambda: crit.diagonals("gru", {"z": [[1, 2], [3]], "r": [0.0]}), ValueError, "biases"),
    ]
    for call, error, match in cases:
        with pytest.raises(error, match=match):
            call()


def test_predicted_radius_at_zero_gain_and_vectorised():
    M, L, R = crit.sampled_diagonals("lstm", 50, 0.5, seed=0)
    # at g = 0 the bisection closes on max(M), where W / (x - M)^2 divides by zero
    assert crit.predicted_spectral_radius(M, L, R, 0.0) == pytest.approx(M.max(), abs=1e-12)
    g = np.array([[0.5, 1.0], [2.0, 3.0]])
    rho = crit.predicted_spectral_radius(M, L, R, g)
    assert rho.shape == g.shape and rho[1, 0] == crit.predicted_spectral_radius(M, L, R, 2.0)


def test_boundary_in_blocks_matches_direct_evaluation(monkeypatch):
    M, L, R = crit.sampled_diagonals("gru", 300, 1.0, seed=1)
    direct = crit.spectral_boundary(M, L, R, 3.0, n_angles=32)
    monkeypatch.setattr(crit, "_BLOCK", 1000)  # a few directions per block
    assert np.allclose(crit.spectral_boundary(M, L, R, 3.0, n_angles=32), direct, rtol=0, atol=1e-14)


def test_sampled_diagonals_are_case_insensitive():
    # 'RNN' used to fall through to diagonals('RNN', {}), which has one unit: a 1 x 1 Jacobian
    for arch in ("RNN", "Gru", "LSTM"):
        M, L, R = crit.sampled_diagonals(arch, 7, seed=0)
        assert M.shape == L.shape == R.shape == (7,)


def test_spectra_arguments():
    from criticality import spectra

    assert spectra.spectral_radius([[0.0, 2j], [0.0, 0.5]]) == pytest.approx(0.5)
    stack = np.array([[[0.0, 1.0], [-4.0, 0.0]], [[3.0, 0.0], [0.0, -1.0]]])  # eigenvalues +-2i, then 3, -1
    np.testing.assert_allclose(spectra.spectral_radius(stack), [2.0, 3.0], rtol=1e-14)
    np.testing.assert_allclose(np.sort_complex(spectra.eigenvalues(stack[0])), [-2j, 2j], atol=1e-14)
    assert spectra.eigenvalues(np.zeros((4, 3, 3))).shape == (4, 3)
    assert spectra.fraction_inside([0.5j, 2.0], 1.0) == 0.5
    cases = [
        (lambda: spectra.gain_matrix_eigenvalues(0), ValueError, "n"),
        (lambda: spectra.gain_matrix_eigenvalues(10**5), ValueError, "n"),
        (lambda: spectra.gain_matrix_eigenvalues(10, np.nan), ValueError, "g"),
        (lambda: spectra.gain_matrix_eigenvalues(10, 1.0, seed=-1), ValueError, "seed"),
        (lambda: spectra.spectral_radius(np.zeros((0, 0))), ValueError, "matrix"),
        (lambda: spectra.spectral_radius(np.zeros((2, 3))), ValueError, "matrix"),
        (lambda: spectra.spectral_radius([[np.nan]]), ValueError, "matrix"),
        (lambda: spectra.spectral_radius(np.full((6, 6), 3e307)), ValueError, "matrix"),
        (lambda: spectra.spectral_radius([["a"]]), TypeError, "matrix"),
        (lambda: spectra.fraction_inside([], 1.0), ValueError, "eigenvalues"),
        (lambda: spectra.fraction_inside([1.0, np.nan], 1.0), ValueError, "eigenvalues"),
        (lambda: spectra.fraction_inside([1.0], -1.0), ValueError, "radius"),
        (lambda: spectra.fraction_inside([1.0], [1.0, 2.0]), ValueError, "radius"),
    ]
    for call, error, match in cases:
        with pytest.raises(error, match=match):
            call()
