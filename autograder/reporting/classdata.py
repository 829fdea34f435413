"""Read a batch's output folder (grades.csv and each student's results.json) into a class model.

Only the machine-readable fields are read: scores, each check's name, tags, status and
``extra_data.cause``, the top-level ``execution_time`` and ``extra_data.load_problems``.
Message text is kept only to be shown (anonymised) as an example, never parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.results import grades_csv, results_json
from autograder.results.causes import Cause
from autograder.results.cells import OTHER, cell_of
from autograder.results.grades_csv import GRADES_FILE
from autograder.results.model import LoadProblem, TestResult
from autograder.results.results_json import RESULTS_FILE


_SAFE_NAME = re.compile(r"(?!\.)[A-Za-z0-9._@+-]+")  # the names batch gives its student folders


class ClassDataError(ValueError):
    """The folder is not a batch's output; the message is one plain line."""


@dataclass(frozen=True)
class Check:
    """One check of one submission. `function` is the graded function (tags[0]); `relies_on` the rest of the tags."""

    name: str
    function: str
    relies_on: tuple[str, ...]
    cell: str
    score: float
    max_score: float
    cause: Cause | None
    output: str

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


@dataclass
class StudentResult:
    """One row of grades.csv with its results.json (when there is one).

    `status`: "graded", "error" (nothing gradable) or "pending"; `problem` says why a graded
    row has no readable results.json. `cells` maps a graded cell to its points.
    """

    student: str
    status: str
    score: float | None
    max_score: float | None
    message: str
    submission: str
    cells: dict[str, float] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    load_problems: list[LoadProblem] = field(default_factory=list)
    execution_time: float | None = None
    repairs: list[str] = field(default_factory=list)  # how a damaged notebook was lined up with the release
    problem: str = ""


@dataclass
class ClassResults:
    """A whole class: `cells` in grades.csv's column order, `students` in its row order."""

    folder: Path
    cells: list[str]
    students: list[StudentResult]

    @property
    def graded(self) -> list[StudentResult]:
        return [s for s in self.students if s.status == "graded" and s.score is not None]


def _check(test: TestResult) -> Check:
    return Check(name=test.name, function=test.tags[0] if test.tags else OTHER, relies_on=tuple(test.tags[1:]),
                 cell=cell_of(test), score=test.score, max_score=test.max_score, cause=test.cause, output=test.output)


def _attach_results(student: StudentResult, path: Path) -> None:
    try:
        result = results_json.read(path)
    except FileNotFoundError:
        student.problem = f"{RESULTS_FILE} is missing"
        return
    except (OSError, results_json.ResultsUnreadable) as exc:
        student.problem = f"{RESULTS_FILE} cannot be read ({exc.strerror if isinstance(exc, OSError) else exc})"
        return
    student.checks = [_check(t) for t in result.tests]
    student.execution_time = result.execution_time
    student.load_problems = list(result.load_problems)
    student.repairs = list(result.repairs)


def read_class(folder: Path) -> ClassResults:
    """The class graded into `folder` by `autograder batch`; ClassDataError when grades.csv is missing or malformed."""
    try:
        cells, rows = grades_csv.read(folder / GRADES_FILE)
    except FileNotFoundError:
        raise ClassDataError(f"{folder} holds no {GRADES_FILE}; is it the --out folder of `autograder batch`?") from None
    except OSError as exc:
        raise ClassDataError(f"cannot read {folder / GRADES_FILE} ({exc.strerror or exc})") from None
    except grades_csv.GradesUnreadable as exc:
        raise ClassDataError(str(exc)) from None
    students = []
    for row in rows:
        student = StudentResult(student=row.student, status=row.status, score=row.score, max_score=row.max_score,
                                message=row.message, submission=row.submission, cells=dict(row.cells))
        if student.status == "graded" and _SAFE_NAME.fullmatch(student.student):
            _attach_results(student, folder / student.student / RESULTS_FILE)
        elif student.status == "graded":
            student.problem = "the student's name is not one batch writes; results not read"
        students.append(student)
    return ClassResults(folder=folder, cells=cells, students=students)
