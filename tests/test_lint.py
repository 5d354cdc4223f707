"""Lint, formatting and types, as tests of their own: ``ruff check``, ``ruff format --check`` and
``pyright``, run on the whole repository with the settings in pyproject.toml, so they follow the
app wherever its code lives (a renamed entity type, a new package).

A failure prints the tool's findings and the command that fixes or shows them. Each test skips,
saying why, when its tool is not installed (``viktor-cli test`` may run without
requirements-dev.txt).
"""

import importlib.util
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def run_tool(module: str, *arguments: str, cwd: Path = REPOSITORY) -> tuple[int, str]:
    """The exit status and the output of ``python -m <module> <arguments>``."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return completed.returncode, (completed.stdout + completed.stderr).strip()


def pyright(*arguments: str, cwd: Path = REPOSITORY) -> tuple[int, str]:
    # The interpreter running the tests has the app's packages, wherever its environment is.
    return run_tool("pyright", "--pythonpath", sys.executable, *arguments, cwd=cwd)


def missing(module: str) -> str:
    return f"{module} is not installed: python -m pip install -r requirements-dev.txt"


@unittest.skipIf(importlib.util.find_spec("ruff") is None, missing("ruff"))
class RuffTest(unittest.TestCase):
    def test_ruff_check(self):
        status, output = run_tool("ruff", "check", "--output-format=concise", ".")
        if status != 0:
            self.fail(f"ruff check finds problems; `ruff check --fix .` fixes many:\n{output}")

    def test_ruff_format(self):
        status, output = run_tool("ruff", "format", "--check", ".")
        if status != 0:
            self.fail(f"ruff format would change files; `ruff format .` formats them:\n{output}")


# A controller with the two mistakes pyright is there to find, before viktor-cli start would.
MISTAKES = textwrap.dedent(
    """
    import viktor as vkt


    class Controller(vkt.Controller):
        @vkt.TableView("Beams")
        def beams(self, params, **kwargs) -> vkt.TableResult:
            return vkt.DataResult(vkt.DataGroup())  # the wrong result for a TableView

        @vkt.DataView("Facts")
        def facts(self, params, **kwargs) -> vkt.DataResult:
            return vkt.DataResult(vkt.DataGroup(vkt.DataItm("Span", 4.5)))  # misspelt
    """
)


@unittest.skipIf(importlib.util.find_spec("pyright") is None, missing("pyright"))
class PyrightTest(unittest.TestCase):
    def test_pyright(self):
        status, output = pyright()
        if status != 0:
            self.fail(f"pyright finds type errors (settings in pyproject.toml):\n{output}")

    def test_pyright_finds_a_wrong_result_type_and_a_misspelt_vkt_name(self):
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "controller.py").write_text(MISTAKES, encoding="utf-8")
            status, output = pyright("controller.py", cwd=Path(folder))
        self.assertEqual(status, 1, output)
        self.assertIn('"DataResult" is not assignable to return type "TableResult"', output)
        self.assertIn('"DataItm" is not a known attribute of module "viktor"', output)
