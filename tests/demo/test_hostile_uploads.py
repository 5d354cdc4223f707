"""Hostile and broken uploads: each is refused with an UploadError, quickly and in bounded memory.

"Refused" means: an ``UploadError`` whose message names the problem, says what to do, and is one
line (the app shows it as is; the command line prints it after "error: "). Each in-process
refusal is timed, from the upload to the error, without the time to build the file.

The files that would make python-calamine abort the whole process if the guard let them through
(zip bombs, lying zip headers, cells far apart, entity expansion) also go through the command line
in a child process, which must end with status 2, one line on stderr and a bounded peak memory.
"""

import functools
import io
import random
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import unittest
import zipfile
from pathlib import Path

from app_files.uploaded import UploadError
from demo.sample_files import (
    MIB,
    SHEET_PATH,
    LazyStream,
    billion_laughs_doctype,
    column_stats,
    expanding_sheet,
    ole_file,
    patch_declared_size,
    quadratic_blowup_sheet,
    row,
    shared_strings_xml,
    stats,
    stats_of_stream,
    workbook_with_padded_part,
    worksheet_xml,
    xlsx_from_sheet_xml,
    xlsx_from_sheets,
    xlsx_with_deflated_sheet,
)
from tablestats.limits import DEFAULT_LIMITS, MB, Limits

try:
    import resource  # Linux and macOS: to cap a child's address space
except ImportError:  # Windows
    resource = None

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent.parent
# A refusal takes well under a second; the bound is generous so that a busy machine does not fail.
REFUSAL_SECONDS = 10
# The command line's peak memory. Importing viktor alone takes about 75 MB and the guard unpacks in
# chunks of 1 MB, so a refusal stays near 100 MB; a guard that let the file through would need
# gigabytes (2 GB for the bomb, 550 GB for the grid between A1 and XFD1048576).
PEAK_MEMORY_BYTES = 600 * MB
# A safety net, not the measurement: a child that goes wrong fails to allocate instead of taking
# the machine's memory (Linux only).
CHILD_ADDRESS_SPACE_BYTES = 4_000 * MB
COMMAND_TIMEOUT_SECONDS = 30

# "Span" in A1, 4.5 below it, and a 1 in the last cell of the sheet.
FAR_APART_ROWS = row(1, "Span") + row(2, 4.5) + row(1_048_576, 1, first_column=16_383)


# The zip bombs are built once and shared: 0.4 s, most of it for the CRC of the 2 GB (compressing
# them with zlib would take 4 s; see sample_files.repeated_deflate).
@functools.cache
def honest_bomb() -> bytes:
    """5 MB whose sheet unpacks to 2,000 MiB (2.1 GB), as its headers say."""
    return xlsx_with_deflated_sheet(expanding_sheet(2_000))


@functools.cache
def understating_bomb() -> bytes:
    """The same 5 MB, whose headers declare that the sheet unpacks to 1 MiB."""
    return patch_declared_size(honest_bomb(), SHEET_PATH, 1 * MIB)


@functools.cache
def small_expanding_workbook() -> bytes:
    """A harmless 30 kB workbook whose sheet unpacks to 10 MiB (330,000 rows)."""
    return xlsx_with_deflated_sheet(expanding_sheet(10))


def overstating_workbook() -> bytes:
    """That workbook, whose headers declare that its sheet unpacks to 20 MiB."""
    return patch_declared_size(small_expanding_workbook(), SHEET_PATH, 20 * MIB)


def billion_laughs_workbook() -> bytes:
    strings = shared_strings_xml("&lol9;", prolog=billion_laughs_doctype("sst"))
    rows_xml = row(1, "Text", "Value") + '<row r="2"><c r="A2" t="s"><v>0</v></c>'
    rows_xml += '<c r="B2"><v>1</v></c></row>'
    return xlsx_from_sheets({"Sheet1": worksheet_xml(rows_xml)}, shared_strings_xml=strings)


def quadratic_blowup_workbook() -> bytes:
    return xlsx_from_sheets({"Sheet1": quadratic_blowup_sheet()})


