"""The time a call is charged with: what the student's code used, whatever the machine's load.

A call's limit is on *charged* seconds, the larger of two measures:

- the wall time since the call began, less the time the worker's main thread was ready to
  run but waited for a CPU (the kernel's run-queue wait, ``/proc/PID/schedstat``) and less
  the time the grader spent answering the call's callbacks: code that sleeps or blocks is
  charged the time it sleeps, so a hung call still ends, and a single thread on a busy
  machine is charged about its own time;
- the CPU time of the whole worker since the call began, every thread included
  (``/proc/PID/stat``): a call that keeps two cores busy for 5 s has used 10 s, even though
  its main thread sat in the run queue behind its own threads.

On a busy machine the same function is charged about the same, so its verdict does not
depend on what runs beside it.

Where schedstat cannot be read, charged time is the wall time less the grader's share.
Whatever the accounting, a call ends at `BACKSTOP` times its limit of wall time.
"""

from __future__ import annotations

import os
import select
import time

from autograder.sandbox.protocol import Timeout


BACKSTOP = 4.0  # a call never runs longer than this many times its limit, in wall time
POLL_SECONDS = 0.1  # how often a waiting grader looks at the worker's charged time


def run_queue_seconds(pid: int) -> float | None:
    """Seconds the main thread of `pid` has spent waiting for a CPU since it started; None if unknown."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            fields = f.read().split()
        return int(fields[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system, all threads) process `pid` has used; None if unknown."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class CallClock:
    """Charged seconds of one call (or one statement) of the worker `pid`, against `limit`."""

    def __init__(self, pid: int, limit: float):
        self.pid, self.limit = pid, limit
        self.started = time.monotonic()
        self.queued_at_start = run_queue_seconds(pid)
        self.cpu_at_start = cpu_seconds(pid)
        self.excluded = 0.0  # the grader's own time inside the call (callbacks it answered)

    def exclude(self, seconds: float) -> None:
        """Do not charge `seconds` the grader spent on the worker's behalf."""
        self.excluded += seconds

    def charged(self) -> float:
        return max(self._waited_or_ran(), self._computed())

    def _waited_or_ran(self) -> float:
        """Wall time less the main thread's run-queue wait and the grader's callbacks."""
        elapsed = time.monotonic() - self.started
        queued = 0.0
        if self.queued_at_start is not None:
            now = run_queue_seconds(self.pid)
            queued = max(0.0, now - self.queued_at_start) if now is not None else 0.0
        return elapsed - queued - self.excluded

    def _computed(self) -> float:
        """CPU seconds of every thread of the worker since the call began (0 where unknown)."""
        now = cpu_seconds(self.pid)
        return now - self.cpu_at_start if now is not None and self.cpu_at_start is not None else 0.0

    def threaded(self) -> bool:
        """Whether the CPU of all the worker's threads outgrew the main thread's own time: threads computing at once."""
        return self._computed() > 1.1 * self._waited_or_ran() + 0.1

    def waited(self) -> bool:
        """Whether the worker spent most of its charged time asleep or blocked rather than computing."""
        now = cpu_seconds(self.pid)
        if now is None or self.cpu_at_start is None:
            return False
        return now - self.cpu_at_start < 0.5 * self._waited_or_ran()

    def expired(self) -> bool:
        return self.charged() > self.limit or time.monotonic() - self.started > self.limit * BACKSTOP

    def wall_deadline(self) -> float:
        """The monotonic time at which the call ends whatever it was charged."""
        return self.started + self.limit * BACKSTOP

    def wait_readable(self, fd: int) -> None:
        """Return once `fd` has data to read; raise protocol.Timeout once the call is over its limit.

        The charged time is read only after `POLL_SECONDS` without an answer, so a call may run that much past
        its limit; an answer that comes sooner costs one select()."""
        while True:
            remaining = self.wall_deadline() - time.monotonic()
            if remaining <= 0:
                raise Timeout("no answer before the deadline")
            if select.select([fd], [], [], min(POLL_SECONDS, remaining))[0]:
                return
            if self.expired():
                raise Timeout("no answer before the deadline")
