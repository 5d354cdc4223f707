import os
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from viktor_standin import Stall, ViktorStandIn

from app_files.stores import (
    STORAGE_TIMEOUT_SECONDS,
    FolderStore,
    StorageUnavailable,
    ViktorStore,
    default_folder,
)


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
        with mock.patch("app_files.stores.os.replace", side_effect=OSError("disk full")):
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
        with mock.patch("app_files.stores.sys.platform", "linux"):
            with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": str(Path("/somewhere"))}):
                folder = default_folder()
        self.assertEqual(folder.parent, Path("/somewhere") / "viktor-app-results")

    def test_is_one_folder_per_checkout(self):
        """Two clones never share stored results unless the user asks for it (--store)."""
        this_checkout = default_folder()
        elsewhere = Path(tempfile.gettempdir()) / "another-clone" / "app_files" / "stores.py"
        with mock.patch("app_files.stores.__file__", str(elsewhere)):
            other_checkout = default_folder()
        self.assertNotEqual(this_checkout, other_checkout)
        self.assertEqual(other_checkout.parent, this_checkout.parent)
        self.assertTrue(other_checkout.name.startswith("another-clone-"))
        self.assertTrue(this_checkout.name.startswith(Path(__file__).parent.parent.name))


class ViktorStoreTest(unittest.TestCase):
    def test_reads_writes_lists_and_deletes_in_its_scope(self):
        with ViktorStandIn() as viktor, viktor.job():
            store = ViktorStore("session")
            self.assertIsNone(store.read("k"))
            store.write("k", b"data")
            store.write("k2", b"more")
            self.assertEqual(viktor.storage("session"), {"k": b"data", "k2": b"more"})
            self.assertEqual(viktor.storage("workspace"), {})
            self.assertEqual(store.read("k"), b"data")
            self.assertEqual(store.keys("k"), ["k", "k2"])
            store.delete("k")
            self.assertEqual(store.keys(""), ["k2"])
            with self.assertRaises(FileNotFoundError):
                store.delete("k")

    def test_outside_a_job_the_sdk_refuses(self):
        """Why the tests need the stand-in: the real Storage only works inside a VIKTOR job."""
        with self.assertRaises(OSError):
            ViktorStore("workspace")

    def test_its_timeout_is_the_setting_unless_given(self):
        with ViktorStandIn() as viktor, viktor.job():
            self.assertEqual(ViktorStore("session").timeout, STORAGE_TIMEOUT_SECONDS)
            with mock.patch("app_files.stores.STORAGE_TIMEOUT_SECONDS", 0.1):
                self.assertEqual(ViktorStore("session").timeout, 0.1)  # as a test may set it
            self.assertEqual(ViktorStore("session", timeout=2).timeout, 2)

    def test_after_one_timeout_it_asks_storage_nothing_more(self):
        with ViktorStandIn() as viktor, viktor.job():
            store = ViktorStore("session", timeout=0.1)
            with viktor.failing("storage: list", fault=Stall(30)):
                with self.assertRaisesRegex(
                    StorageUnavailable, r"did not answer listing a\.\.\. within 0\.1 s"
                ):
                    store.keys("a")
                asked = len(viktor.requests)
                for call in [lambda: store.read("k"), lambda: store.write("k", b"1")]:
                    with self.assertRaisesRegex(StorageUnavailable, "did not answer listing a"):
                        call()
                self.assertEqual(len(viktor.requests), asked)
