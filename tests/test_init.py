"""criticality.init: each initialiser's defining property, equality with the book's existing draws,
argument validation."""

import numpy as np
import pytest

from criticality import criterion, glorot, init
from criticality.spectra import eigenvalues

N = 500  # 250,000 entries: the sample variance is within 0.3% (one sd) of the true one


def _var(W):
    return float(np.mean(W ** 2))  # the mean is 0 by construction


# --- variances (a factor of 2 off would be 100% off; the tolerance is 5%) ---

@pytest.mark.parametrize("gain", [1.0, 0.5, 2.0])
def test_gaussian_variance(gain):
    W = init.gaussian(N, gain=gain, seed=1)
    assert W.shape == (N, N)
    assert _var(W) == pytest.approx(gain ** 2 / N, rel=0.05)


def test_gaussian_rectangular_is_normalised_by_the_fan_in():
    W = init.gaussian(N, 300, gain=1.5, seed=2)
    assert W.shape == (N, 300)
    assert _var(W) == pytest.approx(1.5 ** 2 / 300, rel=0.05)


@pytest.mark.parametrize("fan_out, fan_in", [(N, N), (300, 700), (700, 300)])
def test_glorot_normal_variance(fan_out, fan_in):
    W = init.glorot_normal(fan_out, fan_in, seed=3)
    assert W.shape == (fan_out, fan_in)
    assert _var(W) == pytest.approx(2.0 / (fan_in + fan_out), rel=0.05)


@pytest.mark.parametrize("fan_out, fan_in", [(N, N), (300, 700)])
def test_glorot_uniform_support_and_variance(fan_out, fan_in):
    W = init.glorot_uniform(fan_out, fan_in, seed=4)
    a = np.sqrt(6.0 / (fan_in + fan_out))
    assert W.shape == (fan_out, fan_in)
    assert np.abs(W).max() <= a
    assert np.abs(W).max() > 0.99 * a  # the whole support is used, not half of it
    assert _var(W) == pytest.approx(2.0 / (fan_in + fan_out), rel=0.05)


@pytest.mark.parametrize("fan_out, fan_in", [(N, N), (300, 700), (700, 300)])
def test_he_normal_variance(fan_out, fan_in):
    W = init.he_normal(fan_out, fan_in, seed=5)
    assert W.shape == (fan_out, fan_in)
    assert _var(W) == pytest.approx(2.0 / fan_in, rel=0.05)


# --- equality with the book's existing draws ---

@pytest.mark.parametrize("n", [1, 7, 200])
def test_gaussian_is_the_books_historical_draw(n):
    """The chapters' numbers depend on this stream: one standard_normal((n, n)) divided by sqrt(n)."""
    a = init.gaussian(n, seed=np.random.default_rng(11))
    np.testing.assert_array_equal(a, np.random.default_rng(11).standard_normal((n, n)) / np.sqrt(n))
    g = 1.37
    np.testing.assert_array_equal(init.gaussian(n, gain=g, seed=12), g * init.gaussian(n, seed=12))
    r1, r2 = np.random.default_rng(13), np.random.default_rng(13)
    for _ in range(3):  # a Generator is advanced, not copied
        np.testing.assert_array_equal(init.gaussian(n, seed=r1), r2.standard_normal((n, n)) / np.sqrt(n))


def test_gaussian_float32_is_the_rounded_draw():
    a = init.gaussian(30, seed=3, dtype=np.float32)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, init.gaussian(30, seed=3).astype(np.float32))


def test_gate_biases_gaussian_law_and_stream():
    b = init.gate_biases("lstm", 200_000, sigma_b=0.7, seed=4)
    assert list(b) == ["f", "i", "o"]
    for k in b:
        assert np.std(b[k]) == pytest.approx(0.7, rel=0.01)
    rng = np.random.default_rng(4)
    for k in ("f", "i", "o"):  # one standard_normal(n) per gate, in GATES order
        np.testing.assert_array_equal(b[k], 0.7 * rng.standard_normal(200_000))
    assert init.gate_biases("rnn", 5) == {}


