"""Grading speed: `autograder grade` against `nbgrader autograde`, and batch throughput for 1 and 2 jobs.

    .venv/bin/python benchmarks/grade_vs_nbgrader.py [--runs 3] [--class-size 8]

Both graders get the same completed notebook (the source notebook, which holds the
reference solution) on the same machine; each timing is the median wall-clock time of
`--runs` runs of the whole command, start-up included. Targets: one submission at least
5 times faster than nbgrader autograde; 2 jobs at least 1.7 times the throughput of 1.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.course.paths import ASSIGNMENT, NBGRADER_CONFIG, SOURCE_DIR, SOURCE_NOTEBOOK
from autograder.course.release import nbgrader_env


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[:4])} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed


def median_time(command: list[str], cwd: Path, runs: int) -> float:
    return statistics.median(timed(command, cwd) for _ in range(runs))


def nbgrader_course(root: Path) -> Path:
    """A course folder with the assignment generated and one submission of the completed notebook."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(SOURCE_DIR, root / "source" / ASSIGNMENT, ignore=skip)
    shutil.copy(NBGRADER_CONFIG, root / "nbgrader_config.py")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force",
                    f"--CourseDirectory.root={root}", f"--CourseDirectory.db_url=sqlite:///{root}/gradebook.db",
                    "--log-level=ERROR"], cwd=root, env=nbgrader_env(), check=True, capture_output=True)
    submitted = root / "submitted" / "ref" / ASSIGNMENT
    shutil.copytree(root / "assignments" / ASSIGNMENT, submitted)  # the release folder, as students submit it
    shutil.copy(SOURCE_NOTEBOOK, submitted / SOURCE_NOTEBOOK.name)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement (median reported)")
    parser.add_argument("--class-size", type=int, default=8, help="submissions in the batch throughput run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as tmp:
        tmp = Path(tmp)
        course = nbgrader_course(tmp / "course")
        nbgrader = median_time([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--student", "ref",
                                "--force", "--create", f"--CourseDirectory.root={course}",
                                f"--CourseDirectory.db_url=sqlite:///{course}/gradebook.db", "--log-level=ERROR"],
                               course, args.runs)
        if not (course / "autograded" / "ref" / ASSIGNMENT / SOURCE_NOTEBOOK.name).is_file():
            raise SystemExit("nbgrader autograde produced no autograded notebook; the timing would mean nothing")
        submission = course / "submitted" / "ref" / ASSIGNMENT / SOURCE_NOTEBOOK.name
        ours = median_time([sys.executable, "-m", "autograder", "grade", str(submission), "--quiet",
                            "--out", str(tmp / "one")], tmp, args.runs)

        klass = tmp / "class"
        klass.mkdir()
        for i in range(args.class_size):
            shutil.copy(SOURCE_NOTEBOOK, klass / f"student{i:03d}.ipynb")
        batch = {}
        for jobs in (1, 2):
            batch[jobs] = median_time([sys.executable, "-m", "autograder", "batch", str(klass), "--out",
                                       str(tmp / f"batch{jobs}"), "--jobs", str(jobs), "--force"], tmp, args.runs)

    n = args.class_size
    print(f"one submission ({SOURCE_NOTEBOOK.name}, median of {args.runs}):")
    print(f"  nbgrader autograde   {nbgrader:6.2f} s")
    print(f"  autograder grade     {ours:6.2f} s")
    print(f"  speed-up             {nbgrader / ours:6.2f} x   (target >= 5)")
    print(f"batch of {n} submissions (median of {args.runs}):")
    for jobs, seconds in batch.items():
        print(f"  --jobs {jobs}             {seconds:6.2f} s   {n / seconds * 60:6.1f} submissions/min")
    print(f"  2 jobs / 1 job       {batch[1] / batch[2]:6.2f} x   (target >= 1.7)")


if __name__ == "__main__":
    main()
