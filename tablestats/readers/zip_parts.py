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

from tablestats.errors import UploadError

_READ_BYTES = 256 * 1024  # compressed bytes read at a time
CHUNK_BYTES = 1024 * 1024  # unpacked bytes handed on at a time (at most)
_MAX_TAG_BYTES = 1024 * 1024  # a tag longer than this is not something Excel wrote
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, 22 bytes we skip, name and extra lengths


def unpacked(file: BinaryIO, member: zipfile.ZipInfo, filename: str) -> Iterator[bytes]:
    """The bytes of one part of the zip in ``file``, in chunks; UploadError if the sizes lie."""
    file.seek(member.header_offset)
    header = file.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise UploadError(damaged(filename))
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise UploadError(damaged(filename))
    file.seek(member.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if member.compress_type else None
    remaining, produced = member.compress_size, 0
    while remaining > 0:
        packed = file.read(min(_READ_BYTES, remaining))
        if not packed:
            raise UploadError(damaged(filename))
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


def cut_at_tags(chunks: Iterator[bytes], filename: str) -> Iterator[bytes]:
    """The same bytes, cut again so that no chunk ends inside an XML tag."""
    carry = b""
    for chunk in chunks:
        chunk = carry + chunk
        cut = chunk.rfind(b"<")
        if cut <= 0:
            carry = chunk
        else:
            carry = chunk[cut:]
            yield chunk[:cut]
        if len(carry) > _MAX_TAG_BYTES:
            raise UploadError(damaged(filename))
    if carry:
        yield carry


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
