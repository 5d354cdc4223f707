"""Plain decimal numbers written as text ("-12.5", "0.75", "1200") to floats, a column at a time.

Python's float() reads one text at a time, and for the 17 significant digits that programs often
write, converting was most of the time the statistics of a CSV file took. ``read_plain_decimals``
reads a whole column of texts with a few numpy operations instead, and gives exactly the float that
float() gives: the nearest one, ties to even. It reads only the plain form: an optional sign, then
digits with at most one decimal mark, at most 18 digits and 20 characters in all. It leaves every
other text unread (exponents, spaces, longer numbers, words) for the caller, which reads those one
at a time.

How: each text becomes a row of bytes, right-aligned, so that a digit's column is its power of
ten. One matrix product adds up the digits, another counts the marks and the other characters.
The mantissa (the digits as one integer) divided by a power of ten is then exact or within two
units in the last place; integer arithmetic modulo 2**64 tells which neighbour is the nearest.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

_MAX_CHARACTERS = 20
_MAX_DIGITS = 18  # a mantissa below 10**18 fits in 63 bits, which the rounding check needs
_NEWLINE, _PLUS, _MINUS = (ord(character) for character in "\n+-")
_POWERS_OF_TEN = 10 ** np.arange(_MAX_DIGITS + 1, dtype=np.uint64)
_POWERS_OF_TEN_AS_FLOATS = 10.0 ** np.arange(_MAX_DIGITS + 1)  # exact (up to 10**22, they are)
_EXACT_INTEGERS = 2**53  # every integer up to this is a float
PADDING = _MAX_CHARACTERS  # the bytes before the first text of ``JoinedTexts``


class JoinedTexts:
    """Texts as one array of bytes, with where each ends and how long it is: what
    ``read_plain_decimals`` reads, and a quick look at every text at once.

    In ``data``, each text is followed by one byte that is not part of it (a line break; in a line
    of a CSV file, the delimiter), and the first text by ``PADDING`` line breaks, so that every
    text has as many bytes before its end as ``read_plain_decimals`` looks at. The texts of a
    column of a CSV file lie in its lines, with the other columns' texts in between.
    """

    def __init__(self, data: np.ndarray, ends: np.ndarray, lengths: np.ndarray) -> None:
        self.data = data
        self.ends = ends  # one past each text's last byte
        self.lengths = lengths  # in bytes

    @classmethod
    def of(cls, texts: Sequence[str]) -> JoinedTexts | None:
        """The texts joined; None when one holds a line break (then a text is not a line)."""
        joined = "\n" * PADDING + "\n".join([*texts, ""])  # each text followed by a line break
        data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        ends = np.flatnonzero(data == _NEWLINE)[PADDING:]
        if len(ends) != len(texts):
            return None
        return cls(data, ends, np.diff(ends, prepend=PADDING - 1) - 1)

    def first_bytes(self) -> np.ndarray:
        """Each text's first byte (a line break for an empty text)."""
        return np.where(self.lengths > 0, self.data[self.ends - self.lengths], _NEWLINE)


def read_plain_decimals(
    texts: JoinedTexts, decimal_mark: str = "."
) -> tuple[np.ndarray, np.ndarray]:
    """The float of every text in plain decimal form, and which texts were read.

    Returns ``(values, read)``: ``values[i]`` is ``float(texts[i])`` (with ``decimal_mark`` read
    as the point) where ``read[i]``; elsewhere it means nothing.
    """
    ends, lengths = texts.ends, texts.lengths
    count = len(ends)
    values = np.zeros(count)
    read = np.zeros(count, dtype=bool)
    width = min(int(lengths.max(initial=0)), _MAX_CHARACTERS)
    if width == 0:
        return values, read

    # Row i: the `width` bytes that end where text i ends. Bytes left of a shorter text belong to
    # the texts before it (or to the padding) and are masked out.
    rows = sliding_window_view(texts.data, width)[ends - width]
    first_column = np.maximum(width - lengths, 0)
    inside = np.arange(width, dtype=np.uint8) >= first_column.astype(np.uint8)[:, None]
    digit_values = rows - np.uint8(ord("0"))  # other bytes wrap around to 10 and above
    is_digit = (digit_values < 10) & inside
    is_mark = (rows == ord(decimal_mark)) & inside
    first = rows[np.arange(count), np.minimum(first_column, width - 1)]
    signed = (first == _PLUS) | (first == _MINUS)

    # Per row, in one matrix product: the characters that are neither digits nor the mark, plus
    # 64 times the marks; and the same weighted by each character's distance from the end.
    others_and_marks = (inside & ~is_digit & ~is_mark).view(np.uint8) + (
        is_mark.view(np.uint8) << 6
    )
    tallies = (others_and_marks.astype(np.float32) @ _tally_weights(width)).astype(np.int64)
    others, marks = tallies[:, 0] & 63, tallies[:, 0] >> 6
    digits = lengths - others - marks
    read = (
        (lengths <= width)
        & (others == signed)  # nothing but a sign, and only as the first character
        & (marks <= 1)
        & (digits >= 1)
        & (digits <= _MAX_DIGITS)
    )
    # In a row that is read, the weighted tally is the sign's distance (the length) plus 64
    # times the mark's: 1 when the mark is the last character, 0 without a mark.
    mark_distance = (tallies[:, 1] - signed * lengths) >> 6
    decimals = np.clip(mark_distance - 1, 0, _MAX_DIGITS)  # clipped: other rows are not read

    # The digits at their columns' powers of ten, with the mark as a zero digit; then the mark's
    # zero taken out, which divides the digits left of it by ten.
    positional = _digits_as_integer(digit_values * is_digit)
    below_mark = positional % _POWERS_OF_TEN[decimals]
    mantissa = (positional - below_mark) // np.where(mark_distance > 0, 10, 1).astype(
        np.uint64
    ) + below_mark

    magnitudes, certain = _nearest_floats(mantissa[read], decimals[read])
    values[read] = np.where(first[read] == _MINUS, -magnitudes, magnitudes)
    read[read] = certain
    return values, read


