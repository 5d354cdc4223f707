"""The update drill: apps made from this commit of the template take a later version of it.

``.ci/run`` runs it (``python .copier/update_drill.py``, with copier installed), offline, in a
temporary folder:

1. The template: a clone of the last commit (v1), and v2, a commit on top of it that changes the
   skeleton as a later fix would (``LATER_VERSION``), and a file of the demo.
2. Three apps made from v1, each in the way a user would: with ``copier copy`` (the entity type
   renamed, the demo left out), as a clone, and from v1's files in a first commit of their own, as
   GitHub's "Use this template" makes them. The last two follow the README: its recipe "Rename
   the entity type", ``python -m tools.remove_demo``, and ``.copier/adopt.py``.
3. In each, the user's own change, committed: the README's recipes "Add a field" and "Add a view".
4. ``copier update --trust --defaults``, as the README says.

Then in each app: v2's changes arrived, also in the renamed entity type; the demo's change did not;
the user's field and view are still there; nothing conflicts, and no other file changed; the
app's tests pass. It prints how long each step took, and ends with status 1 and what went wrong
when something did.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "tests"))
from readme_recipes import Recipe, recipes  # noqa: E402  (the README's recipes, as tests read them)

TEMPLATE_ENTITY_TYPE = "entity_type_a"
NOTE = "# Changed by a later version of the template."
# v2: the lines a later template adds, each before the first line that starts with the anchor
# (or at the end, for None): in files the user never touches, in the entity type (one right below
# the user's new view), and next to a block of the demo that the apps no longer have.
LATER_VERSION = {
    "app_files/__init__.py": None,
    "tests/viktor_standin/__init__.py": None,
    ".github/workflows/tests.yml": None,
    "requirements-dev.txt": "# demo: begin",
    f"{TEMPLATE_ENTITY_TYPE}/parametrization.py": "import viktor as vkt",
    f"{TEMPLATE_ENTITY_TYPE}/controller.py": "def _upload(",  # right below the user's new view
}
NEW_TEST = "tests/test_later_version.py"
DEMO_FILE = "tablestats/rows.py"
CONFLICT_MARKERS = ("<<<<<<< before updating", ">>>>>>> after updating")


class DrillError(RuntimeError):
    """A step that failed, or a check that did not hold."""


def run(folder: Path, *command: str) -> str:
    completed = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()
        raise DrillError(f"`{shlex.join(command)}` failed in {folder}:\n{output}")
    return completed.stdout


def git(folder: Path, *arguments: str) -> str:
    return run(
        folder, "git", "-c", "user.name=drill", "-c", "user.email=drill@localhost", *arguments
    )


def commit_all(folder: Path, message: str) -> str:
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)
    return git(folder, "rev-parse", "HEAD").strip()


def insert_note(path: Path, anchor: str | None) -> None:
    """NOTE in ``path``, before the first line that starts with ``anchor``, or at the end."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if anchor is None:  # a Python module's last lines as ruff formats them
        lines += ["\n", "\n", f"{NOTE}\n"] if path.suffix == ".py" else [f"{NOTE}\n"]
    else:
        starts = [n for n, line in enumerate(lines) if line.startswith(anchor)]
        if not starts:
            raise DrillError(f"{path}: no line starts with {anchor!r} (update LATER_VERSION)")
        lines.insert(starts[0], f"{NOTE}\n")
    path.write_text("".join(lines), encoding="utf-8")


def make_template(folder: Path) -> tuple[str, str]:
    """The template in ``folder``: this repository's last commit (v1), and v2 on top of it."""
    run(folder.parent, "git", "clone", "-q", "--no-tags", str(REPOSITORY), folder.name)
    git(folder, "remote", "remove", "origin")  # adopt.py records the clone itself as the template
    v1 = git(folder, "rev-parse", "HEAD").strip()
    for name, anchor in LATER_VERSION.items():
        insert_note(folder / name, anchor)
    insert_note(folder / DEMO_FILE, None)
    (folder / NEW_TEST).write_text(
        '"""A test a later version of the template adds."""\n\nimport unittest\n\n\n'
        "class LaterVersionTest(unittest.TestCase):\n"
        "    def test_arrives(self):\n        self.assertTrue(True)\n",
        encoding="utf-8",
    )
    return v1, commit_all(folder, "A later version of the template")


def readme_recipe(title: str, entity_type: str) -> Recipe:
    """The README's recipe ``title``, for the entity type in the folder ``entity_type``."""
    (recipe,) = [
        r for r in recipes((REPOSITORY / "README.md").read_text("utf-8")) if r.title == title
    ]
    steps = [
        dataclasses.replace(step, file=step.file.replace(TEMPLATE_ENTITY_TYPE, entity_type, 1))
        for step in recipe.steps
    ]
    return Recipe(title, steps)


def renamed_entity_type() -> str:
    """The folder the README's rename recipe gives the entity type: ``git mv <old> <new>``."""
    return shlex.split(readme_recipe("Rename the entity type", "").steps[0].lines[0])[3]


