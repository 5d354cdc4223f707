"""Bytes to characters for a text file: which encoding it is in, and whether it is text at all.

The encoding is worked out from the first bytes, certain answers first:

- a byte order mark (UTF-8, UTF-16);
- UTF-16 without one: text in the ASCII range (digits, delimiters, line ends) has a zero byte in
  every other position, and the other positions have next to none;
- UTF-8, when the bytes are valid UTF-8 (other encodings almost never are, by accident);
- one of the two-byte encodings of East Asia that Excel writes there (Shift_JIS, GBK, Big5,
  EUC-KR), when the sample decodes in it without an error and nearly all the characters it gives
  are the common ones of its language (kana and the first level of kanji, the 3,755 common
  hanzi of GB2312 or the 5,401 of Big5, the 2,350 Hangul syllables of KS X 1001). Text in another
  encoding read as one of these gives rare characters, or bytes that do not decode. On a tie,
  the one earlier in ``_MULTIBYTE`` wins: Korean before Chinese, since Korean text read as GBK
  gives common hanzi, while Chinese text read as EUC-KR gives hanja, which Korean seldom uses.
  A sample that is close to one of them without passing is refused, with the encoding named;
- else one of the one-byte code pages that spreadsheet programs write: the sample is decoded as
  each, and the one whose words read as words wins ("Café", not "CafŽ", "Cafй" or "Cafщ"). On a
  tie, the code page earlier in ``_CODE_PAGES`` wins, so Windows-1252 (what Excel writes in
  Western Europe and the Americas) is the default, as it is for Excel.

``benchmarks/text_encodings.py`` measures how often this is right, on tables in 17 languages,
against charset-normalizer (see the README).

A file is refused when it starts like a known binary format (an image, a PDF, an archive) or
when more than a few of its bytes are control characters. NUL bytes alone do not make a file
binary: some programs write them for empty cells. They are dropped as the file is read, a block
at a time, so a file without them costs nothing per line. Bytes that do not decode become "�".
"""

from __future__ import annotations

import codecs
import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import BinaryIO

from app_files.uploaded import UploadError
from tablestats.readers import OLE_SIGNATURE, ZIP_SIGNATURE

# One-byte code pages, in the order that wins a tie: the more common, the earlier.
_CODE_PAGES = (
    "cp1252",  # Windows, Western Europe and the Americas: Excel's "CSV (Comma delimited)"
    "cp1250",  # Windows, Central Europe (Polish, Czech, Hungarian, ...)
    "cp1251",  # Windows, Cyrillic
    "mac_roman",  # Excel for Mac's "CSV (Macintosh)"
)


@dataclass(frozen=True)
class _Multibyte:
    codec: str  # Windows' own version of the encoding, a superset of the standard one
    name: str  # as a user knows it
    # The two-byte codes of the language's common characters (and of its punctuation), as ranges
    # of lead bytes and of trail bytes (both inclusive): a code is common when both are in one.
    common: tuple[tuple[int, int, int, int], ...]


_MULTIBYTE = (
    # Kana, full-width signs and letters, and the 2,965 kanji of JIS level 1.
    _Multibyte(
        "cp932", "Japanese (Shift_JIS)", ((0x81, 0x83, 0x40, 0xFC), (0x88, 0x98, 0x40, 0xFC))
    ),
    # The 2,350 Hangul syllables of KS X 1001, and its signs.
    _Multibyte("cp949", "Korean (EUC-KR)", ((0xA1, 0xAC, 0xA1, 0xFE), (0xB0, 0xC8, 0xA1, 0xFE))),
    # The 3,755 common hanzi of GB2312 (level 1), and its punctuation and full-width signs.
    _Multibyte("gbk", "Chinese (GBK)", ((0xA1, 0xA3, 0xA1, 0xFE), (0xB0, 0xD7, 0xA1, 0xFE))),
    # The 5,401 common hanzi of Big5, and its signs.
    _Multibyte(
        "cp950",
        "Chinese, traditional (Big5)",
        ((0xA1, 0xA3, 0x40, 0xFE), (0xA4, 0xC5, 0x40, 0xFE), (0xC6, 0xC6, 0x40, 0x7E)),
    ),
)
# A two-byte encoding is taken when at least this share of the characters beyond ASCII are its
# common ones; a file whose text reaches _CLOSE_SHARE only is refused, with the encoding named.
_COMMON_SHARE = 0.9
_CLOSE_SHARE = 0.6

