"""Property-based fuzzing of the public API's numeric arguments.

Every public function is called with small valid arguments, one of which is replaced by a value a
new user might pass by mistake: NaN, +-inf, negative, zero, huge, a boolean, a string, a complex
number, None, a wrong-shaped or empty array. Each call must, within a time limit, either

* return values that are finite (or, where the function documents it, +-inf; never NaN), or
* raise ``ValueError``/``TypeError`` whose message names the argument, or
* for a size argument only, raise ``MemoryError`` (a size too large to allocate).

Hypothesis draws the argument and the value (derandomised, so CI sees the same examples); the
edge values above are drawn first, then arbitrary floats and integers.
"""

from __future__ import annotations

import math
import signal
from contextlib import contextmanager

import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")

from criticality import criterion, datasets, init, dmft, gating, glorot, lyapunov, models, quadrature, reservoir, spectra, vanilla  # noqa: E402

TIME_LIMIT = 60  # seconds per call (a hang, not a slow call on a loaded machine)

EDGE_REALS = [math.nan, math.inf, -math.inf, -1.0, -1e300, 0.0, 1e300, 1e15, True, "1.0", None, 1 + 2j,
              np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([]), np.float32(2.0), [1.0, math.nan]]
EDGE_INTS = [-1, 0, 1, 10**12, 2.5, math.nan, math.inf, True, "3", None, np.int64(3), 1 + 2j]
EDGE_ARRAYS = [np.array([]), np.full((3, 3), np.nan), np.full((3, 3), np.inf), np.zeros((2, 3)),
               np.ones((3, 3, 3)), np.array(["a", "b"]), [[1, 2], [3]], None, 3.0, np.eye(3) * 1e300]

_rng = np.random.default_rng(0)
_W = glorot.glorot(6, seed=0)
_M, _L, _R = criterion.sampled_diagonals("gru", 16, sigma_b=0.5, seed=0)
_NET = models.make_network("gru", 6, seed=0)
_RNET = models.make_network("gru", 6, n_inputs=1, seed=0)
_X = datasets.logistic_map(60, r=3.9, x0=0.3)
_FEAT, _TARG = _rng.standard_normal((30, 2, 4)), _rng.standard_normal(30)

