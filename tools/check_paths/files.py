"""The files to check: the app's own Python files by default, or the given files and folders."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

# This file is tools/check_paths/files.py: three folders up is the repository root.
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent.parent
# Left out of the default file set, at the top of the repository only.
DEFAULT_SKIPPED_FOLDERS = ("tests", "build", "dist")


def python_files(folder: Path, skipped_folders: Sequence[str] = ()) -> list[Path]:
    """Every *.py below `folder`, without virtual environments, hidden folders and caches.

    `skipped_folders` are left out too, directly below `folder` only.
    """
    found: list[Path] = []
    for current, subfolders, names in os.walk(folder):
        here = Path(current)
        is_top = here == folder
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not _is_skipped_folder(here / name) and not (is_top and name in skipped_folders)
        )
        found += [here / name for name in sorted(names) if name.endswith(".py")]
    return found


def _is_skipped_folder(folder: Path) -> bool:
    name = folder.name
    is_virtual_environment = name == "venv" or (folder / "pyvenv.cfg").is_file()
    return name.startswith(".") or name == "__pycache__" or is_virtual_environment


def files_to_check(paths: Sequence[str]) -> tuple[list[Path], int]:
    """The files to check, and 2 when a PATH does not exist (0 otherwise)."""
    if not paths:
        return python_files(REPOSITORY_ROOT, DEFAULT_SKIPPED_FOLDERS), 0
    files: list[Path] = []
    status = 0
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files += python_files(path)
        elif path.is_file():
            files.append(path)
        else:
            print(f"check_paths: error: no such file or folder: {given}", file=sys.stderr)
            status = 2
    return list(dict.fromkeys(files)), status