class RefusalTestCase(unittest.TestCase):
    """Assertions shared by the tests below (this class has no tests of its own)."""

    def assert_refused(
        self, source, filename: str, *, problem: str, advice: str, limits: Limits = DEFAULT_LIMITS
    ) -> str:
        """Upload ``source`` (bytes or a file object): an UploadError within REFUSAL_SECONDS
        whose one-line message contains ``problem`` and ``advice``. Returns the message."""
        stream = io.BytesIO(source) if isinstance(source, bytes) else source
        start = time.perf_counter()
        with self.assertRaises(UploadError) as caught:
            stats_of_stream(stream, filename, limits)
        elapsed = time.perf_counter() - start
        message = str(caught.exception)
        self.assertIn(problem, message)
        self.assertIn(advice, message)
        self.assertNotIn("\n", message)
        self.assertLess(elapsed, REFUSAL_SECONDS, f"refusing {filename} took {elapsed:.1f} s")
        return message


class ZipBombTest(RefusalTestCase):
    def assert_declared_size(self, data: bytes, size: int):
        """The sheet's uncompressed size is ``size`` in the central directory and in the local
        header (``patch_declared_size`` changes both, as a crafted file would)."""
        info = zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET_PATH)
        self.assertEqual(info.file_size, size)
        self.assertEqual(struct.unpack_from("<I", data, info.header_offset + 22)[0], size)

    def test_a_bomb_with_honest_headers_is_refused_from_its_directory(self):
        self.assertLess(len(honest_bomb()), 6 * MB)
        self.assert_declared_size(honest_bomb(), expanding_sheet(2_000).size)
        self.assert_refused(
            honest_bomb(),
            "bomb.xlsx",
            problem="bomb.xlsx unpacks to 2,097 MB, more than the 1,000 MB this app reads",
            advice="split it into smaller workbooks",
        )

    def test_a_sheet_longer_than_its_declared_size_is_refused(self):
        """The headers say 1 MiB, the stream holds 2,000 MiB: the guard counts what it unpacks
        and stops just past the declared size."""
        self.assert_declared_size(understating_bomb(), 1 * MIB)
        self.assert_refused(
            understating_bomb(),
            "bomb.xlsx",
            problem="do not unpack to the sizes the file declares, which is how zip bombs work",
            advice="Open it in Excel and save it again",
        )

    def test_a_sheet_shorter_than_its_declared_size_is_refused(self):
        """The headers say 20 MiB, the stream holds 10 MiB."""
        self.assert_declared_size(overstating_workbook(), 20 * MIB)
        self.assert_refused(
            overstating_workbook(),
            "short.xlsx",
            problem="do not unpack to the sizes the file declares",
            advice="Open it in Excel and save it again",
        )

    def test_a_declared_size_beyond_what_deflate_can_reach_is_refused(self):
        """Deflate unpacks at most about 1,032 bytes from one: 900 MB from 30 kB is a lie that
        the zip directory alone shows."""
        data = patch_declared_size(small_expanding_workbook(), SHEET_PATH, 900 * MB)
        self.assert_refused(
            data,
            "ratio.xlsx",
            problem="do not unpack to the sizes the file declares",
            advice="Open it in Excel and save it again",
        )

    def test_the_same_sheet_with_true_headers_is_read(self):
        """The counterpart of the lies above: the 10 MiB sheet is a valid table of 1s."""
        summary, _ = stats(small_expanding_workbook(), "ones.xlsx")
        rows = 10 * MIB // len(b'<row><c t="n"><v>1</v></c></row>') - 1  # less the header
        # The header cell is the number 1, named as Excel shows it.
        self.assertEqual(column_stats(summary), {"1": (rows, rows, 1.0, 1.0, 1.0)})


class UnpackedPartMemoryTest(unittest.TestCase):
    """The guard unpacks every part once, in chunks of 1 MB, a few chunks ahead: its memory does
    not grow with the size of a part. Measured with tracemalloc (Python's own allocations, which
    hold every unpacked byte) on valid workbooks padded with 32 MiB of XML comments."""

    PADDING_MIB = 32
    PEAK_BYTES = 32 * MB  # the padded sheet peaks at about 9 MB

    def read_measuring_memory(self, data: bytes):
        tracemalloc.start()
        try:
            summary, _ = stats(data, "padded.xlsx")
            return summary, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def test_a_large_sheet_part_is_checked_in_bounded_memory(self):
        data = workbook_with_padded_part(SHEET_PATH, self.PADDING_MIB)
        summary, peak = self.read_measuring_memory(data)
        self.assertEqual(column_stats(summary), {"Value": (1, 1, 1.0, 1.0, 1.0)})
        self.assertLess(peak, self.PEAK_BYTES, f"peak {peak / MB:.0f} MB")

    def test_a_large_content_types_part_is_refused_before_it_is_unpacked(self):
        """The guard parses "[Content_Types].xml" whole, so it refuses one larger than a
        megabyte (Excel writes a few kilobytes) before unpacking it: a 0.9 MB upload whose content
        types held 900 MiB of spaces once took the command line to a 1.9 GB peak."""
        data = workbook_with_padded_part("[Content_Types].xml", self.PADDING_MIB)
        tracemalloc.start()
        try:
            with self.assertRaisesRegex(UploadError, "damaged or incomplete"):
                stats(data, "padded.xlsx")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        self.assertLess(peak, self.PEAK_BYTES, f"peak {peak / MB:.0f} MB")


