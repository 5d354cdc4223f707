"""The demo's job on the command line, without VIKTOR:

    python -m tablestats [UPLOAD] [--out REPORT.xlsx] [--store DIR] [--json]

It runs the functions the controller runs, with a folder in place of VIKTOR Storage (one folder
per checkout, ``app_files.stores.default_folder``), so a second run on the same file reuses the
stored statistics, as a second job in the app does. Without UPLOAD it reads the sample file that
ships with the package. Exit status: 0 on success, 2 when the upload cannot be used (with the
message the app shows, on one line).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from app_files.stored import Stored, compute_once
from app_files.stores import FolderStore, default_folder
from app_files.uploaded import UploadError, receive_upload
from tablestats.computation import TABLE_STATISTICS, TableStatistics
from tablestats.notes import notes
from tablestats.reading import upload_kind

# Bundled files, found from this file's own location.
PACKAGE_FOLDER = Path(__file__).parent
SAMPLE_UPLOAD = PACKAGE_FOLDER / "sample.csv"
ABOUT_FILE = PACKAGE_FOLDER.parent / "file.txt"


@dataclass
class Outcome:
    """What one run found: the upload's name and size, and its statistics as stored."""

    file_name: str
    file_size: int  # bytes
    statistics: Stored[TableStatistics]

    def to_json(self, report: Path | None) -> dict:
        """The command line's --json output."""
        return {
            "file": self.file_name,
            "size": self.file_size,
            **self.statistics.value.to_json(),
            "reused": self.statistics.reused,
            "stored": self.statistics.stored,
            "report": None if report is None else str(report),
        }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(format="warning: %(message)s", level=logging.WARNING)
    # A Windows console or a file may not encode every character of a column name ("σ"): print
    # a "?" for those rather than stop with an error.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # not when a test has put another in place
            stream.reconfigure(errors="replace")
    upload = args.upload or SAMPLE_UPLOAD
    store = FolderStore(args.store or default_folder())
    try:
        outcome = _summarize(upload, store)
    except UploadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out:
        from tablestats.report import build_report  # only now: openpyxl takes a while to load

        content = build_report(
            outcome.statistics.value,
            file_name=outcome.file_name,
            file_size=outcome.file_size,
            reused=outcome.statistics.reused,
            about=ABOUT_FILE.read_text(encoding="utf-8"),
        )
        try:
            args.out.write_bytes(content)
        except OSError as error:
            print(
                f"error: cannot write the report to {args.out}: {error.strerror}", file=sys.stderr
            )
            return 2
    if args.json:
        print(json.dumps(outcome.to_json(args.out)))
    else:
        print(_as_text(outcome, store, args.out))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tablestats",
        description="Per-column statistics of a table (.xlsx or .csv), as the app computes them.",
    )
    parser.add_argument(
        "upload", nargs="?", type=Path, help="the table to read (default: the bundled sample.csv)"
    )
    parser.add_argument("--out", type=Path, help="write the Excel report to this file")
    parser.add_argument(
        "--store",
        type=Path,
        help=f"the folder that stands in for VIKTOR Storage (default: {default_folder()})",
    )
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    return parser


def _summarize(path: Path, store: FolderStore) -> Outcome:
    try:
        with (
            path.open("rb") as stream,
            receive_upload(stream, path.name, check_name=upload_kind) as upload,
        ):
            return Outcome(upload.name, upload.size, compute_once(TABLE_STATISTICS, upload, store))
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        raise UploadError(f"cannot read {path}: {error.strerror}.") from None


def _as_text(outcome: Outcome, store: FolderStore, report_path: Path | None) -> str:
    stored = outcome.statistics
    if stored.reused:
        source = f"reused from {store.folder}"
    elif stored.stored:
        source = f"computed now and stored in {store.folder}"
    else:
        source = f"computed now (could not be stored in {store.folder})"
    statistics = stored.value
    sheet = f", sheet '{_escaped(statistics.sheet)}'" if statistics.sheet else ""
    lines = [
        f"{_escaped(outcome.file_name)} ({outcome.file_size:,} bytes{sheet}): "
        f"{statistics.summary.rows:,} rows",
        f"Statistics {source}",
        "",
        _table_line("Column", "Values", "Numbers", *_STATISTICS.values()),
    ]
    for column in statistics.summary.columns:
        numbers = [_number(getattr(column, name)) for name in _STATISTICS]
        counts = f"{column.count:,}", f"{column.numeric_count:,}"
        line = _table_line(_escaped(column.name), *counts, *numbers)
        lines.append(line.rstrip())
    for note in notes(statistics.summary.columns):
        name = _escaped(note.column)
        lines.append(f"Note on {name}: {note.cells:,} {note.problem}. {note.advice}")
    lines.append("")
    lines.append(
        f"Report: {report_path}" if report_path else "Report: none (add --out REPORT.xlsx)"
    )
    return "\n".join(lines)


# Control characters from the upload, shown as "\x1b": printed raw, an escape (1B) could restyle
# or clear the terminal, and a tab or line break would break the table's layout.
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}


def _escaped(text: str) -> str:
    return text.translate(_ESCAPES)


# The statistics of the text output's table: ColumnSummary's attribute, and its heading.
_STATISTICS = {
    "min": "Minimum",
    "max": "Maximum",
    "mean": "Mean",
    "std": "Std",
    "p05": "5%",
    "median": "Median",
    "p95": "95%",
}


def _table_line(name: str, values: object, numbers: object, *statistics: str) -> str:
    counts = (
        f"{values:>8,} {numbers:>8,}" if isinstance(values, int) else f"{values:>8} {numbers:>8}"
    )
    return f"{name[:20]:<20} {counts} " + " ".join(f"{text:>10}" for text in statistics)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.5g}"


if __name__ == "__main__":
    sys.exit(main())
