"""Excel workbooks (.xlsx, .xlsm) as Excel, LibreOffice and openpyxl write them.

Workbooks come from openpyxl where it writes what a case needs (several sheets, merged cells,
dates), and from XML written by hand (``sample_files.xlsx_from_sheet_xml``) where a case needs
what openpyxl does not write: cached values of formulas, error cells, a whole-sheet dimension.
Each test checks the exact statistics, or the sheet that was read.
"""

import datetime
import io
import time
import unittest
from unittest import mock

import openpyxl

from app_files.uploaded import UploadError
from demo.sample_files import (
    MACRO_WORKBOOK_CONTENT_TYPE,
    MAIN_NAMESPACE,
    cell,
    column_stats,
    row,
    shared_strings_xml,
    stats,
    worksheet_xml,
    xlsx_from_openpyxl,
    xlsx_from_sheet_xml,
    xlsx_from_sheets,
)
from tablestats.limits import DEFAULT_LIMITS, Limits
from tablestats.readers import xlsx as xlsx_module
from tablestats.readers import xlsx_guard, zip_parts
from tablestats.readers.xlsx import read_xlsx, read_xlsx_rows
from tablestats.table import Table

BEAM_ROWS = row(1, "Beam", "Span [m]") + row(2, "B1", 4.5) + row(3, "B2", 6.0) + row(4, "B3", 7.5)
BEAM_SHEET = worksheet_xml(BEAM_ROWS)
BEAM_STATS = {"Beam": (3, 0, None, None, None), "Span [m]": (3, 3, 4.5, 7.5, 6.0)}


def read(data: bytes) -> Table:
    """The table the Excel reader gives for ``data``."""
    return read_xlsx(io.BytesIO(data), "book.xlsx", DEFAULT_LIMITS)


def rows_of(data: bytes) -> list[list]:
    """The rows below the header, as the Excel reader gives their values for ``data``."""
    return list(read_xlsx_rows(io.BytesIO(data), "book.xlsx", DEFAULT_LIMITS)[1])


