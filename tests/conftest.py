"""Shared fixtures: the reference solution, the flower data, the executed source notebook."""

from __future__ import annotations

import sys

import pytest

from autograder.course.paths import SOURCE_DIR
from autograder.course.solutions import load_reference


if str(SOURCE_DIR) not in sys.path:  # planar_utils and public_tests, as the notebook imports them
    sys.path.insert(0, str(SOURCE_DIR))


@pytest.fixture(scope="session")
def ref():
    return load_reference()


@pytest.fixture(scope="session")
def flower():
    import planar_utils

    return planar_utils.load_planar_dataset()


@pytest.fixture(scope="session")
def executed_source():
    """The source notebook run top to bottom in a fresh kernel (about a minute)."""
    from autograder.course.execute import execute
    from autograder.course.paths import SOURCE_NOTEBOOK

    return execute(SOURCE_NOTEBOOK)
