"""How much text the Excel reader will hold for a sheet's shared strings.

Excel keeps each distinct text once, in ``xl/sharedStrings.xml``, and a cell refers to it by
number (``<c t="s"><v>7</v></c>``). python-calamine copies the text into every cell that refers to
it: a workbook of a few hundred kilobytes with one 32,000-character text used by 100,000 cells
asks for 3 GB. So the guard measures every shared string (``SharedStringSizes``), collects the
numbers the cells of each sheet refer to, and adds up what the reader will hold
(``check_text``) before the reader runs.

A string's size is taken as the length of its XML, an upper bound of the text's length (markup and
entities only make the XML longer), so the sum is never too small.
"""

from __future__ import annotations

import re
from array import array

from app_files.uploaded import UploadError
from tablestats.limits import MB, Limits
from tablestats.readers.zip_parts import damaged

_STRING_START = re.compile(rb"<si[\s/>]")  # the start of one string, <si> ... </si>


class SharedStringSizes:
    """The size of each shared string, in order, from the XML of the shared strings part.

    The n-th ``<si>`` tag is the n-th string only in XML written plainly; a comment, processing
    instruction or namespace prefix could shift the count, so ``plain`` says whether it held.
    """

    def __init__(self) -> None:
        self.sizes = array("Q")
        self.plain = True
        self._open: int | None = None  # the size so far of the string the last chunk ended in
        self._in_prolog = True

    def add(self, chunk: bytes) -> None:
        body = chunk
        if self._in_prolog:
            root = chunk.find(b"<sst")
            body = chunk[root:] if root >= 0 else b""
            self._in_prolog = root < 0
        if b"<!" in body or b"<?" in body or b":si" in body:
            self.plain = False
        # One split per chunk and C-level lengths: millions of strings take a fraction of a second.
        lengths = list(map(len, _STRING_START.split(chunk)))
        if self._open is not None:
            self._open += lengths[0]
        if len(lengths) > 1:
            if self._open is not None:
                self.sizes.append(self._open)
            self.sizes.extend(lengths[1:-1])
            self._open = lengths[-1]

    def close(self) -> None:
        if self._open is not None:
            self.sizes.append(self._open)
            self._open = None

    @property
    def total(self) -> int:
        return sum(self.sizes)


def check_text(
    shared: SharedStringSizes | None,
    references: list[array],
    unmeasured: list[int],
    filename: str,
    limits: Limits,
) -> None:
    """Raise UploadError if a sheet would make the reader hold more text than the limit.

    ``references`` holds, per sheet, the shared string numbers its cells refer to; ``unmeasured``
    the number of shared-string cells of sheets whose references were only counted (those that
    needed the exact scan): each is taken to refer to the longest string.
    """
    sizes = shared.sizes if shared is not None else array("Q")
    if shared is not None and not shared.plain:
        # The strings cannot be told apart reliably: take each reference at the whole part's size.
        unmeasured = unmeasured + [len(numbers) for numbers in references]
        references = []
        longest = shared.total
    else:
        longest = max(sizes, default=0)
    worst = max([_sum_of(sizes, numbers, filename) for numbers in references], default=0)
    worst = max(worst, max(unmeasured, default=0) * longest)
    if len(sizes) > limits.cells or sum(sizes) + worst > limits.text_bytes:
        raise UploadError(
            f"{filename} holds more text than this app reads at once (over "
            f"{limits.text_bytes / MB:,.0f} MB, counting each cell that repeats a text). Remove "
            "long texts that the table does not need, or split it into smaller workbooks."
        )


def _sum_of(sizes: array, numbers: array, filename: str) -> int:
    if numbers and max(numbers) >= len(sizes):  # refers to a string that is not there
        raise UploadError(damaged(filename))
    return sum(map(sizes.__getitem__, numbers))
