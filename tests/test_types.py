"""pyright catches a type mistake in a controller before viktor-cli start would.

The app's own code is type-checked by ``pyright`` in CI and pre-commit (settings in
pyproject.toml); this test shows, on a controller written for it, that the check finds the two
mistakes it is there for, with the SDK's own type stubs.
"""

import importlib.util
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

MISTAKES = textwrap.dedent(
    """
    import viktor as vkt


    class Controller(vkt.Controller):
        @vkt.TableView("Statistics")
        def statistics(self, params, **kwargs) -> vkt.TableResult:
            return vkt.DataResult(vkt.DataGroup())  # the wrong result for a TableView

        @vkt.DataView("Facts")
        def facts(self, params, **kwargs) -> vkt.DataResult:
            return vkt.DataResult(vkt.DataGroup(vkt.DataItm("Span", 4.5)))  # misspelt
    """
)


@unittest.skipIf(
    importlib.util.find_spec("pyright") is None, "pyright is not installed (requirements-dev.txt)"
)
class PyrightTest(unittest.TestCase):
    def test_finds_a_wrong_result_type_and_a_misspelt_vkt_name(self):
        with tempfile.TemporaryDirectory() as folder:
            controller = Path(folder) / "controller.py"
            controller.write_text(MISTAKES, encoding="utf-8")
            completed = subprocess.run(
                [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, str(controller)],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=300,
            )
        self.assertEqual(completed.returncode, 1, completed.stdout + completed.stderr)
        self.assertIn(
            '"DataResult" is not assignable to return type "TableResult"', completed.stdout
        )
        self.assertIn('"DataItm" is not a known attribute of module "viktor"', completed.stdout)
