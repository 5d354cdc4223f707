"""Bundled files on disk and in git: whether a file the code reads exists, with the same
upper/lower case, and whether git tracks it (viktor-cli publish uploads only those)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def is_within(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or below it."""
    return path == folder or folder in path.parents


def relative_to_folder(location: Path, folder: Path) -> str:
    """`location` as seen from `folder` ('../shared/rates.xlsx'), with forward slashes."""
    try:
        return Path(os.path.relpath(location, folder)).as_posix()
    except ValueError:  # another drive on Windows
        return location.as_posix()


def missing_or_misspelled(location: Path, code_folder: Path) -> str | None:
    """Why `location` would not be found on a Linux server, or None when it is there.

    Each folder is listed, so a name that differs only in upper/lower case is caught on
    Windows and macOS too (their file systems ignore case, Linux does not).
    """
    try:
        start = Path(os.path.commonpath([location, code_folder]))
    except ValueError:  # another drive on Windows
        start = Path(location.anchor)
    folder = start
    for name in location.relative_to(start).parts:
        try:
            names = os.listdir(folder)
        except OSError:
            return "does not exist"
        if name not in names:
            same_but_case = [other for other in names if other.lower() == name.lower()]
            if same_but_case:
                return (
                    f"does not exist: on disk it is spelled {same_but_case[0]!r}, "
                    "and Linux servers tell upper and lower case apart"
                )
            return "does not exist"
        folder = folder / name
    return None


def is_tracked_by_git(location: Path) -> bool | None:
    """Whether git tracks the file (or anything in the folder); None if git cannot tell."""
    command = ["git", "--literal-pathspecs", "ls-files", "-z", "--", location.name]
    try:
        result = subprocess.run(
            command, cwd=location.parent, capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.SubprocessError):  # git is not installed, or hangs
        return None
    if result.returncode != 0:  # not in a git repository
        return None
    return bool(result.stdout)