_BINARY_SIGNATURES = {
    b"%PDF-": "a PDF document",
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"Rar!\x1a\x07": "a RAR archive",
}
# At most this share of a text sample may be control characters (other than NUL and white space)
# or bytes that do not decode.
_MAX_CONTROL_SHARE = 0.01
_CONTROL_CHARACTERS = re.compile("[\x01-\x08\x0e-\x1f\ufffd]")
# UTF-16 without a byte order mark: at least this share of the characters have a zero byte (those
# in the ASCII range: digits, delimiters, line ends), and at most this share have a zero in the
# other byte (rare letters such as "Ā", U+0100).
_UTF16_ZEROS = 0.1
_UTF16_STRAY_ZEROS = 0.01
# Words, and the signs that are not ASCII within them: "°C", "d³ugo", "Descripci—n".
_WORD = re.compile(r"(?:\w|[^\x00-\x7f\s])+")
_ASCII = re.compile("[\x00-\x7f]+")
_NEXT_TO_ASCII_LETTER = re.compile("(?<=[A-Za-z])[^\x00-\x7f]|[^\x00-\x7f](?=[A-Za-z])")
# Punctuation that real text has between two letters: "l’été", "kN·m".
_WITHIN_WORDS = "’‘·"


def detect_encoding(sample: bytes, filename: str) -> str:
    """The codec that reads the file whose first bytes are ``sample``; UploadError if not text."""
    encoding = _likeliest_encoding(sample, filename)
    text = sample.decode(encoding, errors="replace")
    if len(_CONTROL_CHARACTERS.findall(text)) > max(3, _MAX_CONTROL_SHARE * len(text)):
        raise UploadError(_not_text(filename))
    return encoding


def text_bytes(file: BinaryIO, encoding: str) -> tuple[BinaryIO, str]:
    """The file's text as bytes in which every ASCII character (a digit, a delimiter, a line end)
    is a byte of its own, NUL characters dropped; and the codec that decodes them.

    For UTF-8 (without its byte order mark) and the one-byte code pages, those are the file's own
    bytes; UTF-16 and the two-byte encodings (whose second bytes can be "|" or "\\") are recoded
    to UTF-8 as they are read. So the text reader can find the lines and the delimiters in the
    bytes, without decoding them.
    """
    if encoding.startswith("utf-16") or encoding in _RECODED:
        return io.BufferedReader(_WithoutNulBytes(_Utf8From(file, encoding))), "utf-8"
    if encoding == "utf-8-sig":
        if file.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
            file.seek(0)
        encoding = "utf-8"
    return io.BufferedReader(_WithoutNulBytes(file)), encoding


_RECODED = {multibyte.codec for multibyte in _MULTIBYTE}


class _Utf8From(io.RawIOBase):
    """A file's text in UTF-8, recoded a block at a time."""

    def __init__(self, file: BinaryIO, encoding: str) -> None:
        self._file = file
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._recoded = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._recoded:
            block = self._file.read(max(len(buffer), 64 * 1024))
            self._recoded = self._decoder.decode(block, final=not block).encode("utf-8")
            if not block:
                break
        size = min(len(buffer), len(self._recoded))
        buffer[:size] = self._recoded[:size]
        self._recoded = self._recoded[size:]
        return size


class _WithoutNulBytes(io.RawIOBase):
    """A file's bytes without its zero bytes, read a block at a time."""

    def __init__(self, file: BinaryIO | io.RawIOBase) -> None:
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        # A block of nothing but zero bytes would read as the end of the file: read on.
        while block := self._file.read(len(buffer)):
            block = block.replace(b"\x00", b"")
            if block:
                buffer[: len(block)] = block
                return len(block)
        return 0


def _likeliest_encoding(sample: bytes, filename: str) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec reads the byte order mark
    _refuse_known_formats(sample, filename)
    if utf16 := _utf16_without_bom(sample):
        return utf16
    sample = sample.replace(b"\x00", b"")
    if _is_utf8(sample):
        return "utf-8"
    shares = {multibyte: _common_share(sample, multibyte) for multibyte in _MULTIBYTE}
    # max() keeps the first of equals, so the order of _MULTIBYTE breaks ties.
    likeliest = max(shares, key=lambda multibyte: shares[multibyte])
    if shares[likeliest] >= _COMMON_SHARE:
        return likeliest.codec
    if shares[likeliest] >= _CLOSE_SHARE:
        raise UploadError(
            f"{filename} is not in UTF-8, and its text reads most like {likeliest.name}, but not "
            "with certainty. Save it as CSV in UTF-8 (in Excel: Save As, 'CSV UTF-8 (Comma "
            "delimited)') and upload that file."
        )
    return _likeliest_code_page(sample)


def _refuse_known_formats(sample: bytes, filename: str) -> None:
    if sample.startswith(ZIP_SIGNATURE):
        raise UploadError(
            f"{filename} is an Excel workbook (or another zip file), not text. If it is a "
            "workbook, give it the extension .xlsx and upload it again."
        )
    if sample.startswith(OLE_SIGNATURE):
        raise UploadError(
            f"{filename} is an Excel 97-2003 or password-protected workbook, not text. Open it "
            "in Excel and save it as CSV or as an Excel Workbook (.xlsx) without a password."
        )
    for signature, kind in _BINARY_SIGNATURES.items():
        if sample.startswith(signature):
            raise UploadError(_not_text(filename, kind))


