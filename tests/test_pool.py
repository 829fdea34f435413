"""Warm grader processes (autograder.runs.pool): the same grades as `autograder grade`, nothing carried
from one submission to the next, and a grader process that dies or hangs costs only its submission."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.course.paths import ROOT, SOLUTION_FILE
from autograder.engine.grade import GradeRequest
from autograder.runs.pool import GraderTimeout, GraderUnavailable, WarmGrader


REFERENCE = SOLUTION_FILE.read_text(encoding="utf-8")
ONLY = ("layer_sizes", "initialize_parameters")

# Loading it leaves marks wherever a later submission might look: in numpy, in builtins, in its home folder,
# in the environment. Its own functions are the reference's.
MARKER = REFERENCE + '''
import builtins, os, numpy
numpy.left_behind = "marker"
builtins.left_behind = "marker"
os.environ["LEFT_BEHIND"] = "marker"
open("left_behind.txt", "w").write("marker")
'''

# Correct only where nothing of an earlier submission can be seen; any mark makes layer_sizes wrong.
LOOKER = REFERENCE.replace("def layer_sizes(X, Y):", '''def layer_sizes(X, Y):
    import builtins, os, numpy
    seen = (hasattr(numpy, "left_behind") or hasattr(builtins, "left_behind") or "LEFT_BEHIND" in os.environ
            or os.path.exists("left_behind.txt"))
    if seen:
        return (0, 0, 0)
    return _layer_sizes(X, Y)


def _layer_sizes(X, Y):''', 1)

LOOPING = REFERENCE.replace("def layer_sizes(X, Y):", "def layer_sizes(X, Y):\n    while True:\n        pass\n", 1)


def results(folder: Path) -> list[tuple[str, float, str]]:
    data = json.loads((folder / "results.json").read_text())
    return [(t["name"], t["score"], t.get("output", "")) for t in data["tests"]]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def grader():
    warm = WarmGrader()
    yield warm
    warm.close()


def test_a_warm_grader_grades_as_the_command_does(tmp_path, grader):
    assert LOOKER != REFERENCE and LOOPING != REFERENCE
    buggy = write(tmp_path, "buggy.py", REFERENCE.replace("    n_h = 4\n", "    n_h = 5\n", 1))
    for path in (SOLUTION_FILE, buggy):
        cold = subprocess.run([sys.executable, "-m", "autograder", "grade", str(path), "--out", str(tmp_path / "cold"),
                               "--quiet", "--only", *ONLY], capture_output=True, text=True, timeout=300)
        ended = grader.grade(GradeRequest(path, only=ONLY), tmp_path / "warm", timeout=300)
        assert (ended, cold.returncode) == ("", 0), cold.stderr
        assert results(tmp_path / "warm") == results(tmp_path / "cold")
    assert any(score == 0 for _, score, _ in results(tmp_path / "warm")), "the buggy submission lost points"


def test_what_kept_a_submission_from_a_grade_comes_back_in_one_line(tmp_path, grader):
    assert grader.grade(GradeRequest(tmp_path / "missing.py"), tmp_path / "out", timeout=120) == \
        f"{tmp_path / 'missing.py'} does not exist"
    assert not (tmp_path / "out").exists()


def test_nothing_of_one_submission_reaches_the_next(tmp_path, grader):
    looker, marker = write(tmp_path, "looker.py", LOOKER), write(tmp_path, "marker.py", MARKER)
    alone = grader.grade(GradeRequest(looker, only=ONLY), tmp_path / "alone", timeout=300)
    pid = grader.process.pid
    assert alone == "" and all(score > 0 for _, score, _ in results(tmp_path / "alone"))
    assert grader.grade(GradeRequest(marker, only=ONLY), tmp_path / "marker", timeout=300) == ""
    after = grader.grade(GradeRequest(looker, only=ONLY), tmp_path / "after", timeout=300)
    assert grader.process.pid == pid, "all three were graded by the same warm process"
    assert after == ""
    assert results(tmp_path / "after") == results(tmp_path / "alone")


def test_a_grader_process_killed_mid_grade_costs_only_that_submission(tmp_path, grader):
    looping = write(tmp_path, "looping.py", LOOPING)
    grader.grade(GradeRequest(SOLUTION_FILE, only=ONLY), tmp_path / "first", timeout=300)
    victim, folder, scratch = grader.process.pid, Path(grader.folder), []

    def kill() -> None:
        scratch.extend(folder.glob("autograder-worker-*"))  # the looping submission's worker, still running
        os.kill(victim, 9)
    threading.Timer(3.0, kill).start()
    ended = grader.grade(GradeRequest(looping, only=("layer_sizes",)), tmp_path / "killed", timeout=300)
    assert ended == "the grader process killed by signal 9"
    assert scratch and not folder.exists(), "the killed process's worker folder (a copy of the submission) is gone"
    again = grader.grade(GradeRequest(SOLUTION_FILE, only=ONLY), tmp_path / "again", timeout=300)
    assert again == "" and grader.process.pid != victim
    assert results(tmp_path / "again") == results(tmp_path / "first")


def test_a_grader_that_does_not_answer_in_time_is_stopped(tmp_path, grader):
    looping = write(tmp_path, "looping.py", LOOPING)
    grader.grade(GradeRequest(SOLUTION_FILE, only=ONLY), tmp_path / "first", timeout=300)
    stuck = grader.process
    started = time.monotonic()
    with pytest.raises(GraderTimeout):
        grader.grade(GradeRequest(looping, only=("layer_sizes",)), tmp_path / "slow", timeout=3)
    assert time.monotonic() - started < 10
    assert stuck.poll() is not None and grader.process is None
    again = grader.grade(GradeRequest(SOLUTION_FILE, only=ONLY), tmp_path / "again", timeout=300)
    assert again == "" and results(tmp_path / "again") == results(tmp_path / "first")


def test_a_grader_whose_course_files_changed_leaves_after_answering(tmp_path, monkeypatch):
    course = tmp_path / "course"
    monkeypatch.chdir(tmp_path)  # the grader process imports the copy on PYTHONPATH, not the package in the cwd
    skip = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "*.pyc", "demo-output", "node_modules")
    for name in ("autograder", "source", "solutions", "assignments"):
        shutil.copytree(ROOT / name, course / name, ignore=skip)
    warm = WarmGrader(dict(os.environ, PYTHONPATH=str(course)))
    try:
        first = warm.grade(GradeRequest(SOLUTION_FILE, only=ONLY), tmp_path / "first", timeout=300)
        pid = warm.process.pid
        assert first == "" and warm.process is not None
        grader = course / "autograder" / "graders" / "test_network.py"
        assert grader.is_file()
        grader.write_text(grader.read_text() + "\n# changed while a grader process was warm\n")
        second = warm.grade(GradeRequest(SOLUTION_FILE, only=ONLY), tmp_path / "second", timeout=300)
        assert second == "" and warm.process is None, "it said it was leaving, and was let go"
        third = warm.grade(GradeRequest(SOLUTION_FILE, only=ONLY), tmp_path / "third", timeout=300)
        assert third == "" and warm.process.pid != pid
        assert results(tmp_path / "third") == results(tmp_path / "first")
    finally:
        warm.close()


def test_a_grader_that_cannot_start_says_why_in_one_line(tmp_path, monkeypatch):
    broken = tmp_path / "broken" / "autograder"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('this installation is broken on purpose')\n")
    monkeypatch.chdir(tmp_path)
    warm = WarmGrader(dict(os.environ, PYTHONPATH=str(broken.parent)))
    with pytest.raises(GraderUnavailable) as raised:
        warm.grade(GradeRequest(SOLUTION_FILE), tmp_path / "out", timeout=60)
    assert str(raised.value) == ("a grader process could not start "
                                 "(ImportError: this installation is broken on purpose)")
    assert warm.process is None
