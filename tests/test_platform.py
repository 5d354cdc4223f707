"""The app as the VIKTOR platform loads and runs it.

When ``viktor-cli start`` starts the app, the platform reads its manifest from
``viktor.core._get_entity_type_definition(Controller())``, and every view or button click reaches
the controller through ``viktor.core._handle_job(...)``. Both check what calling a method directly
does not: a view named ``summary`` clashes with the reserved entity summary and breaks the
manifest, and a view declared as ``def table(self, params, **kw)`` is rejected when it runs.

These are private entry points of the SDK. They work offline, and requirements.txt pins the SDK
version (viktor==14.36.2) they were checked with; after an SDK upgrade, read its changelog before
changing these tests. Params go in raw, as the connector sends them. An upload would arrive as an
integer file id that needs the VIKTOR API, so runs with an upload are in test_controller.py, through
``viktor.testing``; here every view and button runs without one.
"""

import json
import unittest
from unittest import mock

import viktor as vkt
from storage_double import FakeStorage
from viktor.core import _get_entity_type_definition, _handle_job
from viktor.testing import MockedFileResource

from entity_type_a.__main__ import SAMPLE_UPLOAD
from entity_type_a.controller import Controller
from tablestats.limits import DEFAULT_LIMITS
from tablestats.upload import ACCEPTED_SUFFIXES

BUTTON_TYPES = {"download-button", "analyse-button", "set-params-button", "optimization-button"}


def manifest(controller: vkt.Controller) -> dict:
    return _get_entity_type_definition(controller)


def run_job(controller: vkt.Controller, method: str, method_type: str, params: dict):
    """Run one job as the platform does, with the field types the manifest declares."""
    param_types = {
        field["parametrization_path"]: {"type": field["type"]}
        for field in manifest(controller)["parametrization"]
        if field.get("parametrization_path")
    }
    return _handle_job(
        controller,
        method_name=method,
        method_type=method_type,
        workspace_id=1,
        params=params,
        param_types=param_types,
        entity_id=1,
        entity_name="Session",
    )


class ManifestTest(unittest.TestCase):
    def setUp(self):
        self.manifest = manifest(Controller())

    def test_lists_the_views(self):
        views = {view["controller_method"]: view["view_type"] for view in self.manifest["views"]}
        self.assertEqual(views, {"statistics_table": "table", "file_facts": "data"})

    def test_upload_field_takes_the_files_the_code_reads_up_to_its_limit(self):
        fields = {field.get("name"): field for field in self.manifest["parametrization"]}
        upload = fields["upload"]
        self.assertEqual(upload["type"], "file")
        self.assertEqual(upload["allowed_file_extensions"], list(ACCEPTED_SUFFIXES))
        self.assertEqual(upload["max_size_bytes"], DEFAULT_LIMITS.upload_bytes)

    def test_every_button_calls_a_method_of_the_controller(self):
        buttons = [f for f in self.manifest["parametrization"] if f["type"] in BUTTON_TYPES]
        self.assertEqual(
            {button["method"] for button in buttons}, {"download_report", "clear_stored_results"}
        )
        for button in buttons:
            with self.subTest(button=button["name"]):
                self.assertTrue(callable(getattr(Controller, button["method"], None)))


class JobWithoutUploadTest(unittest.TestCase):
    """What the connector sends before a file is uploaded: the upload field is empty."""

    params = {"upload": None}

    def test_views_and_download_answer_with_their_user_error(self):
        jobs = [
            ("statistics_table", "table"),
            ("file_facts", "data"),
            ("download_report", "download-button"),
        ]
        for method, method_type in jobs:
            with self.subTest(method=method), self.assertRaises(vkt.UserError) as caught:
                run_job(Controller(), method, method_type, self.params)
            self.assertIn("Upload a table", str(caught.exception))
            self.assertEqual(caught.exception.input_violations[0].fields, ["upload"])

    def test_clear_button_runs_and_reports(self):
        storage = FakeStorage()
        storage.data["workspace"]["table-stats-v1-csv-0123"] = b"{}"
        with storage.installed(), mock.patch.object(vkt.UserMessage, "success") as message:
            run_job(Controller(), "clear_stored_results", "analyse-button", self.params)
        message.assert_called_once_with("Removed 1 stored result.")
        self.assertEqual(storage.data["workspace"], {})


class ViewsWithAnUploadTest(unittest.TestCase):
    """The views' results pass the job's serialization, with a real upload.

    The upload goes in already deserialized (a ``MockedFileResource``), with no field types, so
    that ``_handle_job`` passes it through instead of fetching a file id from the VIKTOR API.
    """

    def test_each_view_serializes_its_result(self):
        upload = MockedFileResource(vkt.File.from_data(SAMPLE_UPLOAD.read_bytes()), "sample.csv")
        with FakeStorage().installed():
            jobs = [
                ("statistics_table", "table", "Span [m]"),
                ("file_facts", "data", "sample.csv"),
            ]
            for method, method_type, shown in jobs:
                with self.subTest(method=method):
                    result = _handle_job(
                        Controller(),
                        method_name=method,
                        method_type=method_type,
                        workspace_id=1,
                        params={"upload": upload},
                        param_types={},
                        entity_id=1,
                        entity_name="Session",
                    )
                    self.assertIn(method_type, result)
                    self.assertIn(shown, json.dumps(result))


class TheseChecksCatchMistakesTest(unittest.TestCase):
    """The mistakes the checks above exist for, made on purpose."""

    def test_a_view_with_kw_instead_of_kwargs_is_rejected(self):
        class Mistaken(Controller):
            @vkt.TableView("Statistics")
            def statistics_table(self, params, **kw):
                return vkt.TableResult([[1]])

        with self.assertRaisesRegex(vkt.errors.ViewError, "kwargs"):
            run_job(Mistaken(), "statistics_table", "table", {"upload": None})

    def test_a_view_named_summary_breaks_the_manifest(self):
        class Mistaken(Controller):
            @vkt.DataView("Summary")
            def summary(self, params, **kwargs):
                return vkt.DataResult(vkt.DataGroup())

        with self.assertRaises(ValueError):
            manifest(Mistaken())
