"""The course's own Python modules, loaded by path for the grader process.

The grader never imports these through ``sys.path``: a submission's folder could hold a
file of the same name. Each is loaded once from the repository and cached.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType

from autograder.course.paths import ASSIGNMENT, RELEASE_DIR, SOLUTION_FILE, SOURCE_DIR, SOURCE_NOTEBOOK


def load_module(path: Path, name: str) -> ModuleType:
    """Import the file at `path` as a fresh module called `name` (not entered in sys.modules)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def reference() -> ModuleType:
    """The reference solution (solutions/planar_classification.py)."""
    return load_module(SOLUTION_FILE, "planar_reference")


@functools.cache
def public_tests() -> ModuleType:
    """The visible tests and their message helpers, as released to students."""
    return load_module(SOURCE_DIR / "public_tests.py", "planar_public_tests")


@functools.cache
def planar_utils() -> ModuleType:
    """Data loading and plotting helpers of the assignment."""
    return load_module(SOURCE_DIR / "planar_utils.py", "planar_utils_course")


@functools.cache
def release_skeleton() -> tuple[dict, ...]:
    """The release notebook's cells with a grade id, as the sandbox lines a submission up with them."""
    from autograder.course.notebook import skeleton

    return tuple(skeleton(RELEASE_DIR / f"{ASSIGNMENT}.ipynb"))


@functools.cache
def cell_of_function() -> dict[str, str]:
    """Graded function name -> grade_id of its solution cell in the source notebook."""
    from autograder.course.notebook import graded_functions, read_cells

    return graded_functions(read_cells(SOURCE_NOTEBOOK))
