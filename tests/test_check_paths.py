"""Tests of tools/check_paths/.

Each rule has a table of snippets that must be found, with the exact (code, line) of every
finding, and a table of near misses that must not be found. Most tests check source text in
memory; the bundled-file rules use real files (and git), and a few tests run the command.
"""

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

from tools import check_paths
from tools.check_paths import (
    ABSOLUTE,
    CODES,
    DEFAULT_SKIPPED_FOLDERS,
    RELATIVE,
    check_file,
    check_source,
    files_to_check,
    main,
    path_kind,
    python_files,
)

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
CHECKER = REPOSITORY_ROOT / "tools" / "check_paths"

# Every snippet is checked below these imports; line numbers count from the snippet's first line.
IMPORTS = """\
import glob, io, json, logging, os, re, shutil, sys, tempfile, zipfile
import numpy as np
import openpyxl
import pandas as pd
import viktor as vkt
from pathlib import Path
from PIL import Image
"""
IMPORT_LINES = IMPORTS.count("\n")


def findings_in(
    snippet: str, path: Path = Path("app.py"), check_bundled_files: bool = False
) -> list[tuple[str, int]]:
    """(code, line) of every finding in `snippet`, checked as the file at `path`."""
    source = IMPORTS + textwrap.dedent(snippet).strip("\n") + "\n"
    findings = check_source(source, path, check_bundled_files=check_bundled_files)
    return [(finding.code, finding.line - IMPORT_LINES) for finding in findings]


class RuleTables:
    """Test methods for a rule, given its tables (mixed into a unittest.TestCase below)."""

    FOUND: list[tuple[str, list[tuple[str, int]]]] = []
    NEAR_MISSES: list[str] = []

    def test_found(self) -> None:
        self.assertGreaterEqual(len(self.FOUND), 3)
        for snippet, expected in self.FOUND:
            with self.subTest(snippet=snippet):
                self.assertEqual(findings_in(snippet), expected)

    def test_near_misses(self) -> None:
        self.assertGreaterEqual(len(self.NEAR_MISSES), 3)
        for snippet in self.NEAR_MISSES:
            with self.subTest(snippet=snippet):
                self.assertEqual(findings_in(snippet), [])


class PathKindTests(unittest.TestCase):
    def test_kinds(self) -> None:
        table = [
            ("/home/anna/data.csv", ABSOLUTE),
            ("/tmp/x", ABSOLUTE),
            (r"C:\Users\anna\data.csv", ABSOLUTE),
            ("C:/data.csv", ABSOLUTE),
            (r"\\server\share\data.csv", ABSOLUTE),
            ("~/data.csv", ABSOLUTE),
            (r"~\data.csv", ABSOLUTE),
            ("file.txt", RELATIVE),
            ("../file.txt", RELATIVE),
            ("~$report.xlsx", RELATIVE),  # Excel's lock file, not the home folder
            ("/", None),
            ("", None),
            ("https://example.com/data.csv", None),
            ("s3://bucket/data.csv", None),
            ("file:///C:/data.csv", None),
            ('{"path": "/home/anna"}', None),
        ]
        for text, expected in table:
            with self.subTest(text=text):
                self.assertEqual(path_kind(text), expected)


