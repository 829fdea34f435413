"""What a class run spends on its own bookkeeping, with the grading itself taken out.

    .venv/bin/python benchmarks/class_bookkeeping.py [--sizes 250 500 1000 2000]

The reference solution is graded once, for real, by `autograder grade`. Then, for each class size, `run_class`
(the loop behind `autograder batch`) runs over that many submissions with a back end that grades nothing: it
copies that real results.json and junit.xml into each student's folder as soon as it is handed the job. What is
timed is everything else: finding the submissions, fingerprints, reading each result back, grades.csv. A second
run over the same folder times a resume (everyone already graded). Linear bookkeeping costs the same per
submission at every size; the last column divides the per-submission cost by that of the smallest class.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator, Iterable
from pathlib import Path

from autograder.course.paths import SOLUTION_FILE
from autograder.engine.grade import GradeRequest
from autograder.results.grades_csv import GRADES_FILE
from autograder.results.junit import JUNIT_FILE
from autograder.results.results_json import RESULTS_FILE
from autograder.runs.class_run import Job, run_class


class Replay:
    """A back end that grades nothing: each job gets a copy of one real grade's result files, at once."""

    def __init__(self, results: Path):
        self.files = [results / RESULTS_FILE, results / JUNIT_FILE]

    def run(self, jobs: Iterable[Job]) -> Generator[tuple[Job, str], None, None]:
        for job in jobs:
            job.out.mkdir(parents=True, exist_ok=True)
            for file in self.files:
                shutil.copyfile(file, job.out / file.name)
            yield job, ""


def one_class(size: int, results: Path, tmp: Path) -> tuple[float, float]:
    """(seconds of a first run, seconds of a resume) over `size` submissions."""
    folder, out = tmp / f"class-{size}", tmp / f"out-{size}"
    folder.mkdir()
    for i in range(size):
        (folder / f"student{i:05d}.py").write_text(f"# submission {i}\n", encoding="utf-8")
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        run = run_class(folder, out, Replay(results), GradeRequest(SOLUTION_FILE))
        timings.append(time.perf_counter() - started)
        assert len(run.outcomes) == size and not run.errors
    rows = (out / GRADES_FILE).read_text(encoding="utf-8").count("\n") - 1
    assert rows == size, f"grades.csv has {rows} rows for {size} students"
    return timings[0], timings[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bookkeeping-") as name:
        tmp = Path(name)
        subprocess.run([sys.executable, "-m", "autograder", "grade", str(SOLUTION_FILE), "--out", str(tmp / "real"),
                        "--quiet"], check=True)
        print(f"{'submissions':>11}  {'first run':>9}  {'per sub.':>9}  {'resume':>7}  {'per sub.':>9}  {'x smallest':>10}")
        smallest = None
        for size in sorted(args.sizes):
            first, again = one_class(size, tmp / "real", tmp)
            per = first / size
            smallest = smallest or per
            print(f"{size:>11}  {first:>8.2f}s  {per * 1e3:>7.2f}ms  {again:>6.2f}s  {again / size * 1e3:>7.2f}ms  "
                  f"{per / smallest:>10.2f}")


if __name__ == "__main__":
    main()
