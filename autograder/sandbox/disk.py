"""The disk budget of a worker: how much its scratch folder may hold, enforced while it runs.

Two mechanisms, the first the kernel allows:

- ``tmpfs``: the worker starts in a private mount namespace with a tmpfs of exactly the
  budget mounted on its scratch folder (its cwd, HOME and TMPDIR). A write past the budget
  fails at once with ENOSPC inside the student's code; nothing can overshoot. The tmpfs
  lives in memory and vanishes with the worker's namespace, so a worker that is killed
  leaves nothing on the disk. Needs CAP_SYS_ADMIN (the grader runs as root, as in
  Gradescope and most CI containers).
- ``watch``: elsewhere, a thread of the grading process adds up the scratch folder every
  `WATCH_INTERVAL` seconds and kills the worker once it holds more than the budget. The
  overshoot is what the worker writes within one interval plus one scan; the most measured
  (tests/test_sandbox.py, a filler writing 32 MB files as fast as it can) is in the README.

When the grader runs as root, the worker also drops every capability before it starts, so
student code can neither raise its own limits (file size, memory) nor mount anything.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from collections.abc import Callable
from pathlib import Path


CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 2, 4, 1 << 14, 1 << 18
PR_CAPBSET_DROP = 24
CAPABILITY_VERSION_3 = 0x20080522
INODES_PER_MB = 64  # files the tmpfs may hold per MB of budget: empty files cost kernel memory, not budget
WATCH_INTERVAL = 0.005  # seconds between two scans of a watched scratch folder


class CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def mount_private_tmpfs(folder: str, size_mb: int) -> None:
    """In a child before exec: a private mount namespace with a `size_mb` tmpfs on `folder`, then cd there.

    Raises OSError when the kernel refuses (no CAP_SYS_ADMIN, or mount namespaces disabled).
    Mounts made here are invisible to every other process and end with the worker.
    """
    libc = _libc()
    if libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS) refused")
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:  # nothing propagates back to the host
        raise OSError(ctypes.get_errno(), "could not make the mount namespace private")
    options = f"size={size_mb}m,nr_inodes={max(1024, size_mb * INODES_PER_MB)},mode=0700".encode()
    if libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) != 0:
        raise OSError(ctypes.get_errno(), f"could not mount a tmpfs on {folder}")
    os.chdir(folder)


def drop_capabilities() -> bool:
    """Give up every capability, for this process and anything it executes; False if there were none to drop.

    For a worker started by root: uid 0 stays, but without CAP_SYS_RESOURCE it cannot raise
    its limits, and without CAP_SYS_ADMIN it cannot mount, unmount or remount its tmpfs.
    """
    if os.geteuid() != 0:
        return False
    libc = _libc()
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break  # EINVAL past the last capability this kernel knows
    data = (CapData * 2)()
    return libc.capset(ctypes.byref(CapHeader(CAPABILITY_VERSION_3, 0)), data) == 0


def usage(folder: Path) -> int:
    """Bytes the files under `folder` occupy on disk (allocated blocks, so sparse files count what they hold)."""
    total = 0
    stack = [str(folder)]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    total += entry.stat(follow_symlinks=False).st_blocks * 512
                except OSError:
                    continue  # removed while we looked
    return total


_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def remove_tree(folder: Path | str) -> None:
    """Remove `folder` and everything under it, never following a link, however deep or long its paths.

    Iterative and by descriptors (``shutil.rmtree`` recurses once per level before Python 3.12 and raises
    RecursionError on a tree 1,000 folders deep); one descriptor open at a time. A folder it cannot read is
    made readable first; what still cannot be removed stays, silently, as with ``ignore_errors``.
    """
    try:
        fd = os.open(folder, _DIRECTORY)
    except FileNotFoundError:
        return
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(folder)  # a file or a link, not a folder
        return
    names: list[str] = []  # the way down from `folder` to where `fd` is
    stuck: set[tuple[int, int]] = set()  # folders that could not be emptied: not entered again
    while True:
        child, key = None, (0, 0)
        try:
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        key = (entry.stat(follow_symlinks=False).st_dev, entry.inode())
                        if key not in stuck:
                            child = entry.name
                            break
                    else:
                        with contextlib.suppress(OSError):
                            os.unlink(entry.name, dir_fd=fd)
        except OSError:
            child = None
        if child is not None:
            try:
                inner = _open_below(child, fd)
            except OSError:
                stuck.add(key)
                continue
            os.close(fd)
            fd = inner
            names.append(child)
            continue
        here = os.fstat(fd)
        if not names:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.rmdir(folder)
            return
        try:
            parent = os.open("..", _DIRECTORY, dir_fd=fd)
        finally:
            os.close(fd)
        fd = parent
        name = names.pop()
        try:
            os.rmdir(name, dir_fd=fd)
        except OSError:
            stuck.add((here.st_dev, here.st_ino))


def _open_below(name: str, parent: int) -> int:
    """`name` in the folder `parent`, opened as a folder; made readable by its owner first if it was not."""
    try:
        return os.open(name, _DIRECTORY, dir_fd=parent)
    except PermissionError:
        os.chmod(name, 0o700, dir_fd=parent, follow_symlinks=True)  # it is a folder, not a link: checked by scandir
        return os.open(name, _DIRECTORY, dir_fd=parent)


class Watcher(threading.Thread):
    """Scans `folder` every `interval` s; calls `exceeded(bytes)` once when it holds more than `limit_bytes`.

    Records the largest usage it saw in `peak`. `stop()` ends it; it never outlives its worker.
    """

    def __init__(self, folder: Path, limit_bytes: int, exceeded: Callable[[int], None],
                 interval: float = WATCH_INTERVAL):
        super().__init__(daemon=True, name="disk-watcher")
        self.folder, self.limit, self.exceeded, self.interval = folder, limit_bytes, exceeded, interval
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            used = usage(self.folder)
            self.peak = max(self.peak, used)
            if used > self.limit:
                self.exceeded(used)
                return
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=5)