class AbsolutePathTests(RuleTables, unittest.TestCase):
    """VP101: an absolute path given to a call that uses files."""

    FOUND = [
        ("open('/home/anna/app/data.csv')", [("VP101", 1)]),
        (r"pd.read_csv(r'C:\Users\anna\data.csv')", [("VP101", 1)]),
        ("pd.read_excel('C:/data/beams.xlsx')", [("VP101", 1)]),
        (r"openpyxl.load_workbook(r'\\server\share\rates.xlsx')", [("VP101", 1)]),
        ("np.loadtxt('~/data/beams.txt')", [("VP101", 1)]),
        ("Image.open('/home/anna/logo.png')", [("VP101", 1)]),
        ("open('/tmp/out.txt', 'w')", [("VP101", 1)]),
        ("shutil.copy('/tmp/report.xlsx', target)", [("VP101", 1)]),
        ("open(f'/home/{user}/data.csv')", [("VP101", 1)]),
        (r"open(rf'C:\Users\{user}\data.csv')", [("VP101", 1)]),
        ("open(Path.home() / 'data.csv')", [("VP101", 1)]),
        ("(Path('/srv/app') / 'data.csv').read_text()", [("VP101", 1)]),
        ("folder = os.path.join('/srv', 'app')\n\nos.listdir(folder)", [("VP101", 1)]),
        (
            """
            DATA = '/var/data/beams.csv'


            def load():
                return pd.read_csv(DATA)
            """,
            [("VP101", 1)],
        ),
    ]
    NEAR_MISSES = [
        "pd.read_csv('https://example.com/data.csv')",
        "pd.read_parquet('s3://bucket/data.parquet')",
        "pd.read_csv('file:///home/anna/data.csv')",
        "print('/home/anna/data.csv')",
        "logging.info('wrote /tmp/out.csv')",
        "raise FileNotFoundError(f'/home/{user}/data.csv is missing')",
        "field = vkt.FileField('Upload', file_types=['.xlsx'])",
        "CONTENT_TYPE = 'text/csv'",
        "sizes = {'/home/anna': 1}",
        r"pattern = re.compile(r'C:\\Users\\\w+')",
        "def load():\n    '''Reads /home/anna/data.csv.'''",
        "folder = Path('/home/anna')",
        "'/home/anna/data.csv'.replace('/', '_')",
        "Path('/home/anna/data.csv').as_posix().replace('/', '_')",
        "os.listdir('/')",
        "open(sys.argv[1])",
        "arguments = parser.parse_args()\nopen(arguments.input)",
        "day = datetime.strptime('2024/01/01', '%Y/%m/%d')",
        "half = Fraction('1/2')",
        "user_file = input('File: ')\nopen(user_file)",
        "open(os.path.join(tempfile.gettempdir(), 'out.txt'), 'w')",
        "with tempfile.TemporaryDirectory() as folder:\n    open(os.path.join(folder, 'x'), 'w')",
        "archive.open('/data/beams.csv')",  # a member of a zip file, not a file on disk
        'pd.read_json(\'{"path": "/home/anna"}\')',
    ]


class RelativePathTests(RuleTables, unittest.TestCase):
    """VP102: a relative path given to a call that uses files."""

    FOUND = [
        ("open('file.txt')", [("VP102", 1)]),
        ("open('../file.txt')", [("VP102", 1)]),
        ("pd.read_csv('data/x.csv')", [("VP102", 1)]),
        ("settings = json.load(open('settings.json'))", [("VP102", 1)]),
        ("glob.glob('*.csv')", [("VP102", 1)]),
        ("Path('data.json').read_text()", [("VP102", 1)]),
        ("os.listdir('.')", [("VP102", 1)]),
        ("zipfile.ZipFile('archive.zip')", [("VP102", 1)]),
        ("vkt.File.from_path('report.pdf')", [("VP102", 1)]),
        ("Image.open('logo.png')", [("VP102", 1)]),
        ("os.makedirs('output', exist_ok=True)", [("VP102", 1)]),
        ("workbook = openpyxl.Workbook()\nworkbook.save('report.xlsx')", [("VP102", 2)]),
        ("open(f'data/{name}.csv')", [("VP102", 1)]),
        ("open('data/' + name)", [("VP102", 1)]),
        ("NAME = 'beams.csv'\n\n\ndef load():\n    return np.genfromtxt(NAME)", [("VP102", 1)]),
    ]
    NEAR_MISSES = [
        "template = Path('file.txt')",
        "template = Path('template.xlsx')\nprint(template.name)",
        "open(Path(__file__).parent / 'file.txt')",
        "def load(path):\n    return open(path)",
        "def load(folder):\n    return open(f'{folder}/x.csv')",
        "with tempfile.TemporaryDirectory() as folder:\n    open(os.path.join(folder, 'x'), 'w')",
        "scratch = tempfile.NamedTemporaryFile(suffix='.xlsx')",
        "print('file.txt')",
        "field = vkt.FileField('Upload', file_types=['.xlsx'])",
        "pd.read_json('{\"a\": 1}')",
        "os.unlink('lock.db', dir_fd=folder)",  # relative to an open folder
        "name = 'a.txt'\nname = other\nopen(name)",  # assigned twice: origin unknown
        "stem, suffix = 'x.csv'.split('.')",
        "for name in names:\n    open(name)",
        "record.save()",
        "vkt.DownloadResult(vkt.File.from_data(b'x'), 'report.xlsx')",  # a name, not a path
        "DATA = 'data.csv'\n\n\ndef load(DATA):\n    return open(DATA)",  # the parameter wins
    ]


