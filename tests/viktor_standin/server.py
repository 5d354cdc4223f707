"""A local stand-in for the VIKTOR platform, so the tests run the real, unmodified SDK offline.

Like moto for AWS or Azurite for Azure Storage: a small HTTP server on 127.0.0.1 that answers the
SDK's requests as VIKTOR's API does, for what an app's jobs use: VIKTOR Storage in its three
scopes, uploaded files (a ``FileField``'s integer id), the file behind a ``DownloadResult``,
progress messages and ``UserMessage``. It keeps its state in memory and records every request, so
a test can assert on what the app asked for.

    with ViktorStandIn() as viktor:
        upload = viktor.add_file("beams.csv", data)
        result = viktor.run_job(Controller(), "upload_facts", "data", {"upload": upload})
        viktor.storage("workspace")          # what the app stored: {key: bytes}

It fails on request, as the platform does now and then: ``failing`` makes any of its ``ROUTES``
answer an error status, drop the connection, stall, or cut an answer short (``faults.py``).

    with viktor.failing("storage: get", fault=Stall(30)):
        viktor.run_job(...)                  # Storage does not answer in time

What it is not: VIKTOR's limits, permissions and speed are not emulated (beyond the key length and
the scopes that the documentation names). A request it does not know fails the test with its name,
at the end of the job (or of the stand-in, for one made outside ``job()``); a malformed request is
answered with 400. A job's result is returned as the platform sends it: through strict JSON.

It touches three private parts of the SDK, named here and nowhere else: ``_Context`` (the job
token, the only way to give the SDK one), ``_handle_job`` (how the platform runs a job) and
``_get_entity_type_definition`` (how it reads an entity type's manifest). requirements.txt pins
the SDK version they were checked with; ``test_viktor_standin.py`` records the protocol of that
version and says what to do when a new SDK speaks differently.
"""

from __future__ import annotations

import email.message
import email.parser
import email.policy
import itertools
import json
import logging
import math
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import viktor as vkt
from viktor.core import _Context, _get_entity_type_definition, _handle_job

from .faults import Fault, Status

SCOPES = ("entity", "workspace", "session")
MAX_KEY_LENGTH = 256  # VIKTOR's documented limit for a Storage key
API = "/api/"  # the base path the SDK is given; every route below is relative to it
PAGE_SIZE = 500  # what the SDK asks for; the stand-in honours any limit

# Every route a job uses, by the name ``failing`` and ``Request.route`` give it.
ROUTES = (
    "storage: get",  # Storage.get: where the entry can be downloaded
    "storage: download",  # the entry's download, for Storage.get and each entry Storage.list reads
    "storage: set",  # Storage.set: where the data can be uploaded
    "storage: upload",  # Storage.set's upload of the data, which stores it
    "storage: list",  # Storage.list, a page of keys at a time
    "storage: delete",  # Storage.delete
    "file",  # an uploaded file's name (a FileField's FileResource.filename)
    "file download",  # an uploaded file's bytes
    "temporary file",  # a DownloadResult's file: where it can be uploaded
    "temporary file: upload",  # the upload of a DownloadResult's file
    "progress",  # vkt.progress_message and vkt.UserMessage
)
SERVER_ERROR = Status(500)  # how a route fails unless a test says otherwise: VIKTOR is down
# The last part of a temporary URL says what it is for: (method, kind) -> route.
_TEMPORARY_ROUTES = {
    ("GET", "storage-download"): "storage: download",
    ("POST", "storage-upload"): "storage: upload",
    ("PUT", "storage-upload"): "storage: upload",
    ("POST", "temporary-upload"): "temporary file: upload",
    ("PUT", "temporary-upload"): "temporary file: upload",
}


@dataclass
class Request:
    """One request the SDK made, as the stand-in saw it."""

    method: str
    path: str  # relative to the API's base, without the query: "storage/"
    query: dict[str, str]
    json: Any  # the JSON body, or None
    token: str | None  # the job token in the Authorization header, if any
    route: str  # the name of the route (one of ROUTES), or "unknown"
    status: int | None = None  # the status answered; None when the connection was dropped


