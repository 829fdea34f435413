"""The outcome of grading one submission, independent of any output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from autograder.results.causes import Cause


VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


@dataclass
class TestResult:
    """One graded check. `tags` name the graded function(s) it grades (then those it relies on);
    `cause` is the mistake the check recognised (a `Cause`; its code is accepted too), if any."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    score: float
    max_score: float
    output: str = ""
    tags: list[str] = field(default_factory=list)
    visibility: str = "visible"
    cause: Cause | None = None

    def __post_init__(self) -> None:
        if self.cause is not None and not isinstance(self.cause, Cause):
            self.cause = Cause(self.cause)  # ValueError for a code no check may use
        if self.visibility not in VISIBILITIES:
            raise ValueError(f"visibility {self.visibility!r} is not one of {VISIBILITIES}")
        if not 0 <= self.score <= self.max_score:
            raise ValueError(f"score {self.score} outside 0..{self.max_score} for {self.name!r}")

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score

    @property
    def status(self) -> str:
        return "passed" if self.passed else "failed"


LoadProblemKind = Literal["unreadable", "statement", "timeout", "crash", "memory"]
LOAD_PROBLEM_KINDS: tuple[LoadProblemKind, ...] = ("unreadable", "statement", "timeout", "crash", "memory")


@dataclass(frozen=True)
class LoadProblem:
    """Something that went wrong while loading the submission, before any check ran.

    `kind`: "unreadable" (nothing could be graded), "statement" (a statement raised),
    "timeout" (a statement hung), "crash" (a statement ended the worker) or "memory".
    """

    kind: LoadProblemKind
    where: str
    message: str


@dataclass
class GradingResult:
    """All checks of one submission, with a summary for the student."""

    tests: list[TestResult]
    execution_time: float = 0.0
    output: str = ""
    notes: list[str] = field(default_factory=list)  # what happened while loading the submission
    load_problems: list[LoadProblem] = field(default_factory=list)
    confinement: str = ""  # how the submission ran: "confined", or what did not hold (see sandbox.confinement)
    repairs: list[str] = field(default_factory=list)  # how a damaged notebook was lined up with the release

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)
