"""Benchmark of the upload pipeline: an uploaded table to its statistics, against the baselines.

Run it from the repository root, in an environment with the app's and the benchmark's packages::

    pip install -r requirements.txt -r benchmarks/requirements.txt
    python benchmarks/bench_uploads.py              # everything: several minutes
    python benchmarks/bench_uploads.py --quick      # small sizes, figures only: under ~30 s
    python benchmarks/bench_uploads.py --repeat 5 --data /tmp/bench-data

It prints the machine it ran on, a table of wall time and peak memory per measurement, and the
project's targets with the two figures compared, their ratio, the limit and PASS or FAIL. The exit
status is 0 when every target passes, 1 otherwise (or when a measurement or a check fails).
``--quick`` runs small files only, as a smoke test; it prints the figures and ratios but judges
no target (small files say nothing about large ones), and exits 0 unless a measurement fails.
Progress goes to stderr, the report to stdout.

What is measured
----------------
One generated table (fixed seed; 3 float, 2 integer, 2 short-text and 1 rounded column, with a
header row), as .xlsx and as .csv, at several sizes:

- ours, cold: ``compute_once(TABLE_STATISTICS, ...)`` into an empty ``FolderStore``, so the file
  is read and summarized (the first job to see an upload);
- ours, warm: the same upload again, into the store the first call filled, so the stored result
  is reused (every later job); the benchmark stops if the result was not reused;
- ours, reading only: the same upload received and its table read into columns, the numbers in
  each found, without the statistics of them (mean, spread, quantiles, histogram); cold
  minus this is what the statistics cost (the report's "statistics share");
- pandas.read_excel(engine="openpyxl") and pandas.read_csv, each followed by the same statistics
  with pandas and numpy (per column: count of filled cells; of the numbers, count, min, max,
  mean, standard deviation, median, 5% and 95% quantiles, and the histogram's counts with our
  number of bins). Not the numbers written as text: that would only slow the baselines down;
- python-calamine's bare row iteration (open the workbook, iterate the first sheet's rows): the
  least any reader of .xlsx with python-calamine can cost.

Before the timing, one untimed process per file at the main size checks that our statistics
agree with numpy's on the generated table, within the accuracy ``tablestats.distribution``
states (``benchmarks/accuracy.py``); the benchmark stops if they do not. And after the timing, it
stops unless every measurement saw all the rows and ours and the baselines counted alike.

Cold and warm refer to our store only: generated files are cached in ``--data`` and are usually
in the operating system's file cache, for ours and the baselines alike. Generating files is
never timed.

How
---
Each run of a measurement is a fresh Python process (this script with ``--measure``), so no
measurement inherits another's memory, caches or imports. The process imports what it needs,
prepares (an empty store, or the first untimed call for warm), and then times only the work, so
import time is excluded for ours and the baselines alike. It reports the wall time and its peak
memory: the peak resident set size of the whole process, interpreter and imports included (about
the same for all, and part of what a worker pays). On Linux that is ``VmHWM`` from
/proc/self/status, because ``ru_maxrss`` also counts the peak of the parent process the child was
started from; elsewhere ``ru_maxrss``, or psutil on Windows (n/a without it).

Each measurement runs ``--repeat`` times (default 5, or 1 with ``--quick``), the repetitions in
turn (all measurements once, then all again), so that a noisy moment on the machine hits
different measurements rather than one. The table shows the median wall time, its spread, and the
largest peak memory. MB is 1,000,000 bytes, as in ``tablestats.limits``.

The files larger than the app's default upload limit (100 MB) are read with a larger
``Limits(upload_bytes=...)``; the report says when.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

# The benchmark runs as a script, so the repository root is not on the import path by itself.
REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

from tablestats.limits import DEFAULT_LIMITS, MB  # noqa: E402  (needs the path above)

SEED = 20261128
DATA_VERSION = 1  # raise when the generated table changes, so cached files are made again
LARGE_UPLOAD_LIMIT = 200 * MB  # for files above the default upload limit

HEADER = [
    "load_kN",
    "span_m",
    "element_id",
    "material",
    "stress_MPa",
    "storey",
    "status",
    "utilization",
]
MATERIALS = ("steel", "concrete", "timber", "masonry", "aluminium", "glass")
STATUSES = ("ok", "check", "fail")


@dataclass(frozen=True)
class Sizes:
    """Rows of the generated tables."""

    main: int  # targets 1 to 3
    small: int  # target 4, the small end
    large: int  # target 4, the large end
    csv_growth: int  # target 2, memory as the file grows: 10 times ``main``


FULL_SIZES = Sizes(main=200_000, small=20_000, large=1_000_000, csv_growth=2_000_000)
QUICK_SIZES = Sizes(main=20_000, small=2_000, large=20_000, csv_growth=200_000)

# The measurements, by the name ``--measure`` knows them, with the name the table shows.
KINDS = {
    "ours-cold": "ours, cold (empty store)",
    "ours-warm": "ours, warm (same upload again)",
    "ours-reading": "ours, reading only (no statistics)",
    "calamine-rows": "python-calamine, bare row iteration",
    "pandas-excel": "pandas.read_excel(openpyxl) + statistics",
    "pandas-csv": "pandas.read_csv + statistics",
}


@dataclass(frozen=True)
class Measurement:
    kind: str  # a key of KINDS
    suffix: str  # "xlsx" or "csv"
    rows: int

    def label(self) -> str:
        return f"{KINDS[self.kind]}, .{self.suffix}"


@dataclass
class Figures:
    """What the runs of one measurement found."""

    seconds: list[float]
    peak_mb: float | None  # the largest of the runs; None when the platform cannot tell

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


# --- The generated table ----------------------------------------------------------------------


def generate_rows(rows: int, seed: int = SEED) -> Iterator[list]:
    """The data rows, the same for a given number of rows and seed, in .csv and .xlsx alike."""
    rng = random.Random(seed)
    for _ in range(rows):
        yield [
            rng.gauss(250.0, 40.0),  # float
            rng.uniform(2.0, 30.0),  # float
            rng.randint(1, 1_000_000),  # int
            rng.choice(MATERIALS),  # short text
            rng.lognormvariate(4.0, 0.5),  # float
            rng.randint(-2, 40),  # int
            rng.choice(STATUSES),  # short text
            round(rng.uniform(0.0, 1.5), 2),  # rounded float
        ]


def write_csv(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(generate_rows(rows))


def write_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)  # streams the rows to disk instead of holding them
    sheet = workbook.create_sheet("Data")
    sheet.append(HEADER)
    for row in generate_rows(rows):
        sheet.append(row)
    workbook.save(path)


def generate(suffix: str, rows: int, path: Path) -> None:
    """Write the table to ``path``, through a temporary name so that no half file is cached."""
    partial = path.with_name(path.name + ".partial")
    (write_xlsx if suffix == "xlsx" else write_csv)(partial, rows)
    os.replace(partial, path)


def data_file(folder: Path, suffix: str, rows: int) -> Path:
    """The cached file for a table, generated (in its own process) when it is not there yet."""
    path = folder / f"table-v{DATA_VERSION}-seed{SEED}-{rows}-rows.{suffix}"
    if not path.exists():
        progress(f"generating {path} (not timed) ...")
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        run_self(["--generate", suffix, str(rows), str(path)])
        progress(f"  done in {time.perf_counter() - started:.1f} s")
    return path


# --- One measurement, in its own process --------------------------------------------------------


def prepare(kind: str, path: Path, upload_limit: int | None, scratch: Path) -> Callable[[], dict]:
    """Import what ``kind`` needs and get ready; the work to time, which returns what it saw.

    ``scratch`` is an empty temporary folder, for our store."""
    if kind in ("ours-cold", "ours-warm"):
        return prepare_ours(path, upload_limit, scratch, warm=kind == "ours-warm")
    if kind == "ours-reading":
        return prepare_ours_reading(path, upload_limit)
    if kind == "calamine-rows":
        return prepare_calamine_rows(path)
    if kind in ("pandas-excel", "pandas-csv"):
        return prepare_pandas(path, excel=kind == "pandas-excel")
    raise ValueError(f"unknown measurement {kind!r}")


def prepare_ours(
    path: Path, upload_limit: int | None, scratch: Path, warm: bool
) -> Callable[[], dict]:
    """Our pipeline into a store in ``scratch``: empty (cold), or filled by a first, untimed call
    with the same file (warm). Either way the timed call must reuse the result only when warm."""
    # The readers are imported by the pipeline on first use; import them now, outside the timing.
    from dataclasses import replace
    from functools import partial

    import tablestats.readers.text  # noqa: F401
    import tablestats.readers.xlsx  # noqa: F401
    from app_files.stored import compute_once
    from app_files.stores import FolderStore
    from app_files.uploaded import receive_upload
    from tablestats.computation import TABLE_STATISTICS, table_statistics
    from tablestats.limits import Limits
    from tablestats.reading import upload_kind

    limits = Limits(upload_bytes=upload_limit) if upload_limit else DEFAULT_LIMITS
    computation = replace(TABLE_STATISTICS, compute=partial(table_statistics, limits=limits))
    store = FolderStore(scratch)

    def upload():
        with open(path, "rb") as file:
            with receive_upload(file, path.name, limits.upload_bytes, upload_kind) as received:
                return compute_once(computation, received, store)

    if warm:
        first = upload()  # untimed: fills the store
        if first.reused:
            raise SystemExit("the first upload into an empty store was reused: not cold")

    def work() -> dict:
        result = upload()
        if result.reused != warm:
            raise SystemExit(f"expected reused={warm}, got reused={result.reused}: check the store")
        summary = result.value.summary
        return {
            "rows": summary.rows,
            "counts": [[column.count, column.numeric_count] for column in summary.columns],
        }

    return work


def prepare_ours_reading(path: Path, upload_limit: int | None) -> Callable[[], dict]:
    """Our pipeline without the statistics: the upload received (and hashed, as for the store)
    and its table read, a block of columns at a time."""
    import tablestats.readers.text  # noqa: F401  (imported on first use; not timed)
    import tablestats.readers.xlsx  # noqa: F401
    from app_files.uploaded import receive_upload
    from tablestats.limits import Limits
    from tablestats.reading import read_table, upload_kind

    limits = Limits(upload_bytes=upload_limit) if upload_limit else DEFAULT_LIMITS

    def work() -> dict:
        with open(path, "rb") as file:
            with receive_upload(file, path.name, limits.upload_bytes, upload_kind) as received:
                return {"rows": sum(block.rows for block in read_table(received, limits).blocks)}

    return work


def prepare_calamine_rows(path: Path) -> Callable[[], dict]:
    from python_calamine import CalamineWorkbook

    def work() -> dict:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()
        return {"rows": sum(1 for _ in rows) - 1}  # without the header

    return work


def prepare_pandas(path: Path, excel: bool) -> Callable[[], dict]:
    import pandas as pd

    if excel:
        import openpyxl  # noqa: F401  (pandas imports it on first use; not timed for ours either)

    def work() -> dict:
        frame = pd.read_excel(path, engine="openpyxl") if excel else pd.read_csv(path)
        columns = pandas_statistics(frame)
        return {"rows": len(frame), "counts": [[count, numbers] for count, numbers, *_ in columns]}

    return work


def pandas_statistics(frame) -> list[tuple]:
    """Our statistics, the pandas way: per column the count of filled cells, and of the values
    that read as finite numbers: count, min, max, mean, standard deviation (n - 1), median, 5%
    and 95% quantiles, and the histogram's counts over the range, with our number of bins."""
    import numpy as np
    import pandas as pd

    from tablestats.distribution import number_of_bins

    filled = frame.count()
    columns = []
    for name in frame.columns:
        numbers = pd.to_numeric(frame[name], errors="coerce")
        numbers = numbers[np.isfinite(numbers)]
        column = [int(filled[name]), len(numbers)]
        if len(numbers):
            p05, q1, median, q3, p95 = numbers.quantile([0.05, 0.25, 0.5, 0.75, 0.95])
            low, high = numbers.min(), numbers.max()
            bins = number_of_bins(len(numbers), low, high, q1, q3)
            counts = np.histogram(numbers, bins, (low, high))[0]
            column += [low, high, numbers.mean(), numbers.std(), median, p05, p95, counts]
        columns.append(tuple(column))
    return columns