def workbook(*sheets: tuple[str, list[list]]) -> openpyxl.Workbook:
    """An openpyxl workbook with the given (name, rows) sheets, in that order."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for values in rows:
            sheet.append(values)
    return book


class SheetChoiceTest(unittest.TestCase):
    def test_the_first_sheet_is_read_and_its_name_reported(self):
        summary, sheet = stats(xlsx_from_sheet_xml(BEAM_ROWS, sheet_name="Beams 2024"), "b.xlsx")
        self.assertEqual(sheet, "Beams 2024")
        self.assertEqual(column_stats(summary), BEAM_STATS)

    def test_of_several_sheets_the_first_is_read(self):
        book = workbook(
            ("Loads", [["Case", "Load"], ["LC1", 10], ["LC2", 30]]),
            ("Spans", [["Beam", "Span"], ["B1", 99]]),
        )
        summary, sheet = stats(xlsx_from_openpyxl(book), "loads.xlsx")
        self.assertEqual(sheet, "Loads")
        self.assertEqual(column_stats(summary)["Load"], (2, 2, 10.0, 30.0, 20.0))

    def test_a_hidden_first_sheet_is_skipped(self):
        book = workbook(
            ("Lookup", [["Code", "Factor"], ["A", 1.35]]),
            ("Loads", [["Case", "Load"], ["LC1", 10], ["LC2", 30]]),
        )
        book["Lookup"].sheet_state = "hidden"
        summary, sheet = stats(xlsx_from_openpyxl(book), "loads.xlsx")
        self.assertEqual(sheet, "Loads")
        self.assertEqual(column_stats(summary)["Load"], (2, 2, 10.0, 30.0, 20.0))

    def test_a_hidden_first_sheet_written_by_hand_is_skipped(self):
        data = xlsx_from_sheets(
            {"Notes": worksheet_xml(row(1, "Note", "N") + row(2, "x", 1)), "Data": BEAM_SHEET},
            hidden=("Notes",),
        )
        summary, sheet = stats(data, "beams.xlsx")
        self.assertEqual(sheet, "Data")
        self.assertEqual(column_stats(summary), BEAM_STATS)

    def test_a_macro_enabled_workbook_xlsm(self):
        data = xlsx_from_sheet_xml(BEAM_ROWS, content_type=MACRO_WORKBOOK_CONTENT_TYPE)
        summary, sheet = stats(data, "beams.xlsm")
        self.assertEqual(sheet, "Sheet1")
        self.assertEqual(column_stats(summary), BEAM_STATS)

    def test_a_sheet_entry_without_a_relationship_does_not_matter(self):
        """python-calamine refuses the whole workbook over an entry with ``r:id=""``."""
        entry = '<sheet name="Broken" sheetId="7" r:id=""/>'
        # Nor does a relationship without an id, which the empty one must not find.
        worksheet_type = (
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
        )
        relationship = f'<Relationship Type="{worksheet_type}" Target="worksheets/sheet1.xml"/>'
        data = xlsx_from_sheets(
            {"Data": BEAM_SHEET}, sheet_entries_before=entry, extra_relationships=relationship
        )
        summary, sheet = stats(data, "beams.xlsx")
        self.assertEqual(sheet, "Data")
        self.assertEqual(column_stats(summary), BEAM_STATS)

    def test_an_excel_4_macro_sheet_does_not_matter(self):
        """python-calamine refuses the whole workbook over a macro sheet it does not know."""
        macro_type = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
        data = xlsx_from_sheets(
            {"Data": BEAM_SHEET},
            sheet_entries_before='<sheet name="Macro1" sheetId="9" r:id="rIdMacro"/>',
            extra_relationships=(
                f'<Relationship Id="rIdMacro" Type="{macro_type}" Target="macrosheets/sheet1.xml"/>'
            ),
            extra_parts={"xl/macrosheets/sheet1.xml": worksheet_xml(row(1, "x")).encode()},
        )
        summary, sheet = stats(data, "beams.xlsm")
        self.assertEqual(sheet, "Data")
        self.assertEqual(column_stats(summary), BEAM_STATS)

    def test_shared_strings_are_found_where_the_workbook_says(self):
        rows_xml = row(1, "Grade", "Span") + "".join(
            f'<row r="{n}"><c r="A{n}" t="s"><v>{n % 2}</v></c><c r="B{n}"><v>{n}</v></c></row>'
            for n in (2, 3)
        )
        data = xlsx_from_sheets(
            {"Beams": worksheet_xml(rows_xml)},
            shared_strings_xml=shared_strings_xml("S235", "S355"),
            shared_strings_target="strings/shared.xml",
        )
        self.assertEqual(rows_of(data), [["S235", 2.0], ["S355", 3.0]])

    def test_the_1904_date_system_is_kept(self):
        """Style 1 is a date: 45352 days after the start of 1904, not of 1900."""
        rows_xml = row(1, "Date", "Reading")
        rows_xml += '<row r="2">' + cell("A2", 45352, style=1) + cell("B2", 1.5) + "</row>"
        data = xlsx_from_sheets(
            {"Log": worksheet_xml(rows_xml)}, workbook_properties='<workbookPr date1904="1"/>'
        )
        self.assertEqual(rows_of(data), [[datetime.date(2028, 3, 2), 1.5]])

    def test_an_empty_sheet_is_refused(self):
        with self.assertRaises(UploadError) as caught:
            stats(xlsx_from_sheet_xml("", sheet_name="Empty"), "empty.xlsx")
        self.assertIn("The sheet 'Empty' in empty.xlsx is empty", str(caught.exception))


class HeaderTest(unittest.TestCase):
    """Column names are the header's cells as Excel shows them, not as Python spells them."""

    def test_numbers_truth_values_and_dates_name_columns_as_excel_shows_them(self):
        header = [
            15,
            15.5,
            True,
            datetime.date(2024, 3, 1),
            datetime.datetime(2024, 3, 2, 14, 30),
            datetime.time(14, 30),
            datetime.timedelta(hours=26, minutes=30),
            1e20,
            "Span [m]",
            None,
        ]
        table = read(xlsx_from_openpyxl(workbook(("Data", [header, [1] * len(header)]))))
        self.assertEqual(
            table.header,
            [
                "15",
                "15.5",
                "TRUE",
                "3/1/2024",
                "3/2/2024 14:30",
                "14:30:00",
                "26:30:00",
                "1E+20",
                "Span [m]",
                "",
            ],
        )

    def test_a_header_date_of_a_1904_workbook_as_excel_shows_it(self):
        """Excel for Mac (and older files) count dates from 1904: day 1 is 1/2/1904, which the
        1900 system would show as 1/1/1900. Both spellings of the flag; and a sheet copied as two
        workbooks (``SPLIT_BYTES``), each of which must keep it."""
        header = '<row r="1">' + cell("A1", 1, style=1) + cell("B1", 45352, style=1) + "</row>"
        body = "".join(
            f'<row r="{n}">{cell(f"A{n}", 2, style=1)}{cell(f"B{n}", 1.5)}</row>'
            for n in range(2, 40)
        )
        for flag in ("1", "true"):
            data = xlsx_from_sheets(
                {"Log": worksheet_xml(header + body)},
                workbook_properties=f'<workbookPr date1904="{flag}"/>',
            )
            for split_bytes in (xlsx_guard.SPLIT_BYTES, 200):
                with self.subTest(flag=flag, split_bytes=split_bytes):
                    read = read_split(data, split_bytes)
                    self.assertEqual(read["header"], ["1/2/1904", "3/2/2028"])
                    self.assertEqual(read["rows"][-1], [datetime.date(1904, 1, 3), 1.5])
                    self.assertEqual(len(read["loaded"]), 1 if split_bytes > 200 else 2)

    def test_a_number_header_shows_15_significant_digits_as_in_excel(self):
        rows_xml = '<row r="1"><c r="A1"><v>0.30000000000000004</v></c><c r="B1"><v>-0</v></c>'
        rows_xml += '<c r="C1" t="b"><v>0</v></c></row>' + row(2, 1, 2, 3)
        self.assertEqual(read(xlsx_from_sheet_xml(rows_xml)).header, ["0.3", "0", "FALSE"])

    def test_the_statistics_name_columns_after_the_header_text(self):
        summary, _ = stats(xlsx_from_sheet_xml(row(1, 2024, 2025) + row(2, 1.5, 2.5)), "y.xlsx")
        self.assertEqual([column.name for column in summary.columns], ["2024", "2025"])


