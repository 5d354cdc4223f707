"""The recipes of the README's "Change it" section, read and performed as the README writes them.

A recipe is a ``###`` heading and the code blocks under it, in order. Each block is a step:

- a ``sh`` block: commands, one per line, run in the app's folder;
- a ``python`` or ``toml`` block (or a ``csv`` block, for a new sample file) whose first line
  says which file and what to do with it:
  ``# <file>: replace`` (the lines up to ``# with`` become the lines after it),
  ``# <file>: add to class <Name>`` (the lines go at the end of that class), or
  ``# <file>: new file`` (the lines are the whole file).

So the README is the only place a recipe is written, and ``test_recipes.py`` performs exactly that.
"""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SECTION = "## Change it"
DIRECTIVE = re.compile(r"^# (?P<file>\S+): (?P<action>replace|add to class (?P<cls>\w+)|new file)$")
BLOCK = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.DOTALL | re.MULTILINE)
ALLOWED_COMMANDS = ("git", "python")  # what runs the same in every shell, on every system


class RecipeError(ValueError):
    """A recipe the README writes in a form this module cannot perform."""


@dataclass
class Step:
    kind: str  # "sh", "replace", "add", "new"
    file: str  # the file an edit changes; "" for commands
    lines: list[str]
    class_name: str = ""

    def perform(self, folder: Path) -> None:
        if self.kind == "sh":
            for command in self.lines:
                _run(command, folder)
            return
        path = folder / self.file
        if self.kind == "new":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")
        elif self.kind == "replace":
            _replace(path, self.lines)
        else:
            _add_to_class(path, self.class_name, self.lines)


@dataclass
class Recipe:
    title: str
    steps: list[Step]

    def perform(self, folder: Path) -> None:
        for step in self.steps:
            step.perform(folder)


def section_bounds(readme: str) -> tuple[int, int] | None:
    """Where the "Change it" section starts and ends in the README; None if it has none."""
    start = readme.find(f"\n{SECTION}\n")
    if start < 0:
        return None
    end = readme.find("\n## ", start + len(SECTION) + 2)
    return start, end if end > 0 else len(readme)


def recipes(readme: str) -> list[Recipe]:
    """The recipes of the README's "Change it" section, in order."""
    bounds = section_bounds(readme)
    if bounds is None:
        raise RecipeError(f"the README has no section {SECTION!r}")
    section = readme[bounds[0] : bounds[1]]
    found = []
    for part in re.split(r"^### ", section, flags=re.MULTILINE)[1:]:
        title = part.splitlines()[0].strip()
        steps = [_step(m["info"].strip(), m["body"], title) for m in BLOCK.finditer(part)]
        steps = [step for step in steps if step is not None]
        if steps:
            found.append(Recipe(title, steps))
    return found


def _step(info: str, body: str, title: str) -> Step | None:
    lines = body.rstrip("\n").split("\n")
    if info == "sh":
        commands = [line for line in lines if line.strip() and not line.startswith("#")]
        for command in commands:
            if shlex.split(command)[0] not in ALLOWED_COMMANDS:
                raise RecipeError(
                    f"README, recipe {title!r}: {command!r} does not run the same in every shell; "
                    f"use one of {', '.join(ALLOWED_COMMANDS)}"
                )
        return Step("sh", "", commands)
    if info not in ("python", "toml", "csv"):
        return None  # a text block: for reading only
    directive = DIRECTIVE.match(lines[0])
    if directive is None:
        raise RecipeError(
            f"README, recipe {title!r}: a {info} block must start with '# <file>: replace', "
            f"'# <file>: add to class <Name>' or '# <file>: new file', not {lines[0]!r}"
        )
    action = directive["action"]
    if info == "csv" and action != "new file":
        raise RecipeError(f"README, recipe {title!r}: a csv block can only be a new file")
    kind = "add" if action.startswith("add") else {"replace": "replace", "new file": "new"}[action]
    return Step(kind, directive["file"], lines[1:], directive["cls"] or "")


def _run(command: str, folder: Path) -> None:
    arguments = shlex.split(command)
    if arguments[0] == "python":
        arguments[0] = sys.executable
    completed = subprocess.run(arguments, cwd=folder, capture_output=True, text=True, timeout=120)
    if completed.returncode != 0:
        raise RecipeError(f"{command!r} failed: {completed.stderr.strip() or completed.stdout}")


def _replace(path: Path, lines: list[str]) -> None:
    try:
        split = lines.index("# with")
    except ValueError:
        raise RecipeError(f"a replacement in {path.name} has no '# with' line") from None
    # ruff formats the README's Python blocks, and may set a blank line before "# with".
    old, new = "\n".join(lines[:split]).strip("\n"), "\n".join(lines[split + 1 :]).strip("\n")
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise RecipeError(
            f"{path.name} holds {text.count(old)} copies of the lines to replace, not one:\n{old}"
        )
    path.write_text(text.replace(old, new), encoding="utf-8")


def _add_to_class(path: Path, class_name: str, lines: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    classes = [
        node
        for node in ast.parse(text).body
        if isinstance(node, ast.ClassDef) and node.name == class_name
    ]
    if len(classes) != 1:
        raise RecipeError(f"{path.name} has no single class {class_name}")
    end = classes[0].end_lineno or 0
    source = text.splitlines()
    source[end:end] = ["", *lines]
    path.write_text("\n".join(source) + "\n", encoding="utf-8")
