"""How far the filled cells of a sheet reach, found before the Excel reader builds them.

The Excel reader holds the rectangle from the first to the last filled cell of a sheet in memory,
and every cell it finds on the way. A sheet with cells at ``A1`` and ``XFD1048576`` makes that 17
billion cells, and the reader aborts the process. The ``<dimension>`` element a sheet declares says
nothing (Excel writes ``A1:XFD1048576`` whenever whole columns are formatted), so the cells
themselves are read, one of two ways:

- ``FastScan``, for sheets written the usual way (by Excel, LibreOffice, openpyxl, the OpenXML
  SDK): the first rows give the table's width; then one regular-expression search per megabyte
  proves that every cell tag is of the plain form ``<c r="B7" s="1" t="n">`` and lies within that
  width and the rows the cell limit leaves for it (``Box``). It gives up on anything else.
- ``ExactExtent`` (``exact_extent``) follows every row and cell with an XML parser, as the reader
  does. It is exact, and about as slow as reading the sheet.

Both also collect the numbers of the shared strings the cells show (see ``shared_strings``) and
count the formulas without a saved value (see ``unsaved_formulas``).
"""

from __future__ import annotations

import re
from array import array

from tablestats.limits import Limits
from tablestats.readers.cell_references import at_most, column_number
from tablestats.readers.unsaved_formulas import UnsavedFormulas
from tablestats.readers.xml_chunks import OtherPrefix, qualified, start_tag
from tablestats.table import column_letters

_HEAD_BYTES = 64 * 1024  # the first rows, which give the table's width


class FastScan:
    """The fast path for a sheet part, fed its chunks in order; each chunk ends between tags and
    holds whole cells (see ``xml_chunks.XmlPart``).

    ``prefix`` is the namespace prefix of the part's elements (``xml_chunks.root_prefix``).
    ``shared_strings`` says whether the workbook has shared strings to refer to. After the last
    chunk, ``plain`` says whether every cell tag passed; only then do the other attributes mean
    anything. A sheet that is not plain needs the exact scan.
    """

    def __init__(
        self, limits: Limits, part_bytes: int, prefix: bytes, shared_strings: bool
    ) -> None:
        self.limits = limits
        self.plain = True
        self.filled_at_most = 0
        self.shared_strings = array("Q")  # the shared string numbers the cells show
        self._prefix = prefix
        self._box: Box | None = None
        self._measure_strings = shared_strings
        self._other_cells = OtherPrefix(prefix, b"c")
        v = qualified(prefix, b"v")
        # The end of a shared-string cell's tag and its value: Box lets such a cell pass only
        # in this form, and nothing else in plain XML has it.
        self._shared_string_value = re.compile(rb' t="s"><' + v + rb">(\d+)</" + v + b">")
        self._formulas = UnsavedFormulas(prefix)
        # Filled cells take 16 bytes at least (<c r="A1"><v/></c>): in a part too small to hold
        # more than the limit, counting them is not needed.
        self._count = part_bytes // 16 > limits.cells

    @property
    def formulas_without_value(self) -> dict[int, int]:
        return self._formulas.by_column

    def feed(self, chunk: bytes) -> None:
        if self._box is None:
            width = first_rows_width(chunk, self._prefix)
            self._box = Box(width, self.limits, self._prefix, self._measure_strings)
        if not self.plain:
            return
        # A cell under another prefix (<x:c> in a part of <c>) is a cell to the reader too.
        other_cells = (self._prefix or b":" in chunk) and self._other_cells.found_in(chunk)
        self.plain = self._box.holds(chunk) and not other_cells
        if not self.plain:
            return
        if self._count:
            self.filled_at_most += self._box.cells_in(chunk)
        if self._measure_strings:
            self.shared_strings.extend(map(int, self._shared_string_value.findall(chunk)))
        if self._box.formulas_seen:
            self._formulas.count(chunk)


def first_rows_width(chunk: bytes, prefix: bytes) -> int:
    """The table's width as its first rows show it: the last column with a value in them.

    Only a guess, to size the box: a cell outside it sends the sheet to the exact scan.
    """
    start = chunk.find(b"sheetData")
    if start < 0:
        return 1
    value = b"(?:" + b"|".join(qualified(prefix, name) for name in (b"v", b"is", b"f")) + b")"
    filled_cell = re.compile(
        b"<" + qualified(prefix, b"c") + rb' r="([A-Z]{1,3})\d+"[^>]*+>\s*+<' + value + rb"[\s>]"
    )
    columns = set(filled_cell.findall(chunk, start, start + _HEAD_BYTES))
    return max(map(column_number, columns), default=1)


class Box:
    """Columns 1 to ``width``, and as many rows as the cell limit allows at that width.

    ``holds(chunk)`` says whether every cell tag of the chunk is plain and inside: the reference
    first, inside the box, then at most the style and the type, as Excel, LibreOffice and openpyxl
    write them (``<c r="B7" s="1" t="n">``); no second reference, no odd quoting. With
    ``shared_strings``, a cell that shows a shared string must hold its number and nothing else
    (``<c r="B7" t="s"><v>12</v></c>``), so that the number counted is the one the reader takes.
    Anything else is for the exact scan.

    A cell with a formula does not pass until the box has seen one (``formulas_seen``): the sheet
    then has its formulas counted, and most sheets, which have none, are spared that search.
    """

    def __init__(
        self, width: int, limits: Limits, prefix: bytes = b"", shared_strings: bool = False
    ) -> None:
        width = max(width, 1)
        self.rows = max(limits.cells // width, 1)
        self.formulas_seen = False
        columns = at_most(column_letters(width - 1).encode(), rb"[A-Z]", ord("A"))
        rows = at_most(str(self.rows).encode(), rb"\d", ord("0"))
        c, v, f = (qualified(prefix, name) for name in (b"c", b"v", b"f"))
        if shared_strings:
            shared_string = rb"(?=<" + v + rb">\d{1,18}+</" + v + rb"></" + c + b">)"
            kind = rb' t="s"(?:/>|>' + shared_string + rb')| t="(?!s")[^"]++"/?>'
        else:
            kind = rb' t="[^"]++"/?>'
        # The type, else the end of the tag, else the style: the order is for speed only.
        attributes = b"(?:" + kind + rb'|/?>| s="\d++"(?:' + kind + rb"|/?>))"
        plain = rb' r="' + columns + rows + b'"' + attributes
        self._not_plain = re.compile(b"<" + c + b"(?!" + plain + rb")[\s/>]")
        no_formula = rb"(?!\s*+<" + f + b")"
        self._not_plain_or_formula = re.compile(
            b"<" + c + b"(?!" + plain + no_formula + rb")[\s/>]"
        )
        self._cell_start = start_tag(prefix, b"c") + b' r="'

    def holds(self, chunk: bytes) -> bool:
        if not self.formulas_seen:
            found = self._not_plain_or_formula.search(chunk)
            if found is None:
                return True
            if self._not_plain.match(chunk, found.start()):
                return False
            self.formulas_seen = True  # a plain cell with a formula: from now on, they pass
        return self._not_plain.search(chunk) is None

    def cells_in(self, chunk: bytes) -> int:
        """The cell tags in a chunk that ``holds`` accepted: each starts the same way."""
        return chunk.count(self._cell_start)