def check_accuracy(rows: int, path: Path, upload_limit: int | None) -> None:
    """Our statistics of the generated table against numpy's; print the problems as JSON."""
    from app_files.uploaded import receive_upload
    from benchmarks.accuracy import accuracy_problems
    from tablestats.computation import table_statistics
    from tablestats.limits import Limits
    from tablestats.reading import upload_kind

    limits = Limits(upload_bytes=upload_limit) if upload_limit else DEFAULT_LIMITS
    with open(path, "rb") as file:
        with receive_upload(file, path.name, limits.upload_bytes, upload_kind) as received:
            summary = table_statistics(received, limits).summary.to_dict()
    print(json.dumps(accuracy_problems(summary, HEADER, table_as_written(path, rows))))


def table_as_written(path: Path, rows: int) -> Iterator[list]:
    """The data rows as the file holds them: the generated ones for .csv, whose numbers are
    written to the last digit; for .xlsx, as python-calamine reads them, since openpyxl writes
    numbers with 16 significant digits."""
    if path.suffix == ".csv":
        return generate_rows(rows)
    from itertools import islice

    from python_calamine import CalamineWorkbook

    rows_read = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()
    return islice(rows_read, 1, None)  # without the header


def measure(kind: str, path: Path, upload_limit: int | None) -> None:
    """Run one measurement and print its figures as one JSON line."""
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as scratch:
        work = prepare(kind, path, upload_limit, Path(scratch))
        started = time.perf_counter()
        seen = work()
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": peak_memory_mb(), **seen}))


