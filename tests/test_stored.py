"""Stored results: computed once, reused by later jobs, never stale, never lost to a failing store,
never used when an entry is broken.

The store is VIKTOR Storage itself (``ViktorStore``), through the SDK and the local stand-in.
"""

import io
import json
import tempfile
import time
import unittest
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from viktor_standin import Reset, Stall, ViktorStandIn

from app_files.stored import Cleared, Computation, clear, code_version, compute_once
from app_files.stores import ViktorStore
from app_files.uploaded import Upload, UploadError, receive_upload

DATA = b"span,grade\n4.5,S235\n6.0,S355\n"


class Lines(TypedDict):
    lines: int


class Counting:
    """A computation's function that counts its calls: the line count of an upload."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, upload: Upload) -> Lines:
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

    def result(self, data: bytes = DATA, filename: str = "beams.csv", lines=None, store=None):
        with receive_upload(io.BytesIO(data), filename) as upload:
            return compute_once(lines or self.lines, upload, store or self.store)

    def stored(self) -> dict[str, bytes]:
        return self.viktor.storage("workspace")

    def test_the_first_job_computes_and_stores(self):
        result = self.result()
        self.assertEqual((result.value, result.reused, result.stored), ({"lines": 3}, False, True))
        ((key, data),) = self.stored().items()
        self.assertRegex(key, r"^lines-[0-9a-f]{64}-1-csv$")
        self.assertEqual(json.loads(data), {"lines": 3})

    def test_a_later_job_reuses_without_computing(self):
        self.result()
        again = self.result(filename="renamed.csv")
        self.assertTrue(again.reused)
        self.assertEqual(again.value, {"lines": 3})
        self.assertEqual(self.compute.calls, 1)

    def test_inputs_are_given_to_compute_and_keyed_so_each_is_computed_once(self):
        def shares(upload: Upload, parts: int) -> Lines:
            calls.append(parts)
            return {"lines": upload.file.read().count(b"\n") // parts}

        calls: list[int] = []
        shared = computation(shares, name="shares", version="2-schema")  # a version with a dash
        with receive_upload(io.BytesIO(DATA), "beams.csv") as upload:
            results = [
                compute_once(shared, upload, self.store, {"parts": parts}).value
                for parts in (1, 3, 1, 3)
            ]
        self.assertEqual(results, [{"lines": 3}, {"lines": 1}] * 2)
        self.assertEqual(calls, [1, 3])  # each set of inputs once, and both kept
        self.assertEqual(len([key for key in self.stored() if key.startswith("shares-")]), 2)

    def test_an_odd_extension_makes_a_plain_key(self):
        for filename in ["beams", "beams.tar gz", "beams." + "x" * 300, "beams.CSV;rm"]:
            with self.subTest(filename=filename[:20]):
                with receive_upload(io.BytesIO(DATA), filename) as upload:
                    key = self.lines.key(upload)
                self.assertRegex(key, r"^lines-[0-9a-f]{64}-1-(other|csv)$")
                self.assertLessEqual(len(key), 100)
        with receive_upload(io.BytesIO(DATA), "BEAMS.CSV") as upload:
            self.assertTrue(self.lines.key(upload).endswith("-csv"))

    def test_other_bytes_or_another_extension_are_other_entries(self):
        self.result()
        self.result(DATA + b"7.5,S355\n")
        self.result(filename="beams.txt")
        self.assertEqual(self.compute.calls, 3)
        self.assertEqual(len(self.stored()), 3)

    def test_a_new_version_is_computed_and_replaces_the_older_ones(self):
        other_file = self.result(DATA + b"7.5,S355\n")
        self.assertTrue(other_file.stored)
        for version in ["1", "2", "3"]:
            for filename in ["beams.csv", "beams.txt"]:
                self.result(filename=filename, lines=computation(self.compute, version=version))
        self.assertEqual(self.compute.calls, 7)
        keys = sorted(self.stored())
        self.assertEqual(len(keys), 3, keys)  # the other file's, and this file's csv and txt of v3
        self.assertEqual(sum(key.endswith(("-3-csv", "-3-txt")) for key in keys), 2, keys)
        listed = [r.query["prefix"] for r in self.viktor.requests if r.route == "storage: list"]
        self.assertRegex(listed[-1], r"^lines-[0-9a-f]{64}-$")  # this file's entries only

    def test_older_versions_that_cannot_be_removed_do_not_fail_the_job(self):
        self.result()
        for route in ["storage: list", "storage: delete"]:
            with self.subTest(route=route), self.viktor.failing(route):
                with self.assertLogs("app_files.stored", "WARNING"):
                    result = self.result(lines=computation(self.compute, version=route))
                self.assertTrue(result.stored)

    def test_an_unusable_entry_is_computed_again_and_overwritten(self):
        self.result()
        (key,) = self.stored()
        broken = [b"not json", b"\xff\xfe", b"[1, 2]", b"[]", b"{}", b'{"lines": "x"}',
                  b'{"lines": true}', b'{"lines": 2.5}', b"NaN", b'{"lines": NaN}',
                  b'{"lines": Infinity}', b'{"lines": 1e999}', b"null"]  # fmt: skip
        for entry in broken:
            with self.subTest(entry=entry):
                self.viktor.put("workspace", key, entry)
                with self.assertLogs("app_files.stored", "WARNING"):
                    result = self.result()
                self.assertFalse(result.reused)
                self.assertEqual(json.loads(self.stored()[key]), {"lines": 3})

    def test_a_from_json_that_fails_in_any_way_means_computing_again(self):
        self.result()
        (key,) = self.stored()
        self.viktor.put("workspace", key, b'{"lines": [1]}')
        strict = Computation("lines", self.compute, "1", from_json=lambda data: data["lines"].bit)
        with self.assertLogs("app_files.stored", "WARNING") as logged:
            result = self.result(lines=strict)
        self.assertFalse(result.reused)
        self.assertIn("AttributeError", "".join(logged.output))

    def test_a_dataclass_result_is_stored_as_a_dict_and_built_again(self):
        @dataclass
        class Span:
            length: float
            grade: str | None = None

        def spans(upload: Upload) -> list[Span]:
            return [Span(4.5, "S235"), Span(6)]

        first = self.result(lines=computation(spans, name="spans"))
        again = self.result(lines=computation(spans, name="spans"))
        self.assertTrue(again.reused)
        self.assertEqual(again.value, first.value)
        self.assertEqual(
            json.loads(next(iter(self.stored().values())))[1], {"length": 6, "grade": None}
        )

    def test_a_computation_whose_result_cannot_be_checked_is_refused_when_defined(self):
        with self.assertRaisesRegex(TypeError, "annotate what it returns"):
            computation(lambda upload: {"lines": 1})
        with self.assertRaisesRegex(TypeError, "BytesIO cannot be checked"):
            computation(_returns_bytes_io)
        Computation("own", compute=lambda upload: 1, version="1", from_json=int)  # checks itself

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

        def mean(upload: Upload) -> dict[str, float]:
            return {"mean": float("nan")}

        with self.assertLogs("app_files.stored", "WARNING"):
            result = self.result(lines=computation(mean, name="nan"))
        self.assertFalse(result.stored)
        self.assertEqual(self.stored(), {})

    def test_a_bad_upload_stores_nothing(self):
        with self.assertRaises(UploadError):
            self.result(b"   \n")
        self.assertEqual(self.stored(), {})


def _returns_bytes_io(upload: Upload) -> io.BytesIO:
    return io.BytesIO()


class SlowStorageTest(unittest.TestCase):
    """A job waits for Storage at most once, for the store's timeout, and then computes."""

    TIMEOUT = 0.2

    def test_a_stalled_storage_costs_one_timeout_and_the_job_computes(self):
        for route in ["storage: get", "storage: download", "storage: set", "storage: upload"]:
            with self.subTest(route=route), ViktorStandIn() as viktor, viktor.job():
                store = ViktorStore("workspace", timeout=self.TIMEOUT)
                if route == "storage: download":  # an entry to download
                    with receive_upload(io.BytesIO(DATA), "beams.csv") as upload:
                        compute_once(computation(Counting()), upload, store)
                with viktor.failing(route, fault=Stall(30)):
                    with self.assertLogs("app_files.stored", "WARNING"):
                        start = time.perf_counter()
                        with receive_upload(io.BytesIO(DATA), "beams.csv") as upload:
                            first = compute_once(computation(Counting()), upload, store)
                            asked = len(viktor.requests)
                            more = computation(Counting(), name="more")
                            second = compute_once(more, upload, store)
                        seconds = time.perf_counter() - start
                self.assertLess(seconds, 3 * self.TIMEOUT)
                self.assertEqual((first.value, second.value), ({"lines": 3}, {"lines": 3}))
                # After the first timeout, Storage is not asked again in this job.
                self.assertEqual(len(viktor.requests), asked)
                self.assertFalse(second.stored)

    def test_one_reset_on_the_upload_of_a_set_costs_at_most_one_timeout(self):
        with ViktorStandIn() as viktor, viktor.job():
            store = ViktorStore("workspace", timeout=self.TIMEOUT)
            with viktor.failing("storage: upload", fault=Reset(), times=1):
                start = time.perf_counter()
                with self.assertLogs("app_files.stored", "WARNING"):
                    with receive_upload(io.BytesIO(DATA), "beams.csv") as upload:
                        result = compute_once(computation(Counting()), upload, store)
                seconds = time.perf_counter() - start
        self.assertLess(seconds, 3 * self.TIMEOUT)
        self.assertEqual((result.value, result.stored), ({"lines": 3}, False))


