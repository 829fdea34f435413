"""The Dask back end of a class run (`autograder batch --scheduler`): the grading done on an existing cluster.

Each job travels with its submission's bytes, and the result files come back as bytes
that are written into ``OUT/<student>/`` here, so the workers need no shared filesystem.
A task whose Dask worker dies is rescheduled by the scheduler elsewhere, up to its
``distributed.scheduler.allowed-failures`` (3 by default); after that the student gets an
error row with the reason, and the run goes on. Needs the optional ``cluster`` extra.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Generator, Iterable
from pathlib import Path

from distributed import Client, Future, as_completed
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from autograder.results.files import write_atomically
from autograder.runs.class_run import BackendUnavailable, Job
from autograder.runs.dask_tasks import ConfinementCheck, grade_submission
from autograder.runs.records import grader_version
from autograder.sandbox.confinement import Unconfined


CONNECT_SECONDS = 30
REFUSED_SECONDS = 3  # time given to refusing workers to leave before the client counts those left
IN_FLIGHT = 512  # submissions handed to the cluster at once; the rest wait on the client


class ClusterUnavailable(BackendUnavailable):
    """The scheduler cannot be reached, or no worker of it may grade; the message is one plain line."""


def connect(scheduler: str, allow_unconfined: bool) -> Client:
    """A client of `scheduler` whose workers have checked their confinement (see `ConfinementCheck`)."""
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterUnavailable(f"could not reach the Dask scheduler at {scheduler} ({exc})") from None
    try:
        client.register_plugin(ConfinementCheck(allow_unconfined))
    except Unconfined as exc:  # one worker or more refused and are closing; the others grade
        time.sleep(REFUSED_SECONDS)
        if not client.scheduler_info().get("workers"):
            client.close()
            raise ClusterUnavailable(f"no worker of {scheduler} may grade: {exc}") from None
        print(f"autograder batch: warning: {exc}", file=sys.stderr)
    except BaseException:
        client.close()
        raise
    return client


def _store(job: Job, reply: dict) -> str:
    """Write a task's result files into the job's folder; "" once they are there, else why not."""
    if "error" in reply:
        return str(reply["error"])
    try:
        for name, data in reply.get("files", {}).items():
            write_atomically(job.out / Path(name).name, data.decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        return f"could not write the results in {job.out} ({why})"
    return str(reply.get("problem", ""))


def _failed(exc: BaseException) -> str:
    if isinstance(exc, KilledWorker):
        return "every Dask worker that took it died (the scheduler's allowed-failures ran out)"
    if isinstance(exc, FutureCancelledError):
        return "the task was cancelled on the cluster"
    return f"{type(exc).__name__}: {exc}"


class DaskCluster:
    """Grades jobs on the Dask cluster at `scheduler` (tcp://HOST:PORT); ClusterUnavailable when it cannot."""

    def __init__(self, scheduler: str, *, allow_unconfined: bool = False, memory_mb: int | None = None):
        self.scheduler, self.allow_unconfined, self.memory_mb = scheduler, allow_unconfined, memory_mb

    def run(self, jobs: Iterable[Job]) -> Generator[tuple[Job, str], None, None]:
        client = connect(self.scheduler, self.allow_unconfined)
        version = grader_version()
        futures: dict[Future, Job] = {}
        waiting = as_completed(loop=client.loop)

        def finished(future: Future) -> tuple[Job, str]:
            job = futures.pop(future)
            try:
                reply = future.result()
            except Exception as exc:  # noqa: BLE001 - whatever became of the task is that student's error row
                return job, _failed(exc)
            return job, _store(job, reply)

        try:
            for job in jobs:
                while waiting.count() >= IN_FLIGHT:  # the scheduler holds at most IN_FLIGHT submissions' bytes
                    yield finished(next(waiting))
                try:
                    data = job.request.submission.read_bytes()
                except OSError as exc:
                    yield job, f"{job.request.submission} cannot be read ({exc.strerror})"
                    continue
                future = client.submit(grade_submission, job.request.submission.name, data, job.request.to_json(),
                                       job.timeout, version, self.allow_unconfined, self.memory_mb, pure=False,
                                       key=f"grade-{job.submission.student}-{time.time_ns()}")
                futures[future] = job
                waiting.add(future)
            for future in waiting:
                yield finished(future)
        finally:  # finished, interrupted, or closed early: what is still on the cluster is cancelled
            if futures:
                client.cancel(list(futures))
            client.close()
