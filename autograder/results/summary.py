"""The short, readable summary `autograder grade` prints: points per graded cell, first failure of each."""

from __future__ import annotations

from autograder.results.cells import by_cell
from autograder.results.model import GradingResult


def _short(text: str, width: int = 110) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "failed"
    return line if len(line) <= width else line[: width - 3] + "..."


def render(result: GradingResult, title: str) -> str:
    """The score line, a line per graded cell (its points, and its first failure), then the notes."""
    passed = sum(t.passed for t in result.tests)
    lines = [f"{title}: {result.score:g} / {result.max_score:g} points, {passed} of {len(result.tests)} checks passed "
             f"({result.execution_time:.1f} s)"]
    groups = by_cell(result.tests)
    width = max(len(cell) for cell in groups) if groups else 0
    for cell, tests in groups.items():
        score, top = sum(t.score for t in tests), sum(t.max_score for t in tests)
        failed = [t for t in tests if not t.passed]
        line = f"  {cell:<{width}}  {score:>4g} / {top:<4g}"
        if failed:
            line += f"  {len(failed)} failed, first: {_short(failed[0].output)}"
        lines.append(line.rstrip())
    if result.notes:
        lines += ["", *result.notes]
    return "\n".join(lines)
