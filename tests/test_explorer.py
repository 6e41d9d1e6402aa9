"""The criterion explorer: argument checks and the vanilla-RNN reference panel."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from criticality import explorer


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.mark.parametrize("arch", ["rnn", "RNN"])
def test_rnn_panel_is_the_circular_law(ax, arch):
    # 'RNN' used to give a 1 x 1 Jacobian (one eigenvalue); J = g U has N eigenvalues in the disk of radius g
    info = explorer.criterion_panel(ax, arch=arch, sigma_b=0.0, g=1.5, n=200)
    assert info["g_c (this sample)"] == info["g_c (N = infinity)"] == 1.0
    assert info["predicted radius"] == pytest.approx(1.5)
    assert info["measured radius"] == pytest.approx(1.5, rel=0.1)
    assert len(ax.lines[0].get_xdata()) == 200  # the eigenvalue dots


def test_gated_panel_accepts_any_case(ax):
    info = explorer.criterion_panel(ax, arch="LSTM", bias="Chrono", t_max=5.0, g=1.0, n=100)
    assert info["g_c (N = infinity)"] == pytest.approx(2.0, rel=1e-13)
    assert ax.get_title().startswith(r"LSTM, chrono, $T_{\max}$ = 5")


@pytest.mark.parametrize("kwargs,error,match", [
    ({"arch": "transformer"}, ValueError, "arch"),
    ({"arch": "rnn", "sigma_b": 0.5}, ValueError, "sigma_b must be 0"),
    ({"arch": "rnn", "bias": "chrono"}, ValueError, "gated architecture"),
    ({"bias": "uniform"}, ValueError, "bias"),
    ({"bias": "chrono", "t_max": 2.0}, ValueError, "t_max"),
    ({"bias": "chrono", "t_max": None}, ValueError, "t_max"),
    ({"t_max": np.nan}, ValueError, "t_max"),
    ({"sigma_b": -0.1}, ValueError, "sigma_b"),
    ({"sigma_b": np.inf}, ValueError, "sigma_b"),
    ({"sigma_b": "0.5"}, TypeError, "sigma_b"),
    ({"g": np.nan}, ValueError, "g"),
    ({"g": -1.0}, ValueError, "g"),
    ({"g": 1e7}, ValueError, "g"),
    ({"g": [1.0, 2.0]}, ValueError, "g"),
    ({"n": 0}, ValueError, "n"),
    ({"n": 10**6}, ValueError, "n"),
    ({"n": 100.0}, TypeError, "n"),
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": None}, TypeError, "seed"),
])
def test_panel_rejects_bad_arguments(ax, kwargs, error, match):
    with pytest.raises(error, match=match):
        explorer.criterion_panel(ax, **{"n": 50, **kwargs})


@pytest.mark.parametrize("kwargs,match", [
    ({"sigma_b": 5.0}, "sigma_b"),
    ({"g": 10.0}, "g"),
    ({"g": 0.0}, "g"),
    ({"t_max": 2.1}, "t_max"),
    ({"n": 300}, "n must be one of"),
    ({"arch": "cnn"}, "arch"),
])
def test_explorer_initial_values_must_fit_the_controls(kwargs, match):
    pytest.importorskip("ipywidgets")
    with pytest.raises(ValueError, match=match):
        explorer.criterion_explorer(**kwargs)


def test_explorer_rnn_reference():
    pytest.importorskip("ipywidgets")
    box = explorer.criterion_explorer(arch="RNN", sigma_b=0.5, g=1.0, n=100)
    assert box.controls["arch"].value == "rnn"
    assert "critical gain, this sample: 1.0000" in box.readout.value
