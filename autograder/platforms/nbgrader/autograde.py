"""`nbgrader autograde` without a kernel: the notebook is graded in the sandbox, as `autograder grade` grades it.

nbgrader's own Execute runs a submission's cells in a Jupyter kernel started as the user
who runs nbgrader (on a JupyterHub's formgrader: the instructor), in the course folder,
with nothing confining it; whatever that kernel prints, returns or leaves in `sys.modules`
is then read back as grades. `GradeInSandbox` takes Execute's place in the course's
autograde pipeline (nbgrader_config.py):

- it copies the notebook as the student submitted it (nbgrader's submitted/ folder) to a
  private folder and runs ``autograder grade`` on it in a separate process, whose worker is
  the only place any of the student's code runs (confined, with limits: see the README's
  "Running student code"), so the points are the command's for the same file;
- it writes each test cell's result into that cell's outputs: the cell's checks as text,
  and its points as the cell's value, which nbgrader's SaveAutoGrades takes as partial
  credit. A statement that failed while loading is also noted on the cell it came from, within
  the bounds of `problems` (a few a cell, a few hundred in all, said when some are left out).

No cell runs in a kernel, so a cell's score is exactly `autograder grade`'s score for it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Integer

from autograder.course.notebook import cell_role, nbgrader_meta
from autograder.platforms.nbgrader.lenient import PYTHON_TEXT
from autograder.platforms.nbgrader.problems import WHOLE_FILE, CellNotes, bounded_notes, cell_place
from autograder.platforms.nbgrader.structure import RESTORED
from autograder.results import results_json
from autograder.results.cells import by_cell
from autograder.results.model import GradingResult, TestResult
from autograder.results.results_json import RESULTS_FILE


class GradingFailed(RuntimeError):
    """The sandboxed grading could not produce results for this notebook (a fault of the course, not the student)."""


class GradeInSandbox(NbGraderPreprocessor):
    """Grade the notebook with ``autograder grade`` and write each test cell's checks and points into its outputs."""

    budget = Float(480.0, help="Seconds of grading per submission (the command's --budget).").tag(config=True)
    call_timeout = Float(20.0, help="Seconds per call into the submission (the command's --call-timeout).").tag(
        config=True)
    memory_mb = Integer(2048, help="The worker's memory limit in MB (the command's --memory-mb).").tag(config=True)
    disk_mb = Integer(256, help="All the worker may write, in MB (the command's --disk-mb).").tag(config=True)
    allow_unconfined = Bool(False, help="Grade even where the sandbox cannot confine submissions (the command's "
                                        "--allow-unconfined); every result then says so.").tag(config=True)

    def preprocess(self, nb, resources):
        result = self._grade(nb, self._submitted(resources))
        tests_of = by_cell(result.tests)
        notes = bounded_notes([line for line in result.notes if line.strip()])
        first = True
        # "code cell 12" counts the code cells as submitted: cells put back from the release are not among them
        submitted = [c for c in nb.cells if c.cell_type == "code" and not c.metadata.get(RESTORED)]
        numbers = {id(c): n for n, c in enumerate(submitted, start=1)}
        problems = CellNotes(result.load_problems)  # indexed by cell once: a cell's share is looked up, not searched
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            if cell_role(cell) == "test":
                grade_id = str(nbgrader_meta(cell).get("grade_id", ""))
                tests = tests_of.get(grade_id.removeprefix("test_"))
                if not tests:
                    raise GradingFailed(f"test cell {grade_id!r} grades no cell the graders know; check that its grade "
                                        "id is 'test_' followed by the grade id of the solution cell it tests")
                text = cell_report(tests, notes if first else [])
                score, top = round(sum(t.score for t in tests), 6), sum(t.max_score for t in tests)
                points = {"text/plain": repr(score),  # what nbgrader's SaveAutoGrades reads as partial credit
                          "text/html": f"<p>{score:g} of {top:g} points</p>"}  # what a reader sees instead of "3.0"
                cell.outputs = [new_output("stream", name="stdout", text=text + "\n"),
                                new_output("execute_result", data=points, execution_count=None)]
                first = False
            else:
                places = cell_place(nbgrader_meta(cell).get("grade_id"), numbers.get(id(cell), 0))
                if cell.metadata.get(PYTHON_TEXT):  # the whole of a Python file: its problems are at "line N"
                    places.append(WHOLE_FILE)
                cell.outputs = [new_output("stream", name="stdout", text=text) for text in problems.texts(places)]
        return nb, resources

    def _submitted(self, resources) -> Path | None:
        """The notebook as the student submitted it (nbgrader's submitted/ folder), if it is there."""
        names = resources.get("nbgrader", {})
        try:
            coursedir = CourseDirectory(config=self.config)
            folder = coursedir.format_path(coursedir.submitted_directory, names["student"], names["assignment"])
        except (KeyError, TypeError, ValueError):
            return None
        path = Path(folder) / f"{names.get('notebook', '')}.ipynb"
        return path if path.is_file() and not path.is_symlink() else None

    def _grade(self, nb, submitted: Path | None) -> GradingResult:
        """The result of `autograder grade` for the notebook as submitted (`nb`, nbgrader's sanitised copy, if the
        submitted file cannot be found), run as a separate process on a private copy."""
        with tempfile.TemporaryDirectory(prefix="nbgrader-autograde-") as tmp:
            notebook, out = Path(tmp) / "submission.ipynb", Path(tmp) / "results"
            if submitted is not None:
                shutil.copyfile(submitted, notebook)
            else:
                nbformat.write(nb, str(notebook))
            command = [sys.executable, "-m", "autograder", "grade", str(notebook), "--quiet", "--out", str(out),
                       "--budget", f"{self.budget:g}", "--call-timeout", f"{self.call_timeout:g}",
                       "--memory-mb", str(self.memory_mb), "--disk-mb", str(self.disk_mb),
                       *(["--allow-unconfined"] if self.allow_unconfined else [])]
            try:
                done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                      timeout=self.budget + 120)
            except subprocess.TimeoutExpired:
                raise GradingFailed(f"autograder grade did not finish within {self.budget + 120:g} s") from None
            if done.returncode != 0 or not (out / RESULTS_FILE).is_file():
                last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
                raise GradingFailed(f"autograder grade could not grade this notebook: {last}")
            try:
                return results_json.read(out / RESULTS_FILE)
            except (OSError, results_json.ResultsUnreadable) as exc:
                raise GradingFailed(f"autograder grade wrote results that cannot be read ({exc})") from None


