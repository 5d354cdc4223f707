"""Files for the reader tests, built in memory: no test file is committed as a binary.

Each builder is small and writes only what its docstring says, so a test shows what its file
holds. There are four groups:

- text: ``csv_bytes`` and ``LazyStream`` (a file of any size that is never held in memory);
- workbooks: ``xlsx_from_sheet_xml`` and ``xlsx_from_sheets`` write the XML parts by hand, with
  ``row`` and ``cell`` for the cells; ``xlsx_from_openpyxl`` saves an openpyxl workbook;
- zip internals: ``deflated_zip`` writes a zip from raw deflate streams, ``repeated_deflate``
  makes a gigabyte deflate stream in milliseconds, ``patch_declared_size`` makes a zip lie;
- OLE compound files (the container of .xls and of password-protected .xlsx): ``ole_file``.

And the end-to-end helper the tests share: ``stats``.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

from app_files.uploaded import receive_upload
from tablestats.computation import table_statistics
from tablestats.limits import DEFAULT_LIMITS, Limits
from tablestats.reading import upload_kind
from tablestats.statistics import Summary
from tablestats.table import column_letters

# --- The pipeline --------------------------------------------------------------------------------


def stats(
    data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[Summary, str | None]:
    """The summary of an upload of ``data`` named ``filename``, and the sheet that was read."""
    return stats_of_stream(io.BytesIO(data), filename, limits)


def stats_of_stream(stream, filename: str, limits: Limits = DEFAULT_LIMITS):
    """``stats`` for a file object, such as a ``LazyStream``.

    This is the app's own pipeline, as ``compute_once`` runs it when nothing is stored: the upload
    received within the limits, then read and summarized. Every call reads the file.
    """
    with receive_upload(stream, filename, limits.upload_bytes, check_name=upload_kind) as upload:
        statistics = table_statistics(upload, limits)
    return statistics.summary, statistics.sheet


def column_stats(summary: Summary) -> dict[str, tuple]:
    """{column name: (count, numeric_count, min, max, mean)}: a whole summary in one assertion."""
    return {
        column.name: (column.count, column.numeric_count, column.min, column.max, column.mean)
        for column in summary.columns
    }


# --- Text ----------------------------------------------------------------------------------------


def csv_bytes(
    rows: list[list[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    line_end: str = "\n",
    bom: bytes = b"",
) -> bytes:
    """Rows as a delimited text file, quoted as Excel quotes (only where needed).

    ``bom`` goes before the text, e.g. ``codecs.BOM_UTF8``; ``encoding`` is a Python codec name
    that writes no byte order mark of its own ("utf-8", "utf-16-le", "cp1252").
    """
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return bom + text.getvalue().encode(encoding)


class LazyStream(io.RawIOBase):
    """A read-only file of ``size`` bytes, ``start`` followed by ``pattern`` repeated, made on
    demand: a test can upload 100 MB without holding 100 MB."""

    def __init__(self, size: int, pattern: bytes, start: bytes = b"") -> None:
        self.size = size
        self.position = 0
        # A block of whole patterns of about 1 MB, so that a read is one slice of it.
        self._start = start
        self._block = pattern * max(1, (1024 * 1024) // len(pattern))
        self._pattern_length = len(pattern)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self.size - self.position)
        if wanted <= 0:
            return 0
        produced = bytearray()
        while len(produced) < wanted:
            position = self.position + len(produced)
            if position < len(self._start):
                produced += self._start[position:]
                continue
            offset = (position - len(self._start)) % self._pattern_length
            produced += self._block[offset:]
        buffer[:wanted] = produced[:wanted]
        self.position += wanted
        return wanted


# --- Workbooks written by hand -------------------------------------------------------------------

WORKBOOK_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORKBOOK_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
MAIN_NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Two cell formats: 0 the default, 1 a date (built-in number format 14, "m/d/yyyy").
_STYLES = (
    XML_DECLARATION + f'<styleSheet xmlns="{MAIN_NAMESPACE}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs></styleSheet>"
)


def cell(reference: str, value: object, *, style: int | None = None) -> str:
    """One ``<c>`` element: a number as ``<v>``, text as an inline string."""
    style_attribute = "" if style is None else f' s="{style}"'
    if isinstance(value, str):
        return (
            f'<c r="{reference}"{style_attribute} t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        )
    return f'<c r="{reference}"{style_attribute}><v>{value!r}</v></c>'


def row(number: int, *values: object, first_column: int = 0) -> str:
    """One ``<row>`` of cells from column A (or ``first_column``, 0 for A); None skips a cell."""
    cells = "".join(
        cell(f"{column_letters(first_column + index)}{number}", value)
        for index, value in enumerate(values)
        if value is not None
    )
    return f'<row r="{number}">{cells}</row>'


def worksheet_xml(
    rows_xml: str,
    *,
    dimension: str | None = None,
    cols_xml: str = "",
    prolog: str = "",
) -> str:
    """A worksheet part around ``rows_xml`` (the content of ``<sheetData>``).

    ``prolog`` goes between the XML declaration and the root element (comments, a DOCTYPE).
    """
    dimension_xml = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        XML_DECLARATION + prolog + f'<worksheet xmlns="{MAIN_NAMESPACE}" xmlns:r="{_REL_NS}">'
        f"{dimension_xml}{cols_xml}<sheetData>{rows_xml}</sheetData></worksheet>"
    )


def xlsx_from_sheet_xml(
    rows_xml: str,
    *,
    sheet_name: str = "Sheet1",
    dimension: str | None = None,
    cols_xml: str = "",
    prolog: str = "",
    extra_parts: dict[str, bytes] | None = None,
    content_type: str = WORKBOOK_CONTENT_TYPE,
) -> bytes:
    """A workbook of one sheet whose ``<sheetData>`` holds ``rows_xml`` (see ``worksheet_xml``)."""
    sheet = worksheet_xml(rows_xml, dimension=dimension, cols_xml=cols_xml, prolog=prolog)
    return xlsx_from_sheets({sheet_name: sheet}, extra_parts=extra_parts, content_type=content_type)


def xlsx_from_sheets(
    sheets: dict[str, str],
    *,
    hidden: tuple[str, ...] = (),
    shared_strings_xml: str | None = None,
    extra_parts: dict[str, bytes] | None = None,
    content_type: str = WORKBOOK_CONTENT_TYPE,
    **workbook_options: str,
) -> bytes:
    """A workbook of ``sheets`` ({name: worksheet XML}, in tab order), as an .xlsx file.

    ``hidden`` names sheets that Excel does not show. ``shared_strings_xml`` becomes the shared
    strings part. ``extra_parts`` are added as they are ({path: bytes}), or replace a part. The
    ``workbook_options`` are those of ``workbook_parts``.
    """
    return zip_bytes(
        workbook_parts(
            sheets,
            hidden=hidden,
            shared_strings_xml=shared_strings_xml,
            content_type=content_type,
            **workbook_options,
        )
        | (extra_parts or {})
    )


def workbook_parts(
    sheets: dict[str, str],
    *,
    hidden: tuple[str, ...] = (),
    shared_strings_xml: str | None = None,
    content_type: str = WORKBOOK_CONTENT_TYPE,
    prefix: str = "",
    workbook_properties: str = "",
    sheet_entries_before: str = "",
    extra_relationships: str = "",
    shared_strings_target: str = "sharedStrings.xml",
) -> dict[str, bytes]:
    """The parts of a minimal workbook: {path in the zip: bytes}.

    ``prefix`` writes every part of the main namespace with that prefix (see ``with_prefix``).
    The others are XML written as it is: ``workbook_properties`` (``<workbookPr .../>``) and
    ``sheet_entries_before`` (``<sheet .../>`` elements, listed before the ``sheets``) go into the
    workbook part, ``extra_relationships`` (``<Relationship .../>``) into its relationships. The
    shared strings part is ``shared_strings_target`` (relative to ``xl/``).
    """
    overrides = [("/xl/workbook.xml", content_type)]
    relationships = []
    sheet_entries = []
    parts: dict[str, bytes] = {}
    for number, (name, xml) in enumerate(sheets.items(), start=1):
        path = f"worksheets/sheet{number}.xml"
        parts[f"xl/{path}"] = xml.encode("utf-8")
        overrides.append(
            (
                f"/xl/{path}",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
            )
        )
        relationships.append((f"rId{number}", "worksheet", path))
        state = ' state="hidden"' if name in hidden else ""
        sheet_entries.append(
            f'<sheet name="{escape(name)}" sheetId="{number}"{state} r:id="rId{number}"/>'
        )
    relationships.append(("rIdStyles", "styles", "styles.xml"))
    overrides.append(
        ("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml")
    )
    parts["xl/styles.xml"] = _STYLES.encode("utf-8")
    if shared_strings_xml is not None:
        relationships.append(("rIdStrings", "sharedStrings", shared_strings_target))
        overrides.append(
            (
                f"/xl/{shared_strings_target}",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
            )
        )
        parts[f"xl/{shared_strings_target}"] = shared_strings_xml.encode("utf-8")

    content_types = (
        XML_DECLARATION
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )
    package_rels = (
        XML_DECLARATION + f'<Relationships xmlns="{_PACKAGE_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        XML_DECLARATION
        + f'<workbook xmlns="{MAIN_NAMESPACE}" xmlns:r="{_REL_NS}">{workbook_properties}'
        f"<sheets>{sheet_entries_before}{''.join(sheet_entries)}</sheets></workbook>"
    )
    workbook_rels = (
        XML_DECLARATION
        + f'<Relationships xmlns="{_PACKAGE_REL_NS}">'
        + "".join(
            f'<Relationship Id="{rid}" Type="{_REL_NS}/{kind}" Target="{target}"/>'
            for rid, kind, target in relationships
        )
        + extra_relationships
        + "</Relationships>"
    )
    parts = {"xl/workbook.xml": workbook.encode("utf-8"), **parts}
    if prefix:
        parts = {
            path: with_prefix(xml.decode("utf-8"), prefix).encode("utf-8")
            for path, xml in parts.items()
        }
    return {
        "[Content_Types].xml": content_types.encode("utf-8"),
        "_rels/.rels": package_rels.encode("utf-8"),
        "xl/_rels/workbook.xml.rels": workbook_rels.encode("utf-8"),
        **parts,
    }


def with_prefix(xml: str, prefix: str = "x") -> str:
    """A part of the main namespace as ClosedXML and the OpenXML SDK write it: with ``prefix`` on
    every element (``<x:worksheet xmlns:x="..."><x:sheetData><x:row><x:c>``)."""
    xml = xml.replace(f'xmlns="{MAIN_NAMESPACE}"', f'xmlns:{prefix}="{MAIN_NAMESPACE}"')
    return re.sub(r"<(/?)([A-Za-z_][\w.-]*)(?=[\s/>])", rf"<\1{prefix}:\2", xml)


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    """``parts`` ({path: bytes}) as a deflated zip file, the way Excel stores them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx_from_openpyxl(workbook) -> bytes:
    """An openpyxl ``Workbook`` saved as .xlsx bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def shared_strings_xml(*strings: str, prolog: str = "") -> str:
    """A shared strings part: cell ``<c t="s"><v>0</v></c>`` shows the first string."""
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    return (
        XML_DECLARATION + prolog + f'<sst xmlns="{MAIN_NAMESPACE}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>'
    )


def billion_laughs_doctype(root: str, levels: int = 9) -> str:
    """The classic entity bomb: ``&lol9;`` expands to 10**9 "lol"s (3 GB) from 1 kB of text."""
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels + 1):
        ten_of_the_level_below = f"&lol{level - 1};" * 10
        entities.append(f'<!ENTITY lol{level} "{ten_of_the_level_below}">')
    return f"<!DOCTYPE {root} [\n" + "\n".join(entities) + "\n]>\n"


def quadratic_blowup_sheet(entity_bytes: int = 100_000, references: int = 2_000) -> str:
    """A worksheet with one large entity referenced many times: no nesting, so a parser that
    limits nesting lets it through; 100 kB used 2,000 times is 200 MB from a 110 kB sheet."""
    doctype = f'<!DOCTYPE worksheet [<!ENTITY big "{"x" * entity_bytes}">]>\n'
    uses = "&big;" * references
    rows_xml = row(1, "Text", "Value") + (
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{uses}</t></is></c><c r="B2"><v>1</v></c></row>'
    )
    return worksheet_xml(rows_xml, prolog=doctype)


# --- Zip internals: bombs and lying headers -------------------------------------------------------

SHEET_PATH = "xl/worksheets/sheet1.xml"  # the part of the first sheet in these workbooks


@dataclass(frozen=True)
class DeflatedPart:
    """A zip member given as its raw deflate stream, with the size and CRC to declare."""

    name: str
    stream: bytes  # raw deflate (no zlib header)
    size: int  # uncompressed bytes, as declared in the headers
    crc: int


def deflated(name: str, data: bytes) -> DeflatedPart:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = packer.compress(data) + packer.flush()
    return DeflatedPart(name, stream, len(data), zlib.crc32(data))


def repeated_deflate(name: str, start: bytes, block: bytes, times: int, end: bytes) -> DeflatedPart:
    """The member ``name`` holding ``start + block * times + end``, deflated in milliseconds.

    Feeding 2 GB through ``zlib.compressobj(9, ...)`` takes about 4 s. A full flush after the
    block resets the compressor, so the block's compressed bytes are the same every time and can
    be repeated: the result is a valid stream without compressing more than one block.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed_start = packer.compress(start) + packer.flush(zlib.Z_FULL_FLUSH)
    packed_block = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    packed_end = packer.compress(end) + packer.flush()
    crc = zlib.crc32(start)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(end, crc)
    return DeflatedPart(
        name=name,
        stream=packed_start + packed_block * times + packed_end,
        size=len(start) + len(block) * times + len(end),
        crc=crc,
    )


