"""The command line: reads the arguments, checks the files, prints the findings and returns the
exit status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .checker import check_file
from .files import files_to_check
from .findings import CODES, Finding, display_path


def _why_unreadable(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        where = f" (line {error.lineno})" if error.lineno else ""
        return f"cannot parse it: {error.msg}{where}"
    if isinstance(error, OSError):
        return f"cannot read it: {error.strerror or error}"
    return f"cannot read it: {error}"


def _parser() -> argparse.ArgumentParser:
    codes = "\n".join(f"  {code}  {meaning}" for code, meaning in CODES.items())
    parser = argparse.ArgumentParser(
        prog="python -m tools.check_paths",
        description=(
            "Find file paths that work on your computer but break once the VIKTOR app is\n"
            "published: fixed or relative paths, the working directory, writes into the\n"
            "app's folder, and bundled files that are missing or not tracked by git."
        ),
        epilog=(
            f"codes:\n{codes}\n\n"
            "A line ending in '# check_paths: ok <reason>' is not reported.\n"
            "Exit status: 0 clean, 1 findings, 2 a PATH or file that cannot be read or parsed."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders (every *.py below) to check; default: the app's own Python files",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the check as the command line does; returns the exit status."""
    arguments = _parser().parse_args(argv)
    files, status = files_to_check(arguments.paths)
    findings: list[Finding] = []
    for file in files:
        try:
            findings += check_file(file)
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError) as error:
            print(f"{display_path(file)}: {_why_unreadable(error)}", file=sys.stderr)
            status = 2
    findings.sort(key=lambda finding: (display_path(finding.path), finding.line, finding.column))
    for finding in findings:
        print(finding)
    if status == 0 and not findings:
        checked = f"{len(files)} file{'' if len(files) == 1 else 's'} checked"
        print(f"check_paths: {checked}, no findings", file=sys.stderr)
    return status or (1 if findings else 0)
