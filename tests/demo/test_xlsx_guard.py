"""The guard of the Excel reader on its own: the copy it gives the reader, and what it counts.

These tests call ``check_workbook`` only; the hostile files among them never reach python-calamine,
which would abort the test run on some of them (``test_hostile_uploads`` runs those through the
command line, in a child process).
"""

import io
import random
import tempfile
import unittest
import zipfile
from pathlib import Path

from app_files.uploaded import UploadError
from demo.sample_files import (
    XML_DECLARATION,
    row,
    shared_strings_xml,
    with_prefix,
    worksheet_xml,
    xlsx_from_sheet_xml,
    xlsx_from_sheets,
)
from tablestats.limits import DEFAULT_LIMITS
from tablestats.readers.sheet_extent import FastScan
from tablestats.readers.xlsx_guard import check_workbook
from tablestats.readers.xml_chunks import XmlPart
from tablestats.readers.zip_parts import cut_at_tags

SPAN_ROWS = row(1, "Span") + row(2, 4.5)


def checked(data: bytes):
    """What ``check_workbook`` gives for ``data``, and the parts of its copy ({name: bytes})."""
    with tempfile.TemporaryDirectory() as folder:
        copy = check_workbook(io.BytesIO(data), "book.xlsx", DEFAULT_LIMITS, Path(folder))
        (path,) = copy.paths  # a small sheet: one workbook
        with zipfile.ZipFile(path) as archive:
            return copy, {name: archive.read(name) for name in archive.namelist()}


def fast_scan_of(sheet_xml: str, *, shared_strings: bool = False) -> FastScan:
    """The fast scan of a sheet part, fed as the guard feeds it."""
    member_name = "xl/worksheets/sheet1.xml"
    data = xlsx_from_sheets({"Sheet1": sheet_xml})
    file = io.BytesIO(data)
    member = zipfile.ZipFile(file).getinfo(member_name)
    part = XmlPart(file, member, "book.xlsx", keep_whole=b"c")
    scan = FastScan(DEFAULT_LIMITS, member.file_size, part.prefix, shared_strings)
    for chunk in part:
        scan.feed(chunk)
    return scan


class CopyTest(unittest.TestCase):
    def test_the_copy_holds_the_sheet_to_read_and_the_parts_it_needs_only(self):
        data = xlsx_from_sheets(
            {"Notes": worksheet_xml(row(1, "x")), "Data": worksheet_xml(SPAN_ROWS)},
            hidden=("Notes",),
            shared_strings_xml=shared_strings_xml("S235"),
            extra_parts={"xl/media/image1.png": b"\x89PNG", "docProps/core.xml": b"<x/>"},
        )
        copy, parts = checked(data)
        self.assertEqual(copy.sheet, "Data")
        self.assertEqual(
            sorted(parts),
            [
                "_rels/.rels",
                "xl/_rels/workbook.xml.rels",
                "xl/sharedStrings.xml",
                "xl/styles.xml",
                "xl/workbook.xml",
                "xl/worksheets/sheet1.xml",
            ],
        )
        self.assertEqual(parts["xl/worksheets/sheet1.xml"], worksheet_xml(SPAN_ROWS).encode())

    def test_a_workbook_without_a_worksheet_is_refused(self):
        data = xlsx_from_sheets(
            {},
            sheet_entries_before='<sheet name="Chart1" sheetId="1" r:id="rIdChart"/>',
            extra_relationships=(
                '<Relationship Id="rIdChart" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>'
            ),
        )
        with self.assertRaisesRegex(UploadError, "book.xlsx has no worksheet"):
            checked(data)


class PrefixedSheetTest(unittest.TestCase):
    """Sheets whose elements carry a namespace prefix (``<x:c>``), as ClosedXML writes them."""

    def test_a_large_prefixed_sheet_passes_the_fast_scan(self):
        rows_xml = row(1, "Index", "Label") + "".join(
            row(number, number, f"r{number}") for number in range(2, 50_002)
        )
        scan = fast_scan_of(with_prefix(worksheet_xml(rows_xml)))
        self.assertTrue(scan.plain)

    def test_cells_under_another_prefix_than_the_sheets_are_left_to_the_exact_scan(self):
        for label, far_cell in [
            ("no prefix", '<c r="XFD1048576"><v>1</v></c>'),
            ("another prefix", '<y:c xmlns:y="urn:y" r="XFD1048576"><y:v>1</y:v></y:c>'),
        ]:
            with self.subTest(label):
                sheet = with_prefix(worksheet_xml(SPAN_ROWS + '<row r="1048576"></row>'))
                sheet = sheet.replace('<x:row r="1048576"></x:row>', far_cell)
                self.assertFalse(fast_scan_of(sheet).plain)
                with self.assertRaisesRegex(UploadError, "span more than 10,000,000 cells"):
                    checked(xlsx_from_sheets({"Sheet1": sheet}))

    def test_a_far_prefixed_cell_is_refused(self):
        far_row = row(1_048_576, 1, first_column=16_383)
        data = xlsx_from_sheets({"Sheet1": worksheet_xml(SPAN_ROWS + far_row)}, prefix="x")
        with self.assertRaisesRegex(UploadError, r"at least A1:XFD1048576\)"):
            checked(data)

    def test_a_reference_with_a_prefix_does_not_place_a_cell(self):
        """python-calamine takes the attribute ``r`` only without a prefix: these cells follow
        each other from column A to XFD, where ``x:r`` would have them all in column A."""
        cells = '<c x:r="A1048576" xmlns:x="urn:x"><v>1</v></c>' * 16_384
        data = xlsx_from_sheet_xml(SPAN_ROWS + f'<row r="1048576">{cells}</row>')
        with self.assertRaisesRegex(UploadError, "span more than 10,000,000 cells"):
            checked(data)