@dataclass
class Job:
    """Who a job token stands for: the platform knows this from the token alone."""

    workspace_id: int
    entity_id: int
    session_id: str


@dataclass
class _State:
    # (workspace, scope, owner) -> {key: bytes}; the owner is the entity id, the session id, or
    # "" for the workspace scope.
    storage: dict[tuple[int, str, str], dict[str, bytes]] = field(default_factory=dict)
    files: dict[int, tuple[str, bytes]] = field(default_factory=dict)  # uploaded files by id
    blobs: dict[str, bytes] = field(default_factory=dict)  # temporary upload/download URLs
    pending_uploads: dict[str, Any] = field(default_factory=dict)  # upload URL -> where it goes
    jobs: dict[str, Job] = field(default_factory=dict)  # job token -> job
    requests: list[Request] = field(default_factory=list)
    unknown: list[Request] = field(default_factory=list)  # unknown requests not yet reported
    progress: list[dict] = field(default_factory=list)  # progress messages, as sent
    lock: threading.Lock = field(default_factory=threading.Lock)
    urls: Iterator[int] = field(default_factory=itertools.count)  # numbers temporary URLs
    faults: list[_Failing] = field(default_factory=list)  # the failing blocks, innermost last

    def temporary_url(self, origin: str, kind: str) -> str:
        return f"{origin}/blob/{next(self.urls)}/{kind}"

    def fault_for(self, route: str) -> _Failing | None:
        """The failing block that takes this request, counting it; None when none does."""
        for failing in reversed(self.faults):
            if route in failing.routes and failing.times != 0:
                if failing.times is not None:
                    failing.times -= 1
                return failing
        return None


@dataclass
class _Failing:
    """One ``failing`` block: its routes fail with ``fault``, ``times`` more times (None: all)."""

    routes: frozenset[str]
    fault: Fault
    times: int | None
    over: threading.Event = field(default_factory=threading.Event)  # set when the block ends


