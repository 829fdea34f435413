"""`autograder grade` and `autograder batch` as users run them: outputs, exit codes, resume."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.course.paths import RELEASE_DIR, SOLUTION_FILE
from autograder.engine import numeric
from autograder.engine.grade import GradeRequest, grade
from autograder.engine.plugin import describe, grader_weights
from autograder.runs.submissions import discover


CHECKS = len(grader_weights())  # how many checks the graders have


STUB = RELEASE_DIR / "planar_classification.ipynb"


def autograder(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=600)


def scores(result) -> list[tuple[str, float, str]]:
    return [(t.name, t.score, t.output) for t in result.tests]


# --- grade --------------------------------------------------------------------------------


def test_grade_writes_both_files_and_prints_a_summary(tmp_path):
    run = autograder("grade", str(SOLUTION_FILE), "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"planar_classification.py: 68 / 68 points, {CHECKS} of {CHECKS} checks passed")
    assert "backward_propagation" in run.stdout and "8 / 8" in run.stdout
    document = json.loads((tmp_path / "out" / "results.json").read_text())
    assert document["score"] == 68 and (tmp_path / "out" / "junit.xml").is_file()


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.ipynb", "does not exist"),
    (lambda d: d, "is a folder"),
    (lambda d: (d / "notes.txt").write_text("hi") and d / "notes.txt", "neither a notebook"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, make, message):
    run = autograder("grade", str(make(tmp_path)), "--out", str(tmp_path / "out"))
    assert run.returncode == 2 and message in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def test_an_unreadable_notebook_is_a_graded_zero_with_the_reason(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [')
    run = autograder("grade", str(broken), "--out", str(tmp_path / "out"))
    assert run.returncode == 0 and "Traceback" not in run.stderr
    document = json.loads((tmp_path / "out" / "results.json").read_text())
    assert document["score"] == 0 and len(document["tests"]) == CHECKS
    assert "could not be read" in document["output"]
    assert all("could not be graded" in t["output"] for t in document["tests"])


def test_failing_statements_are_reported_and_cost_nothing_by_themselves(tmp_path):
    source = SOLUTION_FILE.read_text()
    broken = source.replace("# --- layer_sizes (graded)", "import no_such_module\nundefined_name + 1\n")
    path = tmp_path / "student.py"
    path.write_text(broken)
    result = grade(GradeRequest(path))
    assert result.score == 68
    assert any("ModuleNotFoundError: No module named 'no_such_module'" in note for note in result.notes)
    assert any("NameError" in note for note in result.notes)
    assert "2 statements of your code failed to run" in result.output


def test_a_missing_function_is_named_and_costs_only_its_checks(tmp_path):
    source = SOLUTION_FILE.read_text().replace("def collapse_linear(", "def collapse_linear_renamed(")
    path = tmp_path / "student.py"
    path.write_text(source)
    result = grade(GradeRequest(path))
    failed = [t for t in result.tests if not t.passed]
    assert failed and all(t.tags == ["collapse_linear"] for t in failed)
    assert "collapse_linear is not defined in your submission" in failed[0].output


def test_only_runs_the_checks_of_the_named_functions():
    result = grade(GradeRequest(SOLUTION_FILE, only=("relu", "relu_backward")))
    assert result.max_score == 4 and {t.tags[0] for t in result.tests} == {"relu", "relu_backward"}


def test_same_submission_same_score_every_run(tmp_path):
    path = tmp_path / "student.py"
    path.write_text(SOLUTION_FILE.read_text().replace("dZ = dA * (Z > 0)", "dZ = dA * (Z >= 0.1)"))
    first, second = grade(GradeRequest(path)), grade(GradeRequest(path))
    assert scores(first) == scores(second) and first.score < 68


def test_a_planted_conftest_or_pytest_config_changes_nothing(tmp_path):
    """The student's folder and environment cannot reconfigure the graders' pytest run."""
    folder = tmp_path / "repo"
    folder.mkdir()
    shutil.copy(STUB, folder / "planar_classification.ipynb")
    (folder / "conftest.py").write_text(
        "import pytest\n"
        "@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n"
        "    outcome.get_result().outcome = 'passed'\n")
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:python --deselect graders\n")
    env = dict(os.environ, PYTEST_ADDOPTS="--co -k nothing", PYTEST_PLUGINS="conftest")
    run = autograder("grade", "planar_classification.ipynb", "--out", "out", cwd=folder, env=env)
    assert run.returncode == 0, run.stderr
    document = json.loads((folder / "out" / "results.json").read_text())
    assert document["score"] == 0 and len(document["tests"]) == CHECKS


def test_internal_errors_are_not_blamed_on_the_student_nor_leak_details():
    text = describe(KeyError("reference_secret"))
    assert "not your fault" in text and "reference_secret" not in text
    assert describe(AssertionError("relu: expected 1, got 2.")) == "relu: expected 1, got 2."


# --- batch --------------------------------------------------------------------------------


def test_discovery_understands_files_and_nbgrader_folders(tmp_path):
    (tmp_path / "ada.ipynb").write_text("{}")
    (tmp_path / "bob.py").write_text("")
    nbgrader = tmp_path / "carol" / "planar_classification"
    nbgrader.mkdir(parents=True)
    (nbgrader / "planar_classification.ipynb").write_text("{}")
    (nbgrader / "scratch.ipynb").write_text("{}")
    (tmp_path / "carol" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "carol" / ".ipynb_checkpoints" / "planar_classification-checkpoint.ipynb").write_text("{}")
    (tmp_path / "dave").mkdir()
    (tmp_path / "dave" / "a.ipynb").write_text("{}")
    (tmp_path / "dave" / "b.ipynb").write_text("{}")
    (tmp_path / "erin").mkdir()
    (tmp_path / ".hidden.py").write_text("")
    found = {s.student: s for s in discover(tmp_path)}
    assert sorted(found) == ["ada", "bob", "carol", "dave", "erin"]
    assert found["carol"].path == nbgrader / "planar_classification.ipynb"
    assert found["dave"].path is None and "cannot tell which" in found["dave"].problem
    assert found["erin"].path is None and "no notebook" in found["erin"].problem


def test_batch_resumes_and_force_regrades(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    shutil.copy(SOLUTION_FILE, folder / "ada.py")
    (folder / "bob.py").write_text("def relu(Z):\n    return Z * (Z > 0)\n")
    (folder / "carol").mkdir()  # nothing to grade: an error row, the batch goes on
    first = autograder("batch", str(folder), "--out", str(out), "--jobs", "2")
    assert first.returncode == 1 and "carol: no notebook or Python file" in first.stdout
    assert "2 of 3 submissions graded" in first.stdout
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows["ada"]["score"] == "68" and rows["ada"]["relu_interpolant"] == "3"
    assert rows["bob"]["status"] == "graded" and 0 < float(rows["bob"]["score"]) < 68
    assert rows["carol"]["status"] == "error"

    again = autograder("batch", str(folder), "--out", str(out))
    assert again.stderr.count("(already graded)") == 2

    (folder / "bob.py").write_text((folder / "bob.py").read_text() + "\ndef linear(Z):\n    return Z\n")
    changed = autograder("batch", str(folder), "--out", str(out))
    assert changed.stderr.count("(already graded)") == 1 and "bob: " in changed.stderr

    forced = autograder("batch", str(folder), "--out", str(out), "--force")
    assert "(already graded)" not in forced.stderr
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert float(rows["bob"]["score"]) > 0


def test_batch_refuses_a_missing_folder(tmp_path):
    run = autograder("batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert run.returncode == 2 and "is not a folder" in run.stderr


# --- numerical tools ----------------------------------------------------------------------


def test_best_linear_accuracy_is_exact_on_separable_and_xor_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 200))
    assert numeric.best_linear_accuracy(X, (X[0] + 2 * X[1] > 0.3)[None]) == 1.0
    xor = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    assert numeric.best_linear_accuracy(xor, np.array([[0, 1, 1, 0]])) == 0.75


def test_parameter_gradients_match_a_known_derivative():
    parameters = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[0.5]]), "W2": np.array([[3.0]]), "b2": np.array([[0.0]])}
    grads = numeric.parameter_gradients(lambda p: float(np.sum(p["W1"] ** 2) + 3 * p["b2"][0, 0]), parameters)
    np.testing.assert_allclose(grads["dW1"], [[2.0, -4.0]], rtol=1e-6)
    np.testing.assert_allclose(grads["db2"], [[3.0]], rtol=1e-6)
    assert numeric.relative_error(grads["dW1"], [[2.0, -4.0]]) < 1e-7
