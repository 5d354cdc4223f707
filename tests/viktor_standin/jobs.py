"""The app's jobs, run as VIKTOR runs them, and what the checks make of how each ended.

``Platform`` runs a view or button on a worker of its own (``workers.py``), against the stand-in
(``server.py``), with params as the platform sends them. ``problems_of`` turns how the job ended
into sentences that name the file, the entity type, the job and the fix. The checks that need
several jobs (a second run on the same input, jobs that share a worker) are here too.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .app_checks import (
    App,
    EntityType,
    Job,
    cannot_import,
    fields_of,
    file_fields,
    jobs_of,
    relative,
    samples,
    where,
)
from .server import Job as Session
from .server import ViktorStandIn
from .worker_process import Failure, JobSpec, Outcome
from .workers import WorkerProblem, Workers

# The checks of a copy of the app that only needs to show it loads and runs (the README's
# recipes, tests/test_recipes.py) run each job once, with the edge values, and no faults.
QUICK = os.environ.get("VIKTOR_CHECKS_QUICK") == "1"
SHARE_THROUGH_STORAGE = (
    "on VIKTOR each job may run on a worker of its own, so what jobs share goes through "
    "vkt.Storage (app_files.stored), never through module globals or files on the worker's disk"
)


class AppCannotRun(AssertionError):
    """The app cannot run on a worker at all: one sentence with the fix."""


@dataclass
class Run:
    """A job with its input: what the platform asks a worker to do."""

    job: Job
    params: dict
    entity_id: int = 1


class Platform:
    """The stand-in and its workers: runs the app's jobs as the platform does."""

    def __init__(self, app: App, viktor: ViktorStandIn, workers: Workers) -> None:
        self.app = app
        self.viktor = viktor
        self.workers = workers

    def run(self, run: Run) -> Outcome:
        """``run`` on a fresh worker."""
        (outcome,) = self.run_in_one_worker([run])
        return outcome

    def run_in_one_worker(self, runs: list[Run]) -> list[Outcome]:
        """``runs`` one after the other on one worker, as when VIKTOR reuses a worker."""
        specs = [self._spec(run) for run in runs]
        try:
            return self.workers.run_in_one_worker(specs, self.viktor.base_url)
        except WorkerProblem as problem:
            raise AppCannotRun(
                cannot_import(problem.failure, self.app.folder, on_a_worker=True)
            ) from None

    def stored_keys(self, outcome: Outcome) -> set[str]:
        """The keys the job of ``outcome`` stored under."""
        return self.keys_of(outcome, "storage: set")

    def keys_of(self, outcome: Outcome, route: str) -> set[str]:
        """The Storage keys the job of ``outcome`` asked for on ``route`` ("storage: get", ...)."""
        return {
            (request.json or {}).get("key") or request.query.get("key", "")
            for request in self.viktor.requests
            if request.token == outcome.token and request.route == route
        }

    def unknown_requests(self, outcome: Outcome) -> list[str]:
        return [
            f"{request.method} {request.path}"
            for request in self.viktor.requests
            if request.token == outcome.token and request.route == "unknown"
        ]

    def shown(self, outcome: Outcome) -> object:
        """What the user sees of the outcome, comparable between jobs: a download's content
        rather than its temporary address."""
        result = outcome.result
        if isinstance(result, dict) and "download" in result:
            content = self.viktor.download(result)
            return {"download": hashlib.sha256(content).hexdigest()}
        return (result, outcome.user_error)

    def _spec(self, run: Run) -> JobSpec:
        token = self.viktor.job_token(Session(1, run.entity_id, "session-1"))
        return JobSpec(
            run.job.entity_type.name,
            run.job.method,
            run.job.method_type,
            run.params,
            token,
            entity_id=run.entity_id,
        )


# --- Input ---------------------------------------------------------------------------------------


def default_params(entity_type: EntityType, uploads: dict[str, Any] | None = None) -> dict:
    """The params a new entity has: every field's default, nested by its path. File fields hold
    ``uploads[path]`` (a file id, or a list of ids) or None."""
    return nested(default_values(entity_type, uploads))