class ViktorStandIn:
    """The stand-in server. Use it as a context manager: it starts on a free port and stops."""

    def __init__(self) -> None:
        self._state = _State()
        self._ids = itertools.count(1)
        self._server: _Server | None = None
        self._patches: list[Any] = []
        self.base_url = ""
        self.sdk_warnings: list[str] = []  # what the SDK logged while routes were failing

    # --- Starting and stopping -------------------------------------------------------------------

    def __enter__(self) -> ViktorStandIn:
        state = self._state

        class Handler(_Handler):
            pass

        Handler.state = state
        self._server = _Server(("127.0.0.1", 0), Handler)
        Handler.origin = f"http://127.0.0.1:{self._server.server_port}"
        self.base_url = Handler.origin + API
        # A short poll interval: stopping the server waits for at most one interval.
        threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True).start()
        # The SDK reads its API address from this variable on every request.
        self._patches = [mock.patch.dict(os.environ, {"VIKTOR_API_ENDPOINT": self.base_url})]
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        for patch in reversed(self._patches):
            patch.stop()
        _Context.job_token = None
        for failing in self._state.faults:
            failing.over.set()  # a stalled answer goes out now, so the server can stop
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if exc_type is None:
            self._report_unknown()  # made outside a job, by a worker of the test's own

    # --- What a test gives the platform ----------------------------------------------------------

    def add_file(self, filename: str, data: bytes) -> int:
        """Upload a file, as a user does into a FileField: the id is what the job's params hold."""
        file_id = next(self._ids)
        self._state.files[file_id] = (filename, data)
        return file_id

    @contextmanager
    def job(
        self, entity_id: int = 1, session_id: str = "session-1", workspace_id: int = 1
    ) -> Iterator[Job]:
        """Within the block, the SDK acts for a job of this entity, session and workspace."""
        job = Job(workspace_id, entity_id, session_id)
        token = self.job_token(job)
        previous = (_Context.job_token, _Context.workspace_id, _Context.entity_id)
        _Context.job_token, _Context.workspace_id, _Context.entity_id = (
            token,
            workspace_id,
            entity_id,
        )
        try:
            yield job
        finally:
            _Context.job_token, _Context.workspace_id, _Context.entity_id = previous
            self._report_unknown()

    def job_token(self, job: Job) -> str:
        """A new token for a job of ``job``'s entity, session and workspace: what the platform
        gives a worker for one job (a worker in another process sets it as its job token)."""
        token = f"job-{next(self._ids)}"
        self._state.jobs[token] = job
        return token

    def run_job(
        self,
        controller: vkt.Controller,
        method: str,
        method_type: str,
        params: dict,
        *,
        entity_id: int = 1,
        session_id: str = "session-1",
        workspace_id: int = 1,
    ) -> dict | None:
        """Run one view or button as the platform does, and return what the job returns.

        ``params`` are raw, as the platform sends them: a file field holds the id from
        ``add_file``. The field types come from the controller's own manifest.
        """
        with self.job(entity_id, session_id, workspace_id):
            result = _handle_job(
                controller,
                method_name=method,
                method_type=method_type,
                workspace_id=workspace_id,
                params=params,
                param_types=param_types(controller),
                entity_id=entity_id,
                entity_name=f"Entity {entity_id}",
            )
        return as_sent(result)

    # --- What a test reads back ------------------------------------------------------------------

    def storage(
        self,
        scope: str,
        *,
        entity_id: int = 1,
        session_id: str = "session-1",
        workspace_id: int = 1,
    ) -> dict[str, bytes]:
        """What is stored in one scope, as seen by a job of that entity and session."""
        owner = _owner(scope, Job(workspace_id, entity_id, session_id), None)
        return dict(self._state.storage.get((workspace_id, scope, owner), {}))

    def put(self, scope: str, key: str, data: bytes, *, entity_id: int = 1) -> None:
        """Store ``data`` as if an earlier job had (for a test that needs an entry in place)."""
        owner = _owner(scope, Job(1, entity_id, "session-1"), None)
        self._state.storage.setdefault((1, scope, owner), {})[key] = data

    def entries(self) -> dict[tuple[int, str, str, str], bytes]:
        """Every stored entry, in every workspace, scope and owner: {(workspace, scope, owner,
        key): bytes}, where the owner is the entity id or session id ("" for the workspace)."""
        return {
            (workspace, scope, owner, key): data
            for (workspace, scope, owner), space in self._state.storage.items()
            for key, data in space.items()
        }

    def replace_entries(self, entries: dict[tuple[int, str, str, str], bytes]) -> None:
        """Make ``entries`` (as ``entries()`` gives them) all that is stored."""
        with self._state.lock:
            self._state.storage.clear()
            for (workspace, scope, owner, key), data in entries.items():
                self._state.storage.setdefault((workspace, scope, owner), {})[key] = data

    def download(self, job_result: dict) -> bytes:
        """The file a ``DownloadResult`` gave the user; ``job_result`` is what ``run_job`` gave."""
        return self._state.blobs[job_result["download"]["url"]]

    @property
    def requests(self) -> list[Request]:
        return list(self._state.requests)

    @property
    def progress_messages(self) -> list[dict]:
        """Every ``vkt.progress_message`` and ``UserMessage`` sent: {"message": ..., ...}."""
        return list(self._state.progress)

    @contextmanager
    def failing(
        self, *routes: str, fault: Fault = SERVER_ERROR, times: int | None = None
    ) -> Iterator[None]:
        """Within the block, requests of these ``ROUTES`` fail with ``fault`` (``faults.py``: a
        status, a reset, a stall, a short answer): all of them, or the first ``times``. A failed
        request changes nothing. The SDK logs a warning for each failure ("Unmapped storage
        status 500"): ``sdk_warnings`` keeps them, out of the test output."""
        unknown = sorted(set(routes) - set(ROUTES))
        if unknown or not routes:
            missing = f"no route {', '.join(map(repr, unknown))}" if unknown else "no route given"
            raise ValueError(f"failing(): {missing}; the routes are: {', '.join(ROUTES)}.")
        failing = _Failing(frozenset(routes), fault, times)
        with self._state.lock:
            self._state.faults.append(failing)
        sdk_logger = logging.getLogger("viktor")
        handler = _Recording(self.sdk_warnings)
        sdk_logger.addHandler(handler)
        propagate, sdk_logger.propagate = sdk_logger.propagate, False
        try:
            yield
        finally:
            with self._state.lock:
                self._state.faults.remove(failing)
            failing.over.set()
            sdk_logger.removeHandler(handler)
            sdk_logger.propagate = propagate

    def forget_requests(self) -> None:
        self._state.requests.clear()
        self._state.progress.clear()

    def _report_unknown(self) -> None:
        """Fail with the first request the stand-in did not know, if one was made since the last
        report."""
        with self._state.lock:
            unknown, self._state.unknown[:] = list(self._state.unknown), []
        if unknown:
            raise UnknownRequest(unknown[0])


