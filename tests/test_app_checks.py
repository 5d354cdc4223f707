"""The app checks (``viktor_standin/``) catch each mistake they exist for, and name the fix.

Each test makes a mistake on purpose, in a small app of its own, and reads the sentence the
checks report; the mistakes that only show when the app runs as VIKTOR runs it are all made in
one app written to a folder (``app_folders.MISTAKES``), and what looks like them but is right in
another (``app_folders.GOOD``), which must pass. The app in this repository is checked by
``test_app.py``.
"""

import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

import viktor as vkt
from app_folders import GOOD, MISTAKES, write_app
from viktor_standin import ViktorStandIn
from viktor_standin.app_checks import (
    App,
    AppProblem,
    EntityType,
    Job,
    definition_problems,
    folder_name_problems,
    import_problems,
    load_app,
    sample_problems,
)
from viktor_standin.fault_matrix import fault_problems
from viktor_standin.field_values import generated_value_problems
from viktor_standin.jobs import (
    AppCannotRun,
    Platform,
    empty_field_problems,
    sample_runs,
    worker_problems,
)
from viktor_standin.requirements import requirement_problems
from viktor_standin.workers import Workers


class Fields(vkt.Parametrization):
    length = vkt.NumberField("Length", default=4.5)
    upload = vkt.FileField("File")
    calculate = vkt.ActionButton("Calculate", method="calculate")


class Good(vkt.Controller):
    parametrization = Fields

    @vkt.DataView("Length")
    def length_view(self, params, **kwargs) -> vkt.DataResult:
        return vkt.DataResult(vkt.DataGroup(vkt.DataItem("Length", params.length)))

    def calculate(self, params, **kwargs) -> None:
        vkt.Storage().set("fixed-key", data=vkt.File.from_data(b"1"), scope="workspace")


def editor_app(controller: type) -> App:
    return App("editor", [EntityType("Controller", controller)])


def all_problems(folder: Path) -> list[str]:
    """What the checks of test_app.py report on the app in ``folder``, in one list."""
    app = load_app(folder)
    with Workers(folder) as workers, ViktorStandIn() as viktor:
        platform = Platform(app, viktor, workers)
        runs, variants = sample_runs(platform)
        problems = worker_problems(platform, runs, variants)
        problems += empty_field_problems(platform, runs)
        problems += generated_value_problems(platform, runs, examples=3)
    return problems + requirement_problems(folder)


