"""Which cells are numbers, and which hold numbers written as text (``tablestats.numbers``)."""

import datetime
import math
import re
import struct
import unittest

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tablestats.numbers import (
    NUMBER,
    NUMBER_AS_TEXT,
    count_numbers_as_text,
    numbers_in_column,
    numbers_in_values,
)

# Enough cells for numbers_in_column to take its fast path (read_plain_decimals).
MANY = 3000


def bits(number: float) -> bytes:
    """A float's bits: equal bits are the same float (unlike ==, which has 0.0 == -0.0)."""
    return struct.pack("<d", number)


def read_one(text: str, decimal_comma: bool = False) -> bytes | None:
    """The bits of the number in one cell, or None: on its own, then among many cells (the fast
    path), which must agree."""
    alone = numbers_in_column([text], decimal_comma).numbers.tolist()
    among_many = numbers_in_column([text] * MANY, decimal_comma).numbers.tolist()
    assert [bits(n) for n in among_many] == [bits(n) for n in alone * MANY], text
    return bits(alone[0]) if alone else None


def reference(text: str, decimal_comma: bool = False) -> float | None:
    """The grammar, as the module docstring states it, one cell at a time."""
    if not re.fullmatch(NUMBER[decimal_comma], text):
        return None
    number = float(text.replace(",", ".") if decimal_comma else text)
    return number if math.isfinite(number) else None


def reference_bits(text: str, decimal_comma: bool = False) -> bytes | None:
    number = reference(text, decimal_comma)
    return None if number is None else bits(number)


class GrammarTest(unittest.TestCase):
    def test_the_forms_excel_and_pandas_read_as_numbers(self):
        cases = {
            "12": 12.0,
            "-12.5": -12.5,
            "+3": 3.0,
            ".5": 0.5,
            "5.": 5.0,
            "-.25": -0.25,
            "1e3": 1000.0,
            "1.5E-3": 0.0015,
            "2e+02": 200.0,
            " 7 ": 7.0,
            "\t8": 8.0,
            "007": 7.0,
            "0.000": 0.0,
            "12345678901234567890123": 1.2345678901234568e22,  # long: float() reads it
        }
        for text, number in cases.items():
            with self.subTest(text=text):
                self.assertEqual(read_one(text), bits(number))

    def test_what_float_reads_but_a_spreadsheet_does_not_stays_text(self):
        cases = [
            "nan",
            "NaN",
            "inf",
            "-inf",
            "Infinity",  # fmt: skip
            "1e999",
            "-1e400",  # overflow
            "1,234.5",
            "1 234",
            "1_000",  # thousands separators
            "２６８７",
            "١٢",
            "1\u0663",  # digits of other scripts
            "\xa05",
            "5\u2003",  # spaces other than space and tab
            "0x10",
            "1e",
            "e3",
            ".",
            "-",
            "+-1",
            "1.2.3",
            "1-",
            "5%",
            "",
        ]
        for text in cases:
            with self.subTest(text=text):
                self.assertIsNone(read_one(text))

    def test_with_a_decimal_comma_the_point_is_not_a_decimal_mark(self):
        self.assertEqual(read_one("-1,5", decimal_comma=True), bits(-1.5))
        self.assertEqual(read_one("2,5e3", decimal_comma=True), bits(2500.0))
        self.assertIsNone(read_one("1.5", decimal_comma=True))
        self.assertIsNone(read_one("1,5"))

    @settings(max_examples=50, deadline=None)
    @given(st.one_of(st.from_regex(NUMBER[False], fullmatch=True), st.text(max_size=12)))
    @example("1" * 400)  # float() reads it as inf: not finite, so not a number
    def test_a_cell_is_a_number_exactly_as_the_grammar_says(self, text):
        self.assertEqual(read_one(text), reference_bits(text))

    @settings(max_examples=50, deadline=None)
    @given(st.from_regex(NUMBER[True], fullmatch=True))
    def test_the_same_with_a_decimal_comma(self, text):
        self.assertEqual(read_one(text, decimal_comma=True), reference_bits(text, True))


class NumbersAsTextTest(unittest.TestCase):
    def test_numbers_in_another_notation(self):
        cases = {
            "1,234.5": True,
            "1 234": True,
            "1.234.567,5": True,
            "1'234": True,
            "1\u202f234": True,  # a narrow no-break space, as French Excel writes
            "12,5": True,  # a decimal comma in a file that uses the point
            "２６８７": True,  # full-width digits
            "١٢٣": True,  # Arabic-Indic digits
            "\xa012.5": True,  # a no-break space before it
            "-1.5e3": True,
            "12.03.2024": False,  # a date
            "2024-01-02": False,
            "1,2,3": False,
            "1,23,456": False,  # groups of two digits are not thousands
            "B12": False,
            "12 kN": False,
            "1e999": False,  # not finite
            "nan": False,
            "": False,
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(count_numbers_as_text([text]), int(expected))
                self.assertEqual(count_numbers_as_text([text, "x\ny"]), int(expected))

    def test_in_a_text_file_the_cells_that_are_not_numbers(self):
        cells = ["1.5", "1,234.5", "２６８７", "1 234", "n/a", ""] * MANY
        read = numbers_in_column(cells, decimal_comma=False)
        self.assertEqual((read.filled, len(read.numbers)), (5 * MANY, MANY))
        self.assertEqual(read.numbers_as_text, 3 * MANY)

    def test_in_a_workbook_any_text_that_reads_as_a_number(self):
        read = numbers_in_values([1.5, "12.5", " 7 ", "1 234", "abc", True, "", None])
        self.assertEqual((read.filled, read.numbers.tolist(), read.numbers_as_text), (6, [1.5], 3))

    @given(st.lists(st.from_regex(NUMBER_AS_TEXT, fullmatch=True), max_size=5))
    def test_one_scan_of_a_column_counts_as_one_look_at_each_cell(self, texts):
        one_by_one = sum(count_numbers_as_text([text]) for text in texts)
        self.assertEqual(count_numbers_as_text(texts), one_by_one)


CELLS = st.one_of(
    st.from_regex(NUMBER[False], fullmatch=True),
    st.floats(allow_nan=False).map(repr),
    st.from_regex(NUMBER_AS_TEXT, fullmatch=True),
    st.sampled_from(["", "n/a", "nan", "inf", "1e999", "12 kN", "\xa05", "1\n2"]),
    st.text(max_size=6),
)


class ColumnTest(unittest.TestCase):
    @settings(max_examples=50, deadline=None)
    @given(st.lists(CELLS, min_size=1, max_size=40))
    def test_the_fast_path_reads_a_column_as_one_cell_at_a_time_does(self, sample):
        cells = (sample * (MANY // len(sample) + 1))[:MANY]
        read = numbers_in_column(cells, decimal_comma=False)
        numbers = [number for number in map(reference_bits, cells) if number is not None]
        self.assertEqual(sorted(map(bits, read.numbers.tolist())), sorted(numbers))
        self.assertEqual(read.filled, sum(1 for cell in cells if cell))
        as_text = sum(count_numbers_as_text([c]) for c in cells if reference(c) is None)
        self.assertEqual(read.numbers_as_text, as_text)

    def test_in_a_workbook_numbers_are_numeric_cells_that_are_finite(self):
        cells = [1, 2.5, True, False, math.inf, -math.inf, math.nan, datetime.date(2024, 1, 2)]
        read = numbers_in_values(cells + ["", None])
        self.assertEqual((read.filled, read.numbers.tolist()), (8, [1.0, 2.5]))
