"""The code is ruff clean."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.paths import ROOT


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.fail("ruff is not installed: `pip install -e '.[dev]'`")
    done = subprocess.run([ruff, "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
