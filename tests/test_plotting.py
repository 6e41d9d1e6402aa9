"""Tests of the plotting helpers whose returned numbers the chapters quote."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from criticality import plotting  # noqa: E402


def test_error_curves_returns_geometric_means_with_the_floor():
    g = np.array([1.0, 2.0, 3.0])
    a = np.array([[1e-2, 1e-4, 0.0], [1e-4, 1e-6, 1e-20]])  # two samples; the last column is below the floor
    fig, ax = plotting.figure()
    (mean,) = plotting.error_curves(ax, g, [a], ["a"], critical=2.0, floor=1e-16)
    np.testing.assert_allclose(mean, [1e-3, 1e-5, 1e-16], rtol=1e-12)  # sqrt(a0 * a1), floored
    assert ax.get_yscale() == "log"
    lo, hi = ax.containers[0].lines[2][0].get_segments()[0][:, 1]  # the first error bar
    se = np.std(np.log10([1e-2, 1e-4])) / np.sqrt(2)
    np.testing.assert_allclose([lo, hi], [10 ** (-3 - se), 10 ** (-3 + se)], rtol=1e-12)


def test_phase_diagram_colour_scale_centred_or_not():
    g, sb = np.linspace(0.5, 2.0, 4), np.linspace(0.0, 1.0, 3)
    vals = np.arange(12.0).reshape(4, 3) + 1.0
    fig, ax = plotting.figure()
    plotting.phase_diagram(ax, g, sb, vals)
    assert ax.collections[0].get_clim() == (-12.0, 12.0)
    fig, ax = plotting.figure()
    plotting.phase_diagram(ax, g, sb, vals, centred=False, points=(g[:3], sb), line=(g[:3], sb))
    assert ax.collections[0].get_clim() == (1.0, 12.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [r"$\chi = 1$ (theory)"]
