"""Read a batch's output folder (grades.csv and each student's results.json) into a class model.

Only the machine-readable fields are read: scores, each check's name, tags, status and
``extra_data.cause``, the top-level ``execution_time`` and ``extra_data.load_problems``.
Message text is kept only to be shown (anonymised) as an example, never parsed.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import modules
from autograder.integrations.results import LoadProblem


GRADES_FILE = "grades.csv"
RESULTS_FILE = "results.json"
_SAFE_NAME = re.compile(r"(?!\.)[A-Za-z0-9._@+-]+")  # the names batch gives its student folders
FIXED_COLUMNS = ("student", "score", "max_score", "status", "message", "submission")


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
    cause: str | None
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


def _number(text: str) -> float | None:
    try:
        return float(text) if text.strip() else None
    except ValueError:
        return None


def _check(test: dict, cell_of: dict[str, str]) -> Check:
    tags = [str(t) for t in test.get("tags") or []]
    function = tags[0] if tags else "other"
    cause = (test.get("extra_data") or {}).get("cause")
    return Check(name=str(test.get("name", "")), function=function, relies_on=tuple(tags[1:]),
                 cell=cell_of.get(function, function), score=float(test.get("score") or 0.0),
                 max_score=float(test.get("max_score") or 0.0), cause=cause if isinstance(cause, str) else None,
                 output=str(test.get("output") or ""))


def _attach_results(student: StudentResult, path: Path, cell_of: dict[str, str]) -> None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        tests = document["tests"]
        student.checks = [_check(t, cell_of) for t in tests]
    except FileNotFoundError:
        student.problem = f"{RESULTS_FILE} is missing"
        return
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        student.problem = f"{RESULTS_FILE} cannot be read ({type(exc).__name__})"
        student.checks = []
        return
    time = document.get("execution_time")
    student.execution_time = float(time) if isinstance(time, (int, float)) else None
    problems = (document.get("extra_data") or {}).get("load_problems") or []
    student.load_problems = [LoadProblem(str(p.get("kind", "")), str(p.get("where", "")), str(p.get("message", "")))
                             for p in problems if isinstance(p, dict)]


def read_class(folder: Path) -> ClassResults:
    """The class graded into `folder` by `autograder batch`; ClassDataError when grades.csv is missing or malformed."""
    grades = folder / GRADES_FILE
    try:
        with grades.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = list(reader.fieldnames or [])
            rows = list(reader)
    except FileNotFoundError:
        raise ClassDataError(f"{folder} holds no {GRADES_FILE}; is it the --out folder of `autograder batch`?") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ClassDataError(f"cannot read {grades} ({exc})") from None
    missing = [c for c in FIXED_COLUMNS if c not in header]
    if missing:
        raise ClassDataError(f"{grades} is not a batch's grades file (no column {missing[0]!r})")
    cells = [c for c in header if c not in FIXED_COLUMNS]
    cell_of = modules.cell_of_function()
    students = []
    for row in rows:
        student = StudentResult(student=row["student"], status=row["status"] or "pending", score=_number(row["score"]),
                                max_score=_number(row["max_score"]), message=row["message"] or "",
                                submission=row["submission"] or "",
                                cells={c: v for c in cells if (v := _number(row.get(c) or "")) is not None})
        if student.status == "graded" and _SAFE_NAME.fullmatch(student.student):
            _attach_results(student, folder / student.student / RESULTS_FILE, cell_of)
        elif student.status == "graded":
            student.problem = "the student's name is not one batch writes; results not read"
        students.append(student)
    return ClassResults(folder=folder, cells=cells, students=students)
