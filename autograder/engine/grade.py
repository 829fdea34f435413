"""Grade one submission: a `GradeRequest` in, a `GradingResult` out.

This process holds the graders, the reference solution and the scores; the submission
only ever runs in the worker. Whatever the submission does, a `GradingResult` comes back
with a line for every check. What stops a submission from being graded at all (no such
file, graders that cannot run, a machine that cannot confine it) is raised, and
`why_not_graded` says it in one plain line.

A grade has two phases, each with a worker of its own that loads the submission afresh:
the visible checks first, then the hidden ones. The first worker has ended before the
second starts, so everything students see before grades are published (the visible
checks' results, the notes on loading: `visible_and_report`, which is all `autograder
check` runs) is settled before any hidden check's input exists in any worker.
"""

from __future__ import annotations

import errno
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from autograder.course import modules
from autograder.course.paths import RELEASE_DIR
from autograder.engine import integrity
from autograder.engine.load_notes import load_notes
from autograder.engine.locate import SUFFIXES, find_submission
from autograder.engine.plugin import GraderError, PhaseResults, merged, run_phase, unrun_results
from autograder.engine.redact import redact
from autograder.engine.student import Student
from autograder.results.causes import Cause
from autograder.results.model import GradingResult, LoadProblem, LoadProblemKind, TestResult
from autograder.sandbox import confinement, scratch
from autograder.sandbox.handle import Limits, LoadFailure, LoadReport, SandboxError, WorkerHandle, prestart


DEFAULT_BUDGET_SECONDS = 600.0
_SWEPT: list = []  # once per process: see `scratch.sweep`
_UNRUN: dict[str, list[TestResult]] = {}  # course fingerprint -> every check unrun: collected once per process


@dataclass(frozen=True)
class GradeRequest:
    """One submission to grade, and how: the worker's `limits`, the submission's total time, and the functions
    whose checks run (`only`; all when empty). `to_json` and `from_json` carry it to another process."""

    submission: Path
    limits: Limits = field(default_factory=Limits)
    budget_seconds: float = DEFAULT_BUDGET_SECONDS
    only: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"submission": str(self.submission), "limits": asdict(self.limits),
                "budget_seconds": self.budget_seconds, "only": list(self.only)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GradeRequest:
        """The request `to_json` gave; KeyError, TypeError or ValueError for anything else."""
        known = {f.name for f in fields(Limits)}
        limits = data.get("limits") or {}
        if not isinstance(limits, dict) or set(limits) - known:
            raise ValueError(f"unknown limits {sorted(set(limits) - known) if isinstance(limits, dict) else limits}")
        return cls(submission=Path(str(data["submission"])), limits=Limits(**limits),
                   budget_seconds=float(data.get("budget_seconds", DEFAULT_BUDGET_SECONDS)),
                   only=tuple(str(f) for f in data.get("only") or ()))


def warm_up() -> None:
    """Load pytest, numpy, the graders and the course's modules now, so that the next grade does not pay for them."""
    _untouched(integrity.fingerprint())


def _untouched(course: str) -> list[TestResult]:
    """`unrun_results("")` for the course files whose fingerprint is `course` (a warm grader reuses it)."""
    if course not in _UNRUN:
        _UNRUN.clear()
        _UNRUN[course] = unrun_results("")
    return list(_UNRUN[course])


def why_not_graded(exc: BaseException) -> str | None:
    """One plain line for an exception that kept a submission from being graded at all; None for any other."""
    if isinstance(exc, (SubmissionError, confinement.Unconfined)):
        return str(exc)
    if isinstance(exc, GraderError):
        return f"the graders could not run ({exc})"
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the grading machine's disk is full ({exc.strerror}); nothing was graded"
    return None


