"""The local VIKTOR stand-in answers the unmodified SDK as VIKTOR does, and records what it asked.

The canary at the end records the protocol of the pinned SDK: when a new SDK speaks differently,
it fails and says what to do.
"""

import re
import unittest
from importlib import metadata

import viktor as vkt
from viktor.core import _Context
from viktor_standin import MAX_KEY_LENGTH, UnknownRequest, ViktorStandIn

from tools.repository import pinned_version

# The version in requirements.txt, whose protocol the canary recorded: read from there, so that an
# update of the pin (by Dependabot, say) runs the canary against the new SDK.
PINNED_SDK = pinned_version("viktor")


class Files(vkt.Parametrization):
    upload = vkt.FileField("File")
    more = vkt.MultiFileField("More files")
    download = vkt.DownloadButton("Download", method="download")


class FileController(vkt.Controller):
    parametrization = Files

    @vkt.DataView("Files")
    def files(self, params, **kwargs) -> vkt.DataResult:
        items = [
            vkt.DataItem(upload.filename, len(upload.file.getvalue_binary()))
            for upload in [params.upload, *params.more]
        ]
        return vkt.DataResult(vkt.DataGroup(*items))

    def download(self, params, **kwargs) -> vkt.DownloadResult:
        return vkt.DownloadResult(b"report", file_name="report.txt")


class StorageTest(unittest.TestCase):
    def setUp(self):
        self.viktor = self.enterContext(ViktorStandIn())

    def test_set_get_list_delete_in_each_scope(self):
        for scope in ("entity", "workspace", "session"):
            with self.subTest(scope=scope), self.viktor.job():
                storage = vkt.Storage()
                storage.set("a-1", data=vkt.File.from_data(b"one"), scope=scope)
                storage.set("a-2", data=vkt.File.from_data(b"two"), scope=scope)
                storage.set("b-1", data=vkt.File.from_data(b"other"), scope=scope)
                self.assertEqual(storage.get("a-1", scope=scope).getvalue_binary(), b"one")
                listed = storage.list(prefix="a-", scope=scope)
                self.assertEqual({k: f.getvalue_binary() for k, f in listed.items()},
                                 {"a-1": b"one", "a-2": b"two"})  # fmt: skip
                storage.delete("a-1", scope=scope)
                with self.assertRaises(FileNotFoundError):
                    storage.get("a-1", scope=scope)
                with self.assertRaises(FileNotFoundError):
                    storage.delete("a-1", scope=scope)
                self.assertEqual(self.viktor.storage(scope), {"a-2": b"two", "b-1": b"other"})

    def test_each_scope_is_shared_by_whom_it_should_be(self):
        with self.viktor.job(entity_id=1, session_id="s1"):
            for scope in ("entity", "workspace", "session"):
                vkt.Storage().set("k", data=vkt.File.from_data(scope.encode()), scope=scope)
        visible = {}
        for entity_id, session_id in [(1, "s1"), (1, "s2"), (2, "s1")]:
            with self.viktor.job(entity_id=entity_id, session_id=session_id):
                storage = vkt.Storage()
                visible[entity_id, session_id] = {
                    scope
                    for scope in ("entity", "workspace", "session")
                    if storage.list(scope=scope)
                }
        self.assertEqual(visible[1, "s1"], {"entity", "workspace", "session"})
        self.assertEqual(visible[1, "s2"], {"entity", "workspace"})  # another session
        self.assertEqual(visible[2, "s1"], {"workspace", "session"})  # another entity

    def test_a_list_longer_than_a_page_is_paged(self):
        for number in range(1_234):
            self.viktor.put("workspace", f"k-{number:04}", b"")
        with self.viktor.job():
            keys = vkt.Storage().list(prefix="k-", scope="workspace")
        self.assertEqual(len(keys), 1_234)
        pages = [r for r in self.viktor.requests if r.route == "storage: list"]
        self.assertEqual(len(pages), 3)
        self.assertEqual(pages[1].query["pagination_token"], "500")

    def test_refuses_what_viktor_documents(self):
        with self.viktor.job():
            with self.assertRaises(ValueError):  # the SDK checks these two itself
                vkt.Storage().set("k" * 257, data=vkt.File.from_data(b""), scope="workspace")
            with self.assertRaises(ValueError):
                vkt.Storage().list(scope="project")
            vkt.Storage().set("k" * MAX_KEY_LENGTH, data=vkt.File.from_data(b""), scope="session")

    def test_failing_routes_answer_a_server_error_and_change_nothing(self):
        with self.viktor.job():
            vkt.Storage().set("k", data=vkt.File.from_data(b"1"), scope="workspace")
            with self.viktor.failing("storage: get", "storage: delete"):
                with self.assertRaises(vkt.errors.InternalError):
                    vkt.Storage().get("k", scope="workspace")
                with self.assertRaises(vkt.errors.InternalError):
                    vkt.Storage().delete("k", scope="workspace")
            self.assertEqual(vkt.Storage().get("k", scope="workspace").getvalue_binary(), b"1")
        self.assertEqual(len(self.viktor.sdk_warnings), 2)
        self.assertIn("status 500", self.viktor.sdk_warnings[0])

    def test_a_request_without_a_job_token_is_refused(self):
        _Context.job_token = "not-a-job"
        with self.assertRaises(vkt.errors.PermissionDeniedError):
            vkt.Storage().get("k", scope="workspace")


