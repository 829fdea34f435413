"""Build the student release with nbgrader's ``generate_assignment``.

nbgrader works in a throw-away course folder holding a copy of the source and the
repository's ``nbgrader_config.py``, so building never touches an instructor's gradebook.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.course import normal_form
from autograder.course.paths import ASSIGNMENT, NBGRADER_CONFIG, RELEASE_DIR, SOURCE_DIR


class ReleaseError(RuntimeError):
    """nbgrader could not build the release."""


def nbgrader_env() -> dict:
    """The environment for nbgrader subprocesses: this interpreter's bin first (nbgrader runs `alembic`)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def generate(out_dir: Path = RELEASE_DIR, source_dir: Path = SOURCE_DIR) -> Path:
    """Run nbgrader generate_assignment on a copy of `source_dir`; the release lands in `out_dir`."""
    with tempfile.TemporaryDirectory(prefix="nbgrader-course-") as tmp:
        course = Path(tmp)
        skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
        shutil.copytree(source_dir, course / "source" / ASSIGNMENT, ignore=skip)
        shutil.copy(NBGRADER_CONFIG, course / "nbgrader_config.py")
        command = [
            sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force",
            f"--CourseDirectory.root={course}", f"--CourseDirectory.db_url=sqlite:///{course}/gradebook.db",
            "--log-level=WARN",
        ]
        done = subprocess.run(command, cwd=course, env=nbgrader_env(), capture_output=True, text=True)
        built = course / "assignments" / ASSIGNMENT
        if done.returncode != 0 or not built.is_dir():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ReleaseError(f"nbgrader generate_assignment failed (exit {done.returncode}): {last}")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.copytree(built, out_dir)
    return out_dir


def normalized(path: Path) -> dict:
    """What of a notebook file makes the assignment (see `normal_form.content`), for comparing two builds."""
    return normal_form.content(json.loads(path.read_text(encoding="utf-8")))


def differences(expected: Path, actual: Path) -> list[str]:
    """Files that differ between two release folders.

    Notebooks are compared by what makes the assignment (cells, sources, nbgrader metadata,
    tags), not by what a front end rewrites when it opens them (kernel display name,
    language_info, cell view flags).
    """
    names = {p.relative_to(expected) for p in expected.rglob("*") if p.is_file()}
    names |= {p.relative_to(actual) for p in actual.rglob("*") if p.is_file()}
    names = {n for n in names if "__pycache__" not in n.parts}
    found = []
    for name in sorted(names):
        a, b = expected / name, actual / name
        if not a.is_file() or not b.is_file():
            found.append(f"{name}: only in {'the fresh build' if b.is_file() else 'the committed release'}")
        elif name.suffix == ".ipynb":
            if normalized(a) != normalized(b):
                found.append(f"{name}: notebook content differs")
        elif not filecmp.cmp(a, b, shallow=False):
            found.append(f"{name}: file differs")
    return found

