"""The values of stored JSON data, checked as they are read back: a count, a finite number, a list
of whole numbers or of numbers. Each raises TypeError or ValueError for anything else, so that a
stored entry that is broken or of an older form is computed again rather than used."""

from __future__ import annotations

import math

import numpy as np


def a_count(value: object) -> int:
    """``value`` if it is a whole number of at least 0."""
    if type(value) is not int:
        raise TypeError(f"expected a count, got {value!r}")
    if value < 0:
        raise ValueError(f"expected a count, got {value!r}")
    return value


def a_number(value: object) -> float:
    """``value`` if it is a finite number (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    return value


def a_number_or_none(value: object) -> float | None:
    return None if value is None else a_number(value)


def whole_numbers(values: object) -> np.ndarray:
    """A list of whole numbers as an int64 array."""
    array = _array(values)
    if len(array) and array.dtype != np.int64:  # floats, texts, booleans, or beyond 64 bits
        raise TypeError(f"expected whole numbers, got {array.dtype}")
    return array.astype(np.int64)


def finite_numbers(values: object) -> np.ndarray:
    """A list of finite numbers as a float64 array."""
    array = _array(values)
    if len(array) and array.dtype.kind not in "if":  # texts, booleans, None
        raise TypeError(f"expected numbers, got {array.dtype}")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError("expected finite numbers")
    return array


def _array(values: object) -> np.ndarray:
    if not isinstance(values, list):
        raise TypeError(f"expected a list, got {type(values).__name__}")
    array = np.array(values)
    if array.ndim != 1:
        raise TypeError("expected a flat list")
    return array
