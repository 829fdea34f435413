"""The outcome of grading one submission, independent of any output format."""

from __future__ import annotations

from dataclasses import dataclass, field


VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


@dataclass
class TestResult:
    """One graded check. `tags` name the graded function(s) it grades."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    score: float
    max_score: float
    output: str = ""
    tags: list[str] = field(default_factory=list)
    visibility: str = "visible"

    def __post_init__(self) -> None:
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


@dataclass
class GradingResult:
    """All checks of one submission, with a summary for the student."""

    tests: list[TestResult]
    execution_time: float = 0.0
    output: str = ""
    notes: list[str] = field(default_factory=list)  # what happened while loading the submission

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)