# name -> (call, valid keyword arguments, {argument: kind}, allowed non-finite results)
# kind: "real" (a number or array of numbers), "int" (a size or count), "array" (a matrix or vector)
API = {
    "quadrature.gaussian_expectation": (lambda **k: quadrature.gaussian_expectation(np.tanh, **k),
                                        {"scale": 1.0, "mean": 0.0, "panel_x": 1.0},
                                        {"scale": "real", "mean": "real", "panel_x": "real"}, ()),
    "dmft.mean_tanh2": (dmft.mean_tanh2, {"q": 1.0}, {"q": "real"}, ()),
    "dmft.mean_sech4": (dmft.mean_sech4, {"q": 1.0}, {"q": "real"}, ()),
    "dmft.variance_map": (dmft.variance_map, {"q": 1.0, "g": 1.5, "sigma_b": 0.1},
                          {"q": "real", "g": "real", "sigma_b": "real"}, ()),
    "dmft.variance_trajectory": (dmft.variance_trajectory, {"q0": 1.0, "g": 1.5, "sigma_b": 0.0, "steps": 5},
                                 {"q0": "real", "g": "real", "sigma_b": "real", "steps": "int"}, ()),
    "dmft.fixed_point_variance": (dmft.fixed_point_variance, {"g": 1.5, "sigma_b": 0.1},
                                  {"g": "real", "sigma_b": "real"}, ()),
    "dmft.growth_factor": (dmft.growth_factor, {"g": 1.5, "sigma_b": 0.1}, {"g": "real", "sigma_b": "real"}, ()),
    "dmft.critical_gain_mlp": (dmft.critical_gain_mlp, {"sigma_b": 0.5}, {"sigma_b": "real"}, ()),
    "dmft.critical_line_mlp": (dmft.critical_line_mlp, {"q": 0.5}, {"q": "real"}, ()),
    "vanilla.simulate_recurrent": (lambda **k: vanilla.simulate_recurrent(**k).lyapunov,
                                   {"gains": [0.5, 2.0], "n": 8, "steps": 5, "transient": 2, "seed": 0,
                                    "sigma_b": 0.1, "h0_scale": 1.0},
                                   {"gains": "real", "n": "int", "steps": "int", "transient": "int",
                                    "sigma_b": "real", "h0_scale": "real"}, (-math.inf,)),
    "vanilla.replica_distance": (vanilla.replica_distance,
                                 {"gains": [0.5, 2.0], "n": 8, "steps": 5, "transient": 2, "eps": 1e-8, "seed": 0},
                                 {"gains": "real", "n": "int", "steps": "int", "transient": "int", "eps": "real"},
                                 ()),
    "vanilla.mlp_lyapunov": (vanilla.mlp_lyapunov,
                                {"gains": [0.5, 2.0], "sigma_bs": [0.0, 0.5], "n": 8, "depth": 4, "transient": 1,
                                 "seed": 0},
                                {"gains": "real", "sigma_bs": "real", "n": "int", "depth": "int",
                                 "transient": "int"}, (-math.inf,)),
    "vanilla.mlp_distance": (vanilla.mlp_distance,
                             {"gains": [0.5, 2.0], "sigma_bs": [0.0], "n": 8, "depth": 4, "d0": 1e-2, "seed": 0},
                             {"gains": "real", "sigma_bs": "real", "n": "int", "depth": "int", "d0": "real"}, ()),
    "vanilla.fixed_point_spectral_radius": (vanilla.fixed_point_spectral_radius,
                                            {"g": 0.5, "sigma_b": 0.1, "n": 8, "seed": 0},
                                            {"g": "real", "sigma_b": "real", "n": "int"}, ()),
    "vanilla.fixed_point": (lambda **k: vanilla.fixed_point(**k)[0],
                            {"g": 0.5, "sigma_b": 0.1, "n": 8, "seed": 0, "max_iter": 1000, "tol": 1e-12},
                            {"g": "real", "sigma_b": "real", "n": "int", "max_iter": "int", "tol": "real"}, ()),
    "criterion.critical_gain": (criterion.critical_gain, {"arch": "gru", "sigma_b": 0.5},
                                {"sigma_b": "real"}, ()),
    "criterion.critical_gain.chrono": (criterion.critical_gain, {"arch": "lstm", "bias": "chrono", "t_max": 10.0},
                                       {"t_max": "real"}, ()),
    "criterion.critical_gain.sampled": (criterion.critical_gain, {"arch": "lstm", "sigma_b": 0.5, "n": 16, "seed": 0},
                                        {"n": "int", "sigma_b": "real"}, ()),
    "init.gate_biases": (lambda **k: np.concatenate(list(init.gate_biases(**k).values())),
                         {"arch": "gru", "n": 8, "sigma_b": 0.5, "seed": 0}, {"n": "int", "sigma_b": "real"}, ()),
    "init.chrono_biases": (lambda **k: np.concatenate(list(init.chrono_biases(**k).values())),
                           {"arch": "lstm", "n": 8, "t_max": 10.0, "seed": 0}, {"n": "int", "t_max": "real"}, ()),
    "init.gaussian": (init.gaussian, {"n": 6, "m": 4, "gain": 1.5, "seed": 0},
                      {"n": "int", "m": "int", "gain": "real"}, ()),
    "init.ginibre": (init.ginibre, {"n": 5, "samples": 2, "seed": 0}, {"n": "int", "samples": "int"}, ()),
    "init.bias_vector": (init.bias_vector, {"n": 5, "sigma_b": 0.5, "seed": 0}, {"n": "int", "sigma_b": "real"}, ()),
    "init.eigen": (init.eigen, {"n": 6, "radius": 0.95, "seed": 0}, {"n": "int", "radius": "real"}, ()),
    "init.orthogonal": (init.orthogonal, {"n": 6, "gain": 1.0, "seed": 0}, {"n": "int", "gain": "real"}, ()),
    "init.pytorch_state": (lambda **k: init.pytorch_state(**k)["weight_hh_l0"],
                           {"arch": "lstm", "hidden": 6, "input": 2, "sigma_b": 0.5, "seed": 0},
                           {"hidden": "int", "input": "int", "sigma_b": "real"}, ()),
    "criterion.critical_gain_from_diagonals": (criterion.critical_gain_from_diagonals, {"M": _M, "L": _L, "R": _R},
                                               {"M": "array", "L": "array", "R": "array"}, ()),
    "criterion.predicted_spectral_radius": (criterion.predicted_spectral_radius,
                                            {"M": _M, "L": _L, "R": _R, "g": 1.5},
                                            {"M": "array", "g": "real"}, ()),
    "criterion.spectral_boundary": (criterion.spectral_boundary, {"M": _M, "L": _L, "R": _R, "g": 1.5,
                                                                  "n_angles": 16},
                                    {"M": "array", "L": "array", "g": "real", "n_angles": "int"},
                                    (math.nan,)),  # documented: NaN for a ray that misses the support
    "criterion.jacobian_at_zero": (criterion.jacobian_at_zero, {"M": _M, "L": _L, "R": _R, "g": 1.5, "seed": 0},
                                   {"R": "array", "g": "real"}, ()),
    "criterion.jacobian_spectral_radius": (criterion.jacobian_spectral_radius,
                                           {"M": _M, "L": _L, "R": _R, "gains": [1.0, 2.0], "seed": 0},
                                           {"M": "array", "gains": "real"}, ()),
    "criterion.unit_crossing": (criterion.unit_crossing, {"gains": [1.0, 2.0, 3.0], "radii": [0.5, 0.9, 1.2]},
                                {"gains": "real", "radii": "real"}, ()),
    "criterion.measured_critical_gain": (criterion.measured_critical_gain,
                                         {"M": _M, "L": _L, "R": _R, "seed": 0, "rtol": 1e-2},
                                         {"L": "array", "rtol": "real"}, ()),
    "models.make_network": (lambda **k: models.make_network(**k).U["h"],
                            {"arch": "lstm", "n": 6, "sigma_b": 0.5, "n_inputs": 2, "input_scale": 1.0, "seed": 0},
                            {"n": "int", "sigma_b": "real", "n_inputs": "int", "input_scale": "real"}, ()),
    "models.lyapunov": (lambda **k: models.lyapunov(_NET, **k),
                        {"g": [0.5, 2.0], "steps": 5, "transient": 2, "seed": 0, "state": _NET.random_state(2, seed=0)},
                        {"g": "real", "steps": "int", "transient": "int", "state": "array"}, (-math.inf,)),
    "models.sample_lyapunov": (models.sample_lyapunov,
                               {"arch": "lstm", "n": 6, "g": [0.5, 2.0], "steps": 5, "transient": 2,
                                "sigma_b": 0.3, "seed": 0},
                               {"n": "int", "g": "real", "steps": "int", "transient": "int", "sigma_b": "real"},
                               (-math.inf,)),
    "lyapunov.max_exponent": (lambda **k: lyapunov.max_exponent(_NET, **k),
                              {"g": [0.5, 2.0], "steps": 5, "transient": 2, "seed": 0},
                              {"g": "real", "steps": "int", "transient": "int"}, (-math.inf,)),
    "lyapunov.spectrum": (lambda **k: lyapunov.spectrum(_NET, **k),
                          {"g": [0.5, 2.0], "k": 3, "steps": 5, "transient": 2, "seed": 0,
                           "state": _NET.random_state(2, seed=0)},
                          {"g": "real", "k": "int", "steps": "int", "transient": "int", "state": "array"},
                          (-math.inf,)),
    "lyapunov.two_trajectory_exponent": (lambda **k: lyapunov.two_trajectory_exponent(_NET, **k),
                                         {"g": [0.5, 2.0], "steps": 5, "transient": 2, "eps": 1e-7, "seed": 0},
                                         {"g": "real", "steps": "int", "transient": "int", "eps": "real"},
                                         (-math.inf,)),
    "lyapunov.sample_max_exponent": (lyapunov.sample_max_exponent,
                                     {"arch": "gru", "n": 6, "g": [0.5, 2.0], "steps": 5, "transient": 2,
                                      "sigma_b": 0.3, "seed": 0},
                                     {"n": "int", "g": "real", "steps": "int", "transient": "int",
                                      "sigma_b": "real"}, (-math.inf,)),
    "lyapunov.kaplan_yorke_dimension": (lyapunov.kaplan_yorke_dimension, {"exponents": [0.1, -0.05, -0.3]},
                                        {"exponents": "array"}, ()),
    "lyapunov.zero_crossing": (lyapunov.zero_crossing, {"g": [1.0, 2.0, 3.0], "lam": [-0.1, 0.05, 0.1],
                                                        "level": 0.0},
                               {"g": "real", "lam": "array", "level": "real"},
                               (math.nan,)),  # documented: NaN when the curve never crosses the level
    "datasets.mackey_glass": (datasets.mackey_glass,
                              {"n": 20, "beta": 0.2, "gamma": 0.1, "p": 10.0, "tau": 5, "history": 1.2,
                               "history_noise": 0.1, "transient": 5, "seed": 0},
                              {"n": "int", "beta": "real", "gamma": "real", "p": "real", "tau": "int",
                               "history": "real", "history_noise": "real", "transient": "int"}, ()),
    "datasets.mackey_glass.continuous": (datasets.mackey_glass,
                                         {"n": 20, "kind": "continuous", "dt": 0.5, "beta": 0.2, "gamma": 0.1,
                                          "p": 10.0, "tau": 5.0, "history": 1.2, "history_noise": 0.1,
                                          "transient": 5, "seed": 0},
                                         {"n": "int", "dt": "real", "beta": "real", "gamma": "real", "p": "real",
                                          "tau": "real", "history": "real", "history_noise": "real",
                                          "transient": "int"}, ()),
    "datasets.logistic_map": (datasets.logistic_map, {"n": 20, "r": 3.9, "x0": 0.3, "transient": 5, "seed": 0},
                              {"n": "int", "r": "real", "x0": "real", "transient": "int"}, ()),
    "reservoir.drive": (lambda **k: reservoir.drive(_RNET, **k),
                        {"g": [0.5, 2.0], "inputs": _X[:20], "washout": 5, "state": _RNET.zero_state(2)},
                        {"g": "real", "inputs": "array", "washout": "int", "state": "array"}, ()),
    "reservoir.evaluate": (lambda **k: (lambda r: (r.train_nrmse, r.validation_nrmse, r.test_nrmse, r.alpha))(
                               reservoir.evaluate(_RNET, **k)),
                           {"g": [0.5, 2.0], "series": _X, "horizon": 1, "washout": 5, "train": 30, "validation": 10,
                            "test": 10, "ridges": [1e-6, 1e-2], "chunk": 8},
                           {"g": "real", "series": "array", "horizon": "int", "washout": "int", "train": "int",
                            "validation": "int", "test": "int", "ridges": "real", "chunk": "int"}, ()),
    "reservoir.fit_ridge": (lambda **k: reservoir.fit_ridge(**k).coef,
                            {"features": _FEAT, "targets": _TARG, "ridges": [1e-6, 1e-2], "chunk": 7},
                            {"features": "array", "targets": "array", "ridges": "real", "chunk": "int"}, ()),
    "reservoir.sample_forecast": (lambda **k: tuple(reservoir.sample_forecast(**k).values()),
                                  {"arch": "gru", "n": 6, "g": [0.5, 2.0], "series": _X, "washout": 5, "train": 30,
                                   "validation": 10, "test": 10, "horizon": 1, "input_scale": 0.5, "sigma_b": 0.5,
                                   "ridges": [1e-6, 1e-2], "seed": 0},
                                  {"n": "int", "g": "real", "series": "array", "washout": "int", "train": "int",
                                   "validation": "int", "test": "int", "horizon": "int", "input_scale": "real",
                                   "sigma_b": "real", "ridges": "real"}, ()),
    "reservoir.optimal_gain": (reservoir.optimal_gain, {"g": [0.5, 1.0, 1.5, 2.0], "errors": [[3.0, 1.0, 0.5, 2.0]]},
                               {"g": "array", "errors": "array"},
                               (math.nan,)),  # documented: NaN for a row without a positive finite minimum
    "reservoir.delay_recall": (reservoir.delay_recall, {"W": _W * 0.9, "delays": [1, 2], "noise": 0.1, "train": 50,
                                                        "test": 20, "ridge": 1e-6, "blowup": 1e8, "seed": 0},
                               {"W": "array", "delays": "int", "noise": "real", "train": "int", "test": "int",
                                "ridge": "real", "blowup": "real"},
                               (math.nan, math.inf)),  # documented: NaN r2 and an infinite peak for a run that blew up
    "gating.gru.zero_fixed_point_disk": (gating.gru.zero_fixed_point_disk, {"a_h": 1.5, "b_z": 0.5, "b_r": -0.3},
                                         {"a_h": "real", "b_z": "real", "b_r": "real"}, ()),
    "gating.lstm.zero_fixed_point_density": (gating.lstm.zero_fixed_point_density,
                                             {"a_h": 2.0, "b_f": 1.0, "b_i": -0.5, "b_o": 0.7},
                                             {"a_h": "real", "b_f": "real", "b_i": "real", "b_o": "real"}, ()),
    "gating.fixed_points.fixed_point_variance": (gating.fixed_points.fixed_point_variance,
                                                 {"a_h": 2.5, "a_r": 3.0, "b_r": 0.0, "grid": 100},
                                                 {"a_h": "real", "a_r": "real", "b_r": "real", "grid": "int"}, ()),
    "gating.fixed_points.bifurcation_gain": (gating.fixed_points.bifurcation_gain, {"a_h": 1.8}, {"a_h": "real"},
                                             (math.inf,)),  # documented: inf where a_r* would exceed 1e6
    "glorot.glorot": (glorot.glorot, {"n": 6, "seed": 0, "samples": 2}, {"n": "int", "samples": "int"}, ()),
    "glorot.rescaled_glorot": (glorot.rescaled_glorot, {"n": 200, "p": 0.9, "seed": 0},
                               {"n": "int", "p": "real"}, ()),
    "glorot.rescaled_glorot.empirical": (glorot.rescaled_glorot, {"n": 10, "p": 0.9, "seed": 0,
                                                                  "method": "empirical", "samples": 20},
                                         {"n": "int", "p": "real", "samples": "int"}, ()),
    "glorot.rho": (glorot.rho, {"n": 500}, {"n": "int"}, ()),
    "glorot.gumbel_cdf": (glorot.gumbel_cdf, {"x": 0.3}, {"x": "real"}, ()),
    "glorot.gumbel_quantile": (glorot.gumbel_quantile, {"p": 0.3}, {"p": "real"}, ()),
    "glorot.spectral_radius_cdf": (glorot.spectral_radius_cdf, {"r": 1.0, "n": 500}, {"r": "real", "n": "int"}, ()),
    "glorot.spectral_radius_pdf": (glorot.spectral_radius_pdf, {"r": 1.0, "n": 500}, {"r": "real", "n": "int"}, ()),
    "glorot.complex_radius_cdf": (glorot.complex_radius_cdf, {"r": 1.0, "n": 50}, {"r": "real", "n": "int"}, ()),
    "glorot.expected_spectral_radius": (glorot.expected_spectral_radius, {"n": 500}, {"n": "int"}, ()),
    "glorot.radius_quantile": (glorot.radius_quantile, {"p": 0.9, "n": 500}, {"p": "real", "n": "int"}, ()),
    "glorot.radius_quantile.empirical": (glorot.radius_quantile, {"p": 0.9, "n": 8, "method": "empirical",
                                                                  "samples": 20},
                                         {"p": "real", "samples": "int"}, ()),
    "glorot.rescaling_factor": (glorot.rescaling_factor, {"n": 500, "p": 0.9}, {"n": "int", "p": "real"}, ()),
    "glorot.state_norm_lower_bound": (glorot.state_norm_lower_bound, {"n": 500, "k": 10, "log": True},
                                      {"n": "int", "k": "real"}, ()),
    "glorot.hidden_state_lower_bound": (glorot.hidden_state_lower_bound, {"n": 500, "t": 10, "log": True},
                                        {"n": "int", "t": "real"}, ()),
    "glorot.spectral_radii": (glorot.spectral_radii, {"n": 6, "samples": 4, "scale": 1.0, "seed": 0, "chunk": 2},
                              {"n": "int", "samples": "int", "scale": "real", "chunk": "int"}, ()),
    "glorot.spectral_radii.kostlan": (glorot.spectral_radii, {"n": 6, "samples": 4, "complex_": True, "scale": 1.0,
                                                              "seed": 0, "method": "kostlan"},
                                      {"n": "int", "samples": "int", "scale": "real"}, ()),
    "glorot.power_norms": (glorot.power_norms, {"W": _W, "x": np.ones(6), "k_max": 5},
                           {"W": "array", "x": "array", "k_max": "int"}, (math.inf,)),
    "glorot.hidden_state_norms": (glorot.hidden_state_norms, {"W": _W, "inputs": _rng.standard_normal((5, 6, 2))},
                                  {"W": "array", "inputs": "array"}, (math.inf,)),
    "glorot.explosion_times": (glorot.explosion_times, {"n": 6, "samples": 2, "threshold": 10.0, "k_max": 20,
                                                        "inputs": 2, "scale": 1.0, "seed": 0},
                               {"n": "int", "samples": "int", "threshold": "real", "k_max": "int", "inputs": "int",
                                "scale": "real"}, (math.inf,)),
    "spectra.gain_matrix_eigenvalues": (spectra.gain_matrix_eigenvalues, {"n": 6, "g": 1.0, "seed": 0},
                                        {"n": "int", "g": "real"}, ()),
    "spectra.spectral_radius": (spectra.spectral_radius, {"matrix": _W}, {"matrix": "array"}, ()),
    "spectra.eigenvalues": (spectra.eigenvalues, {"matrix": _W}, {"matrix": "array"}, ()),
    "spectra.fraction_inside": (spectra.fraction_inside, {"eigenvalues": np.linalg.eigvals(_W), "radius": 1.0},
                                {"eigenvalues": "array", "radius": "real"}, ()),
}