MIB = 1024 * 1024
_BOMB_ROW = b'<row><c t="n"><v>1</v></c></row>'


@functools.cache  # the tests share the 2,000 MiB sheet: its CRC alone takes 0.3 s
def expanding_sheet(mebibytes: int) -> DeflatedPart:
    """A deflated first sheet of ``mebibytes`` MiB: one row written over and over.

    Rows without a reference follow each other, so this is a valid sheet of one column of 1s,
    about 32,000 rows a MiB. It packs about 400 to 1: 2,000 MiB fit in 5 MB.
    """
    start, end = worksheet_xml("").encode().split(b"</sheetData>")
    block = _BOMB_ROW * (MIB // len(_BOMB_ROW))
    return repeated_deflate(SHEET_PATH, start, block, mebibytes, b"</sheetData>" + end)


def workbook_with_padded_part(part: str, mebibytes: int) -> bytes:
    """A valid one-sheet workbook ("Value" over 1 in A1:A2) in which ``part`` (a path such as
    ``SHEET_PATH`` or "[Content_Types].xml") holds ``mebibytes`` MiB of XML comments before its
    closing tag: harmless XML, and packed 1,000 to 1."""
    parts = workbook_parts({"Sheet1": worksheet_xml(row(1, "Value") + row(2, 1))})
    content = parts.pop(part)
    closing_tag = content[content.rindex(b"</") :]
    comment = b"<!-- padding -->"
    block = comment * (MIB // len(comment))
    padded = repeated_deflate(part, content[: -len(closing_tag)], block, mebibytes, closing_tag)
    return deflated_zip([padded] + [deflated(name, data) for name, data in parts.items()])


def deflated_zip(parts: list[DeflatedPart]) -> bytes:
    """A zip file of deflated members, written field by field (no data descriptors, no zip64)."""
    local, central = bytearray(), bytearray()
    for part in parts:
        name = part.name.encode("utf-8")
        offset = len(local)
        sizes = struct.pack("<III", part.crc, len(part.stream), part.size)
        # signature, version needed, flags, method 8 (deflate), time, date; sizes; name, extra
        local += struct.pack("<IHHHHH", 0x04034B50, 20, 0, 8, 0, 0x21) + sizes
        local += struct.pack("<HH", len(name), 0) + name + part.stream
        central += struct.pack("<IHHHHHH", 0x02014B50, 20, 20, 0, 8, 0, 0x21) + sizes
        # name, extra, comment lengths, disk, internal and external attributes, local offset
        central += struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, offset) + name
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), len(local), 0
    )
    return bytes(local + central + end)


