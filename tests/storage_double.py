"""A stand-in for ``vkt.Storage`` that works offline and keeps its state.

Outside a VIKTOR job, ``vkt.Storage()`` raises ``OSError: Job token is not set``. This double
behaves like VIKTOR Storage as far as the app can see: one space of keys per scope, data as
``vkt.File``, ``FileNotFoundError`` for a missing key, and the SDK's own ``ValueError`` for an
unknown scope or a key over 256 characters (``test_store.py`` checks that against the SDK). Make
one with ``FakeStorage()`` and put it in place of the SDK's class with ``installed()``, for example
in a test's ``setUp``: ``self.storage = self.enterContext(FakeStorage().installed())``.

It can also fail on purpose: ``fail_writes`` and ``fail_reads`` make ``set`` and ``get`` raise, as
the real Storage does when the network or the service is down.
"""

from __future__ import annotations

from contextlib import contextmanager
from unittest import mock

import viktor as vkt

SCOPES = ("entity", "workspace", "session")
MAX_KEY_LENGTH = 256


class FakeStorage:
    def __init__(self) -> None:
        self.data: dict[str, dict[str, bytes]] = {scope: {} for scope in SCOPES}
        self.fail_writes = False
        self.fail_reads = False
        self.calls: list[tuple[str, str]] = []  # (method, key or prefix), for assertions

    @contextmanager
    def installed(self):
        """Within the block, every ``vkt.Storage()`` in the app is this double."""
        with mock.patch.object(vkt, "Storage", lambda: self):
            yield self

    def set(self, key: str, data: vkt.File, *, scope: str, entity: object = None) -> None:
        self._check(scope)
        if len(key) > MAX_KEY_LENGTH:
            raise ValueError(
                f"Storage key exceeds the maximum amount of characters ({len(key)}/256)"
            )
        self.calls.append(("set", key))
        if self.fail_writes:
            raise ConnectionError("Storage is unreachable (simulated)")
        self.data[scope][key] = data.getvalue_binary()

    def get(self, key: str, *, scope: str, entity: object = None) -> vkt.File:
        self._check(scope)
        self.calls.append(("get", key))
        if self.fail_reads:
            raise ConnectionError("Storage is unreachable (simulated)")
        try:
            return vkt.File.from_data(self.data[scope][key])
        except KeyError:
            raise FileNotFoundError(key) from None

    def list(self, *, prefix: str | None = None, scope: str, entity: object = None) -> dict:
        self._check(scope)
        self.calls.append(("list", prefix or ""))
        return {
            key: vkt.File.from_data(value)
            for key, value in self.data[scope].items()
            if key.startswith(prefix or "")
        }

    def delete(self, key: str, *, scope: str, entity: object = None) -> None:
        self._check(scope)
        self.calls.append(("delete", key))
        try:
            del self.data[scope][key]
        except KeyError:
            raise FileNotFoundError(key) from None

    @staticmethod
    def _check(scope: str) -> None:
        if scope not in SCOPES:
            raise ValueError(
                f"Invalid Storage scope '{scope}', should be one of 'entity' | 'workspace' | "
                "'session'"
            )
