"""criticality: initialising recurrent networks at the edge of chaos.

Modules
-------
quadrature  Gaussian expectations accurate to ~1e-14
criterion   the gated-RNN criterion g_c = (mean L^2 R^2 / (1 - M)^2)^(-1/2) (thesis section 4)
dmft        mean-field variance map, fixed point, growth factor, critical gains (thesis sections 2-3)
vanilla     batched simulations of the Sompolinsky model and deep random MLPs
models      batched RNN/GRU/LSTM dynamics with exact Jacobian-vector products
lyapunov    Lyapunov exponents (natural log per step): Benettin, QR spectra, every renormalised loop
datasets    Mackey-Glass (the thesis's map and the delay equation by RK4) and logistic-map series
reservoir   reservoirs driven by a series (batched over gains), ridge readouts from one eigendecomposition
sweep       parameter sweeps: per-task seeds, resumable on-disk cache, any executor (incl. Dask)
bench       timing helpers for the engine (benchmarks/bench_models.py)
spectra     random-matrix helpers (circular law)
glorot      Glorot (Ginibre) matrices at finite N: Rider's edge law, rescaled Glorot, linear recurrences
init        every weight and bias draw (Gaussian coupling, Glorot, He, orthogonal, identity, eigen, chrono), seeded
profiles    run sizes (``CRITICALITY_PROFILE`` = quick | book | paper)
plotting    the book's figures
report      reproduction tables and the run environment
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("criticality")
except _metadata.PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

from . import criterion, datasets, dmft, glorot, init, lyapunov, models, profiles, quadrature, report, reservoir, spectra, sweep, vanilla  # noqa: E402,F401
from .profiles import profile  # noqa: E402,F401