def xlsx_with_deflated_sheet(sheet: DeflatedPart) -> bytes:
    """A one-sheet workbook whose sheet part (``SHEET_PATH``) is the given deflated member."""
    assert sheet.name == SHEET_PATH
    parts = workbook_parts({"Sheet1": ""})
    del parts[SHEET_PATH]
    return deflated_zip([deflated(name, data) for name, data in parts.items()] + [sheet])


def patch_declared_size(data: bytes, member: str, declared: int) -> bytes:
    """The zip ``data`` with the uncompressed size of ``member`` set to ``declared`` in both
    places that state it: the member's local header and its central directory entry."""
    patched = bytearray(data)
    end = data.rindex(b"PK\x05\x06")
    entries, _, directory_offset = struct.unpack_from("<HII", data, end + 10)
    position = directory_offset
    for _ in range(entries):
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        local_offset = struct.unpack_from("<I", data, position + 42)[0]
        name = data[position + 46 : position + 46 + name_length].decode("utf-8")
        if name == member:
            struct.pack_into("<I", patched, position + 24, declared)  # central directory
            struct.pack_into("<I", patched, local_offset + 22, declared)  # local header
            return bytes(patched)
        position += 46 + name_length + extra_length + comment_length
    raise KeyError(member)


# --- OLE compound files --------------------------------------------------------------------------

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_SECTOR = 512
_FREE, _END_OF_CHAIN, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) with ``streams`` in its root.

    This is the container Excel uses for .xls files and for password-protected workbooks, whose
    directory names a stream "EncryptedPackage" (in UTF-16-LE, as every name there). Layout:
    sector 0 the allocation table, sector 1 the directory, then each stream in whole sectors.
    Every stream is padded to at least 4096 bytes: a smaller one would belong in the "mini
    stream", which this builder does not write.
    """
    streams = {name: data.ljust(4096, b"\0") for name, data in streams.items()}
    assert len(streams) <= 3, "the directory is one sector: the root and three streams"
    # Siblings are found by binary search: shorter names first, then by upper-case name.
    names = sorted(streams, key=lambda name: (len(name), name.upper()))
    table = [_FAT_SECTOR, _END_OF_CHAIN]
    starts, body = {}, bytearray()
    for name in names:
        data = streams[name]
        sectors = -(-len(data) // _SECTOR)
        starts[name] = len(table)
        table += [len(table) + 1 + step for step in range(sectors - 1)] + [_END_OF_CHAIN]
        body += data.ljust(sectors * _SECTOR, b"\0")
    assert len(table) <= _SECTOR // 4, "one allocation sector is enough for this builder"
    fat = struct.pack(f"<{_SECTOR // 4}I", *table, *[_FREE] * (_SECTOR // 4 - len(table)))
    # The root's child is the first stream; each stream's right sibling is the next one.
    directory = _directory_entry("Root Entry", 5, child=1 if names else _NO_STREAM)
    for index, name in enumerate(names, start=1):
        right = index + 1 if index < len(names) else _NO_STREAM
        directory += _directory_entry(
            name, 2, right=right, start=starts[name], size=len(streams[name])
        )
    directory = directory.ljust(_SECTOR, b"\0")
    header = (
        OLE_MAGIC
        + bytes(16)  # class id
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)  # versions, byte order, sector sizes
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END_OF_CHAIN, 0, _END_OF_CHAIN, 0)
        + struct.pack("<109I", 0, *[_FREE] * 108)  # where the allocation table is: sector 0
    )
    return header + fat + directory + bytes(body)


def _directory_entry(
    name: str,
    kind: int,
    *,
    right: int = _NO_STREAM,
    child: int = _NO_STREAM,
    start: int = _END_OF_CHAIN,
    size: int = 0,
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)  # name length, type, colour (black)
        + struct.pack("<III", _NO_STREAM, right, child)  # left sibling, right sibling, child
        + bytes(16 + 4 + 8 + 8)  # class id, state bits, creation and modification times
        + struct.pack("<IQ", start, size)
    )