def peak_memory_mb() -> float | None:
    """The peak resident memory of this process so far, in MB; None when it cannot be told."""
    # Not ru_maxrss on Linux: it includes the peak of the process this one was started from.
    status = Path("/proc/self/status")  # check_paths: ok Linux's own file, read only if present
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):  # "VmHWM:   123456 kB"
                return int(line.split()[1]) * 1024 / MB
    try:
        import resource
    except ImportError:  # Windows
        try:
            import psutil
        except ImportError:
            return None
        return psutil.Process().memory_info().peak_wset / MB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak * 1024 / MB  # bytes on macOS, else kB


# --- Running the measurements ------------------------------------------------------------------


def run_self(arguments: list[str]) -> str:
    """Run this script in a fresh process; its stdout. Stops the benchmark if it fails."""
    command = [sys.executable, __file__, *arguments]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"failed (exit status {completed.returncode}): {' '.join(command)}")
    return completed.stdout


def plan(sizes: Sizes) -> list[Measurement]:
    """The measurements the targets need, each once, in the order the table shows them."""
    wanted = [
        Measurement("ours-cold", "xlsx", sizes.main),
        Measurement("calamine-rows", "xlsx", sizes.main),
        Measurement("pandas-excel", "xlsx", sizes.main),
        Measurement("ours-warm", "xlsx", sizes.main),
        Measurement("ours-reading", "xlsx", sizes.main),
        Measurement("ours-cold", "csv", sizes.main),
        Measurement("pandas-csv", "csv", sizes.main),
        Measurement("ours-warm", "csv", sizes.main),
        Measurement("ours-reading", "csv", sizes.main),
        Measurement("ours-cold", "xlsx", sizes.small),
        Measurement("ours-cold", "xlsx", sizes.large),
        Measurement("ours-cold", "csv", sizes.small),
        Measurement("ours-cold", "csv", sizes.large),
        Measurement("ours-cold", "csv", sizes.csv_growth),
    ]
    return list(dict.fromkeys(wanted))  # each once: in --quick some sizes are equal


