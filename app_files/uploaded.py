"""Uploaded files: what arrives through a ``FileField``, for one session. Untrusted input.

Anyone who can open the app can send any bytes under any name, so an upload is received before any
code of yours reads it:

- in binary mode, the bytes exactly as uploaded (text mode would decode, and break, a workbook);
- in bounded memory: a stream that cannot seek (an upload arriving over the network) is copied, a
  block at a time, to a private temporary file on the worker's disk, deleted after the job;
- within a size limit, checked while copying: the limit in the ``FileField`` is a limit in the user
  interface, not on what arrives;
- with its content key (``content_key.py``), the key of everything computed from it.

An ``Upload`` knows its name, size and content key before its bytes are read: its ``file`` is
fetched the first time a computation reads it. So a job whose result is stored need not download
the file at all (``viktor_jobs.received_upload`` knows the key of a file it has seen before).

Anything wrong raises ``UploadError``, whose message is written for the user; the controller shows
it as a ``vkt.UserError`` (``viktor_jobs.received_upload``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, BinaryIO

from app_files.content_key import BLOCK_BYTES, content_key

if TYPE_CHECKING:
    from app_files.set_memo import SetMemo

MB = 1_000_000
# The largest upload the app accepts. The FileField's max_size uses the same number, and
# receive_upload checks it again.
MAX_UPLOAD_BYTES = 100 * MB
# The most the files of a MultiFileField may hold together (UploadSet checks it as it reads them).
MAX_UPLOAD_SET_BYTES = 500 * MB


class UploadError(ValueError):
    """An upload that cannot be used.

    The message is written for the person who uploaded the file: it says what is wrong and what to
    do about it. The controller shows it as a ``vkt.UserError``; a command line prints it and exits
    with status 2.
    """


@dataclass
class Upload:
    """An upload, measured and keyed; its bytes are fetched when a computation first reads them."""

    name: str  # the file name as uploaded
    size: int  # bytes
    content_key: str  # a SHA-256 of its blocks' SHA-256s (content_key.py): same bytes, same key
    # Gives its bytes, at the start, in binary; raises UploadError when they cannot be fetched.
    fetch: Callable[[], BinaryIO] = field(repr=False, compare=False)
    _file: BinaryIO | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def file(self) -> BinaryIO:
        """Its bytes (the file itself if it can seek, else a private copy), fetched on first use."""
        if self._file is None:
            self._file = self.fetch()
        return self._file

    @property
    def fetched(self) -> bool:
        """Its bytes are here already: read to find its content key, or by a computation."""
        return self._file is not None

    def rewind(self) -> None:
        """Back to the start of its bytes, if they have been fetched, for the next reader."""
        if self._file is not None:
            self._file.seek(0)

    @property
    def suffix(self) -> str:
        """The extension, lower case and without the dot ("csv"); "" when there is none."""
        return PurePath(self.name).suffix.lower().lstrip(".")


class NotFetched(UploadError):
    """An upload whose bytes could not be fetched just now: trying again may work."""


@dataclass
class Refused:
    """One of several files that cannot be used, and why: a message for the user."""

    name: str
    message: str
    for_now: bool = False  # it could not be fetched just now, rather than not be used at all


# Receives one file as an Upload; the files it opens go into the ExitStack, which closes them.
Receiver = Callable[[ExitStack], Upload]


class UploadSet:
    """Several uploads (the files of a MultiFileField), received one at a time as they are read.

    Iterating gives each file that can be used, as an Upload, in the order given, and keeps only
    that one open: moving on to the next closes it, so that memory holds one file at a time,
    however many there are. A file that cannot be received (empty, too large, not fetched, or past
    the limit for all the files together) is left out, and listed in ``refused`` with why.
    """

    def __init__(
        self,
        receivers: list[tuple[str, Receiver]],
        max_total_bytes: int = MAX_UPLOAD_SET_BYTES,
        memo: SetMemo | None = None,
    ) -> None:
        self._receivers = receivers  # (file name, how to receive it)
        self.max_total_bytes = max_total_bytes
        self.refused: list[Refused] = []  # of the last time through the files
        self.memo = memo  # what earlier jobs found of the field's files and their results

    def __len__(self) -> int:
        return len(self._receivers)

    @property
    def names(self) -> list[str]:
        """The files' names, in order."""
        return [name for name, _ in self._receivers]

    def __iter__(self) -> Iterator[Upload]:
        self.refused = []
        total = 0
        for name, receive in self._receivers:
            with ExitStack() as files:
                try:
                    upload = receive(files)
                    if total + upload.size > self.max_total_bytes:
                        raise UploadError(too_much_together(name, self.max_total_bytes))
                except UploadError as error:
                    self.refused.append(Refused(name, str(error), isinstance(error, NotFetched)))
                    continue
                total += upload.size
                yield upload


