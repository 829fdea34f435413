"""The time a Gradescope run may take: the assignment's timeout, and the margin kept below it.

See `autograder.platforms.gradescope.run` for what each figure is used for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


DEFAULT_TIMEOUT = 600.0  # Gradescope's default autograder timeout, in seconds
DEFAULT_MARGIN = 60.0


@dataclass(frozen=True)
class TimeLimit:
    """Gradescope's timeout for the assignment and the margin kept below it, in seconds."""

    timeout: float = DEFAULT_TIMEOUT
    margin: float = DEFAULT_MARGIN

    def __post_init__(self) -> None:
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise ValueError(f"the timeout must be a positive number of seconds (got {self.timeout:g} s)")
        if not 0 < self.margin < self.timeout:
            raise ValueError(f"the margin must be positive and less than the timeout of {self.timeout:g} s "
                             f"(got {self.margin:g} s)")

    @property
    def budget(self) -> float:
        """Seconds the grading engine may spend on the submission."""
        return self.timeout - self.margin

    @property
    def watchdog(self) -> float:
        """Seconds after the start at which a run still grading is ended, its zero results in place."""
        return self.timeout - self.margin / 2

    @property
    def hard_stop(self) -> float:
        """Seconds after which run_autograder kills the grader outright."""
        return self.timeout - self.margin / 4
