"""Every recipe in the README's "Change it" works: performed on a copy of the repository, as
written there, after which the app's own checks pass in the copy. ``.ci/run`` performs them
(``TEMPLATE_RECIPES=1``); the suite without it only checks that the README has them.

A recipe that stops working (the code it edits moved, what it adds no longer loads, or is not
lint-clean) fails here, with the recipe's name and what failed. The recipes are read from the
README (``readme_recipes``), so what a user reads is what is tested. Recipes that edit different
lines are performed one after the other in one copy, so that the checks run once for them (and
each alone, linted, so that none works only after another); each copy runs its checks in a
process of its own, two at a time; in a copy, this module skips itself. A lint problem of the
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
# The recipes are the template's documentation, not your app: CI performs them (.ci/run sets this),
# and the suite you run while you work does not wait for them.
PERFORM = "TEMPLATE_RECIPES"
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


def perform_and_check(
    group: list[Recipe], folder: Path, lint: bool, checks: bool = True
) -> dict[str, str | None]:
    """Each recipe of ``group``, performed one after the other in a copy at ``folder``, then the
    checks (only lint, when not ``checks``): {title: None when it works, else what failed}.
    When the checks fail for a group of several, each is performed and checked alone, so that
    the failure is told of the recipe that has it."""
    copy = copy_of_repository(folder)
    for number, recipe in enumerate(group):
        try:
            recipe.perform(copy)
        except RecipeError as error:
            return {recipe.title: f"a step cannot be performed: {error}"} | {
                other.title: None for other in group[:number]
            }
    renamed = any(recipe.title == RENAME for recipe in group)
    environment = {**os.environ, IN_A_COPY: "1", "PYTHONDONTWRITEBYTECODE": "1"}
    environment["VIKTOR_CHECKS_QUICK"] = "1"  # the app's checks in brief: that it loads and runs
    for name, command in checks_in(folder, renamed, lint):
        if not checks and name not in LINT:
            continue
        completed = subprocess.run(
            command, cwd=folder, env=environment, capture_output=True, text=True, timeout=600
        )
        if completed.returncode == 0:
            continue
        if len(group) > 1:
            return {
                title: problem
                for number, recipe in enumerate(group)
                for title, problem in perform_and_check(
                    [recipe], folder.with_name(f"{folder.name}-{number}"), lint
                ).items()
            }
        output = (completed.stdout + completed.stderr).strip().splitlines()
        return {group[0].title: f"{name} fails after it:\n" + "\n".join(output[-25:])}
    return {recipe.title: None for recipe in group}


def together(recipes: list[Recipe]) -> list[list[Recipe]]:
    """The recipes in groups, each of which can be performed one after the other in one copy, so
    that the app's checks run once for the group: a recipe that runs commands (a rename) goes
    alone, and no two in a group replace the same lines or write the same file."""
    groups: list[list[Recipe]] = []
    for recipe in recipes:
        alone = any(step.kind == "sh" for step in recipe.steps)
        for group in groups if not alone else []:
            if not any(_clash(recipe, other) for other in group):
                group.append(recipe)
                break
        else:
            groups.append([recipe])
    return groups


def _clash(recipe: Recipe, other: Recipe) -> bool:
    """Whether the two cannot be performed one after the other: either runs commands, one writes
    a file the other edits, or both replace the same lines."""
    if any(step.kind == "sh" for step in recipe.steps + other.steps):
        return True
    for first, second in ((recipe, other), (other, recipe)):
        written = {step.file for step in first.steps if step.kind == "new"}
        if written & {step.file for step in second.steps}:
            return True
    return bool(_replaced(recipe) & _replaced(other))


def _replaced(recipe: Recipe) -> set[tuple[str, str]]:
    """(file, the lines it replaces) for each replacement of the recipe."""
    return {
        (step.file, "\n".join(step.lines).split("# with")[0].strip())
        for step in recipe.steps
        if step.kind == "replace"
    }


def readme_recipes() -> list[Recipe]:
    return recipes((REPOSITORY / "README.md").read_text(encoding="utf-8"))


def written_for_this_app() -> bool:
    """Whether app.py still imports the entity type the recipes are written for: the folder the
    rename recipe moves (after your own rename, the recipes describe the template, not your app)."""
    (rename,) = [recipe for recipe in readme_recipes() if recipe.title == RENAME]
    folder = shlex.split(rename.steps[0].lines[0])[2]  # git mv <folder> <new name>
    return f"from {folder}." in (REPOSITORY / "app.py").read_text(encoding="utf-8")


class ReadmeRecipesTest(unittest.TestCase):
    def test_the_readme_has_the_recipes_a_user_needs(self):
        titles = {recipe.title for recipe in readme_recipes()}
        for needed in ["Rename the entity type", "Add a field", "Add a view", "Accept many files"]:
            self.assertIn(needed, titles)


@unittest.skipIf(os.environ.get(IN_A_COPY), "runs in the repository, not in a recipe's copy")
@unittest.skipUnless(
    os.environ.get(PERFORM) == "1",
    f"the README's recipes are performed by .ci/run (about 20 s); here too with {PERFORM}=1",
)
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
        lint = repository_lint_clean()
        groups = together(cls.recipes)
        # Each recipe alone too, linted only: a recipe that works only after another one in its
        # group (an import the other adds) fails there.
        alone = [[recipe] for group in groups if len(group) > 1 for recipe in group]
        folders = [Path(cls.folder.name) / f"recipe-{n}" for n in range(len(groups) + len(alone))]
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(perform_and_check, groups + alone, folders,
                                     itertools.repeat(lint),
                                     [True] * len(groups) + [False] * len(alone)))  # fmt: skip
        cls.outcomes = {recipe.title: None for recipe in cls.recipes}
        for outcome in outcomes:
            for title, problem in outcome.items():
                cls.outcomes[title] = cls.outcomes[title] or problem

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def test_each_recipe_works_as_written(self):
        for title, problem in self.outcomes.items():
            with self.subTest(recipe=title):
                if problem:
                    self.fail(f'The README\'s recipe "{title}" no longer works: {problem}')
