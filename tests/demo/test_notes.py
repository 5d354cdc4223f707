import unittest

from tablestats.notes import FORMULAS_WITHOUT_VALUE, NUMBERS_AS_TEXT, Note, notes
from tablestats.statistics import ColumnSummary


def column(name: str, numbers_as_text: int = 0, formulas_without_value: int = 0) -> ColumnSummary:
    return ColumnSummary(
        name, 5, 0, None, None, None,
        numbers_as_text=numbers_as_text, formulas_without_value=formulas_without_value,
    )  # fmt: skip


class NotesTest(unittest.TestCase):
    def test_a_note_for_each_kind_of_uncounted_cell_with_what_to_do(self):
        found = notes([column("Span", numbers_as_text=3), column("Grade"), column("Load", 1, 2)])
        self.assertEqual(
            found,
            [
                Note("Span", 3, "numbers written as text", NUMBERS_AS_TEXT),
                Note("Load", 1, "numbers written as text", NUMBERS_AS_TEXT),
                Note("Load", 2, "formulas without a saved value", FORMULAS_WITHOUT_VALUE),
            ],
        )
        self.assertIn("Convert to Number", NUMBERS_AS_TEXT)
        self.assertIn("Open it in Excel, save it", FORMULAS_WITHOUT_VALUE)

    def test_no_notes_for_a_clean_table(self):
        self.assertEqual(notes([column("Span"), column("Load")]), [])
