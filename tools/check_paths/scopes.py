"""Names and scopes: which names a module, function or class assigns once, and to what."""

from __future__ import annotations

import ast
from collections.abc import Iterator

SCOPE_NODES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def nodes_in_scope(scope_node: ast.AST) -> Iterator[ast.AST]:
    """Every node of a module, function or class body in source order; nested functions and
    classes are yielded but not entered (they have their own names)."""
    stack = list(reversed(list(ast.iter_child_nodes(scope_node))))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPE_NODES):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


class Scope:
    """The names of one module, function or class, each with the one expression assigned to it,
    or None when it is bound any other way (parameter, loop, second assignment, import, ...)."""

    def __init__(self, node: ast.AST, parent: Scope | None) -> None:
        self.node = node
        self.parent = parent
        self.assigned: dict[str, ast.expr | None] = {}

    def bind(self, name: str, value: ast.expr | None) -> None:
        self.assigned[name] = None if name in self.assigned else value

    def lookup(self, name: str) -> tuple[ast.expr, Scope] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.assigned:
                value = scope.assigned[name]
                return (value, scope) if value is not None else None
            scope = scope.parent
            # Methods do not see the names of their class body.
            while scope is not None and isinstance(scope.node, ast.ClassDef):
                scope = scope.parent
        return None


def imported_names(tree: ast.Module) -> dict[str, str]:
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
