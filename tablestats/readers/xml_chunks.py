"""XML parts as the guard reads them: unpacked in chunks that end between tags.

- ``XmlPart`` gives a part's chunks and refuses a document type declaration, the door to
  entity-expansion attacks ("billion laughs"), which Excel never writes.
- ``parse_starts`` follows the element starts of a small part with an XML parser.
- ``root_prefix`` and ``OtherPrefix`` deal with namespace prefixes. Most writers name the
  elements plainly (``<c>``); ClosedXML and the OpenXML SDK write a prefix on every one
  (``<x:c>``). python-calamine matches elements by their local name, whatever the prefix, so a
  check that looks for ``<c>`` must look for ``<x:c>`` in such a part, and must treat a ``c``
  under any other prefix as unusual, lest a prefix hide a cell from it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import BinaryIO
from xml.parsers import expat

from app_files.uploaded import UploadError
from tablestats.readers.zip_parts import cut_at_tags, damaged, unpacked

_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_ELEMENT_NAME = re.compile(rb"<([A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*")


class XmlPart:
    """The XML of one part, in chunks that end between tags, unpacked as they are read (once).

    ``prefix`` is the namespace prefix of its first element (b"x" for ``<x:worksheet>``), else
    b"". With ``keep_whole``, the local name of an element (b"c"), chunks also end before such an
    element (see ``zip_parts.cut_at_tags``). UploadError if the part is not XML or declares a
    document type.
    """

    def __init__(
        self, file: BinaryIO, member: zipfile.ZipInfo, filename: str, keep_whole: bytes = b""
    ) -> None:
        self.member = member
        self.filename = filename
        self._chunks = unpacked(file, member, filename)
        self._first = next(self._chunks, b"")
        if not self._first.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
            raise UploadError(damaged(filename))
        self.prefix = root_prefix(self._first)
        self._keep_whole = start_tag(self.prefix, keep_whole) + b" " if keep_whole else b""

    def __iter__(self) -> Iterator[bytes]:
        prolog = _Prolog(self.filename)
        chunks = chain((self._first,), self._chunks)
        for chunk in cut_at_tags(chunks, self.filename, self._keep_whole):
            prolog.check(chunk)
            yield chunk


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


def parse_starts(
    chunks: Iterable[bytes], filename: str, on_start: Callable[[str, dict[str, str]], None]
) -> None:
    """Call ``on_start(local name, attributes)`` for every element of an XML part, in order.

    Attribute names with a prefix come as "namespace local-name"; UploadError for XML that is not
    well-formed or declares a document type (so no entity is ever expanded).
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = lambda name, attributes: on_start(
        name.rpartition(" ")[2], attributes
    )

    def refuse_document_type(*args: object) -> None:
        raise UploadError(document_type_declared(filename))

    parser.StartDoctypeDeclHandler = refuse_document_type
    parser.EntityDeclHandler = refuse_document_type
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise UploadError(damaged(filename)) from None


def root_prefix(first_chunk: bytes) -> bytes:
    """The namespace prefix of the part's first element (b"x" for ``<x:worksheet>``), else b"".

    Wrong guesses (a prolog longer than the first chunk, an element in a comment before the root)
    only make the part look unusual throughout to the checks, which costs time, never safety.
    """
    root = _ELEMENT_NAME.search(first_chunk)
    return root[1][:-1] if root and root[1] else b""


def start_tag(prefix: bytes, name: bytes) -> bytes:
    """How a start tag of element ``name`` begins in a part with this prefix: b"<c", b"<x:c"."""
    return b"<" + prefix + b":" + name if prefix else b"<" + name


def qualified(prefix: bytes, name: bytes) -> bytes:
    """A regular expression for an element name as the part writes it: ``c``, or ``x:c``."""
    return re.escape(prefix + b":" + name) if prefix else name


class OtherPrefix:
    """Finds an element ``name`` under another prefix than the part's own, ``prefix``: a ``<c>``
    in a part of ``<x:c>``, or an ``<y:c>`` in either, is a cell all the same."""

    def __init__(self, prefix: bytes, name: bytes) -> None:
        tag_end = rb"[\s/>]"
        if not prefix:
            self._searches = [re.compile(b":" + name + tag_end)]
            return
        own = qualified(prefix, name)
        # Each search starts with a literal, which is what makes a search fast.
        self._searches = [
            re.compile(b"<" + name + tag_end),
            re.compile(b":" + name + tag_end + b"(?<!<" + own + tag_end + b")(?<!/" + own + b">)"),
        ]

    def found_in(self, chunk: bytes) -> bool:
        return any(search.search(chunk) for search in self._searches)


def document_type_declared(filename: str) -> str:
    return (
        f"{filename} contains an XML document type declaration, which Excel never writes and "
        "which can make a reader expand a few bytes into gigabytes. Open the file in Excel and "
        "save it again."
    )
