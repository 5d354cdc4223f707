"""The smallest stored result: facts about an upload, computed once and reused by later jobs.

It stands in for your own computation. Yours takes an ``Upload`` and returns its result, which
``compute_once`` stores as JSON. Say what it returns, as here: a stored value is then checked
against that type before it is used, and one of another shape is computed again. See the README,
"Start your own app".
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

from app_files.content_key import BLOCK_BYTES
from app_files.stored import Computation, code_version
from app_files.uploaded import Upload


class UploadFacts(TypedDict):
    bytes: int
    lines: int


def upload_facts(upload: Upload) -> UploadFacts:
    """The upload's size and its number of lines (newline characters), read a block at a time."""
    lines = 0
    while block := upload.file.read(BLOCK_BYTES):
        lines += block.count(b"\n")
    return {"bytes": upload.size, "lines": lines}


UPLOAD_FACTS: Computation[UploadFacts] = Computation(
    name="upload-facts",
    compute=upload_facts,
    version=code_version(Path(__file__)),  # this file: change it, and old results are not reused
)