def _not_text(filename: str, kind: str | None = None) -> str:
    what = f"{filename} is {kind}, not a text file" if kind else f"{filename} is not a text file"
    return (
        f"{what}, so it cannot be read as CSV. Export the table from its program as CSV or as an "
        "Excel Workbook (.xlsx) and upload that file."
    )


def _utf16_without_bom(sample: bytes) -> str | None:
    if b"\x00" not in sample:
        return None
    pairs = len(sample) // 2
    zeros_first, zeros_second = sample[0::2].count(0), sample[1::2].count(0)
    if zeros_second >= _UTF16_ZEROS * pairs and zeros_first <= _UTF16_STRAY_ZEROS * pairs:
        encoding = "utf-16-le"  # "A" is 41 00
    elif zeros_first >= _UTF16_ZEROS * pairs and zeros_second <= _UTF16_STRAY_ZEROS * pairs:
        encoding = "utf-16-be"  # "A" is 00 41
    else:
        return None
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        return None
    return encoding


def _is_utf8(sample: bytes) -> bool:
    try:
        # Not final: the 64 kB cut may split the last character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _common_share(sample: bytes, multibyte: _Multibyte) -> float:
    """The share of the characters beyond ASCII that are common ones of the encoding's language;
    0 when the sample does not decode in it."""
    try:
        # Not final: the 64 kB cut may split the last character.
        text = codecs.getincrementaldecoder(multibyte.codec)().decode(sample, final=False)
    except UnicodeDecodeError:
        return 0.0
    beyond_ascii = Counter(_ASCII.sub("", text))
    if not beyond_ascii:
        return 0.0
    codes = {char: char.encode(multibyte.codec) for char in beyond_ascii}
    common = sum(
        times for char, times in beyond_ascii.items() if _is_common(codes[char], multibyte)
    )
    # Latin text read as two bytes a character: an accented letter and the ASCII letter after it
    # ("é" and "l" of "élément" in MacRoman is a common kanji in Shift_JIS), next to more ASCII
    # letters. Real text seldom has those: their second byte is a letter only in a few codes.
    stuck = Counter(_NEXT_TO_ASCII_LETTER.findall(text))
    common -= sum(
        times
        for char, times in stuck.items()
        if _is_common(codes[char], multibyte) and codes[char][1:].isalpha()  # bytes: ASCII
    )
    return common / sum(beyond_ascii.values())


def _is_common(code: bytes, multibyte: _Multibyte) -> bool:
    return len(code) == 2 and any(
        first <= code[0] <= last and low <= code[1] <= high
        for first, last, low, high in multibyte.common
    )


def _likeliest_code_page(sample: bytes) -> str:
    # min() keeps the first of equals, so the order of _CODE_PAGES breaks ties.
    return min(_CODE_PAGES, key=lambda code_page: _oddities(sample.decode(code_page, "replace")))


def _oddities(text: str) -> int:
    """How often ``text`` reads as mojibake: bytes the code page lacks, and odd words."""
    words = Counter(_WORD.findall(text))
    odd_words = sum(times for word, times in words.items() if not word.isascii() and _is_odd(word))
    return text.count("\ufffd") + odd_words


def _is_odd(word: str) -> bool:
    """Whether a word is one that only a wrong code page makes.

    "CafŽ" and "rÈsistance" (a capital after a small letter), "d³ugo" and "Descripci—n" (a sign
    between letters), "Cafй" (two alphabets in a word), "Ìîñêâà" (Russian read as Latin: a word
    of only accented letters).
    """
    alphabets = set()
    previous = ""
    for position, char in enumerate(word):
        if char.isalpha():
            if char.isupper() and previous.islower() and not (char + previous).isascii():
                return True
            alphabets.add(_alphabet(char))
        elif (
            not char.isascii()
            and char not in _WITHIN_WORDS
            and previous.isalpha()
            and word[position + 1 : position + 2].isalpha()
        ):
            return True
        previous = char
    letters = [char for char in word if char.isalpha()]
    only_accented = len(letters) >= 3 and not any(char.isascii() for char in letters)
    return len(alphabets) > 1 or (alphabets == {"Latin"} and only_accented)


def _alphabet(letter: str) -> str:
    code = ord(letter)
    if code < 0x250 or 0x1E00 <= code < 0x1F00:
        return "Latin"
    if 0x370 <= code < 0x400:
        return "Greek"
    if 0x400 <= code < 0x530:
        return "Cyrillic"
    return "other"  # includes signs that are letters to Python, such as "ˆ" (cp1252's 88)
