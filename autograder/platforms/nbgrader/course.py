"""A whole nbgrader course in a folder: release, submit, autograde, feedback, export.

Every step is the real ``nbgrader`` command, run with this repository's
``nbgrader_config.py`` against a course folder of its own (SQLite gradebook inside it),
so the demo and the tests never touch an instructor's gradebook.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.course.paths import ASSIGNMENT, NBGRADER_CONFIG, SOURCE_DIR
from autograder.course.release import nbgrader_env


NOTEBOOK = f"{ASSIGNMENT}.ipynb"


class CourseError(RuntimeError):
    """An nbgrader step failed; the message names the step and nbgrader's last line."""


class Course:
    """An nbgrader course rooted at `root`, with the assignment's source copied in."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.db_url = f"sqlite:///{self.root / 'gradebook.db'}"
        self.logs: dict[str, str] = {}  # nbgrader's stderr (warnings and errors) by command and student
        if not (self.root / "source" / ASSIGNMENT).is_dir():
            skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
            shutil.copytree(SOURCE_DIR, self.root / "source" / ASSIGNMENT, ignore=skip)
            shutil.copy(NBGRADER_CONFIG, self.root / "nbgrader_config.py")

    def nbgrader(self, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={self.root}",
                   f"--CourseDirectory.db_url={self.db_url}", "--log-level=WARN"]
        done = subprocess.run(command, cwd=self.root, env=nbgrader_env(), capture_output=True, text=True,
                              timeout=timeout)
        self.logs[" ".join(a for a in args if not a.startswith("-"))] = done.stderr
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise CourseError(f"nbgrader {args[0]} failed (exit {done.returncode}): {last}")
        return done

    @property
    def release(self) -> Path:
        return self.root / "assignments" / ASSIGNMENT

    def generate(self) -> Path:
        """nbgrader generate_assignment: the student release."""
        self.nbgrader("generate_assignment", ASSIGNMENT, "--force")
        return self.release

    def submit(self, student: str, notebook: dict) -> Path:
        """Place `notebook` as `student`'s submission, with the release's other files, as nbgrader collect would."""
        folder = self.root / "submitted" / student / ASSIGNMENT
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(self.release, folder)
        (folder / NOTEBOOK).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-29 12:00:00.000000 UTC")
        return folder / NOTEBOOK

    def autograde(self, student: str, *options: str) -> None:
        """nbgrader autograde for one student; `options` are more of nbgrader's (``--GradeInSandbox.budget=60``)."""
        self.nbgrader("autograde", ASSIGNMENT, "--student", student, "--create", "--force", *options)

    def autograde_all(self, *options: str) -> None:
        """nbgrader autograde for every submitted student, in one run."""
        self.nbgrader("autograde", ASSIGNMENT, "--create", "--force", *options)

    def generate_feedback(self, student: str) -> Path:
        self.nbgrader("generate_feedback", ASSIGNMENT, "--student", student, "--force")
        return self.feedback(student)

    def generate_feedback_all(self) -> None:
        """nbgrader generate_feedback for every autograded student, in one run."""
        self.nbgrader("generate_feedback", ASSIGNMENT, "--force")

    def feedback(self, student: str) -> Path:
        """Where `student`'s feedback page is."""
        return self.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"

    def export(self) -> Path:
        """nbgrader export: the grade CSV of every student."""
        out = self.root / "grades.csv"
        self.nbgrader("export", f"--to={out}")
        return out

    def cell_scores(self, student: str) -> dict[str, float]:
        """Autograded points per graded cell (test cells, by the grade id of the cell they test)."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url) as gradebook:
            notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            return {grade.name.removeprefix("test_"): float(grade.auto_score or 0.0)
                    for grade in notebook.grades if grade.name.startswith("test_")}

    def exported_scores(self) -> dict[str, float]:
        with self.export().open(newline="") as f:
            return {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
