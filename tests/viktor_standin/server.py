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

What it is not: VIKTOR's limits, permissions, speed and failures are not emulated (beyond the key
length and the scopes that the documentation names); a request it does not know is answered with
an error that names it, and ``run_job`` fails the test with that name.

It touches three private parts of the SDK, named here and nowhere else: ``_Context`` (the job
token, the only way to give the SDK one), ``_handle_job`` (how the platform runs a job) and
``_get_entity_type_definition`` (how it reads an entity type's manifest). requirements.txt pins
the SDK version they were checked with; ``test_viktor_standin.py`` records the protocol of that
version and says what to do when a new SDK speaks differently.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import logging
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

SCOPES = ("entity", "workspace", "session")
MAX_KEY_LENGTH = 256  # VIKTOR's documented limit for a Storage key
API = "/api/"  # the base path the SDK is given; every route below is relative to it
PAGE_SIZE = 500  # what the SDK asks for; the stand-in honours any limit


@dataclass
class Request:
    """One request the SDK made, as the stand-in saw it."""

    method: str
    path: str  # relative to the API's base, without the query: "storage/"
    query: dict[str, str]
    json: Any  # the JSON body, or None
    token: str | None  # the job token in the Authorization header, if any
    route: str  # the name of the route that answered, or "unknown"


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
    progress: list[dict] = field(default_factory=list)  # progress messages, as sent
    lock: threading.Lock = field(default_factory=threading.Lock)
    urls: Iterator[int] = field(default_factory=itertools.count)  # numbers temporary URLs
    failing: set[str] = field(default_factory=set)  # routes that answer 500, as when VIKTOR is down

    def temporary_url(self, origin: str, kind: str) -> str:
        return f"{origin}/blob/{next(self.urls)}/{kind}"


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

    def __exit__(self, *exc_info: object) -> None:
        for patch in reversed(self._patches):
            patch.stop()
        _Context.job_token = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

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
            before = len(self._state.requests)
            try:
                return _handle_job(
                    controller,
                    method_name=method,
                    method_type=method_type,
                    workspace_id=workspace_id,
                    params=params,
                    param_types=param_types(controller),
                    entity_id=entity_id,
                    entity_name=f"Entity {entity_id}",
                )
            finally:
                unknown = [r for r in self._state.requests[before:] if r.route == "unknown"]
                if unknown:
                    raise UnknownRequest(unknown[0])

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
    def failing(self, *routes: str) -> Iterator[None]:
        """Within the block, these routes ("storage: set", "storage: get", ...) answer with a
        server error, as VIKTOR does when something is down. Nothing they would change changes.
        The SDK logs a warning for each ("Unmapped storage status 500"): ``sdk_warnings`` keeps
        them, out of the test output."""
        self._state.failing.update(routes)
        sdk_logger = logging.getLogger("viktor")
        handler = _Recording(self.sdk_warnings)
        sdk_logger.addHandler(handler)
        propagate, sdk_logger.propagate = sdk_logger.propagate, False
        try:
            yield
        finally:
            self._state.failing.difference_update(routes)
            sdk_logger.removeHandler(handler)
            sdk_logger.propagate = propagate

    def forget_requests(self) -> None:
        self._state.requests.clear()
        self._state.progress.clear()


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
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        authorization = self.headers.get("Authorization") or ""
        token = authorization.removeprefix("Bearer ") if authorization else None
        is_json = (self.headers.get("Content-Type") or "").startswith("application/json")
        path = url.path.removeprefix(API) if url.path.startswith(API) else url.path
        request = Request(method, path, query, json.loads(body) if is_json and body else None,
                          token, "unknown")  # fmt: skip
        with self.state.lock:
            self.state.requests.append(request)
            if _storage_route(request) in self.state.failing:  # before it changes anything
                request.route = _storage_route(request)
                status, payload = 500, {"detail": "Internal server error (the stand-in's failure)."}
            else:
                status, payload = _route(self.state, self.origin, request, body, self.headers)
        if isinstance(payload, bytes):
            content, content_type = payload, "application/octet-stream"
        else:
            content, content_type = json.dumps(payload).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content) if status != 204 else 0))
        self.end_headers()
        if status != 204:
            self.wfile.write(content)


