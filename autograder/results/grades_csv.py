"""grades.csv: a class's grades, a row per student, as `autograder batch` keeps them and the class report reads them.

Columns: student, score, max_score, status ("graded", "error" or "pending"), message (why
a student has no grade), submission (the graded file), then one column per graded cell of
the notebook with the points scored there. Scores are blank unless the row is graded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


GRADES_FILE = "grades.csv"
FIXED_COLUMNS = ("student", "score", "max_score", "status", "message", "submission")
STATUSES = ("graded", "error", "pending")


class GradesUnreadable(ValueError):
    """A file that is not a grades.csv (not CSV text, or a column missing); the message is one plain line."""


@dataclass(frozen=True)
class GradeRow:
    """One student's row; `cells` maps a graded cell's grade id to the points scored there."""

    student: str
    status: str = "pending"
    score: float | None = None
    max_score: float | None = None
    message: str = ""
    submission: str = ""
    cells: dict[str, float] = field(default_factory=dict)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def line(row: GradeRow, cells: list[str]) -> str:
    """The row as one CSV line (with its newline), cells in the order of `cells`."""
    graded = row.status == "graded"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(
        [row.student, _number(row.score) if graded else "", _number(row.max_score) if graded else "", row.status,
         row.message, row.submission, *[_number(row.cells.get(c)) for c in cells]])
    return buffer.getvalue()


def header(cells: list[str]) -> str:
    """The header line for graded cells `cells`."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([*FIXED_COLUMNS, *cells])
    return buffer.getvalue()


def render(rows: Iterable[GradeRow], cells: list[str]) -> str:
    """The whole file's text."""
    return header(cells) + "".join(line(row, cells) for row in rows)


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text and text.strip() else None
    except ValueError:
        return None


def read(path: Path) -> tuple[list[str], list[GradeRow]]:
    """(graded cells in column order, rows in file order). FileNotFoundError when there is no file; GradesUnreadable
    when it is not a grades file. A value that is not a number reads as blank; an unknown status as "pending"."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            columns = list(reader.fieldnames or [])
            records = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise GradesUnreadable(f"cannot read {path} ({exc})") from None
    missing = [c for c in FIXED_COLUMNS if c not in columns]
    if missing:
        raise GradesUnreadable(f"{path} is not a batch's grades file (no column {missing[0]!r})")
    cells = [c for c in columns if c not in FIXED_COLUMNS]
    rows = []
    for record in records:
        status = record["status"] if record["status"] in STATUSES else "pending"
        rows.append(GradeRow(student=record["student"] or "", status=status, score=_float(record["score"]),
                             max_score=_float(record["max_score"]), message=record["message"] or "",
                             submission=record["submission"] or "",
                             cells={c: v for c in cells if (v := _float(record.get(c))) is not None}))
    return cells, rows
