"""Grade a whole class: N warm grader processes (see `pool`), each submission in a fresh confined worker.

Layouts found under the class folder:
    <student>.ipynb or <student>.py                       a file per student
    <student>/<assignment>/<notebook>.ipynb               nbgrader's submitted/ layout
    <student>/<notebook>.ipynb                            a folder per student

Each student gets ``OUT/<student>/results.json`` and ``junit.xml`` plus a fingerprint of
what was graded (submission bytes and grader version). A re-run skips students whose
fingerprint still matches, so a killed batch resumes where it stopped; ``force`` regrades
all. ``OUT/grades.csv`` is rewritten atomically after every submission.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import autograder
from autograder.course import modules
from autograder.grading.grade import DEFAULT_BUDGET_SECONDS, SUFFIXES, find_submission
from autograder.grading.outputs import RESULTS_FILE
from autograder.grading.plugin import GRADERS_DIR
from autograder.grading.pool import GraderPool, GraderTimeout, GraderUnavailable  # noqa: F401 - GraderUnavailable: raised through run_batch
from autograder.integrations.files import write_atomically


GRADES_FILE = "grades.csv"
FINGERPRINT_FILE = ".fingerprint"
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


@dataclass
class Submission:
    student: str
    path: Path | None  # None when the student's folder holds nothing gradable
    problem: str = ""


@dataclass
class Outcome:
    student: str
    status: str  # "graded", "skipped" (already graded), "error"
    score: float = 0.0
    max_score: float = 0.0
    message: str = ""
    seconds: float = 0.0


def _student_name(name: str) -> str:
    safe = _UNSAFE.sub("_", name).lstrip(".")
    return safe or "unnamed"


def discover(folder: Path) -> list[Submission]:
    """One Submission per student under `folder`, sorted by student."""
    found: dict[str, Submission] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        student = _student_name(entry.stem if entry.is_file() else entry.name)
        if entry.is_symlink():
            submission = Submission(student, None, f"{entry.name} is a symbolic link; not graded")
        elif entry.is_file() and entry.suffix in SUFFIXES:
            submission = Submission(student, entry)
        elif entry.is_dir():
            path, problem = find_submission(entry)
            submission = Submission(student, path, problem)
        else:
            continue
        if student in found:
            submission = Submission(student, None, f"more than one submission for {student}")
        found[student] = submission
    return sorted(found.values(), key=lambda s: s.student)


def grader_version() -> str:
    """Changes whenever the package version or any grader file changes."""
    digest = hashlib.sha256(autograder.__version__.encode())
    for path in sorted(GRADERS_DIR.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(path: Path, version: str) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() + ":" + version


def _read_result(out_dir: Path) -> dict | None:
    try:
        return json.loads((out_dir / RESULTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def already_graded(submission: Submission, out: Path, version: str) -> Outcome | None:
    """The "skipped" outcome when OUT/<student> holds results whose fingerprint matches; None otherwise."""
    student_dir = out / submission.student
    previous = _read_result(student_dir)
    stamp_file = student_dir / FINGERPRINT_FILE
    if previous is not None and stamp_file.is_file() and stamp_file.read_text() == fingerprint(submission.path, version):
        return Outcome(submission.student, "skipped", previous["score"], previous["max_score"])
    return None


def record(submission: Submission, out: Path, version: str, code: int, stderr: str, started: float) -> Outcome:
    """The outcome of a grade that ended with exit status `code` and `stderr`, its results in OUT/<student>;
    a graded submission gets its fingerprint (an error row is graded again next run)."""
    student_dir = out / submission.student
    result = _read_result(student_dir) if code == 0 else None
    if result is None:  # e.g. "could not write the results in OUT/ada (No space left on device)": regraded next run
        last = (stderr.strip().splitlines() or [f"exit status {code}"])[-1]
        last = last.removeprefix("autograder grade: ")
        return Outcome(submission.student, "error", message=f"grading failed: {last}", seconds=time.monotonic() - started)
    try:
        write_atomically(student_dir / FINGERPRINT_FILE, fingerprint(submission.path, version))
    except OSError:
        pass  # graded and recorded; without its fingerprint the next run grades it again
    return Outcome(submission.student, "graded", result["score"], result["max_score"],
                   seconds=time.monotonic() - started)


def grade_arguments(path: Path, student_dir: Path, budget: float, extra_args: list[str]) -> list[str]:
    """The arguments of ``autograder grade`` for one submission of a batch."""
    return [str(path), "--out", str(student_dir), "--quiet", "--budget", f"{budget:g}", *extra_args]


def _grade_one(submission: Submission, out: Path, version: str, pool: GraderPool, *, force: bool, budget: float,
               extra_args: list[str]) -> Outcome:
    started = time.monotonic()
    student_dir = out / submission.student
    if submission.path is None:
        return Outcome(submission.student, "error", message=submission.problem)
    if not force:
        skipped = already_graded(submission, out, version)
        if skipped is not None:
            return skipped
    (student_dir / FINGERPRINT_FILE).unlink(missing_ok=True)
    try:
        ended = pool.grade(grade_arguments(submission.path, student_dir, budget, extra_args), timeout=budget + 120)
    except GraderTimeout:
        return Outcome(submission.student, "error", message=f"grading did not finish within {budget + 120:g} s",
                       seconds=time.monotonic() - started)
    return record(submission, out, version, ended.code, ended.stderr, started)


def _cells_of(result: dict | None) -> dict[str, float]:
    if not result:
        return {}
    cells = modules.cell_of_function()
    scores: dict[str, float] = {}
    for test in result.get("tests", []):
        cell = cells.get(test["tags"][0], test["tags"][0]) if test.get("tags") else "other"
        scores[cell] = scores.get(cell, 0.0) + float(test["score"])
    return scores


def write_grades(out: Path, submissions: list[Submission], outcomes: dict[str, Outcome]) -> Path:
    """grades.csv: one row per student (score, status, points per graded cell), written atomically."""
    cell_names = list(dict.fromkeys(modules.cell_of_function().values()))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", "status", "message", "submission", *cell_names])
    for submission in submissions:
        outcome = outcomes.get(submission.student)
        if outcome is None:
            writer.writerow([submission.student, "", "", "pending", "", submission.path or "", *[""] * len(cell_names)])
            continue
        result = _read_result(out / submission.student) if outcome.status != "error" else None
        cells = _cells_of(result)
        status = "graded" if outcome.status in ("graded", "skipped") else "error"
        writer.writerow([submission.student, f"{outcome.score:g}" if status == "graded" else "",
                         f"{outcome.max_score:g}" if status == "graded" else "", status, outcome.message,
                         submission.path or "", *[f"{cells[c]:g}" if c in cells else "" for c in cell_names]])
    return write_atomically(out / GRADES_FILE, buffer.getvalue())


class Progress:
    """A one-line progress bar on a terminal; one line per submission otherwise."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.errors, self.stream = total, 0, 0, stream
        self.started = time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.lock = threading.Lock()

    def update(self, outcome: Outcome) -> None:
        with self.lock:
            self.done += 1
            self.errors += outcome.status == "error"
            elapsed = time.monotonic() - self.started
            eta = elapsed / self.done * (self.total - self.done)
            if self.tty:
                filled = int(30 * self.done / max(self.total, 1))
                self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
                                  f"  {self.errors} error(s)  {elapsed:.0f} s elapsed, ~{eta:.0f} s left ")
                if self.done == self.total:
                    self.stream.write("\n")
            else:
                what = {"graded": f"{outcome.score:g}/{outcome.max_score:g}",
                        "skipped": f"{outcome.score:g}/{outcome.max_score:g} (already graded)",
                        "error": f"ERROR: {outcome.message}"}[outcome.status]
                self.stream.write(f"[{self.done}/{self.total}] {outcome.student}: {what}\n")
            self.stream.flush()


