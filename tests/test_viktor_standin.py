"""The local VIKTOR stand-in answers the unmodified SDK as VIKTOR does, and records what it asked.

The canary at the end records the protocol of the pinned SDK: when a new SDK speaks differently,
it fails and says what to do.
"""

import json
import math
import re
import threading
import time
import unittest
import urllib.error
import urllib.request
from importlib import metadata

import viktor as vkt
from viktor.core import _Context
from viktor_standin import (
    MAX_KEY_LENGTH,
    ROUTES,
    Reset,
    ShortBody,
    Stall,
    Status,
    UnknownRequest,
    UnsendableResult,
    ViktorStandIn,
    as_sent,
)
from viktor_standin.server import Job

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

    def test_failing_routes_answer_a_server_error_and_change_nothing_by_default(self):
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


def in_job(viktor: ViktorStandIn, call):
    """What ``call()`` returns in a job, or the exception it raises; and the seconds it took."""
    start = time.perf_counter()
    with viktor.job():
        try:
            outcome = call()
        except Exception as error:
            outcome = error
    return outcome, time.perf_counter() - start


class FaultTest(unittest.TestCase):
    """Each route fails on request, as the platform does, and a failed request changes nothing."""

    def setUp(self):
        self.viktor = self.enterContext(ViktorStandIn())
        self.file = self.viktor.add_file("beams.csv", b"span\n4.5\n" * 1000)
        self.viktor.put("workspace", "k", b"stored")

    def get(self):
        return vkt.Storage().get("k", scope="workspace").getvalue_binary()

    def set(self):
        vkt.Storage().set("new", data=vkt.File.from_data(b"new"), scope="workspace")

    def download(self):
        return vkt.api_v1.FileResource(1, self.file).file.getvalue_binary()

    def statuses(self, route: str) -> list:
        return [r.status for r in self.viktor.requests if r.route == route]

    def test_a_status_the_sdk_tries_again_after(self):
        for code in (502, 503, 504):
            with self.subTest(code=code):
                self.viktor.forget_requests()
                with self.viktor.failing("storage: get", fault=Status(code), times=1):
                    outcome, _ = in_job(self.viktor, self.get)
                self.assertEqual(outcome, b"stored")
                self.assertEqual(self.statuses("storage: get"), [code, 200])

    def test_times_counts_the_requests_of_all_its_routes_together(self):
        with self.viktor.failing("storage: get", "storage: download", times=1):
            first, _ = in_job(self.viktor, self.get)
            second, _ = in_job(self.viktor, self.get)
        self.assertIsInstance(first, vkt.errors.InternalError)
        self.assertEqual(second, b"stored")
        self.assertEqual(self.statuses("storage: download"), [200])

    def test_a_reset_closes_the_connection_unanswered(self):
        with self.viktor.failing("file download", fault=Reset(), times=1):
            outcome, _ = in_job(self.viktor, self.download)
        self.assertEqual(len(outcome), 9_000)  # the SDK tried again
        self.assertEqual(self.statuses("file download"), [None, 200])

    def test_a_stall_answers_late_and_then_does_what_was_asked(self):
        with self.viktor.failing("storage: set", fault=Stall(0.3)):
            outcome, seconds = in_job(self.viktor, self.set)
        self.assertIsNone(outcome)
        self.assertGreaterEqual(seconds, 0.3)
        self.assertEqual(self.viktor.storage("workspace")["new"], b"new")

    def test_a_stall_ends_with_its_block(self):
        """So that a test with a long stall ends when its block does, and the server can stop."""
        answered = []
        start = time.perf_counter()
        with self.viktor.job():
            asking = threading.Thread(target=lambda: answered.append(self.get()))
            with self.viktor.failing("storage: get", fault=Stall(30)):
                asking.start()
                time.sleep(0.2)
            asking.join(5)
        self.assertEqual(answered, [b"stored"])
        self.assertLess(time.perf_counter() - start, 5)

    def test_a_short_body_cuts_a_download_short(self):
        for route, call in [("file download", self.download), ("storage: download", self.get)]:
            with self.subTest(route=route), self.viktor.failing(route, fault=ShortBody()):
                outcome, _ = in_job(self.viktor, call)
                self.assertIsInstance(outcome, OSError)
                self.assertIn("IncompleteRead", str(outcome))

    def test_a_failed_set_stores_nothing(self):
        # Not a reset of the upload: the SDK sends it again without its data, and waits a minute
        # for an answer (tests/test_stored.py shows that a job does not wait so long).
        cases = [
            ("storage: set", Status(500)),
            ("storage: set", Reset()),
            ("storage: set", ShortBody()),
            ("storage: upload", Status(500)),
            ("storage: upload", ShortBody()),
        ]
        for route, fault in cases:
            with self.subTest(route=route, fault=fault):
                with self.viktor.failing(route, fault=fault):
                    outcome, _ = in_job(self.viktor, self.set)
                self.assertIsInstance(outcome, Exception)
                self.assertNotIn("new", self.viktor.storage("workspace"))

    def test_failing_refuses_a_route_it_does_not_know(self):
        for routes in [("storage: gett",), ("file download", "files"), ()]:
            with self.subTest(routes=routes), self.assertRaises(ValueError) as caught:
                with self.viktor.failing(*routes):
                    pass
            self.assertIn("storage: get, storage: download", str(caught.exception))

    def test_routes_names_every_route_a_job_uses(self):
        """ROUTES is what the canary below sees the pinned SDK ask for."""
        seen = set()
        with ViktorStandIn() as viktor:
            for call in protocol_calls(viktor).values():
                viktor.forget_requests()
                call()
                seen |= {r.route for r in viktor.requests}
        self.assertEqual(seen, set(ROUTES))


