"""How much one upload may cost.

A worker has a few GB of memory and serves many users. These limits keep a single upload, by
accident or by design, from using it all. Each limit is checked before the work it protects, and
each refusal tells the user which limit was hit. Change them here; ``Limits(...)`` with other
values is how tests and benchmarks try other sizes.
"""

from dataclasses import dataclass

from app_files.uploaded import MAX_UPLOAD_BYTES, MB


@dataclass(frozen=True)
class Limits:
    # The upload itself. In the app this is app_files.uploaded.MAX_UPLOAD_BYTES, which both the
    # FileField and receive_upload use (change it there); it is here so that the tests and the
    # benchmark can hand one Limits to receive_upload and the readers, and let a larger file in.
    upload_bytes: int = MAX_UPLOAD_BYTES
    # Everything an .xlsx unpacks to. A zip bomb is a small file that unpacks to gigabytes.
    unpacked_bytes: int = 1_000 * MB
    # Files inside one .xlsx; real workbooks have tens.
    zip_entries: int = 10_000
    # The rectangle of cells of a sheet, from its first to its last filled cell, and the number of
    # filled cells in it. The Excel reader holds them all in memory, about 85 bytes a cell
    # (measured): 10 million cells is about 850 MB. A sheet can declare 17 billion, so this is the
    # limit that matters for memory.
    cells: int = 10_000_000
    # The text the Excel reader holds for a sheet: the shared strings, and a copy of one in every
    # cell that refers to it. A workbook of a few hundred kB can make that gigabytes.
    text_bytes: int = 300 * MB
    # Columns in a table; Excel's own maximum is 16,384.
    columns: int = 16_384
    # One line of a text file; a longer one is almost certainly not a table.
    line_characters: int = 1_000_000


DEFAULT_LIMITS = Limits()
