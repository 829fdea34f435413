"""The hidden graders on a corpus: correct solutions (full marks), buggy ones (the right loss), stubs.

The whole corpus is graded once, by the real `autograder batch` command with two jobs;
the tests read the files it wrote.
"""

from __future__ import annotations

import collections
import csv
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograder.course import modules
from autograder.course.notebook import nbgrader_meta, read_notebook
from autograder.course.paths import RELEASE_DIR
from autograder.engine.plugin import grader_weights


SUBMISSIONS = Path(__file__).parent / "submissions"
sys.path.insert(0, str(SUBMISSIONS))

from mutants import MUTANTS  # noqa: E402


CORRECT = ("reference", "reference_notebook", "alternative", "alternative_notebook")


def autograder(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=900)


def result(corpus, student: str) -> dict:
    return json.loads((corpus[1] / student / "results.json").read_text(encoding="utf-8"))


def test_batch_grades_every_submission(corpus):
    folder, out, run = corpus
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert sorted(r["student"] for r in rows) == sorted(p.stem for p in folder.iterdir())
    assert all(r["status"] == "graded" and r["max_score"] == "68" for r in rows)
    assert f"{len(rows)} of {len(rows)} submissions graded" in run.stdout


@pytest.mark.parametrize("student", CORRECT)
def test_correct_solutions_earn_full_marks(corpus, student):
    graded = result(corpus, student)
    failed = [(t["name"], t["output"]) for t in graded["tests"] if t["status"] != "passed"]
    assert failed == [] and graded["score"] == graded["max_score"] == 68


def test_the_unchanged_release_earns_nothing_and_says_why(corpus):
    graded = result(corpus, "stub")
    assert graded["score"] == 0
    assert all("not written yet" in t["output"] or "not defined" in t["output"] for t in graded["tests"])


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_a_bug_costs_points_only_in_the_cell_of_the_function_that_has_it(corpus, mutant):
    """One bug costs once: points are lost only in the graded cell of the function with the bug (an activation and
    its backward share a cell); end-to-end checks of other cells that the bug spoiled keep theirs."""
    graded = result(corpus, mutant.name)
    cells = modules.cell_of_function()
    failed = [t for t in graded["tests"] if t["status"] == "failed"]
    assert failed, f"no check noticed {mutant.name}"
    assert any(t["tags"][0] == mutant.function for t in failed), "the function's own checks must notice its bug"
    strays = [(t["name"], t["output"][:200]) for t in failed if cells[t["tags"][0]] != cells[mutant.function]]
    assert strays == [], "another cell lost points"
    if mutant.hint:
        assert any(mutant.hint in t["output"] for t in failed), [t["output"] for t in failed]


def test_results_json_is_in_the_gradescope_format(corpus):
    graded = result(corpus, "forward_ignores_activation")
    assert {"score", "max_score", "execution_time", "output", "tests"} <= set(graded)
    assert graded["score"] == pytest.approx(sum(t["score"] for t in graded["tests"]))
    assert graded["max_score"] == sum(t["max_score"] for t in graded["tests"])
    functions = set(modules.cell_of_function())
    for test in graded["tests"]:
        assert {"name", "score", "max_score", "status", "output", "tags", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed") and 0 <= test["score"] <= test["max_score"]
        assert test["tags"] and set(test["tags"]) <= functions
        assert test["visibility"] == ("visible" if "visible test" in test["name"] else "after_published")
    assert graded["score"] == 64 and "Score" not in graded["output"]  # hidden checks: the visible text has no total


def test_junit_has_one_testcase_per_check(corpus):
    graded = result(corpus, "update_ascent")
    root = ET.parse(corpus[1] / "update_ascent" / "junit.xml").getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == len(graded["tests"])
    assert len(root.findall(".//failure")) == sum(t["status"] == "failed" for t in graded["tests"])


def test_graders_carry_the_points_of_the_notebooks_test_cells():
    cells = modules.cell_of_function()
    graders = collections.Counter()
    for _, weight in grader_weights():
        graders[cells[weight.functions[0]]] += weight.points
    notebook = {nbgrader_meta(c)["grade_id"].removeprefix("test_"): nbgrader_meta(c)["points"]
                for c in read_notebook().cells if nbgrader_meta(c).get("grade")}
    assert dict(graders) == notebook, "make each test cell's points the sum of its graders' points"


def test_hidden_graders_stay_out_of_the_release():
    released = "\n".join(p.read_text(errors="replace") for p in RELEASE_DIR.rglob("*") if p.suffix in (".py", ".ipynb"))
    for marker in ("autograder.engine", "test_flower_relu", "swaps.", "@graded"):
        assert marker not in released
