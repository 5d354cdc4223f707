"""VIKTOR's workers, emulated: each job runs in a process that has run no other job of the app.

On VIKTOR, every job (a view, a button) may run on another worker, with nothing in memory or on
disk from the job before. ``Workers`` runs a job the same way: in a process of its own, started
from the app as it is after its import (``worker_process.py``). Where the system can fork (Linux,
macOS), one process imports the app once and forks a child per job, which costs a few
milliseconds; on Windows, each job gets a new process, and the next one is started while the
current one works.

The workers run with the Python in the environment variable ``VIKTOR_WORKER_PYTHON`` when it is
set: ``.ci/run`` points it at an environment built from requirements.txt alone, as VIKTOR builds
its workers, so that an import the app lacks there fails the checks as it would fail on VIKTOR.
"""

from __future__ import annotations

import os
import pickle
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .worker_process import CAN_FORK, FORK, Failure, JobSpec, Outcome, Request

TESTS_FOLDER = Path(__file__).resolve().parent.parent  # where the package viktor_standin is
WORKER_PYTHON = "VIKTOR_WORKER_PYTHON"
JOB_SECONDS = 120  # a job that takes longer is stopped and reported
START_SECONDS = 120  # importing the SDK and the app


class WorkerProblem(AssertionError):
    """The app cannot run on a worker at all: its import fails there."""

    def __init__(self, failure: Failure, python: str) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.python = python


class Workers:
    """Fresh workers for the app in ``app_folder``. ``fork=False`` starts a process per job, as
    on Windows, where the system cannot fork (a test of that way runs on Linux too)."""

    def __init__(self, app_folder: Path, python: str | None = None, fork: bool = CAN_FORK) -> None:
        self.app_folder = Path(app_folder).resolve()
        self.python = python or os.environ.get(WORKER_PYTHON) or sys.executable
        self.fork = fork and CAN_FORK
        self._scratch = Path(tempfile.mkdtemp(prefix="viktor-workers-"))
        self._process: _Process | None = None
        self._spare: _Process | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for process in (self._process, self._spare):
            if process is not None:
                process.stop()
        self._process = self._spare = None
        shutil.rmtree(self._scratch, ignore_errors=True)

    def run(self, job: JobSpec, api_url: str) -> Outcome:
        """Run ``job`` on a fresh worker, against the stand-in at ``api_url``."""
        (outcome,) = self.run_in_one_worker([job], api_url)
        return outcome

    def run_in_one_worker(self, jobs: list[JobSpec], api_url: str) -> list[Outcome]:
        """Run ``jobs`` one after the other on one worker, as when VIKTOR reuses a worker: each
        outcome says what its job left behind for the next."""
        process = self._ready()
        request = Request(jobs, api_url)
        try:
            outcomes = process.ask(request, JOB_SECONDS * len(jobs))
        except TimeoutError:
            self._discard(process)
            return [Outcome(crashed=f"the job did not end within {JOB_SECONDS} s")] * len(jobs)
        except BaseException:  # the app cannot be imported there, or the process died
            self._discard(process)
            raise
        if not self.fork or not process.alive():  # a process serves one request only
            self._process = None
        return outcomes

    def _discard(self, process: _Process) -> None:
        process.stop()
        self._process = None

    def _ready(self) -> _Process:
        if self._process is None:
            self._process, self._spare = self._spare or self._start(), None
        if not self.fork and self._spare is None:
            self._spare = self._start()  # warms up while this job runs
        return self._process

    def _start(self) -> _Process:
        return _Process(self.python, self.app_folder, self._scratch, self.fork)


class _Process:
    """A worker process: it imports the app, then answers requests (worker_process.serve)."""

    def __init__(self, python: str, app_folder: Path, scratch: Path, fork: bool) -> None:
        self.python = python
        home = Path(tempfile.mkdtemp(prefix="process-", dir=scratch))
        temporary, working = home / "tmp", home / "cwd"  # the worker's own, empty
        temporary.mkdir()
        working.mkdir()
        program = (
            "import os, sys\n"
            "if sys.platform == 'win32':  # pickles through pipes, never translated as text\n"
            "    import msvcrt; msvcrt.setmode(0, os.O_BINARY); msvcrt.setmode(1, os.O_BINARY)\n"
            f"sys.path.append({str(TESTS_FOLDER)!r})\n"
            "from viktor_standin.worker_process import serve\n"
            f"sys.path.remove({str(TESTS_FOLDER)!r})\n"
            # The protocol takes stdin and stdout; what the app prints goes to stderr.
            "answers = open(sys.stdout.fileno(), 'wb', closefd=False)\n"
            "sys.stdout = sys.stderr\n"
            f"serve({str(app_folder)!r}, sys.stdin.buffer, answers)\n"
        )
        self._log = open(home / "stderr.txt", "w+b")  # noqa: SIM115  (closed in stop)
        places = {name: str(temporary) for name in ("TMPDIR", "TEMP", "TMP")}
        environment = {**os.environ, **places, FORK: "1" if fork else "0"}
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment.pop("PYTHONPATH", None)  # a worker has the app's folder, and nothing else
        self._popen = subprocess.Popen(
            [python, "-c", program],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=working,
            env=environment,
            start_new_session=CAN_FORK,  # so that stop() ends its children too
        )
        self._answers: queue.Queue[object] = queue.Queue()
        threading.Thread(target=self._read_answers, daemon=True).start()
        self._started = False

    def _read_answers(self) -> None:
        assert self._popen.stdout is not None
        while True:
            try:
                self._answers.put(pickle.load(self._popen.stdout))
            except (EOFError, OSError, pickle.UnpicklingError):
                self._answers.put(EOFError())
                return

    def ask(self, request: Request, seconds: float) -> list[Outcome]:
        if not self._started:
            ready = self._answer(START_SECONDS)
            if isinstance(ready, Failure):
                raise WorkerProblem(ready, self.python)
            self._started = True
        assert self._popen.stdin is not None
        pickle.dump(request, self._popen.stdin)
        self._popen.stdin.flush()
        answer = self._answer(seconds)
        assert isinstance(answer, list), answer
        return answer

    def _answer(self, seconds: float) -> object:
        try:
            answer = self._answers.get(timeout=seconds)
        except queue.Empty:
            raise TimeoutError from None
        if isinstance(answer, EOFError):
            self._log.seek(0)
            output = self._log.read().decode("utf-8", "replace").strip()
            raise RuntimeError(f"a worker process ended unexpectedly:\n{output[-3000:]}")
        return answer

    def alive(self) -> bool:
        return self._popen.poll() is None

    def stop(self) -> None:
        if self.alive():
            try:
                if CAN_FORK:
                    os.killpg(self._popen.pid, signal.SIGKILL)
                else:
                    self._popen.kill()
            except OSError:
                pass
        self._popen.wait()
        for stream in (self._popen.stdin, self._popen.stdout):
            if stream is not None:
                stream.close()
        self._log.close()
