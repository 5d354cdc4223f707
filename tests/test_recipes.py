"""Every recipe in the README's "Change it" works: performed on a copy of the repository, as
written there, after which the app's own checks pass in the copy.

A recipe that stops working (the code it edits moved, what it adds no longer loads, or is not
lint-clean) fails here, with the recipe's name and what failed. The recipes are read from the
README (``readme_recipes``), so what a user reads is what is tested. Each copy runs its checks in
a process of its own, two at a time; in a copy, this module skips itself. A lint problem of the
repository itself is reported once, by ``test_lint.py``: the copies are linted only when the
repository is clean, so that what fails there is the recipe's.
"""

import itertools
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from readme_recipes import Recipe, RecipeError, recipes
from test_lint import run_tool

from tools.repository import app_files_in

REPOSITORY = Path(__file__).resolve().parent.parent
IN_A_COPY = "TEMPLATE_RECIPE_COPY"  # set in the copies, where this module must not run again
# The checks run in every copy: lint (when the repository itself is clean), the path check, and
# the tests that check whatever app app.py declares. After a rename also the tests that find the
# app through app.py, or run its commands; the others do not depend on the entity type's folder
# (test_app.py checks that only app.py names it).
APP_CHECKS = ["tests/test_app.py", "tests/test_bundled_files.py"]
AFTER_A_RENAME = [
    "tests/test_readme.py",
    "tests/demo/test_controller.py",  # demo
    "tests/demo/test_cli.py",  # demo
]
RENAME = "Rename the entity type"


def copy_of_repository(target: Path) -> Path:
    """The files git tracks or would track (not what .gitignore ignores), in a new git checkout
    at ``target``, so that a recipe's git commands work there."""
    for source in app_files_in(REPOSITORY):
        if source.is_file():  # not a file deleted but not yet committed
            copy = target / source.relative_to(REPOSITORY)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=target, check=True, capture_output=True)
    return target


LINT = {
    "ruff check": ["ruff", "check", "--no-cache", "."],
    "ruff format": ["ruff", "format", "--check", "--no-cache", "."],
}


def repository_lint_clean() -> bool:
    return all(run_tool(*command)[0] == 0 for command in LINT.values())


def checks_in(folder: Path, renamed: bool, lint: bool) -> list[tuple[str, list[str]]]:
    tests = APP_CHECKS + [test for test in AFTER_A_RENAME if renamed and (folder / test).exists()]
    python = sys.executable
    return [
        *[(name, [python, "-m", *command]) for name, command in LINT.items() if lint],
        ("path check", [python, "-m", "tools.check_paths"]),
        ("tests", [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *tests]),
    ]


def perform_and_check(recipe: Recipe, folder: Path, lint: bool) -> str | None:
    """None when the recipe works in ``folder``, else what failed."""
    try:
        recipe.perform(copy_of_repository(folder))
    except RecipeError as error:
        return f"a step cannot be performed: {error}"
    environment = {**os.environ, IN_A_COPY: "1", "PYTHONDONTWRITEBYTECODE": "1"}
    environment["VIKTOR_CHECKS_QUICK"] = "1"  # the app's checks in brief: that it loads and runs
    for name, command in checks_in(folder, recipe.title == RENAME, lint):
        completed = subprocess.run(
            command, cwd=folder, env=environment, capture_output=True, text=True, timeout=600
        )
        if completed.returncode != 0:
            output = (completed.stdout + completed.stderr).strip().splitlines()
            return f"{name} fails after it:\n" + "\n".join(output[-25:])
    return None


def readme_recipes() -> list[Recipe]:
    return recipes((REPOSITORY / "README.md").read_text(encoding="utf-8"))


def written_for_this_app() -> bool:
    """Whether app.py still imports the entity type the recipes are written for: the folder the
    rename recipe moves (after your own rename, the recipes describe the template, not your app)."""
    (rename,) = [recipe for recipe in readme_recipes() if recipe.title == RENAME]
    folder = shlex.split(rename.steps[0].lines[0])[2]  # git mv <folder> <new name>
    return f"from {folder}." in (REPOSITORY / "app.py").read_text(encoding="utf-8")


@unittest.skipIf(os.environ.get(IN_A_COPY), "runs in the repository, not in a recipe's copy")
@unittest.skipUnless(
    written_for_this_app(),
    "the README's recipes are written for the template's entity type, which app.py no longer "
    "imports: rewrite them for your app, or delete them and this test",
)
class RecipesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.recipes = readme_recipes()
        cls.folder = tempfile.TemporaryDirectory()
        folders = [Path(cls.folder.name) / f"recipe-{n}" for n in range(len(cls.recipes))]
        lint = itertools.repeat(repository_lint_clean())
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = pool.map(perform_and_check, cls.recipes, folders, lint)
            cls.outcomes = dict(zip((r.title for r in cls.recipes), outcomes, strict=True))

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def test_the_readme_has_the_recipes_a_user_needs(self):
        titles = {recipe.title for recipe in self.recipes}
        for needed in ["Rename the entity type", "Add a field", "Add a view"]:
            self.assertIn(needed, titles)

    def test_each_recipe_works_as_written(self):
        for title, problem in self.outcomes.items():
            with self.subTest(recipe=title):
                if problem:
                    self.fail(f'The README\'s recipe "{title}" no longer works: {problem}')
