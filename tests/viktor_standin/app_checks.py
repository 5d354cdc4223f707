"""What the VIKTOR platform checks when it loads and runs an app, done offline for whatever app
``app.py`` declares: its entity types, their manifests, every view and button as a job.

``tests/test_app.py`` runs these checks on whatever app is there. Each problem is reported as one
sentence that names the file, the entity type, the view or button, and the fix.

How the platform finds an app's entity types (VIKTOR's documentation, "Add initial entities"): an
editor or simple app has one, the class ``app.py`` binds to the name ``Controller``; a tree app has
one per controller class ``app.py`` binds, named by the name it is bound to (``from
beam.controller import Controller as Beam`` defines the entity type ``Beam``), and starts from
``initial_entities``.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType

import tomllib
import viktor as vkt

from .server import manifest
from .worker_process import Failure, Frame, failure_of

REPOSITORY = Path(__file__).resolve().parents[2]
APP_FILE = REPOSITORY / "app.py"
CONFIG_FILE = REPOSITORY / "viktor.config.toml"
APP_TYPES = ("editor", "simple", "tree")
# Names the platform reads from a controller for its own settings: a view or button method with one
# of these names replaces the setting and breaks the app (a view named "summary", say).
RESERVED_NAMES = frozenset(name for name in dir(vkt.Controller) if not name.startswith("_"))
SAMPLES_FOLDER = "samples"  # in an entity type's folder: <field path>.<ext>, per file field


class AppProblem(AssertionError):
    """A problem that stops the checks: one sentence with the fix."""


@dataclass
class EntityType:
    name: str  # the name app.py binds the controller to
    controller: type[vkt.Controller]

    @property
    def module_file(self) -> Path:
        return Path(inspect.getfile(self.controller)).resolve()

    @property
    def folder(self) -> Path:
        return self.module_file.parent

    @property
    def package(self) -> str:
        """The top-level package of the controller's module: its folder's name, usually."""
        return self.controller.__module__.partition(".")[0]

    @cached_property
    def definition(self) -> dict:
        """The manifest, as the platform reads it; whatever the SDK raises when it cannot."""
        return manifest(self.controller())

    @property
    def where(self) -> str:
        """The controller's file and class, for messages."""
        return f"{relative(self.module_file)}: entity type {self.name}"

    @property
    def parametrization_file(self) -> str:
        parametrization = self.controller.parametrization
        source = inspect.getfile(
            parametrization if isinstance(parametrization, type) else type(parametrization)
        )
        return relative(Path(source).resolve())


@dataclass
class App:
    app_type: str
    entity_types: list[EntityType]
    initial_entities: list[vkt.InitialEntity] = field(default_factory=list)
    folder: Path = REPOSITORY  # where app.py is


@dataclass
class Job:
    """A view or a button, as the manifest lists it."""

    entity_type: EntityType
    method: str
    method_type: str  # the view's type ("table", "data", ...) or the button's ("download-button")

    @property
    def is_button(self) -> bool:
        return self.method_type.endswith("-button")

    @property
    def label(self) -> str:
        kind = "button" if self.is_button else f"{self.method_type} view"
        return f"{self.entity_type.where}, {kind} `{self.method}`"


def relative(path: Path) -> str:
    """``path`` as a message names it: relative to the folder of the app it belongs to."""
    apps = [parent for parent in path.parents if (parent / "app.py").is_file()]
    for folder in (REPOSITORY, *apps):
        if folder in path.parents:
            return path.relative_to(folder).as_posix()
    return str(path)


# --- Loading the app -----------------------------------------------------------------------------


