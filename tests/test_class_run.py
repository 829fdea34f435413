"""The class loop's own contract: every student found ends with an outcome, whatever the back end does."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from collections.abc import Generator, Iterable
from pathlib import Path

from autograder.course.paths import SOLUTION_FILE
from autograder.engine.grade import GradeRequest
from autograder.runs.class_run import LOST, Job, run_class
from autograder.runs.submissions import discover
from autograder.sandbox import disk


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


def deep_chain(top: Path, levels: int) -> Path:
    """`levels` nested folders under `top`; the deepest."""
    top.mkdir(parents=True, exist_ok=True)
    fd = os.open(top, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    return top.joinpath(*["d"] * levels)


def test_what_one_students_folder_holds_costs_that_student_alone(tmp_path):
    """A repository 1,100 folders deep (os.walk recursed once per level before Python 3.12), one of 25,000 files,
    a FIFO named like a notebook: each is that student's error row, found at once, and the class is graded."""
    folder, out = tmp_path / "class", tmp_path / "out"
    solution = SOLUTION_FILE.read_text(encoding="utf-8")
    (deep_chain(folder / "deep", 1100) / "planar_classification.py").write_text(solution, encoding="utf-8")
    deep_chain(folder / "deep_but_near", 1100)
    (folder / "deep_but_near" / "planar_classification.py").write_text(solution, encoding="utf-8")
    crowded = folder / "crowded" / "node_modules"
    crowded.mkdir(parents=True)
    for n in range(25_000):
        (crowded / f"f{n}").touch()
    (folder / "fifo").mkdir()
    os.mkfifo(folder / "fifo" / "planar_classification.ipynb")
    (folder / "ada.py").write_text(solution, encoding="utf-8")

    try:
        started = time.monotonic()
        found = {s.student: s for s in discover(folder)}
        assert time.monotonic() - started < 5
        assert found["ada"].path == folder / "ada.py"
        assert found["deep_but_near"].path == folder / "deep_but_near" / "planar_classification.py"
        assert found["deep"].path is None and "more than 8 folders deep" in found["deep"].problem
        assert found["crowded"].path is None and "more than 20,000 files and folders" in found["crowded"].problem
        assert found["fifo"].path is None and found["fifo"].problem == "no notebook or Python file in the folder"

        done = subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out)],
                              capture_output=True, text=True, timeout=600)
        assert "Traceback" not in done.stderr and "internal error" not in done.stdout + done.stderr, done.stderr[-2000:]
        with (out / "grades.csv").open(newline="") as f:
            rows = {row["student"]: row for row in csv.DictReader(f)}
        assert {s: r["status"] for s, r in rows.items()} == {
            "ada": "graded", "deep_but_near": "graded", "deep": "error", "crowded": "error", "fifo": "error"}
        assert float(rows["ada"]["score"]) == float(rows["deep_but_near"]["score"]) == 68
        assert "no notebook or Python file in the folder where it was looked for" in rows["deep"]["message"]
    finally:  # pytest's own clean-up of old temporary folders recurses per level too
        disk.remove_tree(folder)
