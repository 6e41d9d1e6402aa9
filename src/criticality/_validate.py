"""Argument checks shared by the public API: clear errors that name the parameter."""

from __future__ import annotations

import numbers

import numpy as np


def as_real_array(name: str, value, *, minimum: float | None = 0.0, strict: bool = False) -> np.ndarray:
    """Return ``value`` as a float array after checking it is finite and in range.

    Raises ``TypeError`` for non-numeric input and ``ValueError`` naming ``name``
    and the allowed range for NaN, infinite or out-of-range entries.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a real number or array of real numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a real number or array of real numbers, got {value!r}") from exc
    if np.iscomplexobj(np.asarray(value)):
        raise TypeError(f"{name} must be real, got a complex value")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if minimum is not None:
        bad = arr <= minimum if strict else arr < minimum
        if np.any(bad):
            rng = f"> {minimum:g}" if strict else f">= {minimum:g}"
            raise ValueError(f"{name} must be {rng}, got {value!r}")
    return arr


def as_positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Check that ``value`` is an integer >= ``minimum`` (bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def scalar_or_array(arr: np.ndarray):
    """Return a Python float for 0-d input, the array otherwise."""
    return float(arr) if arr.ndim == 0 else arr
