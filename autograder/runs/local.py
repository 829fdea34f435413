"""The local back end of a class run: `jobs` warm grader processes on this machine, one submission each at a time."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from autograder.runs.class_run import Job
from autograder.runs.pool import GraderPool, GraderTimeout


class LocalPool:
    """Grades jobs with a `GraderPool` of `jobs` warm processes; `memory_mb` bounds each grading process itself."""

    def __init__(self, jobs: int, memory_mb: int | None = None):
        self.jobs, self.memory_mb = max(1, jobs), memory_mb

    @staticmethod
    def _grade(graders: GraderPool, job: Job) -> str:
        try:
            return graders.grade(job.request, job.out, job.timeout)
        except GraderTimeout:
            return f"grading did not finish within {job.timeout:g} s"

    def run(self, jobs: Iterable[Job]) -> Generator[tuple[Job, str], None, None]:
        """Each job with "" or its problem, as they finish. Raises GraderUnavailable when no grader can start."""
        # The graders close (and leave in order) before the threads end: a grader process is bound to die with the
        # thread that started it (pdeathsig), which would kill it, and its fork server, before they could reap.
        with ThreadPoolExecutor(max_workers=self.jobs) as threads, GraderPool(self.jobs, memory_mb=self.memory_mb) as graders:
            futures: dict[Future[str], Job] = {threads.submit(self._grade, graders, job): job for job in jobs}
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            finally:  # interrupted, or the loop left early: nothing more starts
                for future in futures:
                    future.cancel()