def limit_own_memory(megabytes: int) -> None:
    """This grading process's own address space, apart from its workers': past it, a call whose arguments made
    the grader allocate too much is stopped (MemoryError), not the machine. Never raised above what it was."""
    wanted = megabytes * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if (soft == resource.RLIM_INFINITY or soft > wanted) and (hard == resource.RLIM_INFINITY or wanted <= hard):
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


class SubmissionError(ValueError):
    """The path cannot be graded at all (missing, a folder, not a notebook or Python file)."""


def check_path(path: Path) -> Path:
    """`path` if it names a readable .ipynb or .py file; SubmissionError with one plain line otherwise."""
    if not path.exists():
        raise SubmissionError(f"{path} does not exist")
    if path.is_dir():
        raise SubmissionError(f"{path} is a folder; give the notebook (.ipynb) or Python file (.py) inside it")
    if path.suffix not in SUFFIXES:
        raise SubmissionError(f"{path} is neither a notebook (.ipynb) nor a Python file (.py)")
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as exc:
        raise SubmissionError(f"{path} cannot be read ({exc.strerror or exc})") from None
    return path


def _kind(failure: LoadFailure) -> LoadProblemKind:
    if failure.kind != "raised":
        return failure.kind
    return "memory" if failure.exception == "MemoryError" else "statement"


def load_problems(report: LoadReport) -> list[LoadProblem]:
    """What went wrong while loading, one entry per problem, with its kind (see `LoadProblem`)."""
    if report.unreadable:
        return [LoadProblem("unreadable", "", redact(report.unreadable))]
    return [LoadProblem(_kind(failure), failure.where, redact(failure.message)) for failure in report.failures]


def grade(request: GradeRequest) -> GradingResult:
    """Run the graders on the request's submission (checked with `check_path` first).

    Raises SubmissionError for a path that cannot be graded, GraderError when the graders cannot run, and
    `confinement.Unconfined` before any of the submission runs where the sandbox cannot confine it, unless
    `limits.allow_unconfined`; the result's `confinement` then says how it ran, and its notes say so too.
    """
    return grade_and_report(request)[0]


def grade_and_report(request: GradeRequest, on_visible: Callable[[GradingResult], None] | None = None
                     ) -> tuple[GradingResult, LoadReport]:
    """`grade`, and what loading the submission found (its pitfalls too: see `sandbox.pitfalls`).

    `on_visible`, if given, gets what `visible_and_report` would return once the visible phase is over and before
    any hidden check runs (Gradescope writes it out, so that what its students see is settled then)."""
    return _graded(request, hidden=True, on_visible=on_visible)


def visible_and_report(request: GradeRequest) -> tuple[GradingResult, LoadReport]:
    """The official grade's visible phase alone, as `grade` runs it (raises what `grade` raises): the visible
    checks' results, second runs included, and what loading found. No hidden check runs."""
    return _graded(request, hidden=False)


@contextmanager
def _loaded(submission: Path, limits: Limits) -> Iterator[tuple[WorkerHandle, LoadReport]]:
    """A fresh worker that has loaded `submission`, and what loading found; the worker ends on leaving."""
    with WorkerHandle(submission, path_entries=[RELEASE_DIR], release=list(modules.release_skeleton()),
                      limits=limits) as worker:
        try:
            report = worker.load()
        except SandboxError as exc:
            report = LoadReport(unreadable=str(exc))
        yield worker, report


