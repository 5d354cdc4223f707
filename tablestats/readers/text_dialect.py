"""How a delimited text file is written: its delimiter, quotes and decimal mark, from a sample.

- The quote: ``"``, as Excel and pandas quote; ``'`` only when cells are quoted with it and never
  with ``"``, so that a delimiter inside such a cell does not shift the row's cells. When most
  quoted cells stand after a space (``'a', 'b, c', 1``, as SQL and Python write lists), the
  spaces after a delimiter are skipped, so that the quotes count there too.
- Backslash escapes (``\\"`` inside a quoted cell, as some databases write): read when the sample
  has a ``\\"`` that does not end a cell. Excel and pandas would keep the backslashes and, at a
  delimiter inside the quotes, split the cell.
- The delimiter: of tab, semicolon, comma, pipe and ``#``, counted outside quoted cells (a cell
  may span lines, and the sample may end inside one), those that split the lines into a steady
  number of fields (two or more, the header line included). Of those, tab if it is one (text
  almost never holds a tab, but often a comma: a tab-separated file of lists such as ``1,2,3``);
  else the one that makes the most fields, so that a steady comma inside a pipe-delimited line is
  text, not the delimiter. On a tie, the earlier in ``_DELIMITERS``. ``#`` does not count in a
  file whose lines start with it (comments, or numbers such as ``#12``).
- The decimal mark: a decimal comma (``1,5``) when the delimiter is not a comma and the numbers in
  the sample have commas but no points.

A table aligned with spaces (no delimiter, columns padded to line up) is refused with a message
that says so: a space inside a name or an empty cell would shift the columns. Excel and pandas
would show such a file as one column.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from app_files.uploaded import UploadError

_DELIMITERS = ("\t", ";", ",", "|", "#")  # in order of preference when several fit equally
_ANY_DELIMITER = re.escape("".join(_DELIMITERS))
# A delimiter whose lines are this much less steady than the steadiest one's still counts as
# steady: real files have a few ragged lines.
_STEADINESS_MARGIN = 0.1
# Where a quoted cell starts and ends: at an end of its line or next to a delimiter.
_FIELD_START = rf"(?:^|(?<=[{_ANY_DELIMITER}]))[ ]*"
_FIELD_END = rf"[ ]*(?=[{_ANY_DELIMITER}]|$)"
# A table aligned with spaces: most data lines split at white space into the same number of
# fields, and are padded with runs of spaces.
_ALIGNED_SHARE = 0.8


@dataclass(frozen=True)
class Dialect:
    """How to read the file: the arguments of ``csv.reader``, and the decimal mark."""

    delimiter: str = ","
    quotechar: str = '"'
    escapechar: str | None = None
    skipinitialspace: bool = False  # spaces after a delimiter are skipped: 'a', 'b'
    decimal_comma: bool = False


class _Fit(NamedTuple):
    """How well a delimiter splits the lines of a sample."""

    delimiter: str
    fields: int  # the number of fields that most lines have
    steadiness: float  # the share of lines that have that number
    header_agrees: bool  # whether the first line has it too


def detect_dialect(sample_text: str, filename: str) -> Dialect:
    """The dialect of the file that starts with ``sample_text`` (whole lines, decoded)."""
    text = sample_text.replace("\r\n", "\n").replace("\r", "\n")  # old Macs end lines with \r
    quotechar = _quote(text)
    # A \" that does not end a cell is an escaped quote; one before a delimiter ends "C:\".
    escapechar = "\\" if re.search(rf"\\{quotechar}[^{_ANY_DELIMITER}\n]", text) else None
    records = _without_quoted_cells(text, quotechar, escapechar).split("\n")
    lines = [line for line in records if line.strip(" ")]  # a line of tabs is empty cells
    fit = _best_fit(lines)
    if (fit is None or not fit.header_agrees) and _aligned_with_spaces(lines):
        raise UploadError(
            f"{filename} looks like a table aligned with spaces, which this app does not read: "
            "a space in a name or an empty cell would shift the columns. Save it as CSV, with a "
            "comma, semicolon or tab between cells, and upload that file."
        )
    delimiter = fit.delimiter if fit else ","
    after_delimiter = re.escape(delimiter)
    spaced = len(re.findall(rf"{after_delimiter} +{quotechar}", text))
    return Dialect(
        delimiter=delimiter,
        quotechar=quotechar,
        escapechar=escapechar,
        skipinitialspace=spaced > len(re.findall(rf"{after_delimiter}{quotechar}", text)),
        decimal_comma=delimiter != "," and _uses_decimal_comma(text, delimiter),
    )


def _quote(text: str) -> str:
    """``'`` when it quotes cells (on one line: it is an apostrophe too) and ``"`` quotes none."""
    if re.search(rf'{_FIELD_START}"(?:[^"]|"")*"{_FIELD_END}', text, re.M | re.S):
        return '"'
    quoted = re.search(rf"{_FIELD_START}'[^'\n]*'{_FIELD_END}", text, re.MULTILINE)
    return "'" if quoted else '"'


