"""Grades of a batch as the file a gradebook imports: Canvas, Moodle, or a plain CSV.

Canvas: the roster's identifying columns (`Student, ID, SIS User ID, SIS Login ID, Section`)
then one column for the assignment, headed by its name (``Name (ID)`` to update an existing
Canvas assignment), and a "Points Possible" row as Canvas's own export has. Moodle: the
roster's identity columns (names, `Email address`, `Username`, ...) then one grade column;
on import the instructor maps the identifying column under "Identify user by". Plain: the
matched roster column, score and max_score.

A student is matched by name: the batch's student (the name of the submission's file or
folder) equals the roster's match column, compared case-insensitively after the same
clean-up batch applies to folder names; an email address also matches by its local part.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.reporting.classdata import ClassResults, read_class
from autograder.reporting.roster import POINTS_POSSIBLE, Roster, RosterError
from autograder.results.files import write_atomically


FORMATS = ("canvas", "moodle", "csv")
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")  # as batch cleans a student's folder name


@dataclass
class Written:
    """What an export wrote: the file, the roster column matched, counts, and submissions with no roster row."""

    path: Path
    match: str
    graded: int = 0
    missing: int = 0
    unmatched: list[tuple[str, float | None]] = field(default_factory=list)  # (student, score or None)


def folder_name(value: str) -> str:
    """`value` as batch would name a student's folder, lower-cased for comparison."""
    return (_UNSAFE.sub("_", value.strip()).lstrip(".") or "unnamed").lower()


def default_match(roster: Roster) -> str:
    """The roster column holding the student names a batch uses, by the roster's kind."""
    wanted = {"canvas": ["SIS Login ID"], "moodle": ["Username", "Email address"]}.get(
        roster.kind, ["student", "username", "login", "email", "email address"])
    lower = {h.lower(): h for h in roster.header}
    for name in wanted:
        if name.lower() in lower:
            return lower[name.lower()]
    raise RosterError(f"roster {roster.path} has none of the columns {', '.join(wanted)}; name one with --match")


def _keys(value: str) -> list[str]:
    keys = [folder_name(value)] if value.strip() else []
    if "@" in value:
        keys.append(folder_name(value.split("@", 1)[0]))
    return keys


def match_students(roster: Roster, students: list[str], column: str) -> tuple[dict[int, str], list[str]]:
    """(roster row index -> batch student, batch students matching no row); RosterError on an ambiguous roster."""
    if column not in roster.header:
        raise RosterError(f"roster {roster.path} has no column {column!r}; its columns are: {', '.join(roster.header)}")
    by_key: dict[str, int] = {}
    for index, row in enumerate(roster.rows):
        for key in dict.fromkeys(_keys(row.get(column, ""))):
            if key in by_key and by_key[key] != index:
                raise RosterError(f"roster {roster.path} has two rows with {row[column]!r} in column {column!r}")
            by_key.setdefault(key, index)
    matched: dict[int, str] = {}
    unmatched = []
    for student in students:
        index = by_key.get(student.lower())
        if index is None or index in matched:
            unmatched.append(student)
        else:
            matched[index] = student
    return matched, unmatched


def _grades(cls: ClassResults) -> tuple[dict[str, float], float]:
    """student -> score of every graded row, and the points possible."""
    scores = {s.student: s.score for s in cls.graded}
    return scores, max((s.max_score or 0.0 for s in cls.graded), default=0.0)


def export(folder: Path, roster: Roster, fmt: str, out: Path | None = None, *, match: str | None = None,
           missing: str = "blank", assignment: str = "Planar classification") -> Written:
    """Write the import file for `fmt` (default FOLDER/<fmt>-import.csv), one row per roster student."""
    if fmt not in FORMATS:
        raise RosterError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    cls = read_class(folder)
    column = match or default_match(roster)
    matched, unmatched = match_students(roster, [s.student for s in cls.students], column)
    scores, points = _grades(cls)
    written = Written(path=out or folder / f"{fmt}-import.csv", match=column,
                      unmatched=[(student, scores.get(student)) for student in unmatched])
    empty = "0" if missing == "zero" else ""
    if fmt == "csv":
        header = [column, "score", "max_score"]
    else:
        identity = roster.identity if column in roster.identity else [*roster.identity, column]
        header = [*identity, assignment]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    if fmt == "canvas":
        writer.writerow([f"    {POINTS_POSSIBLE}" if h == "Student" else (f"{points:g}" if h == assignment else "")
                         for h in header])
    for index, row in enumerate(roster.rows):
        student = matched.get(index)
        score = scores.get(student) if student is not None else None
        if score is None:
            written.missing += 1
        else:
            written.graded += 1
        grade = empty if score is None else f"{score:g}"
        if fmt == "csv":
            writer.writerow([row.get(column, ""), grade, f"{points:g}"])
        else:
            writer.writerow([*(row.get(h, "") for h in header[:-1]), grade])
    write_atomically(written.path, buffer.getvalue())
    return written
