"""The app's job on the command line, without VIKTOR:

    python -m entity_type_a [UPLOAD] [--out REPORT.xlsx] [--store DIR] [--json]

It runs the functions the controller runs, with a folder in place of VIKTOR Storage, so a second
run on the same file reuses the stored statistics, as a second job in the app does. Without UPLOAD
it reads the sample file that ships with the app. Exit status: 0 on success, 2 when the upload
cannot be used (with the message the app shows, on one line).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from entity_type_a.controller import ABOUT_FILE, ENTITY_FOLDER, REPORT_TEMPLATE
from tablestats import report
from tablestats.errors import UploadError
from tablestats.results import Result, summarize_upload
from tablestats.store import FolderStore, default_folder

SAMPLE_UPLOAD = ENTITY_FOLDER / "sample.csv"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(format="warning: %(message)s", level=logging.WARNING)
    # A Windows console or a file may not encode every character of a column name ("σ"): print
    # a "?" for those rather than stop with an error.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):  # not when a test has put another stream in place
            stream.reconfigure(errors="replace")
    upload = args.upload or SAMPLE_UPLOAD
    store = FolderStore(args.store or default_folder())
    try:
        result = _summarize(upload, store)
    except UploadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report_path = None
    if args.out:
        content = report.build_report(
            result, ABOUT_FILE.read_text(encoding="utf-8"), REPORT_TEMPLATE
        )
        try:
            args.out.write_bytes(content)
        except OSError as error:
            print(
                f"error: cannot write the report to {args.out}: {error.strerror}", file=sys.stderr
            )
            return 2
        report_path = args.out
    if args.json:
        print(
            json.dumps(
                {**result.to_dict(), "report": None if report_path is None else str(report_path)}
            )
        )
    else:
        print(_as_text(result, store, report_path))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m entity_type_a",
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


def _summarize(upload: Path, store: FolderStore) -> Result:
    try:
        with upload.open("rb") as stream:
            return summarize_upload(stream, upload.name, store)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        raise UploadError(f"cannot read {upload}: {error.strerror}.") from None


def _as_text(result: Result, store: FolderStore, report_path: Path | None) -> str:
    if result.reused:
        source = f"reused from {store.folder}"
    elif result.stored:
        source = f"computed now and stored in {store.folder}"
    else:
        source = f"computed now (could not be stored in {store.folder})"
    sheet = f", sheet '{result.sheet}'" if result.sheet else ""
    lines = [
        f"{result.file_name} ({result.file_size:,} bytes{sheet}): {result.summary.rows:,} rows",
        f"Statistics {source}",
        "",
        f"{'Column':<24} {'Values':>8} {'Numbers':>8} {'Minimum':>12} {'Maximum':>12} {'Mean':>12}",
    ]
    for column in result.summary.columns:
        numbers = (_number(column.min), _number(column.max), _number(column.mean))
        line = f"{column.name[:24]:<24} {column.count:>8,} {column.numeric_count:>8,} " + " ".join(
            f"{number:>12}" for number in numbers
        )
        lines.append(line.rstrip())
    lines.append("")
    lines.append(
        f"Report: {report_path}" if report_path else "Report: none (add --out REPORT.xlsx)"
    )
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


if __name__ == "__main__":
    sys.exit(main())
