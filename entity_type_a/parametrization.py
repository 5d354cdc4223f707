"""The input fields and buttons of entity type A, as the user sees them in the editor."""

import viktor as vkt

from tablestats.limits import DEFAULT_LIMITS
from tablestats.upload import ACCEPTED_SUFFIXES


class Parametrization(vkt.Parametrization):
    intro = vkt.Text(
        "Upload a table: an Excel workbook (.xlsx, .xlsm; the first visible sheet is read) or a "
        "CSV file, with the column names in the first row. The views show the statistics of "
        "every column; the button below downloads them as an Excel report."
    )
    upload = vkt.FileField(
        "Table",
        file_types=list(ACCEPTED_SUFFIXES),
        # The platform refuses larger files; the code checks the same limit again.
        max_size=DEFAULT_LIMITS.upload_bytes,
    )
    download = vkt.DownloadButton("Download Excel report", method="download_report")
    clear = vkt.ActionButton(
        "Remove stored results",
        method="clear_stored_results",
        description=(
            "Statistics are kept in VIKTOR Storage, so that every view and download of the same "
            "file reuses them. This removes all of them, for every user of this workspace."
        ),
    )
