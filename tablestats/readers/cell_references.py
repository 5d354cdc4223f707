"""A1-style cell references (``B7``): column letters as numbers, and regular expressions for the
numbers and letters up to a bound."""

from __future__ import annotations

import re


def column_number(letters: str | bytes) -> int:
    """The column's number: 1 for A, 27 for AA (upper-case letters only)."""
    number = 0
    for letter in letters.encode() if isinstance(letters, str) else letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def at_most(word: bytes, any_symbol: bytes, lowest: int) -> bytes:
    """A regular expression for the words that come no later than ``word`` when a shorter word
    comes first, as numbers and column letters do: shorter words, or words as long that are
    smaller at the first place where they differ, or the word itself.

    ``at_most(b"H", rb"[A-Z]", ord("A"))`` matches the columns A to H; the shortest words come
    first, which is what most cells hold.
    """
    options = [any_symbol + b"{1,%d}+" % (len(word) - 1)] if len(word) > 1 else []
    last = len(word) - 1
    for place, symbol in enumerate(word):
        highest = symbol if place == last else symbol - 1  # the last place may equal the word
        if highest >= lowest:
            symbols = b"[%s-%s]" % (bytes([lowest]), bytes([highest]))
            rest = any_symbol + b"{%d}" % (last - place) if place < last else b""
            options.append(re.escape(word[:place]) + symbols + rest)
    return b"(?:" + b"|".join(options) + b")" if len(options) > 1 else options[0]
