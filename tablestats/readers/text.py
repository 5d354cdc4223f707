"""Delimited text (.csv, .tsv, .txt) to rows, in bounded memory.

Text files come from many programs and locales, so the reader works out from the first 64 kB:

- the encoding (``text_encoding``, which also refuses what is not text);
- the delimiter: of tab, semicolon, comma and pipe, the one that splits the lines into the same
  number of fields (two or more), preferring them in that order when several do.
- the decimal mark: a decimal comma (``1,5``) when the delimiter is not a comma and the numbers in
  the sample have commas but no points.

Lines are read one at a time, so memory does not grow with the file; a line longer than the limit
is refused (a table does not have megabyte lines, a binary file does). The rows hold text; the
table's ``parse_numbers`` turns the cells of a column that read as finite numbers into floats
(the statistics call it a column at a time). "nan", "inf" and numbers with thousands separators
stay text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from functools import partial
from itertools import islice
from operator import itemgetter
from typing import BinaryIO

from app_files.uploaded import UploadError
from tablestats.limits import Limits
from tablestats.numbers import numbers_in_column
from tablestats.readers.text_encoding import detect_encoding, open_text
from tablestats.table import Table

_SAMPLE_BYTES = 64 * 1024
_SAMPLE_LINES = 50
_DELIMITERS = ("\t", ";", ",", "|")  # in order of preference when several fit


def read_text(file: BinaryIO, filename: str, limits: Limits) -> Table:
    """The header and rows of a delimited text file; UploadError if it is not one."""
    sample = file.read(_SAMPLE_BYTES)
    file.seek(0)
    encoding = detect_encoding(sample, filename)
    # Decoded exactly as the file will be read, so that detection sees what csv will see.
    sample_text = _complete_lines(open_text(io.BytesIO(sample), encoding).read())
    delimiter = _detect_delimiter(sample_text)
    decimal_comma = delimiter != "," and _uses_decimal_comma(sample_text, delimiter)

    lines = _lines_within_limit(open_text(file, encoding), limits.line_characters, filename)
    rows = _reporting_errors(csv.reader(lines, delimiter=delimiter), filename)
    header = next((row for row in rows if any(row)), None)  # blank lines above it do not count
    if header is None:
        raise UploadError(
            f"{filename} holds no rows. Put the column names in the first row and the data below."
        )
    if len(header) > limits.columns:
        raise UploadError(
            f"The first row of {filename} has {len(header):,} columns; this app reads at most "
            f"{limits.columns:,}. Check that the file is a table with one header row."
        )
    # Cells past the header's last column do not count; cutting them off at once keeps a line of
    # a million empty fields from being held 512 rows at a time.
    within_header = map(itemgetter(slice(len(header))), rows)
    return Table(
        header=header,
        rows=within_header,
        sheet=None,
        parse_numbers=partial(numbers_in_column, decimal_comma=decimal_comma),
    )


def _complete_lines(sample_text: str) -> str:
    """The sample without its last line, which the 64 kB cut may have broken off."""
    last_newline = max(sample_text.rfind("\n"), sample_text.rfind("\r"))
    return sample_text[: last_newline + 1] if last_newline > 0 else sample_text


def _detect_delimiter(sample_text: str) -> str:
    best, best_score = ",", 0.0
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(sample_text), delimiter=delimiter)
        try:
            widths = [len(row) for row in islice(reader, _SAMPLE_LINES) if row]
        except csv.Error:
            continue
        if not widths:
            continue
        common_width = max(set(widths), key=widths.count)
        if common_width < 2:
            continue
        score = widths.count(common_width) / len(widths)
        if score > best_score:  # on a tie, the delimiter earlier in the list stays
            best, best_score = delimiter, score
    return best


def _uses_decimal_comma(sample_text: str, delimiter: str) -> bool:
    edge = f"(?:^|{re.escape(delimiter)}|$)"
    with_comma = re.search(rf"{edge}\s*-?\d+,\d+\s*(?={edge})", sample_text, re.MULTILINE)
    with_point = re.search(rf"{edge}\s*-?\d+\.\d+\s*(?={edge})", sample_text, re.MULTILINE)
    return bool(with_comma) and not with_point


def _lines_within_limit(text: io.TextIOWrapper, limit: int, filename: str) -> Iterator[str]:
    line_number = 0
    while line := text.readline(limit + 1):
        line_number += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise UploadError(
                f"Line {line_number:,} of {filename} is longer than {limit:,} characters, which "
                "no table needs. Check that the file is a table, one row per line."
            )
        yield line


def _reporting_errors(reader: Iterator[list[str]], filename: str) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            problem = (
                f"has a value longer than {csv.field_size_limit():,} characters, more than a "
                "spreadsheet cell holds (Excel's limit is 32,767)"
            )
        else:
            problem = f"cannot be read as CSV ({error})"
        raise UploadError(
            f"Line {reader.line_num:,} of {filename} {problem}. This is often a quote that is "
            "never closed: check the quotes on that line, or export the table again."
        ) from None
