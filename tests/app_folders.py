"""Small apps written to a folder, for the tests of the app checks: each as a user would write it.

``MISTAKES`` makes, in one entity type, every mistake the checks exist for that shows only when the
app runs as VIKTOR runs it; ``GOOD`` does, in one entity type, what looks like those mistakes and
is not. ``write_app`` writes either (or any other) to a folder, beside the template's own
requirements.txt.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SAMPLE = b"Beam,Span [m],Load [kN/m]\nB1,4.5,12.0\nB2,6.0,15.5\nB3,7.2,18.0\n"

PARAMETRIZATION = """
import viktor as vkt


class Parametrization(vkt.Parametrization):
    factor = vkt.NumberField("Factor", default=1.0, min=0.5, max=4.0)
    count = vkt.IntegerField("Count", default=2, min=0, max=10)
    upload = vkt.FileField("File", file_types=[".csv"])
    tables = vkt.MultiFileField("Tables", file_types=[".csv"])
    calculate = vkt.ActionButton("Calculate", method="calculate")
"""

MISTAKES = {
    "beam_mistakes/__init__.py": "",
    "beam_mistakes/parametrization.py": PARAMETRIZATION,
    "beam_mistakes/controller.py": """
import json
import tempfile
import time
from pathlib import Path

import viktor as vkt

from .parametrization import Parametrization

RESULTS = {}
LINES_BY_NAME = {}
SCRATCH = Path(tempfile.gettempdir()) / "beam.json"


def shown(value) -> vkt.DataResult:
    return vkt.DataResult(vkt.DataGroup(vkt.DataItem("Value", str(value))))


class Controller(vkt.Controller):
    parametrization = Parametrization()

    @vkt.DataView("Fill a global", duration_guess=1)
    def fill_global(self, params, **kwargs) -> vkt.DataResult:
        RESULTS["span"] = 4.5
        return shown(RESULTS["span"])

    @vkt.DataView("Read the global", duration_guess=1)
    def read_global(self, params, **kwargs) -> vkt.DataResult:
        return shown(RESULTS["span"])

    @vkt.DataView("Write a scratch file", duration_guess=1)
    def write_scratch(self, params, **kwargs) -> vkt.DataResult:
        SCRATCH.write_text(json.dumps({"span": 4.5}))
        return shown("written")

    @vkt.DataView("Read the scratch file", duration_guess=1)
    def read_scratch(self, params, **kwargs) -> vkt.DataResult:
        return shown(json.loads(Path(tempfile.gettempdir(), "beam.json").read_text())["span"])

    @vkt.DataView("Write into the app", duration_guess=1)
    def write_into_app(self, params, **kwargs) -> vkt.DataResult:
        (Path(__file__).parent / "last.json").write_text("{}")
        return shown("written")

    @vkt.DataView("Lines by name", duration_guess=1)
    def lines_by_name(self, params, **kwargs) -> vkt.DataResult:
        if params.upload is None:
            raise vkt.UserError("Upload a file.")
        name = params.upload.filename
        if name not in LINES_BY_NAME:
            LINES_BY_NAME[name] = params.upload.file.getvalue_binary().count(b"\\n")
        return shown(LINES_BY_NAME[name])

    @vkt.DataView("Factor", duration_guess=1)
    def factor_view(self, params, **kwargs) -> vkt.DataResult:
        if params.factor is not None and params.factor > 3:
            raise ValueError("a factor above 3 is not supported")
        return shown(params.factor)

    @vkt.DataView("Per count", duration_guess=1)
    def per_count(self, params, **kwargs) -> vkt.DataResult:
        return shown(10 / (params.count if params.count is not None else 1))

    @vkt.DataView("Upload as text", duration_guess=1)
    def upload_as_text(self, params, **kwargs) -> vkt.DataResult:
        if params.upload is None:
            raise vkt.UserError("Upload a file.")
        return shown(len(params.upload.file.getvalue()))

    @vkt.DataView("Storage misused", duration_guess=1)
    def storage_misused(self, params, **kwargs) -> vkt.DataResult:
        vkt.Storage().set("span", data="4.5", scope="workspace")
        return shown("stored")

    @vkt.DataView("About", duration_guess=1)
    def about(self, params, **kwargs) -> vkt.DataResult:
        with open("file.txt") as file:
            return shown(file.read())

    @vkt.DataView("Declared with kw", duration_guess=1)
    def declared_with_kw(self, params, **kw) -> vkt.DataResult:
        return shown("kw")

    @vkt.DataView("A table in a data view", duration_guess=1)
    def wrong_result(self, params, **kwargs):
        return vkt.TableResult([[1]])

    @vkt.DataView("A field the params lack", duration_guess=1)
    def missing_field(self, params, **kwargs) -> vkt.DataResult:
        return shown(params.safety_factor)

    @vkt.DataView("The file's name", duration_guess=1)
    def file_name(self, params, **kwargs) -> vkt.DataResult:
        return shown(params.upload.filename)

    @vkt.DataView("Tables by name", duration_guess=1)
    def tables_by_name(self, params, **kwargs) -> vkt.DataResult:
        lines = {table.filename: table.file.getvalue_binary() for table in params.tables}
        if len(lines) != len(params.tables):
            raise ValueError("two tables with one name")
        return shown(sum(content.count(b"\\n") for content in lines.values()))

    @vkt.DataView("Not a number", duration_guess=1)
    def not_a_number(self, params, **kwargs) -> vkt.DataResult:
        return vkt.DataResult(vkt.DataGroup(vkt.DataItem("Mean", float("nan"))))

    @vkt.DataView("Storage, naively", duration_guess=1)
    def naive_storage(self, params, **kwargs) -> vkt.DataResult:
        storage = vkt.Storage()
        try:
            data = json.loads(storage.get("span", scope="workspace").getvalue_binary())
        except FileNotFoundError:
            data = {"span": 4.5}
            storage.set("span", data=vkt.File.from_data(json.dumps(data)), scope="workspace")
        return shown(data["span"])

    @vkt.DataView("A failed download swallowed", duration_guess=1)
    def swallowed_download(self, params, **kwargs) -> vkt.DataResult:
        if params.upload is None:
            raise vkt.UserError("Upload a file.")
        try:
            lines = params.upload.file.getvalue_binary().count(b"\\n")
        except Exception:
            lines = 0
        key = f"lines-{params.upload.filename}"
        vkt.Storage().set(key, data=vkt.File.from_data(str(lines)), scope="workspace")
        return shown(lines)

    def calculate(self, params, **kwargs) -> None:
        key = f"result-{time.monotonic_ns()}"
        vkt.Storage().set(key, data=vkt.File.from_data(b"1"), scope="workspace")
