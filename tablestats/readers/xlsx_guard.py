"""Checks an .xlsx file before the Excel reader sees it, and gives the reader a checked copy.

The fast Excel reader (python-calamine, written in Rust) copes with most bad input, but two kinds of
file make it *abort the whole Python process*, an error no ``try`` can catch:

- a zip bomb: a small file whose sheet unpacks to gigabytes, also when the zip's headers lie
  about the sizes;
- a sheet with a few filled cells far apart (``A1`` and ``XFD1048576``): the reader holds the
  rectangle from the first to the last filled cell in memory, here 17 billion cells.

So ``checked_copy`` unpacks every part of the file once, as a stream, and checks it on the way:

1. the zip directory: number of parts, their declared sizes (the total must stay within the
   limit), their compression (stored or deflate, not encrypted, a ratio deflate can reach);
2. every part's bytes: they must unpack to exactly the declared size (``zip_parts``);
3. every XML part's start: no document type declaration, the door to entity-expansion attacks
   ("billion laughs"), which Excel never writes;
4. every XML part's cells, because the workbook decides which part the reader takes as a sheet:
   the rectangle of filled cells must fit within the cell limit (``sheet_extent``).

It writes the checked XML parts, uncompressed, to a new zip file in a temporary folder, and the
reader reads that. So the reader never sees a byte that was not checked, nor a zip file written by
anyone but this module; parts that are not XML (images, macros) are left out, as the reader does
not need them for cell values. And the reader is faster on it, with nothing left to unpack.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from app_files.uploaded import UploadError
from tablestats.limits import MB, Limits
from tablestats.readers.shared_strings import SharedStringSizes, check_text
from tablestats.readers.sheet_extent import ExactExtent, FastScan, document_type_declared
from tablestats.readers.zip_parts import (
    check_directory_size,
    cut_at_tags,
    damaged,
    lying,
    password_protected,
    unpacked,
)

_DEFLATE_MAX_RATIO = 1100  # deflate cannot unpack more than about 1032 bytes from one
_CONTENT_TYPES = "[Content_Types].xml"
_CONTENT_TYPES_MAX_BYTES = 1 * MB  # Excel writes a few kilobytes
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_ELEMENT_NAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")

_EXCEL_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)


@contextmanager
def checked_copy(file: BinaryIO, filename: str, limits: Limits) -> Iterator[Path]:
    """The path of a checked copy of the workbook in ``file``; UploadError if it is unsafe.

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
        copy = Path(folder) / "checked.xlsx"
        text = _Text()
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as clean:
            for member in members:
                _check_and_copy_part(file, member, clean, filename, limits, text)
        check_text(text.shared, text.references, text.unmeasured, filename, limits)
        yield copy


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


@dataclass
class _Text:
    """What the parts say about the text the reader will hold (see shared_strings)."""

    shared: SharedStringSizes | None = None  # the shared strings part, once found
    references: list[array] = field(default_factory=list)  # per sheet: the strings it uses
    unmeasured: list[int] = field(default_factory=list)  # per sheet scanned exactly: how many


def _check_and_copy_part(
    file: BinaryIO,
    member: zipfile.ZipInfo,
    clean: zipfile.ZipFile,
    filename: str,
    limits: Limits,
    text: _Text,
) -> None:
    """Check one part and, if it is XML, copy it: every cell tag in it passes either the fast
    scan or the exact one. Other parts are only unpacked, to check their size."""
    chunks = unpacked(file, member, filename)
    first = next(chunks, b"")
    if not _is_xml(first):
        for _ in chunks:
            pass
        return
    prolog = _Prolog(filename)
    scan = FastScan(filename, limits, member.file_size)
    shared = SharedStringSizes() if _root_name(first) == b"sst" else None
    target = zipfile.ZipInfo(member.filename, date_time=member.date_time)
    target.file_size = member.file_size  # lets zipfile choose the zip format for this size
    with clean.open(target, "w") as copy:
        for chunk in cut_at_tags(chain((first,), chunks), filename):
            copy.write(chunk)
            prolog.check(chunk)
            scan.feed(chunk)
            if shared is not None:
                shared.add(chunk)
    if shared is not None:
        if text.shared is not None:  # two parts of shared strings: which one would be read?
            raise UploadError(damaged(filename))
        shared.close()
        text.shared = shared
    if scan.plain and scan.filled_at_most <= limits.cells:
        if scan.shared_strings:
            text.references.append(scan.shared_strings)
        return
    # A cell the fast scan could not vouch for: follow every cell, from the start of the part.
    exact = ExactExtent(filename, limits)
    for chunk in unpacked(file, member, filename):
        exact.feed(chunk)
    exact.feed(b"", last=True)
    text.unmeasured.append(len(exact.shared_strings))


def _is_xml(first_chunk: bytes) -> bool:
    return first_chunk.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


class _Prolog:
    """Refuses a document type declaration before the first element, the only place one may
    stand; comments before it can make that place long, so it is followed across chunks."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.over = False

    def check(self, chunk: bytes) -> None:
        if self.over:
            return
        root = _ELEMENT_START.search(chunk)
        prolog = chunk if root is None else chunk[: root.start()]
        if b"<!DOCTYPE" in prolog.upper():
            raise UploadError(document_type_declared(self.filename))
        self.over = root is not None


def _root_name(first_chunk: bytes) -> bytes:
    """The local name of the part's first element: b"sst" for shared strings, say."""
    root = _ELEMENT_NAME.search(first_chunk)
    return root[1].rpartition(b":")[2] if root else b""


def _not_a_workbook(filename: str) -> str:
    return (
        f"{filename} is a zip file but not an Excel workbook (is it a Word or PowerPoint file?). "
        "Upload an Excel Workbook (.xlsx) or a CSV file."
    )