def test_chrono_via_gate_biases():
    a = init.chrono_biases(300, 50.0, arch="gru", seed=21)
    b = init.gate_biases("gru", 300, bias="chrono", t_max=50.0, seed=21)
    assert a.keys() == b.keys() == set(criterion.GATES["gru"])
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_chrono_biases_law():
    t_max = 100.0
    b = init.chrono_biases(100_000, t_max, seed=22)  # LSTM by default
    assert set(b) == {"f", "i", "o"}
    tau = np.exp(b["f"]) + 1.0  # b_f = log(tau - 1)
    assert tau.min() >= 2.0 and tau.max() <= t_max
    assert tau.mean() == pytest.approx((2.0 + t_max) / 2, rel=0.01)
    np.testing.assert_array_equal(b["i"], -b["f"])
    np.testing.assert_array_equal(b["o"], 0.0)
    # forget gate 1 - 1/tau, i.e. a time scale tau (not (tau-1)^2 + 1: the doubled-bias pitfall)
    np.testing.assert_allclose(1.0 / (1.0 + np.exp(-b["f"])), 1.0 - 1.0 / tau, rtol=1e-12)
    g = init.chrono_biases(1000, t_max, arch="gru", seed=22)
    z = 1.0 / (1.0 + np.exp(-g["z"]))
    assert z.min() >= 1.0 / t_max - 1e-12 and z.max() <= 0.5 + 1e-12


def test_critical_gain_delegates():
    assert init.critical_gain("rnn") == 1.0
    assert init.critical_gain("gru", sigma_b=0.7) == criterion.critical_gain("gru", 0.7)
    assert init.critical_gain("lstm", bias="chrono", t_max=50.0) == pytest.approx(2.0, rel=1e-12)
    assert (init.critical_gain("lstm", sigma_b=1.0, n=400, seed=3)
            == criterion.critical_gain("lstm", 1.0, n=400, seed=3))


def test_rescaled_glorot_is_reexported():
    assert init.rescaled_glorot is glorot.rescaled_glorot
    assert "rescaled_glorot" in init.__all__


# --- orthogonal, identity, eigen ---

@pytest.mark.parametrize("n", [1, 2, 3, 100])
def test_orthogonal(n):
    Q = init.orthogonal(n, seed=31)
    np.testing.assert_allclose(Q.T @ Q, np.eye(n), atol=1e-12)
    np.testing.assert_allclose(np.abs(eigenvalues(Q)), 1.0, atol=1e-10)
    Q2 = init.orthogonal(n, gain=0.9, seed=31)
    np.testing.assert_allclose(Q2, 0.9 * Q, rtol=0, atol=1e-15)


def test_orthogonal_is_haar_not_raw_qr():
    # Haar: E[trace Q] = 0 and E[trace^2] = 1. LAPACK's Q without the sign correction has a biased
    # diagonal (measured: mean trace -0.84 at n = 4 with these 4000 draws, 22 standard errors off).
    n, S = 4, 4000
    rng = np.random.default_rng(32)
    tr = np.array([np.trace(init.orthogonal(n, seed=rng)) for _ in range(S)])
    assert abs(tr.mean()) < 4 * tr.std() / np.sqrt(S)
    # E[trace^2] = 1 for Haar O(n), n >= 2
    assert np.mean(tr ** 2) == pytest.approx(1.0, rel=0.1)


def test_identity():
    np.testing.assert_array_equal(init.identity(5), np.eye(5))
    np.testing.assert_array_equal(init.identity(3, gain=0.5), 0.5 * np.eye(3))


@pytest.mark.parametrize("n", [1, 2, 3, 50, 201])
@pytest.mark.parametrize("radius", [0.95, 0.5, 1.2])
def test_eigen_moduli(n, radius):
    W = init.eigen(n, radius, seed=41)
    assert W.shape == (n, n) and W.dtype == np.float64
    np.testing.assert_allclose(np.abs(eigenvalues(W)), radius, rtol=0, atol=1e-10)
    # normal (W = Q B Q^T with B normal) and radius times an orthogonal matrix
    np.testing.assert_allclose(W @ W.T, W.T @ W, atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), radius, rtol=0, atol=1e-10)


def test_eigen_is_not_trivial():
    n = 50
    W = init.eigen(n, seed=42)
    # not block diagonal, not diagonal, not symmetric: the conjugation mixed the coordinates
    assert np.count_nonzero(np.abs(W) > 1e-8) > 4 * n
    assert np.abs(W - W.T).max() > 0.1
    # real eigenvalues only for the odd block, the others in conjugate pairs off the real axis
    lam = eigenvalues(W)
    assert np.sum(np.abs(lam.imag) < 1e-9) == 0
    lam3 = eigenvalues(init.eigen(3, seed=42))
    assert np.sum(np.abs(lam3.imag) < 1e-9) == 1
    assert lam3[np.abs(lam3.imag) < 1e-9].real == pytest.approx(0.95)
    # seeded
    np.testing.assert_array_equal(W, init.eigen(n, seed=42))
    assert not np.array_equal(W, init.eigen(n, seed=43))


def test_eigen_default_radius():
    np.testing.assert_allclose(np.abs(eigenvalues(init.eigen(10, seed=1))), 0.95, atol=1e-12)


