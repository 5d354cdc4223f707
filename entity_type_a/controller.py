"""The views and buttons of entity type A: the VIKTOR layer of the app.

Every method below is a separate job: VIKTOR may run each on another worker, with nothing in
memory or on disk from the job before. So no method relies on another having run; what they share
goes through VIKTOR Storage (``app_files.stored``). The logic lives in plain Python outside this
folder; this file turns the user's input into calls and the answers into VIKTOR results.
"""

from pathlib import Path

import viktor as vkt

from app_files.stored import Cleared, clear, compute_once
from app_files.stores import ViktorStore
from app_files.upload_facts import UPLOAD_FACTS
from app_files.viktor_jobs import received_upload, user_message
from tablestats.computation import TABLE_STATISTICS  # demo
from tablestats.notes import notes  # demo
from tablestats.plot import distribution_figure  # demo
from tablestats.reading import upload_kind  # demo
from tablestats.rows import HEADERS, statistics_row  # demo

from .parametrization import Parametrization

# Bundled files ship with the app. Find them from this file's own location: a path relative to
# the working directory ("file.txt") works on your computer and fails once the app is published.
ENTITY_FOLDER = Path(__file__).parent
ABOUT_FILE = ENTITY_FOLDER.parent / "file.txt"

# Who shares stored results: everyone in the app's workspace. A result's key is the content of
# the upload, so two users only ever share the results of the very same file, and a file that one
# user has uploaded is ready for the next. "session" would compute again in every editor session;
# "entity" keeps results with one entity (a simple or tree app), where an editor app has a new
# entity in every session.
# Privacy: had a view said "reused from VIKTOR Storage", it would tell a user that someone else in
# the workspace has uploaded this very file. So the views say only whether the result is kept for
# later jobs, never where it came from (the log says). A reused result still comes faster; where
# even that must not show, use "session".
STORAGE_SCOPE = "workspace"

# Every result this entity type stores: the "Remove stored results" button clears them all.
STORED_RESULTS = [
    UPLOAD_FACTS,
    TABLE_STATISTICS,  # demo
]


class Controller(vkt.Controller):
    label = "Table statistics"  # demo
    parametrization = Parametrization()  # an instance, as the SDK's types declare it

    @vkt.DataView("Upload", duration_guess=1)
    def upload_facts(self, params, **kwargs) -> vkt.DataResult:
        store = ViktorStore(STORAGE_SCOPE)  # one per job: it stops asking a Storage that is slow
        with _upload(params, store) as upload:
            stored = compute_once(UPLOAD_FACTS, upload, store)
        facts = stored.value
        return vkt.DataResult(
            vkt.DataGroup(
                vkt.DataItem("File name", upload.name),
                vkt.DataItem("Size", facts["bytes"] / 1000, suffix="kB", number_of_decimals=1),
                vkt.DataItem("Lines", facts["lines"]),
                vkt.DataItem("Content key", upload.content_key[:16] + "..."),
                vkt.DataItem("Result", _kept(stored.stored)),
                vkt.DataItem("About this app", ABOUT_FILE.read_text(encoding="utf-8").strip()),
            )
        )

    # demo: begin
    @vkt.TableView("Statistics", duration_guess=3)
    def statistics_table(self, params, **kwargs) -> vkt.TableResult:
        store = ViktorStore(STORAGE_SCOPE)
        with _upload(params, store) as upload:
            statistics = compute_once(TABLE_STATISTICS, upload, store).value
        rows = [
            ["" if value is None else value for value in statistics_row(column)]
            for column in statistics.summary.columns
        ]
        headers = [vkt.TableHeader(header) for header in HEADERS]
        return vkt.TableResult(rows, column_headers=headers)

    @vkt.PlotlyView("Distributions", duration_guess=3)
    def distributions(self, params, **kwargs) -> vkt.PlotlyResult:
        store = ViktorStore(STORAGE_SCOPE)
        with _upload(params, store) as upload:
            statistics = compute_once(TABLE_STATISTICS, upload, store).value
        return vkt.PlotlyResult(distribution_figure(statistics.summary))

    @vkt.DataView("Table", duration_guess=3)
    def table_facts(self, params, **kwargs) -> vkt.DataResult:
        store = ViktorStore(STORAGE_SCOPE)
        with _upload(params, store) as upload:
            stored = compute_once(TABLE_STATISTICS, upload, store)
        summary = stored.value.summary
        facts = [
            vkt.DataItem("Sheet", stored.value.sheet or "(text file)"),
            vkt.DataItem("Rows", summary.rows),
            vkt.DataItem("Columns", len(summary.columns)),
            vkt.DataItem("Statistics", _kept(stored.stored)),
        ]
        # Cells that were not counted, with what to do about them.
        facts += [
            vkt.DataItem(
                f"{note.column}: {note.problem}",
                note.cells,
                status=vkt.DataStatus.WARNING,
                status_message=note.advice,
            )
            for note in notes(summary.columns)
        ]
        return vkt.DataResult(vkt.DataGroup(*facts))

    def download_report(self, params, **kwargs) -> vkt.DownloadResult:
        from tablestats.report import build_report  # only this job needs openpyxl: load it here

        store = ViktorStore(STORAGE_SCOPE)
        with _upload(params, store) as upload:
            # Reuses what a view stored: no second reading of the file.
            stored = compute_once(TABLE_STATISTICS, upload, store)
        content = build_report(
            stored.value,
            file_name=upload.name,
            file_size=upload.size,
            reused=stored.reused,
            about=ABOUT_FILE.read_text(encoding="utf-8"),
        )
        return vkt.DownloadResult(content, file_name=f"{Path(upload.name).stem}_report.xlsx")

    # demo: end

    def clear_stored_results(self, params, **kwargs) -> None:
        cleared = clear(ViktorStore(STORAGE_SCOPE), STORED_RESULTS)
        user_message(_cleared(cleared), success=cleared.complete)


def _upload(params, store: ViktorStore):
    """The upload in the field ``upload``; a ``vkt.UserError`` on that field when it is missing or
    cannot be used. ``store`` keeps its content key for later jobs."""
    return received_upload(
        params.upload,
        field="upload",
        missing="Upload a file to see what the app computes from it.",
        check_name=upload_kind,  # demo
        store=store,
    )


def _kept(stored: bool) -> str:
    """Whether later jobs will find the result; not whether it was computed now, which would tell
    the user whether someone else had uploaded the same file (see STORAGE_SCOPE)."""
    if stored:
        return "kept in VIKTOR Storage for later jobs"
    return "computed now (could not be stored for later jobs)"


def _cleared(cleared: Cleared) -> str:
    entries = "entry" if cleared.removed == 1 else "entries"
    message = f"Removed {cleared.removed} {entries} from VIKTOR Storage."
    if cleared.failed:
        message += f" {cleared.failed} could not be removed."
    if not cleared.listed:
        message += " Others may remain: VIKTOR Storage did not list them."
    return message if cleared.complete else message + " Try again later."
