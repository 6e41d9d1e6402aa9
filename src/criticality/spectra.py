r"""Random-matrix helpers.

Circular law (thesis section 2.2): the eigenvalues of :math:`gU`, :math:`U_{ij}\sim\mathcal N(0,1/N)`,
fill the disk of radius :math:`g` uniformly as :math:`N\to\infty`. At finite ``N`` the largest modulus
exceeds ``g`` by a few :math:`1/\sqrt N` (see the Glorot-edge chapter).
"""

from __future__ import annotations

import numpy as np

from ._validate import MAX_DENSE_N, MAX_MATRIX_GAIN, as_finite_array, as_positive_int, as_real_scalar, as_rng
from .vanilla import random_coupling

__all__ = ["gain_matrix_eigenvalues", "spectral_radius", "fraction_inside"]

MAX_ENTRY = 1e150  # largest |entry| of a matrix or eigenvalue: the radius (<= N max|a|) stays finite


def gain_matrix_eigenvalues(n: int, g: float = 1.0, seed=None) -> np.ndarray:
    """Eigenvalues of ``g U`` with ``U`` an ``n x n`` matrix of i.i.d. N(0, 1/n) entries.

    ``n`` an integer in ``[1, MAX_DENSE_N]``, ``g`` in ``[0, MAX_MATRIX_GAIN]``.
    """
    n = as_positive_int("n", n, maximum=MAX_DENSE_N)
    g = as_real_scalar("g", g, maximum=MAX_MATRIX_GAIN)
    return np.linalg.eigvals(g * random_coupling(n, as_rng(seed)))


def spectral_radius(matrix) -> float:
    """Largest eigenvalue modulus of a non-empty real or complex square matrix, entries ``|a| <= MAX_ENTRY``."""
    a = as_finite_array("matrix", matrix, maximum=MAX_ENTRY)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.size == 0:
        raise ValueError(f"matrix must be a non-empty square matrix, got shape {a.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(a))))


def fraction_inside(eigenvalues, radius: float) -> float:
    """Fraction of eigenvalues with modulus below ``radius``; the circular law predicts ``min(1, (radius/g)^2)``.

    ``eigenvalues``: a non-empty real or complex array, ``|entries| <= MAX_ENTRY``; ``radius``: a
    finite number ``>= 0``.
    """
    r = as_real_scalar("radius", radius)
    ev = as_finite_array("eigenvalues", eigenvalues, maximum=MAX_ENTRY)
    if ev.size == 0:
        raise ValueError("eigenvalues must not be empty")
    return float(np.mean(np.abs(ev) < r))