def by_copier(template: Path, app: Path, v1: str) -> None:
    run(
        app.parent,
        *[sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--vcs-ref", v1],
        *["-d", f"entity_type={renamed_entity_type()}", "-d", "keep_demo=false"],
        *[str(template), app.name],
    )
    git(app, "init", "-q")
    commit_all(app, "My app, made with copier")


def by_hand(app: Path) -> None:
    """What a user does in a clone, or in a repository made with "Use this template"."""
    readme_recipe("Rename the entity type", TEMPLATE_ENTITY_TYPE).perform(app)
    run(app, sys.executable, "-m", "tools.remove_demo")
    commit_all(app, "My app: the entity type renamed, the demo removed")


def clone_of_v1(template: Path, app: Path, v1: str) -> None:
    git(app.parent, "clone", "-q", "--no-tags", str(template), app.name)
    git(app, "reset", "-q", "--hard", v1)


def as_a_clone(template: Path, app: Path, v1: str) -> None:
    clone_of_v1(template, app, v1)
    by_hand(app)


def as_use_this_template(template: Path, app: Path, v1: str) -> None:
    """A first commit of v1's files, without the template's history, as GitHub's "Use this
    template" makes it."""
    clone_of_v1(template, app, v1)
    shutil.rmtree(app / ".git")
    git(app, "init", "-q")
    commit_all(app, "Initial commit")
    by_hand(app)


def adopt(template: Path, app: Path, v1: str) -> None:
    run(app, sys.executable, str(template / ".copier" / "adopt.py"))
    recorded = (app / ".copier-answers.yml").read_text(encoding="utf-8")
    if f'_commit: "{v1}"' not in recorded:
        raise DrillError(f"adopt.py recorded another commit than v1 ({v1}):\n{recorded}")
    commit_all(app, "Take the template's updates with copier")


USERS_RECIPES = ("Add a field", "Add a view")


def users_changes(app: Path, entity_type: str) -> None:
    for title in USERS_RECIPES:
        readme_recipe(title, entity_type).perform(app)
    commit_all(app, "My field and view")


def users_lines_kept(app: Path, entity_type: str) -> bool:
    """Whether every line the user's recipes wrote is still in its file."""
    return all(
        line in (app / step.file).read_text(encoding="utf-8")
        for title in USERS_RECIPES
        for step in readme_recipe(title, entity_type).steps
        for line in step.lines
        if step.file and line.strip()
    )


def check_update(app: Path, entity_type: str, v2: str) -> None:
    """v2's changes arrived, and the user's stayed; nothing else changed; the tests pass."""
    expected = {name.replace(TEMPLATE_ENTITY_TYPE, entity_type, 1) for name in LATER_VERSION} | {
        NEW_TEST,
        ".copier-answers.yml",
    }
    changed = set(git(app, "diff", "--name-only", "HEAD").splitlines())
    changed |= set(git(app, "ls-files", "--others", "--exclude-standard").splitlines())
    problems = []
    if changed != expected:
        problems.append(
            f"changed {sorted(changed - expected)}, unchanged {sorted(expected - changed)}"
        )
    for name in sorted(changed & expected - {NEW_TEST, ".copier-answers.yml"}):
        text = (app / name).read_text(encoding="utf-8")
        if NOTE not in text:
            problems.append(f"{name}: v2's line did not arrive")
        if any(marker in text for marker in CONFLICT_MARKERS):
            problems.append(f"{name}: conflicts")
    if (app / "tablestats").exists() or list(app.rglob("*.rej")):
        problems.append("the demo came back, or a change was rejected (*.rej)")
    if not users_lines_kept(app, entity_type):
        problems.append("a line of the user's field or view is gone")
    recorded = re.search(
        r"^_commit: (\w+)$", (app / ".copier-answers.yml").read_text("utf-8"), re.M
    )
    if recorded is None or not v2.startswith(recorded[1]):
        problems.append(".copier-answers.yml does not record v2")
    if problems:
        raise DrillError(f"{app.name}: " + "; ".join(problems))
    run(app, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")


def drill(root: Path) -> None:
    template = root / "template"
    started = time.perf_counter()

    def step(message: str) -> None:
        print(f"  {time.perf_counter() - started:5.1f} s  {message}", flush=True)

    v1, v2 = make_template(template)
    step(f"template: v1 {v1[:7]}, v2 {v2[:7]}")
    renamed = renamed_entity_type()
    for name, make in (
        ("copier-copy", by_copier),
        ("clone", as_a_clone),
        ("use-this-template", as_use_this_template),
    ):
        app = root / name
        make(template, app, v1)
        if make is not by_copier:
            adopt(template, app, v1)
        users_changes(app, renamed)
        step(f"{name}: made from v1, renamed, without the demo, with a field and a view")
        run(app, sys.executable, "-m", "copier", "update", "--trust", "--defaults")
        step(f"{name}: copier update --trust --defaults")
        check_update(app, renamed, v2)
        step(f"{name}: v2 arrived, the user's changes stayed, nothing conflicts, the tests pass")


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        try:
            drill(Path(folder))
        except DrillError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
