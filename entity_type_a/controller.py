"""The views and buttons of entity type A.

Every method below is a separate job: VIKTOR may run each on another worker, with nothing in
memory or on disk from the job before. So no method relies on another having run; what they share
goes through VIKTOR Storage (``tablestats.results``). The logic itself lives in ``tablestats``;
this file turns the user's input into calls and the answers into VIKTOR results.
"""

from pathlib import Path

import viktor as vkt

from entity_type_a.parametrization import Parametrization
from tablestats import report, results
from tablestats.errors import UploadError
from tablestats.store import ViktorStore

# Bundled files ship with the app. Find them from this file's own location: a path relative to
# the working directory ("file.txt") works on your computer and fails once the app is published.
ENTITY_FOLDER = Path(__file__).parent
ABOUT_FILE = ENTITY_FOLDER.parent / "file.txt"
REPORT_TEMPLATE = ENTITY_FOLDER / "report_template.xlsx"

# Who shares stored statistics: everyone in the app's workspace. The key is the content of the
# upload, so two users only ever share the statistics of the very same file, and a file that one
# user has uploaded is ready for the next. "session" would recompute per editor session; "entity"
# does not fit an editor app, where every session has an entity of its own.
STORAGE_SCOPE = "workspace"


class Controller(vkt.Controller):
    label = "Table statistics"
    parametrization = Parametrization

    @vkt.TableView("Statistics", duration_guess=3)
    def statistics_table(self, params, **kwargs):
        result = _summarize(params)
        rows = [
            [column.name, column.count, column.numeric_count, *_numbers(column)]
            for column in result.summary.columns
        ]
        headers = [
            vkt.TableHeader("Column"),
            vkt.TableHeader("Values"),
            vkt.TableHeader("Numbers"),
            vkt.TableHeader("Minimum"),
            vkt.TableHeader("Maximum"),
            vkt.TableHeader("Mean"),
        ]
        return vkt.TableResult(rows, column_headers=headers)

    @vkt.DataView("File", duration_guess=3)
    def file_facts(self, params, **kwargs):
        result = _summarize(params)
        source = "reused from VIKTOR Storage" if result.reused else "computed now"
        if not result.stored:
            source += " (could not be stored for later jobs)"
        facts = vkt.DataGroup(
            vkt.DataItem("File name", result.file_name),
            vkt.DataItem("Size", result.file_size / 1000, suffix="kB", number_of_decimals=1),
            vkt.DataItem("Sheet", result.sheet or "(text file)"),
            vkt.DataItem("Rows", result.summary.rows),
            vkt.DataItem("Statistics", source),
            vkt.DataItem("About this app", ABOUT_FILE.read_text(encoding="utf-8").strip()),
        )
        return vkt.DataResult(facts)

    def download_report(self, params, **kwargs):
        result = _summarize(params)  # reuses what a view stored: no second reading of the file
        about = ABOUT_FILE.read_text(encoding="utf-8")
        content = report.build_report(result, about, REPORT_TEMPLATE)
        return vkt.DownloadResult(content, file_name=f"{Path(result.file_name).stem}-report.xlsx")

    def clear_stored_results(self, params, **kwargs):
        removed = results.clear(ViktorStore(STORAGE_SCOPE))
        vkt.UserMessage.success(f"Removed {removed} stored result{'s' if removed != 1 else ''}.")


def _summarize(params) -> results.Result:
    """The statistics of the uploaded file, from VIKTOR Storage when another job stored them."""
    upload = params.upload
    if upload is None:
        message = "Upload a table (.xlsx or .csv) to see its statistics."
        raise vkt.UserError(message, input_violations=[_violation(message)])
    try:
        with upload.file.open_binary() as stream:  # binary: the bytes exactly as uploaded
            return results.summarize_upload(stream, upload.filename, ViktorStore(STORAGE_SCOPE))
    except UploadError as error:
        raise vkt.UserError(str(error), input_violations=[_violation(str(error))]) from None


def _violation(message: str) -> vkt.InputViolation:
    return vkt.InputViolation(message, fields=["upload"])


def _numbers(column) -> list:
    """Minimum, maximum and mean, or empty cells for a column without numbers."""
    values = [column.min, column.max, column.mean]
    return ["" if value is None else value for value in values]