class JobMistakeTest(unittest.TestCase):
    """Each mistake of app_folders.MISTAKES is reported once, naming the job, the line and the
    fix."""

    @classmethod
    def setUpClass(cls):
        cls.folder = Path(tempfile.mkdtemp())
        cls.addClassCleanup(lambda: __import__("shutil").rmtree(cls.folder, ignore_errors=True))
        cls.problems = all_problems(write_app(cls.folder, MISTAKES))

    def problem_of(self, method: str) -> str:
        found = [problem for problem in self.problems if f"`{method}`" in problem]
        self.assertEqual(len(found), 1, "\n".join(found) or f"nothing on {method}")
        self.assertIn("beam_mistakes/controller.py: entity type Controller", found[0])
        return found[0]

    def test_a_job_that_reads_a_global_another_job_filled(self):
        problem = self.problem_of("read_global")
        self.assertIn("works only on a worker where other jobs ran before", problem)
        self.assertIn("`fill_global` left beam_mistakes.controller.RESULTS", problem)
        self.assertIn("KeyError: 'span' at beam_mistakes/controller.py:29", problem)
        self.assertIn("what jobs share goes through vkt.Storage (app_files.stored)", problem)

    def test_a_job_that_reads_a_file_another_job_left_in_the_temporary_folder(self):
        problem = self.problem_of("read_scratch")
        self.assertIn("`write_scratch` left beam.json in the temporary folder", problem)
        self.assertIn("FileNotFoundError", problem)

    def test_a_job_that_writes_into_the_apps_folder(self):
        problem = self.problem_of("write_into_app")
        self.assertIn("writes into the app's folder (beam_mistakes/last.json at ", problem)
        self.assertIn("write a scratch file with tempfile", problem)

    def test_a_cache_keyed_by_the_files_name(self):
        problem = self.problem_of("lines_by_name")
        self.assertIn("for a file with the same name as one uploaded before", problem)
        self.assertIn("Key what you keep by the file's content", problem)

    def test_a_value_the_field_allows_but_is_not_its_default(self):
        problem = self.problem_of("factor_view")
        self.assertIn("raised ValueError: a factor above 3 is not supported at ", problem)
        self.assertIn("With the field values factor=4.0", problem)
        self.assertIn("To run it again: python tests/viktor_standin reproduce ", problem)

    def test_a_division_by_an_integer_field_whose_minimum_is_0(self):
        problem = self.problem_of("per_count")
        self.assertIn("raised ZeroDivisionError: division by zero at ", problem)
        self.assertIn("count=0", problem)

    def test_an_upload_read_as_text(self):
        problem = self.problem_of("upload_as_text")
        self.assertIn("reads an upload as text (`.getvalue()` at beam_mistakes/controller", problem)
        self.assertIn("read the bytes with `.getvalue_binary()`", problem)

    def test_an_sdk_call_given_the_wrong_argument_names_the_apps_line(self):
        problem = self.problem_of("storage_misused")
        self.assertIn("inside a library called at beam_mistakes/controller.py:72", problem)
        self.assertNotIn(".pyx", problem)

    def test_a_bundled_file_opened_relative_to_the_working_directory(self):
        problem = self.problem_of("about")
        self.assertIn("opens 'file.txt' at beam_mistakes/controller.py:", problem)
        self.assertIn('`Path(__file__).parent.parent / "file.txt"`', problem)

    def test_a_key_that_changes_between_runs(self):
        problem = self.problem_of("calculate")
        self.assertIn("button `calculate` stored under a new key in a second run", problem)

    def test_a_view_declared_with_kw(self):
        problem = self.problem_of("declared_with_kw")
        self.assertIn("declare it as `def declared_with_kw(self, params, **kwargs)`", problem)

    def test_a_result_of_the_wrong_type(self):
        self.assertIn("returned what its view cannot show", self.problem_of("wrong_result"))

    def test_a_field_the_params_lack(self):
        problem = self.problem_of("missing_field")
        self.assertIn("reads the field `safety_factor` from params at beam_mistakes/", problem)
        self.assertIn("add it to beam_mistakes/parametrization.py", problem)

    def test_a_job_that_crashes_on_an_empty_file_field(self):
        problem = self.problem_of("file_name")
        self.assertIn("raised AttributeError: 'NoneType' object has no attribute", problem)
        self.assertIn("(with the file fields empty)", problem)

    def test_the_same_file_twice_in_a_multiple_file_field(self):
        problem = self.problem_of("tables_by_name")
        self.assertIn("raised ValueError: two tables with one name", problem)
        self.assertIn(
            "tables=[the sample (beam_mistakes/samples/tables/first.csv), the sample", problem
        )

    def test_a_result_the_platform_cannot_send(self):
        problem = self.problem_of("not_a_number")
        self.assertIn("The job's result holds nan at ", problem)
        self.assertIn("return only finite numbers", problem)

    def test_the_reproduce_line_runs_the_job_again(self):
        problem = self.problem_of("factor_view")
        command = problem.split("To run it again: ")[1].split()
        completed = subprocess.run(
            [sys.executable, *command[1:]], capture_output=True, text=True, timeout=120
        )
        self.assertEqual(completed.returncode, 1, completed.stderr)
        self.assertIn("raised ValueError: a factor above 3 is not supported", completed.stdout)
        self.assertIn('raise ValueError("a factor above 3 is not supported")', completed.stderr)

    def test_nothing_else_is_reported(self):
        methods = [
            "read_global", "read_scratch", "write_into_app", "lines_by_name", "factor_view",
            "per_count", "upload_as_text", "storage_misused", "about", "calculate",
            "declared_with_kw", "wrong_result", "missing_field", "file_name", "tables_by_name",
            "swallowed_download", "not_a_number",
        ]  # fmt: skip
        others = [p for p in self.problems if not any(f"`{m}`" in p for m in methods)]
        self.assertEqual(others, [])


