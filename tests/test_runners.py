"""pytest and unittest (which ``viktor-cli test`` runs) must see the same tests."""

import importlib.util
import re
import subprocess
import sys
import unittest
from pathlib import Path

TESTS = Path(__file__).parent


class BothRunnersTest(unittest.TestCase):
    def test_pytest_collects_what_unittest_discovers(self):
        if importlib.util.find_spec("pytest") is None:
            self.skipTest("pytest is not installed (viktor-cli test runs without it)")
        discovered = unittest.defaultTestLoader.discover(str(TESTS), top_level_dir=str(TESTS))
        collected = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
            cwd=TESTS.parent,
            capture_output=True,
            text=True,
            timeout=300,
        )
        found = re.search(r"(\d+) tests? collected", collected.stdout)
        self.assertIsNotNone(found, collected.stdout + collected.stderr)
        self.assertEqual(int(found[1]), discovered.countTestCases())