def ask(
    viktor: ViktorStandIn, method: str, url: str, body: object = None, content_type: str = ""
) -> tuple[int, bytes]:
    """Send the stand-in a request as a job's worker, one the SDK would not make: (status, body).
    ``url`` is a full URL, or a path on the stand-in; ``body`` bytes, or data sent as JSON."""
    if url.startswith("/"):
        url = viktor.base_url.removesuffix("/api/") + url
    data = body if isinstance(body, bytes) else json.dumps(body).encode() if body else None
    request = urllib.request.Request(url, data, method=method)
    request.add_header("Authorization", f"Bearer {viktor.job_token(Job(1, 1, 'session-1'))}")
    if content_type or (data and not isinstance(body, bytes)):
        request.add_header("Content-Type", content_type or "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class RequestTest(unittest.TestCase):
    """What the stand-in answers to requests the SDK would not make."""

    def setUp(self):
        self.viktor = self.enterContext(ViktorStandIn())

    def test_a_malformed_request_gets_400(self):
        cases = [
            ("POST", "/api/storage/", b"{not json"),
            ("POST", "/api/storage/", {"scope": "workspace"}),
            ("POST", "/api/storage/", {"key": "k", "scope": "everywhere"}),
            ("GET", "/api/storage/?scope=workspace&limit=many", None),
            ("GET", "/api/workspaces/1/files/one/", None),
            ("POST", "/api/app/progress/", {"percentage": 5}),
        ]
        for method, path, body in cases:
            with self.subTest(path=path, body=body):
                self.assertEqual(ask(self.viktor, method, path, body)[0], 400)

    def test_a_malformed_upload_gets_400_and_changes_nothing(self):
        status, answer = ask(self.viktor, "POST", "/api/storage/", {"key": "k", "scope": "session"})
        self.assertEqual(status, 201)
        upload = json.loads(answer)["temp_upload_url"]
        form = "multipart/form-data; boundary=x"
        body = b'--x\r\nContent-Disposition: form-data; name="other"\r\n\r\n1\r\n--x--\r\n'
        self.assertEqual(ask(self.viktor, "POST", upload, body, form)[0], 400)
        self.assertEqual(self.viktor.storage("session"), {})
        self.assertEqual(ask(self.viktor, "POST", upload, b"data")[0], 204)  # still usable
        self.assertEqual(self.viktor.storage("session"), {"k": b"data"})

    def test_an_unknown_request_in_a_job_fails_at_its_end(self):
        with self.assertRaises(UnknownRequest) as caught, self.viktor.job():
            vkt.api_v1.API().get_entity(1).name  # noqa: B018  (the request is made here)
        self.assertIn("GET workspaces/1/entities/1/", str(caught.exception))

    def test_an_unknown_request_outside_a_job_fails_when_the_stand_in_stops(self):
        """As one made by a worker process of the test's own, with a job token of its own."""
        with self.assertRaises(UnknownRequest) as caught, ViktorStandIn() as viktor:
            self.assertEqual(ask(viktor, "GET", "/api/projects/")[0], 404)
        self.assertIn("GET projects/", str(caught.exception))


class AsSentTest(unittest.TestCase):
    def test_a_result_goes_through_strict_json(self):
        self.assertEqual(as_sent({"a": (1, 2.5), "b": None}), {"a": [1, 2.5], "b": None})
        cases = {
            "nan at result['data'][1]['value']": {"data": [{}, {"value": math.nan}]},
            "inf at result['x']": {"x": math.inf},
            "a bytes at result[0]": [b"raw"],
        }
        for where, result in cases.items():
            with self.subTest(where=where), self.assertRaises(UnsendableResult) as caught:
                as_sent(result)
            self.assertIn(where, str(caught.exception))

    def test_run_job_returns_what_the_platform_sends(self):
        class Mean(vkt.Controller):
            @vkt.DataView("Mean")
            def mean(self, params, **kwargs) -> vkt.DataResult:
                return vkt.DataResult(vkt.DataGroup(vkt.DataItem("Mean", math.nan)))

        with ViktorStandIn() as viktor, self.assertRaises(UnsendableResult) as caught:
            viktor.run_job(Mean(), "mean", "data", {})
        self.assertIn("nan at result['data'][0]['value']", str(caught.exception))


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
        ("POST", "/blob/N/storage-upload", (), (), False),
    ],
    "Storage.get": [
        ("GET", "storage/", ("key", "scope"), (), True),
        ("GET", "/blob/N/storage-download", (), (), False),
    ],
    "Storage.list": [
        ("GET", "storage/", ("limit", "prefix", "scope"), (), True),
        ("GET", "/blob/N/storage-download", (), (), False),
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
        ("POST", "/blob/N/temporary-upload", (), (), False),
    ],
}