class ChdirTests(RuleTables, unittest.TestCase):
    """VP201: os.chdir() anywhere."""

    FOUND = [
        ("os.chdir('/app')", [("VP201", 1)]),
        ("from os import chdir\nchdir(folder)", [("VP201", 2)]),
        ("os.chdir(Path(__file__).parent)", [("VP201", 1)]),
        ("def work():\n    os.chdir(tempfile.gettempdir())", [("VP201", 2)]),
    ]
    NEAR_MISSES = [
        "sftp.chdir('/remote')",  # a folder on another computer
        "def chdir(folder):\n    pass\n\n\nchdir('x')",
        "# os.chdir('x')",
        "text = \"os.chdir('x')\"",
        "ftp.cwd('/pub')",
    ]


class WorkingDirectoryTests(RuleTables, unittest.TestCase):
    """VP202: paths built from the working directory."""

    FOUND = [
        ("open(os.path.join(os.getcwd(), 'data.csv'))", [("VP202", 1)]),
        ("data = Path.cwd() / 'data.csv'", [("VP202", 1)]),
        ("import pathlib\ndata = pathlib.Path.cwd().joinpath('x.csv')", [("VP202", 2)]),
        ("os.listdir(os.getcwd())", [("VP202", 1)]),
        ("open(f'{os.getcwd()}/data.csv')", [("VP202", 1)]),
        ("data = os.path.abspath('data.csv')", [("VP202", 1)]),
        ("data = Path('data.csv').resolve()", [("VP202", 1)]),
        ("data = Path('data').absolute() / 'x.csv'", [("VP202", 1)]),
        (
            "here = os.getcwd()\n\n\ndef load():\n    return pd.read_csv(here + '/data.csv')",
            [("VP202", 1)],
        ),
    ]
    NEAR_MISSES = [
        "print(os.getcwd())",
        "logging.info('working in %s', os.getcwd())",
        "message = 'working in ' + os.getcwd()",
        "message = os.getcwd() + ' is the working folder'",
        "data = Path(__file__).resolve().parent / 'data.csv'",
        "here = os.path.dirname(os.path.abspath(__file__))",
        "def load(folder):\n    return Path(folder).resolve()",
        "scratch = Path(tempfile.gettempdir()).resolve()",
    ]


class ParentFolderTests(RuleTables, unittest.TestCase):
    """VP301: '..' or os.pardir in a path built from __file__."""

    FOUND = [
        ("data = Path(__file__).parent / '..' / 'file.txt'", [("VP301", 1)]),
        ("data = os.path.join(os.path.dirname(__file__), '..', 'file.txt')", [("VP301", 1)]),
        ("data = Path(__file__).parent / '../file.txt'", [("VP301", 1)]),
        ("data = os.path.join(os.path.dirname(__file__), os.pardir, 'x')", [("VP301", 1)]),
        ("data = Path(__file__).parent.joinpath('..', 'x.csv')", [("VP301", 1)]),
        ("data = os.path.dirname(__file__) + '/../x.csv'", [("VP301", 1)]),
        ("data = f'{os.path.dirname(__file__)}/../x.csv'", [("VP301", 1)]),
        ("root = os.path.join(os.path.dirname(__file__), '..', '..')", [("VP301", 1)]),
        (
            """
            HERE = Path(__file__).parent


            def load():
                return (HERE / '..' / 'x.csv').read_text()
            """,
            [("VP301", 5)],
        ),
    ]
    NEAR_MISSES = [
        "data = Path(__file__).parent.parent / 'file.txt'",
        "data = Path(__file__).parents[1] / 'file.txt'",
        "data = Path(__file__).parent / 'notes..txt'",
        "def up(base):\n    return os.path.join(base, '..', 'x')",
        "print('..')",
        "data = Path(__file__).parent / '...'",
    ]


