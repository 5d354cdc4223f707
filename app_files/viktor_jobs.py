"""What a controller needs to take an upload from VIKTOR: one ``with`` block.

    store = ViktorStore(STORAGE_SCOPE)
    with received_upload(params.upload, "upload", "Upload a table.", store=store) as upload:
        stored = compute_once(COMPUTATION, upload, store)

Inside the block, every ``UploadError`` (a file too large, one that could not be downloaded, or one
your computation cannot read) becomes a ``vkt.UserError`` that marks the field, so the user reads
what to do instead of a traceback; and for a large upload, what the computation reports
(``app_files.progress``) is shown to the user as VIKTOR's progress message, sent in the background.

The upload is not downloaded to find its content key when an earlier job has stored it under the
file's id (``stored.recall_upload``): a job whose result is stored then downloads nothing. The
file is downloaded, whole, the first time a computation reads ``upload.file``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import BinaryIO, TypeVar

import viktor as vkt

from app_files.deadline import call_within
from app_files.progress import InBackground, Throttled, reporting_to
from app_files.set_memo import MEMO_SCOPE, KnownFile, SetMemo
from app_files.stored import KnownUpload, recall_upload, remember_upload
from app_files.stores import ResultStore, ViktorStore
from app_files.uploaded import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_SET_BYTES,
    MB,
    NotFetched,
    Receiver,
    Upload,
    UploadError,
    UploadSet,
    check_size,
    measured,
    seekable,
)

T = TypeVar("T")

# From this size on, a job tells the user where it is; a smaller upload is done before a message
# would be read.
PROGRESS_FROM_BYTES = 10 * MB
PROGRESS_FROM_FILES = 5  # and from this many files in a MultiFileField
# How long a button waits for VIKTOR to take its message to the user.
MESSAGE_TIMEOUT_SECONDS = 5.0
_PLAIN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")

logger = logging.getLogger(__name__)


@contextmanager
def received_upload(
    file_field_value: vkt.api_v1.FileResource | None,
    field: str,
    missing: str,
    max_bytes: int = MAX_UPLOAD_BYTES,
    check_name: Callable[[str], object] | None = None,
    *,
    store: ResultStore | None = None,
) -> Iterator[Upload]:
    """The upload in a ``FileField`` (``params.<field>``), received as ``receive_upload`` does.

    ``missing`` is the message for an empty field. ``store``, the store the job keeps its results
    in, also keeps the upload's size and content key for later jobs. The file is opened in binary
    mode: the bytes exactly as uploaded.
    """
    if file_field_value is None:
        raise user_error(missing, field)
    try:
        with ExitStack() as files:
            upload = upload_of(file_field_value, files, max_bytes, check_name, store)
            large = upload.size >= PROGRESS_FROM_BYTES
            with reporting_to(Throttled(InBackground(_progress_message)) if large else None):
                yield upload
    except UploadError as error:
        raise user_error(str(error), field) from None


@contextmanager
def received_uploads(
    multi_file_field_value: list[vkt.api_v1.FileResource] | None,
    field: str,
    missing: str,
    max_bytes: int = MAX_UPLOAD_BYTES,
    check_name: Callable[[str], object] | None = None,
    *,
    store: ResultStore | None = None,
    max_total_bytes: int = MAX_UPLOAD_SET_BYTES,
) -> Iterator[UploadSet]:
    """The files of a ``MultiFileField`` (``params.<field>``), each received as
    ``received_upload`` receives one, one at a time as they are read (``UploadSet``).

    ``missing`` is the message for an empty field. A file that cannot be used is left out and
    listed with why (``UploadSet.refused``), so that the others still give their results; the
    limit for all the files together is ``max_total_bytes``. Progress says which file of how many
    is being read (``stored.compute_each``), for a set of 5 files or more, and for a large file in
    a smaller set."""
    if not multi_file_field_value:
        raise user_error(missing, field)
    # What earlier jobs found of the field's files (names, sizes, content keys, results), kept
    # with the entity: this job asks VIKTOR only about the files that are new to the field.
    memo = SetMemo(store.in_scope(MEMO_SCOPE), field) if isinstance(store, ViktorStore) else None
    found: dict[str, KnownFile] = {}  # by file id: what this job found, for the next job
    large = False  # the file received last is large enough to tell the user about

    def kept(file_id: str | None) -> KnownFile | None:
        return None if memo is None or file_id is None else memo.file(file_id)

    def receiver(resource: vkt.api_v1.FileResource, name: str, file_id: str | None) -> Receiver:
        known: KnownUpload | None = None  # its size and key, once they are found
        if (earlier := kept(file_id)) is not None:
            known = KnownUpload(bytes=earlier["bytes"], content_key=earlier["content_key"])

        def receive(files: ExitStack) -> Upload:
            nonlocal known, large  # received again, it is not asked of the store again
            upload = upload_of(resource, files, max_bytes, check_name, store, name, known)
            known = KnownUpload(bytes=upload.size, content_key=upload.content_key)
            if file_id is not None:
                found[file_id] = KnownFile(name=name, **known)
            large = upload.size >= PROGRESS_FROM_BYTES
            return upload

        return receive

    def name_of(resource: vkt.api_v1.FileResource, file_id: str | None) -> str:
        if (earlier := kept(file_id)) is not None:  # a file's name never changes: not asked again
            return earlier["name"]
        return _from_viktor(lambda: resource.filename, "a file's name")

    try:
        receivers = [
            (name := name_of(resource, file_id := file_id_of(resource)),
             receiver(resource, name, file_id))
            for resource in multi_file_field_value
        ]  # fmt: skip
        many = len(receivers) >= PROGRESS_FROM_FILES
        sender = Throttled(InBackground(_progress_message))

        def reporter(message: str, fraction: float) -> None:
            if many or large:
                sender(message, fraction)

        uploads = UploadSet(receivers, max_total_bytes, memo)
        with reporting_to(reporter):
            yield uploads
    except UploadError as error:
        raise user_error(str(error), field) from None
    fetched = not any(file.for_now for file in uploads.refused)
    if memo is not None and found and fetched:  # else the next job may find them all
        memo.keep_files(found)


def upload_of(
    resource: vkt.api_v1.FileResource,
    files: ExitStack,
    max_bytes: int,
    check_name: Callable[[str], object] | None,
    store: ResultStore | None,
    name: str | None = None,
    known: KnownUpload | None = None,
) -> Upload:
    """One file of a file field, as an Upload whose bytes are downloaded when first read, and
    closed with ``files``. Its size and content key come from what an earlier job stored under
    the file's id, or else from its bytes, downloaded now (and then stored for later jobs).
    ``name``: its name, when the caller has asked VIKTOR for it already; ``known``: its size and
    key, when this job has found them already."""
    if name is None:
        name = _from_viktor(lambda: resource.filename, "the name of the uploaded file")
    if check_name is not None:
        check_name(name)
    file_id = file_id_of(resource)

    def remember(upload: Upload) -> None:
        if store is not None and file_id is not None:
            remember_upload(store, file_id, upload.size, upload.content_key)

    if known is None and store is not None and file_id is not None:
        known = recall_upload(store, file_id)
    if known is None:
        upload = measured(_download(resource, name, max_bytes, files), name, max_bytes)
        remember(upload)
        return upload
    check_size(name, known["bytes"], max_bytes)

    def fetch() -> BinaryIO:
        file = _download(resource, name, max_bytes, files)
        found = measured(file, name, max_bytes)
        if (found.size, found.content_key) != (known["bytes"], known["content_key"]):
            # What was stored of this file is wrong: keep the truth, and ask for another try
            # rather than store a result under another file's key.
            remember(found)
            raise UploadError(f"{name} is not what this app found before. Try again.")
        return file

    return Upload(name=name, size=known["bytes"], content_key=known["content_key"], fetch=fetch)


def file_id_of(resource: vkt.api_v1.FileResource) -> str | None:
    """The id of a file field's file, which stays the same file while it has that id; None when
    the SDK does not say (the file is then downloaded to find its content key).

    The SDK keeps the id private (``FileResource._source_id``): this is the one place that reads
    it, and tests/test_uploaded.py checks that the pinned SDK still has it.
    """
    source_id = getattr(resource, "_source_id", None)
    if isinstance(source_id, bool) or not isinstance(source_id, int | str):
        return None
    return str(source_id) if _PLAIN_ID.fullmatch(str(source_id)) else None


def _download(
    resource: vkt.api_v1.FileResource, name: str, max_bytes: int, files: ExitStack
) -> BinaryIO:
    """The file's bytes, downloaded whole now, at the start, closed with ``files``."""

    def download() -> BinaryIO:
        file = seekable(files.enter_context(resource.file.open_binary()), name, max_bytes, files)
        file.seek(0, os.SEEK_END)  # the SDK's file downloads the whole file here
        file.seek(0)
        return file

    return _from_viktor(download, name)