def protocol_calls(viktor: ViktorStandIn) -> dict:
    """Each call of PROTOCOL, made as a job of ``viktor`` makes it."""
    upload = viktor.add_file("a.csv", b"1")
    data = vkt.File.from_data(b"x")

    def in_job(action):
        def call():
            with viktor.job():
                action()

        return call

    def listed():
        return [
            f.getvalue_binary() for f in vkt.Storage().list(prefix="k", scope="entity").values()
        ]

    return {
        "Storage.set": in_job(lambda: vkt.Storage().set("k", data=data, scope="entity")),
        "Storage.get": in_job(lambda: vkt.Storage().get("k", scope="entity").getvalue_binary()),
        "Storage.list": in_job(listed),
        "Storage.delete": in_job(lambda: vkt.Storage().delete("k", scope="entity")),
        "progress_message": in_job(lambda: vkt.progress_message("Reading", 50)),
        "UserMessage": in_job(lambda: vkt.UserMessage.info("Note")),
        "file field": lambda: viktor.run_job(
            FileController(), "files", "data", {"upload": upload, "more": []}
        ),
        "DownloadResult": lambda: viktor.run_job(
            FileController(), "download", "download-button", {}
        ),
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
            observed = {
                name: self.observe(viktor, call) for name, call in protocol_calls(viktor).items()
            }
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
