"""The demo comes off cleanly: ``python -m tools.remove_demo`` removes what its markers say, and
no file the skeleton keeps names the demo or its subject.

Whether what remains is a working app is checked where it takes minutes: ``.ci/run`` removes the
demo from a fresh clone and runs the checks there.
"""

import re
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

from tools.remove_demo import (
    DEMO_PATHS,
    REPOSITORY,
    MarkerError,
    remove_demo,
    skeleton_texts,
    without_demo,
)

# The markers, spelt so that this file holds none itself: the tool would take them for real ones.
MARK, BEGIN, END = "# " + "demo", "# " + "demo: begin", "# " + "demo: end"

# The words that name the demo or its subject (this file goes with the demo, so it may hold them).
# The SDK's own PlotlyView and PlotlyResult are the skeleton's too; the library plotly is not.
DEMO_WORDS = re.compile(
    r"demo|tablestats|statistic|excel report|report.template|plotly(?!view|result)|chrom(?:e|ium)"
    r"|browser.for.tests|browser test|benchmark|calamine|histogram",
    re.IGNORECASE,
)
# Lines that still name the demo in parts another change is rewriting, each to go there:
# (file, a phrase of the line). The test fails once one is gone, so that this list stays short.
KNOWN_LEFTOVERS: set[tuple[str, str]] = set()


def dedent(text: str) -> str:
    """The text, dedented, with MARK, BEGIN and END in place of their names in braces."""
    return textwrap.dedent(text).lstrip("\n").format(MARK=MARK, BEGIN=BEGIN, END=END)


class WithoutDemoTest(unittest.TestCase):
    def test_removes_marked_lines_and_blocks(self):
        text = dedent(
            """
            import viktor as vkt
            from tablestats import report  {MARK}

            VIEWS = [
                "upload",
                "statistics",  {MARK}
            ]


            class Controller(vkt.Controller):
                label = "Table statistics"  {MARK}

                def upload(self):
                    pass

                {BEGIN}
                def statistics(self):
                    pass

                {END}
                def clear(self):
                    pass
            """
        )
        expected = dedent(
            """
            import viktor as vkt

            VIEWS = [
                "upload",
            ]


            class Controller(vkt.Controller):

                def upload(self):
                    pass

                def clear(self):
                    pass
            """
        )
        self.assertEqual(without_demo(text, "controller.py"), expected)

    def test_a_block_between_blank_lines_leaves_one(self):
        text = f"a\n\n{BEGIN}\nb\n{END}\n\nc\n"
        self.assertEqual(without_demo(text, "x.py"), "a\n\nc\n")

    def test_a_block_at_the_end_leaves_no_blank_lines(self):
        text = f"a\n\n\n{BEGIN}\ndef b():\n    pass\n{END}\n"
        self.assertEqual(without_demo(text, "x.py"), "a\n")

    def test_markdown_markers(self):
        begin, end = "<!-- " + "demo: begin -->", "<!-- " + "demo: end -->"
        text = f"# Title\n\n{begin}\n## Demo\n{end}\n\nEnd.\n"
        self.assertEqual(without_demo(text, "README.md"), "# Title\n\nEnd.\n")

    def test_a_marker_inside_a_line_of_text_is_not_a_marker(self):
        text = f'note = "a line ending in {MARK} is removed"\nx = 1  # a demo value\n'
        self.assertEqual(without_demo(text, "x.py"), text)

    def test_markers_that_do_not_pair_change_nothing_and_say_where(self):
        cases = {
            f"a\n{BEGIN}\nb\n": "x.py:2: a demo block begins and never ends",
            f"a\n{END}\n": "x.py:2: a demo block ends that never began",
            f"{BEGIN}\n{BEGIN}\n{END}\n": "x.py:2: a demo block begins inside",
        }
        for text, message in cases.items():
            with self.subTest(text=text), self.assertRaises(MarkerError) as caught:
                without_demo(text, "x.py")
            self.assertIn(message, str(caught.exception))


