"""Any value the fields allow: params generated from an entity type's manifest, with Hypothesis.

A user can type any number between a field's ``min`` and ``max``, clear a field, pick any option,
and upload any file. So besides each field's default, the checks run every job with values
generated from what the manifest allows:

- a number or an integer within ``min``, ``max`` and ``step``, its bounds included, or none;
- an option of an ``OptionField`` (any set of them for a multiple choice), or none;
- a boolean; a text (the empty one too); a date, or none; a row or three of a table or array;
- for a file field, besides the sample: an empty file, the sample in another text encoding, a
  truncated copy, bytes that are not a file of its type, and the sample under a wrong extension;
  a multiple file field gets none, one, several, the same twice and a broken one among good ones.

A side without a bound is tried up to 1e9 (numbers) or 1e6 (integers): give a field the ``min``
and ``max`` your method can use, and the user cannot type anything else. Fields of other kinds
keep their default.
"""

from __future__ import annotations

import base64
import datetime
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
from hypothesis import strategies as st

from .app_checks import REPOSITORY, EntityType, Job, fields_of, relative, samples
from .jobs import QUICK, Platform, Run, default_params, default_values, nested, problems_of
from .server import ViktorStandIn

UNBOUNDED_NUMBER = 1e9
UNBOUNDED_INTEGER = 10**6
# How a file field's sample is changed: each as a user might upload it.
VARIANTS = {
    "sample": "the sample",
    "empty": "an empty file (0 bytes) under the sample's name",
    "cp1252": "the sample in Windows-1252",
    "utf-16": "the sample in UTF-16",
    "truncated": "the first half of the sample",
    "not its type": "bytes that are not a file of its type, under the sample's name",
    "wrong extension": "the sample under the extension .bin",
}


