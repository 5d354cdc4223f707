"""The check of one module: walks its calls and path joins and reports what the rules say."""

from __future__ import annotations

import ast
import re
import tokenize
from pathlib import Path

from .bundled import is_tracked_by_git, is_within, missing_or_misspelled, relative_to_folder
from .calls import (
    FILE_FUNCTIONS,
    MODE_ARGUMENTS,
    OBJECT_METHODS,
    PANDAS_READER,
    PATH_CLASSES,
    PATH_METHODS,
    PROBE,
    READ,
    WORKING_DIRECTORY_CALLS,
    WRITE,
    call_argument,
    mode_access,
)
from .findings import Finding, display_path
from .opt_outs import apply_opt_outs
from .scopes import SCOPE_NODES, Scope, nodes_in_scope
from .values import (
    ABSOLUTE,
    FROM_FILE,
    LITERAL,
    WORKING_DIRECTORY,
    ModuleValues,
    PathValue,
    constant_text,
    fstring_head,
    path_kind,
)

# --- Path text in the rules and their messages ----------------------------------------------------

_SEPARATOR = re.compile(r"[\\/]")


def _goes_up(text: str) -> bool:
    return ".." in _SEPARATOR.split(text)


def _suggest_from_file(text: str | None, source_file: Path) -> str:
    """The Path(__file__) spelling of a relative path, from the code in ``source_file``.

    A path that goes up ('../a/b.txt') is taken from the code's folder: ...parent.parent /
    'a/b.txt'. Any other ('file.txt', 'data/x.csv') is what the working directory held when the
    code was tried, which is the app's folder (where app.py is, and viktor-cli start runs), unless
    the file is beside the code: so from controller.py in entity_type_a/, 'file.txt' at the
    app's root is Path(__file__).parent.parent / 'file.txt'. None (only part of the path is
    known) gives Path(__file__).parent / ...
    """
    if text is None:
        return "Path(__file__).parent / ..."
    parts = [part for part in _SEPARATOR.split(text) if part not in ("", ".")]
    levels_up = 0
    while parts and parts[0] == "..":
        parts.pop(0)
        levels_up += 1
    code_folder = source_file.resolve().parent
    app_folder = _app_folder_of(code_folder)
    if not levels_up and parts and not (code_folder / Path(*parts)).exists() and app_folder:
        levels_up = len(code_folder.relative_to(app_folder).parts)
    anchor = "Path(__file__)" + ".parent" * (levels_up + 1)
    return f"{anchor} / {'/'.join(parts)!r}" if parts else anchor