def closedxml_grades(last_row: int) -> bytes:
    """A workbook as ClosedXML writes it (an ``x:`` prefix on every element): a sheet "Beams" of
    grades (shared strings, S235 and S355 by turns) and spans (2 to ``last_row``)."""
    rows_xml = row(1, "Grade", "Span") + "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>{n % 2}</v></c><c r="B{n}"><v>{n}</v></c></row>'
        for n in range(2, last_row + 1)
    )
    return xlsx_from_sheets(
        {"Beams": worksheet_xml(rows_xml)},
        shared_strings_xml=shared_strings_xml("S235", "S355"),
        prefix="x",
    )


class PrefixedWorkbookTest(unittest.TestCase):
    """Workbooks written by ClosedXML and the OpenXML SDK: a prefix on every element."""

    def test_a_workbook_with_prefixed_elements_and_shared_strings_is_read(self):
        data = closedxml_grades(last_row=5)
        summary, sheet = stats(data, "closedxml.xlsx")
        self.assertEqual(sheet, "Beams")
        self.assertEqual(
            column_stats(summary),
            {"Grade": (4, 0, None, None, None), "Span": (4, 4, 2.0, 5.0, 3.5)},
        )


def read_split(
    data: bytes,
    split_bytes: int = 200,
    limits: Limits = DEFAULT_LIMITS,
    chunk_bytes: int = zip_parts.CHUNK_BYTES,
    cores: int = 2,
) -> dict:
    """What the reader makes of ``data`` when a sheet over ``split_bytes`` of XML is copied as two
    workbooks (on ``cores`` cores): its rows, statistics and the workbooks it loaded. The guard
    reads the sheet in chunks of about ``chunk_bytes``: a first half can be loaded early only if
    it ends a chunk."""
    loaded = []

    def load(path):
        loaded.append(path.name)
        return load_sheet(path)

    load_sheet = xlsx_module._load_sheet
    with (
        mock.patch.object(xlsx_guard, "SPLIT_BYTES", split_bytes),
        mock.patch.object(xlsx_module, "available_cores", return_value=cores),
        mock.patch.object(xlsx_module, "_load_sheet", load),
        mock.patch.object(zip_parts, "CHUNK_BYTES", chunk_bytes),
    ):
        header, rows = read_xlsx_rows(io.BytesIO(data), "book.xlsx", limits)
        rows = list(rows)
        summary, sheet = stats(data, "book.xlsx", limits)
    return {"header": header, "rows": rows, "summary": summary, "loaded": sorted(set(loaded))}


