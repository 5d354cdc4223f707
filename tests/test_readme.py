"""The README's commands are the ones CI runs, so the README cannot drift from the code.

Every command in the README's ``sh`` blocks must stand, as written, on a line of ``.ci/run``, which
runs them in a fresh virtual environment. Commands named in the text (``python -m ...`` in
backticks) must be run by ``.ci/run`` or by a test. The few that cannot run here are listed, with
the reason.
"""

import re
import unittest
from pathlib import Path

REPOSITORY = Path(__file__).parent.parent

NOT_RUN_BY_CI = {
    "viktor-cli": "needs a VIKTOR account and the VIKTOR cloud",
    "python benchmarks/bench_uploads.py": "takes minutes; .ci/run runs it with --quick instead",
    "python -m venv .venv": ".ci/run makes its own fresh environment, outside the checkout",
    "bash .ci/run": "is what CI runs",
    "pre-commit install": "installs a git hook in a clone; .ci/run validates the hooks' config",
}
RUN_BY_TESTS = {
    "python -m tools.check_paths --help": "test_check_paths.py",
}
# Commands named in the text: a backticked span that starts like one.
INLINE_COMMAND = re.compile(r"`((?:python -m|pre-commit|ruff|bash) [^`]+)`")


def readme_commands() -> list[str]:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme, flags=re.DOTALL):
        for line in block.splitlines():
            line = line.split(" #")[0].strip()
            commands.extend(part.strip() for part in line.split("&&") if part.strip())
    return commands


def inline_commands() -> list[str]:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    without_blocks = re.sub(r"```.*?```", "", readme, flags=re.DOTALL)
    return INLINE_COMMAND.findall(without_blocks)


def ci_lines() -> set[str]:
    script = (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8")
    return {line.strip() for line in script.splitlines()}


class ReadmeCommandsTest(unittest.TestCase):
    def test_there_are_commands_to_check(self):
        self.assertIn("python -m pytest", readme_commands())

    def test_each_command_is_run_by_ci(self):
        lines = ci_lines()
        for command in readme_commands():
            if any(command.startswith(prefix) for prefix in NOT_RUN_BY_CI):
                continue
            with self.subTest(command=command):
                self.assertIn(command, lines, "run it in .ci/run, or list why it cannot run")

    def test_each_command_named_in_the_text_is_run_somewhere(self):
        lines = ci_lines()
        for command in inline_commands():
            if any(command.startswith(prefix) for prefix in NOT_RUN_BY_CI) or command in lines:
                continue
            with self.subTest(command=command):
                self.assertIn(command, RUN_BY_TESTS, "run it in .ci/run or in a test")
                test_file = Path(__file__).parent / RUN_BY_TESTS[command]
                self.assertIn(command.split()[-1], test_file.read_text(encoding="utf-8"))

    def test_ci_runs_the_readme_test_command(self):
        self.assertIn("python -m pytest", ci_lines())
