"""criticality.datasets: the Mackey-Glass map against a hand recursion, the Mackey-Glass delay equation
against an independent solution (scipy's DOP853 by the method of steps, rtol 1e-12) with its observed
order of convergence, the Hopf bifurcation of the equilibrium, the tau = 17 attractor, the logistic map,
and argument checks.

reservoirpy's ``mackey_glass`` (>= 0.4.1) is deliberately not used as a reference: its RK4 stages are
wrong and its delay term is not scaled by the step.
"""

import functools
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from criticality import datasets as ds

BETA, GAMMA, P, TAU, HISTORY = 0.2, 0.1, 10.0, 17, 1.2
T_REF = 60  # horizon of the reference solution (well within the chaotic divergence time)


def reference_solution(t_end, tau=TAU, beta=BETA, gamma=GAMMA, p=P, history=HISTORY, rtol=1e-12, atol=1e-14):
    """The delay equation by the method of steps: on [k tau, (k+1) tau] it is an ODE whose delayed term
    is the previous interval's dense output (the history on the first), solved by DOP853. Returns a
    function of t. Accurate to ~3e-12 up to t = 100 (against rtol 1e-13)."""
    pieces = []
    delayed = lambda s: history  # noqa: E731
    t0, u0 = 0.0, history
    while t0 < t_end:
        t1 = min(t0 + tau, t_end)

        def rhs(t, u, d=delayed):
            x = d(t - tau)
            return beta * x / (1.0 + x ** p) - gamma * u

        sol = solve_ivp(rhs, (t0, t1), [u0], method="DOP853", rtol=rtol, atol=atol, dense_output=True)
        assert sol.success
        pieces.append((t0, t1, sol.sol))
        delayed = lambda s, f=sol.sol: float(f(s)[0])  # noqa: E731
        t0, u0 = t1, float(sol.y[0, -1])

    def u(t):
        if t <= 0:
            return history
        for a, b, f in pieces:
            if a <= t <= b:
                return float(f(t)[0])
        raise ValueError(f"t={t} beyond the reference horizon {t_end}")

    return u


@pytest.fixture(scope="module")
def reference():
    u = reference_solution(T_REF)
    return np.array([u(t) for t in range(T_REF + 1)])


def hand_map(steps, beta=BETA, gamma=GAMMA, p=P, tau=TAU, history=HISTORY):
    u = [history] * (tau + 1)  # u(-tau), ..., u(0)
    for _ in range(steps):
        x = u[-1 - tau]
        u.append((1 - gamma) * u[-1] + beta * x / (1 + x ** p))
    return np.array(u[tau:])


# ---- discrete map --------------------------------------------------------------------------------------

def test_discrete_map_is_the_hand_recursion():
    np.testing.assert_allclose(ds.mackey_glass(60), hand_map(59), rtol=1e-14, atol=0)
    np.testing.assert_allclose(ds.mackey_glass(40, tau=3, p=7.5, beta=0.3, gamma=0.2, history=0.7),
                               hand_map(39, tau=3, p=7.5, beta=0.3, gamma=0.2, history=0.7), rtol=1e-14, atol=0)
    # the first tau steps see the constant history: u(t) = u* + (1.2 - u*) 0.9^t with u* = beta g(1.2) / gamma
    star = BETA * HISTORY / (1 + HISTORY ** P) / GAMMA
    t = np.arange(TAU + 2)
    np.testing.assert_allclose(ds.mackey_glass(TAU + 2), star + (HISTORY - star) * (1 - GAMMA) ** t, rtol=1e-13)


def test_discrete_map_is_bounded_and_aperiodic():
    u = ds.mackey_glass(4000)
    assert np.all((u > 0) & (u < 1.5))
    w = u[1000:]
    # a periodic orbit of period P <= 500 would repeat to rounding; the closest lag differs by > 0.05
    closest = min(np.abs(w[lag:lag + 2000] - w[:2000]).max() for lag in range(1, 501))
    assert closest > 0.05


def test_transient_discards_the_first_samples():
    for kind in ("discrete", "continuous"):
        np.testing.assert_array_equal(ds.mackey_glass(50, kind, transient=30), ds.mackey_glass(80, kind)[30:])


def test_sliding_window_gives_the_same_series(monkeypatch):
    """Only the last tau (map) or 2 tau / dt (RK4) grid values are kept: with the smallest window, shifted
    every few blocks, the series is bitwise the one computed in a single array."""
    runs = [(400, "discrete", {}), (400, "continuous", {"dt": 0.25}), (60, "continuous", {"tau": 2.5, "dt": 0.5})]
    full = [ds.mackey_glass(n, kind, transient=7, **kw) for n, kind, kw in runs]
    monkeypatch.setattr(ds._Window, "__init__", functools.partialmethod(ds._Window.__init__, chunk=1))
    for (n, kind, kw), expected in zip(runs, full):
        np.testing.assert_array_equal(ds.mackey_glass(n, kind, transient=7, **kw), expected)


