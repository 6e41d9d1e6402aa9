"""criticality.spectra: eigenvalues of stacks with an executor."""

import numpy as np
import pytest

from criticality import spectra


def test_eigenvalues_with_an_executor_equal_the_serial_ones():
    import concurrent.futures as cf

    from criticality import glorot

    W = glorot.glorot(30, seed=1, samples=11)
    with cf.ThreadPoolExecutor(2) as pool:  # the same BLAS threads: bit for bit
        np.testing.assert_array_equal(spectra.eigenvalues(W, pool), spectra.eigenvalues(W))
        np.testing.assert_array_equal(spectra.spectral_radius(W, pool), spectra.spectral_radius(W))
        np.testing.assert_array_equal(glorot.spectral_radii(30, 11, seed=2, chunk=4, executor=pool),
                                      glorot.spectral_radii(30, 11, seed=2, chunk=4))
        one = spectra.eigenvalues(W[0], pool)  # a single matrix is not split
        np.testing.assert_array_equal(one, spectra.eigenvalues(W[0]))


def _matched(a, b):
    """Largest distance from an eigenvalue of ``a`` to the nearest of ``b``, and back."""
    d = np.abs(a[:, None] - b[None, :])
    return max(d.min(axis=1).max(), d.min(axis=0).max())


@pytest.mark.parametrize("n, dtype, padded", [(512, np.float64, True), (1024, np.float32, True),
                                              (500, np.float64, False), (256, np.complex128, False)])
def test_eigenvalues_of_a_padded_copy_equal_lapacks(n, dtype, padded, monkeypatch):
    """Sizes whose columns are a multiple of 4 KiB go through a zero-padded copy (spectra._eigvals);
    the eigenvalues are those of the matrix, none of the padding's zeros left, the shape kept."""
    rng = np.random.default_rng(n)
    W = rng.standard_normal((2, n, n)) / np.sqrt(n)
    W = (W + 1j * rng.standard_normal((2, n, n)) / np.sqrt(n) if dtype == np.complex128 else W).astype(dtype)
    W[1, :, :3] = 0.0  # three exact zero eigenvalues of the matrix itself
    calls = []
    monkeypatch.setattr(np.linalg, "eigvals", lambda a, f=np.linalg.eigvals: calls.append(a.shape) or f(a))
    lam = spectra.eigenvalues(W)
    assert calls == [(2, n + spectra.PAD, n + spectra.PAD) if padded else (2, n, n)]
    assert lam.shape == (2, n)
    tol = 1e-3 if dtype == np.float32 else 1e-10
    for k in range(2):
        assert _matched(lam[k], np.linalg.eigvals(W[k].astype(np.complex128))) < tol
    assert np.sum(lam[1] == 0) == 3 and np.sum(lam[0] == 0) == 0  # none of the padding's zeros left
