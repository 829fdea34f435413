"""Hide who is who: stable pseudonyms, and messages with names and paths taken out.

A pseudonym depends only on the student's name (its rank among the class by a hash of the
name), so it is the same on every run and does not follow alphabetical order.
"""

from __future__ import annotations

import hashlib
import re


PATH = re.compile(r"""(?:[A-Za-z]:)?(?:[\\/][^\s'"`,;:()\[\]<>\\/]+){2,}[\\/]?""")
NEUTRAL_PATH = "<path>"
STUDENT = "[student]"


def pseudonyms(students: list[str]) -> dict[str, str]:
    """student -> "student N", N from 1, ordered by a hash of the name."""
    order = sorted(students, key=lambda s: (hashlib.sha256(s.encode()).hexdigest(), s))
    return {student: f"student {i}" for i, student in enumerate(order, start=1)}


def scrub(message: str, names: list[str], paths: list[str]) -> str:
    """`message` with each of `paths`, any other file path, and each of `names` (whole words) replaced."""
    for path in sorted((p for p in paths if p), key=len, reverse=True):
        message = message.replace(path, NEUTRAL_PATH)
    message = PATH.sub(NEUTRAL_PATH, message)
    for name in sorted((n for n in names if n), key=len, reverse=True):
        message = re.sub(rf"(?<![\w.@-]){re.escape(name)}(?![\w@-])", STUDENT, message, flags=re.IGNORECASE)
    return message
