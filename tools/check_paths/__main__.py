"""Runs the check: python -m tools.check_paths [PATH ...]"""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
