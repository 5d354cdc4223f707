import io
import json
import unittest
from unittest import mock

from storage_double import FakeStorage

from tablestats import results
from tablestats.errors import UploadError
from tablestats.store import ViktorStore

CSV = b"span,grade\n4.5,S235\n6.0,S355\n"


def summarize(data: bytes, store, filename: str = "beams.csv") -> results.Result:
    return results.summarize_upload(io.BytesIO(data), filename, store)


class ComputeOnceTest(unittest.TestCase):
    def setUp(self):
        self.storage = FakeStorage()
        self.store = ViktorStore("workspace", self.storage)

    def test_first_job_computes_and_stores(self):
        result = summarize(CSV, self.store)
        self.assertFalse(result.reused)
        self.assertTrue(result.stored)
        self.assertEqual(result.summary.rows, 2)
        (key,) = self.storage.data["workspace"]
        self.assertTrue(key.startswith(f"{results.KEY_PREFIX}v{results.SCHEMA_VERSION}-csv-"))
        self.assertLessEqual(len(key), 256)

    def test_later_job_reuses_without_reading_the_file(self):
        first = summarize(CSV, self.store)
        with mock.patch.object(results, "read_table", side_effect=AssertionError("read again")):
            second = summarize(CSV, self.store, filename="renamed.csv")
        self.assertTrue(second.reused)
        self.assertEqual(second.summary, first.summary)
        self.assertEqual(second.file_name, "renamed.csv")

    def test_other_bytes_are_another_entry(self):
        summarize(CSV, self.store)
        other = summarize(CSV + b"7.5,S355\n", self.store)
        self.assertFalse(other.reused)
        self.assertEqual(len(self.storage.data["workspace"]), 2)

    def test_unreadable_entry_is_computed_again_and_overwritten(self):
        fresh = summarize(CSV, self.store)
        (key,) = self.storage.data["workspace"]
        stored = json.loads(self.storage.data["workspace"][key])
        broken_entries = [
            b"not json",
            b"\xff\xfe",
            json.dumps({**stored, "schema": results.SCHEMA_VERSION + 1}).encode(),
            json.dumps({**stored, "columns": [{"name": "span"}]}).encode(),
            json.dumps([1, 2]).encode(),
        ]
        for broken in broken_entries:
            with self.subTest(broken=broken[:40]):
                self.storage.data["workspace"][key] = broken
                with self.assertLogs("tablestats.results", "WARNING"):
                    result = summarize(CSV, self.store)
                self.assertFalse(result.reused)
                self.assertEqual(result.summary, fresh.summary)
                self.assertEqual(json.loads(self.storage.data["workspace"][key]), stored)

    def test_unreachable_store_does_not_fail_the_job(self):
        self.storage.fail_reads = True
        self.storage.fail_writes = True
        with self.assertLogs("tablestats.results", "WARNING"):
            result = summarize(CSV, self.store)
        self.assertFalse(result.reused)
        self.assertFalse(result.stored)
        self.assertEqual(result.summary.rows, 2)

    def test_failed_write_loses_nothing_already_stored(self):
        summarize(CSV, self.store)
        before = dict(self.storage.data["workspace"])
        self.storage.fail_writes = True
        with self.assertLogs("tablestats.results", "WARNING"):
            result = summarize(CSV + b"7.5,S355\n", self.store)
        self.assertEqual(result.summary.rows, 3)
        self.assertEqual(self.storage.data["workspace"], before)

    def test_bad_upload_stores_nothing(self):
        with self.assertRaises(UploadError):
            summarize(b"name\nx\ny\n", self.store)
        self.assertEqual(self.storage.data["workspace"], {})


class ClearTest(unittest.TestCase):
    def test_removes_only_this_apps_entries_and_counts_them(self):
        storage = FakeStorage()
        store = ViktorStore("workspace", storage)
        summarize(CSV, store)
        summarize(CSV + b"7.5,S355\n", store)
        storage.data["workspace"]["someone-elses-result"] = b"keep"
        storage.data["workspace"][f"{results.KEY_PREFIX}v0-csv-old"] = b"an older version"
        self.assertEqual(results.clear(store), 3)
        self.assertEqual(storage.data["workspace"], {"someone-elses-result": b"keep"})
        self.assertIn(("list", results.KEY_PREFIX), storage.calls)  # listed by prefix
        self.assertEqual(results.clear(store), 0)

    def test_an_entry_removed_meanwhile_is_not_counted(self):
        storage = FakeStorage()
        store = ViktorStore("workspace", storage)
        summarize(CSV, store)
        with mock.patch.object(store, "delete", side_effect=FileNotFoundError):
            self.assertEqual(results.clear(store), 0)
