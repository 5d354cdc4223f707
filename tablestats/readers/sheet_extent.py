"""How far the filled cells of a sheet reach, found before the Excel reader builds them.

The Excel reader holds the rectangle from the first to the last filled cell of a sheet in memory,
and every cell it finds on the way. A sheet with cells at ``A1`` and ``XFD1048576`` makes that 17
billion cells, and the reader aborts the process. The ``<dimension>`` element a sheet declares says
nothing (Excel writes ``A1:XFD1048576`` whenever whole columns are formatted), so the cells
themselves are read:

- ``ExactExtent`` follows every row and cell with an XML parser, as the reader does: a cell
  without a reference comes right after the previous one, formatted empty cells do not count,
  comments are not cells. It is exact, and about as slow as reading the sheet.
- ``Box`` is the fast path for sheets written the usual way (by Excel, LibreOffice, openpyxl):
  once the first rows have given the table's width, one regular-expression search per megabyte
  proves that every cell tag is of the plain form ``<c r="B7" s="1">`` and lies within that width
  and the rows the cell limit leaves for it. Anything else, from a cell outside the box to a tag
  written in an unusual way, and the sheet gets the exact scan.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from tablestats.errors import UploadError
from tablestats.limits import Limits
from tablestats.statistics import column_letters

_REFERENCE = re.compile(r"([A-Za-z]{0,3})(\d{0,9})")


class Box:
    """Columns 1 to ``width``, and as many rows as the cell limit allows at that width."""

    _PREFIXED_CELL = re.compile(rb":c[\s/>]")  # <x:c ...>, which the search below would not see

    def __init__(self, width: int, limits: Limits) -> None:
        width = max(width, 1)
        self.rows = max(limits.cells // width, 1)
        columns = _at_most(column_letters(width - 1).encode(), rb"[A-Z]", ord("A"))
        rows = _at_most(str(self.rows).encode(), rb"\d", ord("0"))
        # A cell tag that is not: the reference first, inside the box, then at most the style
        # and the type, as Excel, LibreOffice and openpyxl write them (<c r="B7" s="1" t="n">).
        # No second r, no odd quoting: anything else is for the exact scan.
        self._not_plain_inside = re.compile(
            rb'<c(?! r="' + columns + rows + rb'"(?: s="\d++")?+(?: t="[a-zA-Z]++")?+/?>)[\s/>]'
        )

    def holds(self, chunk: bytes) -> bool:
        return not (self._not_plain_inside.search(chunk) or self._PREFIXED_CELL.search(chunk))

    @staticmethod
    def cells_in(chunk: bytes) -> int:
        """The cell tags in a chunk that ``holds`` accepted: each starts the same way."""
        return chunk.count(b'<c r="')


def _at_most(word: bytes, any_symbol: bytes, lowest: int) -> bytes:
    """A regular expression for the words that come no later than ``word`` when a shorter word
    comes first, as numbers and column letters do: shorter words, or words as long that are
    smaller at the first place where they differ, or the word itself."""
    options = [any_symbol + b"{1,%d}" % (len(word) - 1)] if len(word) > 1 else []
    last = len(word) - 1
    for place, symbol in enumerate(word):
        highest = symbol if place == last else symbol - 1  # the last place may equal the word
        if highest >= lowest:
            symbols = b"[%s-%s]" % (bytes([lowest]), bytes([highest]))
            rest = any_symbol + b"{%d}" % (last - place) if place < last else b""
            options.append(re.escape(word[:place]) + symbols + rest)
    return b"(?:" + b"|".join(options) + b")" if len(options) > 1 else options[0]


class ExactExtent:
    """The rectangle of filled cells of one XML part, fed in chunks; UploadError past the limits.

    The parser refuses what is not well-formed XML (duplicate attributes, say) and any document
    type declaration, the way defusedxml does: no entity is ever expanded.
    """

    def __init__(self, filename: str, limits: Limits) -> None:
        self.filename = filename
        self.limits = limits
        self.row = 0  # the current row, 1-based
        self.column = 0  # the last cell's column in it
        self.open_cell: tuple[int, int] | None = None  # a cell whose value has not come yet
        self.filled = 0  # cells with a value, counted as the reader will hold them
        self.first_row = self.first_column = self.last_row = self.last_column = 0
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.StartDoctypeDeclHandler = self._refuse_document_type
        self._parser.EntityDeclHandler = self._refuse_document_type

    @property
    def cells(self) -> int:
        """The cells of the rectangle from the first to the last filled cell."""
        if not self.filled:
            return 0
        return (self.last_row - self.first_row + 1) * (self.last_column - self.first_column + 1)

    @property
    def reference(self) -> str:
        first = f"{column_letters(self.first_column - 1)}{self.first_row}"
        return f"{first}:{column_letters(self.last_column - 1)}{self.last_row}"

    def feed(self, chunk: bytes, last: bool = False) -> None:
        try:
            self._parser.Parse(chunk, last)
        except expat.ExpatError:
            raise UploadError(
                f"{self.filename} holds a part that is not well-formed XML, so it cannot be read "
                "as an Excel workbook. Open it in Excel, save it as an Excel Workbook (.xlsx), and "
                "upload it again."
            ) from None
        if self.cells > self.limits.cells or self.filled > self.limits.cells:
            raise UploadError(
                f"The filled cells of a sheet in {self.filename} span more than "
                f"{self.limits.cells:,} cells (at least {self.reference}), more than this app "
                "reads. Delete the rows and columns that do not belong to the table (select them, "
                "right-click, Delete), save, and upload the file again."
            )

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local_name = name.rpartition(" ")[2]
        if local_name == "row":
            letters, digits = self._reference(attributes)
            self.row = int(digits) if digits else self.row + 1
            self.column = 0
        elif local_name == "c":
            letters, digits = self._reference(attributes)
            self.column = _column_number(letters) if letters else self.column + 1
            self.open_cell = (int(digits) if digits else self.row, self.column)
        elif local_name in ("v", "is") and self.open_cell is not None:
            self._include(*self.open_cell)
            self.open_cell = None

    def _end(self, name: str) -> None:
        if name.rpartition(" ")[2] == "c":
            self.open_cell = None

    def _reference(self, attributes: dict[str, str]) -> tuple[str, str]:
        references = [value for key, value in attributes.items() if key.rpartition(" ")[2] == "r"]
        if len(references) > 1:  # which one would the reader take?
            raise expat.ExpatError("more than one reference")
        found = _REFERENCE.fullmatch(references[0].strip()) if references else None
        return (found[1].upper(), found[2]) if found else ("", "")

    def _include(self, row: int, column: int) -> None:
        self.filled += 1
        if self.filled == 1:
            self.first_row = self.last_row = row
            self.first_column = self.last_column = column
            return
        self.first_row, self.last_row = min(self.first_row, row), max(self.last_row, row)
        self.first_column = min(self.first_column, column)
        self.last_column = max(self.last_column, column)

    def _refuse_document_type(self, *args: object) -> None:
        raise UploadError(document_type_declared(self.filename))


def document_type_declared(filename: str) -> str:
    return (
        f"{filename} contains an XML document type declaration, which Excel never writes and "
        "which can make a reader expand a few bytes into gigabytes. Open the file in Excel and "
        "save it again."
    )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
