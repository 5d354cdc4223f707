import os
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import viktor as vkt
from storage_double import FakeStorage

from tablestats.store import FolderStore, ViktorStore, default_folder


class FolderStoreTest(unittest.TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name) / "results"  # created on the first write
        self.store = FolderStore(self.folder)

    def test_write_read_list_delete(self):
        self.assertIsNone(self.store.read("a-1"))
        self.assertEqual(self.store.keys("a-"), [])
        self.store.write("a-1", b"one")
        self.store.write("a-2", b"two")
        self.store.write("b-1", b"other")
        self.assertEqual(self.store.read("a-1"), b"one")
        self.assertEqual(self.store.keys("a-"), ["a-1", "a-2"])
        self.store.delete("a-1")
        self.assertEqual(self.store.keys(""), ["a-2", "b-1"])
        with self.assertRaises(FileNotFoundError):
            self.store.delete("a-1")

    def test_write_replaces(self):
        self.store.write("k", b"old")
        self.store.write("k", b"new")
        self.assertEqual(self.store.read("k"), b"new")

    def test_failed_write_keeps_the_old_entry_and_leaves_nothing_behind(self):
        self.store.write("k", b"old")
        with mock.patch("tablestats.store.os.replace", side_effect=OSError("disk full")):
            with self.assertRaises(OSError):
                self.store.write("k", b"new")
        self.assertEqual(self.store.read("k"), b"old")
        self.assertEqual(sorted(p.name for p in self.folder.iterdir()), ["k"])

    def test_keys_that_are_not_file_names_are_refused(self):
        for key in ["../escape", "a/b", "", ".hidden", "a\\b", "x" * 201]:
            with self.subTest(key=key), self.assertRaises(ValueError):
                self.store.write(key, b"x")


class DefaultFolderTest(unittest.TestCase):
    def test_is_a_cache_folder_outside_the_app(self):
        app_folder = Path(__file__).parent.parent
        folder = default_folder()
        self.assertTrue(folder.is_absolute())
        self.assertNotIn(app_folder.resolve(), [folder.resolve(), *folder.resolve().parents])

    def test_follows_xdg_cache_home_on_linux(self):
        with mock.patch("tablestats.store.sys.platform", "linux"):
            with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": str(Path("/somewhere"))}):
                self.assertEqual(default_folder(), Path("/somewhere") / "viktor-table-stats")


class ViktorStoreTest(unittest.TestCase):
    def test_reads_and_writes_in_its_scope(self):
        storage = FakeStorage()
        store = ViktorStore("workspace", storage)
        self.assertIsNone(store.read("k"))
        store.write("k", b"data")
        self.assertEqual(storage.data["workspace"], {"k": b"data"})
        self.assertEqual(storage.data["session"], {})
        self.assertEqual(store.read("k"), b"data")
        self.assertEqual(store.keys("k"), ["k"])
        store.delete("k")
        self.assertEqual(store.keys(""), [])

    def test_uses_vkt_storage_by_default(self):
        storage = FakeStorage()
        with storage.installed():
            ViktorStore("session").write("k", b"x")
        self.assertEqual(storage.data["session"], {"k": b"x"})

    def test_outside_a_job_the_sdk_refuses(self):
        """Why the tests need a double: the real Storage only works inside a VIKTOR job."""
        with self.assertRaises(OSError):
            ViktorStore("workspace")


class FakeStorageTest(unittest.TestCase):
    def test_scopes_are_separate(self):
        storage = FakeStorage()
        storage.set("k", vkt.File.from_data(b"1"), scope="entity")
        with self.assertRaises(FileNotFoundError):
            storage.get("k", scope="workspace")
        self.assertEqual(storage.get("k", scope="entity").getvalue_binary(), b"1")

    def test_lists_by_prefix(self):
        storage = FakeStorage()
        for key in ["app-1", "app-2", "other"]:
            storage.set(key, vkt.File.from_data(b""), scope="workspace")
        self.assertEqual(sorted(storage.list(prefix="app-", scope="workspace")), ["app-1", "app-2"])

    def test_refuses_what_the_sdk_refuses(self):
        storage = FakeStorage()
        with self.assertRaises(ValueError):
            storage.get("k", scope="project")
        with self.assertRaises(ValueError):
            storage.set("k" * 257, vkt.File.from_data(b""), scope="workspace")
        storage.set("k" * 256, vkt.File.from_data(b""), scope="workspace")  # the longest allowed
        with self.assertRaises(FileNotFoundError):
            storage.delete("missing", scope="workspace")


class SdkStorageContractTest(unittest.TestCase):
    """The double refuses what the real vkt.Storage refuses, with the same exception type.

    The SDK checks the scope and the key length before it contacts VIKTOR, so those checks can
    run offline, given a job token and an API address. Setting them uses private parts of the
    SDK (``viktor.core._Context``); requirements.txt pins the SDK version this was checked with.
    """

    def setUp(self):
        from viktor import core

        context = core._Context
        previous = context.job_token
        context.job_token = "offline-test"
        self.addCleanup(setattr, context, "job_token", previous)
        # A closed port: should a check ever reach the network, it fails at once.
        patcher = mock.patch.dict(os.environ, {"API_HOST": "http://127.0.0.1:9"})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_unknown_scope(self):
        real, double = vkt.Storage(), FakeStorage()
        for storage in (real, double):
            with self.subTest(storage=type(storage).__name__), self.assertRaises(ValueError):
                storage.list(scope="project")

    def test_key_over_256_characters(self):
        real, double = vkt.Storage(), FakeStorage()
        for storage in (real, double):
            with self.subTest(storage=type(storage).__name__), self.assertRaises(ValueError):
                storage.set("k" * 257, vkt.File.from_data(b""), scope="workspace")
