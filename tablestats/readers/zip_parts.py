"""The parts of a zip file, unpacked as a stream of chunks whose size cannot lie.

``zipfile`` stops reading a part at its declared size without noticing data that goes on, and
believes the declared size. A zip bomb exploits readers that do either. ``unpacked`` reads the raw
deflate stream itself and raises UploadError as soon as a part unpacks to more than it declares,
or ends short of it.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from app_files.uploaded import UploadError

_READ_BYTES = 256 * 1024  # compressed bytes read at a time
CHUNK_BYTES = 1024 * 1024  # unpacked bytes handed on at a time (at most)
_MAX_TAG_BYTES = 1024 * 1024  # a tag longer than this is not something Excel wrote
_KEEP_WHOLE_BYTES = 64 * 1024  # how far back a chunk may end to keep an element whole
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, 22 bytes we skip, name and extra lengths
# End of central directory: signature, 6 bytes we skip, entries in total, directory size in bytes.
_END_RECORD = struct.Struct("<4s6xHI6x")
_MAX_ENTRY_BYTES = 1024  # a directory entry with a reasonable name and extra fields


def unpacked(file: BinaryIO, member: zipfile.ZipInfo, filename: str) -> Iterator[bytes]:
    """The bytes of one part of the zip in ``file``, in chunks; UploadError if the sizes lie."""
    file.seek(member.header_offset)
    header = file.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise UploadError(damaged(filename))
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise UploadError(damaged(filename))
    position = member.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if member.compress_type else None
    remaining, produced = member.compress_size, 0
    while remaining > 0:
        file.seek(position)  # the file may have been read elsewhere since the last chunk
        packed = file.read(min(_READ_BYTES, remaining))
        if not packed:
            raise UploadError(damaged(filename))
        position += len(packed)
        remaining -= len(packed)
        while packed:
            try:
                chunk = inflater.decompress(packed, CHUNK_BYTES) if inflater else packed
            except zlib.error:
                raise UploadError(damaged(filename)) from None
            packed = inflater.unconsumed_tail if inflater else b""
            produced += len(chunk)
            if produced > member.file_size:
                raise UploadError(lying(filename))
            if chunk:
                yield chunk
    if produced != member.file_size or (inflater is not None and not inflater.eof):
        raise UploadError(lying(filename))


def cut_at_tags(chunks: Iterator[bytes], filename: str, keep_whole: bytes = b"") -> Iterator[bytes]:
    """The same XML, cut again so that no chunk ends inside a tag (text may be cut anywhere).

    With ``keep_whole``, the start of an element (b"<c "), chunks end before such an element, so
    that each holds whole elements: all that are shorter than 64 kB.
    """
    carry = b""  # the start of the next chunk, left over from the last one
    for chunk in chunks:
        cut = _cut(carry, chunk, keep_whole)
        if cut is None:
            carry += chunk
        elif carry:
            # A new chunk in one copy: join copies from the view, where a slice would copy first.
            yield b"".join((carry, memoryview(chunk)[:cut]))
            carry = chunk[cut:]
        elif cut:
            yield chunk[:cut]
            carry = chunk[cut:]
        else:
            carry = chunk
        if len(carry) > _MAX_TAG_BYTES:
            raise UploadError(damaged(filename))
    if carry:
        yield carry


def _cut(carry: bytes, chunk: bytes, keep_whole: bytes) -> int | None:
    """Where in ``chunk`` to end the chunk that ``carry`` starts, or None to wait for more."""
    if keep_whole:
        element = chunk.rfind(keep_whole, max(len(chunk) - _KEEP_WHOLE_BYTES, 0))
        if element >= 0:
            return element
        if carry.startswith(keep_whole) and len(carry) + len(chunk) < _KEEP_WHOLE_BYTES:
            return None  # the element the carry starts goes on
    last_open = chunk.rfind(b"<")
    if last_open > chunk.rfind(b">"):
        return last_open  # before the tag that the chunk ends in
    if last_open < 0 and b">" not in chunk and carry.rfind(b"<") > carry.rfind(b">"):
        return None  # the tag the carry ends in goes on
    return len(chunk)


def check_directory_size(file: BinaryIO, filename: str, max_entries: int) -> None:
    """Refuse a zip whose directory lists more parts than ``max_entries``, before zipfile reads
    it: zipfile builds an object for every entry, which costs memory for a hostile directory."""
    file.seek(0, 2)
    size = file.tell()
    tail_size = min(size, _END_RECORD.size + 65_535)  # the record, and a comment of at most 64 kB
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    start = tail.rfind(b"PK\x05\x06")
    if start < 0 or len(tail) - start < _END_RECORD.size:
        raise UploadError(damaged(filename))
    entries, directory_bytes = _END_RECORD.unpack_from(tail, start)[1:]
    # 0xFFFF entries or 0xFFFFFFFF bytes mean a ZIP64 file: far larger than a workbook.
    if entries > max_entries or directory_bytes > max_entries * _MAX_ENTRY_BYTES:
        raise UploadError(
            f"{filename} holds more files inside than an Excel workbook does. Save the table "
            "again in Excel as an Excel Workbook (.xlsx)."
        )
    file.seek(0)


def damaged(filename: str) -> str:
    return (
        f"{filename} is damaged or incomplete, so it cannot be read as an Excel workbook. Upload "
        "it again; if that does not help, open it in Excel and save it as an Excel Workbook "
        "(.xlsx)."
    )


def lying(filename: str) -> str:
    return (
        f"{filename} is not a well-formed Excel workbook: its parts do not unpack to the sizes "
        "the file declares, which is how zip bombs work. Open it in Excel and save it again, or "
        "export the table as CSV."
    )


def password_protected(filename: str) -> str:
    return (
        f"{filename} is protected with a password, so it cannot be read. Open it in Excel, "
        "remove the password (File > Info > Protect Workbook), save, and upload it again."
    )