def load_app(folder: Path = REPOSITORY) -> App:
    """The app in ``folder`` as the platform sees it; AppProblem when its app.py or
    viktor.config.toml cannot be used."""
    folder = Path(folder).resolve()
    app_type = _app_type(folder / CONFIG_FILE.name)
    module = _import_app(folder / APP_FILE.name)
    controllers = {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, vkt.Controller)
        and value is not vkt.Controller
    }  # fmt: skip
    initial = list(getattr(module, "initial_entities", None) or [])
    if app_type in ("editor", "simple"):
        if "Controller" not in controllers:
            bound = f"binds the controllers {', '.join(controllers)}" if controllers else (
                "binds no controller"
            )  # fmt: skip
            raise AppProblem(
                f'app.py {bound}, but viktor.config.toml says app_type = "{app_type}", whose one '
                "entity type app.py imports as `Controller` (from <its folder>.controller import "
                'Controller): import it so, or, for several entity types, set app_type = "tree".'
            )
        others = sorted(set(controllers) - {"Controller"} - _aliases_of(controllers, "Controller"))
        if others:
            raise AppProblem(
                f"app.py binds the controllers {', '.join(['Controller', *others])}, but "
                f'viktor.config.toml says app_type = "{app_type}", which has one entity type: set '
                'app_type = "tree" in viktor.config.toml, or import only `Controller` in app.py.'
            )
        return App(app_type, [EntityType("Controller", controllers["Controller"])], initial, folder)
    if not controllers:
        raise AppProblem(
            "app.py: a tree app binds each entity type's controller under the entity type's name "
            "(from beam.controller import Controller as Beam), and app.py binds none."
        )
    if not initial:
        raise AppProblem(
            "app.py: a tree app needs `initial_entities`, the entities the tree starts from, such "
            'as initial_entities = [vkt.InitialEntity("Project", name="My project")].'
        )
    return App(
        app_type, [EntityType(name, cls) for name, cls in controllers.items()], initial, folder
    )


def _app_type(config_file: Path) -> str:
    try:
        config = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise AppProblem(f"viktor.config.toml cannot be read ({error}): restore it.") from None
    app_type = config.get("app_type")
    if app_type not in APP_TYPES:
        raise AppProblem(
            f"viktor.config.toml: app_type is {app_type!r}; set it to one of "
            f"{', '.join(repr(t) for t in APP_TYPES)}."
        )
    return app_type


