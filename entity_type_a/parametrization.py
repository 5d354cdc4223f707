"""The input fields and buttons of entity type A, as the user sees them in the editor."""

import viktor as vkt

from app_files.uploaded import MAX_UPLOAD_BYTES
from tablestats.reading import ACCEPTED_SUFFIXES  # demo


class Parametrization(vkt.Parametrization):
    intro = vkt.Text(
        "Upload a file. The views show what the app computes from it: once, in the first job "
        "that sees the file, and then reused from VIKTOR Storage by every other job."
        # demo: begin
        " The view Upload measures the file in File. The rest is the demo: upload one table or "
        "several in Tables, each an Excel workbook (.xlsx, .xlsm; the first visible sheet) or a "
        "CSV file with the column names in the first row, and see the statistics of every "
        "column, per table and of all the tables together. The button below downloads them as "
        "an Excel report."
        # demo: end
    )
    upload = vkt.FileField(
        "File",
        # The platform refuses larger files; the code checks the same limit again.
        max_size=MAX_UPLOAD_BYTES,
    )
    # demo: begin
    tables = vkt.MultiFileField(
        "Tables",
        file_types=list(ACCEPTED_SUFFIXES),
        max_size=MAX_UPLOAD_BYTES,  # per file; received_uploads also limits them together
        description="Each table is read once: add or remove one, and the others are reused.",
    )
    # demo: end
    download = vkt.DownloadButton("Download Excel report", method="download_report")  # demo
    clear = vkt.ActionButton(
        "Remove stored results",
        method="clear_stored_results",
        description=(
            "Results are kept in VIKTOR Storage, so that every later job on the same file reuses "
            "them. This removes all of them, for every user of this workspace."
        ),
    )
