"""Bundled files: found from the code's location, present, and tracked by git.

``viktor-cli publish`` uploads the files git tracks. A bundled file that exists on your computer
but is not committed is missing once the app is published, so these tests check both.
"""

import shutil
import subprocess
import unittest
from pathlib import Path

import entity_type_a.__main__ as command_line
from entity_type_a import controller
from tools import check_paths

REPOSITORY = Path(__file__).parent.parent

BUNDLED_FILES = {
    "text shown in the app and the report": controller.ABOUT_FILE,
    "report template": controller.REPORT_TEMPLATE,
    "sample upload of the command line": command_line.SAMPLE_UPLOAD,
}


class BundledFilesTest(unittest.TestCase):
    def test_each_is_found_from_the_code_and_exists(self):
        for purpose, path in BUNDLED_FILES.items():
            with self.subTest(purpose=purpose):
                self.assertTrue(path.is_absolute())
                self.assertTrue(path.is_file(), f"{path} is missing")

    def test_each_is_tracked_by_git(self):
        if shutil.which("git") is None or not (REPOSITORY / ".git").exists():
            self.skipTest("not a git checkout")
        tracked = set(
            subprocess.run(
                ["git", "ls-files"], cwd=REPOSITORY, capture_output=True, text=True, check=True
            ).stdout.splitlines()
        )
        for purpose, path in BUNDLED_FILES.items():
            with self.subTest(purpose=purpose):
                relative = path.relative_to(REPOSITORY).as_posix()
                self.assertIn(relative, tracked, f"git add {relative}, or it is not published")


class PathCheckTest(unittest.TestCase):
    def test_the_app_uses_no_static_paths(self):
        """The template passes its own path check (tools/check_paths/), as every clone should."""
        self.assertEqual(check_paths.main([]), 0)