def _route(state: _State, origin: str, request: Request, body: bytes, headers) -> tuple[int, Any]:
    """The answer to one request: (status, JSON data or bytes)."""
    path, method = request.path, request.method
    parts = path.strip("/").split("/")
    if path.startswith("/blob/"):  # temporary URLs, which the SDK calls without its token
        return _blob(state, origin, request, body, headers)
    job = state.jobs.get(request.token or "")
    if job is None:
        request.route = "unauthorized"
        return 401, {"detail": "Invalid token."}
    if path == "storage/":
        return _storage(state, origin, job, request)
    if path == "storage/temporary_file/" and method == "POST":
        request.route = "temporary file"
        upload_url = state.temporary_url(origin, "upload")
        download_url = state.temporary_url(origin, "download")
        state.pending_uploads[upload_url] = ("download", download_url)
        return 201, {"temporary_upload_url": upload_url, "temporary_download_url": download_url}
    if path == "app/progress/" and method == "POST":
        request.route = "progress"
        state.progress.append(request.json)
        return 200, {}
    if len(parts) >= 4 and parts[0] == "workspaces" and parts[2] == "files" and method == "GET":
        file = state.files.get(int(parts[3])) if parts[3].isdigit() else None
        if file is None:
            request.route = "file"
            return 404, {"detail": "Not found."}
        if parts[4:] == ["download"]:
            request.route = "file download"
            return 200, file[1]
        if len(parts) == 4:
            request.route = "file"
            return 200, {"scope": "entity", "entity_id": job.entity_id, "filename": file[0]}
    return 404, {"detail": f"The VIKTOR stand-in has no route for {method} {path}."}


def _storage_route(request: Request) -> str | None:
    """The name of a Storage request's route ("storage: get", ...), or None for another."""
    if request.path != "storage/":
        return None
    if request.method == "GET":
        return "storage: get" if "key" in request.query else "storage: list"
    return {"POST": "storage: set", "DELETE": "storage: delete"}.get(request.method)


def _storage(state: _State, origin: str, job: Job, request: Request) -> tuple[int, Any]:
    method, query = request.method, request.query
    body = request.json or {}
    scope = body.get("scope") if method == "POST" else query.get("scope")
    if scope not in SCOPES:
        request.route = "storage: bad scope"
        return 400, {"scope": [f"{scope!r} is not a valid choice."]}
    entity_id = body.get("entity_id") if method == "POST" else query.get("entity_id")
    space = state.storage.setdefault((job.workspace_id, scope, _owner(scope, job, entity_id)), {})
    if method == "POST":
        request.route = "storage: set"
        key = body.get("key") or ""
        if not key or len(key) > MAX_KEY_LENGTH:
            return 400, {
                "key": [f"Ensure this field has no more than {MAX_KEY_LENGTH} characters."]
            }
        url = state.temporary_url(origin, "upload")
        state.pending_uploads[url] = ("storage", space, key)
        return 201, {"temp_upload_url": url, "temp_upload_data": {"key": f"uploads/{key}"}}
    if method == "GET" and "key" in query:
        request.route = "storage: get"
        key = query["key"]
        if key not in space:
            return 200, {"results": [], "next_token": None}
        url = state.temporary_url(origin, "download")
        state.blobs[url] = space[key]
        return 200, {"results": [{"key": key, "temp_download_url": url}], "next_token": None}
    if method == "GET":
        request.route = "storage: list"
        keys = sorted(key for key in space if key.startswith(query.get("prefix", "")))
        start = int(query.get("pagination_token") or 0)
        end = start + int(query.get("limit") or PAGE_SIZE)
        results = []
        for key in keys[start:end]:
            url = state.temporary_url(origin, "download")
            state.blobs[url] = space[key]
            results.append({"key": key, "temp_download_url": url})
        return 200, {"results": results, "next_token": str(end) if end < len(keys) else None}
    if method == "DELETE":
        request.route = "storage: delete"
        if space.pop(query.get("key", ""), None) is None:
            return 404, {"detail": "Not found."}
        return 204, None
    return 405, {"detail": f"{method} is not allowed on storage/."}


def _blob(state: _State, origin: str, request: Request, body: bytes, headers) -> tuple[int, Any]:
    url = origin + request.path
    if request.method == "GET" and url in state.blobs:
        request.route = "temporary download"
        return 200, state.blobs[url]
    target = state.pending_uploads.pop(url, None)
    if request.method in ("POST", "PUT") and target is not None:
        request.route = "temporary upload"
        data = _uploaded_file(body, headers)
        if target[0] == "storage":
            _, space, key = target
            space[key] = data
        else:
            state.blobs[target[1]] = data
        return 204, None
    return 404, {"detail": f"No temporary file at {request.path}."}


def _uploaded_file(body: bytes, headers) -> bytes:
    """The file in a multipart form (the field named "file"), or the body itself."""
    content_type = headers.get("Content-Type") or ""
    if not content_type.startswith("multipart/form-data"):
        return body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            return part.get_payload(decode=True) or b""
    raise ValueError("a multipart upload without a field named 'file'")
