"""What a controller needs to take an upload from VIKTOR: one ``with`` block.

    with received_upload(params.upload, field="upload", missing="Upload a table.") as upload:
        stored = compute_once(COMPUTATION, upload, ViktorStore(STORAGE_SCOPE))

Inside the block, every ``UploadError`` (a file too large, or one your computation cannot read)
becomes a ``vkt.UserError`` that marks the field, so the user reads what to do instead of a
traceback; and for a large upload, what the computation reports (``app_files.progress``) is shown
to the user as VIKTOR's progress message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import viktor as vkt

from app_files.progress import Throttled, reporting_to
from app_files.uploaded import MAX_UPLOAD_BYTES, MB, Upload, UploadError, receive_upload

# From this size on, a job tells the user where it is; a smaller upload is done before a message
# would be read.
PROGRESS_FROM_BYTES = 10 * MB


@contextmanager
def received_upload(
    file_field_value: vkt.api_v1.FileResource | None,
    field: str,
    missing: str,
    max_bytes: int = MAX_UPLOAD_BYTES,
    check_name: Callable[[str], object] | None = None,
) -> Iterator[Upload]:
    """The upload in a ``FileField`` (``params.<field>``), received by ``receive_upload``.

    ``missing`` is the message for an empty field. The file is opened in binary mode: the bytes
    exactly as uploaded.
    """
    if file_field_value is None:
        raise user_error(missing, field)
    try:
        with file_field_value.file.open_binary() as stream:
            with receive_upload(stream, file_field_value.filename, max_bytes, check_name) as upload:
                large = upload.size >= PROGRESS_FROM_BYTES
                with reporting_to(Throttled(_progress_message) if large else None):
                    yield upload
    except UploadError as error:
        raise user_error(str(error), field) from None


def _progress_message(message: str, fraction: float) -> None:
    vkt.progress_message(message, percentage=round(100 * fraction))


def user_error(message: str, field: str) -> vkt.UserError:
    """A ``vkt.UserError`` that shows ``message`` and marks ``field`` in the editor."""
    return vkt.UserError(message, input_violations=[vkt.InputViolation(message, fields=[field])])
