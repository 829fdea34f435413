"""Finding the submission in a student's folder: bounded, never recursive, whatever the folder holds.

A student's folder (a cloned repository, an upload) can hold anything: a chain of folders
thousands deep (``os.walk`` recurses once per level before Python 3.12), millions of files, a
FIFO named like a notebook. The search goes breadth first, reads at most `MAX_ENTRIES` entries
no deeper than `MAX_DEPTH` folders within `MAX_SECONDS`, takes regular files only and follows no
link, so what one student's folder holds costs that student alone: at worst a plain reason
instead of a submission.
"""

from __future__ import annotations

import itertools
import os
import time
from collections import deque
from pathlib import Path

from autograder.course.paths import ASSIGNMENT


SUFFIXES = (".ipynb", ".py")
MAX_DEPTH = 8  # folders below the student's; nbgrader's layout needs 1, a repository's notebook a few
MAX_ENTRIES = 20_000  # files and folders looked at in all
MAX_SECONDS = 10.0


def find_submission(folder: Path, *, max_depth: int = MAX_DEPTH, max_entries: int = MAX_ENTRIES,
                    max_seconds: float = MAX_SECONDS) -> tuple[Path | None, str]:
    """The submission inside a student's folder, preferring the assignment's own notebook: (path, problem).

    Hidden files and folders (``.ipynb_checkpoints``) and symbolic links are ignored (a link could point at
    the course's own files); with several notebooks and none named after the assignment, or none within the
    bounds, the path is None and `problem` says why in one line.
    """
    candidates: list[Path] = []
    links: list[Path] = []
    queue: deque[tuple[Path, int]] = deque([(Path(folder), 0)])
    seen, deadline, cut = 0, time.monotonic() + max_seconds, ""
    while queue and not cut:
        here, depth = queue.popleft()
        try:
            with os.scandir(here) as listing:
                entries = sorted(itertools.islice(listing, max_entries - seen + 1), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > max_entries:
                cut = f"it holds more than {max_entries:,} files and folders"
                break
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if depth < max_depth:
                    queue.append((path, depth + 1))
                elif not cut:
                    cut = f"it goes more than {max_depth} folders deep"
            elif path.suffix in SUFFIXES:
                if entry.is_symlink():
                    links.append(path)
                elif entry.is_file(follow_symlinks=False):  # a regular file: never a FIFO or a device
                    candidates.append(path)
        if time.monotonic() > deadline:
            cut = f"looking through it took more than {max_seconds:g} s"
    candidates.sort()
    linked_notebooks = [p for p in links if p.suffix == ".ipynb"]
    if not any(p.suffix == ".ipynb" for p in candidates) and linked_notebooks:
        return None, f"{linked_notebooks[0].name} is a symbolic link, not a file; submit the notebook itself"
    if not candidates:
        where = f" where it was looked for ({cut}; only what lies nearer the top is searched)" if cut else ""
        return None, f"no notebook or Python file in the folder{where}"
    notebooks = [p for p in candidates if p.suffix == ".ipynb"] or candidates
    named = [p for p in notebooks if p.stem == ASSIGNMENT] or [p for p in notebooks if ASSIGNMENT in p.parts]
    if len(named) == 1:
        return named[0], ""
    if len(notebooks) == 1:
        return notebooks[0], ""
    return None, f"{len(notebooks)} candidate files and none is {ASSIGNMENT}.ipynb; cannot tell which to grade"