# ---- delay equation --------------------------------------------------------------------------------------

def test_continuous_first_delay_interval_is_rk4_of_the_linear_ode():
    """For t <= tau the delayed term is the constant f = beta g(1.2): u' = f - gamma u, whose RK4 step is
    u -> a u + b exactly; the exact solution differs by O(dt^4). A delay term not multiplied by the step
    fails this."""
    dt = 0.5
    f = BETA * HISTORY / (1 + HISTORY ** P)
    u = [HISTORY]
    for _ in range(int(TAU / dt)):
        x = u[-1]
        k1 = f - GAMMA * x
        k2 = f - GAMMA * (x + dt / 2 * k1)
        k3 = f - GAMMA * (x + dt / 2 * k2)
        k4 = f - GAMMA * (x + dt * k3)
        u.append(x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4))
    got = ds.mackey_glass(TAU + 1, "continuous", dt=dt)
    np.testing.assert_allclose(got, np.array(u)[::2], rtol=1e-14)
    t = np.arange(TAU + 1)
    exact = f / GAMMA + (HISTORY - f / GAMMA) * np.exp(-GAMMA * t)
    np.testing.assert_allclose(got, exact, rtol=0, atol=(GAMMA * dt) ** 4)


def test_continuous_order_of_convergence(reference):
    """Max error over t <= 60 at dt = 1/2 ... 1/16: the observed order is 4 (measured 4.003, 4.002, 3.999).
    A linear interpolation of the delayed midpoint (order 2), the delayed value held over the step (order 1)
    or an unscaled delay term fail."""
    dts = [1 / 2, 1 / 4, 1 / 8, 1 / 16]
    errors = [np.abs(ds.mackey_glass(T_REF + 1, "continuous", dt=dt) - reference).max() for dt in dts]
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert errors[0] < 1e-6, errors
    assert np.all(np.abs(orders - 4) < 0.5), (errors, orders)


@pytest.mark.parametrize("dt", [0.05, 0.04, 0.02, 0.01])
def test_continuous_matches_the_reference(reference, dt):
    """Measured: max error over t <= 50 of 2e-11 (dt = 0.05) to 3e-12 (the reference's own accuracy)."""
    u = ds.mackey_glass(51, "continuous", dt=dt)
    np.testing.assert_allclose(u, reference[:51], rtol=0, atol=1e-9)


def test_continuous_default_step_accuracy(reference):
    u = ds.mackey_glass(51, "continuous")  # measured max error 2.7e-10
    assert ds.DEFAULT_DT == 0.1
    np.testing.assert_allclose(u, reference[:51], rtol=0, atol=1e-8)


def test_non_integer_delay_and_noisy_history_keep_order_four():
    """Self-convergence where the reference is not independent: tau = 8.5 (grid breakpoints at multiples
    of tau) and a noisy piecewise-linear history (kinks at integer times). Successive differences shrink
    by 2^4."""
    for kwargs in ({"tau": 8.5, "beta": 0.25}, {"history_noise": 0.2, "seed": 3}):
        u = [ds.mackey_glass(41, "continuous", dt=dt, **kwargs) for dt in (1 / 2, 1 / 4, 1 / 8)]
        ratio = np.abs(u[0] - u[1]).max() / np.abs(u[1] - u[2]).max()
        assert abs(math.log2(ratio) - 4) < 0.5, (kwargs, ratio)


def test_equilibrium_and_hopf_bifurcation():
    """The equilibrium u* = (beta/gamma - 1)^(1/p) = 1 is stable for tau below the Hopf delay
    tau_c = arccos(-gamma/c)/sqrt(c^2 - gamma^2) ~ 4.71, c = -beta g'(u*) = 0.4, and unstable above."""
    c = -BETA * (1 + 1 - P) / 4  # beta g'(1), g'(1) = (1 - (p-1) u^p) / (1 + u^p)^2
    tau_c = math.acos(-GAMMA / c) / math.sqrt(c * c - GAMMA ** 2)
    assert 4.6 < tau_c < 4.8
    below = ds.mackey_glass(1500, "continuous", dt=0.25, tau=4)
    np.testing.assert_allclose(below[-100:], 1.0, atol=1e-6)
    above = ds.mackey_glass(1500, "continuous", dt=0.25, tau=5.5)
    assert np.ptp(above[-100:]) > 0.1


def test_tau17_attractor_statistics():
    """The chaotic tau = 17 attractor after a transient of 500: values within [0.2, 1.4] (measured
    0.42 .. 1.32), mean ~0.93 and standard deviation ~0.23, no period up to 300."""
    u = ds.mackey_glass(6000, "continuous", transient=500)
    assert 0.2 < u.min() and u.max() < 1.4
    assert 0.85 < u.mean() < 1.0 and 0.18 < u.std() < 0.28
    w = u[1000:]
    assert min(np.abs(w[lag:lag + 3000] - w[:3000]).max() for lag in range(1, 301)) > 0.05