class AppFolderWriteTests(RuleTables, unittest.TestCase):
    """VP302: writes into the app's own folder."""

    FOUND = [
        ("open(Path(__file__).parent / 'out.txt', 'w')", [("VP302", 1)]),
        ("open(os.path.join(os.path.dirname(__file__), 'log.txt'), mode='a')", [("VP302", 1)]),
        ("open(__file__, 'r+')", [("VP302", 1)]),
        ("open(Path(__file__).with_name('new.txt'), 'x')", [("VP302", 1)]),
        ("(Path(__file__).parent / 'out.txt').write_text('done')", [("VP302", 1)]),
        ("(Path(__file__).parent / 'out.bin').write_bytes(b'')", [("VP302", 1)]),
        ("(Path(__file__).parent / 'out.txt').open('w')", [("VP302", 1)]),
        ("workbook.save(Path(__file__).parent / 'report.xlsx')", [("VP302", 1)]),
        ("workbook.save(filename=Path(__file__).parent / 'report.xlsx')", [("VP302", 1)]),
        ("figure.savefig(os.path.join(os.path.dirname(__file__), 'plot.png'))", [("VP302", 1)]),
        ("(Path(__file__).parent / 'output').mkdir(exist_ok=True)", [("VP302", 1)]),
        ("os.makedirs(Path(__file__).parent / 'output')", [("VP302", 1)]),
        ("shutil.copy(source, Path(__file__).parent / 'copy.xlsx')", [("VP302", 1)]),
        ("(Path(__file__).parent / 'busy.lock').touch()", [("VP302", 1)]),
        ("(Path(__file__).parent / 'busy.lock').unlink()", [("VP302", 1)]),
        (
            """
            OUTPUT = Path(__file__).parent / 'output'


            def save(text):
                (OUTPUT / 'result.txt').write_text(text)
            """,
            [("VP302", 5)],
        ),
    ]
    NEAR_MISSES = [
        "open(Path(__file__).parent / 'data.csv')",
        "open(Path(__file__).parent / 'data.csv', 'rb')",
        "open(Path(__file__).parent / 'data.csv', mode='r')",
        "open(Path(__file__).parent / 'data.csv', mode)",  # mode unknown: not reported
        "(Path(__file__).parent / 'data.csv').read_text()",
        "(Path(__file__).parent / 'data.csv').exists()",
        "shutil.copy(Path(__file__).parent / 'template.xlsx', target)",
        "Path(tempfile.gettempdir(), 'out.txt').write_text('x')",
        "workbook.save(io.BytesIO())",
        "vkt.Storage().set('result', data=vkt.File.from_data(b'x'), scope='entity')",
        "def write(path):\n    Path(path).write_text('x')",
    ]


class OptOutTests(RuleTables, unittest.TestCase):
    """VP901: '# check_paths: ok' needs a reason, and only then silences its line."""

    FOUND = [
        ("open('file.txt')  # check_paths: ok", [("VP102", 1), ("VP901", 1)]),
        ("open('file.txt')  # check_paths: ok.", [("VP102", 1), ("VP901", 1)]),
        ("x = 1  # check_paths: ok", [("VP901", 1)]),
        ("# check_paths: ok read-only data on our server\nopen('/data/x.csv')", [("VP101", 2)]),
    ]
    NEAR_MISSES = [
        "open('/mnt/rates.csv')  # check_paths: ok volume mounted on our own server",
        "open('file.txt')  # noqa: E501  # check_paths: ok fixture for an example",
        "os.chdir(folder)  # check_paths: ok this script runs on a laptop only",
        "text = '# check_paths: ok'",
        "def f():\n    '''Write # check_paths: ok and a reason.'''",
        "x = 1  # check_paths: okay",
    ]


def git(folder: Path, *arguments: str) -> None:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    no_signing = ["-c", "commit.gpgsign=false"]
    command = ["git", *identity, *no_signing, *arguments]
    subprocess.run(command, cwd=folder, check=True, capture_output=True)


