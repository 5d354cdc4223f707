"""Progress: a computation says where it is; the user hears it for a large upload only, and a
slow VIKTOR never holds the job up for it."""

import threading
import time
import unittest
from unittest import mock

import viktor as vkt
from viktor_standin import Stall, ViktorStandIn

from app_files import viktor_jobs
from app_files.progress import InBackground, Throttled, report, reporting_to, wait_until_sent
from app_files.stored import Computation, compute_once
from app_files.stores import ViktorStore
from app_files.uploaded import Upload


class ReportTest(unittest.TestCase):
    def test_goes_to_the_reporter_of_the_block_and_nowhere_else(self):
        heard = []
        report("before", 0.1)
        with reporting_to(lambda message, fraction: heard.append((message, fraction))):
            report("Reading", 0.5)
            with reporting_to(None):
                report("unheard", 0.6)
            report("Computing", 1.5)  # kept within 0 and 1
        report("after", 1.0)
        self.assertEqual(heard, [("Reading", 0.5), ("Computing", 1.0)])

    def test_throttled_passes_on_a_new_stage_or_a_step_forward(self):
        heard = []
        throttled = Throttled(lambda message, fraction: heard.append((message, fraction)), 0.1)
        for fraction in (0.0, 0.05, 0.09, 0.1, 0.15, 0.21):
            throttled("Reading", fraction)
        throttled("Storing", 0.22)
        self.assertEqual(heard, [("Reading", 0.0), ("Reading", 0.1), ("Reading", 0.21),
                                 ("Storing", 0.22)])  # fmt: skip


class InBackgroundTest(unittest.TestCase):
    def test_a_slow_reporter_holds_nobody_up_and_the_latest_message_wins(self):
        heard, sending, release = [], threading.Event(), threading.Event()

        def slow(message: str, fraction: float) -> None:
            sending.set()
            release.wait(5)
            heard.append(message)

        reporter = InBackground(slow)
        start = time.perf_counter()
        reporter("step 0", 0.0)
        self.assertTrue(sending.wait(5))
        for number in range(1, 100):
            reporter(f"step {number}", number / 100)
        self.assertLess(time.perf_counter() - start, 0.5)
        release.set()
        wait_until_sent()
        self.assertEqual(heard, ["step 0", "step 99"])  # the one being sent, then the latest

    def test_a_reporter_that_fails_is_logged(self):
        def failing(message: str, fraction: float) -> None:
            raise ConnectionError("VIKTOR is down")

        with self.assertLogs("app_files.progress", "WARNING") as logged:
            InBackground(failing)("Reading", 0.5)
            wait_until_sent()
        self.assertIn("VIKTOR is down", logged.output[0])


def counted_in_steps(upload: Upload) -> dict:
    """A computation that reads an upload a tenth at a time, and says so."""
    total = 0
    for tenth in range(10):
        total += len(upload.file.read(upload.size // 10 + 1))
        report("Counting bytes", tenth / 10)
    return {"bytes": total}


STEPS = Computation("steps", compute=counted_in_steps, version="1")


class Fields(vkt.Parametrization):
    upload = vkt.FileField("File")


class Counting(vkt.Controller):
    parametrization = Fields()

    @vkt.DataView("Bytes")
    def count(self, params, **kwargs) -> vkt.DataResult:
        with viktor_jobs.received_upload(params.upload, "upload", "Upload a file.") as upload:
            counted = compute_once(STEPS, upload, ViktorStore("session")).value
        return vkt.DataResult(vkt.DataGroup(vkt.DataItem("Bytes", counted["bytes"])))


class ProgressInTheAppTest(unittest.TestCase):
    def messages_for(self, size: int) -> list[dict]:
        with ViktorStandIn() as viktor:
            upload = viktor.add_file("big.bin", b"x" * size)
            # The messages go in the background, the last ones perhaps after the job: the job
            # around it keeps a job token for them (the SDK's own is gone with the job).
            with viktor.job():
                viktor.run_job(Counting(), "count", "data", {"upload": upload})
                wait_until_sent()
            return viktor.progress_messages

    def test_a_large_upload_tells_the_user_where_the_job_is(self):
        messages = self.messages_for(viktor_jobs.PROGRESS_FROM_BYTES)
        # The first and the last; one between may give way to a later one (the latest wins).
        self.assertGreaterEqual(len(messages), 2)
        self.assertLessEqual(len(messages), 12)  # each is a request: a few, not thousands
        self.assertEqual(messages[0]["message"], "Counting bytes")
        self.assertEqual(
            messages[-1], {"message": "Storing the result for later jobs", "percentage": 95}
        )

    def test_a_small_upload_sends_no_message(self):
        self.assertEqual(self.messages_for(viktor_jobs.PROGRESS_FROM_BYTES - 1), [])

    def test_a_stalled_progress_endpoint_does_not_hold_the_job_up(self):
        with ViktorStandIn() as viktor, viktor.job():  # a job token for the messages sent late
            upload = viktor.add_file("big.bin", b"x" * viktor_jobs.PROGRESS_FROM_BYTES)
            with viktor.failing("progress", fault=Stall(30)):
                start = time.perf_counter()
                result = viktor.run_job(Counting(), "count", "data", {"upload": upload})
                seconds = time.perf_counter() - start
                sent = [r for r in viktor.requests if r.route == "progress"]
            wait_until_sent()  # the rest, once the stall is over
        self.assertEqual(result["data"][0]["value"], viktor_jobs.PROGRESS_FROM_BYTES)
        self.assertLess(seconds, 2)  # without the background: 10 s for each message, or more
        self.assertLessEqual(len(sent), 1)  # the first, still waiting; the others gave way


class UserMessageTest(unittest.TestCase):
    def test_a_message_waits_for_a_stalled_viktor_only_so_long(self):
        with ViktorStandIn() as viktor, viktor.job():
            viktor_jobs.user_message("Removed 3 entries.")
            with (
                viktor.failing("progress", fault=Stall(30)),
                mock.patch.object(viktor_jobs, "MESSAGE_TIMEOUT_SECONDS", 0.2),
                self.assertLogs("app_files.viktor_jobs", "WARNING"),
            ):
                start = time.perf_counter()
                viktor_jobs.user_message("Removed 1 entry. 1 could not be removed.", success=False)
                self.assertLess(time.perf_counter() - start, 1)
            # The stalled message is carried out once its stall ends, by the server's thread.
            deadline = time.monotonic() + 5
            while len(viktor.progress_messages) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
        self.assertEqual(
            viktor.progress_messages,
            [
                {"message": "Removed 3 entries.", "message_type": "success"},
                {"message": "Removed 1 entry. 1 could not be removed.", "message_type": "warning"},
            ],
        )
