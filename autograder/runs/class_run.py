"""Grade a class: the one loop behind `autograder batch`, whichever back end does the grading.

For every student found under the class folder (see `submissions`) the loop records an
outcome: an error row when nothing can be graded, "skipped" when results with a matching
fingerprint are there already (unless `force`), and otherwise the back end's grade. A
back end (`Backend`) takes the jobs and hands each back once its results are in
``OUT/<student>/``, or with the reason they are not; it may grade them in any order. The
local back end is a pool of warm grader processes (`local`), the other a Dask cluster
(`dask_backend`). grades.csv is kept as the outcomes arrive (see `grades_file`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from autograder.engine.grade import GradeRequest
from autograder.runs import records
from autograder.runs.grades_file import GradesFile, GradesNotWritten
from autograder.runs.records import Outcome
from autograder.runs.submissions import Submission, discover


LOST = "not graded: the run ended without this submission's grade; run the batch again to grade it"
EXTRA_SECONDS = 120.0  # a job's time beyond its grading budget (starting, loading) before it counts as lost


class BackendUnavailable(RuntimeError):
    """A back end cannot grade at all (no grader process starts, no cluster answers); the message is one plain line."""


@dataclass(frozen=True)
class Job:
    """One submission to grade: its `request`, and `out`, the student's folder its results go into."""

    submission: Submission
    request: GradeRequest
    out: Path

    @property
    def timeout(self) -> float:
        """How long a back end waits for this job's grade before it gives up on it."""
        return self.request.budget_seconds + EXTRA_SECONDS


class Backend(Protocol):
    """Grades jobs: `run` yields each job with "" once its results are written in `job.out`, or with the reason
    (one plain line) they are not, in the order they finish; it stops whatever is still going when closed."""

    def run(self, jobs: Iterable[Job]) -> Generator[tuple[Job, str], None, None]: ...


@dataclass
class ClassRun:
    """What a run did: every student's submission, and the outcome of each that has one."""

    submissions: list[Submission]
    outcomes: dict[str, Outcome]

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes.values() if o.status == "error"]


def run_class(folder: Path, out: Path, backend: Backend, request: GradeRequest, *, force: bool = False,
              progress: Callable[[Outcome], None] | None = None) -> ClassRun:
    """Grade every submission under `folder` into `out` with `backend`, each as `request` says (its submission
    replaced by the student's file).

    Raises GradesNotWritten when `out` or its grades.csv cannot be written (the previous file, if any, is left
    whole; students whose results are missing are graded again next run), and whatever the back end raises
    when it cannot grade at all.
    """
    submissions = discover(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GradesNotWritten(f"could not create {out} ({exc.strerror or exc})") from None
    version = records.grader_version()
    run = ClassRun(submissions, {})
    grades = GradesFile(out, submissions)
    grades.write()  # every student listed (pending) from the start

    def done(outcome: Outcome) -> None:
        run.outcomes[outcome.student] = outcome
        grades.record(outcome)
        if progress:
            progress(outcome)

    def jobs() -> Iterator[Job]:
        for submission in submissions:
            student_dir = out / submission.student
            if submission.path is None:
                done(Outcome(submission.student, "error", message=submission.problem))
                continue
            skipped = None if force else records.already_graded(submission, student_dir, version)
            if skipped is not None:
                done(skipped)
                continue
            records.forget(student_dir)
            yield Job(submission, replace(request, submission=submission.path), student_dir)

    graded = backend.run(jobs())
    try:
        for job, problem in graded:
            done(records.record(job.submission, job.out, version, problem))
    except KeyboardInterrupt:
        graded.close()
        grades.write()
        raise
    for submission in submissions:  # a back end that lost a job: an error, never a silent "pending"
        if submission.student not in run.outcomes:
            done(Outcome(submission.student, "error", message=LOST))
    grades.close()
    return run
