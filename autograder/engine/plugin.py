"""Run the hidden graders with pytest, in this process, and collect one result per test.

pytest runs with its own ini file, no conftest files, no third-party plugins and no
terminal output, so nothing beside the submission (a planted ``conftest.py``, a
``pytest.ini``, ``PYTEST_ADDOPTS``) can change how it grades. Outcomes are turned into
`TestResult`s here: a failed check's message is the student-facing text it raised, never
a traceback, so the graders' source does not leak into reports.

The checks run in two phases (`run_phase`), each against its own worker: first the visible
checks, whose results students see before grades are published, then the hidden ones.
Whatever the visible phase shows is decided by the visible checks alone, its second runs
included, so nothing a submission sees or learns during a hidden check can reach it.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Literal

import pytest

from autograder.course.paths import GRADERS_DIR
from autograder.engine.markers import Weight, weight_of
from autograder.engine.student import Student
from autograder.results.causes import Cause
from autograder.results.model import TestResult


INI_FILE = GRADERS_DIR / "grader.ini"
INTERNAL_ERROR = ("The grader could not finish this check ({kind}). This is not your fault; "
                  "please tell your instructor.")


KNOCK_ON = "Fails even with the reference's "  # how the message of a check that failed its second run starts

# The visible checks (what students see before grades are published), or the hidden ones.
Phase = Literal["visible", "hidden"]


class GraderError(RuntimeError):
    """The graders themselves could not be collected or run."""


def describe(exc: BaseException) -> str:
    """The student-facing text for an exception raised while checking."""
    if isinstance(exc, AssertionError):
        text = str(exc).strip()
        return text or "a check failed."
    return INTERNAL_ERROR.format(kind=type(exc).__name__)


# Causes that lie in the checked function itself, whatever the functions it relies on do.
OWN_FAULTS = frozenset({Cause.SIGNATURE, Cause.NOT_DEFINED, Cause.NOT_WRITTEN, Cause.UNREADABLE, Cause.BUDGET,
                        Cause.GRADER_ERROR})


def cause_of(exc: BaseException | None) -> Cause | None:
    """The mistake a failed check recognised (None when it named none). A code no `Cause` has is a grader's
    mistake: said on stderr, and the check keeps its message without a cause."""
    if not isinstance(exc, AssertionError):
        return None if exc is None else Cause.GRADER_ERROR
    code = getattr(exc, "cause", None)
    cause = Cause.parse(code)
    if code and cause is None:
        print(f"autograder: internal error: a check named the unknown cause {code!r}", file=sys.stderr)
    return cause


def _weight(item: pytest.Item) -> Weight:
    """The weight of a collected grader test (a run with a test that has none stops with GraderError)."""
    weight = weight_of(item)
    if weight is None:
        raise GraderError(f"grader test without @graded: {item.nodeid}")
    return weight


class Collector:
    """pytest plugin: provides the fixtures and records each test's outcome."""

    def __init__(self, student: Student | None, only: list[str] | None = None, phase: Phase | None = None):
        """`student`: None only to collect the graders without running them; `phase`: run only its checks (all when
        None)."""
        self._student = student
        self.only = only
        self.phase = phase
        self.order: list[str] = []  # every selected check, whatever its phase, in file order
        self.items: list[pytest.Item] = []
        self.failures: dict[str, BaseException] = {}
        self.problems: list[str] = []
        self.internal: list[str] = []

    # fixtures available to every grader

    @pytest.fixture(scope="session")
    def student(self) -> Student:
        if self._student is None:
            raise GraderError("the graders were collected to be listed, not run")
        return self._student

    @pytest.fixture(scope="session")
    def ref(self):
        from autograder.course import modules

        return modules.reference()

    @pytest.fixture(scope="session")
    def public(self):
        from autograder.course import modules

        return modules.public_tests()

    @pytest.fixture(scope="session")
    def flower(self):
        from autograder.course import modules

        return modules.planar_utils().load_planar_dataset()

    # hooks

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "graded(weight): points and graded functions of a grader test")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        unweighted = [item.nodeid for item in items if weight_of(item) is None]
        if unweighted:
            self.problems.append(f"grader tests without @graded: {unweighted}")
        if self.only and not unweighted:
            items[:] = [item for item in items if set(_weight(item).functions) & set(self.only)]
        self.order = [item.nodeid for item in items]
        if self.phase is not None and not unweighted:
            items[:] = [item for item in items if _weight(item).public == (self.phase == "visible")]
        self.items = list(items)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.problems.append(f"could not collect {report.nodeid}: {report.longreprtext.splitlines()[-1]}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> None:
        if call.excinfo is None or item.nodeid in self.failures:
            return
        exc = call.excinfo.value
        self.failures[item.nodeid] = exc
        if not isinstance(exc, AssertionError):
            self.internal.append(f"{item.nodeid}: {type(exc).__name__}: {exc}")

    def results(self, second_runs: dict[str, tuple[tuple[str, ...], BaseException | None]] | None = None
                ) -> list[TestResult]:
        """One result per check. `second_runs`: nodeid -> (the functions the reference stood in for, the second
        run's failure or None), for checks that failed while a function they rely on fails its own checks."""
        return [result for _, result in self.keyed_results(second_runs)]

    def keyed_results(self, second_runs: dict[str, tuple[tuple[str, ...], BaseException | None]] | None = None
                      ) -> list[tuple[str, TestResult]]:
        """`results`, each with its check's nodeid."""
        out = []
        for item in self.items:
            weight = _weight(item)
            exc = self.failures.get(item.nodeid)
            function = getattr(item, "function", None)
            name = ((function.__doc__ if function else None) or item.name).strip().splitlines()[0]
            if hasattr(item, "callspec"):
                name = name.format(**item.callspec.params)
            output, cause = (describe(exc), cause_of(exc)) if exc else ("", None)
            score = 0.0 if exc else weight.points
            if exc is not None and second_runs and item.nodeid in second_runs:
                stand_ins, again = second_runs[item.nodeid]
                output, cause = _second_run_outcome(stand_ins, output, again)
                score = weight.points if again is None else 0.0
            out.append((item.nodeid, TestResult(name=name, score=score, max_score=weight.points, output=output,
                                                tags=weight.tags, visibility=weight.visibility, cause=cause)))
        return out

    def failing_on_their_own(self) -> set[str]:
        """Functions that fail a check grading them alone (no end-to-end use of others). A check of one function
        charges that function; a check of several (an activation's visible test, which grades its backward pass
        too) charges those its failure says fail on their own (`failing`), else the one it is about (`function`,
        as a visible test's failure names it), else all of them."""
        failing: set[str] = set()
        for item in self.items:
            exc, weight = self.failures.get(item.nodeid), _weight(item)
            if exc is None or weight.uses:
                continue
            alone, named = getattr(exc, "failing", None), getattr(exc, "function", None)
            if len(weight.functions) == 1:
                failing.add(weight.functions[0])
            elif isinstance(alone, list):
                failing.update(f for f in alone if f in weight.functions)
            elif named in weight.functions:
                failing.add(named)
            else:
                failing.update(weight.functions)
        return failing

    def knock_ons(self, failing: set[str] | frozenset[str]) -> dict[tuple[str, ...], list[str]]:
        """Failed checks that rely on functions in `failing` (those that fail their own checks), grouped by those
        functions: for each, the functions the reference is to stand in for when the check runs again. A check's
        points belong to its first function, so every other function it names or uses may be one; a fault of its
        own (not written, not defined, a signature, the budget) is not run again."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for item in self.items:
            exc = self.failures.get(item.nodeid)
            if exc is None or cause_of(exc) in OWN_FAULTS:
                continue
            culprits = tuple(f for f in _weight(item).tags[1:] if f in failing)
            if culprits:
                groups.setdefault(culprits, []).append(item.nodeid)
        return groups


def _names(functions: tuple[str, ...]) -> tuple[str, str]:
    """('forward_propagation and compute_cost', 'fail their') or ('relu', 'fails its')."""
    listed = functions[0] if len(functions) == 1 else ", ".join(functions[:-1]) + " and " + functions[-1]
    return listed, "fails its" if len(functions) == 1 else "fail their"


def _second_run_outcome(stand_ins: tuple[str, ...], first: str, again: BaseException | None
                        ) -> tuple[str, Cause | None]:
    """The message and cause of a check run a second time with the reference standing in for `stand_ins`."""
    listed, verb = _names(stand_ins)
    if again is None:
        lines = first.strip().splitlines() or ["it failed"]
        hint = lines[1].strip() if len(lines) > 1 and lines[1].strip().startswith("Hint:") else ""
        found = f"{lines[0]} {hint}".strip()
        return (f"Passes with the reference's {listed} in place of yours, so these points stay. Your {listed} "
                f"{verb} own checks, which is where {'it costs' if len(stand_ins) == 1 else 'they cost'} points; with "
                f"your own {listed} this check failed: {found}"), None
    return (f"{KNOCK_ON}{listed} in place of yours ({listed} {verb} own checks too):\n"
            f"{describe(again)}"), cause_of(again)


@contextmanager
def _isolated_environment():
    """No third-party pytest plugins, no PYTEST_ADDOPTS, for the duration of the run."""
    saved = {k: os.environ.get(k) for k in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")}
    os.environ.pop("PYTEST_ADDOPTS", None)
    os.environ.pop("PYTEST_PLUGINS", None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _args() -> list[str]:
    return [str(GRADERS_DIR), "-c", str(INI_FILE), "--rootdir", str(GRADERS_DIR), "--noconftest",
            "-p", "no:terminal", "-p", "no:cacheprovider", "-p", "no:stepwise", "--import-mode=importlib",
            "--assert=plain", "--strict-markers", "--capture=sys"]


def _collect() -> Collector:
    collector = Collector(student=None)
    with _isolated_environment():
        code = pytest.main([*_args(), "--collect-only"], plugins=[collector])
    if collector.problems or code != pytest.ExitCode.OK:
        raise GraderError("; ".join(collector.problems or [f"pytest ended with {code!r}"]))
    return collector


def grader_weights() -> list[tuple[str, Weight]]:
    """(test id, weight) of every grader test, collected without running any."""
    return [(item.nodeid, _weight(item)) for item in _collect().items]


def unrun_results(reason: str) -> list[TestResult]:
    """Every grader test at 0 points, each saying `reason`: for when nothing can be graded."""
    return [replace(test, score=0.0, output=reason) for test in _collect().results()]


def _run(student: Student, only: list[str] | None, targets: list[str], phase: Phase | None = None) -> Collector:
    """One pytest run of the grader tests `targets` (the graders' folder, or test ids in it) against `student`, only
    the checks of `phase` if given."""
    collector = Collector(student, only, phase)
    with _isolated_environment():
        code = pytest.main([*targets, *_args()[1:]], plugins=[collector])
    fine = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) + \
        ((pytest.ExitCode.NO_TESTS_COLLECTED,) if only or phase else ())
    if collector.problems or code not in fine:
        problems = collector.problems or [f"pytest ended with {code!r}"]
        raise GraderError("; ".join(problems))
    for line in collector.internal:
        print(f"autograder: internal error in {line}", file=sys.stderr)
    return collector


@dataclass(frozen=True)
class PhaseResults:
    """What one phase found: the result of each check it ran (by nodeid), every selected check's nodeid in file order
    (both phases'), and the functions that fail a check of their own, in this phase or in those before it."""

    results: dict[str, TestResult]
    order: tuple[str, ...]
    failing: frozenset[str]


def run_phase(student: Student, phase: Phase, only: list[str] | None = None,
              failing_before: frozenset[str] = frozenset()) -> PhaseResults:
    """Run the checks of `phase` against `student` (internal errors go to stderr).

    `only` keeps the tests that grade one of those functions (not those that merely use one). A bug costs once:
    a check that failed while functions it relies on fail their own checks runs again with the reference standing
    in for exactly those functions (`Student.stand_ins`), and keeps its points if it then passes. Which functions
    fail their own checks is known from this phase's checks and `failing_before` (what the phases before it found):
    the visible phase, which runs first, decides its second runs by the visible checks alone.
    """
    first = _run(student, only, [str(GRADERS_DIR)], phase)
    failing = frozenset(first.failing_on_their_own()) | failing_before
    second: dict[str, tuple[tuple[str, ...], BaseException | None]] = {}
    for stand_ins, nodeids in first.knock_ons(failing).items():
        student.stand_ins = frozenset(stand_ins)
        try:
            again = _run(student, only, [str(GRADERS_DIR / nodeid) for nodeid in nodeids])
        finally:
            student.stand_ins = frozenset()
        ran = {item.nodeid for item in again.items}
        second.update({nodeid: (stand_ins, again.failures.get(nodeid)) for nodeid in nodeids if nodeid in ran})
    return PhaseResults(dict(first.keyed_results(second)), tuple(first.order), failing)


def merged(*phases: PhaseResults) -> list[TestResult]:
    """The results of `phases`, in file order."""
    found = {nodeid: result for phase in phases for nodeid, result in phase.results.items()}
    order = phases[0].order if phases else ()
    return [found[nodeid] for nodeid in order if nodeid in found]
