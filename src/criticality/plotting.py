"""Figures of the book, so that chapter cells stay short.

Every function draws on a given matplotlib ``Axes`` (or creates a figure) and returns it; none
calls ``plt.show``. Colours: theory in black lines, simulations as coloured markers.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

THEORY = dict(color="black", lw=1.6)
SIM = dict(marker="o", ms=4, ls="none")


def figure(ncols: int = 1, nrows: int = 1, width: float = 4.2, height: float = 3.3, **kw):
    """A figure with ``nrows x ncols`` axes of a common size; returns ``(fig, axes)``."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             constrained_layout=True, squeeze=False, **kw)
    return fig, (axes[0, 0] if axes.size == 1 else axes.ravel())


def theory_and_simulation(ax, x, y, xs=None, ys=None, yerr=None, *, xlabel="", ylabel="",
                          theory_label="mean-field theory", sim_label="simulation", critical=None):
    """A theory curve, optional simulated points with error bars, optional vertical critical line."""
    ax.plot(x, y, label=theory_label, **THEORY)
    if xs is not None:
        ax.errorbar(xs, ys, yerr=yerr, label=sim_label, color="C3", capsize=2, **SIM)
    if critical is not None:
        ax.axvline(critical, color="0.5", ls=":", lw=1, label=f"critical gain {critical:g}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return ax


def spectrum(ax, eigenvalues, *, radius=None, boundary=None, title="", unit_circle=True):
    """Eigenvalues (dots), the unit circle (black) and a predicted edge (red, dashed).

    The edge is a circle of the given ``radius`` about 0, or the complex points ``boundary``.
    """
    ev = np.asarray(eigenvalues)
    ax.plot(ev.real, ev.imag, ".", ms=2, color="C0", alpha=0.6)
    theta = np.linspace(0, 2 * np.pi, 400)
    if unit_circle:
        ax.plot(np.cos(theta), np.sin(theta), color="black", lw=1.2)
    if radius is not None:
        ax.plot(radius * np.cos(theta), radius * np.sin(theta), color="C3", ls="--", lw=1.2)
    if boundary is not None:
        ax.plot(np.real(boundary), np.imag(boundary), color="C3", ls="--", lw=1.4)
    edge = np.nanmax(np.abs(boundary)) if boundary is not None else (radius or 0.0)
    lim = 1.15 * max(1.0, np.abs(ev).max(initial=0.0), edge)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel(r"Re $\lambda$")
    ax.set_ylabel(r"Im $\lambda$")
    ax.set_title(title)
    return ax


def distance_growth(ax, d, gains, chi, *, xlabel="time step $t$", ylabel=r"$d_t$", index="t",
                    legend_outside=False):
    """Measured squared distances ``d[:, k]`` (log scale) with the linear prediction ``d_0 chi_k^t``.

    ``index`` is the step symbol of the legend (``"l"`` for layers); ``legend_outside=True`` puts
    the legend to the right of the axes, clear of the curves.
    """
    t = np.arange(d.shape[0])
    for k, (g, c) in enumerate(zip(gains, chi)):
        color = f"C{k}"
        ax.semilogy(t, d[:, k], color=color, lw=1.2, label=f"$g={g:g}$")
        pred = d[0, k] * c ** t
        keep = pred < 10 * d.max()
        ax.semilogy(t[keep], pred[keep], color=color, ls="--", lw=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    where = dict(loc="upper left", bbox_to_anchor=(1.02, 1.0)) if legend_outside else {}
    title = f"solid: simulation\ndashed: $d_0\\chi^{index}$"
    ax.legend(frameon=False, fontsize="small", title=title, **where)
    return ax


def phase_diagram(ax, gains, sigma_bs, values, *, line=None, label="", cmap="RdBu_r", vmax=None, centred=True,
                  line_label=r"$\chi = 1$ (theory)", points=None, points_label="",
                  legend="upper left"):
    """Heat map of ``values[i, j]`` over ``(gains[i], sigma_bs[j])`` with a critical line.

    ``line`` is ``(g_c, sigma_b)`` arrays of the predicted critical line, labelled ``line_label``;
    ``points`` optional ``(g, sigma_b)`` markers (such as measured optima). The colour scale is
    centred at 0 (``-vmax`` to ``vmax``) unless ``centred=False`` (then the data's range, capped at
    ``vmax``); ``legend`` is the legend's location.
    """
    vals = np.asarray(values)
    top = vmax if vmax is not None else np.nanmax(np.abs(vals) if centred else vals)
    low = -top if centred else np.nanmin(vals)
    mesh = ax.pcolormesh(gains, sigma_bs, vals.T, cmap=cmap, vmin=low, vmax=top, shading="nearest")
    plt.colorbar(mesh, ax=ax, label=label)
    if line is not None:
        ax.plot(line[0], line[1], color="black", lw=2, label=line_label)
    if points is not None:
        ax.plot(points[0], points[1], "o", color="white", mec="black", ms=5, label=points_label or None)
    if line is not None or points is not None:
        ax.legend(loc=legend, framealpha=0.85)
    ax.set_xlabel("gain $g$")
    ax.set_ylabel(r"bias std $\sigma_b$")
    ax.set_xlim(np.min(gains), np.max(gains))
    ax.set_ylim(np.min(sigma_bs), np.max(sigma_bs))
    return ax


def radius_histogram(ax, radii, *, density=None, label="", color="C0", bins=25):
    """Histogram of sampled spectral radii (density), an optional predicted density ``(r, p)`` and
    the unit line."""
    ax.hist(radii, bins=bins, density=True, color=color, alpha=0.45, label=label)
    if density is not None:
        ax.plot(density[0], density[1], color=color, lw=1.6)
    ax.axvline(1.0, color="black", lw=1, ls=":")
    ax.set_xlabel(r"spectral radius $\rho(U)$")
    ax.set_ylabel("density")
    ax.legend(frameon=False, fontsize="small")
    return ax


def norm_band(ax, t, values, *, label="", color="C0", log=True):
    """Median (line) and 10-90 % band over the columns of ``values[t, ...]`` (flattened)."""
    v = np.asarray(values).reshape(len(t), -1)
    lo, med, hi = np.nanpercentile(v, [10, 50, 90], axis=1)
    ax.plot(t, med, color=color, lw=1.5, label=label)
    ax.fill_between(t, lo, hi, color=color, alpha=0.2, lw=0)
    if log:
        ax.set_yscale("log")
    ax.legend(frameon=False, fontsize="small")
    return ax


def plain_log_ticks(axis, values=None, subs=(1.0, 2.0, 5.0)):
    """Plain-number labels on a log-scaled ``ax.xaxis`` or ``ax.yaxis``: at ``values`` if given,
    else at ``subs`` times powers of ten; minor ticks unlabelled, so that short ranges do not
    crowd."""
    from matplotlib import ticker

    locator = ticker.FixedLocator(values) if values is not None else ticker.LogLocator(
        base=10, subs=subs)
    axis.set_major_locator(locator)
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(ticker.NullFormatter())
    return axis


def mean_with_errors(ax, x, samples, **kw):
    """Mean of each array in ``samples`` against ``x``, with standard-error bars; returns ``(mean, se)``.
    Non-finite entries (a sample without a value) are left out: the mean is NaN where none is left,
    the error 0 where one is."""
    kept = [_finite(s) for s in samples]
    mean = np.array([s.mean() if s.size else np.nan for s in kept])
    se = np.array([s.std() / np.sqrt(s.size) if s.size > 1 else 0.0 for s in kept])
    ax.errorbar(x, mean, se, **{"marker": "o", "ms": 4, "capsize": 2, **kw})
    return mean, se


def loglog_fit(ax, x, y, *, label="", color="C0", marker="o"):
    """Points on log-log axes with their least-squares power law; returns the fitted slope."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    slope, icpt = np.polyfit(np.log(x), np.log(y), 1)
    ax.loglog(x, y, marker=marker, ls="none", color=color, label=f"{label} (slope {slope:.2f})")
    xx = np.geomspace(x.min(), x.max(), 50)
    ax.loglog(xx, np.exp(icpt) * xx**slope, color=color, lw=1)
    ax.set_xticks(x, [f"{v:g}" for v in x])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ax.legend(frameon=False, fontsize="small")
    return slope


def curve_family(ax, curves, labels, *, points=None, crosses=None, vlines=None, hline=None,
                 xlabel="", ylabel="", ylim=None, point_label=None, cross_label=None):
    """A family of theory curves ``curves[k] = (x, y)`` in colour ``Ck``, labelled ``labels[k]``.

    Optional per curve: dots ``points[k] = (x, y)`` in the curve's colour, black crosses
    ``crosses[k] = (x, y)`` and a dotted vertical line at ``vlines[k]``; ``hline`` draws a grey
    dotted reference line (such as chi = 1). ``point_label``/``cross_label`` name the markers once
    in the legend.
    """
    for k, ((x, y), label) in enumerate(zip(curves, labels)):
        color = f"C{k}"
        ax.plot(x, y, color=color, lw=1.6, label=label)
        if points is not None:
            ax.plot(*points[k], "o", color=color, ms=5)
        if crosses is not None:
            ax.plot(*crosses[k], "x", color="black", ms=5)
        if vlines is not None:
            ax.axvline(vlines[k], color=color, ls=":", lw=1)
    if point_label:
        ax.plot([], [], "o", color="0.45", ms=5, label=point_label)  # legend entry only
    if cross_label:
        ax.plot([], [], "x", color="black", ms=5, label=cross_label)
    if hline is not None:
        ax.axhline(hline, color="0.5", ls=":", lw=1)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(frameon=False, fontsize="small")
    return ax


def exponent_curves(ax, gains, samples, labels, *, critical=None, theory=None, theory_label="",
                    individual=False, ylim=None, xlabel="gain $g$", ylabel=r"$\lambda_{\max}$ per step"):
    """Lyapunov exponents against the gain, one family member per ``samples[k]``.

    ``samples[k]`` is an array ``(samples, gains)`` (or ``(gains,)``) of exponents at ``gains`` (one
    array for every member, or a list of one array per member); its mean over samples is drawn in
    colour ``Ck`` with dots, labelled ``labels[k]``, and with ``individual=True`` every sample as a
    thin line of the same colour. ``theory = (x, y)`` is drawn as a black dashed line, ``critical``
    as a dotted vertical line, zero as a grey line. Returns the means.
    """
    per_member = isinstance(gains, (list, tuple))
    means = []
    for k, (lam, label) in enumerate(zip(samples, labels)):
        g = np.asarray(gains[k] if per_member else gains, dtype=float)
        lam = np.atleast_2d(np.asarray(lam, dtype=float))
        color = f"C{k}"
        if individual:
            for row in lam:
                ax.plot(g, row, color=color, lw=0.6, alpha=0.45)
        mean = lam.mean(axis=0)
        ax.plot(g, mean, color=color, marker="o", ms=3.5, lw=1.4, label=label)
        means.append(mean)
    if theory is not None:
        ax.plot(*theory, color="black", ls="--", lw=1.3, label=theory_label or None)
    if critical is not None:
        ax.axvline(critical, color="0.35", ls=":", lw=1.2)
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(frameon=False, fontsize="small")
    return means


def crossing_points(ax, x, values, *, label="", color="C0", marker="o", shift=1.0, faint=True):
    """Per-sample values (small, faint markers) and their mean with standard-error bars at each ``x``.

    ``values[j]`` holds the samples at ``x[j]``; NaN entries (a sample without a value, such as a
    curve that never crosses a level on its grid) are left out. ``shift`` multiplies ``x`` so that
    several series at the same ``x`` stay apart on a log axis. Returns the means (NaN where no
    sample has a value).
    """
    xs = np.asarray(x, dtype=float) * shift
    kept = [_finite(v) for v in values]
    if faint:
        for xj, v in zip(xs, kept):
            ax.plot(np.full(v.size, xj), v, marker, color=color, ms=3, alpha=0.35, ls="none")
    return mean_with_errors(ax, xs, kept, color=color, marker=marker, ms=5, lw=1.2, label=label)[0]


def _finite(values) -> np.ndarray:
    """The finite entries of ``values``, flattened."""
    v = np.asarray(values, dtype=float).ravel()
    return v[np.isfinite(v)]


def error_curves(ax, gains, samples, labels, *, critical=None, xlabel="gain $g$", ylabel="MSE", floor=1e-16):
    r"""Errors against the gain on a log axis, one family member per ``samples[k]`` (an array
    ``(samples, gains)``) in colour ``Ck``: the geometric mean over samples (the mean of
    :math:`\log_{10}`) with its standard error as bars, values below ``floor`` drawn at ``floor``;
    ``critical`` as a dotted vertical line. Returns the geometric means."""
    means = []
    for k, (err, label) in enumerate(zip(samples, labels)):
        logs = np.log10(np.maximum(np.atleast_2d(np.asarray(err, dtype=float)), floor))
        m = logs.mean(axis=0)
        se = logs.std(axis=0) / np.sqrt(logs.shape[0]) if logs.shape[0] > 1 else np.zeros_like(m)
        ax.errorbar(gains, 10**m, yerr=(10**m - 10 ** (m - se), 10 ** (m + se) - 10**m), color=f"C{k}",
                    marker="o", ms=3, lw=1.3, capsize=2, label=label)
        means.append(10**m)
    if critical is not None:
        ax.axvline(critical, color="0.35", ls=":", lw=1.2)
    ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.legend(frameon=False, fontsize="small")
    return means


def series_and_embedding(axes, u, delay, *, label="", color="C0"):
    """A series ``u(t)`` against ``t`` (``axes[0]``) and its delay embedding ``(u(t - delay), u(t))``
    (``axes[1]``)."""
    u = np.asarray(u, dtype=float)
    axes[0].plot(np.arange(u.size), u, color=color, lw=1, label=label or None)
    axes[0].set(xlabel="time $t$", ylabel="$u(t)$")
    axes[1].plot(u[:-delay], u[delay:], color=color, lw=0.5)
    axes[1].set(xlabel=rf"$u(t - {delay})$", ylabel="$u(t)$")
    if label:
        axes[0].legend(frameon=False, fontsize="small")
    return axes


def spectra_grid(spectra: dict, radii: dict | None = None, *, ncols: int = 4, size: float = 2.3):
    """One :func:`spectrum` panel per entry of ``spectra`` (title -> eigenvalues), with the dashed circle
    of ``radii[title]`` where given, on a shared scale; returns the figure."""
    nrows = -(-len(spectra) // ncols)
    fig, axes = figure(ncols, nrows, width=size, height=size)
    radii = radii or {}
    lim = 1.15 * max(max(np.abs(np.asarray(v)).max(initial=0.0) for v in spectra.values()), 1.0)
    for ax, (title, ev) in zip(np.ravel(axes), spectra.items()):
        spectrum(ax, ev, radius=radii.get(title), title=title)
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim))
    for ax in np.ravel(axes)[len(spectra):]:
        ax.set_visible(False)
    return fig