class _Recording(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the SDK hung up on a kept-alive connection: nothing went wrong
        super().handle_error(request, client_address)  # prints the stand-in's own bug


class UnknownRequest(AssertionError):
    def __init__(self, request: Request) -> None:
        super().__init__(
            f"The SDK asked the VIKTOR stand-in for {request.method} {request.path} "
            f"{request.query or ''}, which it does not emulate. If the app uses a part of VIKTOR "
            "the stand-in lacks, add a route to tests/viktor_standin/server.py; if the SDK was "
            "upgraded, see tests/test_viktor_standin.py."
        )


class UnsendableResult(AssertionError):
    """A job's result that the platform could not send to the browser."""


def as_sent(result: Any) -> Any:
    """``result`` as the platform sends a job's result to the browser: through strict JSON, which
    has no NaN or Infinity and only JSON's types. UnsendableResult says what could not be sent."""
    try:
        return json.loads(json.dumps(result, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise UnsendableResult(
            f"The job's result holds {_unsendable(result, 'result') or error}, which VIKTOR cannot "
            "send to the browser as JSON: return only finite numbers, text, True, False, None, "
            "and lists and dicts of them (a missing number as None)."
        ) from None


def _unsendable(value: Any, where: str) -> str | None:
    """What in ``value`` strict JSON cannot hold, and where; None when all of it can."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} at {where}"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str | int | float | bool | None):
                return f"the key {key!r} at {where}"
            found = _unsendable(item, f"{where}[{key!r}]")
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _unsendable(item, f"{where}[{index}]")
            if found:
                return found
    elif not isinstance(value, str | int | float | bool | None):
        return f"a {type(value).__name__} at {where}"
    return None


def manifest(controller: vkt.Controller) -> dict:
    """The entity type's definition, as the platform reads it when the app starts."""
    return _get_entity_type_definition(controller)


def param_types(controller: vkt.Controller) -> dict[str, dict]:
    """Each field's type by its path, as the platform passes them to a job."""
    return _types_of(manifest(controller)["parametrization"] or [])


def _types_of(fields: list[dict]) -> dict[str, dict]:
    types: dict[str, dict] = {}
    for item in fields:
        if "content" in item:  # a tab, section, page or step
            types.update(_types_of(item["content"]))
            continue
        path = item.get("parametrization_path")
        if not path or item.get("type") == "text_output":
            continue
        entry: dict[str, Any] = {"type": item["type"]}
        columns = item.get("arrayItems", item.get("column_fields"))  # a dynamic array or table
        if columns is not None:
            entry["sub_types"] = _types_of(columns)
        types[path] = entry
    return types


def _owner(scope: str, job: Job, entity_id: object) -> str:
    if scope == "entity":
        return str(entity_id if entity_id is not None else job.entity_id)
    if scope == "session":
        return job.session_id
    return ""


class _BadRequest(ValueError):
    """A request that VIKTOR would refuse with 400: the message says why."""


class _Handler(BaseHTTPRequestHandler):
    state: _State
    origin: str
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else a kept-alive connection waits 40 ms on every answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002  (the base's name)
        pass  # quiet: the tests read self.state.requests instead

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_DELETE(self) -> None:
        self._answer("DELETE")

    def do_PUT(self) -> None:
        self._answer("PUT")

    def do_PATCH(self) -> None:
        self._answer("PATCH")

    def _answer(self, method: str) -> None:
        url = urlsplit(self.path)
        self._body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        authorization = self.headers.get("Authorization") or ""
        token = authorization.removeprefix("Bearer ") if authorization else None
        path = url.path.removeprefix(API) if url.path.startswith(API) else url.path
        self._request = Request(method, path, query, None, token, _route_of(method, path, query))
        self._malformed = ""
        if (self.headers.get("Content-Type") or "").startswith("application/json") and self._body:
            try:
                self._request.json = json.loads(self._body)
            except ValueError as error:
                self._malformed = f"The body is not JSON: {error}."
        self.reads_only = method == "GET"
        with self.state.lock:
            self.state.requests.append(self._request)
            if self._request.route == "unknown":
                self.state.unknown.append(self._request)
            self._failing = self.state.fault_for(self._request.route)
        if self._failing is None:
            self.send(*self.carry_out())
        else:
            self._failing.fault.serve(self)

    # --- The exchange that a fault acts on (faults.Exchange) ------------------------------------

    def carry_out(self) -> tuple[int, Any]:
        with self.state.lock:
            try:
                if self._malformed:
                    raise _BadRequest(self._malformed)
                return _route(self.state, self.origin, self._request, self._body, self.headers)
            except _BadRequest as error:
                return 400, {"detail": str(error)}

    def send(self, status: int, payload: Any, cut_short: bool = False) -> None:
        if isinstance(payload, bytes):
            content, content_type = payload, "application/octet-stream"
        else:
            content, content_type = json.dumps(payload).encode(), "application/json"
        if status == 204:
            content = b""
        self._request.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if cut_short:
            content = content[: len(content) // 2]
            self.close_connection = True
        self.wfile.write(content)

    def hang_up(self) -> None:
        self.close_connection = True  # and nothing written: the connection closes unanswered

    def wait(self, seconds: float) -> None:
        assert self._failing is not None
        self._failing.over.wait(seconds)


def _route_of(method: str, path: str, query: dict[str, str]) -> str:
    """The name of a request's route (one of ROUTES), or "unknown"."""
    if path.startswith("/blob/"):  # temporary URLs, which the SDK calls without its token
        return _TEMPORARY_ROUTES.get((method, path.rpartition("/")[2]), "unknown")
    if path == "storage/":
        if method == "GET":
            return "storage: get" if "key" in query else "storage: list"
        return {"POST": "storage: set", "DELETE": "storage: delete"}.get(method, "unknown")
    if path == "storage/temporary_file/" and method == "POST":
        return "temporary file"
    if path == "app/progress/" and method == "POST":
        return "progress"
    parts = path.strip("/").split("/")
    if method == "GET" and len(parts) >= 4 and parts[0] == "workspaces" and parts[2] == "files":
        if len(parts) == 4:
            return "file"
        if parts[4:] == ["download"]:
            return "file download"
    return "unknown"


def _route(state: _State, origin: str, request: Request, body: bytes, headers) -> tuple[int, Any]:
    """The answer to one request: (status, JSON data or bytes)."""
    route = request.route
    if route == "unknown":
        return 404, {
            "detail": f"The VIKTOR stand-in has no route for {request.method} {request.path}."
        }
    if request.path.startswith("/blob/"):
        return _temporary(state, origin, request, body, headers)
    job = state.jobs.get(request.token or "")
    if job is None:
        return 401, {"detail": "Invalid token."}
    if route.startswith("storage: "):
        return _storage(state, origin, job, request)
    if route == "temporary file":
        upload_url = state.temporary_url(origin, "temporary-upload")
        download_url = state.temporary_url(origin, "temporary-download")
        state.pending_uploads[upload_url] = ("download", download_url)
        return 201, {"temporary_upload_url": upload_url, "temporary_download_url": download_url}
    if route == "progress":
        if not isinstance(request.json, dict) or not isinstance(request.json.get("message"), str):
            raise _BadRequest("A progress message needs a JSON body with a 'message'.")
        state.progress.append(request.json)
        return 200, {}
    file_id = request.path.strip("/").split("/")[3]
    if not file_id.isdigit():
        raise _BadRequest(f"{file_id!r} is not a file id.")
    file = state.files.get(int(file_id))
    if file is None:
        return 404, {"detail": "Not found."}
    if route == "file download":
        return 200, file[1]
    return 200, {"scope": "entity", "entity_id": job.entity_id, "filename": file[0]}


def _storage(state: _State, origin: str, job: Job, request: Request) -> tuple[int, Any]:
    method, query, route = request.method, request.query, request.route
    body = request.json if isinstance(request.json, dict) else {}
    given = body if method == "POST" else query
    scope = given.get("scope")
    if scope not in SCOPES:
        raise _BadRequest(f"scope: {scope!r} is not a valid choice.")
    space = state.storage.setdefault(
        (job.workspace_id, scope, _owner(scope, job, given.get("entity_id"))), {}
    )
    if route == "storage: set":
        key = body.get("key")
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
            raise _BadRequest(f"key: give a text of 1 to {MAX_KEY_LENGTH} characters.")
        url = state.temporary_url(origin, "storage-upload")
        state.pending_uploads[url] = ("storage", space, key)
        return 201, {"temp_upload_url": url, "temp_upload_data": {"key": f"uploads/{key}"}}
    if route == "storage: get":
        key = query["key"]
        if key not in space:
            return 200, {"results": [], "next_token": None}
        return 200, {"results": [_entry(state, origin, key, space[key])], "next_token": None}
    if route == "storage: list":
        keys = sorted(key for key in space if key.startswith(query.get("prefix", "")))
        start, limit = query.get("pagination_token") or "0", query.get("limit") or str(PAGE_SIZE)
        if not (start.isdigit() and limit.isdigit()):
            raise _BadRequest("pagination_token and limit are whole numbers.")
        end = int(start) + int(limit)
        results = [_entry(state, origin, key, space[key]) for key in keys[int(start) : end]]
        return 200, {"results": results, "next_token": str(end) if end < len(keys) else None}
    if space.pop(query.get("key", ""), None) is None:  # storage: delete
        return 404, {"detail": "Not found."}
    return 204, None


def _entry(state: _State, origin: str, key: str, data: bytes) -> dict[str, str]:
    """A Storage entry as get and list give it: its key, and a URL to download it from."""
    url = state.temporary_url(origin, "storage-download")
    state.blobs[url] = data
    return {"key": key, "temp_download_url": url}


def _temporary(
    state: _State, origin: str, request: Request, body: bytes, headers
) -> tuple[int, Any]:
    url = origin + request.path
    if request.route == "storage: download":
        if url not in state.blobs:
            return 404, {"detail": f"No temporary file at {request.path}."}
        return 200, state.blobs[url]
    if url not in state.pending_uploads:
        return 404, {"detail": f"No temporary upload at {request.path}."}
    data = _uploaded_file(body, headers)  # before the URL is used up: a bad upload changes nothing
    target = state.pending_uploads.pop(url)
    if target[0] == "storage":
        _, space, key = target
        space[key] = data
    else:
        state.blobs[target[1]] = data
    return 204, None


def _uploaded_file(body: bytes, headers) -> bytes:
    """The file in a multipart form (the field named "file"), or the body itself. Split by hand,
    as a server would, rather than with the email module: that copies a body several times, and
    the stand-in shares its process with the app, whose memory a test may measure."""
    content_type = headers.get("Content-Type") or ""
    if not content_type.startswith("multipart/form-data"):
        return body
    form = email.message.Message()
    form["Content-Type"] = content_type
    boundary = form.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise _BadRequest("A multipart upload needs a boundary.")
    for part in body.split(b"--" + boundary.encode())[1:-1]:
        head, separator, content = part.partition(b"\r\n\r\n")
        fields = email.parser.BytesHeaderParser(policy=email.policy.HTTP).parsebytes(head.strip())
        disposition = fields["Content-Disposition"]
        if separator and disposition is not None and disposition.params.get("name") == "file":
            return content.removesuffix(b"\r\n")
    raise _BadRequest("A multipart upload needs a field named 'file'.")
