"""Where the sandbox cannot confine submissions, no path grades silently.

Landlock is made unavailable as gVisor or a strict container seccomp profile makes it: its
system calls fail with ENOSYS (`landlock_off`). Then `grade`, `batch`, `classroom`, `selftest`
(the Gradescope image build) and Gradescope's `run_autograder` refuse with one line saying
what is missing and how to fix it, before any of the submission runs; with `--allow-unconfined`
they grade, and every result says it was graded unconfined.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from landlock_off import without_landlock

from autograder.course.paths import ROOT, SOLUTION_FILE
from autograder.platforms.gradescope import bundle as gradescope_bundle
from autograder.sandbox import landlock


pytestmark = pytest.mark.skipif(landlock.abi_version() < 1, reason="Landlock is not available on this kernel")

sys.path.insert(0, str(Path(__file__).parent / "submissions"))
import hostile  # noqa: E402


# Reads the graders and the reference wherever it can find them and puts them into every message it can.
THIEF = hostile.replace_body(hostile.at_import(hostile.STEAL), "relu", "raise RuntimeError(_steal())")
GRADER_TEXT = "def test_"  # every grader file holds it; no student-facing text may
REFUSAL = "refusing to grade: submissions would run not confined: Landlock is not available"


def autograder(*args: str, cwd: Path | None = None, unconfined: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograder", *args]
    return subprocess.run(without_landlock(command) if unconfined else command, capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def one_line(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_grade_refuses_before_the_submission_runs(tmp_path):
    planted = tmp_path / "ran.txt"
    submission = tmp_path / "thief.py"
    submission.write_text(f"open({str(planted)!r}, 'w').write('ran')\n" + THIEF, encoding="utf-8")
    done = autograder("grade", str(submission), "--out", str(tmp_path / "out"))
    assert done.returncode == 1
    line = one_line(done)
    assert line.startswith(f"autograder grade: {REFUSAL}")
    assert "seccomp profile that allows landlock_create_ruleset" in line and "--allow-unconfined" in line
    assert not (tmp_path / "out").exists() and not planted.exists()  # nothing of it ran, nothing was recorded


def test_with_allow_unconfined_every_result_says_how_it_was_graded(tmp_path):
    done = autograder("grade", str(SOLUTION_FILE), "--out", str(tmp_path / "out"), "--allow-unconfined")
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["score"] == 68
    assert results["extra_data"]["confinement"].startswith("not confined: Landlock is not available")
    assert "Graded without confinement (--allow-unconfined)" in results["output"]  # what Gradescope always shows
    assert "Graded without confinement" in done.stdout  # the summary
    assert 'name="confinement" value="not confined' in (tmp_path / "out" / "junit.xml").read_text()


def test_a_confined_result_records_its_confinement_and_no_note(tmp_path):
    done = autograder("grade", str(SOLUTION_FILE), "--out", str(tmp_path / "out"), unconfined=False)
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["extra_data"]["confinement"] == "confined"
    assert "without confinement" not in results["output"] and "warning" not in done.stderr


def test_batch_and_classroom_refuse_with_one_line(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(SOLUTION_FILE, folder / "ada.py")
    batch = autograder("batch", str(folder), "--out", str(tmp_path / "graded"))
    assert batch.returncode == 1 and one_line(batch).startswith(f"autograder batch: {REFUSAL}")
    assert not (tmp_path / "graded" / "grades.csv").exists()
    room = autograder("classroom", str(folder), "--out", str(tmp_path / "grading"))
    assert room.returncode == 1 and one_line(room).startswith(f"autograder classroom: {REFUSAL}")


def test_the_install_check_refuses_so_an_image_build_fails():
    done = autograder("selftest", cwd=ROOT)
    assert done.returncode == 1 and one_line(done).startswith(f"autograder selftest: {REFUSAL}")
    allowed = autograder("selftest", "--allow-unconfined", cwd=ROOT)
    assert allowed.returncode == 0 and "in a sandbox that is not confined" in allowed.stdout


def gradescope_run(tmp_path: Path, allow_unconfined: bool) -> tuple[subprocess.CompletedProcess, dict]:
    root = tmp_path / "autograder"
    with zipfile.ZipFile(gradescope_bundle.build(tmp_path / "b.zip", allow_unconfined=allow_unconfined)) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    (root / "submission" / "submission.py").write_text(THIEF, encoding="utf-8")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable,
               PYTHONPATH=str(root / "source" / "course"))
    done = subprocess.run(without_landlock(["/bin/bash", str(root / "run_autograder")]), env=env, capture_output=True,
                          text=True, timeout=600)
    return done, json.loads((root / "results" / "results.json").read_text())


def test_gradescope_refuses_and_tells_the_student_without_running_anything(tmp_path):
    done, results = gradescope_run(tmp_path, allow_unconfined=False)
    assert done.returncode == 1 and one_line(done).startswith(f"autograder gradescope-run: {REFUSAL}")
    assert results["score"] == 0 and results["tests"]
    assert all("cannot run submissions safely" in t["output"] and "not your fault" in t["output"]
               for t in results["tests"])
    assert GRADER_TEXT not in json.dumps(results)


def test_a_gradescope_bundle_built_to_allow_it_grades_unconfined_and_says_so(tmp_path):
    done, results = gradescope_run(tmp_path, allow_unconfined=True)
    assert done.returncode == 0, done.stderr
    assert results["extra_data"]["confinement"].startswith("not confined")
    assert "Graded without confinement" in results["output"]
    # unconfined, the thief does reach the graders: exactly the risk the flag accepts; the redaction still holds
    relu = [t for t in results["tests"] if t["tags"][0] == "relu"]
    assert relu and all(t["score"] == 0 for t in relu)
    assert GRADER_TEXT not in json.dumps(results)