class ClearTest(unittest.TestCase):
    def test_removes_every_version_of_the_given_computations_and_counts_them(self):
        with ViktorStandIn() as viktor, viktor.job():
            keys = ["lines-a-1-csv", "lines-b-0-csv", "words-a-1-csv", "linesman-1", "file-7"]
            for key in [*keys, "set-files-files"]:
                viktor.put("workspace", key, b"{}")
            cleared = clear(ViktorStore("workspace"), [computation(Counting())])
            self.assertEqual(cleared, Cleared(removed=4, failed=0, listed=True))
            self.assertEqual(set(viktor.storage("workspace")), {"words-a-1-csv", "linesman-1"})
            listed = [r.query.get("prefix") for r in viktor.requests if r.route == "storage: list"]
            self.assertEqual(listed, ["lines-", "file-", "set-"])  # by prefix, not everything

    def test_counts_what_the_store_did_not_remove_or_list(self):
        with ViktorStandIn() as viktor, viktor.job():
            for key in ["lines-a-1-csv", "lines-b-1-csv", "words-a-1-csv"]:
                viktor.put("workspace", key, b"{}")
            store = ViktorStore("workspace")
            lines, words = computation(Counting()), computation(Counting(), name="words")
            with viktor.failing("storage: delete", times=1), self.assertLogs("app_files.stored"):
                self.assertEqual(clear(store, [lines]), Cleared(removed=1, failed=1, listed=True))
            with viktor.failing("storage: list", times=1), self.assertLogs("app_files.stored"):
                self.assertEqual(clear(store, [words]), Cleared(removed=0, failed=0, listed=False))

    def test_an_entry_removed_meanwhile_is_not_counted(self):
        class Vanishing:
            def keys(self, prefix: str) -> list[str]:
                return [f"{prefix}gone"]

            def delete(self, key: str) -> None:
                raise FileNotFoundError(key)

        self.assertEqual(clear(Vanishing(), [computation(Counting())]), Cleared())


class CodeVersionTest(unittest.TestCase):
    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory())) / "logic"
        (self.folder / "readers").mkdir(parents=True)
        (self.folder / "deflections.py").write_bytes(b"MEAN = 1\n")
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
        (self.folder / "deflections.py").write_bytes(b"MEAN = 1\r\n")
        (self.folder / "__pycache__").mkdir()
        (self.folder / "__pycache__" / "deflections.cpython-311.pyc").write_bytes(b"\x00")
        self.assertEqual(code_version(self.folder), before)

    def test_changes_with_a_librarys_version(self):
        self.assertNotEqual(
            code_version(self.folder), code_version(self.folder, libraries=["viktor"])
        )
