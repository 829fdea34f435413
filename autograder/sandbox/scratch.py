"""Scratch folders that say whose they are, and the sweep that removes those whose owner is gone.

Every folder the grading machinery makes in the system's temporary folder (a grading process's,
a worker's with its copy of the submission, a fork server's, a kernel's) holds a file `.owner`:
the pid and start time of the process that made it. A process that ends normally removes its
folders; one that is killed outright (SIGKILL, the OOM killer, a lost Dask worker) cannot. `sweep`,
run when grading starts, removes every such folder whose owner no longer runs (a pid now held by
another process does not count: the start time differs). Folders without the file, or of another
user, are left alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from autograder.sandbox import reaper


OWNER_FILE = ".owner"
PREFIX = "autograder-"


def make(kind: str, parent: str | None = None) -> Path:
    """A new folder `autograder-<kind>-XXXX` in `parent` (default: the temporary folder), owned by this process."""
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-", dir=parent))
    (folder / OWNER_FILE).write_text(f"{os.getpid()} {reaper.start_time(os.getpid())}\n", encoding="ascii")
    return folder


def _orphaned(folder: Path) -> bool:
    """Whether `folder`'s owner has ended (False when it has no owner file, or the file cannot be read)."""
    try:
        pid_text, started = (folder / OWNER_FILE).read_text(encoding="ascii").split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return False
    return str(reaper.start_time(pid)) != started


def sweep(parent: str | None = None) -> list[Path]:
    """Remove the scratch folders in `parent` (default: the temporary folder) whose owner is gone; the removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent or tempfile.gettempdir()))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue
        except OSError:
            continue
        folder = Path(entry.path)
        if _orphaned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