def default_values(entity_type: EntityType, uploads: dict[str, Any] | None = None) -> dict:
    """``default_params`` by path: {"section.field": value}."""
    values: dict[str, Any] = {}
    for item in fields_of(entity_type):
        path = item.get("parametrization_path")
        if not path:
            continue
        if item.get("type") in ("file", "multi_file"):
            value = (uploads or {}).get(path)
            if value is None and item["type"] == "multi_file":
                value = []
        elif "default" in item:
            value = item["default"]
        else:
            continue
        values[path] = value
    return values


def nested(values: dict[str, Any]) -> dict:
    """{"section.field": 1} as the platform sends it: {"section": {"field": 1}}."""
    params: dict = {}
    for path, value in values.items():
        node = params
        *parents, last = path.split(".")
        for parent in parents:
            node = node.setdefault(parent, {})
        node[last] = value
    return params


def upload_samples(viktor: ViktorStandIn, entity_type: EntityType) -> dict[str, Any]:
    """Upload each file field's samples to the stand-in: {field path: id, or [ids]}."""
    uploads: dict[str, Any] = {}
    for item in file_fields(entity_type):
        path = item["parametrization_path"]
        ids = [viktor.add_file(file.name, file.read_bytes()) for file in samples(entity_type, path)]
        uploads[path] = ids if item["type"] == "multi_file" else (ids[0] if ids else None)
    return uploads


def sample_runs(platform: Platform) -> tuple[list[Run], dict[int, int]]:
    """Every job of every entity type, with each field's default and the samples; and for the
    checks that change a file, ``same_name_variants`` of the samples."""
    runs, variants = [], {}
    for entity_id, entity_type in enumerate(platform.app.entity_types, start=1):
        uploads = upload_samples(platform.viktor, entity_type)
        variants.update(same_name_variants(platform.viktor, entity_type, uploads))
        params = default_params(entity_type, uploads)
        runs += [Run(job, params, entity_id) for job in jobs_of(entity_type)]
    return runs, variants


def same_name_variants(
    viktor: ViktorStandIn, entity_type: EntityType, uploads: dict[str, Any]
) -> dict[int, int]:
    """For each file field's first sample, uploaded as ``uploads`` says (upload_samples):
    the id of another file with the same name and other content (a second sample's bytes, or a
    text sample without its last line). {the sample's file id: the other file's id}."""
    variants = {}
    for item in fields_of(entity_type):
        path = item.get("parametrization_path")
        found = samples(entity_type, path) if item.get("type") in ("file", "multi_file") else []
        other = _other_content(found) if found else None
        uploaded = uploads.get(path)
        first = uploaded[0] if isinstance(uploaded, list) and uploaded else uploaded
        if other is not None and isinstance(first, int):
            variants[first] = viktor.add_file(found[0].name, other)
    return variants


def _other_content(found: list[Path]) -> bytes | None:
    if len(found) > 1:
        return found[1].read_bytes()
    data = found[0].read_bytes()
    lines = data.splitlines(keepends=True)
    if len(lines) < 3:
        return None
    return b"".join(lines[:-1])


# --- Judging one job -----------------------------------------------------------------------------


def problems_of(platform: Platform, run: Run, outcome: Outcome) -> list[str]:
    """What is wrong with how ``run`` ended on its worker, one sentence each."""
    job, folder = run.job, platform.app.folder
    problems = [
        f"{job.label} asked VIKTOR for {request}, which the stand-in does not emulate: if the "
        "app uses a part of VIKTOR the stand-in lacks, add a route to "
        "tests/viktor_standin/server.py; if the SDK was upgraded, see "
        "tests/test_viktor_standin.py."
        for request in platform.unknown_requests(outcome)
    ]
    for call, frames in outcome.text_reads:
        binary = {".getvalue()": ".getvalue_binary()", ".open()": ".open_binary()"}[call]
        problems.append(
            f"{job.label} reads an upload as text (`{call}`{where(frames, folder)}), which decodes "
            "it with an encoding the user's file may not have: read the bytes with "
            f"`{binary}` (app_files.viktor_jobs.received_upload does), and answer a file that "
            "cannot be read with vkt.UserError."
        )
    for path, frames in outcome.app_writes:
        problems.append(
            f"{job.label} writes into the app's folder ({relative(Path(path))}"
            f"{where(frames, folder)}), which is read-only on VIKTOR's workers and the same for "
            "every job: write a scratch file with tempfile, and keep what later jobs need in "
            "vkt.Storage (app_files.stored)."
        )
    if outcome.crashed is not None:
        problems.append(f"{job.label} did not end: {outcome.crashed}.")
    elif outcome.failure is not None and not outcome.app_writes:
        problems.append(explain(job, outcome.failure, folder))
    return problems


