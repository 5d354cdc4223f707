"""What the check knows about values: where a path comes from (a string in the code, the
code's own location, the working directory), whether a string is an absolute or a relative
path, and how joins, parents and names carry that along."""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .calls import (
    ABSOLUTE_PATH_FUNCTIONS,
    ABSOLUTE_PATH_METHODS,
    HOME_CALLS,
    PATH_CLASSES,
    RENAMING_METHODS,
    SAME_PLACE_FUNCTIONS,
    WORKING_DIRECTORY_CALLS,
)
from .scopes import SCOPE_NODES, Scope, imported_names, nodes_in_scope

LITERAL = "literal"  # a string written in the code
FROM_FILE = "from __file__"  # built from the code's own location: the right way
WORKING_DIRECTORY = "working directory"  # built from the working directory
UNKNOWN = "unknown"  # anything else: parameters, user input, tempfile, ...

ABSOLUTE = "absolute"
RELATIVE = "relative"

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")  # two letters at least: "C://" is a drive
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_HOME = re.compile(r"^~([\w.-]*[\\/]|$)")  # "~", "~/x", "~anna/x"; not Excel's "~$x.xlsx"


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


# --- Small functions that combine values ----------------------------------------------------------


def constant_text(node: ast.expr) -> str:
    """The text of a string constant, or "" for any other expression."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def fstring_head(node: ast.JoinedStr) -> ast.expr | None:
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


# --- The values of one module ---------------------------------------------------------------------


class ModuleValues:
    """What each expression of one module is as a path, following the names assigned once.

    `_build_scopes` records the names of each module, function and class first; `value` then
    works out what an expression is: a literal, built from __file__, built from the working
    directory, or unknown.
    """

    def __init__(self, tree: ast.Module, path: Path) -> None:
        self.tree = tree
        self.source_file = path.resolve()
        self.imports = imported_names(tree)
        self.scopes: dict[ast.AST, Scope] = {}
        self.values: dict[ast.AST, PathValue] = {}

    # Names

    def _build_scopes(self, scope_node: ast.AST, parent: Scope | None) -> None:
        scope = self.scopes[scope_node] = Scope(scope_node, parent)
        module = self.scopes[self.tree]
        simple_targets: set[ast.AST] = set()
        for node in nodes_in_scope(scope_node):
            if isinstance(node, SCOPE_NODES):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
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

    def value(self, node: ast.AST, scope: Scope) -> PathValue:
        if node not in self.values:
            self.values[node] = NOT_A_PATH  # stops a name that is defined through itself
            self.values[node] = self._evaluate(node, scope)
        return self.values[node]

    def _evaluate(self, node: ast.AST, scope: Scope) -> PathValue:
        if isinstance(node, ast.Constant):
            is_text = isinstance(node.value, str)
            return PathValue(LITERAL, node, text=constant_text(node)) if is_text else NOT_A_PATH
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

    def _evaluate_fstring(self, node: ast.JoinedStr, scope: Scope) -> PathValue:
        values = node.values
        if values and isinstance(values[0], ast.Constant):  # f"data/{name}.csv"
            text = constant_text(values[0])
            return PathValue(LITERAL, node, text=text, complete=len(values) == 1)
        head = fstring_head(node)
        if head is not None:  # f"{folder}/name.csv" is folder + "/name.csv"
            text = constant_text(values[1])
            rest = PathValue(LITERAL, node, text=text, complete=len(values) == 2)
            return _concatenate(node, self.value(head, scope), rest)
        return NOT_A_PATH

    def _evaluate_attribute(self, node: ast.Attribute, scope: Scope) -> PathValue:
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

    def _evaluate_call(self, call: ast.Call, scope: Scope) -> PathValue:
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
