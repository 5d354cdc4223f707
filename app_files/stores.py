"""Where stored results are kept between jobs.

A VIKTOR app is stateless: each job (a view, a button) may run on another worker, and nothing a job
writes to the worker's disk outlives it. A result that later jobs should reuse goes to VIKTOR
Storage (``ViktorStore``). A command line keeps it in a folder instead (``FolderStore``). Both speak
the same small interface, ``ResultStore``: bytes in and out, by key. The tests run the real
``ViktorStore`` against a local stand-in for VIKTOR (``tests/viktor_standin/``).

VIKTOR Storage may be slow or down now and then. The SDK waits 10 s for each answer and tries
again up to five times: a minute or more. ``ViktorStore`` waits ``STORAGE_TIMEOUT_SECONDS`` for
each call instead, and once Storage has not answered in time it asks nothing more: the job
computes what it needs and returns, having spent at most one timeout on Storage. So use one
``ViktorStore`` for all that a job stores.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from app_files.deadline import call_within

T = TypeVar("T")

# How long a job waits for VIKTOR Storage to answer one call (a read, write, list or delete),
# before it carries on without Storage. A stored result is a small JSON document that Storage
# gives in well under a second; raise it if yours are many megabytes.
STORAGE_TIMEOUT_SECONDS = 5.0


class StorageUnavailable(TimeoutError):
    """VIKTOR Storage did not answer in time, now or earlier in this job."""


class ResultStore(Protocol):
    def read(self, key: str) -> bytes | None:
        """The bytes stored under ``key``, or None if there are none."""
        ...

    def write(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, replacing what was there."""
        ...

    def keys(self, prefix: str) -> list[str]:
        """The keys that start with ``prefix``."""
        ...

    def delete(self, key: str) -> None:
        """Remove ``key``; FileNotFoundError if it is not there."""
        ...


class ViktorStore:
    """VIKTOR Storage, in one scope. It works only inside a VIKTOR job (or the tests' stand-in).

    The scope decides who shares the results: ``"workspace"`` (every user and job of the app's
    workspace), ``"entity"`` (one entity, in a simple or tree app) or ``"session"`` (one editor
    session). Keys are at most 256 characters.

    Each call waits at most ``timeout`` seconds (by default ``STORAGE_TIMEOUT_SECONDS``). After one
    call has not been answered in time, every later call of this store raises StorageUnavailable
    at once.
    """

    def __init__(self, scope: str, timeout: float | None = None) -> None:
        import viktor as vkt  # here, so that a command line runs without loading the SDK

        self.scope = scope
        self.timeout = STORAGE_TIMEOUT_SECONDS if timeout is None else timeout
        self._unanswered = [""]  # the call Storage did not answer in time; shared by in_scope
        self._storage = vkt.Storage()
        self._file_from_data = vkt.File.from_data

    def in_scope(self, scope: str) -> ViktorStore:
        """The same Storage in another scope, sharing this store's deadline: after either has
        waited in vain, neither asks Storage again."""
        other = ViktorStore(scope, self.timeout)
        other._unanswered = self._unanswered
        return other

    def read(self, key: str) -> bytes | None:
        def read() -> bytes | None:
            try:
                file = self._storage.get(key, scope=self.scope)
            except FileNotFoundError:
                return None
            return file.getvalue_binary()  # the entry's download: within the same deadline

        return self._within(read, f"reading {key}")

    def write(self, key: str, data: bytes) -> None:
        file = self._file_from_data(data)
        self._within(lambda: self._storage.set(key, data=file, scope=self.scope), f"storing {key}")

    def keys(self, prefix: str) -> list[str]:
        listed = self._within(
            lambda: list(self._storage.list(prefix=prefix, scope=self.scope)),
            f"listing {prefix}...",
        )
        return sorted(listed)

    def delete(self, key: str) -> None:
        self._within(lambda: self._storage.delete(key, scope=self.scope), f"removing {key}")

    def _within(self, call: Callable[[], T], what: str) -> T:
        if self._unanswered[0]:
            raise StorageUnavailable(
                f"VIKTOR Storage did not answer {self._unanswered[0]} in time; not {what}"
            )
        try:
            return call_within(self.timeout, call, f"VIKTOR Storage, {what}")
        except TimeoutError:
            self._unanswered[0] = what
            raise StorageUnavailable(
                f"VIKTOR Storage did not answer {what} within {self.timeout:g} s"
            ) from None


class FolderStore:
    """A folder on this computer, one file per key, for the command line.

    A write goes to a temporary file first and then replaces the entry in one step, so an
    interrupted write never leaves a half-written entry behind.
    """

    _KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def read(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".writing-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def keys(self, prefix: str) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(
            path.name
            for path in self.folder.iterdir()
            if path.name.startswith(prefix) and self._KEY.fullmatch(path.name)
        )

    def delete(self, key: str) -> None:
        self._path(key).unlink()

    def _path(self, key: str) -> Path:
        if not self._KEY.fullmatch(key):
            raise ValueError(f"{key!r} is not a valid key: use letters, digits, '.', '_' and '-'")
        return self.folder / key


def default_folder() -> Path:
    """The folder a command line keeps results in, one per checkout of the app.

    It is in the user's cache folder, never in the app's own folder (which ``viktor-cli publish``
    uploads), and named after the checkout's path: two clones never share stored results unless
    you ask for it with ``--store``.
    """
    checkout = Path(__file__).resolve().parent.parent
    tag = hashlib.sha256(str(checkout).encode("utf-8")).hexdigest()[:12]
    return user_cache_folder() / "viktor-app-results" / f"{checkout.name}-{tag}"


def user_cache_folder() -> Path:
    """Where this computer keeps a user's caches: never in the app's own folder."""
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    if sys.platform == "darwin":
        return home / "Library" / "Caches"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