def upload_limit_for(measurement: Measurement, path: Path) -> int | None:
    """A larger upload limit for our pipeline when the file exceeds the default one."""
    if measurement.kind.startswith("ours") and path.stat().st_size > DEFAULT_LIMITS.upload_bytes:
        return LARGE_UPLOAD_LIMIT
    return None


def run_all(
    measurements: list[Measurement], files: dict, repeat: int
) -> tuple[dict[Measurement, Figures], list[str]]:
    """Every measurement ``repeat`` times, one fresh process each; the figures and the notes."""
    runs: dict[Measurement, list[dict]] = {m: [] for m in measurements}
    arguments_of: dict[Measurement, list[str]] = {}
    notes = []
    for measurement in measurements:
        path = files[measurement.suffix, measurement.rows]
        arguments_of[measurement] = ["--measure", measurement.kind, str(path)]
        limit = upload_limit_for(measurement, path)
        if limit:
            arguments_of[measurement] += ["--upload-limit", str(limit)]
            notes.append(
                f"{measurement.label()}, {measurement.rows:,} rows: the file is "
                f"{path.stat().st_size / MB:.0f} MB, above the default upload limit, so our "
                f"pipeline ran with Limits(upload_bytes={limit:_})."
            )
    for round_number in range(1, repeat + 1):
        for measurement in measurements:
            arguments = arguments_of[measurement]
            seen = json.loads(run_self(arguments).strip().splitlines()[-1])
            runs[measurement].append(seen)
            progress(
                f"run {round_number}/{repeat}: {measurement.label()}, {measurement.rows:,} rows: "
                f"{seen['seconds']:.3f} s, {format_mb(seen['peak_mb'])} MB"
            )
    check_same_table(runs)
    figures = {m: figures_of(seen) for m, seen in runs.items()}
    return figures, notes