def explain(job: Job, failure: Failure, folder: Path) -> str:
    """One sentence: where the job failed, and the fix."""
    message = " ".join(failure.message.split())
    at = where(failure.frames, folder)
    if failure.kind == "view" and "kwargs" in message:
        return (
            f"{job.label} is declared without `**kwargs` ({message}): declare it as "
            f"`def {job.method}(self, params, **kwargs)`, as VIKTOR passes more than params."
        )
    if failure.kind == "view":
        return (
            f"{job.label} returned what its view cannot show ({message}): return the result "
            "of its decorator's kind (a TableView returns vkt.TableResult, a DataView "
            "vkt.DataResult, a PlotlyView vkt.PlotlyResult)."
        )
    if failure.kind == "not sendable":
        return f"{job.label}: {message}"  # the stand-in's message says what to return
    if failure.kind == "params":
        return (
            f"{job.label} reads the field `{message}` from params{at}, and the params have no "
            f"such field: add it to {job.entity_type.parametrization_file}, or correct the name."
        )
    relative_open = _opened_relative_to_the_working_directory(failure, folder)
    if relative_open:
        return f"{job.label} {relative_open}"
    if at and not where(failure.frames[-1:], folder):  # raised in code the app called
        return (
            f"{job.label} raised {failure.type}: {message}, inside a library called{at}: check "
            "what that line passes (the SDK's documentation says what each call takes); when "
            "the input cannot be used, raise vkt.UserError with a message that says what to do."
        )
    return (
        f"{job.label} raised {failure.type}: {message}{at}: fix the code there; when "
        "the input cannot be used, raise vkt.UserError with a message that says what to do."
    )


def _opened_relative_to_the_working_directory(failure: Failure, folder: Path) -> str | None:
    """For a file not found that the app bundles: the sentence that says how to find it."""
    if failure.type != "FileNotFoundError" or not failure.filename:
        return None
    name = Path(failure.filename)
    if name.is_absolute() or not (folder / name).exists():
        return None
    at = where(failure.frames, folder)
    code = folder / at.rpartition(":")[0].removeprefix(" at ") if at else None
    if code is None or not code.is_file():
        return None
    parents = len(code.relative_to(folder).parts) - 1  # from the code's folder up to the app's
    path = "Path(__file__).parent" + ".parent" * parents
    return (
        f"opens {failure.filename!r}{at}, relative to the working directory, which on VIKTOR is "
        f"not the app's folder: find the file from the code's own location, "
        f'`{path} / "{name.as_posix()}"`.'
    )


# --- Judging several jobs ------------------------------------------------------------------------


def worker_problems(platform: Platform, runs: list[Run], variants: dict[int, int]) -> list[str]:
    """The jobs as VIKTOR's workers run them, each judged by ``problems_of``:

    - each on a fresh worker, twice on the same input: it ends in its result or a
      vkt.UserError, and the second run stores under no key the first did not;
    - all on one worker, one after the other: a job that works only after another ran in the
      same process relies on what that job left behind (and is reported so, not as a plain
      failure); one that fails only there is broken by it;
    - on that worker, given another file under the same name: it shows what a fresh worker shows
      (``same_name_problems``).

    Storing again under the same key is no mistake (VIKTOR's own example sets and reads a key in
    one view); a key that changes between runs on the same input grows Storage without bound.
    In brief (QUICK), each job runs once, on a fresh worker."""
    fresh = [platform.run(run) for run in runs]
    if QUICK:
        return [
            problem
            for run, alone in zip(runs, fresh, strict=True)
            for problem in problems_of(platform, run, alone)
        ]
    shared = platform.run_in_one_worker(runs)
    problems = []
    for index, (run, alone, after_others) in enumerate(zip(runs, fresh, shared, strict=True)):
        left = _left_behind(runs[:index], shared[:index])
        if not alone.ended_well and after_others.ended_well:
            problems.append(
                f"{run.job.label} works only on a worker where other jobs ran before ({left}); on "
                f"a fresh worker it fails ({short_failure(alone, platform.app.folder)}): "
                f"{SHARE_THROUGH_STORAGE}."
            )
            continue
        problems += problems_of(platform, run, alone)
        if alone.ended_well and not after_others.ended_well:
            problems.append(
                f"{run.job.label} works on a fresh worker, but fails on one where other jobs ran "
                f"before ({left}; {short_failure(after_others, platform.app.folder)}): "
                f"{SHARE_THROUGH_STORAGE}."
            )
        if not alone.ended_well:
            continue
        again = platform.run(run)
        problems += problems_of(platform, run, again)
        new_keys = platform.stored_keys(again) - platform.stored_keys(alone)
        if new_keys and again.ended_well:
            problems.append(
                f"{run.job.label} stored under a new key in a second run on the same input "
                f"({sorted(new_keys)[0]!r}), so Storage grows with every run: build the key from "
                "the input alone (compute_once does), not from anything that changes between "
                "jobs, such as the time or a random number."
            )
    well = [run for run, outcome in zip(runs, fresh, strict=True) if outcome.ended_well]
    problems += same_name_problems(platform, well, variants)
    return list(dict.fromkeys(problems))  # a job's second run repeats the first's problems


