"""The exact scan of a sheet: every row and cell followed with an XML parser, as the reader does.

This is the scan for sheets the fast one (``sheet_extent.FastScan``) gives up on. It places each
cell as python-calamine does: by its own reference, ``r`` without a prefix, or right after the
previous cell when it has none; a formatted empty cell does not count, a comment is no cell. It is
exact, and about as slow as reading the sheet.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from xml.parsers import expat

from app_files.uploaded import UploadError
from tablestats.limits import Limits
from tablestats.readers.cell_references import column_number
from tablestats.readers.unsaved_formulas import has_no_saved_value
from tablestats.readers.xml_chunks import document_type_declared
from tablestats.table import column_letters

_REFERENCE = re.compile(r"([A-Za-z]{0,3})(\d{0,9})")
_LARGEST_NUMBER = 2**64 - 1  # of a shared string, as the scans keep them
DELETE_ADVICE = (
    "Delete the rows and columns that do not belong to the table (select them, right-click, "
    "Delete), save, and upload the file again."
)


@dataclass
class _Cell:
    """The cell being read."""

    row: int
    column: int
    kind: str | None  # its type, the t attribute: "s" for a shared string, "str" for text
    filled: bool = False  # has a <v> or <is>: the reader counts it
    formula: bool = False
    inline: bool = False  # has an <is>, text written in the cell
    value: list[str] | None = None  # the text of its last <v>, if it has one
    in_value: bool = field(default=False, repr=False)


class ExactExtent:
    """The rectangle of filled cells of one XML part, fed in chunks; UploadError past the limits.

    The parser refuses what is not well-formed XML (duplicate attributes, say) and any document
    type declaration, the way defusedxml does: no entity is ever expanded. Rows and cells are
    counted, filled or not, so that a part made of millions of empty tags is refused in seconds.
    """

    def __init__(self, filename: str, limits: Limits) -> None:
        self.filename = filename
        self.limits = limits
        self.row = 0  # the current row, 1-based
        self.column = 0  # the last cell's column in it
        self.elements = 0  # rows and cells, filled or not
        self.filled = 0  # cells with a value, counted as the reader will hold them
        self.shared_strings = array("Q")  # numbers of the shared strings that cells show
        self.formulas_without_value: dict[int, int] = {}  # by column index, 0 for A
        self.first_row = self.first_column = self.last_row = self.last_column = 0
        self._cell: _Cell | None = None
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._text
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
        limit = self.limits.cells
        if self.cells > limit or self.filled > limit:
            raise UploadError(
                f"The filled cells of a sheet in {self.filename} span more than {limit:,} cells "
                f"(at least {self.reference}), more than this app reads. {DELETE_ADVICE}"
            )
        if self.elements > limit:
            raise UploadError(
                f"A sheet in {self.filename} holds more than {limit:,} rows and cells, empty ones "
                f"included, more than this app reads. {DELETE_ADVICE}"
            )

    # The reader matches elements by local name, whatever their prefix, and takes the attributes
    # r and t only without one: so does this scan (expat gives "namespace name" for the others).
    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local_name = name.rpartition(" ")[2]
        cell = self._cell
        if local_name == "row":
            self.elements += 1
            letters, digits = _reference(attributes.get("r"))
            self.row = int(digits) if digits else self.row + 1
            self.column = 0
        elif local_name == "c":
            self.elements += 1
            letters, digits = _reference(attributes.get("r"))
            self.column = column_number(letters) if letters else self.column + 1
            row = int(digits) if digits else self.row
            self._cell = _Cell(row, self.column, attributes.get("t"))
        elif cell is None:
            return
        elif local_name == "f":
            cell.formula = True
        elif local_name in ("v", "is"):
            if not cell.filled:
                cell.filled = True
                self._include(cell.row, cell.column)
            if local_name == "is":
                cell.inline = True
            else:
                cell.value, cell.in_value = [], True  # the reader takes the last <v>

    def _text(self, text: str) -> None:
        cell = self._cell
        if cell is not None and cell.in_value and cell.value is not None:
            cell.value.append(text)

    def _end(self, name: str) -> None:
        local_name = name.rpartition(" ")[2]
        cell = self._cell
        if cell is None:
            return
        if local_name == "v":
            cell.in_value = False
        elif local_name == "c":
            self._finish(cell)
            self._cell = None

    def _finish(self, cell: _Cell) -> None:
        value = None if cell.value is None else "".join(cell.value)
        if cell.kind == "s" and value is not None:
            number = value.strip()
            # A number the reader cannot use makes it fail, which is refused anyway.
            valid = number.isascii() and number.isdigit() and int(number) <= _LARGEST_NUMBER
            self.shared_strings.append(int(number) if valid else 0)
        if cell.formula and not cell.inline and has_no_saved_value(value, cell.kind):
            index = cell.column - 1
            self.formulas_without_value[index] = self.formulas_without_value.get(index, 0) + 1

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


def _reference(reference: str | None) -> tuple[str, str]:
    found = _REFERENCE.fullmatch(reference.strip()) if reference is not None else None
    return (found[1].upper(), found[2]) if found else ("", "")