class BundledFileTests(unittest.TestCase):
    """VP303 (missing) and VP304 (not tracked by git), with real files in a temporary folder:

    project/app/app.py      the checked file
    project/app/data.csv
    project/app/inputs/beams.csv
    project/shared/rates.xlsx
    """

    def setUp(self) -> None:
        # Run git as a user would, even when the tests run inside a git hook.
        environment = mock.patch.dict(os.environ)
        environment.start()
        self.addCleanup(environment.stop)
        for name in [name for name in os.environ if name.startswith("GIT_")]:
            del os.environ[name]
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.project = Path(temporary.name) / "project"
        self.app = self.project / "app" / "app.py"
        for path in [
            self.app,
            self.project / "app" / "data.csv",
            self.project / "shared" / "rates.xlsx",
        ]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x\n", encoding="utf-8")
        (self.app.parent / "inputs").mkdir()
        (self.app.parent / "inputs" / "beams.csv").write_text("x\n", encoding="utf-8")

    def findings(self, snippet: str) -> list[tuple[str, int]]:
        return findings_in(snippet, self.app, check_bundled_files=True)

    def make_git_repository(self) -> None:
        if shutil.which("git") is None:
            self.skipTest("git is not installed")
        git(self.project, "init", "-q")
        (self.project / ".gitignore").write_text("ignored.csv\n", encoding="utf-8")
        git(self.project, "add", ".")
        git(self.project, "commit", "-q", "-m", "Start")

    def test_missing_files_are_found(self) -> None:
        table = [
            ("open(Path(__file__).parent / 'missing.csv')", [("VP303", 1)]),
            ("pd.read_csv(os.path.join(os.path.dirname(__file__), 'nope.csv'))", [("VP303", 1)]),
            (
                "vkt.File.from_path(Path(__file__).parent.parent / 'shared' / 'nope.xlsx')",
                [("VP303", 1)],
            ),
            ("open(Path(__file__).parent / 'DATA.csv')", [("VP303", 1)]),  # case differs
            ("pd.read_csv(Path(__file__).parents[1] / 'Shared' / 'rates.xlsx')", [("VP303", 1)]),
            (
                """
                TEMPLATE = Path(__file__).parent / 'template.xlsx'


                def load():
                    return openpyxl.load_workbook(TEMPLATE)
                """,
                [("VP303", 1)],
            ),
        ]
        for snippet, expected in table:
            with self.subTest(snippet=snippet):
                self.assertEqual(self.findings(snippet), expected)

    def test_case_difference_is_named_in_the_message(self) -> None:
        source = "from pathlib import Path\nopen(Path(__file__).parent / 'DATA.csv')\n"
        [finding] = check_source(source, self.app)
        self.assertEqual(finding.code, "VP303")
        self.assertIn("'data.csv'", finding.message)

    def test_existing_and_unresolvable_files_are_not_found(self) -> None:
        table = [
            "open(Path(__file__).parent / 'data.csv')",
            "vkt.File.from_path(Path(__file__).parent.parent / 'shared' / 'rates.xlsx')",
            "pd.read_csv(os.path.join(os.path.dirname(__file__), 'data.csv'))",
            "list((Path(__file__).parent / 'inputs').iterdir())",
            "open(Path(__file__).parent / name)",  # not made of constants only
            "open(Path(__file__).parent / f'{name}.csv')",
            "missing = Path(__file__).parent / 'missing.csv'",  # never read
            "glob.glob(os.path.join(os.path.dirname(__file__), '*.csv'))",  # a pattern
            """
            try:
                text = (Path(__file__).parent / 'version.txt').read_text()
            except FileNotFoundError:  # optional: handled when missing
                text = ''
            """,
            """
            cache = Path(__file__).parent / 'cache.json'  # optional: tested before it is read
            if cache.exists():
                cache.read_text()
            """,
            """
            open(Path(__file__).parent / 'out.csv', 'w')  # made by the app: VP302, not bundled
            open(Path(__file__).parent / 'out.csv')
            """,
        ]
        for snippet in table:
            with self.subTest(snippet=snippet):
                found = [code for code, _ in self.findings(snippet) if code != "VP302"]
                self.assertEqual(found, [])

    def test_untracked_files_are_found(self) -> None:
        self.make_git_repository()
        (self.app.parent / "new.csv").write_text("x\n", encoding="utf-8")
        (self.app.parent / "ignored.csv").write_text("x\n", encoding="utf-8")
        (self.app.parent / "results").mkdir()
        (self.app.parent / "results" / "run.csv").write_text("x\n", encoding="utf-8")
        table = [
            ("open(Path(__file__).parent / 'new.csv')", [("VP304", 1)]),
            ("open(Path(__file__).parent / 'ignored.csv')", [("VP304", 1)]),
            ("files = list((Path(__file__).parent / 'results').iterdir())", [("VP304", 1)]),
            ("open(Path(__file__).parent / 'missing.csv')", [("VP303", 1)]),  # not also VP304
        ]
        for snippet, expected in table:
            with self.subTest(snippet=snippet):
                self.assertEqual(self.findings(snippet), expected)

    def test_tracked_files_are_not_found(self) -> None:
        self.make_git_repository()
        (self.app.parent / "staged.csv").write_text("x\n", encoding="utf-8")
        git(self.project, "add", "app/staged.csv")  # in the index, so published
        table = [
            "open(Path(__file__).parent / 'data.csv')",
            "vkt.File.from_path(Path(__file__).parent.parent / 'shared' / 'rates.xlsx')",
            "files = list((Path(__file__).parent / 'inputs').iterdir())",
            "open(Path(__file__).parent / 'staged.csv')",
        ]
        for snippet in table:
            with self.subTest(snippet=snippet):
                self.assertEqual(self.findings(snippet), [])

    def test_outside_git_only_existence_is_checked(self) -> None:
        # No `git init`: the files exist but no repository can say whether they are tracked.
        self.assertEqual(self.findings("open(Path(__file__).parent / 'data.csv')"), [])
        self.assertEqual(self.findings("open(Path(__file__).parent / 'nope')"), [("VP303", 1)])