class FaultMistakeTest(unittest.TestCase):
    """A job that uses Storage as if it never failed, or stores what a failed download left, is
    reported under the fault that shows it."""

    @classmethod
    def setUpClass(cls):
        folder = write_app(Path(tempfile.mkdtemp()), MISTAKES)
        cls.addClassCleanup(lambda: __import__("shutil").rmtree(folder, ignore_errors=True))
        app = load_app(folder)
        with Workers(folder) as workers, ViktorStandIn() as viktor:
            platform = Platform(app, viktor, workers)
            runs = [
                run
                for run in sample_runs(platform)[0]
                if run.job.method in ("naive_storage", "swallowed_download", "fill_global")
            ]
            cls.problems = fault_problems(platform, runs)

    def problems_of(self, method: str, scenario: str) -> list[str]:
        return [p for p in self.problems if f"`{method}`" in p and p.endswith(f"({scenario})")]

    def test_storage_down(self):
        (problem,) = self.problems_of("naive_storage", "with VIKTOR Storage down")
        self.assertIn("fails (InternalError: Storage.get failed with HTTP 500", problem)
        self.assertIn("at beam_mistakes/controller.py:", problem)
        self.assertIn("when Storage fails, compute and say the result could not be kept", problem)

    def test_a_broken_entry(self):
        for kind in ("not JSON", "a list", "an empty object", "NaN"):
            with self.subTest(kind=kind):
                (problem,) = self.problems_of("naive_storage", f"with each stored entry {kind}")
                self.assertIn("fails on a broken stored entry (", problem)
                self.assertIn("check a stored value before using it", problem)

    def test_a_broken_entry_read_and_left_broken(self):
        (problem,) = self.problems_of("naive_storage", "with each stored entry of the wrong shape")
        self.assertIn("read the broken entry 'span' and left it broken", problem)

    def test_a_result_stored_from_a_failed_download(self):
        for scenario in (
            "when the upload's download fails",
            "when the upload's download is cut short",
        ):
            with self.subTest(scenario=scenario):
                (problem,) = self.problems_of("swallowed_download", scenario)
                self.assertIn("stored other content under 'lines-upload.csv' than a run", problem)
                self.assertIn("must not be stored", problem)

    def test_a_job_that_uses_no_storage_survives_every_fault(self):
        self.assertEqual([p for p in self.problems if "`fill_global`" in p], [])


class GoodAppTest(unittest.TestCase):
    def test_what_looks_like_a_mistake_but_is_right_passes(self):
        """A memo of a pure function, a scratch file within one job, a UserError for a value the
        method cannot use, storing again under the same key: no problem."""
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        write_app(folder, GOOD)
        self.assertEqual(all_problems(folder), [])

    def test_workers_that_cannot_fork_run_a_process_per_job(self):
        """As on Windows: the same checks, with a new process for every job."""
        folder = write_app(Path(self.enterContext(tempfile.TemporaryDirectory())), MISTAKES)
        app = load_app(folder)
        with Workers(folder, fork=False) as workers, ViktorStandIn() as viktor:
            platform = Platform(app, viktor, workers)
            runs, variants = sample_runs(platform)
            chosen = [run for run in runs if run.job.method in ("fill_global", "read_global")]
            problems = worker_problems(platform, chosen, {})
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("`read_global` works only on a worker where other jobs ran", problems[0])


