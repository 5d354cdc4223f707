"""The app-level checks (``app_checks.py``) catch each mistake they exist for, and name the fix.

Each test makes one mistake on purpose, in a small app of its own, and reads the sentence the
checks report. The app in this repository is checked by ``test_app.py``.
"""

import sys
import tempfile
import textwrap
import time
import unittest
from pathlib import Path

import viktor as vkt
from viktor_standin import ViktorStandIn
from viktor_standin.app_checks import (
    App,
    AppProblem,
    EntityType,
    Job,
    default_params,
    definition_problems,
    folder_name_problems,
    import_problems,
    jobs_of,
    load_app,
    run,
    run_twice,
    sample_problems,
)


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


def problem_of_job(controller: type, method: str, params: dict | None = None) -> str | None:
    entity_type = EntityType("Controller", controller)
    (job,) = [job for job in jobs_of(entity_type) if job.method == method]
    with ViktorStandIn() as viktor:
        return run_twice(viktor, job, params or default_params(entity_type), 1)


class CorrectAppTest(unittest.TestCase):
    def test_a_correct_app_has_no_problems(self):
        self.assertEqual(definition_problems(editor_app(Good)), [])
        for method in ("length_view", "calculate"):
            with self.subTest(method=method):
                self.assertIsNone(problem_of_job(Good, method))

    def test_params_are_each_fields_default(self):
        params = default_params(EntityType("Controller", Good), {"upload": 7})
        self.assertEqual(params, {"length": 4.5, "upload": 7})


class MistakeTest(unittest.TestCase):
    def test_a_view_declared_with_kw(self):
        class Mistaken(Good):
            @vkt.DataView("Length")
            def length_view(self, params, **kw) -> vkt.DataResult:
                return vkt.DataResult(vkt.DataGroup())

        problem = problem_of_job(Mistaken, "length_view")
        self.assertIn("data view `length_view`", problem)
        self.assertIn("def length_view(self, params, **kwargs)", problem)

    def test_a_view_named_summary(self):
        class Mistaken(Good):
            @vkt.DataView("Summary")
            def summary(self, params, **kwargs) -> vkt.DataResult:
                return vkt.DataResult(vkt.DataGroup())

        (problem,) = definition_problems(editor_app(Mistaken))
        self.assertIn("the method `summary` has a name VIKTOR reserves", problem)
        self.assertIn("rename the method", problem)

    def test_a_field_the_params_lack(self):
        class Mistaken(Good):
            @vkt.DataView("Length")
            def length_view(self, params, **kwargs) -> vkt.DataResult:
                return vkt.DataResult(vkt.DataGroup(vkt.DataItem("f", params.safety_factor)))

        problem = problem_of_job(Mistaken, "length_view")
        self.assertIn("reads the field `safety_factor` from params", problem)
        self.assertIn("add it to tests/test_app_checks.py", problem)  # where Fields is declared
        self.assertIn("test_app_checks.py:", problem)  # the line that reads it

    def test_a_result_of_the_wrong_type(self):
        class Mistaken(Good):
            @vkt.DataView("Length")
            def length_view(self, params, **kwargs):
                return vkt.TableResult([[1]])

        problem = problem_of_job(Mistaken, "length_view")
        self.assertIn("returned what its view cannot show", problem)

    def test_a_crash_names_the_line_and_the_way_out(self):
        class Mistaken(Good):
            def calculate(self, params, **kwargs) -> None:
                raise ZeroDivisionError("division by zero")

        problem = problem_of_job(Mistaken, "calculate")
        self.assertIn("button `calculate` raised ZeroDivisionError", problem)
        self.assertIn("raise vkt.UserError", problem)

    def test_a_user_error_is_an_answer_not_a_problem(self):
        class Refusing(Good):
            def calculate(self, params, **kwargs) -> None:
                raise vkt.UserError("Upload a file first.")

        self.assertIsNone(problem_of_job(Refusing, "calculate"))

    def test_a_key_that_changes_between_jobs(self):
        class Mistaken(Good):
            def calculate(self, params, **kwargs) -> None:
                key = f"result-{time.monotonic_ns()}"
                vkt.Storage().set(key, data=vkt.File.from_data(b"1"), scope="workspace")

        problem = problem_of_job(Mistaken, "calculate")
        self.assertIn("stored a result again in a second run", problem)

    def test_a_view_that_stores_without_reading_first(self):
        class Mistaken(Good):
            @vkt.DataView("Length")
            def length_view(self, params, **kwargs) -> vkt.DataResult:
                vkt.Storage().set("length", data=vkt.File.from_data(b"1"), scope="workspace")
                return vkt.DataResult(vkt.DataGroup())

        problem = problem_of_job(Mistaken, "length_view")
        self.assertIn("data view `length_view` stored a result again", problem)

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

    def test_a_job_that_crashes_on_an_empty_file_field(self):
        class Mistaken(Good):
            @vkt.DataView("Length")
            def length_view(self, params, **kwargs) -> vkt.DataResult:
                return vkt.DataResult(vkt.DataGroup(vkt.DataItem("f", params.upload.filename)))

        entity_type = EntityType("Controller", Mistaken)
        (job,) = [job for job in jobs_of(entity_type) if job.method == "length_view"]
        with ViktorStandIn() as viktor:
            problem = run(viktor, job, default_params(entity_type), 1)
        self.assertIn("raised AttributeError: 'NoneType' object has no attribute", problem)

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
