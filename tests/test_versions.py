"""The versions that must agree do: the VIKTOR SDK's pin, the Python the app is published with, and
the Pythons CI tests it on; and Dependabot keeps the pins current.

"Agree" means:

- the installed ``viktor`` is the version requirements.txt pins (the checks below read its
  metadata, and the stand-in's canary records its protocol);
- that SDK supports (its "Programming Language :: Python" classifiers) ``python_version`` of
  viktor.config.toml and every Python the workflows set up for the app;
- the app is published, and its quick start and Codespace run, with ``python_version``, and the
  test matrix of tests.yml includes it;
- the oldest Python of the test matrix is the oldest the app supports: pyright's
  ``pythonVersion`` in pyproject.toml, which checks the code against it.

The path check's own job (Python 3.10, older than the app needs) is no Python of the app.
"""

import json
import re
import unittest
from importlib import metadata
from pathlib import Path

import tomllib

from tools.repository import pinned_version

REPOSITORY = Path(__file__).resolve().parent.parent
WORKFLOWS = REPOSITORY / ".github" / "workflows"
PATH_CHECK_JOB = "path-check-oldest-python"

try:
    import yaml
except ImportError:  # viktor-cli test may run without requirements-dev.txt
    yaml = None


def workflow(name: str) -> dict:
    assert yaml is not None
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def setup_pythons(job: dict) -> list[str]:
    """The Python versions the job's setup-python steps ask for, as written."""
    return [
        str(step["with"]["python-version"])
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/setup-python@")
    ]


def as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@unittest.skipIf(yaml is None, "PyYAML is not installed: pip install -r requirements-dev.txt")
class VersionsAgreeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        config = tomllib.loads((REPOSITORY / "viktor.config.toml").read_text(encoding="utf-8"))
        cls.published = str(config["python_version"])
        tests = workflow("tests.yml")
        cls.matrix = [str(v) for v in tests["jobs"]["test"]["strategy"]["matrix"]["python-version"]]
        cls.set_up = {
            f"{name}, job {job_name}": python
            for name in ("tests.yml", "publish.yml")
            for job_name, job in workflow(name)["jobs"].items()
            if job_name != PATH_CHECK_JOB and "steps" in job
            for python in setup_pythons(job)
            if "${{" not in python  # the matrix's, checked as the matrix
        }

    def test_the_installed_sdk_is_the_pinned_one(self):
        self.assertEqual(
            metadata.version("viktor"),
            pinned_version("viktor"),
            "The installed VIKTOR SDK is not the one requirements.txt pins: "
            "python -m pip install -r requirements-dev.txt",
        )

    def test_the_sdk_supports_every_python_of_the_app(self):
        classifiers = metadata.metadata("viktor").get_all("Classifier") or []
        supported = {
            found[1]
            for classifier in classifiers
            if (found := re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", classifier))
        }
        used = {"viktor.config.toml": self.published, **self.set_up}
        used |= {f"tests.yml, test matrix {v}": v for v in self.matrix}
        for where, python in used.items():
            with self.subTest(where=where):
                self.assertIn(
                    python,
                    supported,
                    f"{where} asks for Python {python}, which viktor=={pinned_version('viktor')} "
                    f"does not support ({', '.join(sorted(supported, key=as_tuple))})",
                )

    def test_the_published_python_is_the_one_set_up_and_tested(self):
        devcontainer = json.loads(
            (REPOSITORY / ".devcontainer" / "devcontainer.json").read_text(encoding="utf-8")
        )
        image = re.search(r":\d+-(3\.\d+)", devcontainer["image"])
        used = {**self.set_up, ".devcontainer/devcontainer.json": image and image[1]}
        for where, python in used.items():
            with self.subTest(where=where):
                self.assertEqual(
                    python,
                    self.published,
                    f"{where} sets up Python {python}; the app is published with "
                    f"{self.published} (python_version in viktor.config.toml): make them equal",
                )
        self.assertIn(
            self.published,
            self.matrix,
            "Add python_version of viktor.config.toml to the test matrix of tests.yml.",
        )

    def test_the_oldest_tested_python_is_the_oldest_supported(self):
        pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
        oldest = pyproject["tool"]["pyright"]["pythonVersion"]
        self.assertEqual(
            min(self.matrix, key=as_tuple),
            oldest,
            f"The test matrix of tests.yml starts elsewhere than Python {oldest}, the oldest the "
            "app supports (pythonVersion of pyright in pyproject.toml): make them equal",
        )


@unittest.skipIf(yaml is None, "PyYAML is not installed: pip install -r requirements-dev.txt")
class DependabotTest(unittest.TestCase):
    def test_keeps_packages_and_actions_current_with_the_sdk_apart(self):
        assert yaml is not None
        config = yaml.safe_load(
            (REPOSITORY / ".github" / "dependabot.yml").read_text(encoding="utf-8")
        )
        updates = {update["package-ecosystem"]: update for update in config["updates"]}
        self.assertEqual(set(updates), {"pip", "github-actions"})
        self.assertIn("/", updates["pip"]["directories"])
        groups = updates["pip"]["groups"]
        sdk_groups = [name for name, group in groups.items() if "viktor" in group["patterns"]]
        self.assertEqual(len(sdk_groups), 1, "the SDK needs a group of its own")
        for name, group in groups.items():
            if name not in sdk_groups:
                self.assertIn("viktor", group.get("exclude-patterns", []), name)
