"""A text file's bytes as blocks of whole lines, and the lines of a block as text.

The bytes are those of ``text_encoding.text_bytes``: every ASCII character is a byte of its own,
so a line end is found without decoding. Lines end in \\n, \\r\\n or \\r (old Macs), as Python's
csv module reads them. A block is a few megabytes of whole lines, so memory does not grow with
the file; a line longer than the limit is refused as soon as it is read (a table does not have
megabyte lines, a binary file does).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from app_files.uploaded import UploadError

BLOCK_BYTES = 2 * 1024 * 1024
# Every line with its end; the last line of a file may have none.
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# At most this many bytes a character, in the codecs of ``text_bytes``: UTF-8's four.
_MAX_CHARACTER_BYTES = 4


@dataclass(frozen=True)
class LineBlock:
    """Whole lines of a file, each with its line end (the file's last line may lack one)."""

    data: bytes
    first_line: int  # the number of its first line in the file; the file's first line is 1
    # How many \n, \r and \r\n it holds: how many lines, and how they end.
    newlines: int
    carriage_returns: int
    crlf: int

    @classmethod
    def of(cls, data: bytes, first_line: int) -> LineBlock:
        has_carriage_returns = b"\r" in data
        return cls(
            data,
            first_line,
            newlines=data.count(b"\n"),
            carriage_returns=data.count(b"\r") if has_carriage_returns else 0,
            crlf=data.count(b"\r\n") if has_carriage_returns else 0,
        )

    @property
    def line_ends(self) -> int:
        """How many of its lines have an end: all, but for a file's last line without one."""
        return self.newlines + self.carriage_returns - self.crlf


def line_blocks(file: BinaryIO, line_characters: int, filename: str) -> Iterator[LineBlock]:
    """The file's lines, a block at a time; UploadError for a line longer than the limit."""
    line = 1  # the number of the next block's first line
    unfinished = b""  # the start of a line whose end is not read yet
    while True:
        read = file.read(BLOCK_BYTES)
        data = unfinished + read
        if read:  # else the end of the file: the last line needs no end
            # A \r at the end may be the first half of \r\n: it ends the block only with the next.
            end = len(data) - 1 if data.endswith(b"\r") else len(data)
            cut = max(data.rfind(b"\n", 0, end), data.rfind(b"\r", 0, end)) + 1
            data, unfinished = data[:cut], data[cut:]
        if data:
            block = LineBlock.of(data, line)
            yield block  # before the line below is refused: a line in it may be refused first
            line += block.line_ends
        if len(unfinished) > _MAX_CHARACTER_BYTES * (line_characters + 2):
            raise UploadError(too_long(line, line_characters, filename))
        if not read:
            return


def lines_of(block: LineBlock, encoding: str, line_characters: int, filename: str) -> Iterator[str]:
    """The block's lines as text; UploadError for a line longer than the limit."""
    # newline="" splits lines at \n, \r\n and \r, and keeps their ends, as csv needs them.
    for number, line in enumerate(io.StringIO(block.data.decode(encoding, "replace"), newline="")):
        if len(line) > line_characters:  # checked here first: this runs for every line
            _check_length(line, block.first_line + number, line_characters, filename)
        yield line


def lines_with_ends(
    block: LineBlock, encoding: str, line_characters: int, filename: str
) -> Iterator[tuple[str, int]]:
    """``lines_of``, each line with the offset in ``block.data`` where it ends."""
    for number, match in enumerate(_LINE.finditer(block.data)):
        # Decoding line by line gives the same text as decoding the whole block: a byte that does
        # not decode ends at the next ASCII character, and every line ends in one.
        line = match.group().decode(encoding, "replace")
        if len(line) > line_characters:
            _check_length(line, block.first_line + number, line_characters, filename)
        yield line, match.end()


def _check_length(line: str, number: int, line_characters: int, filename: str) -> None:
    """UploadError for a line longer than the limit, its end not counted."""
    if len(line.rstrip("\r\n")) > line_characters:
        raise UploadError(too_long(number, line_characters, filename))


def too_long(line: int, line_characters: int, filename: str) -> str:
    return (
        f"Line {line:,} of {filename} is longer than {line_characters:,} characters, which "
        "no table needs. Check that the file is a table, one row per line."
    )
