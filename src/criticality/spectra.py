r"""Random-matrix helpers.

Circular law (thesis section 2.2): the eigenvalues of :math:`gU`, :math:`U_{ij}\sim\mathcal N(0,1/N)`,
fill the disk of radius :math:`g` uniformly as :math:`N\to\infty`. At finite ``N`` the largest modulus
exceeds ``g`` by a few :math:`1/\sqrt N` (see the Glorot-edge chapter).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_positive_int, as_real_array
from .vanilla import random_coupling

__all__ = ["gain_matrix_eigenvalues", "spectral_radius", "fraction_inside"]


def gain_matrix_eigenvalues(n: int, g: float = 1.0, seed=None) -> np.ndarray:
    """Eigenvalues of ``g U`` with ``U`` an ``n x n`` matrix of i.i.d. N(0, 1/n) entries."""
    n = as_positive_int("n", n)
    g = float(as_real_array("g", g))
    return np.linalg.eigvals(g * random_coupling(n, np.random.default_rng(seed)))


def spectral_radius(matrix) -> float:
    """Largest eigenvalue modulus of a square matrix."""
    a = np.asarray(matrix)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"matrix must be square, got shape {a.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(a))))


def fraction_inside(eigenvalues, radius: float) -> float:
    """Fraction of eigenvalues with modulus below ``radius``; the circular law predicts ``min(1, (radius/g)^2)``."""
    r = float(as_real_array("radius", radius))
    ev = np.asarray(eigenvalues)
    return float(np.mean(np.abs(ev) < r))
