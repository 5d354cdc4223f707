"""Benchmark of many tables in one MultiFileField: a view after one table is added, against the
same view on tables that are all new, through the app's own controller and the local VIKTOR
stand-in.

Run it from the repository root, in an environment with the app's and the benchmark's packages::

    pip install -r requirements.txt -r benchmarks/requirements.txt
    python benchmarks/bench_many_tables.py              # 20 tables of 20,000 rows: a few minutes
    python benchmarks/bench_many_tables.py --quick      # 5 tables of 2,000 rows, figures only

It prints the machine it ran on, a table of the measurements and the issue's targets with the two
figures compared side by side, their ratio, the limit and PASS or FAIL. The exit status is 0 when
every target passes (or with --quick, which judges none), 1 otherwise. Progress goes to stderr.

What is measured
----------------
The demo's Statistics view (``statistics_table``), run by ``ViktorStandIn.run_job`` in the
process of the measurement, on generated tables (``bench_uploads.generate_rows``, another seed for
each table), as .xlsx and as .csv:

- new: the tables uploaded, nothing stored: every table is read;
- one added: the same view run first on all but the last table (untimed), then on all of them:
  one table is new, the others' statistics are stored;
- again: the view run again on tables it has seen: the set's statistics are stored;
- one new table: as ``new``, with one table, the baseline of memory;
- one added to one: as ``one added``, with one table kept: the baseline of requests, which should
  not grow with the tables kept.

For each, the wall time of the view, the requests it made of the stand-in by kind (Storage gets,
sets and lists; the names of uploaded files, and their downloads), and its peak memory, two ways:

- resident: the peak resident memory of the process during the view, less what the process held
  before it (the interpreter, the imports, the stand-in with the uploaded files). Linux only (it
  resets the peak through ``/proc/self/clear_refs``); elsewhere "n/a". It includes what the
  allocators keep of memory freed (glibc's arenas, python-calamine's) and what the stand-in, in
  the same process, stores of the job's requests;
- Python: the peak of what Python allocated during the view (``tracemalloc``, numpy's arrays
  included, not python-calamine's own memory), in a separate run, since tracing slows it down.

Each measurement is a fresh process, run ``--repeat`` times in turn; the table shows the median
time and the largest memory.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# The benchmark runs as a script: the repository (for the app) and the tests (for the stand-in)
# are not on the import path by themselves.
REPOSITORY = Path(__file__).resolve().parent.parent
for folder in (REPOSITORY, REPOSITORY / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_uploads import (  # noqa: E402  (needs the path above)
    HEADER,
    default_data_folder,
    generate_rows,
    machine,
    progress,
    seconds,
    table,
)

from tablestats.limits import MB  # noqa: E402

DATA_VERSION = 1  # raise when the generated tables change, so cached files are made again
SEED = 19  # the tables' seeds are SEED * 1000 + their number
VIEW = ("statistics_table", "table")
SCENARIOS = {
    "new": "new",
    "added": "one added",
    "again": "again",
    "one": "one new table",
    "added-to-one": "one added to one",
}
ONE_TABLE = ("one", "added-to-one")  # the scenarios of one table (kept, or new)
# The requests counted, by the stand-in's route names (tests/viktor_standin/server.py).
REQUESTS = {
    "storage: get": "gets",
    "storage: set": "sets",
    "storage: list": "lists",
    "file": "names asked",
    "file download": "uploads downloaded",
}


@dataclass(frozen=True)
class Sizes:
    tables: int
    rows: int


FULL = Sizes(tables=20, rows=20_000)
QUICK = Sizes(tables=5, rows=2_000)


# --- The generated tables ---------------------------------------------------------------------


def table_file(folder: Path, suffix: str, rows: int, number: int) -> Path:
    """The cached file of table ``number``, generated when it is not there yet."""
    path = folder / f"many-v{DATA_VERSION}-seed{SEED}-{number:02d}-{rows}-rows.{suffix}"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    data = generate_rows(rows, seed=SEED * 1000 + number)
    if suffix == "csv":
        with open(partial, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(HEADER)
            writer.writerows(data)
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Data")
        sheet.append(HEADER)
        for row in data:
            sheet.append(row)
        workbook.save(partial)
    os.replace(partial, path)
    return path


# --- One measurement, in its own process --------------------------------------------------------


def measure(scenario: str, paths: list[Path], traced: bool) -> None:
    """Run the view as ``scenario`` says, on the tables at ``paths``; print the figures as JSON.
    ``traced``: the peak of Python's allocations, instead of the time and resident memory."""
    import tracemalloc

    from viktor_standin import ViktorStandIn
    from viktor_standin.app_checks import load_app
    from viktor_standin.jobs import default_params

    import tablestats.readers.text  # noqa: F401  (imported on first use: not timed)
    import tablestats.readers.xlsx  # noqa: F401

    (entity_type,) = [
        found for found in load_app().entity_types if hasattr(found.controller, VIEW[0])
    ]

    def view(files: list[int]) -> dict:
        params = default_params(entity_type, {"tables": files})
        return viktor.run_job(entity_type.controller(), *VIEW, params) or {}

    with ViktorStandIn() as viktor:
        files = [viktor.add_file(path.name, path.read_bytes()) for path in paths]
        if scenario in ("added", "added-to-one"):
            view(files[:-1])
        if scenario == "again":
            view(files)
        viktor.forget_requests()
        if traced:
            tracemalloc.start()
        start = reset_peak_memory()
        started = time.perf_counter()
        result = view(files)
        elapsed = time.perf_counter() - started
        peak = peak_memory()
        python_peak = tracemalloc.get_traced_memory()[1] / MB if traced else None
        counted = collections.Counter(request.route for request in viktor.requests)
    shown = result["table"]
    several = shown["column_headers"][0]["title"] == "Table"  # else one table, as it is
    labels = {row[0]["value"] for row in shown["data"]} if several else {"one"}
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "peak_mb": None if start is None or peak is None else (peak - start) / MB,
                "python_mb": python_peak,
                "requests": {route: counted[route] for route in REQUESTS},
                "tables_shown": len({label for label in labels if not label.startswith("All ")}),
            }
        )
    )


