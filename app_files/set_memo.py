"""What the jobs on one MultiFileField have found of its files, kept with the entity.

A job on a set of files needs each file's name, size and content key, and each file's result.
Asked of VIKTOR file by file, that is a few requests per file in every job, however few of the
files are new: with twenty files, forty requests before anything is shown. So what a job finds is
kept in two entries of the entity's own Storage, and the next job on the field asks VIKTOR only
about the files that are new to it: adding a twenty-first file asks about one.

- ``set-<field>-files``: for each file id, the file's name, size and content key;
- ``set-<field>-results-<computation name>``: the results of the field's files, by their key.

Each entry holds the field's current files only, so it stays as large as the set is. An id is one
uploaded file, whose name and bytes never change, and a result's key is made of the bytes and the
code version (``stored.Computation.key``): an entry left from another set or another version of
the code serves nothing wrong, only less. An entry that cannot be read is ignored, and written
again. The entity scope keeps them with the field they describe: no other entity reads them (and
in an editor app, which has an entity per session, no other session).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypedDict

from app_files.checked_json import dumps, loads, reader
from app_files.content_key import is_content_key
from app_files.stores import ResultStore

SET_PREFIX = "set-"  # the start of every key this module stores
MEMO_SCOPE = "entity"  # where it stores them: see the module's docstring

logger = logging.getLogger(__name__)


class KnownFile(TypedDict):
    """What is known of an uploaded file without asking VIKTOR for it."""

    name: str
    bytes: int
    content_key: str


_read_files = reader(dict[str, KnownFile])
_read_results = reader(dict[str, Any])


class SetMemo:
    """The entries of one field (see the module's docstring), read when first needed and written
    when a job has found something new."""

    def __init__(self, store: ResultStore, field: str) -> None:
        self.store = store
        self.field = field
        self._files: dict[str, KnownFile] | None = None  # as read, or as kept since
        self._results: dict[str, dict[str, Any]] = {}  # computation name: its entry

    def file(self, file_id: str) -> KnownFile | None:
        """What an earlier job found of the file ``file_id``, if it was one of the field's."""
        files = self._files
        if files is None:
            files = self._files = self._read("files", _checked_files) or {}
        return files.get(file_id)

    def keep_files(self, files: dict[str, KnownFile]) -> None:
        """Keep ``files`` (by id) as all the field's files, unless they are what is kept."""
        if files != self._files:
            self._write("files", files)
            self._files = dict(files)

    def result(self, computation: str, key: str) -> Any | None:
        """The JSON data of the result kept under ``key``, if it was one of the field's."""
        if computation not in self._results:
            self._results[computation] = self._read(f"results-{computation}", _read_results) or {}
        return self._results[computation].get(key)

    def keep_results(
        self, computation: str, keys: Iterable[str], encoded: Callable[[str], bytes]
    ) -> None:
        """Keep the results of ``keys`` as those of all the field's files, unless they are what
        is kept: a key is made of the result's bytes and code, so the same keys are the same
        results. ``encoded`` gives a result's JSON, one at a time, so that memory holds no more
        than the entry's bytes."""
        keys = list(keys)
        if set(keys) == set(self._results.get(computation, {})):
            return
        parts = [json.dumps(key).encode() + b":" + encoded(key) for key in keys]
        self._write(f"results-{computation}", b"{" + b",".join(parts) + b"}")
        self._results[computation] = dict.fromkeys(keys)  # what is kept, not to be read again

    def _key(self, part: str) -> str:
        return f"{SET_PREFIX}{self.field}-{part}"

    def _read(self, part: str, check: Any) -> Any | None:
        key = self._key(part)
        try:
            data = self.store.read(key)
            return None if data is None else check(loads(data))
        except Exception as error:  # a store that fails, an entry that cannot be used
            logger.warning("Ignored %s (%s)", key, error)
            return None

    def _write(self, part: str, data: Any) -> None:
        key = self._key(part)
        try:
            self.store.write(key, data if isinstance(data, bytes) else dumps(data))
        except Exception as error:  # a store that fails: the next job asks file by file
            logger.warning("Could not store %s (%s)", key, error)


def _checked_files(data: Any) -> dict[str, KnownFile]:
    files = _read_files(data)
    for file_id, known in files.items():
        if known["bytes"] < 1 or not is_content_key(known["content_key"]):
            raise ValueError(f"file {file_id}: not a size and content key: {known}")
    return files
