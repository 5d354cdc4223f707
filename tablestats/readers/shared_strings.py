"""How much text the Excel reader will hold for a sheet's shared strings.

Excel keeps each distinct text once, in ``xl/sharedStrings.xml``, and a cell refers to it by
number (``<c t="s"><v>7</v></c>``). python-calamine copies the text into every cell that refers to
it: a workbook of a few hundred kilobytes with one 32,000-character text used by 100,000 cells
asks for 3 GB. So the guard measures every shared string (``SharedStringSizes``), collects the
numbers the cells of the sheet refer to, and adds up what the reader will hold (``check_text``)
before the reader runs.

A string's size is taken as the length of its XML, an upper bound of the text's length (markup and
entities only make the XML longer), so the sum is never too small.
"""

from __future__ import annotations

import re
from array import array

from app_files.uploaded import UploadError
from tablestats.limits import MB, Limits
from tablestats.readers.xml_chunks import OtherPrefix, qualified, start_tag
from tablestats.readers.zip_parts import damaged


class SharedStringSizes:
    """The size of each shared string, in order, from the XML of the shared strings part.

    ``prefix`` is the namespace prefix of its elements (``xml_chunks.root_prefix``). The n-th
    ``<si>`` tag is the n-th string only in XML written plainly; a comment, processing instruction
    or ``<si>`` under another prefix could shift the count, so ``plain`` says whether it held.
    """

    def __init__(self, prefix: bytes = b"") -> None:
        self.sizes = array("Q")
        self.plain = True
        self._root = start_tag(prefix, b"sst")
        self._string_start = re.compile(b"<" + qualified(prefix, b"si") + rb"[\s/>]")
        self._other_strings = OtherPrefix(prefix, b"si")
        self._open: int | None = None  # the size so far of the string the last chunk ended in
        self._in_prolog = True

    def add(self, chunk: bytes) -> None:
        body = chunk
        if self._in_prolog:
            root = chunk.find(self._root)
            body = chunk[root:] if root >= 0 else b""
            self._in_prolog = root < 0
        if b"<!" in body or b"<?" in body or self._other_strings.found_in(body):
            self.plain = False
        # One split per chunk and C-level lengths: millions of strings take a fraction of a second.
        lengths = list(map(len, self._string_start.split(chunk)))
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
    strings: SharedStringSizes | None,
    references: array,
    filename: str,
    limits: Limits,
    copies: int = 1,
) -> None:
    """Raise UploadError if the sheet would make the reader hold more text than the limit.

    ``references`` holds the numbers of the shared strings the sheet's cells show, one per cell.
    ``copies`` is the number of workbooks the sheet is read from, each with all the strings.
    """
    if strings is None:
        return  # the reader refuses a cell that refers to a shared string that is not there
    sizes = strings.sizes
    if len(sizes) > limits.cells:
        raise UploadError(_too_much_text(filename, limits))
    if strings.plain:
        if references and max(references) >= len(sizes):  # a string that is not there
            raise UploadError(damaged(filename))
        repeated = sum(map(sizes.__getitem__, references))
    else:  # the strings cannot be told apart reliably: take each at the whole part's size
        repeated = len(references) * strings.total
    if copies * strings.total + repeated > limits.text_bytes:
        raise UploadError(_too_much_text(filename, limits))


def _too_much_text(filename: str, limits: Limits) -> str:
    return (
        f"{filename} holds more text than this app reads at once (over "
        f"{limits.text_bytes / MB:,.0f} MB, counting each cell that repeats a text). Remove long "
        "texts that the table does not need, or split it into smaller workbooks."
    )
