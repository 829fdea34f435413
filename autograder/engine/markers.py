"""Declarative weights for the graders: points, graded functions, visibility.

    @graded(2, "relu", "relu_backward")
    def test_relu_values(student): ...

The first function named decides which graded cell the points belong to; `uses` lists
the student's functions a check also relies on (an end-to-end run of nn_model uses
forward_propagation, ...), so a bug there is charged to them as well and nowhere else.
Public checks are the ones the notebook shows; the rest stay hidden until published.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Weight:
    points: float
    functions: tuple[str, ...]
    uses: tuple[str, ...] = ()
    public: bool = False

    @property
    def tags(self) -> list[str]:
        return list(dict.fromkeys(self.functions + self.uses))

    @property
    def visibility(self) -> str:
        return "visible" if self.public else "after_published"


def graded(points: float, *functions: str, uses: Sequence[str] = (), public: bool = False) -> Callable:
    """Mark a grader test as worth `points`, grading `functions` (and relying on `uses`)."""
    if not functions:
        raise ValueError("a graded test names at least one graded function")
    return pytest.mark.graded(Weight(float(points), tuple(functions), tuple(uses), public))


def weight_of(item: pytest.Item) -> Weight | None:
    marker = item.get_closest_marker("graded")
    return marker.args[0] if marker else None
