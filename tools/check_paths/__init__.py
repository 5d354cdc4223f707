r"""Find file paths that work on your computer but break once the app is published.

Run it from the repository root::

    python -m tools.check_paths                 # the app's own Python files
    python -m tools.check_paths app/ script.py  # chosen files and folders

Why
---
A VIKTOR app is written on a laptop (often Windows) and published to cloud workers running
Linux, with another user, another folder layout, another working directory. Therefore:

* A file that comes with the app is found from the code's own location,
  ``Path(__file__).parent / "file.txt"`` (one folder up: ``Path(__file__).parent.parent``),
  never through a fixed path such as "/home/anna/app/file.txt", "C:\Users\anna\file.txt",
  "../file.txt" or "file.txt": those depend on the computer or on the working directory.
* The app's folder is reset for every session, so the app never writes into it: results that
  must last go to ``vkt.Storage``, scratch files to ``tempfile``.
* ``viktor-cli publish`` uploads only the files git tracks, so a bundled file must be committed.

The check reads the source with ``ast``; it never imports or runs it. It needs the standard
library only, so it runs in pre-commit before anything is installed.

Codes
-----
VP101  absolute path ("/home/...", "C:\...", "\\server\share", "~/...", Path.home()) given to a
       call that opens, reads, lists or writes files
VP102  relative path ("file.txt", "../file.txt", "data/x.csv") given to such a call: it is
       looked up from the working directory, not from the code
VP201  os.chdir(): changes the working directory of the whole server process
VP202  path built from the working directory: os.getcwd(), Path.cwd(), os.path.abspath("x"),
       Path("x").resolve(), Path("x").absolute()
VP301  ".." or os.pardir in a path built from __file__: go up with .parent instead
VP302  writes into the app's own folder: a path built from __file__ opened for writing, saved
       to, created, copied or moved to, or deleted
VP303  bundled file missing: a path built from __file__ and constants only, read by the code,
       that does not exist (or differs in upper/lower case, which Linux tells apart)
VP304  bundled file not tracked by git, so ``viktor-cli publish`` leaves it out
VP901  "# check_paths: ok" without a reason

Precision comes before recall: a string counts as a path only when it reaches a call that
uses files (open, pathlib methods, os, os.path, shutil, glob, pandas.read_*, numpy, openpyxl,
zipfile, PIL, .from_path, .save, .savefig, .to_csv, ...), directly or through a name assigned
once in the same function or module. URLs, tempfile paths, parameters, sys.argv and other
values of unknown origin are never reported. VP303/VP304 look only at files the code reads,
not at places it writes to; a file it tests with .exists() or reads inside a ``try`` that
handles a missing file may be missing (but must still be tracked when it exists). Git is
skipped when it is not installed or the file is outside a git repository.

Not found, on purpose: paths built with % or .format(), paths kept in attributes (self.x),
class bodies seen from methods, lists or dicts, names assigned more than once or in loops,
and file calls the tables in calls.py do not list (logging.FileHandler, sqlite3.connect, ...).

Opting out
----------
End the line with ``# check_paths: ok <reason>``, e.g.
``open("/mnt/shared/rates.csv")  # check_paths: ok volume mounted on our own server``.
The reason is required; without one the comment is itself reported (VP901).

Files checked
-------------
Without PATH: every ``*.py`` below the repository root except ``tests/`` (tests build odd
paths on purpose and never run on the server), ``build/``, ``dist/``, virtual environments
(``venv``, ``.venv``, any folder holding ``pyvenv.cfg``), hidden folders and ``__pycache__``.
``tools/`` and other scripts are included: they run on every developer's computer and
operating system too, and a check that is not clean on itself would not be believed.
With PATH: the given files, and every ``*.py`` below the given folders (still without virtual
environments, hidden folders and caches).

Output is one line per finding, ``path:line:column: CODE message``, sorted by path and line,
with paths relative to the working directory and forward slashes (as git prints them).
Exit status: 0 clean (one "N files checked, no findings" line on stderr), 1 findings,
2 a PATH that does not exist or a file that cannot be read or parsed (one line on stderr
naming it; the other files are still checked).
"""

from .checker import check_file, check_source
from .cli import main
from .files import DEFAULT_SKIPPED_FOLDERS, REPOSITORY_ROOT, files_to_check, python_files
from .findings import CODES, Finding, display_path
from .values import ABSOLUTE, RELATIVE, path_kind

__all__ = [
    "ABSOLUTE",
    "CODES",
    "DEFAULT_SKIPPED_FOLDERS",
    "RELATIVE",
    "REPOSITORY_ROOT",
    "Finding",
    "check_file",
    "check_source",
    "display_path",
    "files_to_check",
    "main",
    "path_kind",
    "python_files",
]
