"""Run the app's checks on workers that have only what requirements.txt installs, as VIKTOR's do.

    python -m tools.check_workers

The tests run the app's jobs on emulated workers (tests/viktor_standin/workers.py) with the
Python of your development environment, which also holds what requirements-dev.txt installs. This
builds an environment from requirements.txt alone (once, in your user cache folder; again when
requirements.txt changes), and runs tests/test_app.py with its Python as the workers' Python
(``VIKTOR_WORKER_PYTHON``): an import that only your computer provides fails there, as it would
on VIKTOR. It exits with the status of the tests. ``.ci/run`` runs it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

from app_files.stores import user_cache_folder

REPOSITORY = Path(__file__).resolve().parent.parent


def workers_environment(requirements: Path) -> Path:
    """The Python of an environment with exactly ``requirements`` installed, built if needed."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    folder = user_cache_folder() / "viktor-app-workers" / f"python{version}-{digest}"
    python = folder / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    if not (folder / "complete").is_file():
        print(f"Building the workers' environment from {requirements.name} in {folder}")
        venv.create(folder, clear=True, with_pip=True)
        install = [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)]
        subprocess.run(install, check=True)
        (folder / "complete").write_text("", encoding="utf-8")
    return python


def main() -> int:
    python = workers_environment(REPOSITORY / "requirements.txt")
    environment = {**os.environ, "VIKTOR_WORKER_PYTHON": str(python)}
    tests = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_app.py"]
    return subprocess.run(tests, cwd=REPOSITORY, env=environment).returncode


if __name__ == "__main__":
    sys.exit(main())
