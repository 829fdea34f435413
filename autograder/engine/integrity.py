"""Notice when a submission changed the course's own files while it was being graded.

A confined worker cannot write them (see autograder.sandbox.landlock). Where confinement is
unavailable, this is the last line: the grader fingerprints its graders, engine, reference
and source before the submission runs and compares afterwards; a grade obtained with
tampered files is not reported.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from autograder.course.paths import ROOT, SOLUTION_FILE, SOURCE_DIR


PROTECTED = (ROOT / "autograder", SOURCE_DIR)


def protected_files() -> list[Path]:
    files = [SOLUTION_FILE]
    for folder in PROTECTED:
        files += [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(files)


def fingerprint() -> str:
    """One hash over the names and contents of every protected file."""
    digest = hashlib.sha256()
    for path in protected_files():
        digest.update(str(path.relative_to(ROOT)).encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()