class EntityExpansionTest(RefusalTestCase):
    def test_billion_laughs_in_the_shared_strings_is_refused(self):
        self.assert_refused(
            billion_laughs_workbook(),
            "laughs.xlsx",
            problem="contains an XML document type declaration",
            advice="Open the file in Excel and save it again",
        )

    def test_one_large_entity_used_many_times_in_the_sheet_is_refused(self):
        self.assert_refused(
            quadratic_blowup_workbook(),
            "quadratic.xlsx",
            problem="contains an XML document type declaration",
            advice="Open the file in Excel and save it again",
        )

    def test_a_document_type_declaration_after_a_long_prolog_is_refused(self):
        """A document type declaration may stand after any number of comments; the guard follows
        the prolog across chunks until the first element. (python-calamine does not expand
        entities, but the refusal must not depend on that.)"""
        comments = "<!-- padding -->\n" * 100_000
        doctype = '<!DOCTYPE worksheet [<!ENTITY unit "kN">]>\n'
        rows_xml = row(1, "Load", "Unit") + '<row r="2"><c r="A2"><v>1</v></c>'
        rows_xml += '<c r="B2" t="inlineStr"><is><t>&unit;</t></is></c></row>'
        data = xlsx_from_sheets({"Sheet1": worksheet_xml(rows_xml, prolog=comments + doctype)})
        self.assert_refused(
            data,
            "late-doctype.xlsx",
            problem="contains an XML document type declaration",
            advice="Open the file in Excel and save it again",
        )


class FarApartCellsTest(RefusalTestCase):
    def test_two_filled_cells_far_apart_are_refused(self):
        """A1 and XFD1048576: python-calamine would hold the 17 billion cells between them."""
        self.assert_refused(
            xlsx_from_sheet_xml(FAR_APART_ROWS),
            "far.xlsx",
            problem="span more than 10,000,000 cells (at least A1:XFD1048576)",
            advice="Delete the rows and columns that do not belong to the table",
        )

    def test_far_cells_written_without_references_are_refused(self):
        """Cells without ``r`` follow each other: 16,384 of them in row 1048576 reach XFD."""
        far_row = '<row r="1048576">' + "<c><v>1</v></c>" * 16_384 + "</row>"
        self.assert_refused(
            xlsx_from_sheet_xml(row(1, "Span") + row(2, 4.5) + far_row),
            "far.xlsx",
            # The scan stops as soon as the cells pass the limit, so it names where it stopped.
            problem="span more than 10,000,000 cells (at least A1:",
            advice="Delete the rows and columns that do not belong to the table",
        )

    def test_a_formatted_empty_cell_far_away_is_harmless(self):
        rows_xml = row(1, "Span") + row(2, 4.5) + row(3, 6.0)
        rows_xml += '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
        summary, sheet = stats(xlsx_from_sheet_xml(rows_xml), "formatted.xlsx")
        self.assertEqual(sheet, "Sheet1")
        self.assertEqual(column_stats(summary), {"Span": (2, 2, 4.5, 6.0, 5.25)})

    def test_rows_and_cells_without_references_are_read(self):
        """Some writers leave out ``r``: each row follows the previous one, each cell too."""
        text = '<c t="inlineStr"><is><t>{}</t></is></c>'.format
        rows_xml = f"<row>{text('Span')}{text('Load')}</row>"
        rows_xml += "<row><c><v>4.5</v></c><c><v>10</v></c></row>"
        rows_xml += "<row><c><v>6</v></c><c><v>20</v></c></row>"
        summary, _ = stats(xlsx_from_sheet_xml(rows_xml), "plain.xlsx")
        self.assertEqual(
            column_stats(summary),
            {"Span": (2, 2, 4.5, 6.0, 5.25), "Load": (2, 2, 10.0, 20.0, 15.0)},
        )


