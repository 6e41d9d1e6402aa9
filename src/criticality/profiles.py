"""Run sizes from one place.

The environment variable ``CRITICALITY_PROFILE`` picks a profile:

``quick``
    small sizes for the test suite (seconds per chapter);
``book`` (default)
    the sizes of the rendered book (under a minute to about three minutes per chapter on two cores);
``paper``
    the sizes of the source papers (minutes to hours; for a workstation or cluster).

Chapters read every size they use from :func:`profile`, so the same notebook runs at any scale.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

ENV_VAR = "CRITICALITY_PROFILE"


@dataclass(frozen=True)
class Profile:
    """Sizes used by the chapters; one instance per profile name."""

    name: str
    n: int  # network size for simulations of the Sompolinsky model
    steps: int  # time steps averaged after the transient
    transient: int  # time steps discarded
    n_gains: int  # gains in simulated sweeps
    n_eig: int  # matrix size for eigenvalue plots
    mlp_n: int  # width of simulated deep MLPs
    mlp_depth: int  # layers used to measure growth after the transient
    mlp_grid: int  # points per axis of the simulated (g, sigma_b) grid
    samples: int  # independent disorder realisations

    def as_dict(self) -> dict:
        return asdict(self)


PROFILES = {
    "quick": Profile("quick", n=400, steps=300, transient=200, n_gains=12, n_eig=600,
                     mlp_n=200, mlp_depth=60, mlp_grid=8, samples=2),
    "book": Profile("book", n=1000, steps=1000, transient=500, n_gains=24, n_eig=1000,
                    mlp_n=500, mlp_depth=150, mlp_grid=16, samples=3),
    "paper": Profile("paper", n=2000, steps=5000, transient=1000, n_gains=48, n_eig=2000,
                     mlp_n=1000, mlp_depth=400, mlp_grid=32, samples=10),
}


def profile(name: str | None = None) -> Profile:
    """Return the profile named ``name``, or the one chosen by ``$CRITICALITY_PROFILE`` (default ``book``)."""
    if name is None:
        name = os.environ.get(ENV_VAR, "book") or "book"
    key = name.strip().lower()
    if key not in PROFILES:
        raise ValueError(f"{ENV_VAR} / name must be one of {sorted(PROFILES)}, got {name!r}")
    return PROFILES[key]
