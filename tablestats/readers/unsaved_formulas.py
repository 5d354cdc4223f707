"""Formula cells without a saved value, counted per column of the sheet that is read.

A program that writes a workbook without computing it (openpyxl, for one) writes a formula cell as
``<c r="B2"><f>A2*3</f><v/></c>``: Excel computes and saves the value when it opens the file, but
python-calamine reads the cell as empty. The app tells the user how many such cells each column
has. A formula cell has no saved value when it has no ``<v>``, or an empty one, unless it is text
(``t="str"``): that is how Excel saves a formula whose result is empty text.

``UnsavedFormulas`` counts them in the XML that ``sheet_extent.Box`` found plain, a chunk at a
time; ``exact_extent.ExactExtent`` counts them as it follows every cell.
"""

from __future__ import annotations

import re

from tablestats.readers.cell_references import column_number
from tablestats.readers.xml_chunks import qualified, start_tag


def has_no_saved_value(value: str | None, kind: str | None) -> bool:
    """Whether a formula cell whose ``<v>`` holds ``value`` (None: no ``<v>``) and whose type is
    ``kind`` has no saved value."""
    return value is None or (value == "" and kind != "str")


class UnsavedFormulas:
    """Counts the formula cells without a saved value in plain XML, one chunk at a time; each
    chunk holds whole cells (see ``xml_chunks.XmlPart``)."""

    def __init__(self, prefix: bytes = b"") -> None:
        c, f, v = (qualified(prefix, name) for name in (b"c", b"f", b"v"))
        # The formula, an empty value or none, and the end of the cell.
        self._formula_to_end = re.compile(
            b"<" + f + rb"(?:\s[^>]*?)?(?:/>|>[^<]*+</" + f + rb">)\s*+"
            b"(<" + v + rb"\s*/>|<" + v + b"></" + v + rb">)?\s*+</" + c + b">"
        )
        self._cell_tag = re.compile(
            b"<" + c + rb' r="([A-Z]{1,3})\d+"(?: s="\d+")?(?: t="([^"]+)")?'
        )
        self._cell_start = start_tag(prefix, b"c") + b" "
        self.by_column: dict[int, int] = {}  # the counts, by the sheet's column index (0 is A)

    def count(self, chunk: bytes) -> None:
        for found in self._formula_to_end.finditer(chunk):
            start = chunk.rfind(self._cell_start, 0, found.start())
            cell = self._cell_tag.match(chunk, start) if start >= 0 else None
            if cell is None:  # not a plain cell, which Box would have refused
                continue
            value = None if found[1] is None else ""
            kind = None if cell[2] is None else cell[2].decode("ascii", "replace")
            if has_no_saved_value(value, kind):
                index = column_number(cell[1]) - 1
                self.by_column[index] = self.by_column.get(index, 0) + 1
