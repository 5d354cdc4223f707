r"""Find file paths that work on your computer but break once the app is published.

Run it from the repository root::

    python -m tools.check_paths                 # the app's own Python files
    python -m tools.check_paths app/ script.py  # chosen files and folders

Why
---
A VIKTOR app is written on a laptop (often Windows) and published to cloud workers running
Linux, with another user, another folder layout, another working directory. Therefore:

* A file that comes with the app is found from the code's own location,
  ``Path(__file__).parent / "file.txt"`` (one folder up: ``Path(__file__).parent.parent``),
  never through a fixed path such as "/home/anna/app/file.txt", "C:\Users\anna\file.txt",
  "../file.txt" or "file.txt": those depend on the computer or on the working directory.
* The app's folder is reset for every session, so the app never writes into it: results that
  must last go to ``vkt.Storage``, scratch files to ``tempfile``.
* ``viktor-cli publish`` uploads only the files git tracks, so a bundled file must be committed.

The check reads the source with ``ast``; it never imports or runs it. It needs the standard
library only, so it runs in pre-commit before anything is installed.

Codes
-----
VP101  absolute path ("/home/...", "C:\...", "\\server\share", "~/...", Path.home()) given to a
       call that opens, reads, lists or writes files
VP102  relative path ("file.txt", "../file.txt", "data/x.csv") given to such a call: it is
       looked up from the working directory, not from the code
VP201  os.chdir(): changes the working directory of the whole server process
VP202  path built from the working directory: os.getcwd(), Path.cwd(), os.path.abspath("x"),
       Path("x").resolve(), Path("x").absolute()
VP301  ".." or os.pardir in a path built from __file__: go up with .parent instead
VP302  writes into the app's own folder: a path built from __file__ opened for writing, saved
       to, created, copied or moved to, or deleted
VP303  bundled file missing: a path built from __file__ and constants only, read by the code,
       that does not exist (or differs in upper/lower case, which Linux tells apart)
VP304  bundled file not tracked by git, so ``viktor-cli publish`` leaves it out
VP901  "# check_paths: ok" without a reason

Precision comes before recall: a string counts as a path only when it reaches a call that
uses files (open, pathlib methods, os, os.path, shutil, glob, pandas.read_*, numpy, openpyxl,
zipfile, PIL, .from_path, .save, .savefig, .to_csv, ...), directly or through a name assigned
once in the same function or module. URLs, tempfile paths, parameters, sys.argv and other
values of unknown origin are never reported. VP303/VP304 look only at files the code reads,
not at places it writes to; a file it tests with .exists() or reads inside a ``try`` that
handles a missing file may be missing (but must still be tracked when it exists). Git is
skipped when it is not installed or the file is outside a git repository.

Not found, on purpose: paths built with % or .format(), paths kept in attributes (self.x),
class bodies seen from methods, lists or dicts, names assigned more than once or in loops,
and file calls the tables below do not list (logging.FileHandler, sqlite3.connect, ...).

Opting out
----------
End the line with ``# check_paths: ok <reason>``, e.g.
``open("/mnt/shared/rates.csv")  # check_paths: ok volume mounted on our own server``.
The reason is required; without one the comment is itself reported (VP901).

Files checked
-------------
Without PATH: every ``*.py`` below the repository root except ``tests/`` (tests build odd
paths on purpose and never run on the server), ``build/``, ``dist/``, virtual environments
(``venv``, ``.venv``, any folder holding ``pyvenv.cfg``), hidden folders and ``__pycache__``.
``tools/`` and ``benchmarks/`` are included: they run on every developer's computer and
operating system too, and a check that is not clean on itself would not be believed.
With PATH: the given files, and every ``*.py`` below the given folders (still without virtual
environments, hidden folders and caches).

Output is one line per finding, ``path:line:column: CODE message``, sorted by path and line,
with paths relative to the working directory and forward slashes (as git prints them).
Exit status: 0 clean (one "N files checked, no findings" line on stderr), 1 findings,
2 a PATH that does not exist or a file that cannot be read or parsed (one line on stderr
naming it; the other files are still checked).
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import subprocess
import sys
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
# Left out of the default file set, at the top of the repository only.
DEFAULT_SKIPPED_FOLDERS = ("tests", "build", "dist")

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

# --- What the check knows about calls ---------------------------------------------------------

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

# --- What the check knows about values ---------------------------------------------------------

LITERAL = "literal"  # a string written in the code
FROM_FILE = "from __file__"  # built from the code's own location: the right way
WORKING_DIRECTORY = "working directory"  # built from the working directory
UNKNOWN = "unknown"  # anything else: parameters, user input, tempfile, ...

ABSOLUTE = "absolute"
RELATIVE = "relative"

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")  # two letters at least: "C://" is a drive
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_HOME = re.compile(r"^~([\w.-]*[\\/]|$)")  # "~", "~/x", "~anna/x"; not Excel's "~$x.xlsx"
_SEPARATOR = re.compile(r"[\\/]")
_OPT_OUT = re.compile(r"#\s*check_paths:\s*ok\b(?P<reason>[^#]*)")


@dataclass(frozen=True)
class PathValue:
    """What the check knows about an expression that may be used as a path."""

    origin: str  # LITERAL, FROM_FILE, WORKING_DIRECTORY or UNKNOWN
    node: ast.AST | None = None  # where a finding about it points
    text: str = ""  # LITERAL: the path, or only its beginning when not `complete`
    complete: bool = True
    location: Path | None = None  # FROM_FILE: the place on disk, if built from constants only
    is_path_object: bool = False  # a pathlib object (has .open(), .exists(), ...), not a str


NOT_A_PATH = PathValue(UNKNOWN)


def path_kind(text: str) -> str | None:
    """ABSOLUTE, RELATIVE, or None when `text` is no local path (empty, a URL, JSON, ...)."""
    if not text.strip() or _URL.match(text) or "\n" in text or text[0] in "{[<":
        return None
    if _WINDOWS_DRIVE.match(text) or _HOME.match(text):
        return ABSOLUTE
    if text[0] in "/\\":
        return ABSOLUTE if text.strip("/\\") else None  # a lone "/" is no file
    return RELATIVE


def _goes_up(text: str) -> bool:
    return ".." in _SEPARATOR.split(text)


def _suggest_from_file(text: str | None) -> str:
    """The Path(__file__) spelling of a relative path: '../a/b.txt' -> ...parent.parent / 'a/b.txt'.

    None (only part of the path is known) gives Path(__file__).parent / ...
    """
    if text is None:
        return "Path(__file__).parent / ..."
    parts = [part for part in _SEPARATOR.split(text) if part not in ("", ".")]
    levels_up = 0
    while parts and parts[0] == "..":
        parts.pop(0)
        levels_up += 1
    anchor = "Path(__file__)" + ".parent" * (levels_up + 1)
    return f"{anchor} / {'/'.join(parts)!r}" if parts else anchor


def _shown(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


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


# --- Names and scopes --------------------------------------------------------------------------

_SCOPE_NODES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _nodes_in_scope(scope_node: ast.AST) -> Iterator[ast.AST]:
    """Every node of a module, function or class body in source order; nested functions and
    classes are yielded but not entered (they have their own names)."""
    stack = list(reversed(list(ast.iter_child_nodes(scope_node))))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPE_NODES):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


class _Scope:
    """The names of one module, function or class, each with the one expression assigned to it,
    or None when it is bound any other way (parameter, loop, second assignment, import, ...)."""

    def __init__(self, node: ast.AST, parent: _Scope | None) -> None:
        self.node = node
        self.parent = parent
        self.assigned: dict[str, ast.expr | None] = {}

    def bind(self, name: str, value: ast.expr | None) -> None:
        self.assigned[name] = None if name in self.assigned else value

    def lookup(self, name: str) -> tuple[ast.expr, _Scope] | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.assigned:
                value = scope.assigned[name]
                return (value, scope) if value is not None else None
            scope = scope.parent
            # Methods do not see the names of their class body.
            while scope is not None and isinstance(scope.node, ast.ClassDef):
                scope = scope.parent
        return None


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> full name: {'pd': 'pandas', 'Path': 'pathlib.Path', 'join': 'os.path.join'}."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _argument(call: ast.Call, position: int, keywords: Sequence[str]) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    before = call.args[: position + 1]
    if len(before) > position and not any(isinstance(arg, ast.Starred) for arg in before):
        return call.args[position]
    return None


def _mode_access(call: ast.Call, position: int, keyword: str) -> str:
    mode = _argument(call, position, (keyword,))
    if mode is None:
        return READ
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return WRITE if set(mode.value) & set("wax+") else READ
    return UNKNOWN_ACCESS


# --- The check of one module -------------------------------------------------------------------


class _ModuleChecker:
    """Checks one parsed module in two passes.

    First it records, for each module, function and class, which names are assigned once and
    to what. Then it visits every call and path join, works out what each path is (a literal,
    built from __file__, built from the working directory, or unknown) and reports what the
    rules say about it. Bundled files (VP303/VP304) are looked up at the end, once the places
    the module writes to are known.
    """

    def __init__(self, tree: ast.Module, path: Path, check_bundled_files: bool) -> None:
        self.tree = tree
        self.path = path
        self.source_file = path.resolve()
        self.check_bundled_files = check_bundled_files
        self.imports = _imported_names(tree)
        self.scopes: dict[ast.AST, _Scope] = {}
        self.values: dict[ast.AST, PathValue] = {}
        self.findings: dict[tuple[int, int, str], Finding] = {}
        self.read_locations: dict[Path, ast.AST] = {}  # bundled file candidates for VP303/VP304
        self.written_locations: set[Path] = set()
        # Files the code tests with exists() or reads inside try/except: allowed to be missing.
        self.optional_locations: set[Path] = set()
        self.calls_in_try = _calls_in_try_for_missing_files(tree)

    def run(self) -> list[Finding]:
        self._build_scopes(self.tree, None)
        self._visit(self.tree)
        if self.check_bundled_files:
            self._check_bundled_files()
        return list(self.findings.values())

    def _report(self, node: ast.AST, code: str, message: str) -> None:
        line, column = node.lineno, node.col_offset + 1
        self.findings.setdefault(
            (line, column, code), Finding(self.path, line, column, code, message)
        )

    # Names

    def _build_scopes(self, scope_node: ast.AST, parent: _Scope | None) -> None:
        scope = self.scopes[scope_node] = _Scope(scope_node, parent)
        module = self.scopes[self.tree]
        simple_targets: set[ast.AST] = set()
        for node in _nodes_in_scope(scope_node):
            if isinstance(node, _SCOPE_NODES):
                if not isinstance(node, ast.Lambda):
                    scope.bind(node.name, None)
                self._build_scopes(node, scope)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        simple_targets.add(target)
                        scope.bind(target.id, node.value)
            elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                if node not in simple_targets:
                    scope.bind(node.id, None)
            elif isinstance(node, ast.arg):
                scope.bind(node.arg, None)
            elif isinstance(node, ast.alias):
                scope.bind((node.asname or node.name).split(".")[0], None)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                scope.bind(node.name, None)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    scope.bind(name, None)
                    module.bind(name, None)

    def qualified_name(self, node: ast.AST) -> str | None:
        """'pandas.read_csv' for pd.read_csv, 'open' for open; None for x().y."""
        attributes = []
        while isinstance(node, ast.Attribute):
            attributes.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        return ".".join([self.imports.get(node.id, node.id), *reversed(attributes)])

    # Values

    def value(self, node: ast.AST, scope: _Scope) -> PathValue:
        if node not in self.values:
            self.values[node] = NOT_A_PATH  # stops a name that is defined through itself
            self.values[node] = self._evaluate(node, scope)
        return self.values[node]

    def _evaluate(self, node: ast.AST, scope: _Scope) -> PathValue:
        if isinstance(node, ast.Constant):
            is_text = isinstance(node.value, str)
            return PathValue(LITERAL, node, text=node.value) if is_text else NOT_A_PATH
        if isinstance(node, ast.JoinedStr):
            return self._evaluate_fstring(node, scope)
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return PathValue(FROM_FILE, node, location=self.source_file)
            assigned = scope.lookup(node.id)
            return self.value(*assigned) if assigned else NOT_A_PATH
        if isinstance(node, ast.Attribute):
            return self._evaluate_attribute(node, scope)
        if isinstance(node, ast.Subscript):  # Path(__file__).parents[1]
            folders = node.value
            index = node.slice
            if (
                isinstance(folders, ast.Attribute)
                and folders.attr == "parents"
                and isinstance(index, ast.Constant)
                and isinstance(index.value, int)
            ):
                value = self.value(folders.value, scope)
                for _ in range(index.value + 1):
                    value = _parent(value, node, is_path_object=True)
                return value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            parts = [self.value(node.right, scope)]
            return _join(node, self.value(node.left, scope), parts, is_path_object=True)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return _concatenate(node, self.value(node.left, scope), self.value(node.right, scope))
        if isinstance(node, ast.Call):
            return self._evaluate_call(node, scope)
        return NOT_A_PATH

    def _evaluate_fstring(self, node: ast.JoinedStr, scope: _Scope) -> PathValue:
        values = node.values
        if values and isinstance(values[0], ast.Constant):  # f"data/{name}.csv"
            return PathValue(LITERAL, node, text=values[0].value, complete=len(values) == 1)
        head = _fstring_head(node)
        if head is not None:  # f"{folder}/name.csv" is folder + "/name.csv"
            rest = PathValue(LITERAL, node, text=values[1].value, complete=len(values) == 2)
            return _concatenate(node, self.value(head, scope), rest)
        return NOT_A_PATH

    def _evaluate_attribute(self, node: ast.Attribute, scope: _Scope) -> PathValue:
        name = self.qualified_name(node)
        if name == "os.pardir":
            return PathValue(LITERAL, node, text="..")
        if name == "os.curdir":
            return PathValue(LITERAL, node, text=".")
        if name == "os.sep":
            return PathValue(LITERAL, node, text="/")
        if node.attr == "parent":
            return _parent(self.value(node.value, scope), node, is_path_object=True)
        return NOT_A_PATH

    def _evaluate_call(self, call: ast.Call, scope: _Scope) -> PathValue:
        name = self.qualified_name(call.func)
        arguments = [self.value(arg, scope) for arg in call.args]
        first = arguments[0] if arguments and not isinstance(call.args[0], ast.Starred) else None
        if name in PATH_CLASSES:
            if first is None:  # Path() is the working directory
                return PathValue(LITERAL, call, text=".", is_path_object=True)
            return _join(call, first, arguments[1:], is_path_object=True)
        if name in WORKING_DIRECTORY_CALLS:
            return PathValue(
                WORKING_DIRECTORY, call, is_path_object=name not in ("os.getcwd", "os.getcwdb")
            )
        if name in HOME_CALLS:
            return PathValue(LITERAL, call, text="~", complete=False, is_path_object=True)
        if first is not None:
            if name == "os.path.join":
                return _join(call, first, arguments[1:], is_path_object=False)
            if name == "os.path.dirname":
                return _parent(first, call, is_path_object=False)
            if name in ABSOLUTE_PATH_FUNCTIONS:
                return _made_absolute(call, first, is_path_object=False)
            if name in SAME_PLACE_FUNCTIONS:
                return replace(first, is_path_object=False)
        if isinstance(call.func, ast.Attribute):
            receiver = self.value(call.func.value, scope)
            method = call.func.attr
            if method in ABSOLUTE_PATH_METHODS:
                return _made_absolute(call, receiver, is_path_object=True)
            if method == "joinpath":
                return _join(call, receiver, arguments, is_path_object=True)
            if method == "expanduser":
                return receiver
            if method == "as_posix":  # the same place, as a str
                return replace(receiver, is_path_object=False)
            if method in RENAMING_METHODS:  # the same folder, but another file
                return replace(receiver, location=None)
        return NOT_A_PATH

    # Checks

    def _visit(self, scope_node: ast.AST) -> None:
        scope = self.scopes[scope_node]
        for node in _nodes_in_scope(scope_node):
            if isinstance(node, _SCOPE_NODES):
                self._visit(node)
            elif isinstance(node, ast.Call):
                self._check_call(node, scope)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                self._check_join(self.value(node.left, scope), [(node.right, node.right)], scope)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                right = self.value(node.right, scope)
                if right.origin == LITERAL and right.text[:1] in ("/", "\\"):
                    self._check_join(
                        self.value(node.left, scope), [(node.right, node.right)], scope
                    )
            elif isinstance(node, ast.JoinedStr):
                head = _fstring_head(node)
                if head is not None and node.values[1].value[:1] in ("/", "\\"):
                    self._check_join(self.value(head, scope), [(node, node.values[1])], scope)

    def _check_join(
        self, base: PathValue, parts: list[tuple[ast.AST, ast.AST]], scope: _Scope
    ) -> None:
        """`base` joined with `parts`, each as (where to report, expression)."""
        if base.origin == WORKING_DIRECTORY:
            self._report(base.node, "VP202", _working_directory_message(base.node))
        elif base.origin == FROM_FILE:
            for where, expression in parts:
                part = self.value(expression, scope)
                if part.origin == LITERAL and _goes_up(part.text):
                    self._report(
                        where,
                        "VP301",
                        "'..' in a path built from __file__; go up with .parent instead, "
                        "e.g. Path(__file__).parent.parent / 'file.txt'",
                    )
                    break  # once per path is enough

    def _check_call(self, call: ast.Call, scope: _Scope) -> None:
        name = self.qualified_name(call.func)
        if name == "os.chdir":
            self._report(
                call,
                "VP201",
                "os.chdir() changes the working directory of the whole server process; "
                "build paths from Path(__file__).parent instead",
            )
        # os.path.abspath("x") and Path("x").resolve() are reported where they are written.
        result = self.value(call, scope)
        if result.origin == WORKING_DIRECTORY and result.node is call:
            if name not in WORKING_DIRECTORY_CALLS:
                self._report(call, "VP202", _working_directory_message(call))
        joined = self._joined_arguments(call, name, scope)
        if joined is not None:
            self._check_join(*joined, scope)
        for value, access in self._path_uses(call, name, scope):
            self._check_use(call, value, access)

    def _joined_arguments(
        self, call: ast.Call, name: str | None, scope: _Scope
    ) -> tuple[PathValue, list[tuple[ast.AST, ast.AST]]] | None:
        """The base and the added parts of os.path.join(a, b), Path(a, b) and a.joinpath(b)."""
        if any(isinstance(arg, ast.Starred) for arg in call.args):
            return None
        if (name in PATH_CLASSES or name == "os.path.join") and call.args:
            base, parts = self.value(call.args[0], scope), call.args[1:]
        elif isinstance(call.func, ast.Attribute) and call.func.attr == "joinpath":
            base, parts = self.value(call.func.value, scope), call.args
        else:
            return None
        return base, [(part, part) for part in parts]

    def _path_uses(
        self, call: ast.Call, name: str | None, scope: _Scope
    ) -> list[tuple[PathValue, str]]:
        """The paths `call` uses, each with what it does with them (READ, WRITE, ...)."""
        if any(keyword.arg == "dir_fd" for keyword in call.keywords):
            return []  # relative to an open folder, not to the working directory
        mode = MODE_ARGUMENTS.get(name or "")
        if name in FILE_FUNCTIONS:
            arguments = FILE_FUNCTIONS[name]
        elif name and name.startswith("pandas.read_"):
            arguments = (PANDAS_READER,)
        elif isinstance(call.func, ast.Attribute):
            receiver = self.value(call.func.value, scope)
            method = call.func.attr
            if receiver.is_path_object and method in PATH_METHODS:
                access = _mode_access(call, 0, "mode") if method == "open" else PATH_METHODS[method]
                return [(receiver, access)]
            arguments = OBJECT_METHODS.get(method, ())
        else:
            return []
        uses = []
        for argument in arguments:
            expression = _argument(call, argument.position, argument.keywords)
            if expression is not None:
                access = _mode_access(call, *mode) if mode else argument.access
                uses.append((self.value(expression, scope), access))
        return uses

    def _check_use(self, call: ast.Call, value: PathValue, access: str) -> None:
        if value.origin == LITERAL:
            kind = path_kind(value.text)
            if kind is not None:
                self._report_literal(value, kind, access)
        elif value.origin == WORKING_DIRECTORY:
            self._report(value.node, "VP202", _working_directory_message(value.node))
        elif value.origin == FROM_FILE and access == WRITE:
            self._report(
                call,
                "VP302",
                "writes into the app's folder, which is reset for every session; keep results "
                "that must last in vkt.Storage and write scratch files with tempfile",
            )
            if value.location is not None:
                self.written_locations.add(value.location)
        elif value.origin == FROM_FILE and value.location is not None:
            if access == READ:
                self.read_locations.setdefault(value.location, value.node)
            if access == PROBE or (access == READ and call in self.calls_in_try):
                self.optional_locations.add(value.location)

    def _report_literal(self, value: PathValue, kind: str, access: str) -> None:
        shown = _shown(value.node)
        if access == WRITE:
            fix = "write scratch files with tempfile and keep results in vkt.Storage"
        elif kind == ABSOLUTE:
            names = [name for name in _SEPARATOR.split(value.text) if name]
            name = names[-1] if value.complete and names else None
            fix = f"bundle the file with the app and use {_suggest_from_file(name)}"
        else:
            fix = f"use {_suggest_from_file(value.text if value.complete else None)}"
        if kind == ABSOLUTE:
            message = f"absolute path {shown} exists on one computer only; {fix}"
            self._report(value.node, "VP101", message)
        else:
            message = f"relative path {shown} depends on the working directory; {fix}"
            self._report(value.node, "VP102", message)

    def _check_bundled_files(self) -> None:
        for location, node in self.read_locations.items():
            if _is_within(self.source_file, location):
                continue  # the code's own file or one of its folders
            if any(character in location.name for character in "*?["):
                continue  # a glob pattern, not a file
            if any(
                _is_within(location, written) or _is_within(written, location)
                for written in self.written_locations
            ):
                continue  # made by the app itself, not bundled
            shown = _relative_to_folder(location, self.source_file.parent)
            problem = _missing_or_misspelled(location, self.source_file.parent)
            if problem is not None:
                if location not in self.optional_locations:
                    message = f"bundled file {shown!r} {problem}; add the file or correct the path"
                    self._report(node, "VP303", message)
            elif _is_tracked_by_git(location) is False:
                self._report(
                    node,
                    "VP304",
                    f"bundled file {shown!r} is not tracked by git, so viktor-cli publish "
                    f'leaves it out; run: git add "{display_path(location)}"',
                )


# --- Values, continued: small functions that combine them --------------------------------------


def _fstring_head(node: ast.JoinedStr) -> ast.expr | None:
    """`folder` in f"{folder}/name.csv": a plain placeholder followed by text."""
    values = node.values
    if (
        len(values) >= 2
        and isinstance(values[0], ast.FormattedValue)
        and values[0].conversion == -1
        and values[0].format_spec is None
        and isinstance(values[1], ast.Constant)
    ):
        return values[0].value
    return None


def _join(
    node: ast.AST, base: PathValue, parts: list[PathValue], is_path_object: bool
) -> PathValue:
    """`base` / part / part ... (also os.path.join and Path(base, part))."""
    constant = all(part.origin == LITERAL and part.complete for part in parts)
    if base.origin == LITERAL:
        complete = base.complete and constant
        text = "/".join([base.text, *(part.text for part in parts)]) if complete else base.text
        return replace(base, text=text, complete=complete, is_path_object=is_path_object)
    if base.origin == WORKING_DIRECTORY:
        return replace(base, is_path_object=is_path_object)
    if base.origin == FROM_FILE:
        location = base.location
        if location is not None and constant:
            location = Path(os.path.normpath(location.joinpath(*(part.text for part in parts))))
        else:
            location = None
        return PathValue(FROM_FILE, node, location=location, is_path_object=is_path_object)
    return NOT_A_PATH


def _concatenate(node: ast.AST, left: PathValue, right: PathValue) -> PathValue:
    """`left + right` for strings: only folder + "/name" keeps a known place."""
    if left.origin == LITERAL:
        complete = left.complete and right.origin == LITERAL and right.complete
        text = left.text + right.text if left.complete and right.origin == LITERAL else left.text
        return replace(left, text=text, complete=complete, is_path_object=False)
    if left.origin == WORKING_DIRECTORY:
        return left
    if left.origin == FROM_FILE and right.origin == LITERAL and right.text[:1] in ("/", "\\"):
        return _join(node, left, [replace(right, text=right.text.lstrip("/\\"))], False)
    return NOT_A_PATH


def _parent(value: PathValue, node: ast.AST, is_path_object: bool) -> PathValue:
    if value.origin == FROM_FILE:
        location = value.location.parent if value.location is not None else None
        return PathValue(FROM_FILE, node, location=location, is_path_object=is_path_object)
    if value.origin in (LITERAL, WORKING_DIRECTORY):
        return replace(value, is_path_object=is_path_object)  # still relative / absolute
    return NOT_A_PATH


def _made_absolute(node: ast.AST, value: PathValue, is_path_object: bool) -> PathValue:
    """os.path.abspath(value), value.resolve(): a relative path gets the working directory."""
    if value.origin == LITERAL and path_kind(value.text) == RELATIVE:
        return PathValue(WORKING_DIRECTORY, node, is_path_object=is_path_object)
    return replace(value, is_path_object=is_path_object)


# Exceptions that a missing file raises (or that contain it).
_MISSING_FILE_ERRORS = {"FileNotFoundError", "OSError", "IOError", "Exception", "BaseException"}


def _calls_in_try_for_missing_files(tree: ast.Module) -> set[ast.AST]:
    """Calls inside `try:` blocks that handle a missing file: what they read is optional."""
    calls: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            _handles_missing_file(handler.type) for handler in node.handlers
        ):
            for statement in node.body:
                calls.update(child for child in ast.walk(statement) if isinstance(child, ast.Call))
    return calls


def _handles_missing_file(caught: ast.expr | None) -> bool:
    if caught is None:  # a bare `except:`
        return True
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(
        (isinstance(name, ast.Name) and name.id in _MISSING_FILE_ERRORS)
        or (isinstance(name, ast.Attribute) and name.attr in _MISSING_FILE_ERRORS)
        for name in names
    )


def _working_directory_message(node: ast.AST | None) -> str:
    shown = _shown(node) if node is not None else "this path"
    return (
        f"{shown} depends on the working directory, which is different on the server; "
        "build the path from Path(__file__).parent"
    )


# --- Bundled files on disk and in git ----------------------------------------------------------


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _relative_to_folder(location: Path, folder: Path) -> str:
    try:
        return Path(os.path.relpath(location, folder)).as_posix()
    except ValueError:  # another drive on Windows
        return location.as_posix()


def _missing_or_misspelled(location: Path, code_folder: Path) -> str | None:
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


def _is_tracked_by_git(location: Path) -> bool | None:
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


# --- Opting out --------------------------------------------------------------------------------


def _apply_opt_outs(findings: list[Finding], source: str, path: Path) -> list[Finding]:
    """Drop findings on lines with '# check_paths: ok <reason>'; report opt-outs without reason."""
    excused_lines: set[int] = set()
    kept: list[Finding] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = []
    for token in tokens:
        match = _OPT_OUT.search(token.string) if token.type == tokenize.COMMENT else None
        if match is None:
            continue
        if re.search(r"\w", match["reason"]):
            excused_lines.add(token.start[0])
        else:
            line, column = token.start[0], token.start[1] + 1
            message = "opt-out without a reason; write '# check_paths: ok <why this path is safe>'"
            kept.append(Finding(path, line, column, "VP901", message))
    kept += [finding for finding in findings if finding.line not in excused_lines]
    return sorted(kept, key=lambda finding: (finding.line, finding.column, finding.code))


# --- Public functions --------------------------------------------------------------------------


def check_source(source: str, path: Path, *, check_bundled_files: bool = True) -> list[Finding]:
    """Findings in `source`, the text of the file at `path`, sorted by line.

    `path` is where `__file__` points. With `check_bundled_files`, files built from it are looked
    up on disk and in git (VP303/VP304). Raises SyntaxError when the source does not parse.
    """
    tree = ast.parse(source, filename=str(path))
    findings = _ModuleChecker(tree, path, check_bundled_files).run()
    return _apply_opt_outs(findings, source, path)


def check_file(path: Path, *, check_bundled_files: bool = True) -> list[Finding]:
    """Findings in the Python file at `path`. Raises OSError, SyntaxError or UnicodeDecodeError."""
    with tokenize.open(path) as file:  # honours the encoding the file declares
        source = file.read()
    return check_source(source, path, check_bundled_files=check_bundled_files)


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


def _files_to_check(paths: Sequence[str]) -> tuple[list[Path], int]:
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
    files, status = _files_to_check(arguments.paths)
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


if __name__ == "__main__":
    sys.exit(main())
