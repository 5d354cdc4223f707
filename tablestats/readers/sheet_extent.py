"""How far the filled cells of a sheet reach, found before the Excel reader builds them.

The Excel reader holds the rectangle from the first to the last filled cell of a sheet in memory,
and every cell it finds on the way. A sheet with cells at ``A1`` and ``XFD1048576`` makes that 17
billion cells, and the reader aborts the process. The ``<dimension>`` element a sheet declares says
nothing (Excel writes ``A1:XFD1048576`` whenever whole columns are formatted), so the cells
themselves are read, one of two ways:

- ``FastScan``, for sheets written the usual way (by Excel, LibreOffice, openpyxl): its first rows,
  read cell by cell, give the table's width; then one regular-expression search per megabyte
  proves that every other cell tag is of the plain form ``<c r="B7" s="1" t="n">`` and lies within
  that width and the rows the cell limit leaves for it (``Box``). It gives up on anything else.
- ``ExactExtent`` follows every row and cell with an XML parser, as the reader does: a cell
  without a reference comes right after the previous one, formatted empty cells do not count,
  comments are not cells. It is exact, and about as slow as reading the sheet.

Both also count the cells that refer to a shared string (see ``shared_strings``).
"""

from __future__ import annotations

import re
from array import array
from xml.parsers import expat

from app_files.uploaded import UploadError
from tablestats.limits import Limits
from tablestats.table import column_letters

_HEAD_BYTES = 64 * 1024  # the start of a part, read cell by cell to find the table's width
_REFERENCE = re.compile(r"([A-Za-z]{0,3})(\d{0,9})")
_SHARED_STRING_CELL = re.compile(rb'<c r="[A-Z]+\d+"(?: s="\d+")? t="s"><v>(\d+)</v>')
_DELETE_ADVICE = (
    "Delete the rows and columns that do not belong to the table (select them, right-click, "
    "Delete), save, and upload the file again."
)


class FastScan:
    """The fast path for one XML part, fed its chunks in order (each ending between tags).

    After the last chunk, ``plain`` says whether every cell tag passed; only then do
    ``filled_at_most`` and ``shared_strings`` mean anything. A part that is not plain needs the
    exact scan.
    """

    def __init__(self, filename: str, limits: Limits, part_bytes: int) -> None:
        self.filename = filename
        self.limits = limits
        self.plain = True
        self.filled_at_most = 0
        self.shared_strings = array("L")  # the shared string numbers the cells refer to
        self._box: Box | None = None
        # Filled cells take 16 bytes at least (<c r="A1"><v/></c>): in a part too small to hold
        # more than the limit, counting them is not needed.
        self._count = part_bytes // 16 > limits.cells

    def feed(self, chunk: bytes) -> None:
        if self._box is None:
            chunk = self._read_head(chunk)
        if not self.plain:
            return
        self.plain = self._box.holds(chunk)
        if self._count:
            self.filled_at_most += Box.cells_in(chunk)
        if b' t="s"' in chunk:
            self.shared_strings.extend(map(int, _SHARED_STRING_CELL.findall(chunk)))

    def _read_head(self, chunk: bytes) -> bytes:
        """Read the first rows exactly and set the box from them; return the rest of the chunk."""
        head, rest = _split_after_a_row(chunk, _HEAD_BYTES)
        start = ExactExtent(self.filename, self.limits)
        start.feed(head)
        self._box = Box(start.last_column, self.limits)
        self.filled_at_most = start.filled
        self.shared_strings.extend(start.shared_strings)
        # A head that ends inside a cell may hide that cell's place: leave it to the exact scan.
        self.plain = start.open_cell is None and start.last_row <= self._box.rows
        return rest


def _split_after_a_row(chunk: bytes, size: int) -> tuple[bytes, bytes]:
    """The chunk cut after the last row that ends within ``size`` bytes, if there is one."""
    end = chunk.rfind(b"</row>", 0, size)
    if end < 0:
        return chunk, b""
    cut = end + len(b"</row>")
    return chunk[:cut], chunk[cut:]


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
    type declaration, the way defusedxml does: no entity is ever expanded. Rows and cells are
    counted, filled or not, so that a part made of millions of empty tags is refused in seconds.
    """

    def __init__(self, filename: str, limits: Limits) -> None:
        self.filename = filename
        self.limits = limits
        self.row = 0  # the current row, 1-based
        self.column = 0  # the last cell's column in it
        self.open_cell: tuple[int, int] | None = None  # a cell whose value has not come yet
        self.elements = 0  # rows and cells, filled or not
        self.filled = 0  # cells with a value, counted as the reader will hold them
        self.shared_strings: list[int] = []  # numbers of the shared strings that cells refer to
        self.first_row = self.first_column = self.last_row = self.last_column = 0
        self._shared_cell = False  # the open cell refers to a shared string
        self._number: list[str] | None = None  # the text of such a cell's <v>, being read
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
                f"(at least {self.reference}), more than this app reads. {_DELETE_ADVICE}"
            )
        if self.elements > limit:
            raise UploadError(
                f"A sheet in {self.filename} holds more than {limit:,} rows and cells, empty ones "
                f"included, more than this app reads. {_DELETE_ADVICE}"
            )

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local_name = name.rpartition(" ")[2]
        if local_name == "row":
            self.elements += 1
            letters, digits = self._reference(attributes)
            self.row = int(digits) if digits else self.row + 1
            self.column = 0
        elif local_name == "c":
            self.elements += 1
            letters, digits = self._reference(attributes)
            self.column = _column_number(letters) if letters else self.column + 1
            self.open_cell = (int(digits) if digits else self.row, self.column)
            self._shared_cell = self._attribute(attributes, "t") == "s"
        elif local_name in ("v", "is") and self.open_cell is not None:
            self._include(*self.open_cell)
            self.open_cell = None
            if local_name == "v" and self._shared_cell:
                self._number = []

    def _text(self, text: str) -> None:
        if self._number is not None:
            self._number.append(text)

    def _end(self, name: str) -> None:
        local_name = name.rpartition(" ")[2]
        if local_name == "v" and self._number is not None:
            number = "".join(self._number).strip()
            # A reference the reader cannot use makes it fail, which is refused anyway.
            self.shared_strings.append(int(number) if number.isdigit() else 0)
            self._number = None
        elif local_name == "c":
            self.open_cell = None
            self._shared_cell = False

    def _reference(self, attributes: dict[str, str]) -> tuple[str, str]:
        reference = self._attribute(attributes, "r")
        found = _REFERENCE.fullmatch(reference.strip()) if reference is not None else None
        return (found[1].upper(), found[2]) if found else ("", "")

    @staticmethod
    def _attribute(attributes: dict[str, str], local_name: str) -> str | None:
        values = [
            value for key, value in attributes.items() if key.rpartition(" ")[2] == local_name
        ]
        if len(values) > 1:  # which one would the reader take?
            raise expat.ExpatError(f"more than one attribute {local_name}")
        return values[0] if values else None

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
