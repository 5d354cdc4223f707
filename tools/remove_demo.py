"""Remove the demo (table statistics) and keep the skeleton of your own app.

Run it once, from the repository root, before you start on your own app::

    python -m tools.remove_demo            # remove it
    python -m tools.remove_demo --dry-run  # only say what would go

The demo is what only the table statistics need: the paths in ``DEMO_PATHS`` (with this tool and
its test, which have nothing left to do once the demo is gone, and the template's own files for
copier), its sample tables in the entity type's folder (``DEMO_SAMPLES``), and the lines of shared
files marked as the demo's, a single line with a trailing ``# demo`` comment, or a block from
``# demo: begin`` to ``# demo: end`` (``<!-- demo: begin -->`` and ``<!-- demo: end -->`` in
Markdown). What remains is a working app with the three kinds of
files in their smallest form: a bundled text, a file field whose upload it measures, and a result
it stores and reuses; its own tests and checks pass (CI checks that on a copy of the repository),
and no file names the demo (``tests/test_remove_demo.py`` checks that).

It needs the standard library only, and changes nothing but what it lists.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path

from tools.repository import app_files_in

REPOSITORY = Path(__file__).resolve().parent.parent
DEMO_PATHS = (
    "tablestats",
    "benchmarks",
    "tests/demo",
    "tests/test_remove_demo.py",
    "tools/remove_demo.py",
    # What makes this repository a template for copier, which an app made from it does not need:
    # copier reads them from the template itself ("Take the template's updates" in the README).
    "copier.yml",
    "{{_copier_conf.answers_file}}.jinja",
    ".copier",
)
# The demo's sample tables, in the samples folder of whichever entity type ships them (copier may
# have renamed its folder): the checks upload them into the demo's field "tables".
DEMO_SAMPLES = "*/samples/tables/concrete_batch_?.csv"
LINE_MARKER = re.compile(r"\s*(?:#|<!--) demo(?: -->)?\s*$")
BEGIN_MARKER = re.compile(r"^\s*(?:#|<!--) demo: begin(?: -->)?\s*$")
END_MARKER = re.compile(r"^\s*(?:#|<!--) demo: end(?: -->)?\s*$")
MARKED_SUFFIXES = {".py", ".md", ".txt", ".toml", ".yml", ".yaml", ".cfg", ""}


class MarkerError(ValueError):
    """A file whose demo markers do not pair up."""


def without_demo(text: str, name: str) -> str:
    """``text`` without its demo lines and blocks; MarkerError when the markers do not pair."""
    kept: list[str] = []
    inside_since: int | None = None
    after_block = False
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if BEGIN_MARKER.match(line):
            if inside_since is not None:
                raise MarkerError(f"{name}:{number}: a demo block begins inside another")
            inside_since = number
            continue
        if END_MARKER.match(line):
            if inside_since is None:
                raise MarkerError(f"{name}:{number}: a demo block ends that never began")
            inside_since, after_block = None, True
            continue
        if inside_since is not None or LINE_MARKER.search(line.rstrip("\r\n")):
            continue
        # A block between two blank lines leaves one blank line, not two.
        if after_block and not line.strip() and kept and not kept[-1].strip():
            after_block = False
            continue
        after_block = False
        kept.append(line)
    if inside_since is not None:
        raise MarkerError(f"{name}:{inside_since}: a demo block begins and never ends")
    while len(kept) > 1 and not kept[-1].strip():  # a block at the end leaves no blank lines
        kept.pop()
    return "".join(kept)


def is_demo_path(relative: str) -> bool:
    """Whether the file or folder ``relative`` (to the repository, with forward slashes) goes
    with the demo as a whole."""
    if fnmatchcase(relative, DEMO_SAMPLES):
        return True
    return any(relative == path or relative.startswith(f"{path}/") for path in DEMO_PATHS)


def _kept_files(root: Path) -> Iterator[tuple[Path, str, str]]:
    """(file, its text, its text without the demo's lines) for each text file of the app in
    ``root`` that the skeleton keeps; MarkerError when a file's markers do not pair."""
    for path in app_files_in(root):
        relative = path.relative_to(root).as_posix()
        if is_demo_path(relative) or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # not text: no markers
        kept = without_demo(text, relative) if path.suffix in MARKED_SUFFIXES else text
        yield path, text, kept


def skeleton_texts(root: Path) -> dict[Path, str]:
    """{file: its text once the demo is removed} for each text file the skeleton keeps."""
    return {path: kept for path, _, kept in _kept_files(root)}


def remove_demo(root: Path, dry_run: bool = False) -> list[str]:
    """Remove the demo from the app in ``root``; what was (or would be) done, a line each."""
    done = []
    # Every file is checked before anything changes.
    changes = {path: kept for path, text, kept in _kept_files(root) if kept != text}
    for relative in DEMO_PATHS:
        path = root / relative
        if path.is_dir():
            done.append(f"{relative}/ (the folder)")
            if not dry_run:
                shutil.rmtree(path)
        elif path.exists():
            done.append(relative)
            if not dry_run:
                path.unlink()
    for sample in sorted(root.glob(DEMO_SAMPLES)):
        done.append(sample.relative_to(root).as_posix())
        if not dry_run:
            sample.unlink()
            if not any(sample.parent.iterdir()):
                sample.parent.rmdir()
    for path, text in changes.items():
        done.append(f"{path.relative_to(root).as_posix()} (the demo's lines)")
        if not dry_run:
            path.write_text(text, encoding="utf-8", newline="")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.remove_demo",
        description="Remove the demo (table statistics) and keep the skeleton of your own app.",
    )
    parser.add_argument("--dry-run", action="store_true", help="only say what would go")
    args = parser.parse_args(argv)
    try:
        done = remove_demo(REPOSITORY, args.dry_run)
    except MarkerError as error:
        print(f"error: {error}; nothing was changed.", file=sys.stderr)
        return 2
    if not done:
        print("The demo is gone already.")
        return 0
    print("Would remove:" if args.dry_run else "Removed:")
    print("\n".join(f"  {line}" for line in done))
    if not args.dry_run:
        print(
            "\nCheck what is left with: python -m pytest\n"
            'Then commit it: git add -A, then git commit -m "Remove the demo"'
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