def _without_quoted_cells(text: str, quote: str, escape: str | None) -> str:
    """The text with its quoted cells removed: a delimiter in a quoted cell does not count. A
    cell still open at the end of the sample (cut off within it) goes to the end."""
    inside = rf"[^{quote}\\]|{quote}{quote}|\\." if escape else rf"[^{quote}]|{quote}{quote}"
    cell = rf"{_FIELD_START}{quote}(?:{inside})*(?:{quote}|\Z)"
    return re.sub(cell, "", text, flags=re.M | re.S)


def _best_fit(lines: list[str]) -> _Fit | None:
    if not lines:
        return None
    delimiters = _DELIMITERS
    if any(line.startswith("#") for line in lines):
        delimiters = tuple(delimiter for delimiter in _DELIMITERS if delimiter != "#")
    fits = [fit for fit in (_fit(delimiter, lines) for delimiter in delimiters) if fit.fields >= 2]
    if not fits:
        return None
    steadiest = max(fit.steadiness for fit in fits)
    steady = [
        fit
        for fit in fits
        if fit.header_agrees and fit.steadiness >= steadiest - _STEADINESS_MARGIN
    ]
    # max() keeps the first of equals, so the order of _DELIMITERS breaks ties.
    if steady:
        tab = [fit for fit in steady if fit.delimiter == "\t"]
        return tab[0] if tab else max(steady, key=lambda fit: fit.fields)
    # None agrees with the first line (a title above the header, say): the steadiest.
    return max(fits, key=lambda fit: fit.steadiness)


def _fit(delimiter: str, lines: list[str]) -> _Fit:
    fields = [line.count(delimiter) + 1 for line in lines]
    common, times = Counter(fields).most_common(1)[0]
    return _Fit(delimiter, common, times / len(fields), fields[0] == common)


def _aligned_with_spaces(lines: list[str]) -> bool:
    data_lines = lines[1:]  # names in the header often hold spaces themselves
    if len(data_lines) < 2:
        return False
    fields, times = Counter(len(line.split()) for line in data_lines).most_common(1)[0]
    padded = sum("  " in line.strip() for line in data_lines)
    steady = times >= _ALIGNED_SHARE * len(data_lines)
    return fields >= 2 and steady and padded >= _ALIGNED_SHARE * len(data_lines)


def _uses_decimal_comma(text: str, delimiter: str) -> bool:
    edge = f"(?:^|{re.escape(delimiter)}|$)"
    with_comma = re.search(rf"{edge}\s*-?\d+,\d+\s*(?={edge})", text, re.MULTILINE)
    with_point = re.search(rf"{edge}\s*-?\d+\.\d+\s*(?={edge})", text, re.MULTILINE)
    return bool(with_comma) and not with_point