@dataclass(frozen=True)
class FileChoice:
    """A file the checks upload into a file field: one of its samples, as it is or changed."""

    sample: Path  # relative to the app's folder
    variant: str = "sample"  # a key of VARIANTS

    def content(self, folder: Path) -> tuple[str, bytes]:
        """(file name, bytes) of this choice."""
        path = folder / self.sample
        data = path.read_bytes()
        name = path.name
        if self.variant == "empty":
            return name, b""
        if self.variant == "cp1252":
            return name, data.decode("utf-8").encode("cp1252", "replace")
        if self.variant == "utf-16":
            return name, data.decode("utf-8").encode("utf-16")
        if self.variant == "truncated":
            return name, data[: len(data) // 2]
        if self.variant == "not its type":
            return name, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
        if self.variant == "wrong extension":
            return f"{path.stem}.bin", data
        return name, data

    def __str__(self) -> str:
        return f"{VARIANTS[self.variant]} ({self.sample.as_posix()})"


def variants_of(sample: Path) -> list[str]:
    """The variants that make sense for a sample: the text ones only for a text file, and
    Windows-1252 only when it changes the bytes."""
    data = sample.read_bytes()
    found = ["sample", "empty", "truncated", "not its type", "wrong extension"]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return found
    if text.encode("cp1252", "replace") != data:
        found.append("cp1252")
    return [*found, "utf-16"]


# --- Strategies ----------------------------------------------------------------------------------


def generated_values(entity_type: EntityType, folder: Path) -> st.SearchStrategy[dict[str, Any]]:
    """Values for every field the checks vary, by path: {"section.field": value}. File fields
    hold ``FileChoice`` (or a list of them); ``realized`` uploads them."""
    strategies = {
        item["parametrization_path"]: strategy
        for item in fields_of(entity_type)
        if (strategy := _strategy(item, entity_type, folder)) is not None
    }
    return st.fixed_dictionaries(strategies)


def edge_values(entity_type: EntityType, folder: Path) -> list[dict[str, Any]]:
    """Values always tried, whatever Hypothesis generates: every field at its lowest, at its
    highest, and empty, each with the samples in the file fields (with no file, a job may stop
    before it reads any other field); and the file fields empty."""
    lowest, highest, empty, no_files = {}, {}, {}, {}
    for item in fields_of(entity_type):
        path, kind = item.get("parametrization_path"), item.get("type")
        if kind in ("number", "integer"):
            low, high = _bounds(item)
            lowest[path], highest[path], empty[path] = low, high, None
        elif kind == "select":
            values = [option["value"] for option in item.get("options") or []]
            pick = (lambda v: [v]) if item.get("multiple") else (lambda v: v)
            if values:
                lowest[path], highest[path] = pick(values[0]), pick(values[-1])
            empty[path] = [] if item.get("multiple") else None
        elif kind in ("text", "textarea"):
            empty[path] = ""
        elif kind == "date":
            empty[path] = None
        elif kind in ("file", "multi_file"):
            found = [FileChoice(Path(relative(sample))) for sample in samples(entity_type, path)]
            if found:
                sample = found[:1] if kind == "multi_file" else found[0]
                lowest[path] = highest[path] = empty[path] = sample
            no_files[path] = [] if kind == "multi_file" else None
    edges: list[dict[str, Any]] = []
    for values in (lowest, highest, empty, no_files, *_file_sets(entity_type)):
        if values and values not in edges:  # without number fields, the first three are alike
            edges.append(values)
    return edges


def _file_sets(entity_type: EntityType) -> list[dict[str, Any]]:
    """For each multiple file field: every sample at once, the first one twice, and a broken
    file (the first half of a sample) among the good ones."""
    sets = []
    for item in fields_of(entity_type):
        if item.get("type") != "multi_file":
            continue
        path = item["parametrization_path"]
        found = [FileChoice(Path(relative(sample))) for sample in samples(entity_type, path)]
        if found:
            broken = FileChoice(found[0].sample, "truncated")
            sets += [{path: found}, {path: [found[0], found[0]]}, {path: [*found, broken]}]
    return sets


def _strategy(item: dict, entity_type: EntityType, folder: Path) -> st.SearchStrategy | None:
    kind = item.get("type")
    if kind in ("number", "integer"):
        return st.none() | _numbers(item)
    if kind == "select":
        values = [option["value"] for option in item.get("options") or []]
        if not values:
            return None
        if item.get("multiple"):
            return st.lists(st.sampled_from(values), unique=True, max_size=len(values))
        return st.none() | st.sampled_from(values)
    if kind == "toggle":
        return st.booleans()
    if kind in ("text", "textarea"):
        return st.text(max_size=40)
    if kind == "date":
        dates = st.dates(datetime.date(1900, 1, 1), datetime.date(2200, 12, 31))
        return st.none() | dates.map(datetime.date.isoformat)
    if kind in ("DynamicArray", "table"):
        columns = item.get("arrayItems", item.get("column_fields")) or []
        row = st.fixed_dictionaries(
            {
                column["parametrization_path"]: strategy
                for column in columns
                if (strategy := _strategy(column, entity_type, folder)) is not None
            }
        )
        return st.lists(row, max_size=3)
    if kind in ("file", "multi_file"):
        found = samples(entity_type, item["parametrization_path"])
        choices = [
            FileChoice(Path(relative(sample)), variant)
            for sample in found
            for variant in variants_of(sample)
        ]
        if not choices:
            return None
        one = st.sampled_from(choices)
        if kind == "multi_file":
            return st.lists(one, max_size=4)
        return st.none() | one
    return None  # other kinds keep their default


def _bounds(item: dict) -> tuple[float, float]:
    options = item.get("options") or {}
    unbounded = UNBOUNDED_INTEGER if item["type"] == "integer" else UNBOUNDED_NUMBER
    low, high = options.get("min"), options.get("max")
    low = low if isinstance(low, (int, float)) else -unbounded
    high = high if isinstance(high, (int, float)) else unbounded
    return low, high


def _numbers(item: dict) -> st.SearchStrategy:
    low, high = _bounds(item)
    step = item.get("step")
    if item["type"] == "integer":
        return st.integers(int(low), int(high))
    if isinstance(step, (int, float)) and step > 0:  # the values the field's steps reach
        start = low if low > -UNBOUNDED_NUMBER else 0.0
        steps = st.integers(int((low - start) // step), int((high - start) // step))
        return steps.map(lambda n: min(max(start + n * step, low), high))
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


# --- From values to params -----------------------------------------------------------------------


def realized(values: dict[str, Any], viktor: ViktorStandIn, folder: Path) -> dict[str, Any]:
    """``values`` with each FileChoice uploaded to the stand-in, as the id the field holds."""

    def upload(value: Any) -> Any:
        if isinstance(value, FileChoice):
            return viktor.add_file(*value.content(folder))
        if isinstance(value, list):
            return [upload(item) for item in value]
        if isinstance(value, dict):
            return {key: upload(item) for key, item in value.items()}
        return value

    return {path: upload(value) for path, value in values.items()}


def described(values: dict[str, Any]) -> str:
    """The values as a message shows them."""

    def show(value: Any) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(show(item) for item in value) + "]"
        return str(value) if isinstance(value, FileChoice) else repr(value)

    return ", ".join(f"{path}={show(value)}" for path, value in values.items()) or "(no fields)"


def encoded(folder: Path, entity_type: str, method: str, values: dict[str, Any]) -> str:
    """The app in ``folder``, a job and its values as one word for a command line (``python
    tests/viktor_standin reproduce <word>``): the same in every shell."""

    def plain(value: Any) -> Any:
        if isinstance(value, FileChoice):
            return {"sample": value.sample.as_posix(), "variant": value.variant}
        if isinstance(value, list):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return value

    data = {"entity_type": entity_type, "method": method, "values": plain(values)}
    if folder != REPOSITORY:  # a test's own app
        data["folder"] = str(folder)
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def decoded(word: str) -> tuple[Path, str, str, dict[str, Any]]:
    """What ``encoded`` made of an app's folder, a job and its values."""
    data = json.loads(base64.urlsafe_b64decode(word + "=" * (-len(word) % 4)))

    def rich(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"sample", "variant"}:
            return FileChoice(Path(value["sample"]), value["variant"])
        if isinstance(value, list):
            return [rich(item) for item in value]
        if isinstance(value, dict):
            return {key: rich(item) for key, item in value.items()}
        return value

    folder = Path(data.get("folder", REPOSITORY))
    return folder, data["entity_type"], data["method"], rich(data["values"])


# --- The check -----------------------------------------------------------------------------------


class _JobFailed(AssertionError):
    pass


EXAMPLES = 0 if QUICK else 10  # generated values per job, besides the edge values


def generated_value_problems(
    platform: Platform, runs: list[Run], examples: int = EXAMPLES, seconds: float = 30.0
) -> list[str]:
    """Every job of ``runs`` (each with the samples: ``jobs.sample_runs``) that ends well with
    them, on fresh workers, with ``examples`` generated values besides the edge values (lowest,
    highest, empty). Deterministic (Hypothesis' derandomized mode, no database); once
    ``seconds`` have passed, the jobs left get the edge values only."""
    problems = []
    deadline = time.monotonic() + seconds
    for run in runs:
        empty = Run(run.job, default_params(run.job.entity_type), run.entity_id)
        if any(problems_of(platform, first, platform.run(first)) for first in (run, empty)):
            continue  # it fails with the samples or no file already: the other checks say why
        count = examples if time.monotonic() < deadline else 0
        problem = _problem_of_job(platform, run.job, run.entity_id, count)
        if problem:
            problems.append(problem)
    return problems


def _problem_of_job(platform: Platform, job: Job, entity_id: int, examples: int) -> str | None:
    folder, viktor = platform.app.folder, platform.viktor
    entity_type = job.entity_type
    defaults = default_values(entity_type)

    def check(values: dict[str, Any]) -> None:
        params = nested({**defaults, **realized(values, viktor, folder)})
        run = Run(job, params, entity_id)
        found = problems_of(platform, run, platform.run(run))
        if found:
            word = encoded(folder, entity_type.name, job.method, values)
            raise _JobFailed(
                f"{found[0]} With the field values {described(values)}. To run it again: "
                f"python tests/viktor_standin reproduce {word}"
            )

    test = given(generated_values(entity_type, folder))(check)
    for values in edge_values(entity_type, folder):
        test = example(values)(test)
    phases = [Phase.explicit, Phase.generate, Phase.shrink] if examples else [Phase.explicit]
    test = settings(
        max_examples=max(examples, 1),
        phases=phases,
        derandomize=True,
        database=None,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )(test)
    try:
        test()
    except _JobFailed as failed:
        return str(failed)
    return None
