"""The workers' environment: every module the app imports is installed by requirements.txt.

VIKTOR builds each worker from requirements.txt and nothing else. A module your computer has
because requirements-dev.txt (or anything else) installed it imports fine in the tests, and fails
on every worker. So the app's imports are read from its code (with deptry, which finds imports
in functions too, without running anything), and each must come from a package requirements.txt
lists, or from a package one of those needs (``viktor`` brings ``numpy``, ``pandas`` and
``matplotlib``, say), as the installed packages' own metadata says.

That is what can be known without the workers' environment. ``.ci/run`` also builds one from
requirements.txt alone and runs the app's jobs there (``VIKTOR_WORKER_PYTHON``, see
``workers.py``), which catches what no reading of the code can, such as a module imported by a
name built at run time.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.markers import UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# What is never part of the published app, besides what .viktorignore names.
NOT_PUBLISHED = (".git/", ".venv/", "venv/", "build/", "dist/")


def requirement_problems(folder: Path) -> list[str]:
    """One sentence per module the app imports that requirements.txt does not install."""
    requirements = folder / "requirements.txt"
    installed = installed_by(requirements)
    problems = []
    for finding in _deptry(folder):
        code, module = finding["error"]["code"], finding["module"]
        where = f"{finding['location']['file']}:{finding['location']['line']}"
        if code == "DEP002":  # listed but not imported: harmless
            continue
        packages = _packages_providing(module)
        if packages and packages & installed:  # through a package requirements.txt lists
            continue
        if code == "DEP001" and importlib.util.find_spec(module) is None:
            problems.append(
                f"{where}: imports `{module}`, which is neither a folder of the app nor "
                "installed: if it is a folder you renamed or moved, change the import to its new "
                "name; if it is a library, add it to requirements.txt, pinned (name==version), "
                "and install it (pip install -r requirements-dev.txt)."
            )
            continue
        package = sorted(packages)[0] if packages else module
        problems.append(
            f"{where}: imports `{module}`, which requirements.txt does not install (it is here "
            f"only because {_why_here(package, folder)}), so it is missing on VIKTOR's workers: "
            f"add it to requirements.txt, pinned: {package}=={_version(package)}."
        )
    return problems


def installed_by(requirements: Path) -> set[str]:
    """The packages (canonical names) that installing ``requirements`` installs: those it lists,
    and those they need, as the installed packages' metadata says."""
    wanted = [_requirement(line) for line in _lines(requirements)]
    found: set[str] = set()
    while wanted:
        requirement = wanted.pop()
        if requirement is None or canonicalize_name(requirement.name) in found:
            continue
        found.add(canonicalize_name(requirement.name))
        try:
            needs = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue
        for need in needs:
            parsed = _requirement(need)
            if parsed is not None and _applies(parsed, requirement.extras):
                wanted.append(parsed)
    return found


def _lines(requirements: Path) -> list[str]:
    lines = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            lines += _lines(requirements.parent / line.split(maxsplit=1)[1])
        elif line and not line.startswith(("#", "-")):
            lines.append(line)
    return lines


def _requirement(line: str) -> Requirement | None:
    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


def _applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    try:
        return any(requirement.marker.evaluate({"extra": extra}) for extra in extras or {""})
    except UndefinedEnvironmentName:
        return False


def _packages_providing(module: str) -> set[str]:
    top = module.partition(".")[0]
    return {canonicalize_name(name) for name in metadata.packages_distributions().get(top, [])}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "<version>"


def _why_here(package: str, folder: Path) -> str:
    development = folder / "requirements-dev.txt"
    if development.is_file() and package in installed_by(development):
        return "requirements-dev.txt installs it"
    return "it is installed on this computer"


def _deptry(folder: Path) -> list[dict]:
    """deptry's findings for the app's code, as JSON data."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "deptry.json"
        excluded = [argument for pattern in _not_published(folder) for argument in ("-e", pattern)]
        completed = subprocess.run(
            [sys.executable, "-m", "deptry", ".", "--requirements-files", "requirements.txt",
             "--no-ansi", *excluded, "-o", str(report)],
            cwd=folder, capture_output=True, text=True,
        )  # fmt: skip
        if not report.is_file():
            output = re.sub(r"\s+", " ", completed.stderr + completed.stdout).strip()
            raise AssertionError(
                f"deptry, which reads the app's imports, did not run ({output[-500:]}): install "
                "the tools with pip install -r requirements-dev.txt."
            )
        return json.loads(report.read_text(encoding="utf-8"))


def _not_published(folder: Path) -> list[str]:
    """deptry's patterns (regular expressions of paths) for what ``viktor-cli publish`` leaves
    out: what .viktorignore names, a folder or a file, with * and ? as wildcards."""
    ignore = folder / ".viktorignore"
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.is_file() else []
    patterns = []
    for line in [*NOT_PUBLISHED, *lines]:
        entry = line.strip().strip("/")
        if not entry or entry.startswith(("#", "!")):
            continue
        name = "".join(
            {"*": "[^/]*", "?": "[^/]"}.get(character, re.escape(character)) for character in entry
        )
        patterns.append(rf"(.*/)?{name}(/|$)")
    return patterns
