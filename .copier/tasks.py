"""copier's task: turn a copy of the template into the app its answers ask for.

copier runs this in the app's folder once it has copied the template there, and during an update
also in copies of the template's old and new versions (see copier.yml): with the entity type's
folder name, the app type and whether to keep the demo. Each step does only what is still to do,
so running it again changes nothing. It runs from the template, with the standard library only.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
TEMPLATE_ENTITY_TYPE = "entity_type_a"


def rename_entity_type(app: Path, name: str) -> None:
    """The template's entity type in the folder ``name``, imported from there by app.py: what the
    README's recipe "Rename the entity type" does."""
    template_folder = app / TEMPLATE_ENTITY_TYPE
    if name == TEMPLATE_ENTITY_TYPE or not template_folder.is_dir():
        return
    # During an update the folder is there already, with your changes, which copier puts back.
    shutil.copytree(template_folder, app / name, dirs_exist_ok=True)
    shutil.rmtree(template_folder)
    entry = app / "app.py"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(
        text.replace(f"from {TEMPLATE_ENTITY_TYPE}.", f"from {name}."), encoding="utf-8"
    )


def set_app_type(app: Path, app_type: str) -> None:
    config = app / "viktor.config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(r'^app_type = "\w+"', f'app_type = "{app_type}"', text, count=1, flags=re.M),
        encoding="utf-8",
    )


def main(argv: list[str]) -> int:
    name, app_type, keep_demo = argv
    app = Path.cwd()  # copier runs its tasks in the folder it renders
    rename_entity_type(app, name)
    set_app_type(app, app_type)
    if keep_demo != "True":  # how copier writes a yes
        sys.path.insert(0, str(TEMPLATE))
        from tools.remove_demo import remove_demo

        remove_demo(app)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
