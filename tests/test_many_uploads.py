"""Many files at once: the files of a MultiFileField, each read once however often the set changes.

Through the SDK and the local stand-in, in a controller of the test's own: each file is received
in binary within its limits, one at a time; a file whose result is stored is not downloaded; the
same bytes twice are read once; adding a file reads that file only; a result of the whole set is
kept under the files' keys; and a file that cannot be used is named while the others still give
their results.
"""

import json
import sys
import tempfile
import unittest
from collections import Counter
from pathlib import Path
from typing import TypedDict
from unittest import mock

import viktor as vkt
from viktor_standin import ViktorStandIn

from app_files.stored import Combination, Computation, compute_combined, compute_each
from app_files.stores import ViktorStore
from app_files.uploaded import MB, Upload, UploadError, UploadSet, file_receiver
from app_files.viktor_jobs import received_uploads


class Lines(TypedDict):
    lines: int


COMPUTED: list[str] = []  # the names of the files each computation read, in order


def lines(upload: Upload) -> Lines:
    COMPUTED.append(upload.name)
    content = upload.file.read()
    if b"broken" in content:
        raise UploadError(f"{upload.name} holds a broken table: fix it, or remove it.")
    return {"lines": content.count(b"\n")}


def total(results: list[Lines]) -> Lines:
    return {"lines": sum(result["lines"] for result in results)}


LINES = Computation("lines", compute=lines, version="1")
TOTAL = Combination("lines-total", combine=total, version="1")


class Fields(vkt.Parametrization):
    files = vkt.MultiFileField("Files")


class Controller(vkt.Controller):
    parametrization = Fields

    @vkt.DataView("Each", duration_guess=1)
    def each(self, params, **kwargs) -> vkt.DataResult:
        store = ViktorStore("workspace")
        with received_uploads(params.files, "files", "Upload files.", store=store) as uploads:
            each = compute_each(LINES, uploads, store)
        items = [
            vkt.DataItem(upload.name, stored.value["lines"]) for upload, stored in each.results
        ]
        items += [vkt.DataItem(file.name, file.message) for file in each.refused]
        return vkt.DataResult(vkt.DataGroup(*items))

    @vkt.DataView("Total", duration_guess=1)
    def total(self, params, **kwargs) -> vkt.DataResult:
        store = ViktorStore("workspace")
        with received_uploads(params.files, "files", "Upload files.", store=store) as uploads:
            combined = compute_combined(TOTAL, LINES, uploads, store)
        items = [vkt.DataItem("Lines", combined.value["lines"])]
        items += [vkt.DataItem(file.name, file.message) for file in combined.refused]
        return vkt.DataResult(vkt.DataGroup(*items))


def table(number: int) -> bytes:
    return b"span,load\n" + b"".join(f"{number}.{row},{row}\n".encode() for row in range(number))


