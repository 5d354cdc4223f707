"""Facts about the app in a folder, for the tools and tests: its files (what git tracks or would
track), and the versions requirements.txt pins."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


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


def pinned_version(package: str, root: Path = REPOSITORY) -> str:
    """The version that requirements.txt in ``root`` pins ``package`` to (``package==version``);
    ValueError when it pins none."""
    requirements = (root / "requirements.txt").read_text(encoding="utf-8")
    pinned = re.search(rf"^{re.escape(package)}==([^\s;#]+)", requirements, re.MULTILINE)
    if pinned is None:
        raise ValueError(f"requirements.txt pins no version of {package}: write {package}==X.Y.Z")
    return pinned[1]
