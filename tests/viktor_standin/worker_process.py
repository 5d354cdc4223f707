"""Inside a worker: an app's jobs, run the way VIKTOR's workers run them.

``workers.py`` starts this module in a process of its own, with the Python the workers have. It
imports the app once, as the platform does, and then runs each job in a child forked from that
state, where the system can fork (elsewhere, the process runs one job and ends). So every job
starts from the app as it is after its import, and from nothing any other job did. Each job gets:

- a temporary folder of its own, empty (``tempfile`` and ``TMPDIR`` point there);
- a working directory of its own, empty: not the app's folder;
- an app folder it cannot write to (on VIKTOR it is the same for every job, and not the job's);

and what happened comes back as plain data (``Outcome``), for the checks to judge.

A worker has what requirements.txt installs and nothing more, so this module imports only the
standard library and the SDK.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import pickle
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

import viktor as vkt
from viktor.api_v1 import FileResource
from viktor.core import _Context, _handle_job

from .server import UnsendableResult, as_sent, param_types

CAN_FORK = hasattr(os, "fork")
FORK = "VIKTOR_WORKERS_FORK"  # "0" in a worker's environment: a process per request, as on Windows
UPLOAD_URL = re.compile(r"/files/\d+/download/?$")  # the URL of a file field's file
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
# Audit events that change a path (the first argument), besides "open" for writing.
CHANGING_EVENTS = {
    "os.mkdir",
    "os.remove",
    "os.rmdir",
    "os.rename",
    "os.replace",
    "os.truncate",
    "os.chmod",
    "os.symlink",
    "os.link",
    "shutil.rmtree",
    "shutil.copyfile",
    "shutil.move",
}


@dataclass
class JobSpec:
    """One job, as the platform hands it to a worker."""

    entity_type: str  # the name app.py binds the controller to
    method: str
    method_type: str  # the view's type ("data", "table", ...) or the button's
    params: dict  # raw, as the platform sends them: a file field holds the file's id
    token: str  # the job token the stand-in gave it
    entity_id: int = 1
    workspace_id: int = 1


@dataclass
class Frame:
    file: str
    line: int
    function: str


@dataclass
class Failure:
    """An exception the job raised, as plain data."""

    type: str
    message: str
    frames: list[Frame]  # outermost first, as a traceback prints them
    kind: str = ""  # "view", "params" (a field the params lack), or ""
    filename: str | None = None  # the file an OSError names


@dataclass
class Left:
    """What a job left behind in its worker, for the next job on the same worker to find."""

    globals: list[str] = field(default_factory=list)  # "<module>.<name>" that it changed
    files: list[str] = field(default_factory=list)  # in the temporary folder or working directory

    def __bool__(self) -> bool:
        return bool(self.globals or self.files)


@dataclass
class Outcome:
    """How one job ended."""

    token: str = ""  # the job's token: the stand-in records its requests under it
    result: Any = None  # the result as the platform sends it (JSON data), or None
    user_error: str | None = None  # the message of a vkt.UserError
    failure: Failure | None = None  # anything else it raised
    crashed: str | None = None  # the worker's process ended without an answer
    text_reads: list[tuple[str, list[Frame]]] = field(default_factory=list)  # (call, where)
    app_writes: list[tuple[str, list[Frame]]] = field(default_factory=list)  # (path, where)
    left: Left = field(default_factory=Left)
    seconds: float = 0.0

    @property
    def ended_well(self) -> bool:
        """Ended in its result or a vkt.UserError, as a job should."""
        return self.failure is None and self.crashed is None


@dataclass
class Request:
    """Jobs for one worker: one job for a fresh worker, several for a worker that is reused."""

    jobs: list[JobSpec]
    api_url: str  # the stand-in's address, as VIKTOR_API_ENDPOINT gives it to the SDK


# --- The process: import the app, then a job per child ------------------------------------------


def serve(app_folder: str, requests: BinaryIO, answers: BinaryIO) -> None:
    """Import the app in ``app_folder``, then answer each ``Request`` read from ``requests`` with
    a list of ``Outcome`` (or the app's import failure) written to ``answers``.

    The process starts in a working directory of its own, with ``TMPDIR`` a folder of its own
    (``workers.py`` sees to it): every job finds both as they were after the app's import, at
    the same paths, so that a path the app worked out when it was imported stays right."""
    sys.dont_write_bytecode = True  # a worker never writes into the app's folder
    folder = Path(app_folder).resolve()
    places = (Path(tempfile.gettempdir()).resolve(), Path.cwd().resolve())
    try:
        app = import_app(folder)
    except BaseException as error:  # whatever app.py raises, the checks report it
        _send(answers, failure_of(error))
        return
    after_import = {path for place in places for path in place.rglob("*")}
    _state_of(folder, places)  # tells the app's modules from the others once, for every job
    _send(answers, "ready")
    _watch_text_reads()
    sys.addaudithook(_AppFolderGuard(folder))
    # What the app imported stays out of the garbage collector's passes, so that a forked worker
    # does not copy every page of it when it collects: a job's cost is its own work.
    gc.freeze()
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            return
        work = partial(run_jobs, app, folder, request, places, after_import)
        if not CAN_FORK or os.environ.get(FORK) == "0":  # a process for the one request it answers
            _send(answers, work())
            return
        _send(answers, _in_a_child(work))


def import_app(folder: Path) -> ModuleType:
    """``app.py``, imported as VIKTOR imports it: as the module ``app``, from the app's folder."""
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("app", folder / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    return module


def _in_a_child(work) -> Any:
    """What ``work()`` returns, computed in a child process forked from this one."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: work, answer, and end without running any cleanup of the parent
        os.close(reading)
        try:
            answer = work()
        except BaseException:  # noqa: BLE001  (the child must end here, whatever happened)
            answer = [Outcome(crashed=f"the worker itself failed:\n{traceback.format_exc()}")]
        with os.fdopen(writing, "wb") as channel:
            pickle.dump(answer, channel)
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as answer:
        data = answer.read()
    _, status = os.waitpid(pid, 0)
    if data:
        return pickle.loads(data)
    return [Outcome(crashed=_how_it_ended(status))]


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        import signal

        number = os.WTERMSIG(status)
        return f"the worker's process was killed by signal {signal.Signals(number).name}"
    return f"the worker's process ended with exit status {os.waitstatus_to_exitcode(status)}"


def _send(answers: BinaryIO, answer: object) -> None:
    pickle.dump(answer, answers)
    answers.flush()


# --- Running jobs --------------------------------------------------------------------------------


def run_jobs(
    app: ModuleType,
    folder: Path,
    request: Request,
    places: tuple[Path, Path],
    after_import: set[Path],
) -> list[Outcome]:
    """Run the request's jobs one after the other, in this process, as on a worker that is
    reused: first the temporary folder and working directory (``places``) are put back as they
    were after the app's import (``after_import``), then each job finds what the ones before
    it left there."""
    for place in places:
        for path in sorted(place.rglob("*"), reverse=True):  # files before their folders
            if path in after_import:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    os.environ["VIKTOR_API_ENDPOINT"] = request.api_url
    outcomes = []
    for job in request.jobs:
        before = _state_of(folder, places)
        outcome = run_job(app, job)
        outcome.left = _left(before, _state_of(folder, places))
        outcomes.append(outcome)
        _Context.clear()  # what the platform resets between jobs
    return outcomes


def run_job(app: ModuleType, job: JobSpec) -> Outcome:
    """One job through the SDK's own entry point, as the platform runs it."""
    controller = getattr(app, job.entity_type)()
    _Context.job_token, _Context.workspace_id, _Context.entity_id = (
        job.token,
        job.workspace_id,
        job.entity_id,
    )
    _watching.clear()
    started = time.perf_counter()
    outcome = Outcome(token=job.token)
    try:
        result = _handle_job(
            controller,
            method_name=job.method,
            method_type=job.method_type,
            workspace_id=job.workspace_id,
            params=job.params,
            param_types=param_types(controller),
            entity_id=job.entity_id,
            entity_name=f"Entity {job.entity_id}",
        )
        outcome.result = as_sent(result)
    except vkt.UserError as error:
        outcome.user_error = str(error)
    except Exception as error:  # the point: anything else a job raises is for the checks
        outcome.failure = failure_of(error)
    outcome.seconds = time.perf_counter() - started
    outcome.text_reads = list(_watching.get("text reads", []))
    outcome.app_writes = list(_watching.get("app writes", []))
    return outcome


def failure_of(error: BaseException) -> Failure:
    frames = [
        Frame(frame.filename, frame.lineno or 0, frame.name)
        for frame in traceback.extract_tb(error.__traceback__)
    ]
    kind = ""
    if isinstance(error, vkt.errors.ViewError):
        kind = "view"
    elif isinstance(error, AttributeError) and frames and "munch" in frames[-1].file.lower():
        kind = "params"
    elif isinstance(error, UnsendableResult):
        kind = "not sendable"
    filename = getattr(error, "filename", None) if isinstance(error, OSError) else None
    return Failure(type(error).__name__, str(error), frames, kind, filename and str(filename))


# --- What a job leaves behind --------------------------------------------------------------------


@dataclass
class _WorkerState:
    """What a later job on the same worker could find."""

    modules: set[str]  # the app's modules imported so far
    globals: dict[tuple[str, str], object]  # (module, name or "Class.name"): fingerprint
    files: dict[str, int]  # "<path> in the temporary folder": size


def _state_of(folder: Path, places: tuple[Path, Path]) -> _WorkerState:
    state = _WorkerState(set(), {}, {})
    for name, module in list(sys.modules.items()):
        if not _is_app_module(name, module, folder):
            continue
        state.modules.add(name)
        for attribute, value in list(vars(module).items()):
            # A submodule is bound in its package when it is imported: no state of a job's.
            if not attribute.startswith("__") and not isinstance(value, ModuleType):
                state.globals[name, attribute] = _fingerprint(value)
            if isinstance(value, type) and value.__module__ == name:  # a class's own attributes
                for inner, inner_value in list(vars(value).items()):
                    if not inner.startswith("__"):
                        state.globals[name, f"{attribute}.{inner}"] = _fingerprint(inner_value)
    for root, label in zip(places, ("temporary folder", "working directory"), strict=True):
        for path in root.rglob("*"):
            state.files[f"{path.relative_to(root).as_posix()} in the {label}"] = path.stat().st_size
    return state


_app_modules: dict[str, bool] = {}  # module name: whether it is the app's own code


def _is_app_module(name: str, module: ModuleType, folder: Path) -> bool:
    if name not in _app_modules:  # decided once per module: this runs before and after each job
        file = getattr(module, "__file__", None)
        path = Path(file).resolve() if file else None
        _app_modules[name] = bool(
            path
            and folder in path.parents
            and not {"tests", "site-packages"} & set(path.relative_to(folder).parts)
        )
    return _app_modules[name]


def _fingerprint(value: object) -> object:
    """Enough of a value to see that a job changed it: its identity and its size."""
    try:
        size = len(value)  # type: ignore[arg-type]
    except TypeError:
        size = len(vars(value)) if hasattr(value, "__dict__") and not callable(value) else None
    except Exception:  # noqa: BLE001  (an object whose len() fails is not a container)
        size = None
    return id(value), size


def _left(before: _WorkerState, after: _WorkerState) -> Left:
    """What the job changed: a module it imported is no change (a fresh worker imports it too);
    a global it set or changed in a module imported before, or a file it left, is."""
    return Left(
        globals=sorted(
            f"{module}.{name}"
            for (module, name), fingerprint in after.globals.items()
            if module in before.modules and before.globals.get((module, name)) != fingerprint
        ),
        files=sorted(name for name, size in after.files.items() if before.files.get(name) != size),
    )


# --- Watching the job ----------------------------------------------------------------------------

_watching: dict[str, list] = {}


def _note(kind: str, what: str) -> None:
    frames = [Frame(f.filename, f.lineno or 0, f.name) for f in traceback.extract_stack()[:-2]]
    _watching.setdefault(kind, []).append((what, frames))


def _watch_text_reads() -> None:
    """Note every read of an uploaded file in text mode: an upload is bytes, and text mode
    decodes it with an encoding the file may not have."""

    def watched(method, call: str, uploads_only: bool):
        def read_as_text(self, *args, **kwargs):
            if _watching.get("inside a text read"):  # the SDK's own call inside another
                return method(self, *args, **kwargs)
            if not uploads_only or _is_upload(self):
                _note("text reads", call)
            _watching["inside a text read"] = [True]
            try:
                return method(self, *args, **kwargs)
            finally:
                _watching.pop("inside a text read", None)

        return read_as_text

    vkt.File.getvalue = watched(vkt.File.getvalue, ".getvalue()", uploads_only=True)
    vkt.File.open = watched(vkt.File.open, ".open()", uploads_only=True)
    FileResource.open = watched(FileResource.open, ".open()", uploads_only=False)


def _is_upload(file: vkt.File) -> bool:
    with contextlib.suppress(Exception):
        return bool(UPLOAD_URL.search(str(file.source or "")))
    return False


class _AppFolderGuard:
    """An audit hook that refuses every change to the app's folder, as a read-only disk would."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            writing = (mode is not None and any(c in str(mode) for c in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & WRITE_FLAGS
            )
            targets = [path] if writing else []
        elif event in CHANGING_EVENTS:
            targets = [args[0], args[1]] if event in ("os.rename", "os.replace") else [args[0]]
        else:
            return
        for target in targets:
            if isinstance(target, int) or target is None:
                continue
            resolved = Path(os.path.abspath(os.fsdecode(target)))
            if resolved == self.folder or self.folder in resolved.parents:
                _note("app writes", str(resolved))
                raise PermissionError(13, "Permission denied: the app folder is read-only", target)
