"""Uploads: received in binary, within a size limit, with their content key. In a job, an upload
is downloaded only when a computation reads it, and a failed download asks the user to try again."""

import hashlib
import io
import json
import re
import tempfile
import unittest
from importlib import metadata
from typing import TypedDict
from unittest import mock

import viktor as vkt
from viktor_standin import Reset, ShortBody, Status, ViktorStandIn

from app_files.stored import Computation, compute_once
from app_files.stores import ViktorStore
from app_files.uploaded import MAX_UPLOAD_BYTES, Upload, UploadError, receive_upload
from app_files.viktor_jobs import file_id_of, received_upload


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


class Lines(TypedDict):
    lines: int


JOBS_LOG = "app_files.viktor_jobs"
COUNTED: list[str] = []  # the names of the uploads the computation below has read


def count_lines(upload: Upload) -> Lines:
    COUNTED.append(upload.name)
    return {"lines": upload.file.read().count(b"\n")}


LINES = Computation("lines", compute=count_lines, version="1")


class Fields(vkt.Parametrization):
    upload = vkt.FileField("File")


class LinesController(vkt.Controller):
    parametrization = Fields()

    @vkt.DataView("Lines")
    def lines(self, params, **kwargs) -> vkt.DataResult:
        store = ViktorStore("workspace")
        with received_upload(params.upload, "upload", "Upload a file.", store=store) as upload:
            lines = compute_once(LINES, upload, store).value
        return vkt.DataResult(vkt.DataGroup(vkt.DataItem("Lines", lines["lines"])))