def check_statistics(files: dict, rows: int) -> str:
    """Stop unless our statistics of the ``rows``-row tables agree with numpy's; the note."""
    for suffix in ("xlsx", "csv"):
        path = files[suffix, rows]
        progress(f"checking our statistics of {path.name} against numpy (not timed) ...")
        arguments = ["--check-accuracy", str(rows), str(path)]
        if path.stat().st_size > DEFAULT_LIMITS.upload_bytes:
            arguments += ["--upload-limit", str(LARGE_UPLOAD_LIMIT)]
        problems = json.loads(run_self(arguments).strip().splitlines()[-1])
        if problems:
            raise SystemExit(f"our statistics of {path.name} disagree with numpy's: {problems}")
    return (
        f"Our statistics of the {rows:,}-row .xlsx and .csv tables agree with numpy's within the "
        "stated accuracy (benchmarks/accuracy.py)."
    )


def statistics_shares(figures: dict[Measurement, Figures], rows: int) -> list[str]:
    """What the statistics cost: ours cold, less ours reading only (median times)."""
    notes = []
    for suffix in ("xlsx", "csv"):
        cold = figures[Measurement("ours-cold", suffix, rows)].median
        reading = figures[Measurement("ours-reading", suffix, rows)].median
        share = cold - reading
        if share < 0:  # the runs vary more than the statistics cost
            share_text = "less than the runs vary (cold was faster than reading only)"
        else:
            share_text = f"{seconds(share)} s of {seconds(cold)} s ({share / cold:.0%})"
        notes.append(
            f"Statistics share, .{suffix}, {rows:,} rows: {share_text}; ours cold less reading "
            "only."
        )
    return notes


def figures_of(runs: list[dict]) -> Figures:
    peaks = [run["peak_mb"] for run in runs if run["peak_mb"] is not None]
    return Figures([run["seconds"] for run in runs], max(peaks) if peaks else None)


def check_same_table(runs: dict[Measurement, list[dict]]) -> None:
    """Stop unless every measurement saw all the rows, and ours and pandas counted alike."""
    counts_by_file: dict[tuple[str, int], list] = {}
    for measurement, seen in runs.items():
        for run in seen:
            if run["rows"] != measurement.rows:
                raise SystemExit(
                    f"{measurement.label()} read {run['rows']:,} rows of {measurement.rows:,}"
                )
            if "counts" in run:
                counts_by_file.setdefault((measurement.suffix, measurement.rows), []).append(
                    (measurement, run["counts"])
                )
    for found in counts_by_file.values():
        first, first_counts = found[0]
        for other, counts in found[1:]:
            if counts != first_counts:
                raise SystemExit(
                    f"different statistics for the same file: {first.label()} counted "
                    f"{first_counts}, {other.label()} counted {counts}"
                )


# --- Targets ------------------------------------------------------------------------------------


@dataclass
class Verdict:
    target: str
    compared: str  # the two figures, or the one figure and its limit
    ratio: float | None  # None for a figure compared with a fixed limit
    limit: str
    passed: bool | None  # None when the figures could not be measured (peak memory: n/a)


