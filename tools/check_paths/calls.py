"""What the check knows about calls: which ones use files, where they take the path, and
what they do with it (read, write or only probe)."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import NamedTuple

# What a call does with a path.
READ = "read"  # opens, reads or lists it: a bundled file must exist
WRITE = "write"  # creates, changes, moves or deletes it
PROBE = "probe"  # only asks whether it exists, or its size
UNKNOWN_ACCESS = "unknown"  # open() with a mode that is not a constant


class PathArgument(NamedTuple):
    """Where a call takes a path (position or keyword) and what it does with it."""

    position: int
    keywords: tuple[str, ...]
    access: str


def _read(position: int, *keywords: str) -> tuple[PathArgument]:
    return (PathArgument(position, keywords, READ),)


def _write(position: int, *keywords: str) -> tuple[PathArgument]:
    return (PathArgument(position, keywords, WRITE),)


def _probe(position: int, *keywords: str) -> tuple[PathArgument]:
    return (PathArgument(position, keywords, PROBE),)


# Functions that take a path, by their full name (after resolving `import ... as ...`).
FILE_FUNCTIONS: dict[str, tuple[PathArgument, ...]] = {
    "open": _read(0, "file"),
    "io.open": _read(0, "file"),
    "os.listdir": _read(0, "path"),
    "os.scandir": _read(0, "path"),
    "os.walk": _read(0, "top"),
    "os.stat": _probe(0, "path"),
    "os.path.exists": _probe(0, "path"),
    "os.path.isfile": _probe(0, "path"),
    "os.path.isdir": _probe(0, "s", "path"),
    "os.path.getsize": _probe(0, "filename"),
    "os.remove": _write(0, "path"),
    "os.unlink": _write(0, "path"),
    "os.rmdir": _write(0, "path"),
    "os.mkdir": _write(0, "path"),
    "os.makedirs": _write(0, "name"),
    "os.rename": _write(0, "src") + _write(1, "dst"),
    "os.replace": _write(0, "src") + _write(1, "dst"),
    "shutil.copy": _read(0, "src") + _write(1, "dst"),
    "shutil.copy2": _read(0, "src") + _write(1, "dst"),
    "shutil.copyfile": _read(0, "src") + _write(1, "dst"),
    "shutil.copytree": _read(0, "src") + _write(1, "dst"),
    "shutil.move": _write(0, "src") + _write(1, "dst"),
    "shutil.rmtree": _write(0, "path"),
    "glob.glob": _read(0, "pathname"),
    "glob.iglob": _read(0, "pathname"),
    "openpyxl.load_workbook": _read(0, "filename"),
    "numpy.loadtxt": _read(0, "fname"),
    "numpy.genfromtxt": _read(0, "fname"),
    "numpy.load": _read(0, "file"),
    "numpy.fromfile": _read(0, "file"),
    "numpy.save": _write(0, "file"),
    "numpy.savetxt": _write(0, "fname"),
    "numpy.savez": _write(0, "file"),
    "zipfile.ZipFile": _read(0, "file"),
    "PIL.Image.open": _read(0, "fp"),
}
# pandas.read_csv, read_excel, read_json, ...: all take the path first, under these names.
PANDAS_READER = PathArgument(0, ("filepath_or_buffer", "io", "path", "path_or_buf"), READ)
# These functions write when their mode argument says so: (position, keyword).
MODE_ARGUMENTS = {"open": (1, "mode"), "io.open": (1, "mode"), "zipfile.ZipFile": (1, "mode")}

# Methods of pathlib paths, which act on the path they are called on.
PATH_METHODS = {
    **dict.fromkeys(["open", "read_text", "read_bytes", "iterdir", "glob", "rglob"], READ),
    **dict.fromkeys(["exists", "is_file", "is_dir", "stat"], PROBE),
    **dict.fromkeys(
        ["write_text", "write_bytes", "mkdir", "touch", "unlink", "rmdir", "rename", "replace"],
        WRITE,
    ),
}
# Methods of other objects that take a path: vkt.File.from_path (and PDFResult.from_path, ...)
# reads it; the others save to it (openpyxl, PIL, matplotlib, pandas).
OBJECT_METHODS: dict[str, tuple[PathArgument, ...]] = {
    "from_path": _read(0, "path"),
    "save": _write(0, "filename", "fp"),
    "savefig": _write(0, "fname"),
    "to_csv": _write(0, "path_or_buf"),
    "to_excel": _write(0, "excel_writer"),
    "to_json": _write(0, "path_or_buf"),
    "to_parquet": _write(0, "path"),
    "to_pickle": _write(0, "path"),
}

PATH_CLASSES = {
    f"pathlib.{name}"
    for name in ("Path", "PurePath", "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath")
}
WORKING_DIRECTORY_CALLS = {"os.getcwd", "os.getcwdb"} | {f"{name}.cwd" for name in PATH_CLASSES}
HOME_CALLS = {f"{name}.home" for name in PATH_CLASSES}
# These put the working directory in front of a relative path.
ABSOLUTE_PATH_FUNCTIONS = {"os.path.abspath", "os.path.realpath"}
ABSOLUTE_PATH_METHODS = {"resolve", "absolute"}
# These return the same place in another form.
SAME_PLACE_FUNCTIONS = {"str", "os.fspath", "os.path.normpath", "os.path.expanduser"}
RENAMING_METHODS = {"with_name", "with_suffix", "with_stem"}


def call_argument(call: ast.Call, position: int, keywords: Sequence[str]) -> ast.expr | None:
    """The argument `call` passes under one of `keywords` or at `position`, or None."""
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    before = call.args[: position + 1]
    if len(before) > position and not any(isinstance(arg, ast.Starred) for arg in before):
        return call.args[position]
    return None


def mode_access(call: ast.Call, position: int, keyword: str) -> str:
    """READ or WRITE, as the mode argument of open() and the like says; UNKNOWN_ACCESS if unsure."""
    mode = call_argument(call, position, (keyword,))
    if mode is None:
        return READ
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return WRITE if set(mode.value) & set("wax+") else READ
    return UNKNOWN_ACCESS