""",
}

GOOD = {
    "beam_good/__init__.py": "",
    "beam_good/parametrization.py": PARAMETRIZATION,
    "beam_good/controller.py": '''
import functools
import tempfile
from pathlib import Path

import viktor as vkt

from .parametrization import Parametrization

ABOUT_FILE = Path(__file__).parent.parent / "file.txt"


@functools.lru_cache
def section_modulus(span: float) -> float:
    """A memo of a pure function: every worker computes the same from the same input."""
    return span**2 / 6


def shown(value) -> vkt.DataResult:
    return vkt.DataResult(vkt.DataGroup(vkt.DataItem("Value", str(value))))


class Controller(vkt.Controller):
    parametrization = Parametrization()

    @vkt.DataView("Memo", duration_guess=1)
    def memo(self, params, **kwargs) -> vkt.DataResult:
        return shown(section_modulus(4.5))

    @vkt.DataView("Scratch file", duration_guess=1)
    def scratch(self, params, **kwargs) -> vkt.DataResult:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "beam.json"
            path.write_text("4.5")
            return shown(path.read_text())

    @vkt.DataView("Per count", duration_guess=1)
    def per_count(self, params, **kwargs) -> vkt.DataResult:
        if not params.count:
            raise vkt.UserError("Give a count of at least 1.")
        return shown(10 / params.count)

    @vkt.DataView("Stored again", duration_guess=1)
    def stored_again(self, params, **kwargs) -> vkt.DataResult:
        storage = vkt.Storage()
        storage.set("span", data=vkt.File.from_data("4.5"), scope="workspace")
        return shown(storage.get("span", scope="workspace").getvalue())

    @vkt.DataView("Lines", duration_guess=1)
    def lines(self, params, **kwargs) -> vkt.DataResult:
        if params.upload is None:
            raise vkt.UserError("Upload a file.")
        return shown(params.upload.file.getvalue_binary().count(b"\\n"))

    @vkt.DataView("About", duration_guess=1)
    def about(self, params, **kwargs) -> vkt.DataResult:
        return shown(ABOUT_FILE.read_text(encoding="utf-8"))

    @vkt.DataView("Tables", duration_guess=1)
    def tables(self, params, **kwargs) -> vkt.DataResult:
        return shown(sum(table.file.getvalue_binary().count(b"\\n") for table in params.tables))

    def calculate(self, params, **kwargs) -> None:
        vkt.Storage().set("result", data=vkt.File.from_data(b"1"), scope="workspace")
''',
}


def write_app(folder: Path, files: dict[str, str], app_type: str = "editor") -> Path:
    """An app in ``folder``: ``files`` (path: source), an app.py that imports the controller of
    the first package among them, the template's requirements, a bundled file.txt, and samples
    for the file fields of PARAMETRIZATION."""
    package = next(iter(files)).split("/")[0]
    for name, source in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    (folder / "app.py").write_text(
        f"from {package}.controller import Controller\n", encoding="utf-8"
    )
    (folder / "viktor.config.toml").write_text(f'app_type = "{app_type}"\n', encoding="utf-8")
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        shutil.copy(REPOSITORY / requirements, folder / requirements)
    (folder / "file.txt").write_text("A beam app.\n", encoding="utf-8")
    samples = folder / package / "samples"
    (samples / "tables").mkdir(parents=True, exist_ok=True)
    (samples / "upload.csv").write_bytes(SAMPLE)
    (samples / "tables" / "first.csv").write_bytes(SAMPLE)
    (samples / "tables" / "second.csv").write_bytes(SAMPLE.replace(b"4.5", b"5.0"))
    return folder
