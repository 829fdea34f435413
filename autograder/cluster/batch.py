"""`autograder batch --scheduler`: the local batch's grading, run on an existing Dask distributed cluster.

The client reads each submission, sends its bytes with the task, and writes the result
files that come back into ``OUT/<student>/``, so the workers need no shared filesystem.
grades.csv, resume by fingerprint, ``force`` and progress work as in `autograder.grading.batch`,
whose helpers this reuses. A task whose Dask worker dies is rescheduled by the scheduler
elsewhere, up to its ``distributed.scheduler.allowed-failures`` (3 by default); after that the
student gets an error row with the reason, and the batch goes on.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from distributed import Client, as_completed
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from autograder.cluster.tasks import ConfinementCheck, grade_submission
from autograder.grading import batch
from autograder.grading.batch import FINGERPRINT_FILE, GradesNotWritten, Outcome, Submission
from autograder.grading.grade import DEFAULT_BUDGET_SECONDS
from autograder.integrations.files import write_atomically
from autograder.sandbox.confinement import Unconfined


CONNECT_SECONDS = 30
REFUSED_SECONDS = 3  # time given to refusing workers to leave before the client counts those left
IN_FLIGHT = 512  # submissions handed to the cluster at once; the rest wait on the client


class ClusterUnavailable(RuntimeError):
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


def _store(submission: Submission, out: Path, reply: dict, version: str, started: float) -> Outcome:
    """Write a task's result files into OUT/<student> and turn its reply into the student's outcome."""
    if "error" in reply:
        return Outcome(submission.student, "error", message=f"grading failed: {reply['error']}",
                       seconds=time.monotonic() - started)
    student_dir = out / submission.student
    try:
        for name, data in reply.get("files", {}).items():
            write_atomically(student_dir / Path(name).name, data.decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        return Outcome(submission.student, "error", message=f"grading failed: could not write the results in "
                       f"{student_dir} ({why})", seconds=time.monotonic() - started)
    return batch.record(submission, out, version, int(reply.get("code", 1)), str(reply.get("stderr", "")), started)


def _failed(submission: Submission, exc: BaseException, started: float) -> Outcome:
    if isinstance(exc, KilledWorker):
        why = "every Dask worker that took it died (the scheduler's allowed-failures ran out)"
    elif isinstance(exc, FutureCancelledError):
        why = "the task was cancelled on the cluster"
    else:
        why = f"{type(exc).__name__}: {exc}"
    return Outcome(submission.student, "error", message=f"grading failed: {why}", seconds=time.monotonic() - started)


def _collect(future, futures: dict, done: Callable[[Outcome], None], out: Path, version: str) -> None:
    """Record the outcome of a finished task."""
    submission, started = futures.pop(future)
    try:
        reply = future.result()
    except Exception as exc:  # noqa: BLE001 - whatever became of the task is that student's error row
        done(_failed(submission, exc, started))
    else:
        done(_store(submission, out, reply, version, started))


def run_cluster_batch(folder: Path, out: Path, scheduler: str, *, force: bool = False,
                      budget: float = DEFAULT_BUDGET_SECONDS, extra_args: list[str] | None = None,
                      progress: Callable[[Outcome], None] | None = None, allow_unconfined: bool = False
                      ) -> tuple[list[Submission], dict[str, Outcome]]:
    """As `batch.run_batch`, with the grading done by the Dask cluster at `scheduler` (tcp://HOST:PORT).

    Raises ClusterUnavailable when the scheduler cannot be reached, GradesNotWritten as run_batch does.
    """
    submissions = batch.discover(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GradesNotWritten(f"could not create {out} ({exc.strerror or exc})") from None
    version = batch.grader_version()
    outcomes: dict[str, Outcome] = {}
    batch._save_grades(out, submissions, outcomes)  # every student listed (pending) from the start
    argv = ["--budget", f"{budget:g}", *(extra_args or [])]

    def done(outcome: Outcome) -> None:
        outcomes[outcome.student] = outcome
        batch._save_grades(out, submissions, outcomes)
        if progress:
            progress(outcome)

    client = connect(scheduler, allow_unconfined)
    futures: dict = {}
    waiting = as_completed(loop=client.loop)
    try:
        for submission in submissions:
            if submission.path is None:
                done(Outcome(submission.student, "error", message=submission.problem))
                continue
            skipped = None if force else batch.already_graded(submission, out, version)
            if skipped is not None:
                done(skipped)
                continue
            while waiting.count() >= IN_FLIGHT:  # the scheduler holds at most IN_FLIGHT submissions' bytes
                _collect(next(waiting), futures, done, out, version)
            try:
                data = submission.path.read_bytes()
            except OSError as exc:
                done(Outcome(submission.student, "error", message=f"{submission.path} cannot be read ({exc.strerror})"))
                continue
            (out / submission.student / FINGERPRINT_FILE).unlink(missing_ok=True)
            future = client.submit(grade_submission, submission.path.name, data, argv,
                                   budget + 120, version, allow_unconfined, pure=False,
                                   key=f"grade-{submission.student}-{time.time_ns()}")
            futures[future] = (submission, time.monotonic())
            waiting.add(future)
        for future in waiting:
            _collect(future, futures, done, out, version)
    except KeyboardInterrupt:
        client.cancel(list(futures))
        batch._save_grades(out, submissions, outcomes)
        raise
    finally:
        client.close()
    problem = batch._save_grades(out, submissions, outcomes)
    if problem:
        raise GradesNotWritten(problem + "; the grades file there is the last one written, "
                               "and a re-run grades the students whose results are missing")
    return submissions, outcomes
