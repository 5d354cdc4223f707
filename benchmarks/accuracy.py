"""Our statistics of a table against numpy's, which holds every number and sorts them.

The benchmark runs this check on its generated tables, and ``tests/demo/test_accuracy.py`` on a
smaller one of the same kind. What must agree, per column:

- exactly: the counts, the minimum and the maximum, the mean (the exact mean in fractions,
  correctly rounded, which numpy's mean is not), and every histogram count, recounted by numpy
  with our edges;
- within the accuracy ``tablestats.distribution`` states: the median, the 5% and 95% quantiles;
- to 1e-9, relatively: the standard deviation (numpy's, n - 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

import numpy as np

QUANTILES = {"p05": 0.05, "median": 0.5, "p95": 0.95}


def accuracy_problems(summary: dict, header: Sequence[str], rows: Iterable[list]) -> list[str]:
    """What in ``summary`` (``Summary.to_dict()``) disagrees with numpy on ``rows``; [] if all
    agrees. Cells are as the benchmark generates them: ``int``, ``float`` or text."""
    columns = list(zip(*rows, strict=True))  # the whole table: this is a check, not the app
    if [column["name"] for column in summary["columns"]] != list(header):
        return [f"columns {[c['name'] for c in summary['columns']]}, expected {list(header)}"]
    problems = []
    for ours, cells in zip(summary["columns"], columns, strict=True):
        numbers = np.array([c for c in cells if type(c) in (int, float)], dtype=np.float64)
        problems += [
            f"{ours['name']}: {problem}" for problem in _column_problems(ours, len(cells), numbers)
        ]
    return problems


def _column_problems(ours: dict, filled: int, numbers: np.ndarray) -> list[str]:
    """``filled``: the column's cells, all of which hold a value in a generated table."""
    problems = []

    def expect(name: str, expected: object) -> None:
        if ours[name] != expected:
            problems.append(f"{name} {ours[name]!r}, expected {expected!r}")

    expect("count", filled)
    expect("numeric_count", len(numbers))
    expect("numbers_as_text", 0)
    expect("formulas_without_value", 0)
    if not len(numbers):
        return problems
    expect("min", numbers.min())
    expect("max", numbers.max())
    expect("mean", float(sum(map(Fraction, numbers.tolist())) / len(numbers)))
    if len(numbers) > 1 and not math.isclose(ours["std"], numbers.std(ddof=1), rel_tol=1e-9):
        problems.append(f"std {ours['std']!r}, expected {numbers.std(ddof=1)!r}")
    for name, q in QUANTILES.items():
        error = abs(ours[name] - np.quantile(numbers, q))
        if error > allowed_error(numbers, q):
            problems.append(f"{name} {ours[name]!r} is {error:.3g} from numpy's")
    edges, counts = ours["histogram"]["edges"], ours["histogram"]["counts"]
    if edges[0] > numbers.min() or edges[-1] < numbers.max():
        problems.append(f"histogram from {edges[0]!r} to {edges[-1]!r} leaves numbers out")
    bins = np.searchsorted(edges, numbers, side="right") - 1
    bins[bins == len(counts)] = len(counts) - 1  # the last edge itself is in the last bin
    expect_counts = np.bincount(bins, minlength=len(counts)).tolist()
    if counts != expect_counts:
        problems.append(f"histogram counts {counts}, numpy counts {expect_counts} in our bins")
    return problems


def allowed_error(numbers: np.ndarray, q: float) -> float:
    """The accuracy ``tablestats.distribution`` states for the q-quantile of ``numbers`` (its
    clause on magnitudes below 1e-35 of the largest is left out: no generated column has any)."""
    lower = np.quantile(numbers, q, method="lower")
    higher = np.quantile(numbers, q, method="higher")
    magnitude = max(abs(lower), abs(higher))
    one_interval = max(
        numbers.max() / 1023 - numbers.min() / 1023, 2 * math.ulp(float(abs(numbers).max()))
    )
    return min(0.01 * magnitude, one_interval) + 2 * math.ulp(magnitude)
