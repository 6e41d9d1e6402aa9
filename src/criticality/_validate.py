"""Argument checks shared by the public API: clear errors that name the parameter and its range."""

from __future__ import annotations

import numbers

import numpy as np

# Limits of the public API's arguments, in one place. Within them nothing overflows: at a gain of 1e6
# every unit is saturated far beyond float precision already.
MAX_DENSE_N = 10_000  # largest N of a dense N x N matrix we build and diagonalise (800 MB)
MAX_N = 65_536  # largest N of a network we simulate (one N x N float64 matrix is then 34 GB)
MAX_COUNT = 10**9  # steps, layers, iterations, samples: more would run for days
MAX_SCALE = 1e6  # gains, bias and input scales, initial scales and squared distances
MAX_MATRIX_GAIN = MAX_SCALE  # largest gain, bias width and |diagonal entry| of a dense matrix


def _range_text(minimum, strict, maximum, strict_max) -> str:
    parts = [] if minimum is None else [f"{'>' if strict else '>='} {minimum:g}"]
    if maximum is not None:
        parts.append(f"{'<' if strict_max else '<='} {maximum:g}")
    return " and ".join(parts)


def as_real_array(name: str, value, *, minimum: float | None = 0.0, strict: bool = False,
                  maximum: float | None = None, strict_max: bool = False) -> np.ndarray:
    """Return ``value`` as a float array after checking it is finite and in range.

    The range is ``minimum <= value <= maximum`` (``<`` with ``strict`` / ``strict_max``; ``None``
    for no bound).

    Raises ``TypeError`` for non-numeric, boolean or complex input and ``ValueError`` naming
    ``name`` and the allowed range for NaN, infinite or out-of-range entries.
    """
    kind = "a real number or array of real numbers"
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be {kind}, got {value!r}")
    raw = _asarray(name, value)
    if raw.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got a complex value")
    if raw.dtype.kind not in "iufO":
        raise TypeError(f"{name} must be {kind}, got dtype {raw.dtype}")
    try:
        arr = raw.astype(float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be {kind}, got {value!r}") from exc
    limits = (minimum, strict, maximum, strict_max)
    if not np.isfinite(arr).all():
        text = _range_text(*limits)
        raise ValueError(f"{name} must be finite{' and ' + text if text else ''}, got {value!r}")
    if arr.size and (minimum is not None and (arr.min() <= minimum if strict else arr.min() < minimum)
                     or maximum is not None and (arr.max() >= maximum if strict_max else arr.max() > maximum)):
        raise ValueError(f"{name} must be {_range_text(*limits)}, got {value!r}")
    return arr


def _asarray(name: str, value) -> np.ndarray:
    try:
        return np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array: {exc}") from exc


def as_numeric_array(name: str, value) -> np.ndarray:
    """Real numbers as a float array, non-finite entries allowed (a TypeError names ``name`` for
    strings, None, booleans and complex values)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of real numbers, got {value!r}")
    arr = _asarray(name, value)
    if arr.dtype.kind not in "iuf" or arr.dtype == bool:
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    return arr.astype(float)


def as_real_scalar(name: str, value, **limits) -> float:
    """:func:`as_real_array` for a single number (0-d input); returns a Python float."""
    arr = as_real_array(name, value, **limits)
    if arr.ndim:
        raise ValueError(f"{name} must be a single number, got an array of shape {arr.shape}")
    return float(arr)


def as_positive_int(name: str, value, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Check that ``value`` is an integer in ``[minimum, maximum]`` (bools rejected)."""
    allowed = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer {allowed}, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    return int(value)


def as_finite_array(name: str, value, *, maximum: float | None = None) -> np.ndarray:
    """A real or complex array with finite entries, of modulus at most ``maximum`` if given (eigenvalues, matrices)."""
    arr = _asarray(name, value)
    if arr.dtype.kind not in "iufc":
        raise TypeError(f"{name} must be an array of real or complex numbers, got dtype {arr.dtype}")
    if maximum is None:
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must be finite")
        return arr
    # a float32 array is compared with a bound it can hold (1e150 cast to float32 overflows, with a warning)
    bound = min(maximum, float(np.finfo(arr.dtype).max)) if arr.dtype.kind in "fc" else maximum
    if not (np.isfinite(arr).all() and np.all(np.maximum(np.abs(arr.real), np.abs(arr.imag)) <= bound)):
        raise ValueError(f"{name} must have finite entries with real and imaginary parts in "
                         f"[-{maximum:g}, {maximum:g}]")
    return arr


def as_matrix_stack(name: str, value) -> np.ndarray:
    """A square matrix (n, n) or a stack of them (S, n, n), n >= 1, finite (see :func:`as_finite_array`),
    returned as a stack (S, n, n)."""
    arr = as_finite_array(name, value)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1] != arr.shape[2] or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a square matrix or a stack of them (shape (S, n, n)), got {arr.shape}")
    return arr


def broadcast(**arrays) -> list[np.ndarray]:
    """``np.broadcast_arrays`` with an error that names the arguments and their shapes."""
    try:
        return np.broadcast_arrays(*arrays.values())
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"{', '.join(arrays)} must have broadcastable shapes, got {shapes}") from None


def as_rng(seed, name: str = "seed") -> np.random.Generator:
    """``np.random.default_rng(seed)`` with an error that names the argument."""
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name} must be None, a non-negative integer or a numpy Generator, "
                        f"got {seed!r}") from exc


def as_count(name: str, value, minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    """A size or iteration count: an integer in ``[minimum, maximum]``."""
    return as_positive_int(name, value, minimum=minimum, maximum=maximum)


def as_scales(name: str, value, *, maximum: float | None = MAX_SCALE, **limits) -> np.ndarray:
    """:func:`as_real_array` with the upper limit ``MAX_SCALE`` by default (gains, widths, scales)."""
    return as_real_array(name, value, maximum=maximum, **limits)


def as_scale(name: str, value, *, maximum: float | None = MAX_SCALE, **limits) -> float:
    """One number in range (see :func:`as_scales`)."""
    return as_real_scalar(name, value, maximum=maximum, **limits)


def as_vector(name: str, value, **limits) -> np.ndarray:
    """A non-empty 1-d array (a scalar becomes length 1) of finite reals in range (see :func:`as_scales`)."""
    arr = np.atleast_1d(as_scales(name, value, **limits))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a number or a non-empty 1-d array, got shape {arr.shape}")
    return arr


def scalar_or_array(arr: np.ndarray):
    """Return a Python float for 0-d input, the array otherwise."""
    return float(arr) if arr.ndim == 0 else arr
