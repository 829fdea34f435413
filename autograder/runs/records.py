"""What a class run records for each student: `OUT/<student>/` holds results.json, junit.xml and a fingerprint.

The fingerprint is the submission's bytes and the graders' version: a re-run skips a
student whose fingerprint still matches (so a killed run resumes where it stopped), and
grades again whoever has results but no fingerprint, or none at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import autograder
from autograder.course.paths import GRADERS_DIR
from autograder.results import results_json
from autograder.results.cells import cell_points
from autograder.results.files import write_atomically
from autograder.results.grades_csv import GradeRow
from autograder.results.model import GradingResult
from autograder.results.results_json import RESULTS_FILE
from autograder.runs.submissions import Submission


FINGERPRINT_FILE = ".fingerprint"


@dataclass(frozen=True)
class Outcome:
    """How a student came out of a run: "graded" (now), "skipped" (graded before, `result` read back) or "error"."""

    student: str
    status: str
    result: GradingResult | None = None
    message: str = ""

    @property
    def score(self) -> float:
        return self.result.score if self.result else 0.0

    @property
    def max_score(self) -> float:
        return self.result.max_score if self.result else 0.0

    def row(self, submission: Submission) -> GradeRow:
        """The student's row of grades.csv."""
        path = str(submission.path or "")
        if self.result is None:
            return GradeRow(self.student, "error", message=self.message, submission=path)
        return GradeRow(self.student, "graded", self.score, self.max_score, self.message, path,
                        cell_points(self.result.tests))


def grader_version() -> str:
    """Changes whenever the package version or any grader file changes."""
    digest = hashlib.sha256(autograder.__version__.encode())
    for path in sorted(GRADERS_DIR.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(path: Path, version: str) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() + ":" + version


def already_graded(submission: Submission, student_dir: Path, version: str) -> Outcome | None:
    """The "skipped" outcome when `student_dir` holds readable results whose fingerprint matches; None otherwise."""
    stamp = student_dir / FINGERPRINT_FILE
    try:
        if submission.path is None or stamp.read_text() != fingerprint(submission.path, version):
            return None
        result = results_json.read(student_dir / RESULTS_FILE)
    except (OSError, results_json.ResultsUnreadable):
        return None
    return Outcome(submission.student, "skipped", result)


def forget(student_dir: Path) -> None:
    """Before grading again: without its fingerprint, a run killed mid-grade grades this student again."""
    (student_dir / FINGERPRINT_FILE).unlink(missing_ok=True)


def record(submission: Submission, student_dir: Path, version: str, problem: str) -> Outcome:
    """The outcome of a grade that ended with `problem` ("" when its results are in `student_dir`, written there
    in full); a graded submission gets its fingerprint (an error row is graded again next run)."""
    if problem:  # e.g. "could not write the results in OUT/ada (No space left on device)": graded again next run
        return Outcome(submission.student, "error", message=f"grading failed: {problem}")
    try:
        result = results_json.read(student_dir / RESULTS_FILE)
    except (OSError, results_json.ResultsUnreadable) as exc:
        why = exc.strerror if isinstance(exc, OSError) else exc
        return Outcome(submission.student, "error", message=f"grading failed: its {RESULTS_FILE} cannot be read ({why})")
    if submission.path is not None:
        try:
            write_atomically(student_dir / FINGERPRINT_FILE, fingerprint(submission.path, version))
        except OSError:
            pass  # graded and recorded; without its fingerprint the next run grades it again
    return Outcome(submission.student, "graded", result)
