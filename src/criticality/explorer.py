"""An interactive explorer of the gated-RNN criterion (needs a live Jupyter kernel).

:func:`criterion_panel` draws one state (used for the static book); :func:`criterion_explorer`
wraps it in ipywidgets controls: architecture, bias scheme, sigma_b or T_max, gain g and size N.
The vanilla RNN (``arch="rnn"``, no gate biases: ``J = g U``) is offered as the reference.
"""

from __future__ import annotations

import numpy as np

from . import criterion as crit
from . import plotting
from ._validate import MAX_DENSE_N, MAX_MATRIX_GAIN, as_positive_int, as_real_scalar
from .spectra import eigenvalues

# the controls' ranges; criterion_explorer's initial values must lie in them
SIGMA_B_RANGE = (0.0, 3.0)
T_MAX_RANGE = (10**0.4, 10**3)
G_RANGE = (0.05, 4.0)
N_OPTIONS = (100, 200, 400, 800, 1600)


def _panel_args(arch, bias, sigma_b, t_max, g, n, seed):
    """Checked arguments of :func:`criterion_panel`, with the scheme's unused parameter dropped."""
    arch, bias = crit._arch(arch), crit._bias(bias)
    sigma_b = crit._sigma_b(sigma_b)
    t_max = None if t_max is None and bias == "gaussian" else crit._t_max(t_max)
    return dict(arch=arch, bias=bias, sigma_b=0.0 if bias == "chrono" else sigma_b,
                t_max=t_max if bias == "chrono" else None,
                g=as_real_scalar("g", g, strict=True, maximum=MAX_MATRIX_GAIN),
                n=as_positive_int("n", n, maximum=MAX_DENSE_N), seed=as_positive_int("seed", seed, minimum=0))


def criterion_panel(ax, arch="gru", bias="gaussian", sigma_b=0.5, t_max=10.0, g=2.0, n=400, seed=0) -> dict:
    """Eigenvalues of one sampled ``J = M + g L U R`` with the predicted boundary; returns the numbers shown.

    ``arch`` in ``criterion.ARCHITECTURES`` (the RNN takes no biases: ``sigma_b = 0``, gaussian),
    ``bias`` in ``criterion.BIAS_SCHEMES``, ``sigma_b`` in ``[0, 30]``, ``g`` in ``(0, 1e6]``, ``t_max``
    in ``(2, 1e6]`` (used for chrono), ``n`` an integer in ``[1, MAX_DENSE_N]``, ``seed`` an integer
    ``>= 0`` (the biases use ``seed``, the coupling matrix ``seed + 1``).
    """
    p = _panel_args(arch, bias, sigma_b, t_max, g, n, seed)
    M, L, R = crit.sampled_diagonals(p["arch"], p["n"], p["sigma_b"], p["bias"], p["t_max"], seed=p["seed"])
    ev = eigenvalues(crit.jacobian_at_zero(M, L, R, p["g"], seed=p["seed"] + 1))
    info = {
        "g_c (this sample)": crit.critical_gain_from_diagonals(M, L, R),
        "g_c (N = infinity)": crit.critical_gain(p["arch"], p["sigma_b"], p["bias"], p["t_max"]),
        "predicted radius": float(crit.predicted_spectral_radius(M, L, R, p["g"])),
        "measured radius": float(np.abs(ev).max()),
    }
    ax.clear()
    plotting.spectrum(ax, ev, boundary=crit.spectral_boundary(M, L, R, p["g"]))
    scheme = rf"chrono, $T_{{\max}}$ = {p['t_max']:g}" if p["bias"] == "chrono" else rf"$\sigma_b$ = {p['sigma_b']:g}"
    ax.set_title(f"{p['arch'].upper()}, {scheme}, $g$ = {p['g']:.3g}, $N$ = {p['n']}\n"
                 f"critical gain: this sample {info['g_c (this sample)']:.3f}, "
                 rf"$N\to\infty$ {info['g_c (N = infinity)']:.3f}",
                 fontsize="small")
    return info


_LABELS = {"g_c (this sample)": "critical gain, this sample", "g_c (N = infinity)": "critical gain, N → ∞",
           "predicted radius": "predicted spectral radius", "measured radius": "measured spectral radius"}


def _in_range(name, value, lo, hi):
    return as_real_scalar(f"{name} (the slider's range)", value, minimum=lo, maximum=hi)


def criterion_explorer(arch="gru", bias="gaussian", sigma_b=0.5, t_max=10.0, g=2.0, n=400, seed=0):
    """ipywidgets controls around :func:`criterion_panel`; display the returned widget in Jupyter.

    The initial values must lie in the controls' ranges: ``sigma_b`` in ``SIGMA_B_RANGE``,
    ``t_max`` in ``T_MAX_RANGE``, ``g`` in ``G_RANGE``, ``n`` in ``N_OPTIONS`` (ipywidgets would
    otherwise clip them silently or fail); the rest as in :func:`criterion_panel`.
    """
    import ipywidgets as w
    from matplotlib.figure import Figure

    p = _panel_args(arch, bias, sigma_b, t_max, g, n, seed)
    sigma_b, t_max, g = (_in_range(k, v, *r) for k, v, r in (
        ("sigma_b", sigma_b, SIGMA_B_RANGE), ("t_max", t_max, T_MAX_RANGE), ("g", g, G_RANGE)))
    if p["n"] not in N_OPTIONS:
        raise ValueError(f"n must be one of {N_OPTIONS} (the explorer's choices), got {n!r}")
    controls = {
        "arch": w.Dropdown(options=list(crit.ARCHITECTURES), value=p["arch"], description="arch"),
        "bias": w.Dropdown(options=list(crit.BIAS_SCHEMES), value=p["bias"], description="bias"),
        "sigma_b": w.FloatSlider(value=sigma_b, min=SIGMA_B_RANGE[0], max=SIGMA_B_RANGE[1], step=0.05,
                                 description="σ_b", continuous_update=False),
        "t_max": w.FloatLogSlider(value=t_max, base=10, min=np.log10(T_MAX_RANGE[0]), max=np.log10(T_MAX_RANGE[1]),
                                  step=0.05, description="T max", continuous_update=False),
        "g": w.FloatSlider(value=g, min=G_RANGE[0], max=G_RANGE[1], step=0.05, description="g",
                           continuous_update=False),
        "n": w.Dropdown(options=list(N_OPTIONS), value=p["n"], description="N"),
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
        readout.value = "<br>".join(f"{_LABELS[k]}: {v:.4f}" for k, v in info.items())
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
