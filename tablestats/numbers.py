"""Text to numbers: which cells of a text file (.csv) hold a number, read a column at a time.

The statistics apply ``numbers_in_column`` (as ``Table.parse_numbers``) to each block of a column,
which is several times faster than converting every cell as it is read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

_SIGNS = ("+", "-", ".")  # besides a digit, what a number can start with
_MAY_BE_A_NUMBER = re.compile(r"^\s*[\d+\-.]", re.MULTILINE)  # a line that starts like one


def numbers_in_column(cells: Sequence, decimal_comma: bool) -> Sequence:
    """The cells of one column, with every cell that reads as a finite number as a float."""
    texts = [cell.replace(",", ".") if cell else cell for cell in cells] if decimal_comma else cells
    try:
        numbers = list(map(float, texts))  # a column of numbers converts in one call
    except (ValueError, TypeError):  # text, an empty cell (""), or a short row's padding (None)
        # A column that is not all numbers is mostly all text: one search over the whole column
        # finds whether any cell may be a number, instead of a look at every cell.
        if not _MAY_BE_A_NUMBER.search("\n".join(filter(None, texts))):
            return cells
        return _numbers_one_by_one(cells, texts)
    # float() also reads "nan" and "inf", and "1e999" overflows: none of those is a measurement.
    return numbers if math.isfinite(sum(numbers)) else _numbers_one_by_one(cells, texts)


def _numbers_one_by_one(cells: Sequence, texts: Sequence) -> list:
    values = list(cells)
    for index, text in enumerate(texts):
        # A quick look at the first character skips most text; float() reads the rest, spaces
        # (any kind, as float() does) and all.
        start = text.lstrip()[:1] if text else ""
        if start.isdigit() or start in _SIGNS:
            try:
                number = float(text)
            except ValueError:
                continue
            if math.isfinite(number):
                values[index] = number
    return values
