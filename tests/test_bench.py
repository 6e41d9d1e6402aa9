"""criticality.bench: the helpers behind the performance page and benchmarks/bench_models.py."""

import os

import numpy as np
import pytest

from criticality import bench


def test_power_law_recovers_exponent_and_prefactor():
    x = np.array([100, 200, 500, 1000, 4000])
    k, c = bench.power_law(x, 3e-7 * x**2.0)
    assert k == pytest.approx(2.0, abs=1e-12)
    assert c == pytest.approx(3e-7, rel=1e-10)
    assert bench.power_law(x, 5 * x**0.5)[0] == pytest.approx(0.5, abs=1e-12)  # not 2: the fit reads the data


def test_engine_blas_is_numpys_own_library():
    import scipy.linalg  # noqa: F401  (loads scipy's copy too)

    lib = bench.engine_blas()
    assert lib is not None and lib["user_api"] == "blas"
    root = os.path.dirname(os.path.dirname(np.__file__))
    assert os.path.relpath(lib["filepath"], root).startswith("numpy")
    info = bench.blas_info()
    assert lib["version"] in info
    if info.count(";"):  # several copies loaded: numpy's is the one marked
        assert "runs numpy's products" in info


def test_gemm_peak_with_one_thread_restores_the_pools():
    one = bench.gemm_peak(np.float64, n=400, repeats=3, threads=1)
    assert one > 0.5  # GF/s: any machine this runs on
    # the limit is lifted again afterwards
    from threadpoolctl import threadpool_info
    assert all(d["num_threads"] >= 1 for d in threadpool_info() if d["user_api"] == "blas")


def test_step_scaling_and_non_gemm_share():
    t = bench.step_scaling("gru", (20, 40), (1, 4), steps=3, repeats=1)
    assert set(t) == {(20, 1), (20, 4), (40, 1), (40, 4)} and all(v > 0 for v in t.values())
    step, gemm, share = bench.non_gemm_share("lstm", 30, columns=4, steps=20, repeats=1)
    assert 0 < gemm < step and share == pytest.approx(1 - gemm / step)
    assert bench.load_average().count(",") == 2 or bench.load_average() == "unknown"


@pytest.mark.parametrize("arch", ["gru", "lstm"])
@pytest.mark.parametrize("kernels", [True, False])
def test_step_breakdown_parts_fit_inside_the_step(arch, kernels):
    """The parts are timed apart, so they need not add up exactly, but each contains the next: the
    products are part of the fused step, which is part of a Network._step call, which with the
    renormalisation is the numpy engine's loop step. A call adds only a few microseconds of argument
    handling to the fused step, less than this machine's timing noise, so those two are compared
    within 50 %. With the kernels the loop is compiled as a whole: faster than a call driven from
    Python and its renormalisation, slower than its products."""
    if kernels and "compiled" not in bench.engines():
        pytest.skip("numba is not installed (or CRITICALITY_KERNELS=numpy)")
    t = bench.step_breakdown(arch, 60, columns=8, steps=200, repeats=5, kernels=kernels)
    assert set(t) == {"step", "call", "fused", "products", "renormalisation"} and min(t.values()) > 0
    assert t["products"] < t["fused"] < 1.5 * t["call"] and t["products"] < t["step"]
    if kernels:
        assert t["step"] < t["call"] + t["renormalisation"]
    else:
        assert t["call"] + t["renormalisation"] < 1.5 * t["step"]


@pytest.mark.parametrize("arch", ["gru", "lstm"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_engine_products_are_the_steps_products(arch, dtype):
    """The products timed as the step's floor are the engine's own: the stacked matrices (and the GRU's
    U_h) times 2B columns, in the network's dtype; and the step, which does them and more, is slower."""
    from criticality.models import make_network

    net = make_network(arch, 60, seed=0, dtype=dtype)
    out = bench.engine_products(net, 8)()
    out = out if arch == "gru" else (out,)
    mats = [net._stack] + ([net.U["h"]] if arch == "gru" else [])
    X = np.random.default_rng(0).standard_normal((60, 16)).astype(dtype)
    assert len(out) == len(mats)
    for P, U in zip(out, mats):
        assert P.dtype == dtype and P.shape == (U.shape[0], 16)
        tol = 1e-4 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(P, U @ X, rtol=tol, atol=tol)
    step, prod = bench.step_and_products(arch, 60, np.linspace(1.0, 3.0, 8), 100, dtype, repeats=3)
    assert 0 < prod < step


def test_numpy_engine_switches_the_kernels_off_and_back():
    from criticality import _kernels
    from criticality.models import make_network

    before = _kernels.AVAILABLE
    with bench.numpy_engine():
        assert not _kernels.AVAILABLE and bench.engines() == {"numpy": False}
        assert bench.engine_name().startswith("numpy")
        assert not make_network("gru", 50, seed=0)._transposed  # small: the plain product, C order
    assert _kernels.AVAILABLE == before
    assert list(bench.engines()) == (["compiled", "numpy"] if before else ["numpy"])


def test_interleaved_times_are_per_call_medians():
    import time

    t = bench.interleaved_times({"sleep": lambda: time.sleep(2e-3), "none": lambda: None}, repeats=3, calls=4)
    assert set(t) == {"sleep", "none"}
    assert 2e-3 <= t["sleep"] < 2e-2 and t["none"] < 1e-4  # seconds per call, not per run of 4


def test_product_forms_are_rates_of_the_same_product():
    t = bench.product_forms(50, rows=2, columns=8, repeats=3, calls=3)
    assert set(t) == {"U @ X", "(X^T U^T)^T"}
    assert all(0 < v < 1e4 for v in t.values())  # GF/s: a rate, not seconds


def test_float32_changes_lambda_only_within_its_statistical_error():
    g = np.array([1.0, 1.5, 3.0, 4.0])
    l64, l32, other = bench.float32_effect("gru", 120, g, 800, 200)
    np.testing.assert_allclose(l32[:2], l64[:2], atol=1e-3)  # ordered: the zero fixed point, no chaos
    assert np.all(l64[2:] > 0.02)  # chaotic at g = 3, 4 (GRU, zero biases: g_c = 2)
    assert np.abs(l32 - l64).max() < 0.05  # a factor of 2 in lambda would be ~0.1 here
    assert np.abs(other - l64).max() < 0.05


def test_ufunc_times_are_per_call_and_ordered():
    """One pass of tanh costs more than one in-place multiplication (a transcendental against one flop)."""
    t = bench.ufunc_times(100, calls=200, repeats=3)
    assert set(t) == {"tanh", "exp", "multiply"}
    assert all(0 < v < 1e-3 for v in t.values())
    assert t["tanh"] > t["multiply"]
