"""AGENTS.md stays true: the commands it gives are run by CI, the files it names exist, and the
names it quotes after a file, as in "`app_files/stored.py` (`compute_once`)", are defined there."""

import re
import unittest
from pathlib import Path

from test_readme import NOT_RUN_BY_CI, blocks, ci_lines, commands_in

from tools.repository import app_files_in

REPOSITORY = Path(__file__).resolve().parent.parent
AGENTS = REPOSITORY / "AGENTS.md"
COMMAND = re.compile(r"`((?:python -m|bash) [^`]+)`")
PATH = re.compile(r"`([\w./-]+(?:/|\.(?:py|toml|txt|md|yml|json)))`")
NAMES_IN_FILE = re.compile(r"`([\w./-]+\.py)`\s+\(((?:`\w+`,?\s*)+)\)")


def agents_text() -> str:
    return AGENTS.read_text(encoding="utf-8")


class AgentsTest(unittest.TestCase):
    def test_each_command_is_run_by_ci(self):
        text = agents_text()
        commands = [c for block in blocks("sh", text) for c in commands_in(block)]
        commands += COMMAND.findall(text)
        self.assertIn("python -m pytest", commands)
        lines = ci_lines()
        for command in commands:
            with self.subTest(command=command):
                if command not in lines and not command.startswith(tuple(NOT_RUN_BY_CI)):
                    self.fail(f"AGENTS.md gives `{command}`, which .ci/run does not run")

    def test_each_file_it_names_exists(self):
        names = {path.relative_to(REPOSITORY).as_posix() for path in app_files_in(REPOSITORY)}
        for path in PATH.findall(agents_text()):
            with self.subTest(path=path):
                if "/" in path.rstrip("/"):
                    self.assertTrue((REPOSITORY / path).exists(), f"AGENTS.md names {path}")
                else:  # a bare file name: in some folder of the app
                    self.assertTrue(
                        any(name.rsplit("/", 1)[-1] == path.rstrip("/") for name in names)
                        or (REPOSITORY / path).exists(),
                        f"AGENTS.md names {path}, which the app does not have",
                    )

    def test_each_name_it_quotes_is_defined_in_its_file(self):
        quoted = NAMES_IN_FILE.findall(agents_text())
        self.assertTrue(quoted)
        for path, names in quoted:
            source = (REPOSITORY / path).read_text(encoding="utf-8")
            for name in re.findall(r"`(\w+)`", names):
                with self.subTest(name=name):
                    if not re.search(rf"(?m)^(?:(?:def|class) )?{name}\b", source):
                        self.fail(f"AGENTS.md says {path} defines {name}: it does not (any more)")