class WorkersEnvironmentTest(unittest.TestCase):
    def test_an_import_that_requirements_txt_does_not_install(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        sources = dict(GOOD)
        sources["beam_good/checks.py"] = "import hypothesis.strategies\nimport yaml\n"
        write_app(folder, sources)
        problems = requirement_problems(folder)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("beam_good/checks.py:1: imports `hypothesis`", problems[0])
        self.assertIn("requirements-dev.txt installs it", problems[0])
        self.assertIn("add it to requirements.txt, pinned: hypothesis==", problems[0])
        self.assertIn("beam_good/checks.py:2: imports `yaml`", problems[1])
        self.assertIn("pinned: pyyaml==", problems[1])

    def test_an_import_through_a_package_requirements_txt_lists_is_enough(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        sources = dict(GOOD)
        sources["beam_good/tables.py"] = "import pandas\nimport matplotlib.pyplot\n"
        write_app(folder, sources)
        self.assertEqual(requirement_problems(folder), [])

    def test_a_module_nobody_installed_keeps_the_rename_hint(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        sources = dict(GOOD)
        sources["beam_good/old.py"] = "from entity_type_z.controller import Controller\n"
        write_app(folder, sources)
        (problem,) = requirement_problems(folder)
        self.assertIn("if it is a folder you renamed or moved, change the import", problem)

    def test_an_app_whose_import_fails_on_a_worker(self):
        """tests/ is on this process' path and not on a worker's: a module from there imports
        here and fails there, as a package from requirements-dev.txt would."""
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        sources = dict(GOOD)
        sources["beam_good/controller.py"] = (
            "import app_folders\n" + GOOD["beam_good/controller.py"]
        )
        write_app(folder, sources)
        with self.assertRaises(AppCannotRun) as caught:
            all_problems(folder)
        message = str(caught.exception)
        self.assertIn("app.py cannot be imported on a worker", message)
        self.assertIn("No module named 'app_folders' at beam_good/controller.py:1", message)
        self.assertIn("add the package that provides `app_folders` to requirements.txt", message)


class MistakeTest(unittest.TestCase):
    def test_a_view_named_summary(self):
        class Mistaken(Good):
            @vkt.DataView("Summary")
            def summary(self, params, **kwargs) -> vkt.DataResult:
                return vkt.DataResult(vkt.DataGroup())

        (problem,) = definition_problems(editor_app(Mistaken))
        self.assertIn("the method `summary` has a name VIKTOR reserves", problem)
        self.assertIn("rename the method", problem)

    def test_children_without_show_children_as(self):
        class Project(vkt.Controller):
            children = ["Beam"]

        app = App("tree", [EntityType("Project", Project), EntityType("Beam", Good)])
        (problem,) = definition_problems(app)
        self.assertIn("entity type Project", problem)
        self.assertIn('add show_children_as = "Table"', problem)

    def test_a_child_or_initial_entity_of_an_undefined_type(self):
        class Project(vkt.Controller):
            children = ["Beams"]
            show_children_as = "Table"

        initial = [vkt.InitialEntity("Projects", name="My project")]
        app = App("tree", [EntityType("Project", Project), EntityType("Beam", Good)], initial)
        problems = definition_problems(app)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("`children` names 'Beams', which app.py does not define", problems[0])
        self.assertIn("the initial entity 'My project' is of type 'Projects'", problems[1])

    def test_each_entity_types_problems_are_reported_whatever_the_order(self):
        class Summarizing(Good):
            @vkt.DataView("Summary")
            def summary(self, params, **kwargs) -> vkt.DataResult:
                return vkt.DataResult(vkt.DataGroup())

        class Project(vkt.Controller):
            children = ["Beams"]
            show_children_as = "Table"

        for order in ([Summarizing, Project], [Project, Summarizing]):
            with self.subTest(first=order[0].__name__):
                app = App("tree", [EntityType(cls.__name__, cls) for cls in order])
                problems = definition_problems(app)
                self.assertEqual(len(problems), 2, problems)

    def test_a_button_whose_method_is_missing(self):
        class Mistaken(vkt.Controller):
            parametrization = Fields

        (problem,) = definition_problems(editor_app(Mistaken))
        self.assertIn("calls method='calculate', which its controller", problem)
        self.assertIn("add `def calculate(self, params, **kwargs)`", problem)

    def test_a_file_field_without_a_sample(self):
        (problem,) = sample_problems(editor_app(Good))
        self.assertIn("the file field `upload` of entity type Controller has no sample", problem)
        self.assertIn("tests/samples/upload.<extension>", problem)


class AppFileTest(unittest.TestCase):
    """app.py and viktor.config.toml, written to a folder of the test's own."""

    def app_in_folder(self, app_py: str, app_type: str) -> App:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        (folder / "app.py").write_text(textwrap.dedent(app_py), encoding="utf-8")
        (folder / "viktor.config.toml").write_text(f'app_type = "{app_type}"\n', encoding="utf-8")
        self.addCleanup(lambda: sys.path.remove(str(folder)) if str(folder) in sys.path else None)
        return load_app(folder)

    def test_an_editor_app_finds_controller(self):
        app = self.app_in_folder(
            "import viktor as vkt\nclass Controller(vkt.Controller):\n    pass\n", "editor"
        )
        self.assertEqual([entity_type.name for entity_type in app.entity_types], ["Controller"])

    def test_a_tree_app_finds_each_entity_type_by_the_name_app_py_binds(self):
        app = self.app_in_folder(
            """
            import viktor as vkt
            class Controller(vkt.Controller):
                pass
            Beam = Controller
            class Project(vkt.Controller):
                children = ["Beam"]
                show_children_as = "Table"
            del Controller
            initial_entities = [vkt.InitialEntity("Project", name="My project")]
            """,
            "tree",
        )
        self.assertEqual(sorted(e.name for e in app.entity_types), ["Beam", "Project"])
        self.assertEqual(definition_problems(app), [])

    def test_several_controllers_in_an_editor_app(self):
        with self.assertRaises(AppProblem) as caught:
            self.app_in_folder(
                """
                import viktor as vkt
                class Controller(vkt.Controller):
                    pass
                class Project(vkt.Controller):
                    pass
                """,
                "editor",
            )
        self.assertIn('set app_type = "tree" in viktor.config.toml', str(caught.exception))

    def test_a_tree_apps_controllers_in_an_editor_app(self):
        with self.assertRaises(AppProblem) as caught:
            self.app_in_folder(
                """
                import viktor as vkt
                class Beam(vkt.Controller):
                    pass
                class Project(vkt.Controller):
                    pass
                """,
                "editor",
            )
        self.assertIn("app.py binds the controllers Beam, Project", str(caught.exception))
        self.assertIn('set app_type = "tree"', str(caught.exception))

    def test_a_tree_app_without_initial_entities(self):
        with self.assertRaises(AppProblem) as caught:
            self.app_in_folder(
                "import viktor as vkt\nclass Project(vkt.Controller):\n    pass\n", "tree"
            )
        self.assertIn("a tree app needs `initial_entities`", str(caught.exception))

    def test_an_import_of_a_renamed_folder(self):
        with self.assertRaises(AppProblem) as caught:
            self.app_in_folder("from entity_type_z.controller import Controller\n", "editor")
        self.assertIn("change the import in app.py to the folder's new name", str(caught.exception))

    def test_an_unknown_app_type(self):
        with self.assertRaises(AppProblem) as caught:
            self.app_in_folder("", "website")
        self.assertIn("set it to one of 'editor', 'simple', 'tree'", str(caught.exception))


class SiblingImportTest(unittest.TestCase):
    def test_an_entity_type_that_imports_from_another(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        sources = {
            "beam_type/__init__.py": "",
            "beam_type/parametrization.py": "import viktor as vkt\n\n\n"
            "class Parametrization(vkt.Parametrization):\n    pass\n",
            "beam_type/controller.py": "import viktor as vkt\n\n"
            "from .parametrization import Parametrization\n\n\n"
            "class Controller(vkt.Controller):\n    parametrization = Parametrization\n",
            "project_type/__init__.py": "",
            "project_type/controller.py": "import viktor as vkt\n\n"
            "from beam_type.parametrization import Parametrization\n\n\n"
            "class Controller(vkt.Controller):\n    parametrization = Parametrization\n",
        }
        for name, source in sources.items():
            (folder / name).parent.mkdir(exist_ok=True)
            (folder / name).write_text(source, encoding="utf-8")
        sys.path.insert(0, str(folder))
        self.addCleanup(sys.path.remove, str(folder))
        from beam_type.controller import Controller as Beam
        from project_type.controller import Controller as Project

        app = App("tree", [EntityType("Beam", Beam), EntityType("Project", Project)])
        (problem,) = import_problems(app)
        self.assertIn("project_type/controller.py:3: entity type Project imports", problem)
        self.assertIn("from entity type Beam's folder", problem)
        self.assertIn("import its own modules relatively", problem)


class FolderNameTest(unittest.TestCase):
    def test_a_file_that_names_an_entity_types_folder(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        # The controller Good is defined in the module test_app_checks: that is its "folder".
        script = folder / "run_checks.sh"
        script.write_text(
            "python -m pytest\n"
            "python -m test_app_checks\n"
            "# python -m test_app_checks: a comment is not run\n"
            "cp test_app_checks/samples/upload.csv /tmp\n"
            "echo the word test_app_checks alone is no reference\n",
            encoding="utf-8",
        )
        module = folder / "helper.py"
        module.write_text(
            '"""Uses test_app_checks/controller.py."""\n\nfrom test_app_checks import Good\n',
            encoding="utf-8",
        )
        (folder / "README.md").write_text("python -m test_app_checks\n", encoding="utf-8")
        problems = folder_name_problems(editor_app(Good), [script, module, folder / "README.md"])
        self.assertEqual(len(problems), 3, problems)
        self.assertIn("run_checks.sh:2: names the folder `test_app_checks` of entity", problems[0])
        self.assertIn("run_checks.sh:4: names the folder", problems[1])
        self.assertIn("helper.py:3: names the folder", problems[2])
        self.assertIn("find the entity type through app.py instead", problems[0])


class JobLabelTest(unittest.TestCase):
    def test_names_the_file_entity_type_and_method(self):
        job = Job(EntityType("Controller", Good), "download", "download-button")
        self.assertEqual(
            job.label, "tests/test_app_checks.py: entity type Controller, button `download`"
        )