def test_history_noise_and_seed():
    kw = {"n": 200, "kind": "continuous", "history_noise": 0.1}
    a, b, c = ds.mackey_glass(seed=1, **kw), ds.mackey_glass(seed=1, **kw), ds.mackey_glass(seed=2, **kw)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3
    assert abs(a[0] - HISTORY) <= 0.1
    # the same history values for both kinds with the same seed
    assert ds.mackey_glass(5, history_noise=0.1, seed=np.random.default_rng(1))[0] == a[0]
    # without noise the seed is not used
    np.testing.assert_array_equal(ds.mackey_glass(100, "continuous", seed=1), ds.mackey_glass(100, "continuous"))


def test_extreme_parameters_stay_finite():
    with np.errstate(divide="raise", over="raise", invalid="raise"):  # underflow is harmless
        for kind in ("discrete", "continuous"):
            u = ds.mackey_glass(50, kind, dt=1.0, p=1e6, beta=1e6, history=1e6, gamma=1.0, tau=3)
            assert np.all(np.isfinite(u)) and np.all(u >= 0)


# ---- argument checks -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, match", [
    ({"kind": "rk4"}, ValueError, "kind"),
    ({"n": 0}, ValueError, "n must"),
    ({"n": 2.5}, TypeError, "n must"),
    ({"transient": -1}, ValueError, "transient"),
    ({"kind": "continuous", "dt": 0.0}, ValueError, "dt"),
    ({"kind": "continuous", "dt": -0.1}, ValueError, "dt"),
    ({"kind": "continuous", "dt": 2.0}, ValueError, "dt"),
    ({"kind": "continuous", "dt": math.nan}, ValueError, "dt"),
    ({"kind": "continuous", "dt": 0.3}, ValueError, "dt must divide 1"),
    ({"kind": "continuous", "dt": 0.5, "tau": 17.3}, ValueError, "dt must divide tau"),
    ({"kind": "continuous", "dt": 1 / 3, "tau": 17.5}, ValueError, "dt must divide tau"),
    ({"kind": "continuous", "gamma": 20.0}, ValueError, "gamma"),
    ({"kind": "continuous", "tau": 0.0}, ValueError, "tau"),
    ({"kind": "continuous", "n": 10**8, "dt": 0.01}, ValueError, "n="),
    ({"tau": 17.5}, TypeError, "tau"),
    ({"tau": 0}, ValueError, "tau"),
    ({"gamma": 1.5}, ValueError, "gamma"),
    ({"beta": -0.2}, ValueError, "beta"),
    ({"p": 0.5}, ValueError, "p must"),
    ({"history": 0.0}, ValueError, "history"),
    ({"history_noise": 1.2}, ValueError, "history_noise"),
    ({"history_noise": -0.1}, ValueError, "history_noise"),
    ({"seed": "x"}, TypeError, "seed"),
])
def test_mackey_glass_rejects_bad_arguments(kwargs, exc, match):
    kwargs = {"n": 10, **kwargs}
    with pytest.raises(exc, match=match):
        ds.mackey_glass(**kwargs)


# ---- logistic map ----------------------------------------------------------------------------------------

def test_logistic_map_recursion_and_reproducibility():
    x = ds.logistic_map(100, r=3.7, x0=0.3)
    hand = [0.3]
    for _ in range(99):
        hand.append(3.7 * hand[-1] * (1 - hand[-1]))
    np.testing.assert_array_equal(x, hand)
    np.testing.assert_array_equal(ds.logistic_map(50, seed=7), ds.logistic_map(50, seed=7))
    assert not np.array_equal(ds.logistic_map(50, seed=7), ds.logistic_map(50, seed=8))
    np.testing.assert_array_equal(ds.logistic_map(20, x0=0.3, seed=1), ds.logistic_map(20, x0=0.3, seed=2))
    np.testing.assert_array_equal(ds.logistic_map(30, x0=0.3, transient=10), ds.logistic_map(40, x0=0.3)[10:])


def test_logistic_map_range_and_invariant_density():
    x = ds.logistic_map(20000, seed=0)  # r = 3.9: the orbit stays in [r^2 (4 - r) / 16, r / 4]
    assert x.min() >= 3.9 ** 2 * 0.1 / 16 - 1e-12 and x.max() <= 3.9 / 4
    y = ds.logistic_map(100000, r=4.0, seed=1)  # arcsine law: mean 1/2, variance 1/8
    assert np.all((y >= 0) & (y <= 1))
    assert abs(y.mean() - 0.5) < 0.01 and abs(y.var() - 0.125) < 0.005


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"r": 0.0}, ValueError, "r must"),
    ({"r": 4.5}, ValueError, "r must"),
    ({"x0": 0.0}, ValueError, "x0"),
    ({"x0": 1.0}, ValueError, "x0"),
    ({"x0": math.nan}, ValueError, "x0"),
    ({"n": 0}, ValueError, "n must"),
    ({"transient": -1}, ValueError, "transient"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_logistic_map_rejects_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ds.logistic_map(**{"n": 10, **kwargs})
