"""The views and buttons of entity type A: the VIKTOR layer of the app.

Every method below is a separate job: VIKTOR may run each on another worker, with nothing in
memory or on disk from the job before. So no method relies on another having run; what they share
goes through VIKTOR Storage (``app_files.stored``). The logic lives in plain Python outside this
folder; this file turns the user's input into calls and the answers into VIKTOR results.
"""

from pathlib import Path

import viktor as vkt

from app_files import viktor_jobs  # demo
from app_files.set_memo import MEMO_SCOPE
from app_files.stored import Cleared, clear, compute_once
from app_files.stores import ViktorStore
from app_files.upload_facts import UPLOAD_FACTS
from app_files.viktor_jobs import received_upload, user_message
from tablestats.all_tables import ALL_TABLES, NamedTable, TablesRead, statistics_of_tables  # demo
from tablestats.computation import TABLE_STATISTICS  # demo
from tablestats.notes import notes  # demo
from tablestats.plot import distribution_figure  # demo
from tablestats.reading import upload_kind  # demo
from tablestats.rows import HEADERS, statistics_row  # demo
from tablestats.statistics import Summary  # demo

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
    ALL_TABLES,  # demo
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
        read = _tables(params, ViktorStore(STORAGE_SCOPE))
        headers = [vkt.TableHeader(header) for header in HEADERS]
        if not read.several:  # one table, as it is
            return vkt.TableResult(_rows(read.tables[0].statistics.summary), column_headers=headers)
        rows = [] if read.together is None else _rows(read.together, read.together_label)
        for table in read.tables:
            rows += _rows(table.statistics.summary, table.name)
        for file in read.left_out:  # named, with why, while the others still show
            why = vkt.TableCell(f"Left out: {file.message}", text_color=WARNING_COLOUR)
            rows.append([file.name, why, *[""] * (len(HEADERS) - 1)])
        return vkt.TableResult(rows, column_headers=[vkt.TableHeader("Table"), *headers])

    @vkt.PlotlyView("Distributions", duration_guess=3)
    def distributions(self, params, **kwargs) -> vkt.PlotlyResult:
        read = _tables(params, ViktorStore(STORAGE_SCOPE))
        if read.together is None:
            return vkt.PlotlyResult(distribution_figure(read.tables[0].statistics.summary))
        compared = [(table.name, table.statistics.summary) for table in read.tables]
        return vkt.PlotlyResult(distribution_figure(read.together, compared))

    @vkt.DataView("Table", duration_guess=3)
    def table_facts(self, params, **kwargs) -> vkt.DataResult:
        read = _tables(params, ViktorStore(STORAGE_SCOPE))
        kept = vkt.DataItem("Statistics", _kept(read.kept))
        if not read.several:
            return vkt.DataResult(_group([*_table_items(read.tables[0]), kept]))
        items = []
        if read.together is not None:
            items.append(vkt.DataItem(read.together_label, read.together.rows, suffix="rows"))
        items += [
            vkt.DataItem(
                file.name,
                "left out",
                status=vkt.DataStatus.WARNING,
                status_message=file.message,
            )
            for file in read.left_out
        ]
        items += [
            vkt.DataItem(
                table.name,
                table.statistics.summary.rows,
                suffix="rows",
                subgroup=_group(_table_items(table)),
            )
            for table in read.tables
        ]
        return vkt.DataResult(_group([*items, kept]))

    def download_report(self, params, **kwargs) -> vkt.DownloadResult:
        from tablestats.report import build_report  # only this job needs openpyxl: load it here

        # Reuses what a view stored: no second reading of any file.
        read = _tables(params, ViktorStore(STORAGE_SCOPE))
        about = ABOUT_FILE.read_text(encoding="utf-8")
        content = build_report(read, kept=_kept(read.kept), about=about)
        name = "tables" if read.several else Path(read.tables[0].name).stem
        return vkt.DownloadResult(content, file_name=f"{name}_report.xlsx")

    # demo: end

    def clear_stored_results(self, params, **kwargs) -> None:
        store = ViktorStore(STORAGE_SCOPE)
        # And what the entity keeps of the files of its MultiFileFields (app_files/set_memo.py).
        cleared = clear(store, STORED_RESULTS) + clear(store.in_scope(MEMO_SCOPE), [])
        user_message(_cleared(cleared), success=cleared.complete)


def _upload(params, store: ViktorStore):
    """The upload in the field ``upload``; a ``vkt.UserError`` on that field when it is missing or
    cannot be used. ``store`` keeps its content key for later jobs."""
    return received_upload(
        params.upload,
        field="upload",
        missing="Upload a file to see what the app computes from it.",
        store=store,
    )


# demo: begin
WARNING_COLOUR = vkt.Color(204, 102, 0)  # of a file left out, as the DataView's warnings
MAX_DATA_ITEMS = 100  # in one vkt.DataGroup


def _tables(params, store: ViktorStore) -> TablesRead:
    """The tables in the field ``tables``, each read once however often the set changes; a
    ``vkt.UserError`` on that field when it is empty or none of its files can be read."""
    with viktor_jobs.received_uploads(
        params.tables,
        field="tables",
        missing="Upload one or more tables (.xlsx or .csv) to see their statistics.",
        check_name=upload_kind,
        store=store,
    ) as uploads:
        return statistics_of_tables(uploads, store)


def _rows(summary: Summary, table: str | None = None) -> list[list]:
    """A row per column of ``summary`` ("" where a statistic has no value), after the name of
    the ``table`` when given."""
    rows = [
        ["" if value is None else value for value in statistics_row(column)]
        for column in summary.columns
    ]
    return rows if table is None else [[table, *row] for row in rows]


def _table_items(table: NamedTable) -> list[vkt.DataItem]:
    summary = table.statistics.summary
    items = [
        vkt.DataItem("Sheet", table.statistics.sheet or "(text file)"),
        vkt.DataItem("Rows", summary.rows),
        vkt.DataItem("Columns", len(summary.columns)),
    ]
    if table.same_as is not None:
        items.append(
            vkt.DataItem(
                "Same content as",
                table.same_as,
                status=vkt.DataStatus.WARNING,
                status_message="Counted twice in all the tables: remove one if it is a mistake.",
            )
        )
    # Cells that were not counted, with what to do about them.
    items += [
        vkt.DataItem(
            f"{note.column}: {note.problem}",
            note.cells,
            status=vkt.DataStatus.WARNING,
            status_message=note.advice,
        )
        for note in notes(summary.columns)
    ]
    return items


def _group(items: list[vkt.DataItem]) -> vkt.DataGroup:
    """The items in one group, the last of them summed up if there are more than it can hold."""
    if len(items) > MAX_DATA_ITEMS:
        more = len(items) - MAX_DATA_ITEMS + 1
        items = [*items[: MAX_DATA_ITEMS - 1], vkt.DataItem("More", f"{more} more items")]
    return vkt.DataGroup(*items)


# demo: end
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