class RemoveDemoTest(unittest.TestCase):
    def test_every_marked_file_of_this_repository_pairs_up(self):
        remove_demo(REPOSITORY, dry_run=True)  # raises MarkerError otherwise

    def test_removes_the_demos_paths_and_marked_lines_and_nothing_else(self):
        root = Path(self.enterContext(tempfile.TemporaryDirectory()))
        for demo_path in DEMO_PATHS:
            path = root / demo_path
            if path.suffix:  # a file
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("x = 1\n")
            else:
                path.mkdir(parents=True)
                (path / "module.py").write_text("x = 1\n")
        (root / "tools" / "check.py").write_text("x = 1\n")
        (root / "app.py").write_text("from entity.controller import Controller\n")
        (root / "requirements.txt").write_text(f"viktor==14.36.2\nopenpyxl==3.1.5  {MARK}\n")
        done = remove_demo(root)
        self.assertEqual(len(done), len(DEMO_PATHS) + 1)
        self.assertEqual(
            sorted(p.relative_to(root).as_posix() for p in root.rglob("*")),
            ["app.py", "requirements.txt", "tests", "tools", "tools/check.py"],
        )
        self.assertEqual((root / "requirements.txt").read_text(), "viktor==14.36.2\n")
        self.assertEqual(remove_demo(root), [])  # a second run finds nothing left

    def test_removes_the_demos_samples_from_a_renamed_entity_type_and_no_others(self):
        root = Path(self.enterContext(tempfile.TemporaryDirectory()))
        tables = root / "beam_check" / "samples" / "tables"
        tables.mkdir(parents=True)
        for name in ("concrete_batch_a.csv", "concrete_batch_b.csv"):
            (tables / name).write_text("x\n1\n")
        (root / "beam_check" / "samples" / "upload.csv").write_text("x\n1\n")
        mine = root / "other" / "samples" / "tables" / "beams.csv"
        mine.parent.mkdir(parents=True)
        mine.write_text("x\n1\n")
        done = remove_demo(root)
        self.assertEqual(done, [f"beam_check/samples/tables/concrete_batch_{x}.csv" for x in "ab"])
        self.assertFalse(tables.exists())  # the folder, left empty, goes too
        self.assertTrue((root / "beam_check" / "samples" / "upload.csv").exists())
        self.assertTrue(mine.exists())

    def test_a_file_that_is_not_text_is_left_alone(self):
        root = Path(self.enterContext(tempfile.TemporaryDirectory()))
        binary = root / "notes.txt"
        binary.write_bytes(f"caf\xe9  {MARK}\n".encode("latin-1"))  # not UTF-8
        self.assertEqual(remove_demo(root), [])
        self.assertTrue(binary.exists())

    def test_dry_run_on_the_command_line_changes_nothing(self):
        def listing() -> dict[Path, int]:
            return {path: path.stat().st_mtime_ns for path in REPOSITORY.rglob("*.py")}

        before = listing()
        completed = subprocess.run(
            [sys.executable, "-m", "tools.remove_demo", "--dry-run"],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertTrue(
            completed.stdout.startswith(("Would remove:", "The demo is gone already.")),
            completed.stdout,
        )
        self.assertEqual(listing(), before)


class NoDemoWordLeftTest(unittest.TestCase):
    def test_no_file_the_skeleton_keeps_names_the_demo(self):
        """Each text file the skeleton keeps, as remove_demo would leave it, is free of the demo's
        words: a user who removes the demo reads nothing of it again."""
        found, leftovers = [], set()
        for path, text in skeleton_texts(REPOSITORY).items():
            relative = path.relative_to(REPOSITORY).as_posix()
            for number, line in enumerate(text.splitlines(), start=1):
                words = DEMO_WORDS.findall(line)
                known = {(file, phrase) for file, phrase in KNOWN_LEFTOVERS if file == relative}
                known = {leftover for leftover in known if leftover[1] in line}
                if words and known:
                    leftovers |= known
                elif words:
                    found.append(f"{relative}:{number}: {words} in {line.strip()[:80]!r}")
        if found:
            self.fail(
                "These lines name the demo, and would stay once it is removed: mark them as the "
                f"demo's ('{MARK}' at the end, or a '{BEGIN}' ... '{END}' block), or reword "
                "them.\n" + "\n".join(found)
            )
        self.assertEqual(
            KNOWN_LEFTOVERS - leftovers,
            set(),
            "These leftovers are gone: take them out of KNOWN_LEFTOVERS.",
        )

    def test_the_words_are_found(self):
        """The check would see each kind of leftover the demo once left behind."""
        for line in [
            "Table statistics: upload a table",
            "every view and download reuses the statistics",
            "# The demo's tests: its figure is checked as a Plotly figure",
            "BROWSER_FOR_TESTS: google-chrome",
            "# Excel's lock file while a workbook (such as the report template) is open",
            "python benchmarks/bench_uploads.py",
        ]:
            with self.subTest(line=line):
                self.assertIsNotNone(DEMO_WORDS.search(line))
        for line in ["@vkt.PlotlyView('Upload size')", "return vkt.PlotlyResult(figure)"]:
            with self.subTest(line=line):
                self.assertIsNone(DEMO_WORDS.search(line))
