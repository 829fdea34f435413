"""Leave no process of a submission behind.

A worker's children can leave its session (setsid) and its parent (double fork). The
grading process therefore makes itself a child subreaper (Linux), so that such orphans
are re-parented to it instead of to init, and after a worker ends it kills, repeatedly
until none is left, every process that descends from the worker or was adopted by the
grading process after the worker started.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
from pathlib import Path


PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
_subreaper = False


def become_subreaper() -> bool:
    """Adopt this process's orphaned descendants (Linux 3.4+); False where that is not possible."""
    global _subreaper
    if not _subreaper:
        try:
            _subreaper = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):
            _subreaper = False
    return _subreaper


def _stat(pid: int | str) -> tuple[str, int, int] | None:
    """(state, parent pid, start time in clock ticks) of a process, None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may hold spaces and parentheses
    return fields[0], int(fields[1]), int(fields[19])


def state(pid: int) -> str | None:
    """The process's state letter ("R", "S", "Z" for a zombie, ...), None once it is gone."""
    found = _stat(pid)
    return found[0] if found else None


def die_with_parent() -> None:
    """In a child before exec: be killed when the process that started it dies (Linux; no-op elsewhere)."""
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, start time in clock ticks) of every live process; zombies left out."""
    table = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit():
            found = _stat(entry.name)
            if found and found[0] not in ("Z", "X"):
                table[int(entry.name)] = found[1:]
    return table


def start_time(pid: int) -> int:
    found = _stat(pid)
    return found[2] if found else 0


def descendants(root: int, table: dict[int, tuple[int, int]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _collect(pid: int) -> None:
    """Reap an adopted child so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def collect_adopted_zombies(me: int, protect: set[int]) -> None:
    """Reap every zombie child of `me` (this process) except those in `protect`."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in protect:
            found = _stat(entry.name)
            if found and found[0] == "Z" and found[1] == me:
                _collect(int(entry.name))


def reap(worker: int, since: int, protect: set[int], rounds: int = 20, adopter: int | None = None) -> int:
    """Kill what `worker` left behind: its descendants and the orphans adopted since tick `since`, here
    or by `adopter` (the subreaper the worker was forked from, if not this process).

    `protect` lists the children that must live (other workers, the fork server). Returns how
    many processes were killed.
    """
    me, killed = os.getpid(), 0
    adopters = {me} if adopter is None else {me, adopter}
    for _ in range(rounds):
        table = process_table()
        targets = descendants(worker, table) if worker in table else set()
        for pid, (parent, started) in table.items():
            if parent in adopters and pid not in protect and pid != worker and started >= since:
                targets |= {pid} | descendants(pid, table)
        targets -= protect | {me}
        collect_adopted_zombies(me, protect)
        if not targets:
            return killed
        for pid in targets:
            _kill(pid)
        killed += len(targets)
        time.sleep(0.01)
        for pid in targets:
            _collect(pid)
    return killed