class SplitSheetTest(unittest.TestCase):
    """A large sheet is copied as two workbooks of its rows, loaded on two threads
    (``xlsx_guard.SPLIT_BYTES``): the table is the same as from one."""

    def assert_same_as_unsplit(
        self, data: bytes, loaded: tuple = ("checked-1.xlsx", "checked-2.xlsx"), **options
    ) -> dict:
        """Read ``data`` split and whole: the same table; the split read loads ``loaded``."""
        split = read_split(data, **options)
        self.assertEqual(split["loaded"], sorted(loaded))
        whole = read_split(data, **{**options, "split_bytes": 10**9})
        self.assertEqual(whole["loaded"], ["checked-1.xlsx"])
        for found in ("header", "rows", "summary"):
            self.assertEqual(split[found], whole[found], found)
        return split

    def test_halves_that_start_and_end_in_other_columns(self):
        """Rows 2 to 20 fill columns C and D; rows 21 to 40, B, C and E: the second half's range
        starts left of the first's and ends right of it, and the header is in the first."""
        rows_xml = row(1, "Span", "Load", first_column=2)
        rows_xml += "".join(row(n, n / 4, f"L{n % 3}", first_column=2) for n in range(2, 21))
        rows_xml += "".join(row(n, "x", n, None, n * 2, first_column=1) for n in range(21, 41))
        split = self.assert_same_as_unsplit(xlsx_from_sheet_xml(rows_xml))
        self.assertEqual(split["header"], ["", "Span", "Load", ""])
        self.assertEqual(split["summary"].rows, 39)
        self.assertEqual(split["rows"][0], ["", 0.5, "L2", ""])
        self.assertEqual(split["rows"][-1], ["x", 40.0, "", 80.0])

    def test_a_prefixed_workbook_with_shared_strings(self):
        split = self.assert_same_as_unsplit(closedxml_grades(last_row=59))
        self.assertEqual(split["rows"][:2], [["S235", 2.0], ["S355", 3.0]])

    def test_no_split_where_a_row_end_may_be_text(self):
        """In a comment or a processing instruction, "</row>" is text, not a tag. Here one runs
        across the half-way point, and a split inside it would show the reader extra rows: the
        sheet is split before such text, never after it."""
        hidden = "".join(f'</row><row r="{n}"><c r="A{n}"><v>{n}</v></c>' for n in range(70, 99))
        rows = [row(1, "Span")] + [row(n, n) for n in range(2, 60)]
        one, two = ["checked-1.xlsx"], ["checked-1.xlsx", "checked-2.xlsx"]
        cases = {
            "a comment across the middle": (20, "<!-- {} -->", one),
            "an instruction across the middle": (20, "<?pad {} ?>", one),
            "a comment in the second half": (55, "<!-- {} -->", two),
        }
        for case, (at, markup, loaded) in cases.items():
            with self.subTest(case):
                rows_xml = "".join([*rows[:at], markup.format(hidden), *rows[at:]])
                split = self.assert_same_as_unsplit(xlsx_from_sheet_xml(rows_xml), loaded)
                self.assertEqual(split["summary"].rows, 58)

    def test_a_split_reads_the_rows_of_the_table_only(self):
        """Rows after the end of the table's rows (a second ``sheetData``, which the reader does
        not read), a root element with ">" in an attribute value, and a root element written in
        a comment before the real one: each reads as the sheet does, split or not."""
        rows_xml = row(1, "Span") + "".join(row(n, n) for n in range(2, 6))
        extra = "".join(row(n, 1000 + n) for n in range(10, 60))
        root = f'<worksheet xmlns="{MAIN_NAMESPACE}">'
        cases = {
            "a second sheetData": f"{root}<sheetData>{rows_xml}</sheetData>"
            f"<sheetData>{extra}</sheetData></worksheet>",
            "a > in an attribute": f'<worksheet xmlns="{MAIN_NAMESPACE}" a="x>y"><sheetData>'
            f"{rows_xml}{extra}</sheetData></worksheet>",
            "a root in a comment": f"<!-- <worksheet><sheetData>{extra} -->{root}<sheetData>"
            f"{rows_xml}</sheetData></worksheet>",
        }
        for case, sheet_xml in cases.items():
            with self.subTest(case):
                data = xlsx_from_sheets({"Sheet1": sheet_xml})
                split = read_split(data)
                whole = read_split(data, split_bytes=10**9)
                self.assertEqual((split["header"], split["rows"]), (whole["header"], whole["rows"]))

    def test_far_cells_in_a_comment_across_the_middle_never_reach_the_reader(self):
        """The cells of a comment count for nothing, but would abort the reader if a split
        inside the comment made them cells of the second half."""
        far = '</row><row r="1048576"><c r="XFD1048576"><v>1</v></c>'
        rows = [row(1, "Span")] + [row(n, n) for n in range(2, 60)]
        rows_xml = "".join([*rows[:20], f"<!-- {far * 30} -->", *rows[20:]])
        loaded, load_sheet = [], xlsx_module._load_sheet

        def load(path):
            loaded.append(path.name)
            if path.name == "checked-2.xlsx":
                raise AssertionError("the second half was loaded")
            return load_sheet(path)

        with (
            mock.patch.object(xlsx_guard, "SPLIT_BYTES", 200),
            mock.patch.object(xlsx_module, "available_cores", return_value=2),
            mock.patch.object(xlsx_module, "_load_sheet", load),
        ):
            summary, _ = stats(xlsx_from_sheet_xml(rows_xml), "hidden.xlsx")
        self.assertEqual((summary.rows, loaded), (58, ["checked-1.xlsx"]))

    def test_a_split_sheet_that_needs_the_exact_scan_is_copied_whole(self):
        """A cell with its attributes in another order (``<c s="0" r="A50">``) is for the exact
        scan, which follows the sheet as written, not its halves: the reader reads a whole copy,
        after the first half it loaded meanwhile is dropped."""
        rows_xml = row(1, "Span") + "".join(row(n, n) for n in range(2, 60))
        rows_xml = rows_xml.replace('<c r="A50">', '<c s="0" r="A50">')
        self.assert_same_as_unsplit(
            xlsx_from_sheet_xml(rows_xml),
            loaded=("checked-1.xlsx", "checked.xlsx"),
            chunk_bytes=256,
        )

    def test_each_half_fits_in_half_the_cell_limit(self):
        """Both halves are held at once. Here each fits in the cell limit of 1,000 cells, but
        the second not in half of it: the halves are not used, and a whole copy is read."""
        rows_xml = row(1, "Span") + "".join(row(n, n) for n in range(2, 60)) + row(600, 1)
        self.assert_same_as_unsplit(
            xlsx_from_sheet_xml(rows_xml),
            loaded=("checked-1.xlsx", "checked.xlsx"),
            limits=Limits(cells=1_000),
            chunk_bytes=256,
        )

    def test_a_sheet_that_may_not_fit_in_a_quarter_of_the_cell_limit_is_not_split(self):
        rows_xml = row(1, "Span") + "".join(row(n, n) for n in range(2, 40))
        self.assert_same_as_unsplit(
            xlsx_from_sheet_xml(rows_xml), loaded=("checked-1.xlsx",), limits=Limits(cells=100)
        )

    def test_on_one_core_a_sheet_is_not_split(self):
        """Two workbooks loaded one after the other on one core only cost time."""
        rows_xml = row(1, "Span") + "".join(row(n, n) for n in range(2, 60))
        loaded = read_split(xlsx_from_sheet_xml(rows_xml), cores=1)["loaded"]
        self.assertEqual(loaded, ["checked-1.xlsx"])

    def test_the_rows_a_progress_message_expects_span_both_halves(self):
        """Rows 1 to 20, then empty rows, then rows 1000 to 1019: 1,019 rows, split or not.
        Row 20 holds most of the XML, so the split falls between it and row 1000."""
        rows_xml = row(1, "Span") + "".join(row(n, n) for n in range(2, 20))
        rows_xml += row(20, "x" * 5000) + "".join(row(n, n) for n in range(1000, 1020))
        data = xlsx_from_sheet_xml(rows_xml)
        expected = []
        for split_bytes in (200, 10**9):
            with (
                mock.patch.object(xlsx_guard, "SPLIT_BYTES", split_bytes),
                mock.patch.object(xlsx_module, "available_cores", return_value=2),
            ):
                expected.append(read(data).expected_rows)
        self.assertEqual(expected, [1019, 1019])

    def test_rows_out_of_order_are_read_as_one_sheet(self):
        """Excel writes rows in order; a sheet whose second half holds rows above the first
        half's last is read again, whole."""
        rows_xml = row(2, 5) + row(1, "Span") + "".join(row(n, n) for n in range(3, 30))
        rows_xml += row(1_000, 1) + "".join(row(n, n) for n in range(30, 60))
        split = self.assert_same_as_unsplit(xlsx_from_sheet_xml(rows_xml))
        self.assertEqual(split["header"], ["Span"])

    def test_a_half_is_loaded_only_once_it_is_checked(self):
        """Cells in A1 and XFD1048576 would make the reader abort the process (see
        ``xlsx_guard``). In either half they are found and refused, and that half is never
        loaded; a first half without them may have been loaded meanwhile."""
        far_cell = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        rows = [row(1, "Span")] + [row(n, n) for n in range(2, 40)]
        cases = {
            "in the first half": (rows[:2] + [far_cell] + rows[2:], []),
            "in the second half": (rows + [far_cell], ["checked-1.xlsx"]),
        }
        for case, (rows_xml, safe) in cases.items():
            with self.subTest(case):
                self.assertEqual(self.loaded_before_refusal("".join(rows_xml), safe), safe)

    def loaded_before_refusal(self, rows_xml: str, safe: list[str]) -> list[str]:
        """The workbooks the reader loaded before it refused the sheet; only those in ``safe``
        are really loaded."""
        loaded, load_sheet = [], xlsx_module._load_sheet

        def load(path):
            loaded.append(path.name)
            if path.name not in safe:
                raise AssertionError(f"{path.name} was loaded")
            return load_sheet(path)

        with (
            mock.patch.object(xlsx_guard, "SPLIT_BYTES", 200),
            mock.patch.object(xlsx_module, "available_cores", return_value=2),
            mock.patch.object(xlsx_module, "_load_sheet", load),
            self.assertRaises(UploadError) as caught,
        ):
            read_xlsx(io.BytesIO(xlsx_from_sheet_xml(rows_xml)), "far.xlsx", DEFAULT_LIMITS)
        self.assertIn("far.xlsx", str(caught.exception))
        return loaded

    def test_shared_strings_that_fit_once_but_not_twice_are_read_from_a_whole_copy(self):
        """Each workbook holds all the shared strings: 2 x 3,000 bytes of them, and 40 cells of
        one of 10 bytes, are over a text limit of 6,000 bytes for two halves, within it for one
        whole copy, which is read; under a limit of 3,000 bytes even that is refused."""
        rows_xml = row(1, "Grade", "Span") + "".join(
            f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c><c r="B{n}"><v>{n}</v></c></row>'
            for n in range(2, 42)
        )
        data = xlsx_from_sheets(
            {"Beams": worksheet_xml(rows_xml)},
            shared_strings_xml=shared_strings_xml("S235", "x" * 2900),
        )
        split = self.assert_same_as_unsplit(
            data, loaded=("checked-1.xlsx", "checked.xlsx"), limits=Limits(text_bytes=6_000)
        )
        self.assertEqual(split["summary"].rows, 40)
        with self.assertRaises(UploadError) as caught:
            read_split(data, limits=Limits(text_bytes=3_000))
        self.assertIn("holds more text than this app reads at once", str(caught.exception))


