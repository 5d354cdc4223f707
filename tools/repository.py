"""The files of the app in a folder: what git tracks or would track, for the tools and tests."""

from __future__ import annotations

import subprocess
from pathlib import Path


def app_files_in(root: Path) -> list[Path]:
    """The files of the app in ``root``: those git tracks or would track (not what .gitignore
    ignores); every file but git's own and virtual environments where git is not there."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        return sorted(root / name for name in listed)
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every file
        skipped = {".git", ".venv", "venv"}
        return sorted(path for path in root.rglob("*") if not skipped & set(path.parts))
