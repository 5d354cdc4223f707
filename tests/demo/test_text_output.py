"""The command line's text output shows control characters from an upload escaped: printed raw,
an escape character (ESC, 1B) in a column name could restyle or clear the user's terminal."""

import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent.parent


class ControlCharactersTest(unittest.TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)
        # Both the file name and a column name hold an escape sequence that turns text red.
        self.upload = self.folder / "beams\x1b[31m.csv"
        self.upload.write_bytes(b"Beam\x1b[31m,Span\tlength\nB1,4.5\nB2,6\n")

    def run_command_line(self, *options: str) -> subprocess.CompletedProcess:
        store = str(self.folder / "store")
        return subprocess.run(
            [sys.executable, "-m", "tablestats", str(self.upload), "--store", store, *options],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def test_text_output_escapes_control_characters_in_names(self):
        completed = self.run_command_line()
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertNotIn("\x1b", completed.stdout)
        self.assertIn("beams\\x1b[31m.csv (", completed.stdout)
        self.assertRegex(completed.stdout, r"Beam\\x1b\[31m\s+2\s+0\n")
        self.assertRegex(completed.stdout, r"Span\\x09length\s+2\s+2\s+4\.5\s+6\s+5\.25")

    def test_json_output_keeps_the_names_as_they_are(self):
        completed = self.run_command_line("--json")
        self.assertEqual(completed.returncode, 0, completed.stderr)
        result = json.loads(completed.stdout)
        self.assertEqual(result["file"], "beams\x1b[31m.csv")
        names = [column["name"] for column in result["columns"]]
        self.assertEqual(names, ["Beam\x1b[31m", "Span\tlength"])


if __name__ == "__main__":
    unittest.main()
