"""What a Dask worker runs: one submission's bytes in, its result files' bytes out.

`grade_submission` needs no shared filesystem: the submission travels with the task and
the results travel back. It grades with a warm grader process of this worker (see
`autograder.runs.pool`), each submission in its own fresh confined worker, exactly as
``autograder grade`` would. `ConfinementCheck` is the worker plugin the client registers:
a Dask worker that cannot confine submissions closes itself before taking any work.
"""

from __future__ import annotations

import logging
import queue
import sys
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

from autograder.engine.grade import GradeRequest
from autograder.results.junit import JUNIT_FILE
from autograder.results.results_json import RESULTS_FILE
from autograder.runs.pool import GraderTimeout, WarmGrader
from autograder.runs.records import grader_version
from autograder.sandbox import confinement, scratch
from autograder.sandbox.handle import confinement_here


logger = logging.getLogger("autograder.runs.dask")
_GRADERS: queue.SimpleQueue[WarmGrader] = queue.SimpleQueue()  # this worker's idle warm graders
_STATE: list[str] = []  # this worker process's confinement, found once (see sandbox.confinement)


def _refusal(allow_unconfined: bool) -> confinement.Unconfined | None:
    """Why this worker must not grade (None when it may); the sandbox is asked once per worker process."""
    if allow_unconfined:
        return None
    if not _STATE:
        _STATE.append(confinement_here())
    return None if confinement.acceptable(_STATE[0]) else confinement.Unconfined(_STATE[0], "this Dask worker")


class ConfinementCheck(WorkerPlugin):
    """Registered by the client: each Dask worker checks the sandbox before it takes work, and closes if it fails."""

    name = "autograder-confinement"

    def __init__(self, allow_unconfined: bool = False):
        self.allow_unconfined = allow_unconfined

    def setup(self, worker) -> None:
        refusal = _refusal(self.allow_unconfined)
        if refusal is not None:
            print(f"autograder: {refusal}", file=sys.stderr, flush=True)
            logger.error(str(refusal))
            worker.loop.add_callback(worker.close, reason="autograder: cannot confine submissions")
            raise refusal  # the client hears it too

    def teardown(self, worker) -> None:
        """The Dask worker is closing: its warm graders leave, and their folders go with them."""
        while True:
            try:
                _GRADERS.get_nowait().close()
            except queue.Empty:
                return


def grade_submission(name: str, data: bytes, request: dict, timeout: float, version: str,
                     allow_unconfined: bool = False, memory_mb: int | None = None) -> dict:
    """Grade one submission, given as its file name and bytes, as `request` (a `GradeRequest.to_json()`) says.

    Returns {"problem": "" or why no results were written, "files": {RESULTS_FILE: bytes, JUNIT_FILE: bytes}}
    (files only when written), or {"error": one plain line} when this worker must not or cannot grade it (no
    confinement, other graders than the client's `version`, no answer in `timeout` s).
    """
    refusal = _refusal(allow_unconfined)
    if refusal is not None:
        return {"error": str(refusal)}
    if grader_version() != version:
        return {"error": f"the Dask worker's graders (version {grader_version()}) differ from the client's "
                         f"({version}); install the same course on every node"}
    try:
        grader = _GRADERS.get_nowait()
    except queue.Empty:
        grader = WarmGrader(memory_mb=memory_mb)
    tmp = scratch.make("task")
    try:
        submission, out = tmp / Path(name).name, tmp / "out"
        submission.write_bytes(data)
        try:
            problem = grader.grade(GradeRequest.from_json({**request, "submission": str(submission)}), out, timeout)
        except GraderTimeout:
            return {"error": f"grading did not finish within {timeout:g} s"}
        files = {f: (out / f).read_bytes() for f in (RESULTS_FILE, JUNIT_FILE) if (out / f).is_file()}
        return {"problem": problem, "files": files}
    finally:
        _GRADERS.put(grader)
        scratch.remove(tmp)
