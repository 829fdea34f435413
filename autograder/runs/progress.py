"""What a class run shows while it goes: a progress bar on a terminal, a line per submission otherwise."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from autograder.runs.records import Outcome


class Progress:
    """A one-line progress bar on a terminal; one line per submission otherwise."""

    def __init__(self, total: int, stream: TextIO = sys.stderr):
        self.total, self.done, self.errors, self.stream = total, 0, 0, stream
        self.started = time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.lock = threading.Lock()

    def update(self, outcome: Outcome) -> None:
        with self.lock:
            self.done += 1
            self.errors += outcome.status == "error"
            elapsed = time.monotonic() - self.started
            eta = elapsed / self.done * (self.total - self.done)
            if self.tty:
                filled = int(30 * self.done / max(self.total, 1))
                self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
                                  f"  {self.errors} error(s)  {elapsed:.0f} s elapsed, ~{eta:.0f} s left ")
                if self.done == self.total:
                    self.stream.write("\n")
            else:
                what = {"graded": f"{outcome.score:g}/{outcome.max_score:g}",
                        "skipped": f"{outcome.score:g}/{outcome.max_score:g} (already graded)",
                        "error": f"ERROR: {outcome.message}"}[outcome.status]
                self.stream.write(f"[{self.done}/{self.total}] {outcome.student}: {what}\n")
            self.stream.flush()
