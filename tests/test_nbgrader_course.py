"""Teaching with the real nbgrader: one course run (real kernels), shared by every test here.

Students: the reference; a partly finished notebook; a backward bug whose author also edited
the locked test cell to print a pass; the reference with one graded cell deleted.
"""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import pytest

from autograder.course import modules, samples
from autograder.course.nbgrader_course import NOTEBOOK, Course
from autograder.course.paths import RELEASE_DIR, SOLUTION_FILE
from autograder.grading.grade import grade
from autograder.grading.summary import by_cell


HIDDEN_SOURCE = ("BEGIN HIDDEN TESTS", "cell_score", "nbgrader_cells", "guarded(")


def partly_finished() -> dict:
    """Only the activations and layer_sizes written; every other graded cell still a stub."""
    done = {"linear", "sigmoid", "tanh", "relu", "layer_sizes"}
    done |= {name + "_backward" for name in done}
    text = SOLUTION_FILE.read_text()
    graded = set(modules.cell_of_function())
    kept = [ast.get_source_segment(text, node) for node in ast.parse(text).body
            if not isinstance(node, ast.FunctionDef) or node.name in done or node.name not in graded]
    return samples.fill_release("\n\n\n".join(kept))


def edited_test_cell() -> dict:
    nb = samples.sample_notebook("backward_bug")
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "test_backward_propagation":
            cell["source"] = 'print("All tests passed for backward_propagation.")'
    return nb


def deleted_cell() -> dict:
    nb = samples.sample_notebook("reference")
    nb["cells"] = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != "collapse_linear"]
    return nb


STUDENTS = {"reference": lambda: samples.sample_notebook("reference"), "partial": partly_finished,
            "edited_test": edited_test_cell, "deleted_cell": deleted_cell}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    course = Course(tmp_path_factory.mktemp("nbgrader") / "course")
    course.generate()
    for student, make in STUDENTS.items():
        course.submit(student, make())
        course.autograde(student)
        course.generate_feedback(student)
    return course


def command_cells(path: Path) -> dict[str, float]:
    """`autograder grade`'s points per graded cell for a submitted notebook."""
    return {cell: sum(t.score for t in tests) for cell, tests in by_cell(grade(path)).items()}


@pytest.mark.parametrize("student, total", [("reference", 68), ("partial", 15), ("edited_test", 56),
                                             ("deleted_cell", 65)])
def test_nbgrader_and_the_command_agree_cell_by_cell(course, student, total):
    submitted = course.root / "submitted" / student / "planar_classification" / NOTEBOOK
    ours = command_cells(submitted)
    theirs = course.cell_scores(student)
    assert theirs == ours
    assert sum(theirs.values()) == total


def test_export_writes_the_same_totals(course):
    assert course.exported_scores() == {"reference": 68, "partial": 15, "edited_test": 56, "deleted_cell": 65}


def test_an_edited_locked_test_cell_is_restored_and_still_fails(course):
    autograded = json.loads((course.root / "autograded" / "edited_test" / "planar_classification" / NOTEBOOK).read_text())
    cell = next(c for c in autograded["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == "test_backward_propagation")
    source = "".join(cell["source"])
    assert "test_backward_propagation(backward_propagation)" in source and "All tests passed" not in source
    printed = "".join("".join(o.get("text", "")) for o in cell["outputs"] if o["output_type"] == "stream")
    assert "Visible test: AssertionError: backward_propagation: dW1" in printed and "missing 1/m" in printed
    assert course.cell_scores("edited_test")["backward_propagation"] < 8


def feedback_text(course: Course, student: str) -> str:
    page = (course.root / "feedback" / student / "planar_classification" / "planar_classification.html").read_text()
    return html.unescape(re.sub(r"<[^>]+>", "", page))  # the page is syntax-highlighted: compare its text


def test_feedback_shows_messages_but_not_hidden_test_source(course):
    text = feedback_text(course, "edited_test")
    assert "missing 1/m" in text and "[FAILED] backward_propagation: values with activation='tanh'" in text
    assert "test_backward_propagation(backward_propagation)" in text
    for marker in HIDDEN_SOURCE:
        assert marker not in text


def test_the_release_holds_no_hidden_test_source():
    released = (RELEASE_DIR / NOTEBOOK).read_text()
    for marker in HIDDEN_SOURCE:
        assert marker not in released
