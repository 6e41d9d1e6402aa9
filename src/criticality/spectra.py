r"""Random-matrix helpers, and the one home of eigenvalues and spectral radii of given matrices.

Circular law (thesis section 2.2): the eigenvalues of :math:`gU`, :math:`U_{ij}\sim\mathcal N(0,1/N)`,
fill the disk of radius :math:`g` uniformly as :math:`N\to\infty`. At finite ``N`` the largest modulus
exceeds ``g`` by a few :math:`1/\sqrt N` (see the Glorot-edge chapter).
"""

from __future__ import annotations

import numpy as np

from ._validate import MAX_DENSE_N, MAX_MATRIX_GAIN, as_finite_array, as_positive_int, as_real_scalar, as_rng
from .init import gaussian

__all__ = ["gain_matrix_eigenvalues", "eigenvalues", "spectral_radius", "fraction_inside"]

MAX_ENTRY = 1e150  # largest |entry| of a matrix or eigenvalue: the radius (<= N max|a|) stays finite


def gain_matrix_eigenvalues(n: int, g: float = 1.0, seed=None) -> np.ndarray:
    """Eigenvalues of ``g U`` with ``U`` an ``n x n`` matrix of i.i.d. N(0, 1/n) entries.

    ``n`` an integer in ``[1, MAX_DENSE_N]``, ``g`` in ``[0, MAX_MATRIX_GAIN]``.
    """
    n = as_positive_int("n", n, maximum=MAX_DENSE_N)
    g = as_real_scalar("g", g, maximum=MAX_MATRIX_GAIN)
    return eigenvalues(g * gaussian(n, seed=as_rng(seed)))


PARTS = 8  # chunks a stack is split into for an executor: load balance for up to ~4 workers
ALIASED_BYTES = 4096  # LAPACK's real eigenvalue solver is slow when a column is a multiple of this long
PAD = 8  # zero rows and columns added to such a matrix


def _eigvals(a: np.ndarray) -> np.ndarray:
    """``numpy.linalg.eigvals`` of a stack ``(..., n, n)``, through a padded copy where that pays.

    A real matrix whose columns are a multiple of 4 KiB long (float64 with ``n`` a multiple of 512)
    puts the solver's column accesses into the same cache sets: dgeev then takes 1.7-2x as long
    (measured with one thread: 0.23 s at n = 512 against 0.10 at 500, 0.86 s at 1024 against 0.47
    at 1000, and 0.12 s and 0.46 s once padded). The matrix is embedded in the top-left corner of an
    ``(n + PAD)``-square zero matrix: its zero rows and columns add ``PAD`` eigenvalues equal to 0,
    which LAPACK's balancing isolates exactly, and which are dropped (the ``PAD`` of least modulus, in
    a stable order; if the matrix has zero eigenvalues too, it does not matter which zeros go). The
    other eigenvalues keep LAPACK's order and agree with the unpadded ones to rounding. Complex
    matrices gain nothing from padding (measured) and are passed through."""
    n = a.shape[-1]
    if a.dtype.kind != "f" or (n * a.itemsize) % ALIASED_BYTES:
        return np.linalg.eigvals(a)
    padded = np.zeros(a.shape[:-2] + (n + PAD, n + PAD), dtype=a.dtype)
    padded[..., :n, :n] = a
    lam = np.linalg.eigvals(padded)
    keep = np.ones(lam.shape, dtype=bool)
    np.put_along_axis(keep, np.argsort(np.abs(lam), axis=-1, kind="stable")[..., :PAD], False, axis=-1)
    return lam[keep].reshape(a.shape[:-1])


def eigenvalues(matrix, executor=None) -> np.ndarray:
    """Eigenvalues of a real or complex square matrix ``(n, n)``, or of each matrix of a stack
    ``(..., n, n)``: shape ``(n,)`` or ``(..., n)``. Entries finite with ``|a| <= MAX_ENTRY``, ``n >= 1``.

    ``executor`` (a ``concurrent.futures.Executor``, e.g. a process pool whose workers use one BLAS
    thread) splits a stack of matrices into ``PARTS`` chunks and computes them in parallel: LAPACK's
    eigenvalue solver gains nothing from a second BLAS thread, a second process doubles the
    throughput. The result does not depend on how the work is split (the eigenvalues of each matrix
    are computed alone), but it may differ at rounding level from a run whose BLAS uses another
    number of threads. Real matrices whose columns are a multiple of 4 KiB long are solved through a
    padded copy (:func:`_eigvals`)."""
    a = as_finite_array("matrix", matrix, maximum=MAX_ENTRY)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2] or a.size == 0:
        raise ValueError(f"matrix must be a non-empty square matrix or a stack of them (..., n, n), got shape "
                         f"{a.shape}")
    if executor is None or a.ndim == 2:
        return _eigvals(a)
    flat = a.reshape(-1, *a.shape[-2:])
    parts = np.array_split(flat, min(len(flat), PARTS))
    out = np.concatenate(list(executor.map(_eigvals, parts)))
    return out.reshape(*a.shape[:-1])


def spectral_radius(matrix, executor=None):
    """Largest eigenvalue modulus of a square matrix (a float), or of each matrix of a stack
    ``(..., n, n)`` (an array of shape ``(...)``); arguments as for :func:`eigenvalues`."""
    rho = np.abs(eigenvalues(matrix, executor)).max(axis=-1)
    return float(rho) if rho.ndim == 0 else rho


def fraction_inside(eigenvalues, radius: float, centre: complex = 0.0) -> float:
    """Fraction of eigenvalues with :math:`|\\lambda - \\text{centre}| <` ``radius``; about 0 the circular law
    predicts ``min(1, (radius/g)^2)``, about 1 it counts slow modes.

    ``eigenvalues``: a non-empty real or complex array, ``|entries| <= MAX_ENTRY``; ``radius``: a
    finite number ``>= 0``; ``centre``: a finite real or complex number.
    """
    r = as_real_scalar("radius", radius)
    c = as_finite_array("centre", centre, maximum=MAX_ENTRY)
    if c.ndim != 0:
        raise ValueError(f"centre must be one number, got shape {c.shape}")
    ev = as_finite_array("eigenvalues", eigenvalues, maximum=MAX_ENTRY)
    if ev.size == 0:
        raise ValueError("eigenvalues must not be empty")
    return float(np.mean(np.abs(ev - c) < r))
