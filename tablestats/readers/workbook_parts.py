"""Which parts of an upload the Excel reader needs, and the small parts that frame them in the copy.

python-calamine lists every sheet of a workbook when it opens it, and refuses the whole workbook
over an entry it cannot follow (a sheet whose relationship id is empty, an Excel 4 macro sheet),
even when the sheet it is to read is fine. So the guard reads the list of sheets itself and chooses
the sheet as the reader would: the first visible worksheet, else the first worksheet. The checked
copy holds that sheet alone, with the two parts its cells need, the styles (which numbers are
dates) and the shared strings (``NeededParts``), under the usual names, and a workbook and
relationships of its own that list only them (``frame_parts``).

Parts are found as the workbook names them: the package's relationships name the workbook, the
workbook's relationships name its sheets and other parts. A name matches a file in the zip whatever
its case, as in Excel.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from typing import BinaryIO
from xml.sax.saxutils import escape

from app_files.uploaded import UploadError
from tablestats.readers.xml_chunks import XmlPart, parse_starts
from tablestats.readers.zip_parts import damaged

# Where the copy keeps the parts it takes from the upload.
SHEET = "xl/worksheets/sheet1.xml"
STYLES = "xl/styles.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class NeededParts:
    """The parts of the upload that the copy takes, and what the copy's own workbook must say."""

    sheet_name: str
    sheet: zipfile.ZipInfo
    styles: zipfile.ZipInfo | None
    shared_strings: zipfile.ZipInfo | None
    date1904: bool  # the workbook counts dates from 1904, as old Mac workbooks do


def needed_parts(
    file: BinaryIO, members: list[zipfile.ZipInfo], filename: str, max_relationships: int
) -> NeededParts:
    """The parts for the sheet the reader reads; UploadError if the workbook has no worksheet."""
    parts = _Parts(members, filename)
    package = _Relationships(file, parts, "", filename, max_relationships)
    workbook_name = package.first_part("officeDocument") or "xl/workbook.xml"
    workbook = parts.get(workbook_name)
    if workbook is None:
        raise UploadError(damaged(filename))
    related = _Relationships(file, parts, workbook_name, filename, max_relationships)
    sheets = _SheetList(related)
    parse_starts(XmlPart(file, workbook, filename), filename, sheets.on_start)
    chosen = sheets.first_visible or sheets.first
    if chosen is None:
        raise UploadError(
            f"{filename} has no worksheet (only charts or macros). Put the table on a worksheet."
        )
    sheet_name, sheet_part = chosen
    sheet = parts.get(sheet_part)
    if sheet is None:
        raise UploadError(damaged(filename))
    folder = posixpath.dirname(workbook_name)
    # Without a relationship, python-calamine looks for these names: so does the guard.
    styles = related.first_part("styles") or posixpath.join(folder, "styles.xml")
    strings = related.first_part("sharedStrings") or posixpath.join(folder, "sharedStrings.xml")
    return NeededParts(sheet_name, sheet, parts.get(styles), parts.get(strings), sheets.date1904)


def frame_parts(needed: NeededParts) -> dict[str, bytes]:
    """The parts that make the copy a workbook of the one sheet: {name in the zip: bytes}."""
    targets = [("worksheet", SHEET)]
    if needed.styles is not None:
        targets.append(("styles", STYLES))
    if needed.shared_strings is not None:
        targets.append(("sharedStrings", SHARED_STRINGS))
    workbook_relationships = "".join(
        f'<Relationship Id="rId{number}" Type="{_RELATIONSHIP_NS}/{kind}" '
        f'Target="{posixpath.relpath(name, "xl")}"/>'
        for number, (kind, name) in enumerate(targets, start=1)
    )
    name = escape(needed.sheet_name, {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
    date1904 = '<workbookPr date1904="1"/>' if needed.date1904 else ""
    parts = {
        "_rels/.rels": f'<Relationships xmlns="{_PACKAGE_NS}"><Relationship Id="rId1" '
        f'Type="{_RELATIONSHIP_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PACKAGE_NS}">{workbook_relationships}</Relationships>'
        ),
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_RELATIONSHIP_NS}">{date1904}'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>',
    }
    return {name: (_DECLARATION + xml).encode("utf-8") for name, xml in parts.items()}


class _Parts:
    """The files of the zip by name, whatever the case."""

    def __init__(self, members: list[zipfile.ZipInfo], filename: str) -> None:
        self.filename = filename
        self._by_name: dict[str, list[zipfile.ZipInfo]] = {}
        for member in members:
            self._by_name.setdefault(member.filename.lower(), []).append(member)

    def get(self, name: str) -> zipfile.ZipInfo | None:
        found = self._by_name.get(name.lower(), [])
        if len(found) > 1:  # which one would the reader take?
            raise UploadError(damaged(self.filename))
        return found[0] if found else None


class _Relationships:
    """The relationships of one part ("" for the package): {id: (type, part name or None)}.

    The type is the last word of its URI ("worksheet"); the name is None for a link outside the
    file.
    """

    def __init__(
        self, file: BinaryIO, parts: _Parts, source: str, filename: str, limit: int
    ) -> None:
        self.by_id: dict[str, tuple[str, str | None]] = {}
        self._folder, name = posixpath.split(source)
        member = parts.get(posixpath.join(self._folder, "_rels", f"{name}.rels"))
        self._filename = filename
        self._limit = limit
        if member is not None:
            parse_starts(XmlPart(file, member, filename), filename, self._on_start)

    def first_part(self, kind: str) -> str | None:
        return next((part for typ, part in self.by_id.values() if typ == kind and part), None)

    def _on_start(self, local_name: str, attributes: dict[str, str]) -> None:
        identifier = attributes.get("Id")
        if local_name != "Relationship" or not identifier:
            return
        if len(self.by_id) >= self._limit:  # more than the zip has parts: not a workbook's
            raise UploadError(damaged(self._filename))
        kind = attributes.get("Type", "").rpartition("/")[2]
        target = attributes.get("Target", "")
        if attributes.get("TargetMode") == "External" or not target:
            part = None
        elif target.startswith("/"):
            part = posixpath.normpath(target[1:])
        else:
            part = posixpath.normpath(posixpath.join(self._folder, target))
        self.by_id[identifier] = (kind, part)


class _SheetList:
    """Follows ``xl/workbook.xml`` for the sheets the reader could read, and the date system."""

    def __init__(self, relationships: _Relationships) -> None:
        self.relationships = relationships
        self.first: tuple[str, str] | None = None  # (name, part) of the first worksheet
        self.first_visible: tuple[str, str] | None = None
        self.date1904 = False

    def on_start(self, local_name: str, attributes: dict[str, str]) -> None:
        if local_name == "workbookPr":
            self.date1904 = attributes.get("date1904") in ("1", "true")
        if local_name != "sheet" or self.first_visible is not None:
            return
        # r:id, the only attribute of <sheet> with a namespace: its prefix varies.
        ids = [value for key, value in attributes.items() if key.endswith(" id")]
        kind, part = self.relationships.by_id.get(ids[0] if len(ids) == 1 else "", ("", None))
        if kind != "worksheet" or part is None:  # a chart, a macro sheet, or an entry without one
            return
        sheet = (attributes.get("name", ""), part)
        self.first = self.first or sheet
        if attributes.get("state", "visible") == "visible":
            self.first_visible = sheet