# functions documented to raise RuntimeError when their iteration does not converge
CONVERGENCE = {"vanilla.fixed_point", "vanilla.fixed_point_spectral_radius", "criterion.measured_critical_gain"}

EDGES = {"real": EDGE_REALS, "int": EDGE_INTS, "array": EDGE_ARRAYS}
RANDOM = {"real": st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**6, 10**6),
          "int": st.integers(-200, 200) | st.floats(allow_nan=True),
          "array": st.floats(allow_nan=True, allow_infinity=True)}


class Timeout(Exception):
    pass


@contextmanager
def time_limit(seconds):
    def handler(signum, frame):
        raise Timeout(f"call did not finish within {seconds} s")
    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _numbers(result):
    """Every number in a result (arrays, tuples of arrays, scalars) as one float array."""
    if isinstance(result, (tuple, list)):
        parts = [_numbers(r) for r in result]
        return np.concatenate(parts) if parts else np.zeros(0)
    arr = np.asarray(result)
    if arr.dtype.kind == "c":
        arr = np.concatenate([arr.real.ravel(), arr.imag.ravel()])
    return np.asarray(arr, dtype=float).ravel()


def check_call(name, arg, value):
    call, valid, kinds, allowed = API[name]
    kwargs = dict(valid, **{arg: value})
    try:
        with np.errstate(divide="raise", over="raise", invalid="raise"), time_limit(TIME_LIMIT):
            result = call(**kwargs)
    except (ValueError, TypeError) as exc:
        assert arg in str(exc), f"{name}({arg}={value!r}) raised {type(exc).__name__} not naming {arg!r}: {exc}"
        return
    except RuntimeError as exc:  # documented: an iteration that does not converge says so
        assert name in CONVERGENCE and "converge" in str(exc), f"{name}({arg}={value!r}) raised {exc!r}"
        return
    except MemoryError:
        assert kinds[arg] == "int", f"{name}({arg}={value!r}) raised MemoryError"
        return
    except FloatingPointError as exc:  # a NaN or overflow on the way, hidden by the default errstate
        pytest.fail(f"{name}({arg}={value!r}) hit a floating-point error: {exc}")
    values = _numbers(result)
    bad = ~_allowed(values, allowed)
    assert not bad.any(), f"{name}({arg}={value!r}) returned non-finite values {values[bad][:5]}"


def _allowed(values, allowed):
    """Finite, or one of the non-finite values the function documents (NaN included)."""
    ok = np.isfinite(values) | np.isin(values, allowed)
    return ok | (np.isnan(values) if any(math.isnan(a) for a in allowed) else False)


@pytest.mark.parametrize("name", sorted(API))
def test_valid_arguments_give_finite_results(name):
    call, valid, _, allowed = API[name]
    assert np.all(_allowed(_numbers(call(**valid)), allowed))


@pytest.mark.parametrize("name", sorted(API))
def test_edge_values(name):
    """Every edge value for every fuzzed argument (exhaustive, a few hundred calls)."""
    for arg, kind in API[name][2].items():
        for value in EDGES[kind]:
            check_call(name, arg, value)


@pytest.mark.parametrize("name", sorted(API))
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_values(name, data):
    """Hypothesis: random floats and integers (NaN, infinities, huge and tiny included)."""
    kinds = API[name][2]
    arg = data.draw(st.sampled_from(sorted(kinds)), label="argument")
    kind = kinds[arg]
    value = data.draw(RANDOM[kind], label="value")
    if kind == "array":
        value = np.full(np.shape(API[name][1][arg]), value, dtype=float)
    check_call(name, arg, value)