def _app_folder_of(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` that holds app.py."""
    return next((path for path in (folder, *folder.parents) if (path / "app.py").is_file()), None)


def _shown(node: ast.AST | None) -> str:
    text = ast.unparse(node) if node is not None else "this path"
    return text if len(text) <= 60 else text[:57] + "..."


def _working_directory_message(node: ast.AST | None) -> str:
    shown = _shown(node) if node is not None else "this path"
    return (
        f"{shown} depends on the working directory, which is different on the server; "
        "build the path from Path(__file__).parent"
    )


# --- The check of one module ----------------------------------------------------------------------


class _ModuleChecker(ModuleValues):
    """Checks one parsed module in two passes.

    First it records, for each module, function and class, which names are assigned once and
    to what. Then it visits every call and path join, works out what each path is (a literal,
    built from __file__, built from the working directory, or unknown) and reports what the
    rules say about it. Bundled files (VP303/VP304) are looked up at the end, once the places
    the module writes to are known. The names and the values come from ModuleValues (values.py);
    this class adds the rules.
    """

    def __init__(self, tree: ast.Module, path: Path, check_bundled_files: bool) -> None:
        super().__init__(tree, path)
        self.path = path
        self.check_bundled_files = check_bundled_files
        self.findings: dict[tuple[int, int, str], Finding] = {}
        # Bundled file candidates for VP303/VP304, and where each is read.
        self.read_locations: dict[Path, ast.AST | None] = {}
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

    def _report(self, node: ast.AST | None, code: str, message: str) -> None:
        # Expressions and statements have a position; a node without one is reported at 1:1.
        line, column = getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1
        self.findings.setdefault(
            (line, column, code), Finding(self.path, line, column, code, message)
        )

    # Checks

    def _visit(self, scope_node: ast.AST) -> None:
        scope = self.scopes[scope_node]
        for node in nodes_in_scope(scope_node):
            if isinstance(node, SCOPE_NODES):
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
                head = fstring_head(node)
                if head is not None and constant_text(node.values[1])[:1] in ("/", "\\"):
                    self._check_join(self.value(head, scope), [(node, node.values[1])], scope)

    def _check_join(
        self, base: PathValue, parts: list[tuple[ast.AST, ast.AST]], scope: Scope
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

    def _check_call(self, call: ast.Call, scope: Scope) -> None:
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
        self, call: ast.Call, name: str | None, scope: Scope
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
        self, call: ast.Call, name: str | None, scope: Scope
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
                access = mode_access(call, 0, "mode") if method == "open" else PATH_METHODS[method]
                return [(receiver, access)]
            arguments = OBJECT_METHODS.get(method, ())
        else:
            return []
        uses = []
        for argument in arguments:
            expression = call_argument(call, argument.position, argument.keywords)
            if expression is not None:
                access = mode_access(call, *mode) if mode else argument.access
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
            suggestion = _suggest_from_file(name, self.source_file)
            fix = f"bundle the file with the app and use {suggestion}"
        else:
            text = value.text if value.complete else None
            fix = f"use {_suggest_from_file(text, self.source_file)}"
        if kind == ABSOLUTE:
            message = f"absolute path {shown} exists on one computer only; {fix}"
            self._report(value.node, "VP101", message)
        else:
            message = f"relative path {shown} depends on the working directory; {fix}"
            self._report(value.node, "VP102", message)

    def _check_bundled_files(self) -> None:
        for location, node in self.read_locations.items():
            if is_within(self.source_file, location):
                continue  # the code's own file or one of its folders
            if any(character in location.name for character in "*?["):
                continue  # a glob pattern, not a file
            if any(
                is_within(location, written) or is_within(written, location)
                for written in self.written_locations
            ):
                continue  # made by the app itself, not bundled
            shown = relative_to_folder(location, self.source_file.parent)
            problem = missing_or_misspelled(location, self.source_file.parent)
            if problem is not None:
                if location not in self.optional_locations:
                    message = f"bundled file {shown!r} {problem}; add the file or correct the path"
                    self._report(node, "VP303", message)
            elif is_tracked_by_git(location) is False:
                self._report(
                    node,
                    "VP304",
                    f"bundled file {shown!r} is not tracked by git, so viktor-cli publish "
                    f'leaves it out; run: git add "{display_path(location)}"',
                )


# --- Files the code may miss: reads inside try/except ---------------------------------------------

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


# --- Public functions -----------------------------------------------------------------------------


def check_source(source: str, path: Path, *, check_bundled_files: bool = True) -> list[Finding]:
    """Findings in `source`, the text of the file at `path`, sorted by line.

    `path` is where `__file__` points. With `check_bundled_files`, files built from it are looked
    up on disk and in git (VP303/VP304). Raises SyntaxError when the source does not parse.
    """
    tree = ast.parse(source, filename=str(path))
    findings = _ModuleChecker(tree, path, check_bundled_files).run()
    return apply_opt_outs(findings, source, path)


def check_file(path: Path, *, check_bundled_files: bool = True) -> list[Finding]:
    """Findings in the Python file at `path`. Raises OSError, SyntaxError or UnicodeDecodeError."""
    with tokenize.open(path) as file:  # honours the encoding the file declares
        source = file.read()
    return check_source(source, path, check_bundled_files=check_bundled_files)
