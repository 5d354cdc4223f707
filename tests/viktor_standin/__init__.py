"""A local VIKTOR platform for the tests: everything here emulates VIKTOR, and nothing else does.

This folder stands on its own, so that an app made from the template can take its later versions
as a whole (copy the folder over yours). It emulates:

- ``server``: VIKTOR's API, as the unmodified SDK speaks to it, on 127.0.0.1: Storage in its three
  scopes, uploaded files, the file behind a download, progress messages;
- ``faults``: how any route of it fails on request: an error status, a dropped connection, a stall,
  an answer cut short;
- ``app_checks``: what the platform does with an app: it imports ``app.py``, reads each entity
  type's manifest, and runs every view and button as a job.

What it does not emulate is listed in the README ("The app, as VIKTOR runs it").

It touches private parts of the SDK, each named in the one module that needs it:
``_Context``, ``_handle_job`` and ``_get_entity_type_definition`` (``server``). requirements.txt
pins the SDK version they were checked with; ``tests/test_viktor_standin.py`` records that
version's protocol and says what to do when a new SDK speaks differently.
"""

from .faults import Reset, ShortBody, Stall, Status
from .server import (
    MAX_KEY_LENGTH,
    ROUTES,
    Request,
    UnknownRequest,
    UnsendableResult,
    ViktorStandIn,
    as_sent,
    manifest,
    param_types,
)

__all__ = [
    "MAX_KEY_LENGTH",
    "ROUTES",
    "Request",
    "Reset",
    "ShortBody",
    "Stall",
    "Status",
    "UnknownRequest",
    "UnsendableResult",
    "ViktorStandIn",
    "as_sent",
    "manifest",
    "param_types",
]
