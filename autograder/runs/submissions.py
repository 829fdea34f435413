"""Finding a class's submissions: one per student under a folder.

Layouts found under the class folder:
    <student>.ipynb or <student>.py                       a file per student
    <student>/<assignment>/<notebook>.ipynb               nbgrader's submitted/ layout
    <student>/<notebook>.ipynb                            a folder per student
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from autograder.engine.locate import SUFFIXES, find_submission


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


@dataclass(frozen=True)
class Submission:
    """A student's submission: its file, or None and the reason when nothing in their folder can be graded."""

    student: str
    path: Path | None
    problem: str = ""


def student_name(name: str) -> str:
    """A file or folder name made safe as a folder name of the output ("../x" becomes "_x")."""
    safe = _UNSAFE.sub("_", name).lstrip(".")
    return safe or "unnamed"


def discover(folder: Path) -> list[Submission]:
    """One Submission per student under `folder`, sorted by student."""
    found: dict[str, Submission] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        student = student_name(entry.stem if entry.is_file() else entry.name)
        if entry.is_symlink():
            submission = Submission(student, None, f"{entry.name} is a symbolic link; not graded")
        elif entry.is_file() and entry.suffix in SUFFIXES:
            submission = Submission(student, entry)
        elif entry.is_dir():
            try:
                path, problem = find_submission(entry)
            except OSError as exc:  # whatever one student's folder holds costs that student alone
                path, problem = None, f"the folder could not be read ({exc.strerror or exc})"
            submission = Submission(student, path, problem)
        else:
            continue
        if student in found:
            submission = Submission(student, None, f"more than one submission for {student}")
        found[student] = submission
    return sorted(found.values(), key=lambda s: s.student)
