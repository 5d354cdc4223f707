"""The statistics of several tables, the files of one MultiFileField: each table's, and those of
all of them together, kept once for each set of files (``app_files.stored.compute_combined``).
``statistics_of_tables`` is what the controller and the command line call.

Each upload's own result (``computation.TABLE_STATISTICS``) holds what its statistics are made of
(``statistics.Totals``), so the tables together are merged from those, without reading any file
again: adding a table to twenty reads that one table. The statistics of all the tables are those
of one table of all their rows: the counts, minimum, maximum and mean exactly, the standard
deviation as closely as the blocks of one table merge (``moments``), and the median, quantiles and
histogram as ``distribution`` states for a column of that many numbers (exact up to 4,096
numbers, within its stated bounds beyond).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app_files.stored import Combination, compute_combined
from app_files.stores import ResultStore
from app_files.uploaded import Refused, UploadError, UploadSet
from tablestats.computation import TABLE_STATISTICS, TableStatistics
from tablestats.statistics import Summary, Totals


@dataclass
class Tables:
    each: list[TableStatistics]  # of each table that could be read, in the order of the files
    together: Summary | None  # of all of them together; None for one table, which it would repeat

    def to_json(self) -> dict[str, Any]:
        return {
            "each": [table.to_json() for table in self.each],
            "together": None if self.together is None else self.together.to_dict(),
        }

    @classmethod
    def from_json(cls, data: Any) -> Tables:
        """The inverse of ``to_json``; ValueError, KeyError or TypeError on anything else."""
        if not isinstance(data["each"], list):
            raise TypeError(f"expected a list of tables, got {data['each']!r}")
        together = data["together"]
        return cls(
            each=[TableStatistics.from_json(table) for table in data["each"]],
            together=None if together is None else Summary.from_dict(together),
        )


def tables_together(tables: list[TableStatistics]) -> Tables:
    """Each table's statistics, without what they are made of, and those of all of them."""
    each = [TableStatistics(table.sheet, table.summary) for table in tables]
    if len(tables) < 2:
        return Tables(each, None)
    together = Totals(rows=0, columns=[])
    for table in tables:
        if table.totals is None:
            raise ValueError("a table's statistics without their totals cannot be merged")
        together.merge(table.totals)
    return Tables(each, together.summary())


ALL_TABLES = Combination(
    name="all-tables",
    combine=tables_together,
    version=TABLE_STATISTICS.version,  # the same code: the keys of the tables' results hold it
    to_json=Tables.to_json,
    from_json=Tables.from_json,
)


@dataclass
class NamedTable:
    """A table that could be read, with the name and size of its file."""

    name: str
    size: int  # bytes
    statistics: TableStatistics
    same_as: str | None = None  # an earlier file of the very same content, if any


@dataclass
class TablesRead:
    """What the views, the report and the command line show of the tables of one set of files."""

    tables: list[NamedTable]  # those that could be read, in the order of the files
    together: Summary | None  # of all of them together; None for one table
    left_out: list[Refused]  # the files that could not be read, with why, in their order
    kept: bool  # the statistics are in the store for later jobs
    # They came from the store. Never shown in the app: in the workspace scope, it would tell a
    # user that someone else had uploaded the same files. The command line says it.
    reused: bool

    @property
    def several(self) -> bool:
        """More than one file: each is shown with its name (one table is shown as it is)."""
        return len(self.tables) + len(self.left_out) > 1

    @property
    def together_label(self) -> str:
        """What the statistics of all the tables are of: "All 3 tables", or "All 2 tables read
        (1 left out)", so that nobody takes them for those of every file uploaded."""
        label = f"All {len(self.tables)} tables"
        return f"{label} read ({len(self.left_out)} left out)" if self.left_out else label


def statistics_of_tables(uploads: UploadSet, store: ResultStore) -> TablesRead:
    """The statistics of each table of ``uploads`` and of all of them, each file read once (or
    not at all, when its result is stored). A file that cannot be read is left out, with why, and
    the others still give their statistics; UploadError when none can be read."""
    combined = compute_combined(ALL_TABLES, TABLE_STATISTICS, uploads, store)
    if not combined.value.each:
        raise UploadError(_none_read(combined.refused))
    first_of: dict[str, NamedTable] = {}  # content key: the first table of that content
    tables = []
    for upload, statistics in zip(combined.uploads, combined.value.each, strict=True):
        table = NamedTable(upload.name, upload.size, statistics)
        first = first_of.setdefault(upload.content_key, table)
        table.same_as = None if first is table else first.name
        tables.append(table)
    together = combined.value.together
    return TablesRead(tables, together, combined.refused, combined.stored, combined.reused)


def named(file: Refused) -> str:
    """Why a file was left out, with its name in front unless the message starts with it."""
    return file.message if file.message.startswith(file.name) else f"{file.name}: {file.message}"


def _none_read(refused: list[Refused]) -> str:
    if len(refused) == 1:
        return refused[0].message
    shown = " ".join(named(file) for file in refused[:3])
    more = f" And {len(refused) - 3} more cannot be read either." if len(refused) > 3 else ""
    return f"None of the {len(refused)} files can be read. {shown}{more}"