class ManyUploadsTest(unittest.TestCase):
    def setUp(self):
        self.viktor = self.enterContext(ViktorStandIn())
        COMPUTED.clear()

    def upload(self, *tables: tuple[str, bytes]) -> list[int]:
        return [self.viktor.add_file(name, data) for name, data in tables]

    def shown(self, view: str, files: list[int]) -> dict[str, object]:
        self.viktor.forget_requests()
        result = self.viktor.run_job(Controller(), view, "data", {"files": files})
        return {item["label"]: item["value"] for item in result["data"]}

    def downloads(self) -> int:
        return sum(request.route == "file download" for request in self.viktor.requests)

    def test_each_file_is_computed_once_and_then_reused_without_a_download(self):
        files = self.upload(*[(f"t{n}.csv", table(n)) for n in range(1, 4)])
        self.assertEqual(self.shown("each", files), {"t1.csv": 2, "t2.csv": 3, "t3.csv": 4})
        self.assertEqual(COMPUTED, ["t1.csv", "t2.csv", "t3.csv"])
        self.assertEqual(self.shown("each", files), {"t1.csv": 2, "t2.csv": 3, "t3.csv": 4})
        self.assertEqual((len(COMPUTED), self.downloads()), (3, 0))

    def test_adding_a_file_reads_that_file_only(self):
        files = self.upload(*[(f"t{n}.csv", table(n)) for n in range(1, 21)])
        self.shown("total", files)
        COMPUTED.clear()
        files += self.upload(("t21.csv", table(21)))
        self.assertEqual(self.shown("total", files), {"Lines": sum(n + 1 for n in range(1, 22))})
        self.assertEqual((COMPUTED, self.downloads()), (["t21.csv"], 1))

    def test_adding_a_file_asks_about_that_file_only(self):
        """The requests of a job after a file is added are as many with 20 files kept as with 1:
        what is known of the others (names, keys, results) is kept with the field."""

        def requests_after_adding_one(kept: int) -> Counter:
            files = self.upload(*[(f"t{n}.csv", table(n)) for n in range(1, kept + 1)])
            self.shown("total", files)
            files += self.upload((f"new{kept}.csv", table(100 + kept)))  # bytes no job has seen
            self.assertEqual(
                self.shown("total", files)["Lines"], sum(range(2, kept + 2)) + 101 + kept
            )
            return Counter(
                request.route
                for request in self.viktor.requests
                if request.route.startswith(("storage", "file"))
            )

        one = requests_after_adding_one(1)
        self.assertEqual(requests_after_adding_one(20), one)
        self.assertEqual(one["file download"], 1)

    def test_what_the_entity_keeps_of_the_field_is_as_large_as_its_set(self):
        files = self.upload(*[(f"t{n}.csv", table(n)) for n in range(1, 4)])
        self.shown("total", files)
        self.shown("total", files[:2])  # a file removed
        kept = {key: json.loads(data) for key, data in self.viktor.storage("entity").items()}
        self.assertEqual(set(kept), {"set-files-files", "set-files-results-lines"})
        self.assertEqual(set(kept["set-files-files"]), {str(file) for file in files[:2]})
        self.assertEqual(len(kept["set-files-results-lines"]), 2)
        self.assertEqual(self.viktor.storage("entity", entity_id=2), {})  # another entity's

    def test_what_the_entity_keeps_serves_nothing_wrong(self):
        """Broken, or of another set of files: a job asks the store instead, and keeps the
        truth."""
        files = self.upload(("a.csv", table(2)), ("b.csv", table(3)))
        self.shown("total", files)
        other = self.upload(("c.csv", table(4)))
        self.shown("total", other)  # the entity now keeps c.csv alone
        for broken in (b"[]", b'{"1": {"name": "a.csv", "bytes": 0}}', b"not JSON"):
            with self.subTest(broken=broken):
                for key in self.viktor.storage("entity"):
                    self.viktor.put("entity", key, broken)
                COMPUTED.clear()
                self.assertEqual(self.shown("total", files), {"Lines": 7})
                self.assertEqual((COMPUTED, self.downloads()), ([], 0))
                kept = json.loads(self.viktor.storage("entity")["set-files-files"])
                self.assertEqual(kept[str(files[0])]["name"], "a.csv")

    def test_the_same_bytes_twice_are_read_once(self):
        files = self.upload(("a.csv", table(3)), ("copy of a.csv", table(3)))
        self.assertEqual(self.shown("each", files), {"a.csv": 4, "copy of a.csv": 4})
        self.assertEqual(COMPUTED, ["a.csv"])

    def test_a_broken_file_is_named_and_the_others_still_count(self):
        files = self.upload(("a.csv", table(2)), ("b.csv", b"broken\n"), ("c.csv", table(3)))
        for view in ("each", "total"):
            with self.subTest(view=view):
                shown = self.shown(view, files)
                self.assertEqual(
                    shown["b.csv"], "b.csv holds a broken table: fix it, or remove it."
                )
                self.assertEqual(shown.get("Lines", 7), 7)

    def test_a_set_kept_whole_is_shown_without_asking_for_any_files_result(self):
        files = self.upload(*[(f"t{n}.csv", table(n)) for n in range(1, 6)])
        self.shown("total", files)
        self.assertEqual(self.shown("total", files), {"Lines": sum(n + 1 for n in range(1, 6))})
        results = [
            request
            for request in self.viktor.requests
            if request.route == "storage: get" and request.query["key"].startswith("lines-")
            and not request.query["key"].startswith("lines-total-")
        ]  # fmt: skip
        self.assertEqual((results, self.downloads()), ([], 0))

    def test_a_set_with_a_file_that_could_not_be_fetched_is_shown_but_not_kept(self):
        files = self.upload(("a.csv", table(2)), ("b.csv", table(3)))
        self.shown("each", files[1:])  # b.csv is known: no job downloads it again
        with self.viktor.failing("file download"):
            shown = self.shown("total", files)
        self.assertEqual(shown["Lines"], 4)
        self.assertIn("could not give this app", shown["a.csv"])
        self.assertFalse(
            any(key.startswith("lines-total-") for key in self.viktor.storage("workspace"))
        )
        self.assertEqual(self.shown("total", files), {"Lines": 7})

    def test_a_file_left_out_is_named_as_it_is_named_now(self):
        """The same bytes under other names: the kept set never shows the name another user gave
        a file."""
        self.shown("total", self.upload(("a.csv", table(2)), ("b.csv", b"broken\n")))
        shown = self.shown("total", self.upload(("x.csv", table(2)), ("y.csv", b"broken\n")))
        self.assertEqual(
            shown, {"Lines": 3, "y.csv": "y.csv holds a broken table: fix it, or remove it."}
        )

    def test_a_file_refused_before_it_is_read_is_not_kept_with_the_set(self):
        self.shown("total", self.upload(("a.csv", table(2)), ("empty.csv", b"")))
        self.assertEqual(self.shown("total", self.upload(("a.csv", table(2)))), {"Lines": 3})

    def test_a_file_that_could_not_be_fetched_to_be_read_is_not_kept_as_left_out(self):
        files = self.upload(("a.csv", table(2)), ("b.csv", table(3)))
        self.shown("each", files)  # both known, and their results stored
        for scope in ("workspace", "entity"):  # the results, and those kept with the field
            for key in self.viktor.storage(scope):
                if key.startswith(("lines-", "set-files-results-lines")):
                    self.viktor.put(scope, key, b"{}")  # b.csv's result unusable: read again
        with self.viktor.failing("file download"):
            shown = self.shown("total", files)
        self.assertIn("could not give this app", shown["a.csv"])
        self.assertEqual(self.shown("total", files), {"Lines": 7})

    def test_a_new_version_of_the_computation_makes_the_set_again(self):
        files = self.upload(("a.csv", table(2)), ("b.csv", table(3)))
        self.shown("total", files)
        COMPUTED.clear()
        with mock.patch.object(sys.modules[__name__], "LINES", Computation("lines", lines, "2")):
            self.assertEqual(self.shown("total", files), {"Lines": 7})
        self.assertEqual(COMPUTED, ["a.csv", "b.csv"])

    def test_no_files_asks_for_them_on_the_field(self):
        with self.assertRaises(vkt.UserError) as caught:
            self.viktor.run_job(Controller(), "each", "data", {"files": []})
        self.assertIn("Upload files.", str(caught.exception))


