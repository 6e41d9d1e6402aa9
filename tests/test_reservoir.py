"""Tests of criticality.reservoir: batched driving, the eigendecomposition ridge readout, forecasting, the delay
recall of a linear reservoir."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from criticality import reservoir as rc
from criticality.glorot import glorot
from criticality.models import make_network


def logistic(T, x0=0.3, r=3.9):
    x = np.empty(T)
    x[0] = x0
    for t in range(T - 1):
        x[t + 1] = r * x[t] * (1.0 - x[t])
    return x


def sine(T, omega=0.2):
    return np.sin(omega * np.arange(T))


def direct(X, y, r, intercept=True):
    """Reference ridge fit by np.linalg.solve: (coef (n, k), intercept (k,), train MSE)."""
    xbar, ybar = (X.mean(0), y.mean(0)) if intercept else (np.zeros(X.shape[1]), np.zeros(y.shape[1]))
    Xc, yc = X - xbar, y - ybar
    G = Xc.T @ Xc
    alpha = r * np.trace(G) / X.shape[1]
    beta = np.linalg.solve(G + alpha * np.eye(X.shape[1]), Xc.T @ yc)
    c = ybar - xbar @ beta
    return beta, c, np.mean((X @ beta + c - y) ** 2)


def rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


# Setting shared by the readout tests: an RNN of 40 units at three gains reading the logistic map.
N, GAINS, RIDGES = 40, np.array([0.5, 1.0, 1.4]), np.logspace(-7, 0, 8)
WASH, TRAIN, VAL, TEST = 50, 400, 150, 150


@pytest.fixture(scope="module")
def setting():
    net = make_network("rnn", N, n_inputs=1, input_scale=0.8, seed=3)
    u = logistic(WASH + TRAIN + VAL + TEST + 1)
    X = rc.drive(net, GAINS, u[:-1])  # row t: state after reading u[t]; target u[t + 1]
    return net, u, X, u[1:, None]


@pytest.mark.parametrize("intercept", [True, False])
def test_readout_matches_direct_solve(setting, intercept):
    _, _, X, Y = setting
    Xtr, Ytr = X[WASH:WASH + TRAIN], Y[WASH:WASH + TRAIN]
    fit = rc.fit_ridge(Xtr, Ytr, RIDGES, intercept=intercept, chunk=37)  # chunks that do not divide the rows
    assert fit.coef.shape == (GAINS.size, RIDGES.size, N, 1)
    strict = 0
    for b in range(GAINS.size):
        Xc = Xtr[:, b] - intercept * Xtr[:, b].mean(0)
        w = np.linalg.eigvalsh(Xc.T @ Xc)
        for j, r in enumerate(RIDGES):
            beta, c, mse = direct(Xtr[:, b], Ytr, r, intercept)
            # both solutions are backward stable: they agree to 1e-10 where cond(G + alpha I) <= 1e5 and
            # to a few eps * cond beyond (at the smallest ridges, cond reaches 3e8 here)
            alpha = r * w.sum() / N
            cond = (w[-1] + alpha) / (w[0] + alpha)
            tol = max(1e-10, 1e-15 * cond)
            strict += tol == 1e-10
            assert rel(fit.coef[b, j], beta) < tol, (b, r, cond)
            assert abs(fit.intercept[b, j, 0] - c[0]) < tol * max(1.0, abs(c[0])), (b, r)
            assert abs(fit.train_mse[b, j, 0] - mse) < max(1e-10, 1e-15 * cond) * mse, (b, r)  # from the sums
            assert np.isclose(fit.alpha[b, j], r * np.trace((Xtr[:, b] - intercept * Xtr[:, b].mean(0)).T
                                                          @ (Xtr[:, b] - intercept * Xtr[:, b].mean(0))) / N)
    assert strict >= RIDGES.size * GAINS.size // 2
    # predictions of every ridge and of one chosen per gain
    Xte = X[-TEST:]
    P = fit.predict(Xte)
    assert P.shape == (TEST, GAINS.size, RIDGES.size, 1)
    beta, c, _ = direct(Xtr[:, 2], Ytr, RIDGES[4], intercept)
    assert rel(P[:, 2, 4], Xte[:, 2] @ beta + c) < 1e-10
    chosen = fit.predict(Xte, index=np.array([0, 4, 7]))
    assert chosen.shape == (TEST, GAINS.size, 1)
    np.testing.assert_allclose(chosen[:, 1], P[:, 1, 4], rtol=1e-13)
    np.testing.assert_allclose(chosen[:, 2], P[:, 2, 7], rtol=1e-13)


def test_readout_is_shift_invariant_with_intercept(setting):
    """With an intercept a constant offset of the features changes only the intercept (the first
    chunk's mean is subtracted before accumulating, so no precision is lost)."""
    _, _, X, Y = setting
    a = rc.fit_ridge(X[:300], Y[:300], RIDGES[2:])
    b = rc.fit_ridge(X[:300] + 1e4, Y[:300], RIDGES[2:])
    assert rel(b.coef, a.coef) < 1e-7
    assert rel(b.predict(X[300:] + 1e4), a.predict(X[300:])) < 1e-9


def test_chosen_ridge_minimises_validation_mse(setting):
    net, u, X, Y = setting
    res = rc.evaluate(net, GAINS, u, washout=WASH, train=TRAIN, validation=VAL, test=TEST, ridges=RIDGES,
                      predictions=True, chunk=64)
    tr, va, te = (slice(WASH, WASH + TRAIN), slice(WASH + TRAIN, WASH + TRAIN + VAL),
                  slice(WASH + TRAIN + VAL, WASH + TRAIN + VAL + TEST))
    assert res.segments == {"train": (tr.start, tr.stop), "validation": (va.start, va.stop),
                            "test": (te.start, te.stop)}
    for b in range(GAINS.size):
        fits = [direct(X[tr, b], Y[tr], r) for r in RIDGES]
        val = np.array([np.mean((X[va, b] @ beta + c - Y[va]) ** 2) for beta, c, _ in fits])
        j = int(np.argmin(val))
        assert np.sort(val)[1] > val[j] * (1 + 1e-6)  # a clear minimum, so the test can fail
        assert res.ridge_index[b] == j and res.ridge[b] == RIDGES[j]
        # agreement to 1e-10, or a few eps * cond(G + alpha I) where that is larger (see above)
        Xc = X[tr, b] - X[tr, b].mean(0)
        w = np.linalg.eigvalsh(Xc.T @ Xc)
        tol = [max(1e-10, 1e-15 * (w[-1] + a) / (w[0] + a)) for a in RIDGES * w.sum() / N]
        assert np.all(np.abs(res.validation_mse_grid[b] - val) < np.array(tol) * val)
        beta, c, train_mse = fits[j]
        pred = X[te, b] @ beta + c
        assert rel(res.predictions["test"][:, b], pred[:, 0]) < tol[j]
        assert res.test_mse[b] == pytest.approx(np.mean((pred - Y[te]) ** 2), rel=tol[j])
        assert res.train_mse[b] == pytest.approx(train_mse, rel=tol[j])
        assert res.alpha[b] == pytest.approx(RIDGES[j] * w.sum() / N, rel=1e-12)
        assert res.test_nrmse[b] == pytest.approx(np.sqrt(res.test_mse[b]) / np.std(Y[te]), rel=1e-12)
        assert res.validation_nrmse[b] == pytest.approx(np.sqrt(val[j]) / np.std(Y[va]), rel=tol[j])
    assert np.array_equal(res.targets["test"], u[te.start + 1:te.stop + 1])
    np.testing.assert_allclose(res.readout.mse(X[va], u[va.start + 1:va.stop + 1]), res.validation_mse_grid,
                               rtol=1e-12)
    np.testing.assert_allclose(res.predictions["validation"],
                               res.readout.predict(X[va], index=res.ridge_index), rtol=1e-13)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_gain_independent_of_the_batch(arch):
    net = make_network(arch, 30, n_inputs=1, input_scale=0.5, sigma_b=0.0 if arch == "rnn" else 0.3, seed=1)
    u = logistic(700)
    gains = np.array([0.3, 0.8, 1.1])
    kw = dict(washout=50, train=400, validation=100, test=100, ridges=np.logspace(-6, 0, 7))
    full = rc.evaluate(net, gains, u, **kw)
    rev = rc.evaluate(net, gains[::-1], u, **kw)
    for b, g in enumerate(gains):
        for other, k in ((rc.evaluate(net, [g], u, **kw), 0), (rev, gains.size - 1 - b)):
            assert other.ridge_index[k] == full.ridge_index[b]
            for name in ("train_mse", "validation_mse", "test_mse"):
                assert getattr(other, name)[k] == pytest.approx(getattr(full, name)[b], rel=1e-10), (g, name)
            assert rel(other.validation_mse_grid[k], full.validation_mse_grid[b]) < 1e-10


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_drive_matches_a_loop_of_steps(arch):
    net = make_network(arch, 20, n_inputs=2, input_scale=1.2, sigma_b=0.0 if arch == "rnn" else 0.5, seed=2)
    g = np.array([0.5, 1.5, 3.0])
    x = np.random.default_rng(0).standard_normal((60, 2))
    s0 = net.random_state(3, scale=0.5, seed=1)
    feats, last = rc.drive(net, g, x, washout=7, state=s0, return_state=True)
    s, rows = s0, []
    for t in range(60):
        s = net.step(s, g, x[t])
        rows.append(s[-20:].T.copy())  # LSTM: the hidden rows h, not c
    assert feats.shape == (53, 3, 20)
    np.testing.assert_allclose(feats, np.stack(rows[7:]), rtol=0, atol=1e-14)
    np.testing.assert_allclose(last, s, rtol=0, atol=1e-14)
    # a 1-d state is used for every column; a scalar input series is (T,)
    one = make_network(arch, 20, n_inputs=1, seed=2)
    a = rc.drive(one, g, x[:, 0], state=s0[:, 0])
    b = rc.drive(one, g, x[:, :1], state=np.repeat(s0[:, :1], 3, axis=1))
    assert np.array_equal(a, b)


def test_linear_reservoir_solves_easy_tasks_and_not_noise():
    net = make_network("rnn", 50, n_inputs=1, input_scale=0.1, seed=4)  # small input: nearly linear
    rng = np.random.default_rng(5)
    # a delayed copy of an i.i.d. input: a (nearly) linear fading memory recalls it
    u = rng.standard_normal(1301)
    X = rc.drive(net, 0.5, u[:1300], washout=100)
    y = u[100 - 3:1300 - 3]  # u(t - 3) for the states t = 100 .. 1299
    fit = rc.fit_ridge(X[:800], y[:800], [1e-8])
    err = fit.predict(X[800:], index=0)[:, 0] - y[800:]
    assert np.sqrt(np.mean(err**2)) / np.std(y[800:]) < 1e-2
    # one-step forecast of a sine, and of independent noise
    kw = dict(washout=100, train=800, validation=200, test=200)
    assert rc.evaluate(net, [0.5, 0.9], sine(1301), **kw).test_nrmse.max() < 1e-3
    noise = rc.evaluate(net, [0.5, 0.9], u, **kw)
    assert np.all((noise.test_nrmse > 0.95) & (noise.test_nrmse < 1.1))


def test_peer_reservoirpy_same_states_and_predictions():
    rpy = pytest.importorskip("reservoirpy")
    from reservoirpy.nodes import Reservoir, Ridge

    assert rpy.__version__.startswith("0.4")  # Reservoir: x[t+1] = (1-lr) x[t] + lr f(W x[t] + Win u[t+1] + bias)
    net = make_network("rnn", 60, n_inputs=1, input_scale=0.8, seed=6)
    g = np.array([0.5, 0.9, 1.1])
    u = logistic(801)
    wash, train, val, test = 100, 400, 150, 150
    res = rc.evaluate(net, g, u, washout=wash, train=train, validation=val, test=test, ridges=[1e-4],
                      predictions=True)
    ours = rc.drive(net, g, u[:-1])
    for b, gb in enumerate(g):
        node = Reservoir(W=gb * net.U["h"], Win=net.W["h"], bias=0.0, lr=1.0, activation="tanh")
        states = node.run(u[:-1, None])
        np.testing.assert_allclose(states, ours[:, b], rtol=0, atol=1e-8)
        readout = Ridge(ridge=float(res.alpha[b]))  # reservoirpy's ridge is absolute, fitted with intercept
        readout.fit(states[wash:wash + train], u[wash + 1:wash + train + 1, None])
        pred = readout.run(states[wash + train + val:wash + train + val + test])[:, 0]
        np.testing.assert_allclose(res.predictions["test"][:, b], pred, rtol=0,
                                   atol=1e-8 * np.max(np.abs(pred)))


def test_delay_recall_memoryless_reservoir():
    """W = 0, no noise: h_t = w u_t, so the readout recovers u_t exactly (R^2(0) = 1) and nothing older
    (R^2(1) ~ chi^2/200); a stack gives each matrix the result it gets alone (shared inputs and noise)."""
    n = 40
    zero = np.zeros((1, n, n))
    r2, blew, peak = rc.delay_recall(zero, [0, 1], noise=0.0, train=400, test=200, seed=0)
    assert r2.shape == (1, 2) and not blew[0] and np.isfinite(peak[0])
    assert r2[0, 0] > 1 - 1e-12 and r2[0, 1] < 0.05
    W = glorot(n, seed=1) / 2
    r2_stack, _, _ = rc.delay_recall(np.stack([zero[0], W]), [0, 1], noise=0.0, train=400, test=200, seed=0)
    np.testing.assert_allclose(r2_stack[0], r2[0], rtol=1e-10)


def test_delay_recall_flags_a_blow_up():
    """Spectral radius 1.5: the state grows past blowup x its first norm -> flagged, R^2 NaN, no warnings."""
    W = glorot(40, seed=1)
    big = (1.5 * W / np.abs(np.linalg.eigvals(W)).max())[None]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r2, blew, peak = rc.delay_recall(big, [1, 2], train=400, test=200, seed=0)
    assert blew[0] and np.all(np.isnan(r2[0])) and peak[0] > 1e8


def test_delay_recall_decays_for_a_contracting_matrix():
    """glorot(100)/2 (radius ~0.5) with noise 0.01: near-perfect recall one step back, none 200 steps back,
    decreasing in between."""
    W = (glorot(100, seed=1) / 2)[None]
    delays = [0, 1, 5, 10, 20, 200]
    r2, blew, _ = rc.delay_recall(W, delays, noise=0.01, seed=0)
    assert not blew[0]
    assert r2[0, 1] > 0.9 and r2[0, -1] < 0.1
    assert np.all(np.diff(r2[0, :5]) < 0)


def test_delay_recall_validation():
    zero = np.zeros((1, 4, 4))
    with pytest.raises(TypeError, match="real matrices"):
        rc.delay_recall(glorot(4, True, seed=0), [1])
    for bad in ([-1], [1.5], [[1, 2]]):
        with pytest.raises(ValueError, match="delays must be a 1-d array of integers >= 0"):
            rc.delay_recall(zero, bad)
    with pytest.raises(ValueError, match="train must be an integer in \\[1,"):
        rc.delay_recall(zero, [1], train=0)
    with pytest.raises(ValueError, match="blowup must be > 1"):
        rc.delay_recall(zero, [1], blowup=1.0)


@pytest.mark.parametrize("call, name", [
    (lambda net, u: rc.evaluate(net, 1.0, u[:100], washout=10, train=50, validation=20, test=20), "series"),
    (lambda net, u: rc.evaluate(net, 1.0, u, horizon=0, washout=10, train=50, validation=20, test=20), "horizon"),
    (lambda net, u: rc.evaluate(net, 1.0, u, washout=-1, train=50, validation=20, test=20), "washout"),
    (lambda net, u: rc.evaluate(net, 1.0, u, washout=10, train=0, validation=20, test=20), "train"),
    (lambda net, u: rc.evaluate(net, 1.0, u, washout=10, train=50, validation=0, test=20), "validation"),
    (lambda net, u: rc.evaluate(net, 1.0, u, washout=10, train=50, validation=20, test=0), "test"),
    (lambda net, u: rc.evaluate(net, 1.0, u, washout=10, train=50, validation=20, test=20, ridges=[1e-3, -1.0]),
     "ridges"),
    (lambda net, u: rc.evaluate(net, 1.0, u, washout=10, train=50, validation=20, test=20, ridges=[]), "ridges"),
    (lambda net, u: rc.evaluate(net, 1.0, u[:, None, None], washout=10, train=50, validation=20, test=20),
     "series"),
    (lambda net, u: rc.evaluate(net, 1.0, np.stack([u, u], 1), washout=10, train=50, validation=20, test=20),
     "series"),
    (lambda net, u: rc.evaluate(net, 1.0, np.where(np.arange(u.size) == 5, np.nan, u), washout=10, train=50,
                                validation=20, test=20), "series"),
    (lambda net, u: rc.evaluate(net, 1.0, np.ones_like(u), washout=10, train=50, validation=20, test=20),
     "series"),
    (lambda net, u: rc.evaluate(net, -1.0, u, washout=10, train=50, validation=20, test=20), "g"),
    (lambda net, u: rc.evaluate(net, [1.0, 2.0], u, washout=10, train=50, validation=20, test=20,
                                state=np.zeros((8, 3))), "state"),
    (lambda net, u: rc.evaluate(make_network("rnn", 8, seed=0), 1.0, u, washout=10, train=50, validation=20,
                                test=20), "net"),
    (lambda net, u: rc.drive(net, 1.0, u, washout=u.size), "washout"),
    (lambda net, u: rc.drive(net, 1.0, u[:0]), "inputs"),
    (lambda net, u: rc.drive(net, 1.0, np.ones((5, 2))), "inputs"),
    (lambda net, u: rc.drive(net, 1.0, u, state=np.zeros(7)), "state"),
    (lambda net, u: rc.fit_ridge(np.ones((10, 2, 3)), np.ones(9)), "targets"),
    (lambda net, u: rc.fit_ridge(np.ones((10, 2, 3)), np.ones((10, 3, 1))), "targets"),
    (lambda net, u: rc.fit_ridge(np.ones(10), np.ones(10)), "features"),
    (lambda net, u: rc.fit_ridge(np.ones((10, 3)), np.ones(10), chunk=0), "chunk"),
    (lambda net, u: rc.fit_ridge(np.ones((10, 3)), np.ones(10)).predict(np.ones((4, 2))), "features"),
    (lambda net, u: rc.fit_ridge(np.ones((10, 3)), np.ones(10), [1.0, 2.0]).predict(np.ones((4, 3)), index=2),
     "index"),
    (lambda net, u: rc.delay_recall(np.full((1, 3, 3), np.inf), [1]), "W must be finite"),
])
def test_bad_arguments_name_the_parameter(call, name):
    net = make_network("rnn", 8, n_inputs=1, seed=0)
    with pytest.raises(ValueError, match=name):
        call(net, sine(120))


def test_type_errors():
    net = make_network("rnn", 8, n_inputs=1, seed=0)
    with pytest.raises(TypeError, match="net"):
        rc.drive("rnn", 1.0, sine(10))
    with pytest.raises(TypeError, match="series"):
        rc.evaluate(net, 1.0, "abc", washout=1, train=2, validation=2, test=2)
    with pytest.raises(TypeError, match="intercept"):
        rc.fit_ridge(np.ones((10, 3)), np.ones(10), intercept=1)


# -- the sweep task and the optimum ----------------------------------------------------------------
def test_sample_forecast_is_evaluate_on_the_seeded_network():
    u = logistic(400)
    g = np.array([0.5, 1.5, 3.0])
    kw = dict(washout=20, train=200, validation=80, test=80)
    out = rc.sample_forecast("lstm", 12, g, series=u, input_scale=0.3, sigma_b=0.5, seed=5, **kw)
    assert tuple(out) == rc.FORECAST_OUTPUTS
    net = make_network("lstm", 12, sigma_b=0.5, n_inputs=1, input_scale=0.3, seed=np.random.default_rng(5))
    r = rc.evaluate(net, g, u, **kw)
    for name in ("train_mse", "validation_mse", "test_mse", "test_nrmse"):
        np.testing.assert_array_equal(out[name], getattr(r, name))
    np.testing.assert_array_equal(out["train_mse_least"], r.train_mse_grid[:, np.argmin(r.ridges)])
    assert np.all(out["train_mse_least"] <= out["train_mse"] * (1 + 1e-9))  # the weakest ridge fits best
    other = rc.sample_forecast("lstm", 12, g, series=u, input_scale=0.3, sigma_b=0.5, seed=6, **kw)
    assert not np.allclose(other["test_mse"], out["test_mse"])  # the seed draws the reservoir


def test_sample_forecast_in_float32_is_the_same_reservoir_to_single_precision():
    """dtype=float32 draws the same reservoir and runs it in single precision: where it is contracting
    (g well below g_c = 2) the errors agree to a few parts in 1e3, not to float64 rounding; the
    states, not the readout, are single precision. A wrong dtype names the parameter."""
    u = logistic(700)
    g = np.array([0.5, 1.0, 1.5])
    kw = dict(series=u, washout=50, train=400, validation=120, test=120, input_scale=0.1, seed=5)
    f64 = rc.sample_forecast("lstm", 40, g, **kw)
    f32 = rc.sample_forecast("lstm", 40, g, dtype=np.float32, **kw)
    for name in rc.FORECAST_OUTPUTS:
        rel = np.abs(np.log(f32[name] / f64[name]))
        assert np.all(rel < 5e-3) and np.any(rel > 1e-12), (name, rel)
    with pytest.raises(ValueError, match="dtype"):
        rc.sample_forecast("lstm", 40, g, dtype=np.float16, **kw)


def test_optimal_gain_finds_the_vertex_on_a_non_uniform_grid():
    g = np.array([0.5, 1.0, 1.5, 1.6, 1.75, 1.8, 2.0, 2.5, 3.5])
    for g0 in (1.55, 1.73, 1.9):
        e = np.exp(4.0 * (g - g0) ** 2 - 3.0)  # log-error exactly quadratic: the parabola is exact
        assert abs(rc.optimal_gain(g, e) - g0) < 1e-9
    grid_min = rc.optimal_gain(g, np.exp(np.abs(g - 1.73)))  # a kink: the vertex stays between neighbours
    assert 1.6 <= grid_min <= 1.8


def test_optimal_gain_edges_rows_and_nan():
    g = np.linspace(0.0, 2.0, 5)
    rows = np.array([np.exp(-g), np.exp(g), [1.0, 2.0, np.nan, 0.4, 2.0], [1, 0.5, 0.0, 0.5, 1]])
    out = rc.optimal_gain(g, rows)
    assert out.shape == (4,)
    assert out[0] == 2.0 and out[1] == 0.0  # a minimum at the end of the grid is that end
    assert np.isnan(out[2])  # a non-finite error next to the minimum
    assert np.isnan(out[3])  # a zero error has no log: documented as NaN
    stacked = rc.optimal_gain(g, np.stack([rows[:2], rows[:2]]))
    assert stacked.shape == (2, 2) and np.array_equal(stacked[1], out[:2])


def test_optimal_gain_names_bad_arguments():
    with pytest.raises(ValueError, match="g must be an increasing grid"):
        rc.optimal_gain([1.0, 0.5, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="g must be an increasing grid"):
        rc.optimal_gain([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="errors must have the grid's 3 gains"):
        rc.optimal_gain([1.0, 2.0, 3.0], np.ones((2, 4)))


def test_tridiagonal_and_eigen_paths_agree():
    """Positive ridges are solved from one tridiagonal reduction per gain, a ridge of 0 from the
    eigendecomposition: the same problems give the same readouts, errors and eigenvalues either way."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 3, 40)) @ rng.standard_normal((40, 40))  # correlated features
    y = np.tanh(X[:, 0, :3].sum(axis=1)) + 0.1 * rng.standard_normal(300)
    tri = rc.fit_ridge(X, y, [1e-6, 1e-3, 1e-1])
    eig = rc.fit_ridge(X, y, [0.0, 1e-6, 1e-3, 1e-1])  # the 0 sends every ridge through eigh
    np.testing.assert_allclose(tri.coef, eig.coef[:, 1:], rtol=1e-7, atol=1e-10 * np.abs(eig.coef).max())
    np.testing.assert_allclose(tri.intercept, eig.intercept[:, 1:], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(tri.train_mse, eig.train_mse[:, 1:], rtol=1e-7)
    np.testing.assert_allclose(tri.eigenvalues, eig.eigenvalues, rtol=1e-9, atol=1e-9 * eig.eigenvalues.max())
    for b in range(3):  # and both match a direct solve
        beta, c, mse = direct(X[:, b], y[:, None], 1e-3)
        assert rel(tri.coef[b, 1], beta) < 1e-8 and abs(tri.train_mse[b, 1, 0] - mse) < 1e-9 * mse