class CellValueTest(unittest.TestCase):
    def test_formulas_give_their_cached_values(self):
        """Excel stores a formula (``<f>``) and the value it last computed (``<v>``); the reader
        takes the value. openpyxl writes no cached values, so this sheet is written by hand."""
        rows_xml = (
            row(1, "Length", "Width", "Area", "Label")
            + '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><v>3</v></c>'
            '<c r="C2"><f>A2*B2</f><v>6</v></c>'
            '<c r="D2" t="str"><f>"L"&amp;A2</f><v>L2</v></c></row>'
            + '<row r="3"><c r="A3"><v>4</v></c><c r="B3"><v>2.5</v></c>'
            '<c r="C3"><f>A3*B3</f><v>10</v></c>'
            '<c r="D3" t="str"><f>"L"&amp;A3</f><v>L4</v></c></row>'
        )
        summary, _ = stats(xlsx_from_sheet_xml(rows_xml), "areas.xlsx")
        self.assertEqual(
            column_stats(summary),
            {
                "Length": (2, 2, 2.0, 4.0, 3.0),
                "Width": (2, 2, 2.5, 3.0, 2.75),
                "Area": (2, 2, 6.0, 10.0, 8.0),
                "Label": (2, 0, None, None, None),
            },
        )

    def test_a_formula_without_a_cached_value_reads_as_empty(self):
        """As openpyxl writes formulas: ``<f>`` only. Excel computes the value on opening."""
        book = workbook(("Areas", [["Length", "Area"], [2, "=A2*3"], [4, 12]]))
        summary, _ = stats(xlsx_from_openpyxl(book), "areas.xlsx")
        self.assertEqual(column_stats(summary)["Area"], (1, 1, 12.0, 12.0, 12.0))

    def test_formulas_without_a_saved_value_are_counted_by_table_column(self):
        """The table starts in column B: a formula in column A is not the table's."""
        rows_xml = row(1, None, "Length", "Area", first_column=0) + "".join(
            f'<row r="{n}"><c r="A{n}"><f>1</f></c><c r="B{n}"><v>{n}</v></c>'
            f'<c r="C{n}"><f>B{n}*2</f></c></row>'
            for n in (2, 3, 4)
        )
        table = read(xlsx_from_sheet_xml(rows_xml))
        self.assertEqual(table.first_column, 1)
        self.assertEqual(table.formulas_without_value, {1: 3})

    def test_openpyxl_formulas_are_counted(self):
        book = workbook(("Areas", [["Length", "Area"], [2, "=A2*3"], [4, "=A3*3"], [6, 18]]))
        self.assertEqual(read(xlsx_from_openpyxl(book)).formulas_without_value, {1: 2})

    def test_error_cells_read_as_empty(self):
        """python-calamine reads ``#DIV/0!`` and ``#N/A`` as empty cells: not counted at all."""
        rows_xml = (
            row(1, "Load", "Ratio")
            + row(2, 10, 0.5)
            + '<row r="3"><c r="A3"><v>20</v></c>'
            + '<c r="B3" t="e"><f>A3/0</f><v>#DIV/0!</v></c></row>'
            + '<row r="4"><c r="A4"><v>30</v></c><c r="B4" t="e"><v>#N/A</v></c></row>'
        )
        summary, _ = stats(xlsx_from_sheet_xml(rows_xml), "ratios.xlsx")
        self.assertEqual(summary.rows, 3)
        self.assertEqual(
            column_stats(summary),
            {"Load": (3, 3, 10.0, 30.0, 20.0), "Ratio": (1, 1, 0.5, 0.5, 0.5)},
        )

    def test_dates_are_counted_but_are_not_numbers(self):
        book = workbook(
            (
                "Log",
                [
                    ["Date", "Reading"],
                    [datetime.date(2024, 3, 1), 1.5],
                    [datetime.datetime(2024, 3, 2, 14, 30), 2.5],
                ],
            )
        )
        summary, _ = stats(xlsx_from_openpyxl(book), "log.xlsx")
        self.assertEqual(
            column_stats(summary),
            {"Date": (2, 0, None, None, None), "Reading": (2, 2, 1.5, 2.5, 2.0)},
        )

    def test_a_date_format_on_a_number_written_by_hand_makes_it_a_date(self):
        """Style 1 in these hand-made workbooks is Excel's built-in date format 14: the cell
        holds the serial number 45352, which Excel shows as 2024-03-01."""
        rows_xml = row(1, "Date", "Reading")
        rows_xml += '<row r="2">' + cell("A2", 45352, style=1) + cell("B2", 1.5) + "</row>"
        summary, _ = stats(xlsx_from_sheet_xml(rows_xml), "log.xlsx")
        self.assertEqual(column_stats(summary)["Date"], (1, 0, None, None, None))

    def test_booleans_are_counted_but_are_not_numbers(self):
        book = workbook(("Checks", [["Checked", "Load"], [True, 1], [False, 3]]))
        summary, _ = stats(xlsx_from_openpyxl(book), "checks.xlsx")
        self.assertEqual(
            column_stats(summary),
            {"Checked": (2, 0, None, None, None), "Load": (2, 2, 1.0, 3.0, 2.0)},
        )


