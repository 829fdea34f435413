"""Shared fixtures: the reference solution, the flower data, the executed source notebook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


@pytest.fixture(scope="session")
def public():
    """The visible tests, as the notebook imports them."""
    import public_tests

    return public_tests


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """(class folder, output folder, the batch run): the sample class of tests/submissions/corpus.py, graded
    once by the real `autograder batch` with two jobs and 3 s per call (so a hanging function costs little)."""
    sys.path.insert(0, str(Path(__file__).parent / "submissions"))
    import corpus as sample_class

    folder = tmp_path_factory.mktemp("class")
    sample_class.write_class(folder)
    out = tmp_path_factory.mktemp("graded")
    run = subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), "--jobs", "2",
                          "--call-timeout", "3"], capture_output=True, text=True, timeout=1200)
    return folder, out, run
