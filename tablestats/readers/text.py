"""Delimited text (.csv, .tsv, .txt) to rows, in bounded memory.

Text files come from many programs and locales, so the reader works out from the first 64 kB the
encoding (``text_encoding``: refusing what is not text) and then how cells are delimited, quoted
and written (``text_dialect``). Line ends may be \\n, \\r\\n or \\r (old Macs).

Lines are read one at a time, so memory does not grow with the file; a line longer than the limit
is refused (a table does not have megabyte lines, a binary file does). The rows hold text; the
table's ``parse_numbers`` turns the cells of a column that read as finite numbers into floats
(the statistics call it a column at a time). "nan", "inf" and numbers with thousands separators
stay text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from functools import partial
from operator import itemgetter
from typing import BinaryIO, Protocol

from app_files.uploaded import UploadError
from tablestats.limits import Limits
from tablestats.numbers import numbers_in_column
from tablestats.readers.text_dialect import detect_dialect
from tablestats.readers.text_encoding import detect_encoding, open_text
from tablestats.table import Table

_SAMPLE_BYTES = 64 * 1024


def read_text(file: BinaryIO, filename: str, limits: Limits) -> Table:
    """The header and rows of a delimited text file; UploadError if it is not one."""
    sample = file.read(_SAMPLE_BYTES)
    file.seek(0)
    encoding = detect_encoding(sample, filename)
    # Decoded exactly as the file will be read, so that detection sees what csv will see.
    sample_text = _complete_lines(open_text(io.BytesIO(sample), encoding).read())
    dialect = detect_dialect(sample_text, filename)

    lines = _lines_within_limit(open_text(file, encoding), limits.line_characters, filename)
    reader = csv.reader(
        lines,
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        escapechar=dialect.escapechar,
    )
    rows = _reporting_errors(reader, filename)
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
        parse_numbers=partial(numbers_in_column, decimal_comma=dialect.decimal_comma),
    )


def _complete_lines(sample_text: str) -> str:
    """The sample without its last line, which the 64 kB cut may have broken off."""
    last_newline = max(sample_text.rfind("\n"), sample_text.rfind("\r"))
    return sample_text[: last_newline + 1] if last_newline > 0 else sample_text


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


class _CsvReader(Protocol):
    """What csv.reader returns: rows, and the number of the line it has read up to."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...


def _reporting_errors(reader: _CsvReader, filename: str) -> Iterator[list[str]]:
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