def judge_targets(figures: dict[Measurement, Figures], sizes: Sizes) -> list[Verdict]:
    """The issue's targets, from the figures."""

    def ours(suffix: str, rows: int = sizes.main) -> Figures:
        return figures[Measurement("ours-cold", suffix, rows)]

    def other(kind: str, suffix: str) -> Figures:
        return figures[Measurement(kind, suffix, sizes.main)]

    large, small, growth = sizes.large, sizes.small, sizes.csv_growth
    return [
        time_ratio(
            "1a .xlsx cold: speed-up over pandas.read_excel(openpyxl)",
            other("pandas-excel", "xlsx"),
            ours("xlsx"),
            at_least=10,
        ),
        time_ratio(
            "1b .xlsx cold: time relative to calamine row iteration",
            ours("xlsx"),
            other("calamine-rows", "xlsx"),
            at_most=1.15,
        ),
        peak_within("1c .xlsx cold: peak memory", ours("xlsx"), limit_mb=250),
        time_ratio(
            "2a .csv cold: time relative to pandas.read_csv + statistics",
            ours("csv"),
            other("pandas-csv", "csv"),
            at_most=1,
        ),
        peak_ratio(
            f"2b .csv cold: peak memory, {growth:,} vs {sizes.main:,} rows",
            ours("csv", growth),
            ours("csv"),
            at_most=1.3,
        ),
        time_ratio(
            "3  .xlsx warm: speed-up over cold",
            ours("xlsx"),
            other("ours-warm", "xlsx"),
            at_least=50,
        ),
        time_ratio(
            "3  .csv warm: speed-up over cold", ours("csv"), other("ours-warm", "csv"), at_least=50
        ),
        per_row_ratio(
            f"4  .xlsx cold: time per row, {large:,} vs {small:,} rows",
            (ours("xlsx", large), large),
            (ours("xlsx", small), small),
            at_most=1.5,
        ),
        per_row_ratio(
            f"4  .csv cold: time per row, {large:,} vs {small:,} rows",
            (ours("csv", large), large),
            (ours("csv", small), small),
            at_most=1.5,
        ),
    ]


def time_ratio(target: str, first: Figures, second: Figures, **limit: float) -> Verdict:
    """The median wall time of ``first`` over that of ``second``, against ``at_least`` or
    ``at_most``."""
    compared = f"{seconds(first.median)} s / {seconds(second.median)} s"
    return ratio_verdict(target, compared, first.median / second.median, **limit)


def peak_ratio(target: str, first: Figures, second: Figures, **limit: float) -> Verdict:
    if first.peak_mb is None or second.peak_mb is None:
        return Verdict(target, "peak memory n/a", None, limit_text(**limit), None)
    compared = f"{first.peak_mb:.0f} MB / {second.peak_mb:.0f} MB"
    return ratio_verdict(target, compared, first.peak_mb / second.peak_mb, **limit)


def per_row_ratio(
    target: str, first: tuple[Figures, int], second: tuple[Figures, int], **limit: float
) -> Verdict:
    """The median wall time per row of ``first`` over that of ``second``; each comes with its
    number of rows."""
    first_us, second_us = (figures.median / rows * 1e6 for figures, rows in (first, second))
    compared = f"{first_us:.2f} us / {second_us:.2f} us per row"
    return ratio_verdict(target, compared, first_us / second_us, **limit)


def peak_within(target: str, figures: Figures, limit_mb: float) -> Verdict:
    peak = figures.peak_mb
    passed = None if peak is None else peak <= limit_mb
    return Verdict(target, f"{format_mb(peak)} MB", None, f"<= {limit_mb:g} MB", passed)


def ratio_verdict(
    target: str,
    compared: str,
    ratio: float,
    at_least: float | None = None,
    at_most: float | None = None,
) -> Verdict:
    passed = ratio >= at_least if at_least is not None else ratio <= at_most
    return Verdict(target, compared, ratio, limit_text(at_least, at_most), passed)


def limit_text(at_least: float | None = None, at_most: float | None = None) -> str:
    return f">= {at_least:g}x" if at_least is not None else f"<= {at_most:g}x"