class JobTest(unittest.TestCase):
    def setUp(self):
        self.viktor = self.enterContext(ViktorStandIn())

    def test_a_file_field_is_resolved_from_its_id(self):
        ids = [self.viktor.add_file(name, b"x" * size) for name, size in [("a.csv", 3), ("b", 5)]]
        params = {"upload": ids[0], "more": ids}
        result = self.viktor.run_job(FileController(), "files", "data", params)
        shown = [(item["label"], item["value"]) for item in result["data"]]
        self.assertEqual(shown, [("a.csv", 3), ("a.csv", 3), ("b", 5)])

    def test_a_download_reaches_the_user(self):
        result = self.viktor.run_job(FileController(), "download", "download-button", {})
        self.assertEqual(self.viktor.download(result), b"report")

    def test_progress_and_user_messages_are_recorded(self):
        with self.viktor.job():
            vkt.progress_message("Reading", percentage=40)
            vkt.UserMessage.success("Done.")
        self.assertEqual(
            self.viktor.progress_messages,
            [
                {"message": "Reading", "percentage": 40},
                {"message": "Done.", "message_type": "success"},
            ],
        )

    def test_an_unknown_request_fails_the_job_with_its_name(self):
        class Curious(vkt.Controller):
            @vkt.DataView("Parent")
            def parent(self, params, **kwargs) -> vkt.DataResult:
                name = vkt.api_v1.API().get_entity(kwargs["entity_id"]).name
                return vkt.DataResult(vkt.DataGroup(vkt.DataItem("Parent", name)))

        with self.assertRaises(UnknownRequest) as caught:
            self.viktor.run_job(Curious(), "parent", "data", {})
        self.assertIn(
            "asked the VIKTOR stand-in for GET workspaces/1/entities/1/", str(caught.exception)
        )
        self.assertIn("add a route to tests/viktor_standin/server.py", str(caught.exception))

    def test_the_server_stops_and_the_environment_is_restored(self):
        with ViktorStandIn() as viktor:
            address = viktor.base_url
        import os

        self.assertNotEqual(os.environ.get("VIKTOR_API_ENDPOINT"), address)
        self.assertIsNone(_Context.job_token)


# The requests the pinned SDK makes for each call: (method, path, query keys, JSON keys, token),
# with the numbers in temporary URLs written as N.
PROTOCOL = {
    "Storage.set": [
        ("POST", "storage/", (), ("entity_id", "key", "scope"), True),
        ("POST", "/blob/N/upload", (), (), False),
    ],
    "Storage.get": [
        ("GET", "storage/", ("key", "scope"), (), True),
        ("GET", "/blob/N/download", (), (), False),
    ],
    "Storage.list": [
        ("GET", "storage/", ("limit", "prefix", "scope"), (), True),
        ("GET", "/blob/N/download", (), (), False),
    ],
    "Storage.delete": [("DELETE", "storage/", ("key", "scope"), (), True)],
    "progress_message": [("POST", "app/progress/", (), ("message", "percentage"), True)],
    "UserMessage": [("POST", "app/progress/", (), ("message", "message_type"), True)],
    "file field": [
        ("GET", "workspaces/N/files/N/download/", (), (), True),
        ("GET", "workspaces/N/files/N/", (), (), True),
    ],
    "DownloadResult": [
        ("POST", "storage/temporary_file/", (), ("file_name",), True),
        ("POST", "/blob/N/upload", (), (), False),
    ],
}


class ProtocolCanaryTest(unittest.TestCase):
    """Fails when the SDK speaks to VIKTOR differently from the version the stand-in emulates."""

    def observe(self, viktor: ViktorStandIn, call) -> list[tuple]:
        viktor.forget_requests()
        call()
        return sorted(
            (
                r.method,
                re.sub(r"\d+", "N", r.path),
                tuple(sorted(r.query)),
                tuple(sorted(r.json or {})),
                r.token is not None,
            )
            for r in viktor.requests
        )

    def test_the_sdk_speaks_as_the_stand_in_expects(self):
        with ViktorStandIn() as viktor:
            upload = viktor.add_file("a.csv", b"1")

            def in_job(action):
                def call():
                    with viktor.job():
                        action()

                return call

            def files_job():
                viktor.run_job(FileController(), "files", "data", {"upload": upload, "more": []})

            data = vkt.File.from_data(b"x")
            calls = {
                "Storage.set": in_job(lambda: vkt.Storage().set("k", data=data, scope="entity")),
                "Storage.get": in_job(
                    lambda: vkt.Storage().get("k", scope="entity").getvalue_binary()
                ),
                "Storage.list": in_job(
                    lambda: [
                        f.getvalue_binary()
                        for f in vkt.Storage().list(prefix="k", scope="entity").values()
                    ]
                ),
                "Storage.delete": in_job(lambda: vkt.Storage().delete("k", scope="entity")),
                "progress_message": in_job(lambda: vkt.progress_message("Reading", 50)),
                "UserMessage": in_job(lambda: vkt.UserMessage.info("Note")),
                "file field": files_job,
                "DownloadResult": lambda: viktor.run_job(
                    FileController(), "download", "download-button", {}
                ),
            }
            observed = {name: self.observe(viktor, call) for name, call in calls.items()}
        changed = {
            name: observed[name] for name in PROTOCOL if observed[name] != sorted(PROTOCOL[name])
        }
        if changed:
            self.fail(
                f"The VIKTOR SDK {metadata.version('viktor')} asks the platform for other requests "
                f"than the stand-in emulates, which were recorded with viktor {PINNED_SDK} "
                f"({changed}): stay on viktor=={PINNED_SDK} in requirements.txt, or read the new "
                "SDK's changelog, update the routes in tests/viktor_standin/server.py to the new "
                "requests, and then PROTOCOL here."
            )