class SharedStringCellTest(unittest.TestCase):
    """A cell that shows a shared string makes the reader copy it: each such cell must count."""

    def assert_counted(self, cell_xml: str):
        rows_xml = row(1, "Note") + "".join(
            f'<row r="{n}">{cell_xml.format(n=n)}</row>' for n in range(2, 20_002)
        )
        data = xlsx_from_sheets(
            {"Sheet1": worksheet_xml(rows_xml)},
            shared_strings_xml=shared_strings_xml("", "x" * 32_000),  # 640 MB in 20,000 cells
        )
        with self.assertRaisesRegex(UploadError, "holds more text than this app reads at once"):
            checked(data)

    def test_a_cell_with_space_before_its_value_counts(self):
        self.assert_counted('<c r="A{n}" t="s"> <v>1</v></c>')

    def test_a_cell_with_two_values_counts_the_last_as_the_reader_does(self):
        self.assert_counted('<c r="A{n}" t="s"><v>0</v><v>1</v></c>')

    def test_a_prefixed_cell_counts(self):
        self.assert_counted('<x:c xmlns:x="urn:x" r="A{n}" t="s"><x:v>1</x:v></x:c>')


# Formula cells of every kind, in columns B and C; the comments say whether each has a saved value.
FORMULA_ROWS = (
    row(1, "Length", "Area", "Width")
    + '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f>A2*3</f></c></row>'  # none
    + '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f>A3*3</f><v/></c></row>'  # none (openpyxl)
    + '<row r="4"><c r="A4"><v>4</v></c><c r="B4"><f>A4*3</f><v>12</v></c></row>'  # saved
    + '<row r="5"><c r="B5" t="str"><f>""</f><v></v></c></row>'  # saved: empty text
    + '<row r="6"><c r="B6"><f t="shared" ref="B6:B7" si="0">A6*3</f></c></row>'  # none
    + '<row r="7"><c r="B7"><f t="shared" si="0"/></c><c r="C7"><f>1</f></c></row>'  # none, none
)


class FormulaCountTest(unittest.TestCase):
    def test_formulas_without_a_saved_value_are_counted_by_column(self):
        self.assertTrue(fast_scan_of(worksheet_xml(FORMULA_ROWS)).plain)
        copy, _ = checked(xlsx_from_sheet_xml(FORMULA_ROWS))
        self.assertEqual(copy.formulas_without_value, {1: 4, 2: 1})

    def test_the_exact_scan_counts_the_same(self):
        # A cell without a reference is not plain: the whole sheet goes to the exact scan.
        rows_xml = FORMULA_ROWS + '<row r="8"><c><v>1</v></c></row>'
        self.assertFalse(fast_scan_of(worksheet_xml(rows_xml)).plain)
        copy, _ = checked(xlsx_from_sheet_xml(rows_xml))
        self.assertEqual(copy.formulas_without_value, {1: 4, 2: 1})

    def test_formulas_in_a_prefixed_sheet_are_counted(self):
        copy, _ = checked(xlsx_from_sheets({"Sheet1": worksheet_xml(FORMULA_ROWS)}, prefix="x"))
        self.assertEqual(copy.formulas_without_value, {1: 4, 2: 1})

    def test_formulas_far_into_a_large_sheet_are_counted(self):
        """The fast scan looks for formulas only once it has seen one."""
        rows_xml = row(1, "Index", "Double") + "".join(
            f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}"><f>A{n}*2</f></c></row>'
            if n > 60_000
            else row(n, n, 2 * n)
            for n in range(2, 70_002)
        )
        scan = fast_scan_of(worksheet_xml(rows_xml))
        self.assertTrue(scan.plain)
        self.assertEqual(scan.formulas_without_value, {1: 10_001})


class CutAtTagsTest(unittest.TestCase):
    """``cut_at_tags`` on XML cut anywhere, as the unpacked chunks of a part come."""

    def setUp(self):
        rng = random.Random(20261130)
        cells = [
            f'<c r="A{n}" t="inlineStr"><is><t>{"x" * rng.randrange(0, 300)}</t></is></c>'
            if n % 3
            else f'<c r="A{n}"><f>B{n}*2</f><v>{n}</v></c>'
            for n in range(1, 2_000)
        ]
        self.xml = (XML_DECLARATION + "<worksheet><sheetData>" + "".join(cells)).encode()
        self.xml += b"</sheetData></worksheet>"
        self.rng = rng

    def pieces(self) -> list[bytes]:
        """The XML cut at random places, into pieces of 1 to 5,000 bytes."""
        cuts = [0]
        while cuts[-1] < len(self.xml):
            cuts.append(cuts[-1] + self.rng.randrange(1, 5_000))
        return [self.xml[start:end] for start, end in zip(cuts, cuts[1:], strict=False)]

    def test_no_chunk_ends_inside_a_tag(self):
        for _ in range(20):
            chunks = list(cut_at_tags(iter(self.pieces()), "book.xlsx"))
            self.assertEqual(b"".join(chunks), self.xml)
            for chunk in chunks[:-1]:
                self.assertLessEqual(chunk.rfind(b"<"), chunk.rfind(b">"), chunk[-50:])

    def test_with_keep_whole_each_chunk_holds_whole_cells(self):
        for _ in range(20):
            chunks = list(cut_at_tags(iter(self.pieces()), "book.xlsx", keep_whole=b"<c "))
            self.assertEqual(b"".join(chunks), self.xml)
            first_cells = next(n for n, chunk in enumerate(chunks) if b"<c " in chunk)
            for chunk in chunks[first_cells + 1 :]:
                self.assertTrue(chunk.startswith(b"<c "), chunk[:50])


if __name__ == "__main__":
    unittest.main()
