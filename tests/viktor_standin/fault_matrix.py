"""Every job of the app under the faults of the platform: Storage down or slow, entries broken,
the upload's download failing or cut short, deletes failing.

VIKTOR Storage, the file manager and the network between them and a worker fail now and then,
and a stored entry can hold anything (an older version of the app wrote it, or a job died while
writing). Under each fault, each job must still end in its result or a ``vkt.UserError``, store
nothing that a run without the fault would not store, and compute again and overwrite an entry it
found broken. A computation stored with ``app_files.stored`` gets all of this for free.

Each job is judged against two runs of its own without faults, from empty Storage: what they
store is what is right (an entry they store differently from one run to the other is not
compared, as its content varies anyway).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from .faults import Fault, ShortBody, Stall, Status
from .jobs import Platform, Run, problems_of, short_failure
from .worker_process import Outcome

STORAGE = ("storage: get", "storage: download", "storage: set", "storage: upload", "storage: list")
Entries = dict[tuple[int, str, str, str], bytes]  # as ViktorStandIn.entries() gives them


@dataclass(frozen=True)
class Scenario:
    """A fault, and the Storage a job meets it with."""

    name: str  # as the message says it: "with VIKTOR Storage down"
    routes: tuple[str, ...]
    fault: Fault
    times: int | None = None  # the first so many requests of the routes, or all
    from_empty: bool = True  # else from what the runs without faults stored


SCENARIOS = (
    Scenario("with VIKTOR Storage down", (*STORAGE, "storage: delete"), Status(500)),
    Scenario("with VIKTOR Storage slow", STORAGE, Stall(0.1), times=1),  # slow, within the timeout
    Scenario("when the upload's download fails", ("file download",), Status(500)),
    Scenario("when the upload's download is cut short", ("file download",), ShortBody()),
    Scenario("when deletes fail", ("storage: delete",), Status(500), from_empty=False),
)


def _wrong_shape(data: bytes) -> bytes:
    """The entry with each field of an object (or item of a list) given a value of another type."""

    def spoiled(value: object) -> object:
        if isinstance(value, dict):
            return {key: spoiled(item) if isinstance(item, dict | list) else "x"
                    for key, item in value.items()}  # fmt: skip
        if isinstance(value, list):
            return ["x" for _ in value] or ["x"]
        return "x" if not isinstance(value, str) else 0

    try:
        return json.dumps(spoiled(json.loads(data))).encode()
    except ValueError:  # not JSON: nothing to spoil but the bytes
        return data[: len(data) // 2]


# What a broken entry holds instead of its content.
BROKEN: dict[str, Callable[[bytes], bytes]] = {
    "not JSON": lambda data: b"\xff\xfe not json",
    "a list": lambda data: b"[]",
    "an empty object": lambda data: b"{}",
    "NaN": lambda data: b"NaN",
    "of the wrong shape": _wrong_shape,
}


SURVIVE_FAULTS = (
    "a job must survive it: when Storage fails, compute and say the result could not be kept; "
    "when the upload cannot be fetched, raise vkt.UserError that asks to try again "
    "(app_files.stored and app_files.viktor_jobs do both)"
)
DO_NOT_STORE = "a result computed from what a fault left must not be stored"
SURVIVE_BROKEN_ENTRIES = (
    "check a stored value before using it, and compute it again when it is broken (compute_once "
    "checks it against the computation's return type)"
)


def fault_problems(platform: Platform, runs: list[Run]) -> list[str]:
    """Each job of ``runs`` (``jobs.sample_runs``) that ends well without faults, under every
    scenario and with every kind of broken entry, judged as the module says."""
    problems: list[str] = []
    viktor = platform.viktor
    for run in runs:
        viktor.replace_entries({})
        if problems_of(platform, run, platform.run(run)):
            continue  # it fails without faults: the other checks say why
        right = viktor.entries()
        viktor.replace_entries({})
        platform.run(run)
        judge = _Judge(platform, run, right, varying={
            key for key, data in viktor.entries().items() if right.get(key) != data
        })  # fmt: skip
        for scenario in SCENARIOS:
            viktor.replace_entries({} if scenario.from_empty else right)
            with viktor.failing(*scenario.routes, fault=scenario.fault, times=scenario.times):
                outcome = platform.run(run)
            problems += judge(outcome, f"fails ({{}}): {SURVIVE_FAULTS}", scenario.name)
        for kind, spoil in BROKEN.items():
            broken = {key: spoil(data) for key, data in right.items()}
            viktor.replace_entries(broken)
            outcome = platform.run(run)
            found = judge(
                outcome,
                f"fails on a broken stored entry ({{}}): {SURVIVE_BROKEN_ENTRIES}",
                f"with each stored entry {kind}",
                broken,
            )
            problems += found
    viktor.replace_entries({})
    return problems


@dataclass
class _Judge:
    """Judges a job's run under a fault against its runs without faults."""

    platform: Platform
    run: Run
    right: Entries  # what the runs without faults store
    varying: set  # the keys whose content differs between runs without faults

    def __call__(
        self, outcome: Outcome, failed: str, scenario: str, broken: Entries | None = None
    ) -> list[str]:
        """What went wrong, each ending in ``(scenario)``: the job's failure (``failed``, whose
        {} is what it raised), what it stored wrong, and a broken entry it read and left so."""
        label, folder = self.run.job.label, self.platform.app.folder
        found = (
            []
            if outcome.ended_well
            else [f"{label} {failed.format(short_failure(outcome, folder))}"]
        )
        entries = self.platform.viktor.entries()
        stored = self.platform.keys_of(outcome, "storage: set")
        for key, data in entries.items():
            if key[3] not in stored or key in self.varying:
                continue
            if key not in self.right:
                found.append(f"{label} stored {key[3]!r}, which a run without faults does not: "
                             f"{DO_NOT_STORE}")  # fmt: skip
            elif data != self.right[key]:
                found.append(f"{label} stored other content under {key[3]!r} than a run without "
                             f"faults: {DO_NOT_STORE}")  # fmt: skip
        read = self.platform.keys_of(outcome, "storage: get")
        left = [key[3] for key, data in entries.items() if broken and key[3] in read
                and data == broken.get(key) and data != self.right.get(key)]  # fmt: skip
        if left and outcome.ended_well:
            found.append(f"{label} read the broken entry {left[0]!r} and left it broken: "
                         f"{SURVIVE_BROKEN_ENTRIES}, and store it over the broken one")  # fmt: skip
        return [f"{problem} ({scenario})" for problem in found]