def empty_field_problems(platform: Platform, runs: list[Run]) -> list[str]:
    """Before the user uploads anything, a file field is empty: each job that ends well with the
    samples must end well with its file fields empty too."""
    problems = []
    for run in runs:
        empty = Run(run.job, default_params(run.job.entity_type), run.entity_id)
        if empty.params == run.params or problems_of(platform, run, platform.run(run)):
            continue  # no file field, or it fails with the samples already: reported elsewhere
        problems += [
            f"{problem} (with the file fields empty)"
            for problem in problems_of(platform, empty, platform.run(empty))
        ]
    return problems


def same_name_problems(platform: Platform, runs: list[Run], variants: dict) -> list[str]:
    """A job on a worker that has run the other jobs, given another file under the same name,
    must show what a fresh worker shows for it: else it serves what an earlier job left behind
    under the file's name. ``variants`` maps a file id in the runs' params to the id of another
    file of the same name (``field_values.same_name_variants``)."""
    changed = [
        Run(run.job, _swap_files(run.params, variants), run.entity_id)
        for run in runs
        if _swap_files(run.params, variants) != run.params
    ]
    if not changed:
        return []
    before = platform.viktor.entries()
    shared = platform.run_in_one_worker(runs + changed)[len(runs) :]
    after_shared = platform.viktor.entries()
    shown = []
    for _attempt in range(2):  # twice: a job whose result varies anyway is not judged
        platform.viktor.replace_entries(before)
        shown.append([platform.shown(platform.run(run)) for run in changed])
    platform.viktor.replace_entries(after_shared)
    problems = []
    for run, on_shared, fresh, again in zip(changed, shared, *shown, strict=True):
        if fresh == again and platform.shown(on_shared) != fresh:
            problems.append(
                f"{run.job.label} shows another result on a worker that has already run other "
                "jobs than on a fresh one, for a file with the same name as one uploaded before "
                "but other content: it serves what an earlier job kept under the file's name (a "
                "cache in memory or on disk). Key what you keep by the file's content "
                f"(Upload.content_key), and {SHARE_THROUGH_STORAGE}."
            )
    return problems


def _swap_files(params: Any, variants: dict) -> Any:
    if isinstance(params, dict):
        return {key: _swap_files(value, variants) for key, value in params.items()}
    if isinstance(params, list):
        return [_swap_files(value, variants) for value in params]
    if isinstance(params, int) and not isinstance(params, bool) and params in variants:
        return variants[params]
    return params


def _left_behind(runs: list[Run], outcomes: list[Outcome]) -> str:
    found = [
        f"`{run.job.method}` left {', '.join(outcome.left.globals + outcome.left.files)}"
        for run, outcome in zip(runs, outcomes, strict=True)
        if outcome.left
    ]
    return "; ".join(found) if found else "they left nothing the checks can name"


def short_failure(outcome: Outcome, folder: Path) -> str:
    if outcome.failure is not None:
        failure = outcome.failure
        return f"{failure.type}: {' '.join(failure.message.split())}{where(failure.frames, folder)}"
    return outcome.crashed or "it ended well"