class OtherPartsTest(unittest.TestCase):
    """Parts a workbook holds besides its sheets, as Excel writes them."""

    def test_binary_and_long_text_parts_do_not_matter(self):
        data = xlsx_from_sheet_xml(
            row(1, "Span") + row(2, 4.5),
            extra_parts={
                # Printer settings: binary, often long runs of zero bytes.
                "xl/printerSettings/printerSettings1.bin": bytes(2_000_000),
                # Power Query keeps its data as base64 text: megabytes without a tag.
                "customXml/item1.xml": b"<DataMashup>" + b"QUJD" * 500_000 + b"</DataMashup>",
            },
        )
        summary, _ = stats(data, "with-parts.xlsx")
        self.assertEqual(column_stats(summary)["Span"], (1, 1, 4.5, 4.5, 4.5))

    def test_infinity_and_nan_cells_are_values_but_not_numbers(self):
        rows_xml = row(1, "Load") + "".join(
            f'<row r="{n}"><c r="A{n}"><v>{value}</v></c></row>'
            for n, value in enumerate(["2.5", "inf", "-inf", "NaN", "3.5"], start=2)
        )
        summary, _ = stats(xlsx_from_sheet_xml(rows_xml), "extremes.xlsx")
        self.assertEqual(column_stats(summary)["Load"], (5, 2, 2.5, 3.5, 3.0))


