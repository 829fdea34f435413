"""Keep the course's hidden material out of anything a submission can make us print.

A submission controls the text of its own exceptions. Confined workers cannot read the
graders or the reference solution, but as a second line of defence every message that
comes from student code is checked here: if it quotes a line of the hidden material (the
graders, the reference solution, the source notebook) that students were never given, the
message is withheld.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from autograder.course.notebook import read_cells
from autograder.course.paths import GRADERS_DIR, RELEASE_DIR, SOLUTION_FILE, SOURCE_NOTEBOOK


WITHHELD = "[message withheld: it quoted the course's hidden material]"
MIN_LENGTH = 24  # shorter lines (`return A`, `m = X.shape[1]`) are common to every solution


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if len(line.strip()) >= MIN_LENGTH}


def _notebook_lines(path: Path) -> set[str]:
    return set().union(*(_lines(cell["source"]) for cell in read_cells(path)))


@functools.cache
def secret_lines() -> tuple[str, ...]:
    """Lines of the hidden material that appear nowhere in what students receive."""
    hidden = _lines(SOLUTION_FILE.read_text(encoding="utf-8")) | _notebook_lines(SOURCE_NOTEBOOK)
    for path in GRADERS_DIR.glob("*.py"):
        hidden |= _lines(path.read_text(encoding="utf-8"))
    public = _notebook_lines(RELEASE_DIR / SOURCE_NOTEBOOK.name)
    for path in RELEASE_DIR.glob("*.py"):
        public |= _lines(path.read_text(encoding="utf-8"))
    return tuple(sorted(hidden - public))


# An absolute path of two or more parts ("/srv/course/planar_utils.py"), not a division such as "1/m".
_ABSOLUTE_PATH = re.compile(r"(?<![\w./])/(?:[\w.@+-]+/)+([\w.@+-]+)")


def without_paths(text: str) -> str:
    """`text` with every absolute path shortened to its file name: a message says which file, never where
    the grading machine keeps it."""
    return _ABSOLUTE_PATH.sub(r"\1", text)


def withhold_hidden(text: str) -> str:
    """`text`, or WITHHELD if it contains a line of the hidden material (for text read from the student's own code,
    whose paths are the student's, not the grading machine's)."""
    return WITHHELD if any(line in text for line in secret_lines()) else text


def redact(text: str) -> str:
    """`text` without absolute paths, or WITHHELD if it contains a line of the hidden material."""
    return without_paths(withhold_hidden(text))