def _import_app(app_file: Path) -> ModuleType:
    """app.py, imported as VIKTOR imports it: as the module ``app``, from the app's folder.

    Another folder's app.py (a test's) is imported under another name, so that it never takes the
    place of this repository's app, and the modules of the last such folder are forgotten first,
    so that two test apps may use the same package names."""
    folder = app_file.parent.resolve()
    name = "app" if app_file.resolve() == APP_FILE else f"app_in_{abs(hash(folder))}"
    existing = sys.modules.get(name)
    if existing is not None and Path(getattr(existing, "__file__", "")).resolve() == app_file:
        return existing
    if folder != REPOSITORY:
        _forget_other_test_apps(folder)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(name, app_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # anything app.py or its imports raise
        raise AppProblem(cannot_import(failure_of(error), folder)) from None
    sys.modules[name] = module
    return module


_test_app_folders: list[Path] = []


def _forget_other_test_apps(folder: Path) -> None:
    for other in _test_app_folders:
        if other == folder:
            continue
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if file and other in Path(file).resolve().parents:
                del sys.modules[name]
        if str(other) in sys.path:
            sys.path.remove(str(other))
    _test_app_folders[:] = [folder]


def cannot_import(failure: Failure, folder: Path, on_a_worker: bool = False) -> str:
    """The sentence for an app.py that cannot be imported, here or on a worker."""
    place = " on a worker (with only what requirements.txt installs)" if on_a_worker else ""
    message = f"app.py cannot be imported{place}: {failure.type}: {failure.message}"
    message += where(failure.frames, folder)
    missing = re.fullmatch(r"No module named '([\w.]+)'", failure.message)
    if failure.type != "ModuleNotFoundError" or missing is None:
        return message + "."
    module = missing[1].partition(".")[0]
    if on_a_worker or importlib.util.find_spec(module) is not None:
        return (
            f"{message}: add the package that provides `{module}` to requirements.txt, pinned "
            "(name==version, as `pip freeze` shows it), so that VIKTOR installs it on its workers."
        )
    return (
        f"{message}. If you renamed or moved an entity type's folder, change the import in app.py "
        f"to the folder's new name; if `{module}` is a library, add it to requirements.txt, "
        "pinned, and install it (pip install -r requirements-dev.txt)."
    )


def where(frames: list[Frame], folder: Path) -> str:
    """ " at <file>:<line>": the innermost line of the app's own code among ``frames``, or "".

    The SDK's own frames never count: it is compiled (its frames name no file on disk) or
    installed (in site-packages); nor do the tests' frames."""
    for frame in reversed(frames):
        path = Path(frame.file)
        if not path.is_absolute() or not path.is_file():
            continue
        path = path.resolve()
        if folder not in path.parents or "site-packages" in path.parts:
            continue
        if path.relative_to(folder).parts[0] != "tests":
            return f" at {relative(path)}:{frame.line}"
    return ""


def _aliases_of(controllers: dict[str, type], name: str) -> set[str]:
    """Other names app.py binds to the same class (``Controller as Beam`` and ``Beam``)."""
    return {other for other, cls in controllers.items() if cls is controllers[name]}


# --- Checks that need no job ---------------------------------------------------------------------


def definition_problems(app: App) -> list[str]:
    """What the platform refuses when it loads the app, or the user meets at viktor-cli start."""
    problems: list[str] = []
    names = {entity_type.name for entity_type in app.entity_types}
    for entity_type in app.entity_types:
        reserved = _reserved_name_problems(entity_type)
        if reserved:
            problems += reserved
            continue  # the manifest would fail for the same reason, less clearly
        try:
            definition = entity_type.definition
        except Exception as error:
            problems.append(_manifest_problem(entity_type, error))
            continue
        for child in definition.get("children") or []:
            if child not in names:
                problems.append(
                    f"{entity_type.where}: `children` names {child!r}, which app.py does not "
                    f"define (it defines {', '.join(sorted(names))}): import its controller in "
                    f"app.py as {child}, or correct the name."
                )
        if definition.get("children") and app.app_type != "tree":
            problems.append(
                f"{entity_type.where} has `children`, which only a tree app has: set "
                'app_type = "tree" in viktor.config.toml, or remove `children`.'
            )
        for button in buttons_of(definition["parametrization"] or []):
            method = button["method"]
            if not callable(getattr(entity_type.controller, method, None)):
                problems.append(
                    f"{entity_type.parametrization_file}: the button `{button['name']}` of entity "
                    f"type {entity_type.name} calls method={method!r}, which its controller "
                    f"({relative(entity_type.module_file)}) lacks: add `def {method}(self, params, "
                    "**kwargs)` to the controller, or correct the name."
                )
    for initial in _all_initial(app.initial_entities):
        if initial._entity_type not in names:  # the SDK keeps no public attribute for it
            problems.append(
                f"app.py: the initial entity {initial._name!r} is of type "
                f"{initial._entity_type!r}, which app.py does not define (it defines "
                f"{', '.join(sorted(names))}): correct the name, or import its controller in "
                f"app.py as {initial._entity_type}."
            )
    return problems


def _reserved_name_problems(entity_type: EntityType) -> list[str]:
    problems = []
    own = {}
    for klass in reversed(entity_type.controller.__mro__):
        if klass is not object and not issubclass(vkt.Controller, klass):
            own.update(vars(klass))  # what the app's classes define, not the SDK's
    for name in sorted(RESERVED_NAMES & own.keys()):
        if callable(own[name]) and not isinstance(own[name], type):
            problems.append(
                f"{entity_type.where}: the method `{name}` has a name VIKTOR reserves for the "
                f"controller's own `{name}` setting: rename the method (and the `method=` of any "
                "button that calls it)."
            )
    return problems


def _manifest_problem(entity_type: EntityType, error: Exception) -> str:
    message = str(error)
    if "'show_children_as' cannot be absent" in message:
        fix = (
            'add show_children_as = "Table" (or "Cards") to the controller, beside `children`, '
            "to say how the children are listed"
        )
    elif "'show_children_as' should be" in message:
        fix = 'set show_children_as to "Table" or "Cards"'
    else:
        fix = "fix what the message names; it is what viktor-cli start would stop on"
    return (
        f"{entity_type.where} cannot be loaded as the platform loads it "
        f"({type(error).__name__}: {message}): {fix}."
    )


def _all_initial(entities: list[vkt.InitialEntity]) -> Iterator[vkt.InitialEntity]:
    for entity in entities:
        yield entity
        yield from _all_initial(entity._children or [])


def folder_name_problems(app: App, files: list[Path]) -> list[str]:
    """Only app.py may name an entity type's folder, so that renaming the folder and that import
    is all a rename takes. What counts is what runs: an import of the folder's modules in Python
    code, and a command (``-m <folder>``) or path (``<folder>/...``) on a line of another file that
    is not a comment. The README may name it: its text is not run."""
    patterns = [
        re.compile(
            rf"(?:(?<!\S)-m\s+{re.escape(entity_type.package)}\b)"
            rf"|(?<![\w.\-/\\]){re.escape(entity_type.package)}[/\\]\w"
        )
        for entity_type in app.entity_types
    ]
    problems = []
    for path in files:
        if path.name in ("app.py", "README.md"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # not text
        imports = list(_imports(text)) if path.suffix == ".py" else []
        lines = [] if path.suffix == ".py" else text.splitlines()
        for entity_type, command_or_path in zip(app.entity_types, patterns, strict=True):
            if entity_type.folder in path.parents:
                continue
            numbers = [n for n, name in imports if name.partition(".")[0] == entity_type.package]
            numbers += [
                number
                for number, line in enumerate(lines, start=1)
                if not line.lstrip().startswith("#") and command_or_path.search(line)
            ]
            problems += [
                f"{relative(path)}:{number}: names the folder `{entity_type.package}` of entity "
                f"type {entity_type.name}, so renaming the folder would break it: find the entity "
                "type through app.py instead (tests/app_checks.py: load_app)."
                for number in numbers
            ]
    return problems


def _imports(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every absolute import in Python source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def import_problems(app: App) -> list[str]:
    """An entity type that imports from another (a copied folder, say) breaks when either is
    renamed or removed: what both need belongs outside both."""
    packages = {entity_type.package: entity_type for entity_type in app.entity_types}
    problems = []
    for entity_type in app.entity_types:
        for path in sorted(entity_type.folder.rglob("*.py")):
            for number, name in _imports(path.read_text(encoding="utf-8")):
                sibling = packages.get(name.partition(".")[0])
                if sibling is not None and sibling is not entity_type:
                    problems.append(
                        f"{relative(path)}:{number}: entity type {entity_type.name} imports "
                        f"`{name}` from entity type {sibling.name}'s folder: import its own "
                        "modules relatively (from .parametrization import Parametrization), and "
                        "move what both need to a package outside both (like app_files/)."
                    )
    return problems


# --- Jobs ----------------------------------------------------------------------------------------


def buttons_of(fields: list[dict]) -> Iterator[dict]:
    for item in _fields(fields):
        if item.get("method") and str(item.get("type", "")).endswith("-button"):
            yield item


def jobs_of(entity_type: EntityType) -> list[Job]:
    """Every view and button of the entity type, from its manifest."""
    definition = entity_type.definition
    jobs = [
        Job(entity_type, view["controller_method"], view["view_type"])
        for view in definition["views"]
    ]
    jobs += [
        Job(entity_type, button["method"], button["type"])
        for button in buttons_of(definition["parametrization"] or [])
    ]
    return jobs


def fields_of(entity_type: EntityType) -> list[dict]:
    """The fields and buttons of the entity type's parametrization, at any depth (in tabs,
    sections, pages and steps), as its manifest lists them."""
    return list(_fields(entity_type.definition["parametrization"] or []))


def file_fields(entity_type: EntityType) -> list[dict]:
    """The file fields of the entity type's parametrization (at any depth)."""
    return [item for item in fields_of(entity_type) if item.get("type") in ("file", "multi_file")]


def _fields(items: list[dict]) -> Iterator[dict]:
    for item in items:
        if "content" in item:
            yield from _fields(item["content"])
        else:
            yield item


def samples(entity_type: EntityType, field_path: str) -> list[Path]:
    """The files the checks upload into a file field: <entity folder>/samples/<field path>.*,
    and every file in the folder <entity folder>/samples/<field path>/ (several, for a
    MultiFileField)."""
    folder = entity_type.folder / SAMPLES_FOLDER
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{field_path}.*")) + sorted(
        path for path in (folder / field_path).glob("*") if path.is_file()
    )


def sample_problems(app: App) -> list[str]:
    problems = []
    for entity_type in app.entity_types:
        try:
            fields = file_fields(entity_type)
        except Exception:  # its manifest fails: definition_problems says why
            continue
        for item in fields:
            path = item["parametrization_path"]
            if not samples(entity_type, path):
                folder = relative(entity_type.folder / SAMPLES_FOLDER)
                problems.append(
                    f"{entity_type.parametrization_file}: the file field `{path}` of entity type "
                    f"{entity_type.name} has no sample for the checks to upload: add a small file "
                    f"a user would upload as {folder}/{path}.<extension> (commit it: it ships "
                    "with the app)."
                )
    return problems