# --- seeding ---

@pytest.mark.parametrize("f", [lambda s: init.gaussian(8, seed=s), lambda s: init.glorot_normal(4, 6, seed=s),
                               lambda s: init.glorot_uniform(4, 6, seed=s), lambda s: init.he_normal(4, 6, seed=s),
                               lambda s: init.orthogonal(6, seed=s), lambda s: init.eigen(6, seed=s),
                               lambda s: init.chrono_biases(6, 10.0, seed=s)["f"]])
def test_seeded(f):
    np.testing.assert_array_equal(f(5), f(5))
    np.testing.assert_array_equal(f(5), f(np.random.default_rng(5)))
    assert not np.array_equal(f(5), f(6))
    assert f(None).shape == f(5).shape


# --- validation ---

@pytest.mark.parametrize("call, name", [
    (lambda: init.gaussian(0), "n"),
    (lambda: init.gaussian(-3), "n"),
    (lambda: init.gaussian(4, 0), "m"),
    (lambda: init.gaussian(4, gain=-1.0), "gain"),
    (lambda: init.gaussian(4, gain=np.nan), "gain"),
    (lambda: init.gaussian(4, gain=1e7), "gain"),
    (lambda: init.gaussian(4, seed=-1), "seed"),
    (lambda: init.glorot_normal(0, 3), "fan_out"),
    (lambda: init.glorot_normal(3, 0), "fan_in"),
    (lambda: init.glorot_uniform(0, 3), "fan_out"),
    (lambda: init.glorot_uniform(3, 0), "fan_in"),
    (lambda: init.he_normal(3, 0), "fan_in"),
    (lambda: init.he_normal(3, 2, seed=-2), "seed"),
    (lambda: init.orthogonal(0), "n"),
    (lambda: init.orthogonal(20_000), "n"),
    (lambda: init.orthogonal(3, gain=-0.1), "gain"),
    (lambda: init.identity(0), "n"),
    (lambda: init.identity(3, gain=np.inf), "gain"),
    (lambda: init.eigen(0), "n"),
    (lambda: init.eigen(20_000), "n"),
    (lambda: init.eigen(4, -0.5), "radius"),
    (lambda: init.eigen(4, np.nan), "radius"),
    (lambda: init.chrono_biases(0, 10.0), "n"),
    (lambda: init.chrono_biases(5, 2.0), "t_max"),
    (lambda: init.chrono_biases(5, 1e7), "t_max"),
    (lambda: init.chrono_biases(5, 10.0, arch="rnn"), "arch"),
    (lambda: init.chrono_biases(5, 10.0, arch="transformer"), "arch"),
    (lambda: init.critical_gain("cnn"), "arch"),
    (lambda: init.critical_gain("gru", sigma_b=-1.0), "sigma_b"),
    (lambda: init.critical_gain("gru", bias="chrono"), "t_max"),
    (lambda: init.critical_gain("gru", bias="xavier"), "bias"),
    (lambda: init.gaussian(4, dtype=np.int64), "dtype"),
    (lambda: init.gate_biases("rnn", 4, sigma_b=0.5), "sigma_b"),
    (lambda: init.gate_biases("gru", 4, sigma_b=31.0), "sigma_b"),
    (lambda: init.recurrent("xavier", 4), "name"),
    (lambda: init.recurrent("eigen", 0), "n"),
    (lambda: init.recurrent("rescaled_glorot", 1), "n"),
    (lambda: init.pytorch_state("cnn", 4, 2), "arch"),
    (lambda: init.pytorch_state("lstm", 0, 2), "hidden"),
    (lambda: init.pytorch_state("lstm", 4, 0), "input"),
    (lambda: init.pytorch_state("lstm", 4, 2, gain=-1.0), "gain"),
    (lambda: init.pytorch_state("lstm", 4, 2, sigma_b=-1.0), "sigma_b"),
    (lambda: init.pytorch_state("gru", 4, 2, bias="chrono"), "t_max"),
])
def test_value_errors_name_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()


@pytest.mark.parametrize("call, name", [
    (lambda: init.gaussian(4.0), "n"),
    (lambda: init.gaussian(True), "n"),
    (lambda: init.orthogonal("3"), "n"),
    (lambda: init.eigen(4, "big"), "radius"),
    (lambda: init.glorot_normal(3, 2.5), "fan_in"),
])
def test_type_errors_name_the_parameter(call, name):
    with pytest.raises(TypeError, match=rf"\b{name}\b"):
        call()


def test_value_error_states_the_range():
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, 10000\]"):
        init.eigen(0)
    with pytest.raises(ValueError, match=r"radius must be >= 0"):
        init.eigen(3, -1.0)


