"""Stored results: computed once, reused by later jobs, never stale, never lost to a failing store.

The store is VIKTOR Storage itself (``ViktorStore``), through the SDK and the local stand-in.
"""

import io
import json
import tempfile
import unittest
from pathlib import Path

from viktor_standin import ViktorStandIn

from app_files.stored import Computation, clear, code_version, compute_once
from app_files.stores import ViktorStore
from app_files.uploaded import Upload, UploadError, receive_upload

DATA = b"span,grade\n4.5,S235\n6.0,S355\n"


class Counting:
    """A computation's function that counts its calls: the line count of an upload."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, upload: Upload) -> dict:
        self.calls += 1
        content = upload.file.read()
        if not content.strip():
            raise UploadError(f"{upload.name} holds only spaces.")
        return {"lines": content.count(b"\n")}


def computation(compute, version: str = "1", name: str = "lines") -> Computation:
    return Computation(name, compute=compute, version=version)


class ComputeOnceTest(unittest.TestCase):
    def setUp(self):
        self.viktor = self.enterContext(ViktorStandIn())
        self.enterContext(self.viktor.job())
        self.store = ViktorStore("workspace")
        self.compute = Counting()
        self.lines = computation(self.compute)

    def result(self, data: bytes = DATA, filename: str = "beams.csv", lines=None):
        with receive_upload(io.BytesIO(data), filename) as upload:
            return compute_once(lines or self.lines, upload, self.store)

    def stored(self) -> dict[str, bytes]:
        return self.viktor.storage("workspace")

    def test_the_first_job_computes_and_stores(self):
        result = self.result()
        self.assertEqual((result.value, result.reused, result.stored), ({"lines": 3}, False, True))
        ((key, data),) = self.stored().items()
        self.assertRegex(key, r"^lines-1-csv-[0-9a-f]{64}$")
        self.assertEqual(json.loads(data), {"lines": 3})

    def test_a_later_job_reuses_without_computing(self):
        self.result()
        again = self.result(filename="renamed.csv")
        self.assertTrue(again.reused)
        self.assertEqual(again.value, {"lines": 3})
        self.assertEqual(self.compute.calls, 1)

    def test_an_odd_extension_makes_a_plain_key(self):
        for filename in ["beams", "beams.tar gz", "beams." + "x" * 300, "beams.CSV;rm"]:
            with self.subTest(filename=filename[:20]):
                with receive_upload(io.BytesIO(DATA), filename) as upload:
                    key = self.lines.key(upload)
                self.assertRegex(key, r"^lines-1-(other|csv)-[0-9a-f]{64}$")
                self.assertLessEqual(len(key), 100)
        with receive_upload(io.BytesIO(DATA), "BEAMS.CSV") as upload:
            self.assertIn("-csv-", self.lines.key(upload))

    def test_other_bytes_another_extension_or_another_version_are_other_entries(self):
        self.result()
        self.result(DATA + b"7.5,S355\n")
        self.result(filename="beams.txt")
        self.result(lines=computation(self.compute, version="2"))
        self.assertEqual(self.compute.calls, 4)
        self.assertEqual(len(self.stored()), 4)

    def test_an_unreadable_entry_is_computed_again_and_overwritten(self):
        self.result()
        (key,) = self.stored()
        for broken in [b"not json", b"\xff\xfe", b"[1, 2]"]:
            with self.subTest(broken=broken):
                self.viktor.put("workspace", key, broken)
                strict = Computation(
                    "lines", compute=self.compute, version="1", from_json=lambda d: d["lines"]
                )
                with self.assertLogs("app_files.stored", "WARNING"):
                    result = self.result(lines=strict)
                self.assertFalse(result.reused)
                self.assertEqual(json.loads(self.stored()[key]), {"lines": 3})

    def test_an_unreachable_store_does_not_fail_the_job(self):
        with self.viktor.failing("storage: get", "storage: set"):
            with self.assertLogs("app_files.stored", "WARNING"):
                result = self.result()
        self.assertEqual((result.value, result.reused, result.stored), ({"lines": 3}, False, False))

    def test_a_failed_write_loses_nothing_already_stored(self):
        self.result()
        before = self.stored()
        with self.viktor.failing("storage: set"), self.assertLogs("app_files.stored", "WARNING"):
            self.result(DATA + b"7.5,S355\n")
        self.assertEqual(self.stored(), before)

    def test_a_value_json_cannot_hold_is_not_stored(self):
        """NaN is not JSON: a browser refuses it, so it must never be stored for a view."""
        nan = computation(lambda upload: {"mean": float("nan")}, name="nan")
        with self.assertLogs("app_files.stored", "WARNING"):
            result = self.result(lines=nan)
        self.assertFalse(result.stored)
        self.assertEqual(self.stored(), {})

    def test_a_bad_upload_stores_nothing(self):
        with self.assertRaises(UploadError):
            self.result(b"   \n")
        self.assertEqual(self.stored(), {})


class ClearTest(unittest.TestCase):
    def test_removes_every_version_of_the_given_computations_and_counts_them(self):
        with ViktorStandIn() as viktor, viktor.job():
            for key in ["lines-1-csv-a", "lines-0-csv-b", "words-1-csv-a", "linesman-1"]:
                viktor.put("workspace", key, b"{}")
            removed = clear(ViktorStore("workspace"), [computation(Counting())])
            self.assertEqual(removed, 2)
            self.assertEqual(set(viktor.storage("workspace")), {"words-1-csv-a", "linesman-1"})
            listed = [r.query.get("prefix") for r in viktor.requests if r.route == "storage: list"]
            self.assertEqual(listed, ["lines-"])  # listed by prefix, not everything

    def test_an_entry_removed_meanwhile_is_not_counted(self):
        class Vanishing:
            def keys(self, prefix: str) -> list[str]:
                return [f"{prefix}gone"]

            def delete(self, key: str) -> None:
                raise FileNotFoundError(key)

        self.assertEqual(clear(Vanishing(), [computation(Counting())]), 0)


class CodeVersionTest(unittest.TestCase):
    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory())) / "logic"
        (self.folder / "readers").mkdir(parents=True)
        (self.folder / "statistics.py").write_bytes(b"MEAN = 1\n")
        (self.folder / "readers" / "text.py").write_bytes(b"DELIMITER = ','\n")

    def test_changes_when_any_source_file_changes(self):
        before = code_version(self.folder)
        (self.folder / "readers" / "text.py").write_bytes(b"DELIMITER = ';'\n")
        self.assertNotEqual(code_version(self.folder), before)

    def test_changes_when_a_file_is_added_or_renamed(self):
        before = code_version(self.folder)
        (self.folder / "readers" / "xlsx.py").write_bytes(b"")
        added = code_version(self.folder)
        (self.folder / "readers" / "xlsx.py").rename(self.folder / "readers" / "csv.py")
        self.assertEqual(len({before, added, code_version(self.folder)}), 3)

    def test_line_endings_and_caches_do_not_count(self):
        before = code_version(self.folder)
        (self.folder / "statistics.py").write_bytes(b"MEAN = 1\r\n")
        (self.folder / "__pycache__").mkdir()
        (self.folder / "__pycache__" / "statistics.cpython-311.pyc").write_bytes(b"\x00")
        self.assertEqual(code_version(self.folder), before)

    def test_changes_with_a_librarys_version(self):
        self.assertNotEqual(
            code_version(self.folder), code_version(self.folder, libraries=["viktor"])
        )
