"""Scratch folders that say they are in use, and the sweep that removes only those nobody uses any more.

Every folder the grading machinery makes in the system's temporary folder (a grading process's,
a worker's with its copy of the submission, a fork server's, a kernel's) holds a file `.lock`
on which the process that made it holds an exclusive flock for as long as the folder is in use.
The kernel drops the lock when that process ends, however it ends (SIGKILL, the OOM killer, a
lost Dask worker), so `sweep`, run when grading starts, removes exactly the folders whose lock it
can take. A lock is seen by every process on the file system whatever its PID namespace, so a
grader in a container or pod that shares the folder is never taken for gone (a pid would be).
Folders without the file, of another user, or whose lock cannot be tested are left alone.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from autograder.sandbox import disk


LOCK_FILE = ".lock"  # the owner's pid and start are written in it for people; only the lock counts
PREFIX = "autograder-"
_HELD: dict[Path, int] = {}  # folder -> the open descriptor holding its lock, for as long as it is in use


def make(kind: str, parent: str | None = None) -> Path:
    """A new folder `autograder-<kind>-XXXX` in `parent` (default: the temporary folder), locked by this process
    until `remove`."""
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-", dir=parent))
    pending = folder / ".lock-pending"  # locked before it takes its name: a sweep never sees it unlocked
    fd = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, f"in use by pid {os.getpid()} ({os.uname().nodename})\n".encode())
        os.rename(pending, folder / LOCK_FILE)
    except OSError:  # no locks on this file system: the folder carries no lock file, and no sweep touches it
        os.close(fd)
        pending.unlink(missing_ok=True)
        return folder
    _HELD[folder] = fd
    return folder


def remove(folder: Path) -> None:
    """Remove a folder `make` made, however deep what it holds, then let go of its lock."""
    disk.remove_tree(folder)
    fd = _HELD.pop(Path(folder), None)
    if fd is not None:
        os.close(fd)


def _unused(folder: Path) -> int | None:
    """An open descriptor holding `folder`'s lock if nobody else holds it; None while it is in use or untestable."""
    try:
        fd = os.open(folder / LOCK_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def sweep(parent: str | None = None) -> list[Path]:
    """Remove the scratch folders in `parent` (default: the temporary folder) that nobody uses; the removed."""
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
        fd = _unused(folder)  # a second open file: its lock conflicts with this process's own too
        if fd is None:
            continue
        try:
            disk.remove_tree(folder)  # holding the lock: its owner is gone, and nobody else can claim it meanwhile
        finally:
            os.close(fd)
        removed.append(folder)
    return removed
