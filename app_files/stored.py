"""Stored results: compute something from an upload once, keep it, and let later jobs reuse it.

In the app, each view and button is a job of its own, perhaps on another worker, with nothing in
memory or on disk from the job before. The first job to see an upload computes the result and
stores it; the others find it and skip the work. A ``Computation`` says what is computed and how it
is stored; ``compute_once`` does the rest, for any computation:

    FACTS = Computation("upload-facts", compute=upload_facts, version=code_version(Path(__file__)))
    stored = compute_once(FACTS, upload, ViktorStore("workspace"))
    stored.value, stored.reused

The key of a result is made of what decides it, and nothing else:

- the computation's ``name``: marks its entries, so that ``clear`` removes only those;
- its ``version``: derived from the source of the code that computes it (``code_version``), so a
  change to that code never serves a result computed by the old code;
- the upload's extension (which may decide how it is read) and content key: the same bytes give
  the same result, whoever uploads them and whatever the file is called. Other bytes give another
  key.

A store that fails never fails the job: a missing, unreadable or outdated entry is computed again
and overwritten, and a failed write is logged and reported in ``Stored.stored``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Generic, TypeVar

from app_files.progress import report
from app_files.stores import ResultStore
from app_files.uploaded import Upload

T = TypeVar("T")
_PLAIN_EXTENSION = re.compile(r"[a-z0-9]{1,10}")

logger = logging.getLogger(__name__)


def _unchanged(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Computation(Generic[T]):
    """A result computed from an upload, worth keeping for later jobs."""

    name: str  # the start of every key, such as "table-stats": letters, digits and "-"
    compute: Callable[[Upload], T]  # reads the upload; raises UploadError when it cannot be used
    version: str  # changes whenever the result could: code_version(...) of the code behind it
    # The result as JSON data and back; the default suits a result that is JSON data already.
    # from_json raises ValueError, KeyError or TypeError for data it cannot use.
    to_json: Callable[[T], Any] = _unchanged
    from_json: Callable[[Any], T] = _unchanged

    def key(self, upload: Upload) -> str:
        # The extension comes from the user's file name: only a plain one goes into the key, so
        # that every key is a valid Storage key and file name, and at most about 100 characters.
        extension = upload.suffix if _PLAIN_EXTENSION.fullmatch(upload.suffix) else "other"
        return f"{self.name}-{self.version}-{extension}-{upload.content_key}"


@dataclass
class Stored(Generic[T]):
    value: T
    reused: bool  # True when the value came from the store, False when computed now
    stored: bool  # True when the value is in the store for later jobs


def compute_once(computation: Computation[T], upload: Upload, store: ResultStore) -> Stored[T]:
    """The result of ``computation`` for ``upload``: from the store if it is there, else
    computed now and stored."""
    key = computation.key(upload)
    found = _load(computation, store, key)
    if found is not None:
        return Stored(found[0], reused=True, stored=True)
    value = computation.compute(upload)
    report("Storing the result for later jobs", 0.95)
    stored = _save(store, key, computation.to_json(value))
    return Stored(value, reused=False, stored=stored)


def clear(store: ResultStore, computations: Iterable[Computation[Any]]) -> int:
    """Remove every stored result of ``computations``, of any version; the number removed."""
    removed = 0
    for computation in computations:
        for key in store.keys(f"{computation.name}-"):
            try:
                store.delete(key)
            except FileNotFoundError:  # another job removed it first
                continue
            removed += 1
    return removed


def code_version(*sources: Path, libraries: Iterable[str] = ()) -> str:
    """A short hash of the Python files in ``sources`` (files or folders, searched to any depth)
    and of the installed versions of ``libraries``: it changes whenever any of them does.

    Line endings are left out, so that a checkout on Windows gives the same version as one on
    Linux. Give every folder whose code decides the result, and the libraries that read the input.
    """
    digest = hashlib.sha256()
    for source in sources:
        files = sorted(source.rglob("*.py")) if source.is_dir() else [source]
        for file in files:
            digest.update(file.relative_to(source.parent).as_posix().encode())
            digest.update(file.read_bytes().replace(b"\r\n", b"\n"))
    for library in libraries:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.hexdigest()[:12]


def _load(computation: Computation[T], store: ResultStore, key: str) -> tuple[T] | None:
    try:
        data = store.read(key)
    except Exception as error:  # the store is unreachable: compute instead
        logger.warning("Could not read %s from the store (%s); computing it again", key, error)
        return None
    if data is None:
        return None
    try:
        return (computation.from_json(json.loads(data)),)
    except (ValueError, KeyError, TypeError) as error:
        logger.warning("Stored entry %s is unreadable (%r); computing it again", key, error)
        return None


def _save(store: ResultStore, key: str, data: Any) -> bool:
    try:
        store.write(key, json.dumps(data, allow_nan=False).encode("utf-8"))
    except Exception as error:  # the result is still good; only the next job will not find it
        logger.warning("Could not store %s (%s); the next job will compute it again", key, error)
        return False
    return True
