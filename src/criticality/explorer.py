"""An interactive explorer of the gated-RNN criterion (needs a live Jupyter kernel).

:func:`criterion_panel` draws one state (used for the static book); :func:`criterion_explorer`
wraps it in ipywidgets controls: architecture, bias scheme, sigma_b or T_max, gain g and size N.
"""

from __future__ import annotations

import numpy as np

from . import criterion as crit
from . import plotting


def criterion_panel(ax, arch="gru", bias="gaussian", sigma_b=0.5, t_max=10.0, g=2.0, n=400, seed=0) -> dict:
    """Eigenvalues of one sampled ``J = M + g L U R`` with the predicted boundary; returns the numbers shown."""
    sb = 0.0 if bias == "chrono" else sigma_b
    M, L, R = crit.sampled_diagonals(arch, n, sb, bias, t_max if bias == "chrono" else None, seed=seed)
    ev = np.linalg.eigvals(crit.jacobian_at_zero(M, L, R, g, seed=seed + 1))
    info = {
        "g_c (this sample)": crit.critical_gain_from_diagonals(M, L, R),
        "g_c (N = infinity)": crit.critical_gain(arch, sb, bias, t_max if bias == "chrono" else None),
        "predicted radius": float(crit.predicted_spectral_radius(M, L, R, g)),
        "measured radius": float(np.abs(ev).max()),
    }
    ax.clear()
    plotting.spectrum(ax, ev, boundary=crit.spectral_boundary(M, L, R, g))
    scheme = f"chrono, T_max = {t_max:g}" if bias == "chrono" else f"sigma_b = {sigma_b:g}"
    ax.set_title(f"{arch.upper()}, {scheme}, g = {g:.3g}, N = {n}\n"
                 f"g_c: sample {info['g_c (this sample)']:.3f}, N=inf {info['g_c (N = infinity)']:.3f}",
                 fontsize="small")
    return info


def criterion_explorer(arch="gru", bias="gaussian", sigma_b=0.5, t_max=10.0, g=2.0, n=400, seed=0):
    """ipywidgets controls around :func:`criterion_panel`; display the returned widget in Jupyter."""
    import ipywidgets as w
    from matplotlib.figure import Figure

    controls = {
        "arch": w.Dropdown(options=["gru", "lstm", "rnn"], value=arch, description="arch"),
        "bias": w.Dropdown(options=list(crit.BIAS_SCHEMES), value=bias, description="bias"),
        "sigma_b": w.FloatSlider(value=sigma_b, min=0.0, max=3.0, step=0.05, description="sigma_b",
                                 continuous_update=False),
        "t_max": w.FloatLogSlider(value=t_max, base=10, min=0.4, max=3, step=0.05, description="T_max",
                                  continuous_update=False),
        "g": w.FloatSlider(value=g, min=0.05, max=4.0, step=0.05, description="g", continuous_update=False),
        "n": w.Dropdown(options=[100, 200, 400, 800, 1600], value=n, description="N"),
    }
    out = w.Output()
    readout = w.HTML()
    # a figure outside pyplot's registry, so the inline backend never shows it a second time
    fig = Figure(figsize=(4.6, 4.6), constrained_layout=True)
    ax = fig.subplots()

    def redraw(*_):
        p = {k: c.value for k, c in controls.items()}
        if p["arch"] == "rnn":
            p["bias"], p["sigma_b"] = "gaussian", 0.0
        info = criterion_panel(ax, seed=seed, **p)
        readout.value = "<br>".join(f"{k}: {v:.4f}" for k, v in info.items())
        with out:
            out.clear_output(wait=True)
            from IPython.display import display

            display(fig)

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    box = w.HBox([w.VBox(list(controls.values()) + [readout]), out])
    box.redraw = redraw  # for tests and for scripted use
    box.controls = controls
    box.readout = readout
    return box