def _graded(request: GradeRequest, *, hidden: bool,
            on_visible: Callable[[GradingResult], None] | None = None) -> tuple[GradingResult, LoadReport]:
    """The visible phase, then (if `hidden`) the hidden one, each in its own worker; see the module's docstring."""
    started = time.monotonic()
    submission = check_path(Path(request.submission))
    limits, only = request.limits, list(request.only) or None
    if not _SWEPT:  # folders left by grades that were killed outright (their copies of submissions among them)
        _SWEPT.append(scratch.sweep())
    prestart(limits)  # the workers' pre-loaded parent loads while the graders are collected
    before = integrity.fingerprint()
    untouched = _untouched(before)  # the graders as they are now, in case the submission changes them
    phases: list[PhaseResults] = []
    notes: list[str] = []
    try:
        with _loaded(submission, limits) as (worker, report):
            student = Student(worker, report, budget_seconds=request.budget_seconds, unreadable=report.unreadable)
            phases.append(run_phase(student, "visible", only))
        # That worker has ended: what it was shown, and made of it, stays with it.
        notes = _notes(report)
        if on_visible is not None and integrity.fingerprint() == before:
            on_visible(_result(merged(*phases), started, notes, report))
        if hidden:
            with _loaded(submission, limits) as (worker, hidden_report):
                phases.append(run_phase(student.moved_to(worker, hidden_report), "hidden", only, phases[0].failing))
    except GraderError:
        if integrity.fingerprint() == before:
            raise  # the graders are broken by themselves: the instructor must hear of it
    if integrity.fingerprint() != before:
        print(f"autograder: the course's files changed while {submission} was graded; restore them "
              "(git checkout) before grading anything else", file=sys.stderr)
        result = _nothing(untouched, "the submission changed the course's own files while it was graded", started)
        result.confinement, result.repairs = report.confinement, list(report.repairs)
    else:
        result = _result(merged(*phases), started, notes, report)
    return result, report


def _notes(report: LoadReport) -> list[str]:
    """The notes on loading (`load_notes`), the confinement's first where it was not enough."""
    notes = load_notes(report)
    if report.confinement and report.confinement != confinement.CONFINED:
        print(f"autograder: warning: the worker was {report.confinement}", file=sys.stderr)
        if not confinement.acceptable(report.confinement):  # graded anyway, as the instructor said: everyone sees it
            notes.insert(0, confinement.unconfined_note(report.confinement))
    return notes


def _result(tests: list[TestResult], started: float, notes: list[str], report: LoadReport) -> GradingResult:
    """The result of `tests`, with what loading (`report`) found."""
    result = _finish(tests, started, notes, load_problems(report))
    result.confinement = report.confinement
    result.repairs = list(report.repairs)
    return result


def grade_nothing(reason: str) -> GradingResult:
    """The result when there is no submission to grade: every check at 0, each saying `reason`."""
    return _nothing(unrun_results(""), reason, time.monotonic())


def _nothing(tests: list[TestResult], reason: str, started: float) -> GradingResult:
    zeros = [replace(t, score=0.0, output=f"Not graded: {reason}.", cause=Cause.UNREADABLE) for t in tests]
    return _finish(zeros, started, [f"Nothing was graded: {reason}."], [LoadProblem("unreadable", "", reason)])


def _finish(tests: list[TestResult], started: float, notes: list[str],
            problems: list[LoadProblem] | None = None) -> GradingResult:
    """The result, with the score line and the notes as its top-level output."""
    result = GradingResult(tests, execution_time=time.monotonic() - started, notes=notes,
                           load_problems=list(problems or []))
    result.output = "\n".join([_score_line(result), *notes])
    return result


def grade_folder(folder: Path, *, limits: Limits | None = None, budget_seconds: float = DEFAULT_BUDGET_SECONDS,
                 on_visible: Callable[[GradingResult], None] | None = None) -> GradingResult:
    """Grade the submission `find_submission` picks in `folder`; a zero with the reason if there is none.
    `on_visible`: see `grade_and_report`."""
    path, problem = find_submission(folder) if folder.is_dir() else (None, f"{folder} is not a folder")
    if path is None:
        return grade_nothing(problem)
    try:
        return grade_and_report(GradeRequest(path, limits or Limits(), budget_seconds), on_visible)[0]
    except SubmissionError as exc:
        return grade_nothing(str(exc))


def _score_line(result: GradingResult) -> str:
    passed = sum(t.passed for t in result.tests)
    return f"Score: {result.score:g} / {result.max_score:g} ({passed} of {len(result.tests)} checks passed)."
