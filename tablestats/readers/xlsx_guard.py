"""Checks an .xlsx file before the Excel reader sees it, and gives the reader a checked copy.

The fast Excel reader (python-calamine, written in Rust) copes with most bad input, but two kinds of
file make it *abort the whole Python process*, an error no ``try`` can catch:

- a zip bomb: a small file whose sheet unpacks to gigabytes, also when the zip's headers lie
  about the sizes;
- a sheet with a few filled cells far apart (``A1`` and ``XFD1048576``): the reader holds the
  rectangle from the first to the last filled cell in memory, here 17 billion cells.

So ``check_workbook`` checks, in this order:

1. the zip directory: number of parts, their declared sizes (the total must stay within the
   limit), their compression (stored or deflate, not encrypted, a ratio deflate can reach);
2. which parts the reader needs (``workbook_parts``): the sheet it reads, the first visible
   worksheet, and that sheet's styles and shared strings;
3. each of those parts as it unpacks it, once, as a stream: it must unpack to exactly the
   declared size (``zip_parts``), and its XML must declare no document type (``xml_chunks``);
4. the sheet's cells: the rectangle of filled cells must fit within the cell limit
   (``sheet_extent``), and the text the shared strings make the reader hold must fit within the
   text limit (``shared_strings``).

It writes those parts, uncompressed, to a new zip file in a folder of the caller's, with a workbook
of its own that lists only that sheet, and the reader reads that. So the reader never sees a byte
that was not checked, nor a zip file written by anyone but this module, nor a part the sheet does
not need (a broken chart or macro sheet elsewhere in the workbook does not matter). And the reader
is faster on it, with nothing left to unpack.

A large sheet (over ``SPLIT_BYTES`` of XML) is copied as two workbooks instead: the rows of the
first half of its XML, then the rest, split between two rows. The reader loads each on a thread
of its own, the first as soon as its rows have passed the checks (``first_half_checked``), while
this module checks the second half: on two cores, the two halves load at once. As both are held
at once, the limits hold for the two together: each half's cells must fit in half the cell limit
(so a sheet is split only when its first rows promise that it fits in a quarter), and each
workbook's copy of the shared strings counts for the text limit. Only the fast scan, which sees
every cell tag in the bytes whatever surrounds it, can vouch for two halves; a sheet that needs the
exact scan is copied whole again.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from array import array
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from app_files.uploaded import UploadError
from tablestats.limits import MB, Limits
from tablestats.readers.exact_extent import ExactExtent
from tablestats.readers.shared_strings import SharedStringSizes, check_text
from tablestats.readers.sheet_extent import FastScan, first_rows_width
from tablestats.readers.workbook_parts import (
    SHARED_STRINGS,
    SHEET,
    STYLES,
    frame_parts,
    needed_parts,
)
from tablestats.readers.xml_chunks import XmlPart, document_type_declared
from tablestats.readers.zip_parts import (
    check_directory_size,
    damaged,
    lying,
    password_protected,
    unpacked,
)

_DEFLATE_MAX_RATIO = 1100  # deflate cannot unpack more than about 1032 bytes from one
_CONTENT_TYPES = "[Content_Types].xml"
_CONTENT_TYPES_MAX_BYTES = 1 * MB  # Excel writes a few kilobytes

_EXCEL_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)


# The start of an XML part up to its root element: a byte order mark and the XML declaration.
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?\s*+(?:<\?xml\s[^<>?]*+\?>)?\s*+")
# An element's attributes, each value in quotes, which may hold ">".
_ATTRIBUTES = rb"""(?:\s++[^\s=<>/"']++\s*+=\s*+(?:"[^"<]*+"|'[^'<]*+'))*+"""
# A sheet's XML larger than this is copied as two workbooks (see above); below it, splitting saves
# less time than opening a second workbook costs.
SPLIT_BYTES = 16 * MB


@dataclass(frozen=True)
class CheckedWorkbook:
    """The checked copy, and what the checks learned on the way."""

    # Workbooks of one sheet, the one the reader is to read: the sheet's rows in the first, and in
    # the second (a large sheet only) the rows below those.
    paths: list[Path]
    sheet: str  # that sheet's name
    formulas_without_value: dict[int, int]  # formula cells read as empty, by column (0 is A)


def check_workbook(
    file: BinaryIO,
    filename: str,
    limits: Limits,
    folder: Path,
    first_half_checked: Callable[[Path], object] | None = None,
    split: bool = True,
) -> CheckedWorkbook:
    """Check the workbook in ``file`` and write its checked copy to ``folder``; UploadError if
    it is unsafe.

    ``first_half_checked(path)`` is called when the copy is split and the workbook at ``path``,
    the sheet's first rows, has passed every check, before the rest of the sheet is checked. With
    ``split`` False, a large sheet is copied whole too.
    """
    check_directory_size(file, filename, limits.zip_entries)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadError(damaged(filename)) from None
    with archive, ExitStack() as open_copies:
        members = archive.infolist()
        _check_directory(members, filename, limits)
        _check_content_types(file, archive, filename)
        needed = needed_parts(file, members, filename, limits.zip_entries)
        halves = 2 if split and needed.sheet.file_size > SPLIT_BYTES else 1
        paths = [folder / f"checked-{half}.xlsx" for half in range(1, halves + 1)]
        copies = [
            open_copies.enter_context(zipfile.ZipFile(path, "w", zipfile.ZIP_STORED))
            for path in paths
        ]
        strings = None
        for name, data in frame_parts(needed).items():
            for copy in copies:
                copy.writestr(name, data)
        if needed.styles is not None:
            _copy(XmlPart(file, needed.styles, filename), copies, STYLES)
        if needed.shared_strings is not None:
            part = XmlPart(file, needed.shared_strings, filename)
            strings = SharedStringSizes(part.prefix)
            _copy(part, copies, SHARED_STRINGS, strings.add)
            strings.close()

        def first_half_written(references: array) -> None:
            # The first half alone; the whole sheet is checked below, whatever this finds.
            fits = _text_fits(strings, references, filename, limits, copies=1)
            if fits and first_half_checked is not None:
                first_half_checked(paths[0])

        sheet = _copy_sheet(
            file, needed.sheet, copies, filename, limits, strings, first_half_written
        )
    # Halves the exact scan vouched for, or whose two copies of the shared strings would be more
    # text than the limit where one copy is not: the sheet is read from a whole copy instead.
    if sheet.copy_whole or (
        sheet.halves == 2 and not _text_fits(strings, sheet.shared_strings, filename, limits, 2)
    ):
        sheet_xml = unpacked(file, needed.sheet, filename)
        paths = [_whole_copy(paths[1], folder / "checked.xlsx", sheet_xml)]
    elif sheet.halves == 1:
        paths = paths[:1]
    check_text(strings, sheet.shared_strings, filename, limits, copies=len(paths))
    return CheckedWorkbook(paths, needed.sheet_name, sheet.formulas_without_value)


def _check_directory(members: list[zipfile.ZipInfo], filename: str, limits: Limits) -> None:
    if len(members) > limits.zip_entries:
        raise UploadError(
            f"{filename} holds {len(members):,} files inside; an Excel workbook has far fewer. "
            "Save the table again in Excel as an Excel Workbook (.xlsx)."
        )
    unpacked_size = sum(member.file_size for member in members)
    if unpacked_size > limits.unpacked_bytes:
        raise UploadError(
            f"{filename} unpacks to {unpacked_size / MB:,.0f} MB, more than the "
            f"{limits.unpacked_bytes / MB:,.0f} MB this app reads. Remove what the table does not "
            "need, or split it into smaller workbooks."
        )
    names = [member.filename for member in members]
    if len(set(names)) < len(names):  # which one would the reader take?
        raise UploadError(damaged(filename))
    for member in members:
        if member.flag_bits & 0x1:
            raise UploadError(password_protected(filename))
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadError(damaged(filename))
        if member.file_size > _DEFLATE_MAX_RATIO * member.compress_size + 1024:
            raise UploadError(lying(filename))


def _check_content_types(file: BinaryIO, archive: zipfile.ZipFile, filename: str) -> None:
    """An .xlsx names its main part in [Content_Types].xml; other zip files do not."""
    names = set(archive.namelist())
    if "mimetype" in names and "content.xml" in names:
        raise UploadError(
            f"{filename} is an OpenDocument spreadsheet (.ods) named .xlsx. Open it and save it as "
            "an Excel Workbook (.xlsx)."
        )
    if _CONTENT_TYPES not in names:
        raise UploadError(_not_a_workbook(filename))
    member = archive.getinfo(_CONTENT_TYPES)
    if member.file_size > _CONTENT_TYPES_MAX_BYTES:
        raise UploadError(damaged(filename))
    content = b"".join(unpacked(file, member, filename))
    try:
        root = ElementTree.fromstring(content, forbid_dtd=True)
    except DefusedXmlException:
        raise UploadError(document_type_declared(filename)) from None
    except ElementTree.ParseError:
        raise UploadError(damaged(filename)) from None
    declared = {element.get("ContentType") for element in root}
    if not declared.intersection(_EXCEL_CONTENT_TYPES):
        raise UploadError(_not_a_workbook(filename))


def _copy(part: XmlPart, copies: list[zipfile.ZipFile], name: str, *readers: Callable) -> None:
    """Copy a part's XML to ``name`` in the copies, handing each chunk to the ``readers`` too."""
    target = _part_info(name, part.member)
    with ExitStack() as open_parts:
        written = [open_parts.enter_context(copy.open(target, "w")) for copy in copies]
        for chunk in part:
            for copy in written:
                copy.write(chunk)
            for read in readers:
                read(chunk)


def _part_info(name: str, member: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """The copy's entry ``name`` for the part ``member``: its size lets zipfile choose the zip
    format (a copy is at most as large)."""
    target = zipfile.ZipInfo(name)
    target.file_size = member.file_size
    return target


@dataclass(frozen=True)
class _SheetCells:
    """What the scan of the sheet found besides the extent of its cells."""

    shared_strings: array  # the numbers of the shared strings its cells show
    formulas_without_value: dict[int, int]
    halves: int  # the workbooks the sheet's rows were copied to: 1, or 2 for a split sheet
    copy_whole: bool = False  # split, but only the exact scan vouches for it: copy it whole


def _copy_sheet(
    file: BinaryIO,
    member: zipfile.ZipInfo,
    copies: list[zipfile.ZipFile],
    filename: str,
    limits: Limits,
    strings: SharedStringSizes | None,
    first_half_written: Callable[[array], object],
) -> _SheetCells:
    """Copy the sheet: every cell tag in it passes either the fast scan or the exact one.

    With two copies, the rows of the first half of the XML may go to the first and the rest to
    the second (see ``_RowSplit``); ``first_half_written`` gets the shared strings of the first
    when its cells have all passed the fast scan.
    """
    part = XmlPart(file, member, filename, keep_whole=b"c")
    chunks = iter(part)
    first_chunk = next(chunks, b"")
    split = None
    if len(copies) == 2:
        split = _RowSplit.planned(first_chunk, part.prefix, member.file_size, limits)
    # Both halves of a split sheet are held at once: each must fit in half the cell limit.
    scan_limits = replace(limits, cells=limits.cells // 2) if split else limits
    scan = FastScan(scan_limits, member.file_size, part.prefix, strings is not None)
    target = _part_info(SHEET, member)
    with ExitStack() as open_sheet:
        written = open_sheet.enter_context(copies[0].open(target, "w"))
        for chunk in chain([first_chunk], chunks):
            scan.feed(chunk)
            cut = split.cut(chunk) if split is not None else None
            if cut is None:
                written.write(chunk)
                continue
            first, second = cut
            written.write(first)
            written.close()
            copies[0].close()
            if scan.plain and scan.filled_at_most <= limits.cells:
                first_half_written(scan.shared_strings)
            written = open_sheet.enter_context(copies[1].open(target, "w"))
            written.write(second)
    halves = 2 if split is not None and split.done else 1
    if scan.plain and scan.filled_at_most <= limits.cells:
        return _SheetCells(scan.shared_strings, scan.formulas_without_value, halves)
    # A cell the fast scan could not vouch for: follow every cell, from the start of the part.
    exact = ExactExtent(filename, limits)
    for chunk in unpacked(file, member, filename):
        exact.feed(chunk)
    exact.feed(b"", last=True)
    # The exact scan follows the sheet as written, not its halves: those are not used.
    return _SheetCells(exact.shared_strings, exact.formulas_without_value, 1, halves == 2)


def _text_fits(
    strings: SharedStringSizes | None,
    references: array,
    filename: str,
    limits: Limits,
    copies: int,
) -> bool:
    try:
        check_text(strings, references, filename, limits, copies)
    except UploadError:
        return False
    return True


def _whole_copy(split_copy: Path, whole_copy: Path, sheet: Iterable[bytes]) -> Path:
    """The workbook at ``split_copy`` copied to ``whole_copy``, with the whole ``sheet`` in it."""
    with (
        zipfile.ZipFile(split_copy) as source,
        zipfile.ZipFile(whole_copy, "w", zipfile.ZIP_STORED) as copy,
    ):
        for name in source.namelist():
            with copy.open(name, "w", force_zip64=True) as target:
                if name == SHEET:
                    target.writelines(sheet)
                else:
                    with source.open(name) as part:
                        shutil.copyfileobj(part, target)
    return whole_copy


class _RowSplit:
    """Where a sheet's XML is split in two: between two rows, after ``half`` bytes of it.

    The first half is closed as a sheet ends; the second opens as the sheet did (its root element
    as written, with its namespaces) and goes on with the rows. The cut is made only where it is
    sure to be between two rows of the table: at an end tag of a row followed by a row's start
    tag, with nothing before the root element but the XML declaration, and no comment, CDATA
    section or processing instruction (inside which that text would be no tag: in well-formed XML,
    every other "<" starts a tag) nor end of the rows (``</sheetData>``) in the sheet before it.
    Where the cut falls does not make the halves safe (the fast scan does that); it makes them
    read as the sheet does.
    """

    @classmethod
    def planned(
        cls, first_chunk: bytes, prefix: bytes, part_bytes: int, limits: Limits
    ) -> _RowSplit | None:
        """The split of a sheet whose first rows say that it fits in a quarter of the cell limit,
        so that each half surely fits in half of it; else None (the sheet is copied whole)."""
        name = prefix + b":" if prefix else b""
        # The root element right after the XML declaration, its attributes quoted as XML quotes
        # them ("a>b" is an attribute value): nothing else comes before it, no comment either.
        prolog = _PROLOG.match(first_chunk)
        root = re.compile(b"<" + re.escape(name) + b"worksheet" + _ATTRIBUTES + rb"\s*+>")
        root = root.match(first_chunk, prolog.end() if prolog else 0)
        rows_start = first_chunk.find(b"<" + name + b"sheetData")
        rows = first_chunk.count(b"<" + name + b"row ")
        if root is None or rows_start < 0 or not rows:
            return None
        bytes_per_row = (len(first_chunk) - rows_start) / rows
        cells = part_bytes / bytes_per_row * first_rows_width(first_chunk, prefix)
        if cells > limits.cells / 4:
            return None
        return cls(name, root.group(), half=part_bytes // 2, skip=root.end())

    def __init__(self, name: bytes, root: bytes, half: int, skip: int) -> None:
        self._between_rows = re.compile(
            b"</" + re.escape(name) + rb"row>\s*+(?=<" + re.escape(name) + rb"row[\s>])"
        )
        self._close = b"</" + name + b"sheetData></" + name + b"worksheet>"
        self._rows_end = b"</" + name + b"sheetData"  # after it, "</row><row" is not the table
        self._head = root + b"<" + name + b"sheetData>"
        self._to_go = half  # the bytes before the half-way point, from the next chunk on
        self._skip = skip  # the first chunk's bytes up to the end of the root's start tag
        # A comment, CDATA section, processing instruction or the end of the rows seen: no cut.
        self._markup = False
        self.done = False

    def cut(self, chunk: bytes) -> tuple[bytes, bytes] | None:
        """The chunk's end of the first half and start of the second, if it is split here."""
        start, self._skip = self._skip, 0
        half_way, self._to_go = self._to_go, self._to_go - len(chunk)
        if self.done or self._markup:
            return None
        between = None
        if half_way < len(chunk):
            between = self._between_rows.search(chunk, max(start, half_way))
        before = chunk[start : between.end() if between else len(chunk)]
        if b"<!" in before or b"<?" in before or self._rows_end in before:
            self._markup = True
            return None
        if between is None:
            return None
        self.done = True
        return chunk[: between.end()] + self._close, self._head + chunk[between.end() :]


def _not_a_workbook(filename: str) -> str:
    return (
        f"{filename} is a zip file but not an Excel workbook (is it a Word or PowerPoint file?). "
        "Upload an Excel Workbook (.xlsx) or a CSV file."
    )
