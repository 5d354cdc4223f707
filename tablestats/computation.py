"""The demo's stored result: an upload to the statistics of its table, computed once.

Reading a large workbook is most of the work of every view and of the download, so the first job
to see an upload reads it and stores the statistics (``app_files.stored``); the others reuse them.
``TABLE_STATISTICS`` is the computation of each upload; ``all_tables`` combines several.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from app_files.progress import report
from app_files.stored import Computation, code_version
from app_files.uploaded import Upload
from tablestats.limits import DEFAULT_LIMITS, Limits
from tablestats.reading import read_table
from tablestats.statistics import Summary, Totals, count_table

# Raise it when the stored JSON changes its form; the code version below changes by itself.
SCHEMA_VERSION = 4


@dataclass
class TableStatistics:
    sheet: str | None  # the worksheet that was read; None for a text file
    summary: Summary
    # What the summary is made of, which merges with other tables' (``all_tables``): kept with
    # each upload's own result; None in the result of several tables, which needs it no more.
    totals: Totals | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"sheet": self.sheet, **self.summary.to_dict()}
        if self.totals is not None:
            data["totals"] = self.totals.to_dict()
        return data

    @classmethod
    def from_json(cls, data: Any, with_totals: bool = False) -> TableStatistics:
        """The inverse of ``to_json``; ValueError, KeyError or TypeError on anything else."""
        sheet = data["sheet"]
        if sheet is not None and not isinstance(sheet, str):
            raise TypeError(f"sheet {sheet!r}")
        totals = Totals.from_dict(data["totals"]) if with_totals else None
        return cls(sheet=sheet, summary=Summary.from_dict(data), totals=totals)


def table_statistics(upload: Upload, limits: Limits = DEFAULT_LIMITS) -> TableStatistics:
    """Read the upload's table and summarize it; UploadError when it cannot be used."""
    table = read_table(upload, limits)
    start = 0.0 if table.expected_rows is None else 0.6

    def rows_read(rows: int) -> None:
        """How far the rows are read: by row for a workbook, whose reader has read the whole
        sheet by now, by byte for a text file."""
        expected = table.expected_rows
        done = rows / expected if expected else upload.file.tell() / upload.size
        report("Computing the statistics", start + (0.9 - start) * done)

    totals = count_table(table, rows_read)
    return TableStatistics(table.sheet, totals.summary(), totals)


# Every module of this package, the library that reads workbooks and the one that computes the
# statistics: change any, and results stored by the old code are computed again.
CODE_VERSION = code_version(Path(__file__).parent, libraries=["python-calamine", "numpy"])

TABLE_STATISTICS = Computation(
    name="table-stats",
    compute=table_statistics,
    version=f"v{SCHEMA_VERSION}-{CODE_VERSION}",
    to_json=TableStatistics.to_json,
    from_json=partial(TableStatistics.from_json, with_totals=True),
)