# --- recurrent matrices by name, and make_network(recurrent=...) ---

@pytest.mark.parametrize("name, radius", [("gaussian", 1.0), ("glorot_normal", 1.0), ("glorot_uniform", 1.0),
                                          ("he_normal", np.sqrt(2.0)), ("orthogonal", 1.0), ("identity", 1.0),
                                          ("eigen", 0.95)])
def test_recurrent_spectral_radius(name, radius):
    """Circular law (radius sqrt(n var)) for the i.i.d. ones, exact for the others; 10% at n = 400."""
    W = init.recurrent(name, 400, seed=1)
    rho = np.abs(eigenvalues(W)).max()
    tol = 0.1 if name in ("gaussian", "glorot_normal", "glorot_uniform", "he_normal") else 1e-12
    assert rho == pytest.approx(radius, abs=tol)


def test_recurrent_rescaled_glorot_is_below_one_mostly():
    rho = [np.abs(eigenvalues(init.recurrent("rescaled_glorot", 200, seed=s))).max() for s in range(20)]
    assert 0.7 < np.mean(rho) < 1.0
    assert np.mean(np.array(rho) < 1.0) >= 0.6  # the paper's p ~ 0.86 (20 draws)


def test_make_network_takes_its_draws_from_init():
    from criticality import models

    net = models.make_network("lstm", 30, sigma_b=0.5, n_inputs=2, input_scale=0.3, seed=4)
    rng = np.random.default_rng(4)
    for k in models.MATRICES["lstm"]:
        np.testing.assert_array_equal(net.U[k], init.gaussian(30, seed=rng))
    b = init.gate_biases("lstm", 30, sigma_b=0.5, seed=rng)
    for k in b:
        np.testing.assert_array_equal(net.biases[k], b[k])
    for k in models.MATRICES["lstm"]:
        np.testing.assert_array_equal(net.W[k], init.gaussian(30, 2, gain=0.3, seed=rng))
    orth = models.make_network("gru", 20, recurrent="orthogonal", seed=1)
    for k in ("z", "r", "h"):
        np.testing.assert_allclose(orth.U[k].T @ orth.U[k], np.eye(20), atol=1e-13)
    ident = models.make_network("rnn", 5, recurrent={"h": np.eye(5)})
    np.testing.assert_array_equal(ident.U["h"], np.eye(5))
    call = models.make_network("rnn", 6, recurrent=lambda n, rng: init.eigen(n, 0.5, seed=rng), seed=2)
    np.testing.assert_allclose(np.abs(eigenvalues(call.U["h"])), 0.5, atol=1e-13)


@pytest.mark.parametrize("recurrent, err, name", [
    ("xavier", ValueError, "recurrent"),
    ({"h": np.eye(4)}, ValueError, "recurrent"),  # a GRU needs z, r and h
    ({"z": np.eye(3), "r": np.eye(3), "h": np.eye(3)}, ValueError, "recurrent"),
    ({"z": np.eye(4), "r": np.eye(4), "h": np.full((4, 4), np.nan)}, ValueError, "recurrent"),
    (3.0, TypeError, "recurrent"),
])
def test_make_network_recurrent_errors(recurrent, err, name):
    from criticality import models

    with pytest.raises(err, match=name):
        models.make_network("gru", 4, recurrent=recurrent)


def test_ginibre_and_bias_vector_are_the_historical_draws():
    from criticality import glorot

    np.testing.assert_array_equal(init.ginibre(50, seed=3), init.gaussian(50, seed=3))
    rng = np.random.default_rng(4)
    z = (rng.standard_normal((2, 30, 30)) + 1j * rng.standard_normal((2, 30, 30))) / np.sqrt(60)
    np.testing.assert_array_equal(init.ginibre(30, complex_=True, samples=2, seed=4), z)
    np.testing.assert_array_equal(glorot.glorot(30, True, 4, 2), z)
    a = init.ginibre(2000, complex_=True, seed=5)
    assert np.mean(np.abs(a) ** 2) * 2000 == pytest.approx(1.0, rel=0.01)  # E|W_ij|^2 = 1/n
    b = init.bias_vector(60_000, sigma_b=0.3, seed=6)
    np.testing.assert_array_equal(b, 0.3 * np.random.default_rng(6).standard_normal(60_000))
    assert np.std(b) == pytest.approx(0.3, rel=0.01)
    with pytest.raises(ValueError, match="sigma_b"):
        init.bias_vector(3, sigma_b=-1.0)
    with pytest.raises(TypeError, match="complex_"):
        init.ginibre(3, complex_="yes")