def reset_peak_memory() -> int | None:
    """Reset this process's peak resident memory to what it holds now; that, in bytes (None
    where the system cannot reset it)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # check_paths: ok Linux's own file
    except OSError:
        return None
    return _status_kb("VmRSS:")


def peak_memory() -> int | None:
    return _status_kb("VmHWM:")


def _status_kb(field: str) -> int | None:
    status = Path("/proc/self/status")  # check_paths: ok Linux's own file, read only if present
    for line in status.read_text().splitlines() if status.exists() else []:
        if line.startswith(field):  # "VmHWM:   123456 kB"
            return int(line.split()[1]) * 1024
    return None


# --- Running them ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    scenario: str  # a key of SCENARIOS
    suffix: str
    tables: int

    def label(self) -> str:
        return f"{SCENARIOS[self.scenario]}, .{self.suffix}"


@dataclass
class Figures:
    seconds: list[float]
    peak_mb: float | None  # resident, above the start
    python_mb: float | None  # of Python's allocations
    requests: dict[str, int]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def plan(sizes: Sizes) -> list[Measurement]:
    return [
        Measurement(scenario, suffix, 1 if scenario in ONE_TABLE else sizes.tables)
        for suffix in ("xlsx", "csv")
        for scenario in SCENARIOS
    ]


def files_of(measurement: Measurement, folder: Path, rows: int) -> list[Path]:
    count = measurement.tables + measurement.scenario.startswith("added")
    return [table_file(folder, measurement.suffix, rows, number) for number in range(count)]


def run_all(measurements: list[Measurement], folder: Path, sizes: Sizes, repeat: int) -> dict:
    runs: dict[Measurement, list[dict]] = {m: [] for m in measurements}
    traced: dict[Measurement, float | None] = {}
    for measurement in measurements:
        files_of(measurement, folder, sizes.rows)  # generated now, not while timing
    for round_number in range(1, repeat + 1):
        for measurement in measurements:
            seen = run_one(measurement, folder, sizes)
            runs[measurement].append(seen)
            progress(f"run {round_number}/{repeat}: {measurement.label()}: {seen['seconds']:.3f} s")
    for measurement in measurements:
        if measurement.scenario in ("new", "one"):  # the peak of Python's, traced: once
            traced[measurement] = run_one(measurement, folder, sizes, traced=True)["python_mb"]
    return {
        m: Figures(
            [run["seconds"] for run in found],
            max((run["peak_mb"] for run in found if run["peak_mb"] is not None), default=None),
            traced.get(m),
            found[0]["requests"],
        )
        for m, found in runs.items()
    }


def run_one(measurement: Measurement, folder: Path, sizes: Sizes, traced: bool = False) -> dict:
    """One measurement in a fresh process: what it printed."""
    paths = [str(path) for path in files_of(measurement, folder, sizes.rows)]
    command = [sys.executable, __file__, "--measure", measurement.scenario, *paths]
    completed = subprocess.run(
        command + (["--traced"] if traced else []), capture_output=True, text=True
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"failed: {measurement.label()}")
    seen = json.loads(completed.stdout.strip().splitlines()[-1])
    if seen["tables_shown"] != len(paths):
        raise SystemExit(f"{measurement.label()}: {seen['tables_shown']} tables shown")
    return seen


# --- The report ---------------------------------------------------------------------------------


def measurement_table(figures: dict[Measurement, Figures], sizes: Sizes) -> list[str]:
    rows = []
    for m, f in figures.items():
        tables = str(m.tables)
        if m.scenario.startswith("added"):
            tables = f"{m.tables + 1} ({m.tables} kept)"
        rows.append(
            [
                m.label(),
                tables,
                seconds(f.median),
                f"{seconds(min(f.seconds))}-{seconds(max(f.seconds))}",
                *[str(f.requests[route]) for route in REQUESTS],
                megabytes(f.peak_mb),
                megabytes(f.python_mb),
            ]
        )
    header = ["Measurement", "Tables", "Wall time (s)", "min-max (s)", *REQUESTS.values()]
    header += ["Peak resident (MB)", "Peak Python (MB)"]
    return table(header, rows, right=set(range(1, len(header))))


def megabytes(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def verdicts(figures: dict[Measurement, Figures], sizes: Sizes) -> list[list[str]]:
    def of(scenario: str, suffix: str) -> Figures:
        tables = 1 if scenario in ONE_TABLE else sizes.tables
        return figures[Measurement(scenario, suffix, tables)]

    def row(target: str, compared: str, ratio: float | None, limit: str, passed: bool | None):
        result = {True: "PASS", False: "FAIL", None: "n/a"}[passed]
        return [target, compared, "" if ratio is None else f"{ratio:.3f}x", limit, result]

    found = []
    for suffix in ("xlsx", "csv"):
        added, new = of("added", suffix), of("new", suffix)
        ratio = added.median / new.median
        found.append(
            row(
                f"5a .{suffix}: one table added, against {sizes.tables} new: time",
                f"{seconds(added.median)} s / {seconds(new.median)} s",
                ratio,
                "<= 0.1x",
                ratio <= 0.1,
            )
        )
    one = of("added-to-one", "csv").requests
    for route, name in REQUESTS.items():
        added = of("added", "csv").requests[route]
        found.append(
            row(
                f"5b one table added to {sizes.tables}: {name}, against one added to one",
                f"{added} / {one[route]}",
                None,
                "no more",
                added <= one[route],
            )
        )
    for suffix in ("xlsx", "csv"):
        for kind in ("peak_mb", "python_mb"):
            many, single = getattr(of("new", suffix), kind), getattr(of("one", suffix), kind)
            target = f"5c .{suffix}: peak {'resident' if kind == 'peak_mb' else 'Python'} memory"
            target += f", {sizes.tables} new tables against 1"
            if many is None or single is None:
                found.append(row(target, "n/a", None, "<= 1.3x", None))
                continue
            ratio = many / single if single else None
            compared = f"{many:.1f} MB / {single:.1f} MB"
            found.append(row(target, compared, ratio, "<= 1.3x", many <= 1.3 * single))
    return found


def report(figures: dict[Measurement, Figures], sizes: Sizes, repeat: int, quick: bool) -> bool:
    judged = verdicts(figures, sizes)
    lines = ["Many tables in one MultiFileField (benchmarks/bench_many_tables.py)", *machine(), ""]
    lines.append(
        f"{sizes.tables} tables of {sizes.rows:,} rows; the Statistics view through the local "
        f"VIKTOR stand-in; median wall time of {repeat} fresh process(es), imports not timed; "
        "requests of the view, by kind; peak memory during the view: resident, above what the "
        "process held before it, and of Python's allocations (tracemalloc, a separate run)."
    )
    lines += ["", *measurement_table(figures, sizes), ""]
    if quick:
        judged = [[*row[:4], "not judged"] for row in judged]
    lines += table(["Target", "Compared", "Ratio", "Limit", "Result"], judged, right={2})
    passed = all(row[4] == "PASS" for row in judged)
    if quick:
        lines += ["", "--quick: small tables, figures only. Run without --quick for the targets."]
    else:
        failed = sum(row[4] != "PASS" for row in judged)
        lines += ["", f"{failed} of {len(judged)} targets not met." if failed else "All pass."]
    print("\n".join(lines))
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 tables of 2,000 rows, no verdicts")
    parser.add_argument("--repeat", type=int, help="fresh processes per measurement (default 3)")
    parser.add_argument("--data", type=Path, help="where generated tables are cached")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.measure:
        scenario, *paths = arguments.measure
        measure(scenario, [Path(path) for path in paths], arguments.traced)
        return 0
    sizes = QUICK if arguments.quick else FULL
    repeat = arguments.repeat or (1 if arguments.quick else 3)
    folder = arguments.data or default_data_folder()
    figures = run_all(plan(sizes), folder, sizes, repeat)
    passed = report(figures, sizes, repeat, arguments.quick)
    return 0 if passed or arguments.quick else 1


if __name__ == "__main__":
    sys.exit(main())
