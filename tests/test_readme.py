"""The README's commands are the ones CI runs, so the README cannot drift from the code.

- Every command in the README's ``sh`` blocks stands, as written, on a line of ``.ci/run``, which
  runs them in a fresh clone and a new virtual environment (the recipes of "Change it" are
  performed by ``test_recipes.py`` instead).
- Every line of the ``powershell`` block (the quick start on Windows) is a step of the GitHub
  workflow, which runs it in PowerShell 5.1 and 7 and in cmd.
- Commands named in the text (``python -m ...`` in backticks) are run by ``.ci/run`` or a test.

The few that cannot run here are listed with the reason.
"""

import re
import unittest
from pathlib import Path

from readme_recipes import section_bounds

REPOSITORY = Path(__file__).parent.parent
README = REPOSITORY / "README.md"

NOT_RUN_BY_CI = {
    "viktor-cli": "needs a VIKTOR account and the VIKTOR cloud",
    "python benchmarks/bench_uploads.py": "takes minutes; .ci/run runs it with --quick",  # demo
    "python benchmarks/bench_many_tables.py": "takes minutes; .ci/run runs it with --quick",  # demo
    "bash .ci/run": "is what CI runs",
    "pre-commit install": "installs a git hook in a clone; .ci/run validates the hooks' config",
    # The template's update drill (.copier/update_drill.py, which .ci/run runs) runs these on apps
    # it makes from the template, offline.
    "python -m pip install copier": "the template's .ci/run installs it for its update drill",
    "copier update": "needs an app made from the template; the template's update drill runs it",
    "python ../viktor-app-template/.copier/adopt.py": "the template's update drill runs it",
    "git clone https://github.com/": "needs the network; the update drill clones offline",
}
RUN_BY_TESTS = {
    "python -m tools.check_paths --help": "test_check_paths.py",
    "python -m tablestats a.csv b.csv": "demo/test_cli.py",  # demo
}
# Commands named in the text: a backticked span that starts like one.
INLINE_COMMAND = re.compile(r"`((?:python -m|pre-commit|ruff|pyright|bash) [^`]+)`")


def readme_text() -> str:
    return README.read_text(encoding="utf-8")


def blocks(language: str, text: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def without_recipes(text: str) -> str:
    """The README without its "Change it" section, whose commands test_recipes.py runs."""
    bounds = section_bounds(text)
    return text if bounds is None else text[: bounds[0]] + text[bounds[1] :]


def commands_in(block: str) -> list[str]:
    return [line.strip() for line in block.splitlines() if line.strip()]


def readme_commands() -> list[str]:
    return [c for block in blocks("sh", without_recipes(readme_text())) for c in commands_in(block)]


def inline_commands() -> list[str]:
    without_blocks = re.sub(r"```.*?```", "", readme_text(), flags=re.DOTALL)
    return INLINE_COMMAND.findall(without_blocks)


def ci_lines() -> set[str]:
    """The lines of .ci/run, without a trailing comment (such as a marker). .ci/run activates
    the quick start's environment, so ``.venv/bin/python -m x`` there is ``python -m x``."""
    script = (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8")
    lines = {line.split("  #")[0].strip() for line in script.splitlines()}
    return lines | {line.removeprefix(".venv/bin/") for line in lines}


class ReadmeCommandsTest(unittest.TestCase):
    def test_there_are_commands_to_check(self):
        self.assertIn(".venv/bin/python -m pytest", readme_commands())

    def test_each_command_is_run_by_ci(self):
        lines = ci_lines()
        for command in readme_commands():
            if any(command.startswith(prefix) for prefix in NOT_RUN_BY_CI):
                continue
            with self.subTest(command=command):
                if command not in lines:
                    self.fail(
                        f"The README asks for `{command}`, which .ci/run does not run: add it to "
                        ".ci/run as written, or to NOT_RUN_BY_CI in tests/test_readme.py with the "
                        "reason it cannot run there."
                    )

    def test_each_windows_command_is_a_step_of_the_workflow(self):
        workflow = (REPOSITORY / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
        steps = {line.strip().removeprefix("run: ") for line in workflow.splitlines()}
        commands = [c for block in blocks("powershell", readme_text()) for c in commands_in(block)]
        self.assertIn(r".venv\Scripts\python -m pytest", commands)
        for command in commands:
            with self.subTest(command=command):
                if command not in steps:
                    self.fail(
                        f"The README's Windows quick start asks for `{command}`, which the "
                        "quick-start job of .github/workflows/tests.yml does not run: add it "
                        "there as a step, `run: <the command>`, as written."
                    )

    def test_each_command_named_in_the_text_is_run_somewhere(self):
        lines = ci_lines()
        for command in inline_commands():
            if any(command.startswith(prefix) for prefix in NOT_RUN_BY_CI) or command in lines:
                continue
            with self.subTest(command=command):
                if command not in RUN_BY_TESTS:
                    self.fail(
                        f"The README names `{command}`, which neither .ci/run nor a test runs: run "
                        "it in .ci/run, or name the test that runs it in RUN_BY_TESTS."
                    )
                test_file = Path(__file__).parent / RUN_BY_TESTS[command]
                self.assertIn(command.split()[-1], test_file.read_text(encoding="utf-8"))

    def test_a_view_the_readme_shows_is_the_apps_own(self):
        """A view the README quotes (a text block that starts with its decorator) stands, as
        quoted, in the app's code: the excerpt cannot drift from the code."""
        sources = "\n".join(
            path.read_text(encoding="utf-8") for path in REPOSITORY.glob("*/controller.py")
        )
        for block in blocks("text", readme_text()):
            if block.startswith("@vkt."):
                indented = "\n".join(f"    {line}" if line else "" for line in block.splitlines())
                with self.subTest(view=block.splitlines()[1]):
                    self.assertIn(
                        indented,
                        sources,
                        "The README quotes a view that no controller holds as quoted: copy the "
                        "view from the controller into the README again.",
                    )

    def test_ci_runs_the_readme_test_commands(self):
        self.assertIn("python -m unittest discover -s tests", ci_lines())
        self.assertIn(".venv/bin/python -m pytest", ci_lines())