class ReceivedUploadTest(unittest.TestCase):
    """A file field's upload in a job: downloaded only when a computation reads it."""

    DATA = b"span,grade\n4.5,S235\n6.0,S355\n"

    def setUp(self):
        self.viktor = self.enterContext(ViktorStandIn())
        COUNTED.clear()

    def run_job(self, file_id: int, session_id: str = "session-1") -> int:
        result = self.viktor.run_job(
            LinesController(), "lines", "data", {"upload": file_id}, session_id=session_id
        )
        return result["data"][0]["value"]

    def routes(self) -> list[str]:
        return [request.route for request in self.viktor.requests]

    def stored(self) -> tuple[list[str], int]:
        """The keys of what is stored of uploaded files, and the number of results stored."""
        keys = self.viktor.storage("workspace")
        results = [key for key in keys if re.fullmatch(r"lines-[0-9a-f]{64}-1-csv", key)]
        return sorted(key for key in keys if key.startswith("file-")), len(results)

    def test_the_pinned_sdk_keeps_the_file_id_where_file_id_of_reads_it(self):
        """The canary of file_id_of: FileResource._source_id is private to the SDK."""
        file_id = self.viktor.add_file("beams.csv", self.DATA)
        seen = []

        class Seeing(vkt.Controller):
            parametrization = Fields()

            @vkt.DataView("Id")
            def id(self, params, **kwargs) -> vkt.DataResult:
                seen.append(file_id_of(params.upload))
                return vkt.DataResult(vkt.DataGroup())

        self.viktor.run_job(Seeing(), "id", "data", {"upload": file_id})
        if seen != [str(file_id)]:
            self.fail(
                f"The VIKTOR SDK {metadata.version('viktor')} no longer keeps a file field's id "
                "in FileResource._source_id, so every job downloads its upload again to find its "
                "content key: stay on the SDK version in requirements.txt, or find where the new "
                "SDK keeps the id and read it there, in app_files/viktor_jobs.py: file_id_of."
            )

    def test_a_job_whose_result_is_stored_downloads_nothing(self):
        file_id = self.viktor.add_file("beams.csv", self.DATA)
        self.assertEqual(self.run_job(file_id), 3)
        self.assertEqual(self.routes().count("file download"), 1)
        self.viktor.forget_requests()
        self.assertEqual(self.run_job(file_id), 3)
        self.assertEqual(COUNTED, ["beams.csv"])
        self.assertNotIn("file download", self.routes())
        self.assertEqual(self.stored(), ([f"file-{file_id}"], 1))

    def test_without_the_file_id_the_upload_is_read_in_every_job_and_its_result_reused(self):
        file_id = self.viktor.add_file("beams.csv", self.DATA)
        with mock.patch("app_files.viktor_jobs.file_id_of", return_value=None):
            self.run_job(file_id)
            self.run_job(file_id)
        self.assertEqual(COUNTED, ["beams.csv"])
        self.assertEqual(self.routes().count("file download"), 2)
        self.assertEqual(self.stored(), ([], 1))

    def test_two_users_who_upload_the_same_bytes_share_one_result(self):
        mine = self.viktor.add_file("beams.csv", self.DATA)
        theirs = self.viktor.add_file("copy of beams.csv", self.DATA)
        self.run_job(mine, session_id="mine")
        self.run_job(theirs, session_id="theirs")
        self.assertEqual(COUNTED, ["beams.csv"])
        self.assertEqual(self.stored(), ([f"file-{mine}", f"file-{theirs}"], 1))

    def test_a_download_that_fails_or_is_cut_short_asks_the_user_to_try_again(self):
        file_id = self.viktor.add_file("beams.csv", self.DATA)
        cases = [
            ("file", Status(500)),
            ("file", ShortBody()),
            ("file download", Status(500)),
            ("file download", Status(404)),
            ("file download", Reset()),  # the SDK tries five times, for about 3 s
            ("file download", ShortBody()),
        ]
        for route, fault in cases:
            with self.subTest(route=route, fault=fault), self.viktor.failing(route, fault=fault):
                with self.assertRaises(vkt.UserError) as caught, self.assertLogs(JOBS_LOG):
                    self.run_job(file_id)
                self.assertIn("try again", str(caught.exception))
                self.assertEqual(caught.exception.input_violations[0].fields, ["upload"])
        self.assertEqual(self.viktor.storage("workspace"), {})

    def test_a_download_that_fails_when_a_computation_reads_the_file_is_a_user_error(self):
        file_id = self.viktor.add_file("beams.csv", self.DATA)
        self.run_job(file_id)
        (result,) = [key for key in self.viktor.storage("workspace") if key.startswith("lines-")]
        self.viktor.replace_entries(
            {k: v for k, v in self.viktor.entries().items() if k[3] != result}
        )
        with self.viktor.failing("file download", fault=ShortBody()):
            with self.assertRaises(vkt.UserError) as caught, self.assertLogs(JOBS_LOG):
                self.run_job(file_id)
        self.assertIn("try again", str(caught.exception))
        self.assertEqual(list(self.viktor.storage("workspace")), [f"file-{file_id}"])

    def test_a_broken_record_of_the_file_is_read_again_and_overwritten(self):
        file_id = self.viktor.add_file("beams.csv", self.DATA)
        self.run_job(file_id)
        record = f"file-{file_id}"
        good = self.viktor.storage("workspace")[record]
        broken = [b"[]", b"{}", b'{"bytes": "x"}', b"NaN", b'{"bytes": 29, "content_key": "x"}',
                  b'{"bytes": 0, "content_key": "' + b"0" * 64 + b'"}']  # fmt: skip
        for entry in broken:
            with self.subTest(entry=entry):
                self.viktor.put("workspace", record, entry)
                with self.assertLogs("app_files.stored", "WARNING"):
                    self.assertEqual(self.run_job(file_id), 3)
                self.assertEqual(self.viktor.storage("workspace")[record], good)
        self.assertEqual(COUNTED, ["beams.csv"])  # the result itself was reused each time

    def test_a_record_that_does_not_match_the_file_stores_nothing_under_its_key(self):
        file_id = self.viktor.add_file("beams.csv", self.DATA)
        self.run_job(file_id)
        record = f"file-{file_id}"
        good = self.viktor.storage("workspace")[record]
        wrong = json.dumps({"bytes": len(self.DATA), "content_key": "0" * 64}).encode()
        self.viktor.put("workspace", record, wrong)
        before = set(self.viktor.storage("workspace"))
        with self.assertRaises(vkt.UserError) as caught:
            self.run_job(file_id)
        self.assertIn("Try again", str(caught.exception))
        self.assertEqual(set(self.viktor.storage("workspace")), before)  # nothing under 000...
        self.assertEqual(self.viktor.storage("workspace")[record], good)  # corrected
        self.assertEqual(self.run_job(file_id), 3)

    def test_a_size_on_record_beyond_the_limit_is_refused(self):
        file_id = self.viktor.add_file("beams.csv", self.DATA)
        record = {"bytes": MAX_UPLOAD_BYTES + 1, "content_key": "0" * 64}
        self.viktor.put("workspace", f"file-{file_id}", json.dumps(record).encode())
        with self.assertRaises(vkt.UserError) as caught:
            self.run_job(file_id)
        self.assertIn("larger than", str(caught.exception))