class FileSetTests(unittest.TestCase):
    def test_default_file_set(self) -> None:
        with tempfile.TemporaryDirectory() as temporary:
            root = Path(temporary)
            checked = ["app.py", "app/controller.py", "tools/tool.py", "scripts/bench.py"]
            skipped = [
                "tests/test_app.py",
                ".venv/lib/site.py",
                "venv/lib/site.py",
                "env/lib/site.py",  # holds pyvenv.cfg
                ".git/hooks/hook.py",
                "app/__pycache__/cached.py",
                "build/lib/app.py",
                "dist/app.py",
                "app/notes.txt",
            ]
            for name in checked + skipped:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_text("", encoding="utf-8")
            (root / "env" / "pyvenv.cfg").write_text("", encoding="utf-8")
            found = python_files(root, DEFAULT_SKIPPED_FOLDERS)
            self.assertEqual(
                sorted(path.relative_to(root).as_posix() for path in found), sorted(checked)
            )

    def test_default_file_set_is_this_repository(self) -> None:
        # Without PATH the check starts from the package's own location, three folders up.
        self.assertEqual(check_paths.REPOSITORY_ROOT, REPOSITORY_ROOT)
        files, status = files_to_check([])
        self.assertEqual(status, 0)
        self.assertEqual(files, python_files(REPOSITORY_ROOT, DEFAULT_SKIPPED_FOLDERS))
        self.assertIn(REPOSITORY_ROOT / "app.py", files)
        self.assertIn(CHECKER / "__init__.py", files)
        self.assertNotIn(Path(__file__).resolve(), files)


class CheckerTests(unittest.TestCase):
    def test_checker_is_clean_on_itself(self) -> None:
        files = python_files(CHECKER)
        self.assertIn(CHECKER / "__init__.py", files)
        self.assertEqual([finding for file in files for finding in check_file(file)], [])

    def test_every_code_is_documented(self) -> None:
        output = io.StringIO()
        with contextlib.redirect_stdout(output), self.assertRaises(SystemExit) as exit_:
            main(["--help"])
        self.assertEqual(exit_.exception.code, 0)
        for code in CODES:
            with self.subTest(code=code):
                self.assertIn(code, check_paths.__doc__)
                self.assertIn(code, output.getvalue())

    def test_missing_path_is_a_usage_error(self) -> None:
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            status = main([str(REPOSITORY_ROOT / "no such folder")])
        self.assertEqual(status, 2)
        self.assertIn("no such folder", errors.getvalue())


