"""criticality.spectra: eigenvalues of stacks with an executor."""

import numpy as np

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
