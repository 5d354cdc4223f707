"""Which cells hold a number, a column at a time, and which hold a number written as text.

What is a number
----------------
In a workbook, a numeric cell. In a text file (.csv), text in the form that Excel and
``pandas.read_csv`` read as a number (``NUMBER``): ASCII digits, an optional sign, at most one
decimal point (a decimal comma instead, when the text reader detected one), an optional exponent,
and spaces or tabs around. Nothing else: not "nan" or "inf", not "1,234.5" (a thousands
separator), not "２６８７" (full-width digits), although Python's float() reads all of those and
would move the column's mean; so float() only ever reads text that the grammar has accepted.
A number must also be finite: "1e999" overflows and stays text, and infinities and NaN in a
workbook are values, not numbers.

Numbers written as text
-----------------------
A cell of text that is not a number but reads as one in another notation holds a number written as
text (``NUMBER_AS_TEXT``): digits of any script (read as their ASCII digits), a sign, a decimal
point or comma, an exponent, spaces around, and a thousands separator (comma, point, apostrophe or
a space, also a no-break one; the same between every group of three digits): "12.5" in a text cell
of a workbook (Excel's green triangle), "1,234.5", "1 234", "1.234,5", "２６８７". It must read as a
finite number. Such cells are counted per column, so that the app can tell the user why they were
left out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tablestats.decimals import JoinedTexts, read_plain_decimals

_SPACE = r"[^\S\n]"  # any white space within a line


def _number_pattern(mark: str) -> str:
    return rf"[ \t]*[+\-]?(?:[0-9]+(?:{mark}[0-9]*)?|{mark}[0-9]+)(?:[eE][+\-]?[0-9]+)?[ \t]*"


NUMBER = {False: _number_pattern(r"\."), True: _number_pattern(",")}  # by decimal comma
NUMBER_AS_TEXT = (
    rf"{_SPACE}*[+\-]?"
    r"(?:\d{1,3}(?P<separator>[,.'’\u00a0\u202f ])\d{3}(?:(?P=separator)\d{3})*"
    r"(?:(?!(?P=separator))[.,]\d*)?"  # grouped, then a decimal mark that is not the separator
    r"|\d+(?:[.,]\d*)?|[.,]\d+)"
    rf"(?:[eE][+\-]?\d+)?{_SPACE}*"
)
# The same patterns for a whole column of cells joined by line breaks, one cell a line.
_NUMBER_LINES = {comma: re.compile(f"^{p}$", re.MULTILINE) for comma, p in NUMBER.items()}
_NUMBER_AS_TEXT_LINES = re.compile(f"^{NUMBER_AS_TEXT}$", re.MULTILINE)
_NUMBER_AS_TEXT_CELL = re.compile(NUMBER_AS_TEXT)
# The first byte of a cell that may hold either kind of number: a digit, sign, mark, white space,
# or the first byte of a character beyond ASCII (a digit of another script, a no-break space).
# A look at every cell's first byte at once skips a column of words.
_MAY_START_A_NUMBER = np.zeros(256, dtype=bool)
_MAY_START_A_NUMBER[[ord(c) for c in "0123456789+-., \t\v\f\r\x1c\x1d\x1e\x1f"]] = True
_MAY_START_A_NUMBER[0x80:] = True
# Below this many cells, reading them one at a time is as fast as ``read_plain_decimals``.
_FEW_CELLS = 2048
_NUMBER_TYPES = {int, float}  # exact types: bool is a subclass of int but is not a number here
_NONE_TYPE = type(None)
_NO_NUMBERS = np.empty(0)


@dataclass(frozen=True)
class ColumnCells:
    """What some cells of one column hold, for the statistics."""

    filled: int  # cells that hold a value: not empty
    numbers: np.ndarray  # the numbers among them, as finite floats
    numbers_as_text: int  # cells of text that hold a number written as text


def numbers_in_column(cells: Sequence[str], decimal_comma: bool) -> ColumnCells:
    """The numbers in cells of text (a text file; an empty cell is "")."""
    texts = JoinedTexts.of(cells)
    if texts is None or len(cells) < _FEW_CELLS:  # a cell holds a line break, or a few cells
        numbers, as_text = _numbers_one_by_one(cells, decimal_comma)
        return ColumnCells(len(cells) - cells.count(""), numbers, as_text)
    return numbers_in_texts(texts, decimal_comma, cells.__getitem__)


def numbers_in_texts(
    texts: JoinedTexts, decimal_comma: bool, text: Callable[[int], str]
) -> ColumnCells:
    """The numbers in a column of cells given as bytes (a text file). The plain decimals are read
    from the bytes at once; ``text(i)``, the i-th cell as a string, is asked for the few others
    that may be numbers."""
    filled = int(np.count_nonzero(texts.lengths))
    candidates = _MAY_START_A_NUMBER[texts.first_bytes()]
    if not candidates.any():  # a column of words, or empty
        return ColumnCells(filled, _NO_NUMBERS, 0)
    values, read = read_plain_decimals(texts, "," if decimal_comma else ".")
    rest = [text(index) for index in np.flatnonzero(candidates & ~read).tolist()]
    numbers, as_text = _numbers_one_by_one(rest, decimal_comma)
    return ColumnCells(filled, np.concatenate([values[read], numbers]), as_text)


def numbers_in_values(cells: Sequence) -> ColumnCells:
    """The numbers in cells that hold values (a workbook): numbers are int or float, text is
    str, an empty cell is "" or None, and anything else (dates, booleans) is a value."""
    kinds = set(map(type, cells))
    empty = (cells.count("") if str in kinds else 0) + (
        cells.count(None) if _NONE_TYPE in kinds else 0
    )
    if kinds <= _NUMBER_TYPES:
        numbers = np.fromiter(cells, np.float64, len(cells))
    elif kinds & _NUMBER_TYPES:
        numbers = np.array([cell for cell in cells if type(cell) in _NUMBER_TYPES], np.float64)
    else:
        numbers = _NO_NUMBERS
    finite = np.isfinite(numbers)
    if not finite.all():  # an infinity or NaN: a value, not a number
        numbers = numbers[finite]
    if str not in kinds:
        texts = []
    elif kinds == {str}:  # a column of text
        texts = cells
    else:
        texts = [cell for cell in cells if type(cell) is str]
    return ColumnCells(len(cells) - empty, numbers, count_numbers_as_text(texts))


def count_numbers_as_text(texts: Sequence[str]) -> int:
    """How many of ``texts`` hold a number written as text (``NUMBER_AS_TEXT``)."""
    joined = JoinedTexts.of(texts)
    if joined is not None:  # look at the cells that may start a number only
        candidates = np.flatnonzero(_MAY_START_A_NUMBER[joined.first_bytes()])
        texts = [texts[index] for index in candidates.tolist()]
    lines = "\n".join(texts)
    if lines.count("\n") == len(texts) - 1:  # no cell holds a line break: one scan finds all
        matches = _NUMBER_AS_TEXT_LINES.finditer(lines)
    else:
        matches = filter(None, map(_NUMBER_AS_TEXT_CELL.fullmatch, texts))
    return sum(1 for match in matches if _reads_as_finite(match))


def _numbers_one_by_one(texts: Sequence[str], decimal_comma: bool) -> tuple[np.ndarray, int]:
    """The numbers in ``texts``, and how many of the others hold a number written as text."""
    joined = "\n".join(texts)
    if joined.count("\n") == len(texts) - 1:  # no cell holds a line break: one scan finds all
        found = _NUMBER_LINES[decimal_comma].findall(joined)
    else:
        found = [text for text in texts if re.fullmatch(NUMBER[decimal_comma], text)]
    if decimal_comma:
        found = [text.replace(",", ".") for text in found]
    numbers = np.array(list(map(float, found)), dtype=np.float64)
    numbers = numbers[np.isfinite(numbers)]
    # Every number is also a number written as text (the wider form): count them out again.
    return numbers, count_numbers_as_text(texts) - len(numbers)


def _reads_as_finite(match: re.Match) -> bool:
    text = match.group().strip()
    if match.group("separator"):
        text = text.replace(match.group("separator"), "")
    try:
        number = float(text.replace(",", "."))  # float() reads digits of any script
    except ValueError:  # a character that str.strip() takes for a space but float() does not
        return False
    return math.isfinite(number)
