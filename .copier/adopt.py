"""Record which version of the template an app started from, so that copier can update it.

For an app made by cloning the template, or with GitHub's "Use this template", rather than with
copier. Run it from the app's folder, with this file from a clone of the template::

    python ../viktor-app-template/.copier/adopt.py

It writes .copier-answers.yml, as ``copier copy`` would have: the template commit the app
started from, and the answers its files give (the entity type's folder that app.py imports, the
app type, whether the demo is still there). Commit it; then ``copier update --trust --defaults``
brings the template's later changes. The commit is found in the app's history (a clone), or else
as the template commit whose files are those of the app's first commit ("Use this template");
``--commit`` gives it when neither finds it. It changes nothing else, and needs the standard
library and git only.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
ANSWERS = ".copier-answers.yml"
TASKS = ".copier/tasks.py"  # what copier needs of a template version to update from it
APP_TYPES = ("editor", "simple")  # copier.yml's choices; a tree app starts as an editor app


class AdoptError(RuntimeError):
    """What keeps the answers from being recorded, with what to do."""


def git(folder: Path, *arguments: str) -> str:
    completed = subprocess.run(
        ["git", *arguments], cwd=folder, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise AdoptError(f"git {' '.join(arguments)} failed in {folder}: {completed.stderr}")
    return completed.stdout.strip()


def starting_commit(app: Path) -> str:
    """The template commit the app in ``app`` started from: the newest template commit in the
    app's history, else the one whose files are those of the app's first commit."""
    template_commits = git(TEMPLATE, "log", "--format=%H %T", "HEAD").splitlines()
    app_history = set(git(app, "rev-list", "HEAD").splitlines())
    for line in template_commits:
        commit = line.split()[0]
        if commit in app_history:
            return commit
    first_trees = {
        git(app, "rev-parse", f"{root}^{{tree}}")
        for root in git(app, "rev-list", "--max-parents=0", "HEAD").splitlines()
    }
    for line in template_commits:
        commit, tree = line.split()
        if tree in first_trees:
            return commit
    raise AdoptError(
        "no commit of the template is in the app's history, and none has the files of its first "
        "commit: find the template commit the app started from, and give it with --commit"
    )


def template_address() -> str:
    """Where copier finds the template for the next update: the clone's origin, else the clone."""
    try:
        return git(TEMPLATE, "remote", "get-url", "origin")
    except AdoptError:
        return str(TEMPLATE)


def answers(app: Path, commit: str, entity_type: str | None) -> dict[str, object]:
    """What ``copier copy`` would have recorded for the app in ``app``."""
    if git(TEMPLATE, "ls-tree", "--name-only", commit, TASKS) != TASKS:
        raise AdoptError(
            f"the template's commit {commit[:12]} is older than its updates with copier: update "
            "the app by hand to a later version of the template first"
        )
    imported = re.findall(
        r"^from (\w+)\.controller import", (app / "app.py").read_text(encoding="utf-8"), re.M
    )
    if entity_type is None and len(imported) != 1:
        raise AdoptError("app.py imports no single entity type: give its folder with --entity-type")
    config = (app / "viktor.config.toml").read_text(encoding="utf-8")
    app_type = re.search(r'^app_type = "(\w+)"', config, re.M)
    return {
        "_commit": commit,
        "_src_path": template_address(),
        "app_type": app_type[1] if app_type and app_type[1] in APP_TYPES else APP_TYPES[0],
        "entity_type": entity_type or imported[0],
        "keep_demo": (app / "tablestats").is_dir(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", help="the template commit the app started from")
    parser.add_argument("--entity-type", help="the entity type's folder, when app.py has several")
    args = parser.parse_args(argv)
    app = Path.cwd()  # the app's folder, where the README runs this
    try:
        if (app / ANSWERS).exists():
            raise AdoptError(f"{ANSWERS} is there already: copier update --trust --defaults")
        commit = git(TEMPLATE, "rev-parse", args.commit) if args.commit else starting_commit(app)
        recorded = answers(app, commit, args.entity_type)
    except AdoptError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    lines = [f"{key}: {json.dumps(value)}" for key, value in recorded.items()]  # JSON is YAML
    (app / ANSWERS).write_text(
        "# The answers copier reads and rewrites on each update (written by .copier/adopt.py).\n"
        + "\n".join(lines)
        + "\n",
        encoding="utf-8",
    )
    print(f"Recorded in {ANSWERS}: the template's commit {commit[:12]}.")
    print("Commit it, then take the template's updates with: copier update --trust --defaults")
    return 0


if __name__ == "__main__":
    sys.exit(main())
