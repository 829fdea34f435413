"""The class loop's own contract: every student found ends with an outcome, whatever the back end does."""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterable

from autograder.course.paths import SOLUTION_FILE
from autograder.engine.grade import GradeRequest
from autograder.runs.class_run import LOST, Job, run_class


class DropsJobs:
    """A back end that takes the jobs and hands none back, as one that loses them would."""

    def run(self, jobs: Iterable[Job]) -> Generator[tuple[Job, str], None, None]:
        list(jobs)
        yield from ()


def test_a_job_the_back_end_loses_is_an_error_row_not_a_silent_pending(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for student in ("ada", "ben"):
        (folder / f"{student}.py").write_text(SOLUTION_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    run = run_class(folder, out, DropsJobs(), GradeRequest(folder))
    assert sorted(o.student for o in run.errors) == ["ada", "ben"]
    with (out / "grades.csv").open(newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert {s: (r["status"], r["message"]) for s, r in rows.items()} == {"ada": ("error", LOST), "ben": ("error", LOST)}
