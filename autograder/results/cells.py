"""Which graded cell of the notebook a check belongs to: the solution cell of the first function it grades.

The one place this is worked out; `autograder grade`'s summary, grades.csv, the class report
and nbgrader's test cells all group checks with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from autograder.course import modules
from autograder.results.model import TestResult


OTHER = "other"  # the group of a check that grades no function


def cell_names() -> list[str]:
    """The grade ids of the graded solution cells, in notebook order."""
    return list(dict.fromkeys(modules.cell_of_function().values()))


def cell_of(test: TestResult) -> str:
    """The grade id of the solution cell of the first function `test` grades (the function's name if no cell has it)."""
    if not test.tags:
        return OTHER
    return modules.cell_of_function().get(test.tags[0], test.tags[0])


def by_cell(tests: Iterable[TestResult]) -> dict[str, list[TestResult]]:
    """`tests` grouped by their graded cell, cells in notebook order (then any others), tests in their order."""
    groups: dict[str, list[TestResult]] = {cell: [] for cell in cell_names()}
    for test in tests:
        groups.setdefault(cell_of(test), []).append(test)
    return {cell: group for cell, group in groups.items() if group}


def cell_points(tests: Iterable[TestResult]) -> dict[str, float]:
    """Points scored per graded cell (only cells with checks)."""
    return {cell: round(sum(t.score for t in group), 6) for cell, group in by_cell(tests).items()}