class LayoutTest(unittest.TestCase):
    def test_merged_cells_hold_their_value_in_the_top_left_cell_only(self):
        book = workbook(
            (
                "Beams",
                [
                    ["Group", "Span", "Load"],
                    ["Roof", 4.5, 10],
                    [None, 6.0, 20],
                    ["Floor", 7.5, None],
                ],
            )
        )
        book["Beams"].merge_cells("A2:A3")  # "Roof" over two rows
        book["Beams"].merge_cells("B4:C4")  # 7.5 over two columns
        summary, _ = stats(xlsx_from_openpyxl(book), "beams.xlsx")
        self.assertEqual(
            column_stats(summary),
            {
                "Group": (2, 0, None, None, None),
                "Span": (3, 3, 4.5, 7.5, 6.0),
                "Load": (2, 2, 10.0, 20.0, 15.0),
            },
        )

    def test_empty_rows_above_the_header_are_skipped(self):
        """The table starts in row 3. python-calamine's rows start at row 1 (only its columns
        start at the first filled column), so the reader skips the empty rows itself."""
        rows_xml = row(3, "Beam", "Span [m]") + row(4, "B1", 4.5) + row(5, "B2", 6.0)
        summary, _ = stats(xlsx_from_sheet_xml(rows_xml), "beams.xlsx")
        self.assertEqual(summary.rows, 2)
        self.assertEqual(
            column_stats(summary),
            {"Beam": (2, 0, None, None, None), "Span [m]": (2, 2, 4.5, 6.0, 5.25)},
        )

    def test_empty_columns_left_of_the_table_are_skipped(self):
        rows_xml = (
            row(1, "Beam", "Span [m]", first_column=2)  # from C1
            + row(2, "B1", 4.5, first_column=2)
            + row(3, "B2", 6.0, first_column=2)
        )
        summary, _ = stats(xlsx_from_sheet_xml(rows_xml), "beams.xlsx")
        self.assertEqual(
            column_stats(summary),
            {"Beam": (2, 0, None, None, None), "Span [m]": (2, 2, 4.5, 6.0, 5.25)},
        )

    def test_the_first_column_of_a_table_is_where_it_starts_in_the_sheet(self):
        rows_xml = row(3, "Beam", None, first_column=3) + row(4, "B1", 4.5, first_column=3)
        data = xlsx_from_sheet_xml(rows_xml)  # from D3, with an unnamed column E
        self.assertEqual(read(data).first_column, 3)
        self.assertEqual(rows_of(data), [["B1", 4.5]])

    def test_a_sheet_with_whole_columns_formatted_is_read_quickly(self):
        """Excel declares the dimension ``A1:XFD1048576`` and a ``<col>`` for all 16,384
        columns when whole columns are formatted: 17 billion cells on paper, 60,000 filled."""
        rows_xml = row(1, "Index", "Half", "Label") + "".join(
            row(number, number - 1, (number - 1) / 2, f"r{number}") for number in range(2, 20_002)
        )
        data = xlsx_from_sheet_xml(
            rows_xml,
            dimension="A1:XFD1048576",
            cols_xml='<cols><col min="1" max="16384" width="12" style="1"/></cols>',
        )
        start = time.perf_counter()
        summary, _ = stats(data, "formatted.xlsx")
        elapsed = time.perf_counter() - start
        self.assertEqual(summary.rows, 20_000)
        self.assertEqual(
            column_stats(summary),
            {
                "Index": (20_000, 20_000, 1.0, 20_000.0, 10_000.5),
                "Half": (20_000, 20_000, 0.5, 10_000.0, 5_000.25),
                "Label": (20_000, 0, None, None, None),
            },
        )
        self.assertLess(elapsed, 10, "a generous bound: it takes well under a second")


if __name__ == "__main__":
    unittest.main()
