"""Warm grader processes: a class pays Python, pytest and numpy's start once per process, not per submission.

A `WarmGrader` is one long-lived ``python -m autograder.runs.pool`` process that grades
one `GradeRequest` at a time and writes its results.json and junit.xml, exactly as
``autograder grade PATH --out DIR`` would. Each submission still gets its own fresh
confined worker, started by that grade and gone before it returns: the submission's code
never runs in the grader process, so nothing of one submission reaches the next. A grader
process whose course files changed while it graded (see `integrity`) leaves after
answering, and the next submission gets a fresh one.

The exchange is one JSON line each way on the process's stdin and a private copy of its
stdout:
    request  {"request": GradeRequest.to_json(), "out": "DIR"}
    reply    {"problem": "", "leaving": false}   (problem: why no results were written, one plain line)
The process starts by answering {"ready": true} once it has loaded the graders.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.engine.grade import GradeRequest
from autograder.runs.class_run import BackendUnavailable
from autograder.sandbox import scratch


START_SECONDS = 120.0  # a grader process that is not ready by then is reported as broken
RECYCLE_AFTER = 200  # submissions one grader process grades before a fresh one takes over
LEAVE_SECONDS = 10.0  # an idle grader process asked to leave (its stdin closed) is killed after this long
THREAD_LIMITS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class GraderTimeout(RuntimeError):
    """The grader process did not answer in time; it has been stopped."""


class GraderUnavailable(BackendUnavailable):
    """A grader process could not even start (a broken installation); the message is one plain line."""


def _preexec() -> None:
    from autograder.sandbox import reaper

    reaper.die_with_parent()  # a batch killed outright leaves no grader behind


class WarmGrader:
    """One warm grader process, started on first use and again whenever it has ended."""

    def __init__(self, env: dict[str, str] | None = None, memory_mb: int | None = None):
        self.env = dict(env if env is not None else os.environ, **THREAD_LIMITS)
        self.memory_mb = memory_mb  # the grading process's own memory limit (see `grade.limit_own_memory`)
        self.process: subprocess.Popen | None = None
        self.folder: str | None = None  # the process's TMPDIR: its workers' scratch folders, removed when it ends
        self.graded = 0
        self._buffer = b""

    def _start(self) -> None:
        self.folder = str(scratch.make("grader"))
        with tempfile.TemporaryFile() as errors:  # only read when it could not start
            command = [sys.executable, "-m", "autograder.runs.pool", *([str(self.memory_mb)] if self.memory_mb else [])]
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=errors, env=dict(self.env, TMPDIR=self.folder),
                                            preexec_fn=_preexec)  # in the batch's process group: Ctrl-C reaches it
            self.graded, self._buffer = 0, b""
            try:
                reply = self._reply(START_SECONDS)
            except GraderTimeout:
                reply = None
            if reply is None or not reply.get("ready"):
                self.close(at_once=True)
                errors.seek(0)
                last = (errors.read().decode(errors="replace").strip().splitlines() or ["it ended without a word"])[-1]
                raise GraderUnavailable(f"a grader process could not start ({last})")

    def _reply(self, timeout: float) -> dict | None:
        """The next JSON line from the process; None once it has ended. Raises GraderTimeout."""
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    self.close(at_once=True)
                    raise GraderTimeout(f"no answer within {timeout:g} s")
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            return None

    def grade(self, request: GradeRequest, out: Path, timeout: float) -> str:
        """Grade `request` in the warm process, its results written into `out`: "" once they are, else why not.
        Raises GraderTimeout after `timeout` seconds, GraderUnavailable if no grader process can start."""
        if self.process is not None and (self.process.poll() is not None or self.graded >= RECYCLE_AFTER):
            self.close()
        if self.process is None:
            self._start()
        try:
            self.process.stdin.write(json.dumps({"request": request.to_json(), "out": str(out)}).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it ended; the reply below says how
        reply = self._reply(timeout)
        self.graded += 1
        if reply is None:
            code = self.process.wait()
            self.close()
            how = f"killed by signal {-code}" if code < 0 else f"exited with status {code}"
            return f"the grader process {how}"
        if reply.get("leaving"):
            self.close()
        return str(reply.get("problem", "the grader process did not say how it went"))

    def close(self, *, at_once: bool = False) -> None:
        """Stop the process: it leaves when its stdin closes, stopping its fork server and workers, so their CPU
        time is counted and their folders removed; killed after `LEAVE_SECONDS`, or `at_once` (when it hangs)."""
        if self.process is None:
            return
        if not at_once:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=LEAVE_SECONDS)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        self.process = None
        if self.folder:  # what a process killed mid-grade could not remove: its worker's copy of the submission
            scratch.remove(Path(self.folder))
            self.folder = None


class GraderPool:
    """`size` warm graders shared by threads: `grade` borrows a free one. Use as a context manager."""

    def __init__(self, size: int, env: dict[str, str] | None = None, memory_mb: int | None = None):
        self._all = [WarmGrader(env, memory_mb) for _ in range(max(1, size))]
        self._free: queue.SimpleQueue[WarmGrader] = queue.SimpleQueue()
        for grader in self._all:
            self._free.put(grader)

    def grade(self, request: GradeRequest, out: Path, timeout: float) -> str:
        """`WarmGrader.grade` on a free grader of the pool."""
        grader = self._free.get()
        try:
            return grader.grade(request, out, timeout)
        finally:
            self._free.put(grader)

    def close(self) -> None:
        for grader in self._all:
            grader.close()

    def __enter__(self) -> GraderPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- the grader process ------------------------------------------------------------------


def _grade_into(line: str) -> str:
    """Grade the request on one line and write its results: "" once written, else why not (one plain line)."""
    from autograder.engine.grade import grade, why_not_graded
    from autograder.results.outputs import ResultsNotWritten, write_results

    try:
        message = json.loads(line)
        request, out = GradeRequest.from_json(message["request"]), Path(str(message["out"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return "the request was not understood"
    try:
        write_results(grade(request), out)
    except ResultsNotWritten as exc:
        return exc.strerror
    except Exception as exc:  # noqa: BLE001 - whatever kept this submission from a grade is its one line
        return why_not_graded(exc) or f"internal error ({type(exc).__name__}: {exc})"
    return ""


def serve(memory_mb: int | None = None) -> None:
    """The grader process: answer requests from stdin until it closes (or the course's files change)."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # anything printed while grading goes nowhere, never into the replies
    from autograder.engine import grade, integrity

    if memory_mb:
        grade.limit_own_memory(memory_mb)
    before = integrity.fingerprint()
    grade.warm_up()  # pytest, numpy, the graders and the course modules, loaded once
    channel.write(json.dumps({"ready": True}) + "\n")
    channel.flush()
    os.dup2(null, 2)  # started: what went wrong is in each reply, and warnings need not pile up in a file
    for line in sys.stdin:
        problem = _grade_into(line)
        leaving = integrity.fingerprint() != before  # other files than it started with: the next gets a fresh process
        channel.write(json.dumps({"problem": problem, "leaving": leaving}) + "\n")
        channel.flush()
        if leaving:
            return


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else None)