class UploadSetTest(unittest.TestCase):
    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def file(self, name: str, data: bytes) -> Path:
        (self.folder / name).write_bytes(data)
        return self.folder / name

    def test_one_file_is_open_at_a_time(self):
        paths = [self.file(f"t{n}.csv", table(n)) for n in range(1, 4)]
        uploads = UploadSet([(path.name, file_receiver(path)) for path in paths])
        seen = []
        for upload in uploads:
            self.assertTrue(all(file.closed for file in seen))
            seen.append(upload.file)
        self.assertTrue(all(file.closed for file in seen))

    def test_files_that_cannot_be_used_are_left_out_with_why(self):
        paths = [
            self.file("a.csv", table(2)),
            self.file("empty.csv", b""),
            self.file("big.csv", b"x" * 3_000_000),
            self.file("b.csv", b"y" * 1_500_000),
            self.file("c.csv", table(3)),
        ]
        uploads = UploadSet(
            [(path.name, file_receiver(path, max_bytes=2 * MB)) for path in paths],
            max_total_bytes=int(1.5 * MB),
        )
        self.assertEqual([upload.name for upload in uploads], ["a.csv", "c.csv"])
        refused = {file.name: file.message for file in uploads.refused}
        self.assertEqual(list(refused), ["empty.csv", "big.csv", "b.csv"])
        self.assertIn("is empty", refused["empty.csv"])
        self.assertIn("larger than 2 MB", refused["big.csv"])
        self.assertIn("more than 1.5 MB together", refused["b.csv"])

    def test_a_store_that_is_down_still_gives_every_result(self):
        paths = [self.file(f"t{n}.csv", table(n)) for n in range(1, 3)]
        uploads = UploadSet([(path.name, file_receiver(path)) for path in paths])

        class Down:
            def read(self, key):
                raise OSError("down")

            write = keys = delete = read

        each = compute_each(LINES, uploads, Down())
        self.assertEqual([stored.value for _, stored in each.results], [{"lines": 2}, {"lines": 3}])
        combined = compute_combined(TOTAL, LINES, uploads, Down())
        self.assertEqual((combined.value, combined.stored), ({"lines": 5}, False))
