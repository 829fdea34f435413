"""The numbers of the class report, computed from a ClassResults; nothing here reads files or draws.

Conventions (the tests recompute them from the results files):
- a check's pass rate counts the graded students whose results hold that check;
- a cause is counted once per student and graded function: a student hits cause C in
  function F when at least one failing check of F carries C (no cause: "no diagnosis");
  checks failing with the submission-wide cause "unreadable" are left to the load problems;
- a load problem kind is counted per student (and per occurrence);
- a student's failing functions are those with a failing check (submission-wide causes aside);
  two functions fail together for a student when both have a failing check; a failing
  function's failure is a likely knock-on when a function its failing checks rely on
  (their tags after the first) also fails its own checks.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from autograder.reporting.classdata import Check, ClassResults, StudentResult


SUBMISSION_WIDE = frozenset({"unreadable"})  # reported as load problems, not as a mistake in each function
EXAMPLE_CHARS = 400
EXAMPLE_LINES = 8


@dataclass(frozen=True)
class ScoreSummary:
    scores: list[float]
    max_score: float
    mean: float | None
    median: float | None
    not_graded: int  # error or pending rows


@dataclass(frozen=True)
class CheckRate:
    function: str
    name: str
    passed: int
    total: int

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass
class CauseCount:
    function: str
    cause: str | None
    students: list[str] = field(default_factory=list)
    example: tuple[str, str] = ("", "")  # (student, message) of the first student, in class order


@dataclass
class LoadProblemCount:
    kind: str
    students: list[str] = field(default_factory=list)
    occurrences: int = 0
    example: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class KnockOn:
    """Students failing `function`: how many, and how many of those also fail each function it relies on."""

    function: str
    failing: int
    own: int  # failing with no failing dependency: a misunderstanding of this function itself
    because_of: dict[str, int]


def score_summary(cls: ClassResults) -> ScoreSummary:
    scores = [s.score for s in cls.graded]
    maxima = [s.max_score for s in cls.graded if s.max_score]
    return ScoreSummary(scores=scores, max_score=max(maxima, default=0.0),
                        mean=statistics.fmean(scores) if scores else None,
                        median=statistics.median(scores) if scores else None,
                        not_graded=len(cls.students) - len(cls.graded))


def cell_points(cls: ClassResults) -> dict[str, list[float]]:
    """cell -> the points of each graded student (in grades.csv's cell order)."""
    return {cell: [s.cells[cell] for s in cls.graded if cell in s.cells] for cell in cls.cells}


def cell_maxima(cls: ClassResults) -> dict[str, float]:
    """cell -> its points possible, from the checks' max_score (the first student with results)."""
    maxima: dict[str, float] = {}
    for student in cls.graded:
        if student.checks:
            for check in student.checks:
                maxima[check.cell] = maxima.get(check.cell, 0.0) + check.max_score
            break
    return maxima


def check_rates(cls: ClassResults) -> list[list[CheckRate]]:
    """Pass rate per check, grouped by graded function; worst group first, worst check first within a group."""
    passed: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    for student in cls.graded:
        for check in student.checks:
            key = (check.function, check.name)
            total[key] += 1
            passed[key] += check.passed
    groups: dict[str, list[CheckRate]] = defaultdict(list)
    for (function, name), n in total.items():
        groups[function].append(CheckRate(function, name, passed[(function, name)], n))
    ordered = [sorted(rates, key=lambda r: (r.rate, r.name)) for rates in groups.values()]
    return sorted(ordered, key=lambda rates: (rates[0].rate, rates[0].function))


def _failing(student: StudentResult) -> list[Check]:
    """The student's failing checks, leaving out those failed for a submission-wide cause."""
    return [c for c in student.checks if not c.passed and c.cause not in SUBMISSION_WIDE]


def failing_functions(student: StudentResult) -> set[str]:
    return {c.function for c in _failing(student)}


def cause_counts(cls: ClassResults) -> dict[str, list[CauseCount]]:
    """function -> its causes, most students first; each with the students hitting it and one example."""
    found: dict[tuple[str, str | None], CauseCount] = {}
    for student in cls.graded:
        seen: set[tuple[str, str | None]] = set()
        for check in _failing(student):
            key = (check.function, check.cause)
            if key in seen:
                continue
            seen.add(key)
            count = found.setdefault(key, CauseCount(check.function, check.cause))
            count.students.append(student.student)
            if not count.example[1]:
                count.example = (student.student, _excerpt(check.output))
    by_function: dict[str, list[CauseCount]] = defaultdict(list)
    for count in found.values():
        by_function[count.function].append(count)
    for counts in by_function.values():
        counts.sort(key=lambda c: (-len(c.students), c.cause is None, c.cause or ""))
    return dict(sorted(by_function.items(), key=lambda item: -sum(len(c.students) for c in item[1])))


def _excerpt(text: str) -> str:
    lines = text.strip().splitlines()
    short = "\n".join(lines[:EXAMPLE_LINES])[:EXAMPLE_CHARS]
    return short if short == text.strip() else short.rstrip() + " …"


def load_problem_counts(cls: ClassResults) -> list[LoadProblemCount]:
    """One entry per load-problem kind, most students first."""
    found: dict[str, LoadProblemCount] = {}
    for student in cls.graded:
        for problem in student.load_problems:
            count = found.setdefault(problem.kind, LoadProblemCount(problem.kind))
            count.occurrences += 1
            if student.student not in count.students:
                count.students.append(student.student)
            if not count.example[1]:
                count.example = (student.student, f"{problem.where}: {problem.message}" if problem.where else problem.message)
    return sorted(found.values(), key=lambda c: (-len(c.students), c.kind))


def not_graded(cls: ClassResults) -> list[StudentResult]:
    """Rows with no usable result: error or pending rows, and graded rows whose results.json cannot be read."""
    return [s for s in cls.students if s.status != "graded" or s.problem]


def fail_together(cls: ClassResults) -> tuple[list[str], list[list[int]]]:
    """Functions with any failure (in graded-cell order) and the matrix of students failing both (diagonal: each)."""
    failing = [failing_functions(s) for s in cls.graded]
    order = {f: i for i, f in enumerate(_function_order(cls))}
    functions = sorted(set().union(*failing) if failing else set(), key=lambda f: (order.get(f, len(order)), f))
    matrix = [[sum(a in fs and b in fs for fs in failing) for b in functions] for a in functions]
    return functions, matrix


def knock_ons(cls: ClassResults) -> list[KnockOn]:
    """Per failing function, how many of its failing students also fail a function it relies on."""
    failing_students: Counter[str] = Counter()
    own: Counter[str] = Counter()
    because: dict[str, Counter[str]] = defaultdict(Counter)
    for student in cls.graded:
        broken = failing_functions(student)
        for function in broken:
            relied = {dep for c in _failing(student) if c.function == function for dep in c.relies_on}
            culprits = sorted((relied - {function}) & broken)
            failing_students[function] += 1
            own[function] += not culprits
            because[function].update(culprits)
    order = {f: i for i, f in enumerate(_function_order(cls))}
    return [KnockOn(f, failing_students[f], own[f], dict(because[f].most_common()))
            for f in sorted(failing_students, key=lambda f: (order.get(f, len(order)), f))]


def _function_order(cls: ClassResults) -> list[str]:
    """Graded functions in the order of their first check in the results (notebook order)."""
    seen: dict[str, None] = {}
    for student in cls.graded:
        for check in student.checks:
            seen.setdefault(check.function, None)
    return list(seen)


def grading_times(cls: ClassResults) -> list[tuple[str, float]]:
    """(student, seconds) of every graded student with a recorded time, slowest first."""
    times = [(s.student, s.execution_time) for s in cls.graded if s.execution_time is not None]
    return sorted(times, key=lambda t: (-t[1], t[0]))


def slow(times: list[tuple[str, float]], factor: float = 3.0) -> set[str]:
    """Students whose grading took more than `factor` times the class median (and over 10 s)."""
    if not times:
        return set()
    median = statistics.median(t for _, t in times)
    return {s for s, t in times if t > max(factor * median, 10.0)}