def cell_report(tests: list[TestResult], notes: list[str] | None = None) -> str:
    """One test cell's output: a summary line, then a line per check, each failure's message once.

    A first line or hint already shown for an earlier check of the cell ("backward_propagation fails its own
    checks", a shared hint) is left out, and a message shown whole already becomes "the same reason as above".
    `notes` (what happened while loading the notebook) head the first test cell's output.
    """
    lines: list[str] = []
    if notes:
        lines += ["While loading your notebook:", *("  " + line for note in notes for line in note.splitlines()), ""]
    failed = [t for t in tests if not t.passed]
    score, top = sum(t.score for t in tests), sum(t.max_score for t in tests)
    if failed:
        lines.append(f"{len(failed)} of {len(tests)} checks failed: {score:g} / {top:g} points.")
    else:
        lines.append(f"All {len(tests)} checks passed: {score:g} / {top:g} points.")
    messages: set[str] = set()
    headlines: set[str] = set()
    for test in tests:
        mark = "passed" if test.passed else "FAILED"
        lines.append(f"[{mark}] {test.name} ({test.score:g} / {test.max_score:g})")
        message = test.output.strip()
        if test.passed:
            if message:  # passed, with a word on why (another function's bug spoiled it with the student's own)
                lines += _wrapped(message.splitlines()[0])
            continue
        if message in messages:
            lines.append("    (the same reason as above)")
            continue
        messages.add(message)
        for at, line in enumerate(test.output.splitlines()):
            if at == 0 or line.strip().startswith("Hint:"):  # array rows may repeat; these need not
                if line.strip() in headlines:
                    continue
                headlines.add(line.strip())
            lines += _wrapped(line) if not line.lstrip().startswith(("[", "expected", "got")) else ["    " + line]
    return "\n".join(lines)


def _wrapped(line: str, width: int = 100) -> list[str]:
    """A message line indented under its check and folded at word boundaries: a feedback page does not wrap."""
    indent = "    " + " " * (len(line) - len(line.lstrip()))
    return textwrap.wrap(line.strip(), width=width, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]
