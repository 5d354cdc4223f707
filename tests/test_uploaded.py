import hashlib
import io
import tempfile
import unittest

from app_files.uploaded import UploadError, receive_upload


class ReceiveUploadTest(unittest.TestCase):
    def test_measures_and_hashes_the_bytes(self):
        data = bytes(range(256)) * 10_000  # three blocks of 1 MiB, the last one shorter
        blocks = [data[start : start + 2**20] for start in range(0, len(data), 2**20)]
        key = hashlib.sha256(b"".join(hashlib.sha256(block).digest() for block in blocks))
        on_disk = tempfile.TemporaryFile()  # read with os.pread where there is one
        self.addCleanup(on_disk.close)
        on_disk.write(data)
        on_disk.seek(0)
        for source in (io.BytesIO(data), _Unseekable(data), on_disk):
            with self.subTest(source=type(source).__name__):
                with receive_upload(source, "t.csv") as upload:
                    self.assertEqual(upload.size, len(data))
                    self.assertEqual(upload.content_key, key.hexdigest())
                    self.assertEqual(upload.suffix, "csv")
                    self.assertEqual(upload.file.read(), data)

    def test_the_key_does_not_depend_on_how_a_stream_is_read(self):
        """A network stream returns bytes in pieces of any size; the key must not change."""
        data = b"x" * 3_000_000
        with receive_upload(io.BytesIO(data), "a.csv") as whole:
            with receive_upload(_Unseekable(data, piece=1000), "a.csv") as in_pieces:
                self.assertEqual(in_pieces.content_key, whole.content_key)

    def test_same_bytes_same_digest_whatever_the_name(self):
        with receive_upload(io.BytesIO(b"x,y\n1,2\n"), "one.csv") as first:
            digest = first.content_key
        with receive_upload(io.BytesIO(b"x,y\n1,2\n"), "two.csv") as second:
            self.assertEqual(second.content_key, digest)

    def test_empty_file_is_refused(self):
        with self.assertRaises(UploadError) as caught:
            with receive_upload(io.BytesIO(b""), "empty.csv"):
                pass
        self.assertIn("empty", str(caught.exception))

    def test_size_limit_is_enforced_while_copying(self):
        source = _Unseekable(b"x" * 2_000_001)
        with self.assertRaises(UploadError) as caught:
            with receive_upload(source, "big.csv", max_bytes=2_000_000):
                pass
        self.assertIn("larger than 2 MB", str(caught.exception))
        # It stopped soon after the limit instead of reading everything first.
        self.assertLess(source.tell(), 2_000_001 + 1024 * 1024)

    def test_check_name_refuses_before_a_byte_is_read(self):
        source = _Unseekable(b"x" * 10)

        def refuse(filename: str) -> None:
            raise UploadError(f"{filename} is not for this app.")

        with self.assertRaises(UploadError) as caught:
            with receive_upload(source, "drawing.dwg", check_name=refuse):
                pass
        self.assertEqual(str(caught.exception), "drawing.dwg is not for this app.")
        self.assertEqual(source.tell(), 0)

    def test_suffix_is_lower_case_without_the_dot(self):
        for filename, suffix in [("A.XLSX", "xlsx"), ("archive.2024.csv", "csv"), ("README", "")]:
            with self.subTest(filename=filename):
                with receive_upload(io.BytesIO(b"x"), filename) as upload:
                    self.assertEqual(upload.suffix, suffix)

    def test_a_file_at_the_limit_is_accepted(self):
        with receive_upload(io.BytesIO(b"x" * 1000), "ok.csv", max_bytes=1000) as up:
            self.assertEqual(up.size, 1000)


class _Unseekable(io.RawIOBase):
    """A stream that cannot seek and returns at most ``piece`` bytes a read, like a download."""

    def __init__(self, data: bytes, piece: int = 64 * 1024) -> None:
        self._data = io.BytesIO(data)
        self._piece = piece

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self._piece if size < 0 else min(size, self._piece)
        return self._data.read(size)

    def tell(self) -> int:
        return self._data.tell()
