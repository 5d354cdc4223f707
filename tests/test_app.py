"""The app in app.py, checked as the VIKTOR platform loads and runs it, whatever it holds.

These tests name no view, field or entity type of their own: they find the entity types in app.py,
every view and button in their manifests, and run each as a job through the unmodified SDK against
a local stand-in for VIKTOR (``viktor_standin/``), with each field's default and, for a file
field, the sample file the entity type ships in ``<its folder>/samples/<field path>.<extension>``.
A new field, view, button or entity type needs no change here; a mistake fails with a sentence
that names the fix. The checks themselves are in ``viktor_standin/app_checks.py``.
"""

import unittest

from viktor_standin import ViktorStandIn
from viktor_standin.app_checks import (
    REPOSITORY,
    AppProblem,
    default_params,
    definition_problems,
    folder_name_problems,
    import_problems,
    jobs_of,
    load_app,
    run,
    run_twice,
    sample_problems,
    upload_samples,
)

from tools.repository import app_files_in


class AppTest(unittest.TestCase):
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

    def test_the_platform_can_load_every_entity_type(self):
        self.assertNoProblems(definition_problems(self.app))

    def test_no_entity_type_imports_from_another(self):
        self.assertNoProblems(import_problems(self.app))

    def test_only_app_py_names_the_entity_types_folders(self):
        self.assertNoProblems(folder_name_problems(self.app, app_files_in(REPOSITORY)))

    def test_every_file_field_has_a_sample(self):
        self.assertNoProblems(sample_problems(self.app))

    def test_every_view_and_button_runs_as_a_job_and_reuses_what_it_stored(self):
        """Each job runs twice with the samples: it ends in its result or a vkt.UserError, and
        the second run stores nothing new, because it finds what the first stored."""
        problems = definition_problems(self.app) + sample_problems(self.app)
        self.assertNoProblems(problems)
        with ViktorStandIn() as viktor:
            for entity_id, entity_type in enumerate(self.app.entity_types, start=1):
                params = default_params(entity_type, upload_samples(viktor, entity_type))
                for job in jobs_of(entity_type):
                    problem = run_twice(viktor, job, params, entity_id)
                    if problem:
                        problems.append(problem)
        self.assertNoProblems(problems)

    def test_every_view_and_button_answers_an_empty_file_field(self):
        """Before the user uploads anything, a file field is empty: no job may crash on it."""
        self.assertNoProblems(definition_problems(self.app))
        problems = []
        with ViktorStandIn() as viktor:
            for entity_id, entity_type in enumerate(self.app.entity_types, start=1):
                params = default_params(entity_type)
                for job in jobs_of(entity_type):
                    problem = run(viktor, job, params, entity_id)
                    if problem:
                        problems.append(f"{problem} (with the file fields empty)")
        self.assertNoProblems(problems)
