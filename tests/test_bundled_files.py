"""Bundled files: found from the code's location, present, and tracked by git.

``viktor-cli publish`` uploads the files git tracks. A bundled file that exists on your computer
but is not committed is missing once the app is published. These tests find every bundled file the
app's code names (a module-level ``Path`` into the app's folder, such as ``ABOUT_FILE``) in every
module of the app, whatever it is called, and check both.
"""

import contextlib
import importlib
import io
import pkgutil
import shutil
import subprocess
import unittest
from pathlib import Path, PurePath

from viktor_standin.app_checks import REPOSITORY, load_app

from tools import check_paths

# Folders whose files never ship as part of the app.
NOT_APP_CODE = {
    "tests",
    "benchmarks",  # demo
}


def app_modules() -> list:
    """Every module of the app: app.py and what it imports, and every package beside it."""
    load_app()
    modules = []
    for folder in sorted(REPOSITORY.iterdir()):
        if (folder / "__init__.py").is_file() and folder.name not in NOT_APP_CODE:
            package = importlib.import_module(folder.name)
            modules.append(package)
            for found in pkgutil.walk_packages(package.__path__, f"{folder.name}."):
                modules.append(importlib.import_module(found.name))
    return modules


def bundled_files() -> dict[str, Path]:
    """{"module.NAME": path} for every module-level Path that points into the app's folder."""
    found = {}
    for module in app_modules():
        for name, value in vars(module).items():
            if isinstance(value, PurePath) and not name.startswith("_"):
                path = Path(value)
                if path.is_absolute() and REPOSITORY in path.resolve().parents:
                    found[f"{module.__name__}.{name}"] = path.resolve()
    return found


class BundledFilesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bundled = bundled_files()

    def test_the_app_names_bundled_files(self):
        self.assertTrue(any(path.name == "file.txt" for path in self.bundled.values()))

    def test_each_exists(self):
        for name, path in self.bundled.items():
            with self.subTest(name=name):
                self.assertTrue(
                    path.exists(), f"{name} is {path}, which does not exist: restore the file"
                )

    def test_each_is_tracked_by_git(self):
        if shutil.which("git") is None or not (REPOSITORY / ".git").exists():
            self.skipTest("not a git checkout")
        tracked = subprocess.run(
            ["git", "ls-files"], cwd=REPOSITORY, capture_output=True, text=True, check=True
        ).stdout.splitlines()
        for name, path in self.bundled.items():
            relative = path.relative_to(REPOSITORY).as_posix()
            with self.subTest(name=name):
                self.assertTrue(
                    relative in tracked or any(f.startswith(f"{relative}/") for f in tracked),
                    f"{name} is {relative}, which git does not track: git add {relative}, or it "
                    "is not published",
                )


class PathCheckTest(unittest.TestCase):
    def test_the_app_uses_no_static_paths(self):
        """The template passes its own path check (tools/check_paths/), as every clone should."""
        findings, summary = io.StringIO(), io.StringIO()  # a line each; the summary on stderr
        with contextlib.redirect_stdout(findings), contextlib.redirect_stderr(summary):
            self.assertEqual(check_paths.main([]), 0, findings.getvalue())
        self.assertIn("no findings", summary.getvalue())
