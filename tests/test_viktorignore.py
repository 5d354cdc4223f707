"""What ``viktor-cli publish`` leaves out (``.viktorignore``) is nothing the app needs.

The app needs app.py, viktor.config.toml and requirements.txt, every module app.py reaches through
its imports (also those inside functions, which run only in some jobs), and every bundled file
those modules name (a module-level ``Path`` into the app's folder). Git itself says which files
.viktorignore matches, so its patterns read here exactly as gitignore syntax reads them.
"""

import ast
import importlib
import shutil
import subprocess
import unittest
from pathlib import Path, PurePath

from viktor_standin.app_checks import REPOSITORY, load_app

IGNORE_FILE = REPOSITORY / ".viktorignore"
ALWAYS_NEEDED = ("app.py", "viktor.config.toml", "requirements.txt")
# Never part of a published app: the tests, the tools, CI and editor settings.
NEVER_NEEDED = ("tests/", "tools/", ".github/", ".ci/", ".pre-commit-config.yaml")


def git_lines(*arguments: str) -> list[str]:
    completed = subprocess.run(
        ["git", *arguments], cwd=REPOSITORY, capture_output=True, text=True, check=True
    )
    return completed.stdout.splitlines()


def module_files(parts: list[str]) -> list[Path]:
    """The files of the app's module ``parts`` (dotted name split) and of its packages; none for a
    module from elsewhere (the SDK, the standard library)."""
    found, folder = [], REPOSITORY
    for part in parts:
        if (folder / part / "__init__.py").is_file():
            folder = folder / part
            found.append(folder / "__init__.py")
        elif (folder / f"{part}.py").is_file():
            return [*found, folder / f"{part}.py"]
        else:
            break
    return found


def imported_files(path: Path) -> set[Path]:
    """The app's own files that the module in ``path`` imports, anywhere in it."""
    package = path.relative_to(REPOSITORY).parent.parts
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name.split(".") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = base + (node.module.split(".") if node.module else [])
            names = [module] + [module + [alias.name] for alias in node.names]
        else:
            continue
        for name in names:
            found.update(module_files(name))
    return found


def app_code() -> set[Path]:
    """app.py and every module of the app it reaches through imports."""
    reached, todo = set(), [REPOSITORY / "app.py"]
    while todo:
        path = todo.pop()
        if path not in reached:
            reached.add(path)
            todo.extend(imported_files(path))
    return reached


def bundled_files(code: set[Path]) -> set[Path]:
    """The files named by a module-level Path in the modules ``code``."""
    load_app()  # the app's folder on sys.path, as the platform has it
    found = set()
    for path in code - {REPOSITORY / "app.py"}:
        parts = path.relative_to(REPOSITORY).with_suffix("").parts
        module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        for value in vars(module).values():
            if isinstance(value, PurePath) and Path(value).is_file():
                if REPOSITORY in Path(value).resolve().parents:
                    found.add(Path(value).resolve())
    return found


@unittest.skipIf(shutil.which("git") is None, "git is not installed")
@unittest.skipUnless((REPOSITORY / ".git").exists(), "not a git checkout")
class ViktorIgnoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.left_out = set(
            git_lines("ls-files", "--ignored", "--cached", f"--exclude-from={IGNORE_FILE}")
        )

    def test_nothing_the_app_needs_is_left_out(self):
        code = app_code()
        needed = {REPOSITORY / name for name in ALWAYS_NEEDED} | code | bundled_files(code)
        self.assertIn(REPOSITORY / "file.txt", needed)  # the search finds bundled files
        relative = {path.relative_to(REPOSITORY).as_posix() for path in needed}
        for name in sorted(relative & self.left_out):
            with self.subTest(file=name):
                self.fail(
                    f"{name} is needed by the app, but .viktorignore leaves it out of the "
                    "published app: take the pattern that matches it out of .viktorignore"
                )

    def test_development_files_are_left_out(self):
        tracked = git_lines("ls-files", "--cached")
        for kept_out in NEVER_NEEDED:
            with self.subTest(path=kept_out):
                files = {name for name in tracked if name.startswith(kept_out)}
                self.assertTrue(files, f"{kept_out} is not in the repository")
                if files - self.left_out:
                    self.fail(
                        f"{sorted(files - self.left_out)} would be published: add "
                        f"{kept_out} to .viktorignore"
                    )
