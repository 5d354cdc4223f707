"""The app in app.py, checked as the VIKTOR platform loads and runs it, whatever it holds.

These tests name no view, field or entity type of their own: they find the entity types in app.py,
every view and button in their manifests, and run each as a job as VIKTOR's workers would: on a
worker of its own, through the unmodified SDK against a local stand-in for VIKTOR, with each
field's default, any value its fields allow, and for a file field the samples the entity type
ships in ``<its folder>/samples/``. A new field, view, button or entity type needs no change here;
a mistake fails with a sentence that names the file, the job and the fix. The checks themselves
are in ``viktor_standin/`` (README, "The app, as VIKTOR runs it").
"""

import unittest

from viktor_standin import ViktorStandIn
from viktor_standin.app_checks import (
    AppProblem,
    definition_problems,
    folder_name_problems,
    import_problems,
    load_app,
    sample_problems,
)
from viktor_standin.fault_matrix import fault_problems
from viktor_standin.field_values import generated_value_problems
from viktor_standin.jobs import (
    QUICK,
    AppCannotRun,
    Platform,
    empty_field_problems,
    sample_runs,
    worker_problems,
)
from viktor_standin.requirements import requirement_problems
from viktor_standin.workers import Workers

from tools.repository import app_files_in


class CheckedApp(unittest.TestCase):
    """The app in app.py; a test fails at once with the sentence that says why it cannot load."""

    @classmethod
    def setUpClass(cls):
        try:
            cls.app = load_app()
            cls.problem = None
        except AppProblem as problem:
            cls.app, cls.problem = None, str(problem)

    def setUp(self):
        if self.problem:
            self.fail(self.problem)

    def assertNoProblems(self, problems: list[str]) -> None:
        if problems:
            self.fail("\n".join(problems))


class AppTest(CheckedApp):
    """What the platform checks when it loads the app, and what a worker installs."""

    def test_the_platform_can_load_every_entity_type(self):
        self.assertNoProblems(definition_problems(self.app))

    def test_no_entity_type_imports_from_another(self):
        self.assertNoProblems(import_problems(self.app))

    def test_only_app_py_names_the_entity_types_folders(self):
        self.assertNoProblems(folder_name_problems(self.app, app_files_in(self.app.folder)))

    def test_every_file_field_has_a_sample(self):
        self.assertNoProblems(sample_problems(self.app))

    def test_every_import_is_installed_on_the_workers(self):
        """What the app imports, requirements.txt installs (itself or through what it lists)."""
        self.assertNoProblems(requirement_problems(self.app.folder))


class JobsTest(CheckedApp):
    """Every view and button, run as a job on a worker of its own, as VIKTOR runs it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.app is not None:
            cls.workers = Workers(cls.app.folder)
            cls.addClassCleanup(cls.workers.close)

    def setUp(self):
        super().setUp()
        self.assertNoProblems(definition_problems(self.app) + sample_problems(self.app))
        viktor = self.enterContext(ViktorStandIn())
        self.platform = Platform(self.app, viktor, self.workers)

    def assertNoJobProblems(self, check, *arguments) -> None:
        try:
            problems = check(*arguments)
        except AppCannotRun as problem:
            self.fail(str(problem))
        self.assertNoProblems(problems)

    def test_every_job_ends_well_on_a_fresh_worker_whatever_ran_before(self):
        """Each job with the samples, on a fresh worker (twice), and after the others on one
        worker: it ends in its result or a vkt.UserError, relies on nothing another job left
        behind, and stores under no new key on a second run."""
        self.assertNoJobProblems(
            lambda: worker_problems(self.platform, *sample_runs(self.platform))
        )

    def test_every_job_answers_an_empty_file_field(self):
        """Before the user uploads anything, a file field is empty: no job may crash on it."""
        self.assertNoJobProblems(
            lambda: empty_field_problems(self.platform, sample_runs(self.platform)[0])
        )

    def test_every_job_answers_any_value_its_fields_allow(self):
        """Each job with values generated from its fields' bounds and options, and files that
        are empty, in another encoding, cut short, of another type or misnamed."""
        self.assertNoJobProblems(
            lambda: generated_value_problems(self.platform, sample_runs(self.platform)[0])
        )

    @unittest.skipIf(QUICK, "VIKTOR_CHECKS_QUICK: the app's checks in brief")
    def test_every_job_survives_the_platforms_faults(self):
        """Each job with VIKTOR Storage down or slow, with every stored entry broken, with the
        upload's download failing or cut short, and with deletes failing: it ends in its result
        or a vkt.UserError, stores nothing a run without faults would not, and overwrites a broken
        entry it read."""
        self.assertNoJobProblems(
            lambda: fault_problems(self.platform, sample_runs(self.platform)[0])
        )