class GradesNotWritten(OSError):
    """grades.csv could not be rewritten (a full disk, say); the one there before is intact."""


def _save_grades(out: Path, submissions: list[Submission], outcomes: dict[str, Outcome]) -> str:
    """write_grades, or the reason it failed ("" when it did not): a full disk must not stop the batch."""
    try:
        write_grades(out, submissions, outcomes)
    except OSError as exc:
        return f"could not write {out / GRADES_FILE} ({exc.strerror or exc})"
    return ""


def run_batch(folder: Path, out: Path, *, jobs: int = 1, force: bool = False, budget: float = DEFAULT_BUDGET_SECONDS,
              extra_args: list[str] | None = None, progress: Callable[[Outcome], None] | None = None
              ) -> tuple[list[Submission], dict[str, Outcome]]:
    """Grade every submission under `folder` into `out`; returns the submissions and their outcomes.

    Raises GradesNotWritten when grades.csv cannot be written at the end (the previous one,
    if any, is left whole); students whose results are missing are graded again next run.
    Raises GraderUnavailable when no grader process can start at all.
    """
    submissions = discover(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GradesNotWritten(f"could not create {out} ({exc.strerror or exc})") from None
    version = grader_version()
    outcomes: dict[str, Outcome] = {}
    _save_grades(out, submissions, outcomes)  # every student listed (pending) from the start
    lock = threading.Lock()
    # The graders close (and leave in order) before the threads end: a grader process is bound to die with the
    # thread that started it (pdeathsig), which would kill it, and its fork server, before they could reap.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool, GraderPool(jobs) as graders:
        futures = [pool.submit(_grade_one, s, out, version, graders, force=force, budget=budget,
                               extra_args=extra_args or []) for s in submissions]
        try:
            for future in as_completed(futures):
                outcome = future.result()
                with lock:
                    outcomes[outcome.student] = outcome
                    _save_grades(out, submissions, outcomes)
                if progress:
                    progress(outcome)
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            _save_grades(out, submissions, outcomes)
            raise
    problem = _save_grades(out, submissions, outcomes)
    if problem:
        raise GradesNotWritten(problem + "; the grades file there is the last one written, "
                               "and a re-run grades the students whose results are missing")
    return submissions, outcomes
