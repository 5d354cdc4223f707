"""Remove the demo (table statistics) and keep the skeleton of your own app.

Run it once, from the repository root, before you start on your own app::

    python -m tools.remove_demo            # remove it
    python -m tools.remove_demo --dry-run  # only say what would go

The demo is what only the table statistics need: the folders in ``DEMO_FOLDERS``, and the lines
of shared files marked as the demo's, a single line with a trailing ``# demo`` comment, or a block
from ``# demo: begin`` to ``# demo: end`` (``<!-- demo: begin -->`` and ``<!-- demo: end -->`` in
Markdown). What remains is a working app with the three kinds of files in their smallest form: a
bundled text, a file field whose upload it measures, and a result it stores and reuses; its own
tests and checks pass (CI checks that on a copy of the repository).

It needs the standard library only, and changes nothing but what it lists.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from tools.repository import app_files_in

REPOSITORY = Path(__file__).resolve().parent.parent
DEMO_FOLDERS = ("tablestats", "benchmarks", "tests/demo")
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


def without_the_demo(root: Path) -> dict[Path, str]:
    """{file: its text without the demo's lines} for every file of the app in ``root`` (outside
    the demo's folders) that holds demo markers; MarkerError when its markers do not pair."""
    changed = {}
    for path in app_files_in(root):
        relative = path.relative_to(root).as_posix()
        if any(relative.startswith(f"{folder}/") for folder in DEMO_FOLDERS):
            continue
        if path.suffix not in MARKED_SUFFIXES or not path.is_file() or path == Path(__file__):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # not text: no markers
        kept = without_demo(text, relative)
        if kept != text:
            changed[path] = kept
    return changed


def remove_demo(root: Path, dry_run: bool = False) -> list[str]:
    """Remove the demo from the app in ``root``; what was (or would be) done, a line each."""
    done = []
    changes = without_the_demo(root)  # every file checked before anything changes
    for folder in DEMO_FOLDERS:
        if (root / folder).exists():
            done.append(f"{folder}/ (the folder)")
            if not dry_run:
                shutil.rmtree(root / folder)
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