def _from_viktor(call: Callable[[], T], what: str) -> T:
    """What ``call`` fetches from VIKTOR; UploadError, for the user to try again, when it fails."""
    try:
        return call()
    except OSError as error:  # what the SDK raises for a failed or cut-short request
        logger.warning("Could not fetch %s from VIKTOR: %r", what, error)
        raise NotFetched(
            f"VIKTOR could not give this app {what} just now: try again in a moment."
        ) from None


def _progress_message(message: str, fraction: float) -> None:
    vkt.progress_message(message, percentage=round(100 * fraction))


def user_message(message: str, success: bool = True) -> None:
    """Show ``message`` to the user, as a success or a warning, waiting at most
    ``MESSAGE_TIMEOUT_SECONDS`` for VIKTOR to take it."""
    show = vkt.UserMessage.success if success else vkt.UserMessage.warning
    try:
        call_within(MESSAGE_TIMEOUT_SECONDS, lambda: show(message), "VIKTOR, a message")
    except TimeoutError:
        logger.warning("VIKTOR did not take the message %r in time", message)


def user_error(message: str, field: str) -> vkt.UserError:
    """A ``vkt.UserError`` that shows ``message`` and marks ``field`` in the editor."""
    return vkt.UserError(message, input_violations=[vkt.InputViolation(message, fields=[field])])
