"""The compiled GRU loop of benchmarks/bench_compiled_loop.py (an experiment measuring how much of a
step is Python) against the engine. Skipped where it cannot be built: no C compiler, or no
cblas_dgemm exported by numpy's BLAS."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_compiled_loop as bcl  # noqa: E402

from criticality.lyapunov import normalised  # noqa: E402
from criticality.models import make_network  # noqa: E402


@pytest.fixture(scope="module")
def compiled():
    try:
        return bcl.load()
    except RuntimeError as exc:
        pytest.skip(str(exc))


def test_compiled_loop_follows_the_engine(compiled):
    """States and log growth agree to rounding (amplified a little by the chaotic gains) over 30 steps."""
    d_state, d_log = bcl.check(compiled, n=60, columns=6, steps=30)
    assert d_state < 1e-9 and d_log < 1e-11


def test_the_comparison_sees_a_one_percent_change_of_gain(compiled):
    """The same comparison, with the compiled loop at gains 1 % higher, fails by far: the check can fail."""
    net = make_network("gru", 60, seed=0)
    g = np.linspace(0.5, 4.0, 6)
    h = net.random_state(6, scale=0.5, seed=1)
    u = normalised(np.random.default_rng(2).standard_normal(h.shape))[0]
    ref = h.copy()
    for _ in range(30):
        ref = net.step(ref, g)
    bcl.loop(compiled, net, h, u, 1.01 * g, 30)()
    assert np.abs(h - ref).max() > 1e-3


def test_compiled_loop_rejects_other_networks(compiled):
    net = make_network("lstm", 10, seed=0)
    s = net.random_state(2)
    with pytest.raises(ValueError, match="float64 GRU"):
        bcl.loop(compiled, net, s, s.copy(), np.ones(2), 1)