class NotAWorkbookTest(RefusalTestCase):
    def test_a_password_protected_workbook_is_named_as_such(self):
        """Excel encrypts a protected workbook into an OLE compound file with a stream named
        "EncryptedPackage"; ``ole_file`` writes a minimal one."""
        data = ole_file(
            {
                "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",  # version 4.4: agile
                "EncryptedPackage": random.Random(1).randbytes(5_000),
            }
        )
        self.assert_refused(
            data,
            "secret.xlsx",
            problem="secret.xlsx is protected with a password",
            advice="remove the password (File > Info > Protect Workbook)",
        )

    def test_an_xls_workbook_renamed_to_xlsx_is_named_as_such(self):
        data = ole_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"})  # a BIFF8 start
        self.assert_refused(
            data,
            "old.xlsx",
            problem="old.xlsx is an Excel 97-2003 workbook (.xls) with the extension .xlsx",
            advice="save it as an Excel Workbook (.xlsx)",
        )

    def test_other_files_renamed_to_xlsx_are_refused(self):
        starts = {
            "PNG image": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100),
            "PDF document": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n",
        }
        for label, data in starts.items():
            with self.subTest(label):
                self.assert_refused(
                    data,
                    "table.xlsx",
                    problem="table.xlsx is not an Excel workbook, although its name ends in .xlsx",
                    advice="save it as an Excel Workbook (.xlsx) or as CSV",
                )

    def test_a_truncated_workbook_is_damaged(self):
        whole = xlsx_from_sheet_xml(row(1, "Span") + row(2, 4.5))
        self.assert_refused(
            whole[: len(whole) // 2],
            "half.xlsx",
            problem="half.xlsx is damaged or incomplete",
            advice="Upload it again",
        )

    def test_an_empty_file_is_refused(self):
        for filename in ("empty.xlsx", "empty.csv"):
            with self.subTest(filename):
                self.assert_refused(
                    b"",
                    filename,
                    problem=f"{filename} is empty (0 bytes)",
                    advice="Upload the file again",
                )

    def test_binary_garbage_named_csv_is_not_text(self):
        self.assert_refused(
            random.Random(7).randbytes(100_000),
            "garbage.csv",
            problem="garbage.csv is not a text file, so it cannot be read as CSV",
            advice="Export the table from its program as CSV",
        )


class SizeLimitTest(RefusalTestCase):
    def test_a_single_line_of_100_mb_is_refused_by_the_line_limit(self):
        """The 100 MB come from a ``LazyStream``; the size limit is raised to 200 MB so that the
        line limit (1,000,000 characters) is the one that refuses the file."""
        line = LazyStream(100 * MB, pattern=b"1234567890,")
        self.assert_refused(
            line,
            "line.csv",
            problem="Line 1 of line.csv is longer than 1,000,000 characters",
            advice="Check that the file is a table, one row per line",
            limits=Limits(upload_bytes=200 * MB),
        )

    def test_an_upload_over_the_size_limit_is_refused(self):
        """The user interface limits uploads too, but the code checks what arrives."""
        upload = LazyStream(100 * MB + 1, pattern=b"1.5,2.5\n", start=b"a,b\n")
        self.assert_refused(
            upload,
            "big.csv",
            problem="big.csv is larger than 100 MB, the largest upload this app accepts",
            advice="split it into smaller files",
        )


# The command line, run in a child process that writes its own peak memory to a file as it exits:
# VmHWM on Linux (ru_maxrss of a child also counts its parent's peak), ru_maxrss on macOS.
_RUN_AND_REPORT_PEAK = """
import atexit, runpy, sys
peak_file = sys.argv.pop(1)

def report_peak():
    peak = None
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) * 1024
    except OSError:
        try:
            import resource
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        except ImportError:
            return
    with open(peak_file, "w") as out:
        out.write(str(peak))

atexit.register(report_peak)
sys.argv[0] = "tablestats"
runpy.run_module("tablestats", run_name="__main__", alter_sys=True)
"""


def _limit_child_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE_BYTES, CHILD_ADDRESS_SPACE_BYTES))