class CommandLineTests(unittest.TestCase):
    """`python -m tools.check_paths`, run as pre-commit and developers run it."""

    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.folder = Path(temporary.name)

    def write(self, name: str, source: str) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        return path

    def run_checker(
        self, *arguments: str, cwd: Path = REPOSITORY_ROOT
    ) -> subprocess.CompletedProcess:
        environment = {**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)}
        command = [sys.executable, "-m", "tools.check_paths", *arguments]
        return subprocess.run(
            command, cwd=cwd, env=environment, capture_output=True, text=True, check=False
        )

    def test_clean_file_exits_0(self) -> None:
        clean = self.write("clean.py", "from pathlib import Path\nDATA = Path(__file__).parent\n")
        result = self.run_checker(str(clean))
        self.assertEqual((result.returncode, result.stdout), (0, ""))
        self.assertIn("1 file checked, no findings", result.stderr)

    def test_findings_exit_1_one_line_each_sorted(self) -> None:
        second = self.write("b.py", "import os\nos.chdir('/')\n")
        first = self.write("a.py", "x = 1\nopen('file.txt')\nopen('/home/anna/data.csv')\n")
        result = self.run_checker(str(second), str(first))
        self.assertEqual(result.returncode, 1)
        a, b = first.as_posix(), second.as_posix()
        lines = result.stdout.splitlines()
        self.assertEqual(
            lines[0],
            f"{a}:2:6: VP102 relative path 'file.txt' depends on the working directory; "
            "use Path(__file__).parent / 'file.txt'",
        )
        self.assertTrue(lines[1].startswith(f"{a}:3:6: VP101 absolute path "), lines[1])
        self.assertTrue(lines[2].startswith(f"{b}:2:1: VP201 os.chdir()"), lines[2])
        self.assertEqual(len(lines), 3)

    def test_file_that_does_not_parse_exits_2_and_others_are_checked(self) -> None:
        broken = self.write("broken.py", "def broken(:\n")
        other = self.write("other.py", "open('file.txt')\n")
        result = self.run_checker(str(broken), str(other))
        self.assertEqual(result.returncode, 2)
        self.assertIn(broken.as_posix(), result.stderr)
        self.assertIn("cannot parse", result.stderr)
        self.assertIn(f"{other.as_posix()}:1:6: VP102", result.stdout)

    def test_missing_path_exits_2(self) -> None:
        result = self.run_checker(str(self.folder / "missing.py"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("missing.py", result.stderr)

    def test_the_fix_goes_up_from_the_code_to_the_apps_folder(self) -> None:
        """'file.txt' is read from the working directory, which was the app's folder when the
        code was tried: from a controller one folder down, that is two .parent up."""
        self.write("app/app.py", "")
        self.write("app/file.txt", "")
        self.write("app/beam/data/table.csv", "")
        controller = self.write(
            "app/beam/controller.py",
            "open('file.txt')\nopen('data/table.csv')\nopen('../file.txt')\n",
        )
        lines = self.run_checker(str(controller)).stdout.splitlines()
        self.assertTrue(lines[0].endswith("use Path(__file__).parent.parent / 'file.txt'"))
        self.assertTrue(lines[1].endswith("use Path(__file__).parent / 'data/table.csv'"))
        self.assertTrue(lines[2].endswith("use Path(__file__).parent.parent / 'file.txt'"))

    def test_paths_are_relative_to_the_working_directory_with_forward_slashes(self) -> None:
        self.write("app/sub/controller.py", "open('file.txt')\n")
        self.write("app/.venv/lib/site.py", "open('file.txt')\n")  # skipped
        result = self.run_checker("app", cwd=self.folder)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout.splitlines()[0][:27], "app/sub/controller.py:1:6: ")
        self.assertEqual(len(result.stdout.splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