@cache
def _tally_weights(width: int) -> np.ndarray:
    """Weights that count a row's characters, and weigh each by its distance from the end."""
    return np.stack([np.ones(width), np.arange(width, 0, -1)], axis=1).astype(np.float32)


@cache
def _place_values(width: int) -> np.ndarray:
    """Weights that turn a row of digits into two parts of an integer: its digits from 10**9 up
    (in units of 10**9) and the 9 digits below. Each part is below 2**53, so a float adds it up
    exactly."""
    powers = np.arange(width - 1, -1, -1)
    high = powers >= 9
    weights = np.zeros((width, 2))
    weights[high, 0] = 10.0 ** (powers[high] - 9)
    weights[~high, 1] = 10.0 ** powers[~high]
    return weights


def _digits_as_integer(digits: np.ndarray) -> np.ndarray:
    """Each row of digits (0 to 9, most significant first) as one integer below 10**20."""
    parts = digits.astype(np.float64) @ _place_values(digits.shape[1])
    return parts[:, 0].astype(np.uint64) * np.uint64(10**9) + parts[:, 1].astype(np.uint64)


def _nearest_floats(mantissa: np.ndarray, decimals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``mantissa / 10**decimals`` rounded to the nearest float, ties to even; and which are sure.

    Clinger's fast path: when the mantissa is at most 2**53, both operands are exact floats and
    the division rounds once, correctly. Above, it rounds twice, so the estimate may be a float or
    two off; ``_corrected`` moves it to the nearest.
    """
    estimate = mantissa.astype(np.float64) / _POWERS_OF_TEN_AS_FLOATS[decimals]
    certain = mantissa <= _EXACT_INTEGERS
    unsure = np.flatnonzero(~certain)
    if unsure.size:
        estimate[unsure], certain[unsure] = _corrected(
            mantissa[unsure], decimals[unsure], estimate[unsure]
        )
    return estimate, certain


def _corrected(
    mantissa: np.ndarray, decimals: np.ndarray, estimate: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The estimates moved to the nearest float, and which are sure (all but the rare rest).

    Write the estimate as ``bits * 2**shift`` (bits an integer of 53 bits). Multiplied by
    ``10**decimals * 2**max(-shift, 0)``, both the number and the estimate are integers, and so
    is their difference, the residual. The residual is small (a few steps of the estimate's last
    bit) although the two integers are not, so it comes out exactly from arithmetic modulo 2**64.
    The estimate is the nearest float when the residual is less than half a step, or exactly half
    and the bits are even.
    """
    estimate = estimate.copy()
    nearest = np.zeros(len(mantissa), dtype=bool)
    unsure = np.arange(len(mantissa))
    for _ in range(3):  # the first estimate is at most two floats away
        residual, step, bits = _residual(mantissa[unsure], decimals[unsure], estimate[unsure])
        # Just below a power of two the floats are twice as dense: half a step.
        doubled = 2 * np.abs(residual).astype(np.uint64)
        doubled <<= ((bits == 2**52) & (residual < 0)).astype(np.uint64)
        here = (doubled < step) | ((doubled == step) & (bits % 2 == 0))
        nearest[unsure[here]] = True
        unsure, residual = unsure[~here], residual[~here]
        if not unsure.size:
            break
        estimate[unsure] = np.nextafter(estimate[unsure], np.where(residual > 0, np.inf, -np.inf))
    return estimate, nearest


def _residual(
    mantissa: np.ndarray, decimals: np.ndarray, estimate: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The residual, the step of the estimate's last bit in the same unit, and its 53 bits."""
    fraction, exponent = np.frexp(estimate)
    bits = (fraction * 2.0**53).astype(np.uint64)  # estimate == bits * 2**(exponent - 53)
    up = np.maximum(53 - exponent, 0).astype(np.uint64)
    down = np.maximum(exponent - 53, 0).astype(np.uint64)
    power_of_ten = _POWERS_OF_TEN[decimals]
    # 2**up modulo 2**64 (numpy's shifts are undefined from 64 on)
    scale = np.where(up < 64, np.uint64(1) << np.minimum(up, np.uint64(63)), np.uint64(0))
    residual = (mantissa * scale - (bits << down) * power_of_ten).view(np.int64)
    return residual, power_of_ten << down, bits
