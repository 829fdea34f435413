"""`OUT/grades.csv` while a class is graded: every student listed from the start, rows filled in as grades come.

A row is formatted once, when its student's outcome arrives; the file is rewritten whole
and atomically (a reader never sees half of it) from those rows, so a rewrite costs a
join, not a re-read of any results. Rewrites are spaced out so that they take at most a
twentieth of the run's time, and never come closer than `MIN_GAP` seconds: the file is at
most a few seconds behind while grading, and whole at the end (`close`).
"""

from __future__ import annotations

import time
from pathlib import Path

from autograder.results import grades_csv
from autograder.results.cells import cell_names
from autograder.results.files import write_atomically
from autograder.results.grades_csv import GRADES_FILE, GradeRow
from autograder.runs.records import Outcome
from autograder.runs.submissions import Submission


MIN_GAP = 1.0  # seconds between two rewrites at least
COST_SHARE = 20  # ... and at least this many times as long as the last rewrite took


class GradesNotWritten(OSError):
    """grades.csv could not be rewritten (a full disk, say); the one there before is intact."""


class GradesFile:
    """grades.csv in `out` for `submissions`, every row pending until `record` fills it in."""

    def __init__(self, out: Path, submissions: list[Submission]):
        self.path = out / GRADES_FILE
        self.cells = cell_names()
        self._submissions = {s.student: s for s in submissions}
        self._lines = {s.student: grades_csv.line(GradeRow(s.student, "pending", submission=str(s.path or "")),
                                                  self.cells) for s in submissions}
        self._header = grades_csv.header(self.cells)
        self._written_at = float("-inf")
        self._gap = MIN_GAP
        self.problem = ""  # why the last rewrite failed ("" once one succeeds)

    def record(self, outcome: Outcome) -> None:
        """Fill in the student's row; the file is rewritten if the last rewrite is long enough ago."""
        self._lines[outcome.student] = grades_csv.line(outcome.row(self._submissions[outcome.student]), self.cells)
        if time.monotonic() - self._written_at >= self._gap:
            self.write()

    def write(self) -> str:
        """Rewrite the file now; returns why it could not be ("" when it was): a full disk must not stop a run."""
        began = time.monotonic()
        try:
            write_atomically(self.path, self._header + "".join(self._lines.values()))
        except OSError as exc:
            self.problem = f"could not write {self.path} ({exc.strerror or exc})"
        else:
            self.problem = ""
        self._written_at = time.monotonic()
        self._gap = max(MIN_GAP, COST_SHARE * (self._written_at - began))
        return self.problem

    def close(self) -> None:
        """The final rewrite; GradesNotWritten if it fails (the file there is the last one written)."""
        if self.write():
            raise GradesNotWritten(self.problem + "; the grades file there is the last one written, "
                                   "and a re-run grades the students whose results are missing")
