"""The demo's job on the command line, without VIKTOR:

    python -m tablestats [TABLE ...] [--out REPORT.xlsx] [--store DIR] [--json]

It runs the functions the controller runs, with a folder in place of VIKTOR Storage (one folder
per checkout, ``app_files.stores.default_folder``), so a second run on the same files reuses the
stored statistics, as a second job in the app does. Several tables give the statistics of each and
of all of them together, each file read once. Without TABLE it reads the sample file that ships
with the package. Exit status: 0 on success, 2 when a file cannot be used (with the message the
app shows, on one line per file; the other files' statistics are still printed).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys
from pathlib import Path

from app_files.stores import FolderStore, default_folder
from app_files.uploaded import UploadError, UploadSet, file_receiver
from tablestats.all_tables import TablesRead, named, statistics_of_tables
from tablestats.notes import notes
from tablestats.reading import upload_kind
from tablestats.statistics import Summary

# Bundled files, found from this file's own location.
PACKAGE_FOLDER = Path(__file__).parent
SAMPLE_UPLOAD = PACKAGE_FOLDER / "sample.csv"
ABOUT_FILE = PACKAGE_FOLDER.parent / "file.txt"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(format="warning: %(message)s", level=logging.WARNING)
    # A Windows console or a file may not encode every character of a column name ("σ"): print
    # a "?" for those rather than stop with an error.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # not when a test has put another in place
            stream.reconfigure(errors="replace")
    paths = args.tables or [SAMPLE_UPLOAD]
    store = FolderStore(args.store or default_folder())
    uploads = UploadSet(
        [(path.name, file_receiver(path, check_name=upload_kind)) for path in paths]
    )
    try:
        read = statistics_of_tables(uploads, store)
    except UploadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out:
        from tablestats.report import build_report  # only now: openpyxl takes a while to load

        kept = f"kept in {store.folder}" if read.kept else "computed now, not kept"
        content = build_report(read, kept=kept, about=ABOUT_FILE.read_text(encoding="utf-8"))
        try:
            args.out.write_bytes(content)
        except OSError as error:
            print(
                f"error: cannot write the report to {args.out}: {error.strerror}", file=sys.stderr
            )
            return 2
    if args.json:
        print(json.dumps(_as_json(read, args.out)))
    else:
        print(_as_text(read, store, args.out))
    for file in read.left_out:  # the others are shown: these are named, with why
        print(f"error: {_escaped(named(file))}", file=sys.stderr)
    return 2 if read.left_out else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tablestats",
        description="Per-column statistics of tables (.xlsx or .csv), as the app computes them.",
    )
    parser.add_argument(
        "tables",
        nargs="*",
        type=Path,
        help="the tables to read, one or more (default: the bundled sample.csv)",
    )
    parser.add_argument("--out", type=Path, help="write the Excel report to this file")
    parser.add_argument(
        "--store",
        type=Path,
        help=f"the folder that stands in for VIKTOR Storage (default: {default_folder()})",
    )
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    return parser


def _as_json(read: TablesRead, report: Path | None) -> dict:
    """The command line's --json output: one table as it is, several each with its file."""
    tables = [
        {"file": table.name, "size": table.size, **table.statistics.to_json()}
        for table in read.tables
    ]
    found = {
        "reused": read.reused,
        "stored": read.kept,
        "report": None if report is None else str(report),
    }
    if not read.several:
        return {**tables[0], **found}
    return {
        "tables": tables,
        "together": None if read.together is None else read.together.to_dict(),
        "left_out": [{"file": file.name, "message": file.message} for file in read.left_out],
        **found,
    }


def _as_text(read: TablesRead, store: FolderStore, report_path: Path | None) -> str:
    if read.reused:
        source = f"reused from {store.folder}"
    elif read.kept:
        source = f"computed now and stored in {store.folder}"
    else:
        source = f"computed now (could not be stored in {store.folder})"
    lines = [f"Statistics {source}"]
    for table in read.tables:
        sheet = f", sheet '{_escaped(table.statistics.sheet)}'" if table.statistics.sheet else ""
        title = f"{_escaped(table.name)} ({table.size:,} bytes{sheet})"
        lines += ["", *_summary_lines(title, table.statistics.summary)]
    if read.together is not None:
        lines += ["", *_summary_lines(read.together_label, read.together)]
    lines.append("")
    lines.append(
        f"Report: {report_path}" if report_path else "Report: none (add --out REPORT.xlsx)"
    )
    return "\n".join(lines)


def _summary_lines(title: str, summary: Summary) -> list[str]:
    lines = [
        f"{title}: {summary.rows:,} rows",
        _table_line("Column", "Values", "Numbers", *_STATISTICS.values()),
    ]
    for column in summary.columns:
        numbers = [_number(getattr(column, name)) for name in _STATISTICS]
        counts = f"{column.count:,}", f"{column.numeric_count:,}"
        line = _table_line(_escaped(column.name), *counts, *numbers)
        lines.append(line.rstrip())
    for note in notes(summary.columns):
        name = _escaped(note.column)
        lines.append(f"Note on {name}: {note.cells:,} {note.problem}. {note.advice}")
    return lines


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