def file_receiver(
    path: Path, max_bytes: int = MAX_UPLOAD_BYTES, check_name: Callable[[str], object] | None = None
) -> Receiver:
    """How to receive the file at ``path`` as an upload (a command line's, or a test's)."""

    def receive(files: ExitStack) -> Upload:
        if check_name is not None:
            check_name(path.name)
        try:
            file = files.enter_context(path.open("rb"))
        except OSError as error:
            raise UploadError(f"{path.name} cannot be opened ({error.strerror}).") from None
        return measured(file, path.name, max_bytes)

    return receive


@contextmanager
def receive_upload(
    source: BinaryIO,
    filename: str,
    max_bytes: int = MAX_UPLOAD_BYTES,
    check_name: Callable[[str], object] | None = None,
) -> Iterator[Upload]:
    """Measure and key ``source`` (a binary file object) within ``max_bytes``, for reading.

    ``check_name``, when given, is called with the file name before any byte is read, and raises
    UploadError for a file the app cannot use (a wrong extension, say): refusing a name is free,
    hashing 100 MB is not.
    """
    if check_name is not None:
        check_name(filename)
    with ExitStack() as files:
        yield measured(seekable(source, filename, max_bytes, files), filename, max_bytes)


def seekable(source: BinaryIO, filename: str, max_bytes: int, files: ExitStack) -> BinaryIO:
    """``source`` itself if it can seek, else a private temporary copy of it, made within
    ``max_bytes`` and deleted when ``files`` closes."""
    if source.seekable():
        return source
    copy = files.enter_context(tempfile.TemporaryFile())
    _copy_within_limit(source, copy, filename, max_bytes)
    return copy


def measured(file: BinaryIO, filename: str, max_bytes: int) -> Upload:
    """``file`` (which can seek) as an Upload: its size checked, its content key computed."""
    size = file.seek(0, os.SEEK_END)
    check_size(filename, size, max_bytes)
    key = content_key(file, size)
    file.seek(0)
    upload = Upload(name=filename, size=size, content_key=key, fetch=lambda: file)
    upload._file = file  # its bytes are here already: fetched
    return upload


def check_size(filename: str, size: int, max_bytes: int) -> None:
    """UploadError for an upload larger than ``max_bytes``, or empty."""
    if size > max_bytes:
        raise UploadError(too_large(filename, max_bytes))
    if size == 0:
        raise UploadError(f"{filename} is empty (0 bytes). Upload the file again.")


def _copy_within_limit(source: BinaryIO, target: BinaryIO, filename: str, max_bytes: int) -> None:
    copied = 0
    while chunk := source.read(BLOCK_BYTES):
        copied += len(chunk)
        if copied > max_bytes:  # checked while copying: a stream has no size
            raise UploadError(too_large(filename, max_bytes))
        target.write(chunk)


def too_much_together(filename: str, max_total_bytes: int) -> str:
    return (
        f"{filename} was left out: with it, the files hold more than {max_total_bytes / MB:g} MB "
        "together, the most this app reads at once. Upload fewer files at a time."
    )


def too_large(filename: str, max_bytes: int) -> str:
    return (
        f"{filename} is larger than {max_bytes / MB:g} MB, the largest upload this app accepts. "
        "Remove what the file does not need, or split it into smaller files."
    )
