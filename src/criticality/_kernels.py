r"""Fused element-wise kernels of the engine's step (:func:`criticality.models._fast`), compiled by numba.

After the matrix products, a step with tangents makes some forty element-wise passes in numpy: at
:math:`N \le 500` they take as long as the products. These kernels do the same arithmetic in one pass
per stage, with the state and tangent columns side by side, and evaluate the exponentials with
:func:`_exp`, a Cody-Waite reduction and a degree-13 polynomial (within one unit in the last place
of ``numpy.exp`` on :math:`[-700, 0]`, tested) that the compiler vectorises, where ``math.exp`` would be a
scalar call per element. Every exponential is of a non-positive argument:

* :math:`\sigma(x) = 1/(1+e)` and :math:`1-\sigma(x) = e/(1+e)` with :math:`e = e^{-x}` for :math:`x \ge 0`,
  mirrored for :math:`x < 0`: both exact in relative terms for any :math:`x`;
* :math:`\tanh x = -\operatorname{sign}(x)\,m/(2+m)` and :math:`1-\tanh^2 x = 4e/(1+e)^2` with
  :math:`e = e^{-2|x|}` and :math:`m = e - 1` (:func:`_expm1`: a polynomial where :math:`|x|` is small),
  so that both keep their relative precision near 0 and in saturation.

numba is optional. Without it (or with ``CRITICALITY_KERNELS=numpy``) :data:`AVAILABLE` is False and the
engine does the same steps with numpy ufuncs. The kernels take Fortran-ordered arrays (the engine
then computes its products in the transposed form, see :func:`criticality.models._matmul`) and work
in float64 whatever the storage.
"""

from __future__ import annotations

import importlib
import importlib.util
import os

import numpy as np

__all__ = ["AVAILABLE", "ENV_VAR", "gemm_address", "engine_blas"]

ENV_VAR = "CRITICALITY_KERNELS"

# numba is imported (about a second) and the kernels loaded from its cache only when a step first needs
# them, so that a process which never steps a network does not pay for it
AVAILABLE = (os.environ.get(ENV_VAR, "").strip().lower() != "numpy"
             and importlib.util.find_spec("numba") is not None)


def __getattr__(name):
    """A kernel, from :mod:`criticality._numba_kernels` (imported on first use, then kept here)."""
    if name.startswith("__"):
        raise AttributeError(name)
    value = globals()[name] = getattr(importlib.import_module("._numba_kernels", __package__), name)
    return value


def _blas_libraries() -> list[dict]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover
        return []
    return [d for d in threadpool_info() if d.get("user_api") == "blas"]


def engine_blas() -> dict | None:
    """The BLAS library that runs numpy's matrix products, hence the engine's GEMMs (and the compiled
    loop's, :func:`gemm_address`) and :func:`criticality.bench.gemm_peak`: the one shipped inside
    numpy's own folder (``numpy.libs``, ``numpy/.dylibs``...) if several are loaded (scipy and torch
    bring their own copies), else the only one. A threadpoolctl info dict."""
    libs = _blas_libraries()
    root = os.path.dirname(os.path.dirname(np.__file__))
    own = [d for d in libs if os.path.relpath(d.get("filepath", ""), root).split(os.sep)[0].startswith("numpy")]
    return (own or libs or [None])[0]


_GEMM_SYMBOLS = {"float64": ("scipy_cblas_dgemm64_", "cblas_dgemm64_"),
                 "float32": ("scipy_cblas_sgemm64_", "cblas_sgemm64_")}
_gemm_addresses = {}


def gemm_address(dtype) -> int | None:
    """The address of the ILP64 ``cblas_dgemm`` (float64) or ``cblas_sgemm`` (float32) of the BLAS that runs
    numpy's products (:func:`engine_blas`), for the compiled Benettin loop; None if
    numba is off or that BLAS exports neither name (the loop then runs in Python, step by step)."""
    name = np.dtype(dtype).name
    if not AVAILABLE or name not in _GEMM_SYMBOLS:
        return None
    if name not in _gemm_addresses:
        import ctypes

        info, found = engine_blas(), None
        if info is not None:
            try:
                lib = ctypes.CDLL(info["filepath"])
            except OSError:
                lib = None
            found = next((getattr(lib, s) for s in _GEMM_SYMBOLS[name] if lib is not None and hasattr(lib, s)), None)
        _gemm_addresses[name] = ctypes.cast(found, ctypes.c_void_p).value if found is not None else None
    return _gemm_addresses[name]
