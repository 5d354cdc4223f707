"""What the check reports: the codes, one finding, and how its path is shown."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CODES = {
    "VP101": "absolute path (/home/..., C:\\..., \\\\server\\share, ~/...) given to a file call",
    "VP102": "relative path ('file.txt', '../file.txt') given to a file call",
    "VP201": "os.chdir() changes the working directory of the whole process",
    "VP202": "path built from the working directory (os.getcwd(), Path.cwd(), abspath('x'))",
    "VP301": "'..' or os.pardir in a path built from __file__ (use .parent)",
    "VP302": "writes into the app's own folder (reset for every session)",
    "VP303": "bundled file built from __file__ does not exist (or differs in case)",
    "VP304": "bundled file built from __file__ is not tracked by git (not published)",
    "VP901": "'# check_paths: ok' without a reason",
}


@dataclass(frozen=True)
class Finding:
    """One problem: where it is, its code and a message that names the fix."""

    path: Path
    line: int
    column: int  # 1-based, like most editors and linters
    code: str
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column}: {self.code} {self.message}"


def display_path(path: Path) -> str:
    """`path` relative to the working directory when below it, with forward slashes like git."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()