def amplified_text_workbook(cells: int = 20_000, text_length: int = 32_000) -> bytes:
    """One long shared string used by many cells: python-calamine copies it into each cell, so a
    file of ~150 kB asks for cells x length bytes (640 MB here)."""
    rows_xml = row(1, "Note") + "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(2, cells + 2)
    )
    return xlsx_from_sheets(
        {"Sheet1": worksheet_xml(rows_xml)},
        shared_strings_xml=shared_strings_xml("x" * text_length),
    )


class SharedTextTest(RefusalTestCase):
    def test_one_long_text_repeated_in_many_cells_is_refused(self):
        self.assert_refused(
            amplified_text_workbook(),
            "repeated.xlsx",
            problem="holds more text than this app reads at once",
            advice="Remove long texts that the table does not need",
        )

    def test_many_cells_sharing_short_texts_are_read(self):
        rows_xml = row(1, "Grade", "Span") + "".join(
            f'<row r="{n}"><c r="A{n}" t="s"><v>{n % 3}</v></c><c r="B{n}"><v>{n}</v></c></row>'
            for n in range(2, 20_002)
        )
        data = xlsx_from_sheets(
            {"Sheet1": worksheet_xml(rows_xml)},
            shared_strings_xml=shared_strings_xml("S235", "S355", "S460"),
        )
        summary, _ = stats(data, "grades.xlsx")
        self.assertEqual(column_stats(summary)["Grade"], (20_000, 0, None, None, None))

    def test_a_cell_referring_to_a_missing_text_is_refused(self):
        rows_xml = row(1, "Grade", "Span") + '<row r="2"><c r="A2" t="s"><v>5</v></c></row>'
        data = xlsx_from_sheets(
            {"Sheet1": worksheet_xml(rows_xml)}, shared_strings_xml=shared_strings_xml("S235")
        )
        with self.assertRaisesRegex(UploadError, "damaged or incomplete"):
            stats(data, "missing-text.xlsx")


class ManyEmptyTagsTest(RefusalTestCase):
    def test_a_sheet_of_millions_of_empty_cell_tags_is_refused_quickly(self):
        """Empty tags without a reference send a sheet to the exact scan, which reads every tag;
        counting them, filled or not, keeps a small file from taking minutes."""
        far_row = '<row r="3">' + "<c/>" * 200_000 + "</row>"
        self.assert_refused(
            xlsx_from_sheet_xml(row(1, "Span") + row(2, 4.5) + far_row),
            "empty-tags.xlsx",
            problem="holds more than 100,000 rows and cells, empty ones included",
            advice="Delete the rows and columns that do not belong to the table",
            limits=Limits(cells=100_000),
        )


