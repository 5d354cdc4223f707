"""The fast reader of plain decimals (``tablestats.decimals``): it must give float()'s own float,
to the last bit, or leave the text for float()."""

import struct
import unittest

from hypothesis import given
from hypothesis import strategies as st

from tablestats.decimals import JoinedTexts, read_plain_decimals


def bits(number: float) -> bytes:
    return struct.pack("<d", number)


class FastDecimalsTest(unittest.TestCase):
    def assert_like_float(self, texts: list[str]):
        values, read = read_plain_decimals(JoinedTexts.of(texts))
        for text, value, was_read in zip(texts, values.tolist(), read.tolist(), strict=True):
            if was_read:
                self.assertEqual(bits(value), bits(float(text)), text)
        return read

    @given(st.lists(st.floats(allow_nan=False, allow_infinity=False).map(repr), min_size=1))
    def test_what_python_writes_reads_back_to_the_same_float(self, texts):
        self.assert_like_float(texts)

    @given(st.lists(st.from_regex(r"[+-]?[0-9]{0,18}(\.[0-9]{0,18})?", fullmatch=True)))
    def test_any_plain_decimal(self, texts):
        self.assert_like_float(texts)

    @given(st.lists(st.integers(2**53 - 10**6, 10**18).map(str), min_size=1))
    def test_integers_beyond_two_to_the_53(self, texts):
        """Where floats are more than 1 apart, so that rounding is needed."""
        self.assert_like_float(texts)

    def test_halfway_cases_round_to_even_and_powers_of_two_have_a_denser_side(self):
        texts = [
            "9007199254740993",  # 2**53 + 1: halfway, rounds down to the even 2**53
            "9007199254740995",  # halfway, rounds up to the even 2**53 + 4
            "36028797018963965",  # 2**55 - 3: below a power of two, floats are 4 apart
            "36028797018963966",  # 2**55 - 2: halfway below it, rounds to 2**55 (even)
            "36028797018963970",  # 2**55 + 2: halfway above it (floats 8 apart): down
            "0.30000000000000004",
            "2.2250738585072014",
            "1.7976931348623157",
            "123456789012345678",
            "-0.00000000000000001",
        ]
        read = self.assert_like_float(texts)
        self.assertTrue(read.all())

    def test_other_texts_are_left_unread(self):
        texts = ["1e5", " 1", "1 ", "", "abc", "1.2.3", "--1", "1" * 19, "0." + "1" * 19, "٣"]
        values, read = read_plain_decimals(JoinedTexts.of(texts))
        self.assertFalse(read.any())

    def test_texts_with_a_line_break_cannot_be_joined(self):
        self.assertIsNone(JoinedTexts.of(["1", "2\n3"]))
