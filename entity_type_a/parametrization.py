"""The input fields and buttons of entity type A, as the user sees them in the editor."""

import viktor as vkt

from app_files.uploaded import MAX_UPLOAD_BYTES
from tablestats.reading import ACCEPTED_SUFFIXES  # demo


class Parametrization(vkt.Parametrization):
    intro = vkt.Text(
        "Upload a file. The views show what the app computes from it: once, in the first job "
        "that sees the file, and then reused from VIKTOR Storage by every other job."
        # demo: begin
        " This demo reads a table: an Excel workbook (.xlsx, .xlsm; the first visible sheet) or a "
        "CSV file, with the column names in the first row, and shows the statistics of every "
        "column. The button below downloads them as an Excel report."
        # demo: end
    )
    upload = vkt.FileField(
        "File",
        file_types=list(ACCEPTED_SUFFIXES),  # demo
        # The platform refuses larger files; the code checks the same limit again.
        max_size=MAX_UPLOAD_BYTES,
    )
    download = vkt.DownloadButton("Download Excel report", method="download_report")  # demo
    clear = vkt.ActionButton(
        "Remove stored results",
        method="clear_stored_results",
        description=(
            "Results are kept in VIKTOR Storage, so that every later job on the same file reuses "
            "them. This removes all of them, for every user of this workspace."
        ),
    )