class ZipDirectoryTest(RefusalTestCase):
    def test_a_zip_listing_too_many_parts_is_refused_before_they_are_read(self):
        """zipfile builds an object per directory entry; the count is checked first."""
        parts = {f"padding/{number}.bin": b"" for number in range(12_000)}
        data = xlsx_from_sheets(
            {"Sheet1": worksheet_xml(row(1, "Span") + row(2, 4.5))}, extra_parts=parts
        )
        tracemalloc.start()
        try:
            self.assert_refused(
                data,
                "crowded.xlsx",
                problem="holds more files inside than an Excel workbook does",
                advice="Save the table again in Excel",
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        self.assertLess(peak, 16 * MB, f"peak {peak / MB:.0f} MB")


class CommandLineTest(unittest.TestCase):
    """``python -m tablestats UPLOAD`` on the files that would abort python-calamine."""

    def run_command_line(self, data: bytes, filename: str) -> subprocess.CompletedProcess:
        """Run the command line on ``data``; ``result.peak_bytes`` is the child's own peak memory
        (None where the system cannot tell), written by the child as it exits."""
        with tempfile.TemporaryDirectory() as folder:
            upload = Path(folder) / filename
            upload.write_bytes(data)
            peak_file = Path(folder) / "peak"
            result = subprocess.run(
                [sys.executable, "-c", _RUN_AND_REPORT_PEAK, str(peak_file), str(upload)]
                + ["--store", str(Path(folder) / "store")],
                cwd=REPOSITORY_ROOT,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=COMMAND_TIMEOUT_SECONDS,
                preexec_fn=_limit_child_memory if sys.platform == "linux" else None,
            )
            text = peak_file.read_text() if peak_file.exists() else ""
            result.peak_bytes = int(text) if text.isdigit() else None
            return result

    def assert_refused_in_one_line(self, result: subprocess.CompletedProcess, problem: str):
        self.assertEqual(result.returncode, 2, result.stderr[:1_000])
        self.assertNotIn("Traceback", result.stderr)
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertTrue(lines[0].startswith("error: "), lines[0])
        self.assertIn(problem, lines[0])
        self.assertEqual(result.stdout, "")

    def assert_peak_memory_bounded(self, result: subprocess.CompletedProcess):
        if result.peak_bytes is None:
            return  # Windows: no peak to read; the other assertions still hold
        peak = result.peak_bytes
        self.assertLess(peak, PEAK_MEMORY_BYTES, f"peak {peak / MB:.0f} MB")

    def test_hostile_workbooks_end_with_status_2_and_one_line(self):
        cases = [
            ("bomb.xlsx", honest_bomb(), "unpacks to 2,097 MB"),
            ("understating.xlsx", understating_bomb(), "which is how zip bombs work"),
            ("overstating.xlsx", overstating_workbook(), "which is how zip bombs work"),
            ("far.xlsx", xlsx_from_sheet_xml(FAR_APART_ROWS), "span more than 10,000,000 cells"),
            ("laughs.xlsx", billion_laughs_workbook(), "XML document type declaration"),
            ("quadratic.xlsx", quadratic_blowup_workbook(), "XML document type declaration"),
            ("repeated.xlsx", amplified_text_workbook(100_000), "more text than this app reads"),
        ]
        for filename, data, problem in cases:
            with self.subTest(filename):
                result = self.run_command_line(data, filename)
                self.assert_refused_in_one_line(result, problem)
                self.assert_peak_memory_bounded(result)

    def test_far_cells_hidden_from_the_guard_by_xml_syntax_are_refused(self):
        """XML syntax that a search with regular expressions reads differently from
        python-calamine. In each sheet below, python-calamine finds a filled cell at XFD1048576
        (or 16,384 cells in row 1048576), asks for 550 GB for the grid and aborts the process
        (status -6, SIGABRT), which no ``except`` catches; a guard that searched tags with
        regular expressions only was led to a cell within the limit. The guard now accepts only
        plain cell tags on its fast path and parses everything else as XML. Only the command line
        runs these: were the guard wrong, in this process they would end the test run."""
        wide_row = "<c><v>1</v></c>" * 16_384
        cases = {
            # Not well-formed XML: python-calamine takes the last reference.
            "duplicate r attribute": (
                '<row r="1048576"><c r="B1" r="XFD1048576"><v>1</v></c></row>',
                "not well-formed XML",
            ),
            "'>' inside an earlier attribute value": (
                '<row r="1048576"><c note="a>b" r="XFD1048576"><v>1</v></c></row>',
                "span more than 10,000,000 cells",
            ),
            "' r=\"A1\"' inside an earlier attribute value": (
                '<row r="1048576"><c note=\' r="A1"\' r="XFD1048576"><v>1</v></c></row>',
                "span more than 10,000,000 cells",
            ),
            "a row tag inside a comment (python-calamine skips comments)": (
                f'<row r="1048576"><!-- <row r="2"> -->{wide_row}</row>',
                "span more than 10,000,000 cells",
            ),
        }
        # The first rows are read exactly and set the width the rest is checked against: a cell
        # whose tag is in those rows but whose value comes later must still count.
        for label, padding in [("just past the first rows", 70_000), ("past a chunk", 1_200_000)]:
            far_value = (
                '<row r="1"><c r="A1" t="inlineStr"><is><t>Span</t></is></c>'
                f'<c r="XFD1"><!--{"x" * padding}--><v>1</v></c></row>'
            )
            cases[f"the value of a far cell {label}"] = (
                far_value + row(2, 4.5) + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
                "span more than 10,000,000 cells",
            )
        for label, (far_row, problem) in cases.items():
            with self.subTest(label):
                first_rows = row(1, "Span") + row(2, 4.5)
                data = xlsx_from_sheet_xml(
                    far_row if far_row.startswith('<row r="1">') else first_rows + far_row
                )
                result = self.run_command_line(data, "hidden-far.xlsx")
                self.assert_refused_in_one_line(result, problem)
                self.assert_peak_memory_bounded(result)


if __name__ == "__main__":
    unittest.main()