# --- The report ---------------------------------------------------------------------------------


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def format_mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def machine() -> list[str]:
    versions = ", ".join(
        f"{name} {package_version(name)}" for name in ("python-calamine", "openpyxl", "pandas")
    )
    return [
        f"CPU:     {cpu_model()}, {os.cpu_count()} cores",
        f"Python:  {platform.python_version()} ({platform.python_implementation()})",
        f"OS:      {platform.platform()}",
        f"Packages: {versions}",
    ]


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")  # check_paths: ok Linux's own file, read only if present
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """Plain-text columns; the columns in ``right`` are aligned to the right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [line(header), line(["-" * width for width in widths]), *map(line, rows)]


def seconds(value: float) -> str:
    """Three significant figures at least: 1.123, 0.383, 0.00712."""
    return f"{value:.3f}" if value >= 0.1 else f"{value:.3g}"


def measurement_table(figures: dict[Measurement, Figures]) -> list[str]:
    rows = [
        [
            m.label(),
            f"{m.rows:,}",
            seconds(f.median),
            f"{seconds(min(f.seconds))}-{seconds(max(f.seconds))}",
            format_mb(f.peak_mb),
        ]
        for m, f in figures.items()
    ]
    header = ["Measurement", "Rows", "Wall time (s)", "min-max (s)", "Peak memory (MB)"]
    return table(header, rows, right={1, 2, 3, 4})


def target_table(verdicts: list[Verdict], judged: bool) -> list[str]:
    def result(verdict: Verdict) -> str:
        if not judged:
            return "not judged"
        return {True: "PASS", False: "FAIL", None: "n/a"}[verdict.passed]

    rows = [
        [
            v.target,
            v.compared,
            "" if v.ratio is None else f"{v.ratio:.2f}x",
            v.limit,
            result(v),
        ]
        for v in verdicts
    ]
    return table(["Target", "Compared", "Ratio", "Limit", "Result"], rows, right={2})


def report(
    figures: dict[Measurement, Figures],
    verdicts: list[Verdict],
    notes: list[str],
    repeat: int,
    quick: bool,
) -> None:
    lines = ["Upload pipeline benchmark (benchmarks/bench_uploads.py)", *machine(), ""]
    lines.append(
        f"Median wall time of {repeat} fresh process(es) per measurement, imports not timed; "
        "peak memory is the largest of the processes, interpreter and imports included."
    )
    lines += [f"Note: {note}" for note in notes]
    lines += ["", *measurement_table(figures), "", *target_table(verdicts, judged=not quick)]
    if quick:
        lines += [
            "",
            "--quick: small files, figures only. Targets are not judged; run without --quick.",
        ]
    else:
        failed = [v for v in verdicts if v.passed is not True]
        lines += [
            "",
            f"{len(failed)} of {len(verdicts)} targets not met." if failed else "All targets pass.",
        ]
    print("\n".join(lines))


# --- Command line -------------------------------------------------------------------------------


def default_data_folder() -> Path:
    """In the user's cache folder, beside the stored results: never in the repository."""
    from app_files.stores import default_folder

    return default_folder().parent.parent / "viktor-table-stats-bench"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the upload pipeline against pandas and python-calamine.",
        epilog="Exit status: 0 when every target passes (or --quick ran), 1 otherwise.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small files, figures only, no verdicts (seconds)"
    )
    parser.add_argument(
        "--repeat", type=int, help="fresh processes per measurement (default 5; 1 with --quick)"
    )
    parser.add_argument("--data", type=Path, help="where generated files are cached")
    # Used by the benchmark itself, to run one measurement or generate one file in a new process.
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--upload-limit", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--check-accuracy", nargs=2, metavar=("ROWS", "PATH"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--generate", nargs=3, metavar=("SUFFIX", "ROWS", "PATH"), help=argparse.SUPPRESS
    )
    arguments = parser.parse_args(argv)
    if arguments.repeat is not None and arguments.repeat < 1:
        parser.error("--repeat must be 1 or more")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if arguments.measure:
        kind, path = arguments.measure
        measure(kind, Path(path), arguments.upload_limit)
        return 0
    if arguments.generate:
        suffix, rows, path = arguments.generate
        generate(suffix, int(rows), Path(path))
        return 0
    if arguments.check_accuracy:
        rows, path = arguments.check_accuracy
        check_accuracy(int(rows), Path(path), arguments.upload_limit)
        return 0

    missing = [name for name in ("pandas", "openpyxl", "python_calamine") if not importable(name)]
    if missing:
        raise SystemExit(
            f"missing {', '.join(missing)}: pip install -r requirements.txt "
            "-r benchmarks/requirements.txt"
        )
    quick = arguments.quick
    sizes = QUICK_SIZES if quick else FULL_SIZES
    repeat = arguments.repeat or (1 if quick else 5)
    folder = arguments.data or default_data_folder()
    measurements = plan(sizes)
    files = {(m.suffix, m.rows): data_file(folder, m.suffix, m.rows) for m in measurements}
    accuracy = check_statistics(files, sizes.main)
    figures, notes = run_all(measurements, files, repeat)
    notes += [accuracy, *statistics_shares(figures, sizes.main)]
    verdicts = judge_targets(figures, sizes)
    report(figures, verdicts, notes, repeat, quick)
    if quick:
        return 0
    return 0 if all(v.passed for v in verdicts) else 1


def importable(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    sys.exit(main())
