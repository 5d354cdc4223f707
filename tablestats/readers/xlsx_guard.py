"""Checks an .xlsx file before the Excel reader sees it, and gives the reader a checked copy.

The fast Excel reader (python-calamine, written in Rust) copes with most bad input, but two kinds of
file make it *abort the whole Python process*, an error no ``try`` can catch:

- a zip bomb: a small file whose sheet unpacks to gigabytes, also when the zip's headers lie
  about the sizes;
- a sheet with a few filled cells far apart (``A1`` and ``XFD1048576``): the reader holds the
  rectangle from the first to the last filled cell in memory, here 17 billion cells.

So ``checked_copy`` checks, in this order:

1. the zip directory: number of parts, their declared sizes (the total must stay within the
   limit), their compression (stored or deflate, not encrypted, a ratio deflate can reach);
2. which parts the reader needs (``workbook_parts``): the sheet it reads, the first visible
   worksheet, and that sheet's styles and shared strings;
3. each of those parts as it unpacks it, once, as a stream: it must unpack to exactly the
   declared size (``zip_parts``), and its XML must declare no document type (``xml_chunks``);
4. the sheet's cells: the rectangle of filled cells must fit within the cell limit
   (``sheet_extent``), and the text the shared strings make the reader hold must fit within the
   text limit (``shared_strings``).

It writes those parts, uncompressed, to a new zip file in a temporary folder, with a workbook of
its own that lists only that sheet, and the reader reads that. So the reader never sees a byte that
was not checked, nor a zip file written by anyone but this module, nor a part the sheet does not
need (a broken chart or macro sheet elsewhere in the workbook does not matter). And the reader is
faster on it, with nothing left to unpack.
"""

from __future__ import annotations

import tempfile
import zipfile
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from app_files.uploaded import UploadError
from tablestats.limits import MB, Limits
from tablestats.readers.exact_extent import ExactExtent
from tablestats.readers.shared_strings import SharedStringSizes, check_text
from tablestats.readers.sheet_extent import FastScan
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


@dataclass(frozen=True)
class CheckedWorkbook:
    """The checked copy, and what the checks learned on the way."""

    path: Path  # a workbook of one sheet, the one the reader is to read
    sheet: str  # that sheet's name
    formulas_without_value: dict[int, int]  # formula cells read as empty, by column (0 is A)


@contextmanager
def checked_copy(file: BinaryIO, filename: str, limits: Limits) -> Iterator[CheckedWorkbook]:
    """A checked copy of the workbook in ``file``; UploadError if it is unsafe.

    The copy is a file in a temporary folder, deleted when the ``with`` block ends.
    """
    check_directory_size(file, filename, limits.zip_entries)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadError(damaged(filename)) from None
    with archive, tempfile.TemporaryDirectory(prefix="checked-upload-") as folder:
        members = archive.infolist()
        _check_directory(members, filename, limits)
        _check_content_types(file, archive, filename)
        needed = needed_parts(file, members, filename, limits.zip_entries)
        copy = Path(folder) / "checked.xlsx"
        strings = None
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as clean:
            for name, data in frame_parts(needed).items():
                clean.writestr(name, data)
            if needed.styles is not None:
                _copy(XmlPart(file, needed.styles, filename), clean, STYLES)
            if needed.shared_strings is not None:
                part = XmlPart(file, needed.shared_strings, filename)
                strings = SharedStringSizes(part.prefix)
                _copy(part, clean, SHARED_STRINGS, strings.add)
                strings.close()
            sheet = _copy_sheet(file, needed.sheet, clean, filename, limits, strings is not None)
        check_text(strings, sheet.shared_strings, filename, limits)
        yield CheckedWorkbook(copy, needed.sheet_name, sheet.formulas_without_value)


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


def _copy(part: XmlPart, clean: zipfile.ZipFile, name: str, *readers: Callable) -> None:
    """Copy a part's XML to ``name`` in the copy, handing each chunk to the ``readers`` too."""
    target = zipfile.ZipInfo(name)
    target.file_size = part.member.file_size  # lets zipfile choose the zip format for this size
    with clean.open(target, "w") as copy:
        for chunk in part:
            copy.write(chunk)
            for read in readers:
                read(chunk)


@dataclass(frozen=True)
class _SheetCells:
    """What the scan of the sheet found besides the extent of its cells."""

    shared_strings: array  # the numbers of the shared strings its cells show
    formulas_without_value: dict[int, int]


def _copy_sheet(
    file: BinaryIO,
    member: zipfile.ZipInfo,
    clean: zipfile.ZipFile,
    filename: str,
    limits: Limits,
    shared_strings: bool,
) -> _SheetCells:
    """Copy the sheet: every cell tag in it passes either the fast scan or the exact one."""
    part = XmlPart(file, member, filename, keep_whole=b"c")
    scan = FastScan(limits, member.file_size, part.prefix, shared_strings)
    _copy(part, clean, SHEET, scan.feed)
    if scan.plain and scan.filled_at_most <= limits.cells:
        return _SheetCells(scan.shared_strings, scan.formulas_without_value)
    # A cell the fast scan could not vouch for: follow every cell, from the start of the part.
    exact = ExactExtent(filename, limits)
    for chunk in unpacked(file, member, filename):
        exact.feed(chunk)
    exact.feed(b"", last=True)
    return _SheetCells(exact.shared_strings, exact.formulas_without_value)


def _not_a_workbook(filename: str) -> str:
    return (
        f"{filename} is a zip file but not an Excel workbook (is it a Word or PowerPoint file?). "
        "Upload an Excel Workbook (.xlsx) or a CSV file."
    )
