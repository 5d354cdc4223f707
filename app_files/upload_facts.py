"""The smallest stored result: facts about an upload, computed once and reused by later jobs.

It stands in for your own computation. Yours takes an ``Upload`` and returns its result, which
``compute_once`` stores as JSON (give ``to_json`` and ``from_json`` to the ``Computation`` when the
result is not JSON data already); see the README, "Start your own app".
"""

from __future__ import annotations

from pathlib import Path

from app_files.content_key import BLOCK_BYTES
from app_files.stored import Computation, code_version
from app_files.uploaded import Upload


def upload_facts(upload: Upload) -> dict[str, int]:
    """The upload's size and its number of lines (newline characters), read a block at a time."""
    lines = 0
    while block := upload.file.read(BLOCK_BYTES):
        lines += block.count(b"\n")
    return {"bytes": upload.size, "lines": lines}


UPLOAD_FACTS: Computation[dict[str, int]] = Computation(
    name="upload-facts",
    compute=upload_facts,
    version=code_version(Path(__file__)),  # this file: change it, and old results are not reused
)
