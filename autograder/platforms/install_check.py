"""Prove an install by grading: the course's reference solution must earn full marks on it.

`--help` working proves only that the package imports. An install on a Python or with
package versions that the graders do not work with would then score every student 0,
so the Gradescope image build, the Classroom workflow and `autograder selftest` grade
the reference solution instead, and fail loudly when it does not get every point.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from importlib import metadata

from autograder.course.paths import SOLUTION_FILE
from autograder.engine.grade import GradeRequest, grade
from autograder.results.model import GradingResult
from autograder.sandbox.handle import Limits


PACKAGES = ("numpy", "matplotlib", "h5py", "nbgrader", "pytest")


def environment() -> str:
    """'Python 3.10.13 (/usr/bin/python3); numpy 2.2.6, matplotlib 3.10.0, ...': what this install runs on."""
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} not installed")
    return f"Python {platform.python_version()} ({sys.executable}); {', '.join(found)}"


@dataclass(frozen=True)
class InstallCheck:
    """What grading the reference solution gave here; `ok` only with every point."""

    result: GradingResult

    @property
    def ok(self) -> bool:
        return self.result.max_score > 0 and self.result.score == self.result.max_score

    def line(self) -> str:
        """One line for the person installing: the score, what was found, and the first failure if any."""
        score = f"{self.result.score:g}/{self.result.max_score:g}"
        if self.ok:
            return (f"install verified: the reference solution scores {score} here, in a sandbox that is "
                    f"{self.result.confinement or 'of unknown confinement'} ({environment()})")
        failed = [t for t in self.result.tests if not t.passed]
        first = failed[0].output.strip().splitlines()[0] if failed and failed[0].output.strip() else ""
        return (f"this install grades the reference solution {score}, not full marks, so it would grade students "
                f"wrongly. Found {environment()}. First failed check, {failed[0].name if failed else '?'}: {first}")


def check(limits: Limits | None = None) -> InstallCheck:
    """Grade the reference solution (`solutions/`) with the installed graders, in the sandbox."""
    return InstallCheck(grade(GradeRequest(SOLUTION_FILE, limits)))
