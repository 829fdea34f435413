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
    assert "[FAILED] backward_propagation: the notebook's visible test (0 / 1)" in printed
    assert printed.count("backward_propagation: dW1 is wrong at index (0, 0): expected -0.074964058") == 1
    assert printed.count("Hint: divide by m, the number of examples (missing 1/m).") == 1
    assert printed.count("[FAILED]") >= 5 and "Visible test:" not in printed
    assert course.cell_scores("edited_test")["backward_propagation"] < 8


def autograded_cells(course: Course, student: str) -> dict[str, str]:
    """What each graded test cell printed under autograde, by grade id."""
    nb = json.loads((course.root / "autograded" / student / "planar_classification" / NOTEBOOK).read_text())
    return {c["metadata"]["nbgrader"]["grade_id"]: "".join("".join(o.get("text", "")) for o in c["outputs"]
                                                             if o["output_type"] == "stream")
            for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}


@pytest.mark.parametrize("student", list(STUDENTS))
def test_feedback_has_one_message_per_failed_check_and_each_hint_once(course, student):
    for grade_id, printed in autograded_cells(course, student).items():
        failed = printed.count("[FAILED]")
        assert "Visible test:" not in printed, grade_id  # the graders' own run of the visible test reports it
        hints = [line.strip() for line in printed.splitlines() if line.strip().startswith("Hint:")]
        assert len(hints) == len(set(hints)), grade_id
        lines = printed.splitlines()
        for at, line in enumerate(lines):
            if line.startswith("[FAILED]") and "the notebook's visible test" in line:
                message = lines[at + 1].strip()  # the visible test's own finding, printed by the graders' run of it
                assert sum(other.strip() == message for other in lines) == 1, (grade_id, message)  # other checks
                # may quote it inside their own message ("training on the flower failed: ..."), never repeat it
        if student == "reference":
            assert failed == 0 and printed.startswith("All tests passed for "), grade_id


def test_feedback_runs_without_configuration_warnings(course):
    logs = [text for command, text in course.logs.items() if command.startswith("generate_feedback")]
    assert logs and not any("not recognized" in text or "display_data_priority" in text for text in logs)


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


COURSE_FILES = ["submitted/alice/planar_classification/planar_classification.ipynb",
                "autograded/alice/planar_classification/planar_classification.ipynb",
                "feedback/alice/planar_classification/planar_classification.html",
                "release/planar_classification/planar_classification.ipynb", "exchange/inbound/x.tar.gz",
                "gradebook.db", "grades.csv", "autograder-results/results.json", "grading/results.json",
                "demo-output/figures/flower.png"]


def test_git_ignores_the_course_folders_students_work_and_grades():
    """`git add -A` in the course repository never commits a submission, a feedback page or a grade."""
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    import subprocess

    paths = COURSE_FILES + ["source/planar_classification/planar_classification.ipynb",
                            "assignments/planar_classification/planar_classification.ipynb", "nbgrader_config.py"]
    done = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=root, capture_output=True, text=True)
    assert done.stdout.split() == COURSE_FILES


def test_autograde_runs_the_experiments_definitions_only_and_feedback_keeps_the_students_cells(course):
    from autograder.course.nbgrader_execution import NOT_RUN
    from autograder.course.notebook import cell_role

    submitted = json.loads((course.root / "submitted" / "reference" / "planar_classification" / NOTEBOOK).read_text())
    autograded = json.loads((course.root / "autograded" / "reference" / "planar_classification" / NOTEBOOK).read_text())
    story = [(before, after) for before, after in zip(submitted["cells"], autograded["cells"])
             if after["cell_type"] == "code" and cell_role(after) == "story"]
    experiments = [(b, a) for b, a in story if "nn_model(" in "".join(b["source"])]
    assert experiments, "the story has experiments that train networks"
    for before, after in story:
        assert "".join(after["source"]) == "".join(before["source"])  # the student's cell, as written
    for _, after in experiments:
        texts = ["".join(o.get("text", "")) for o in after["outputs"]]
        assert NOT_RUN in texts and not any(o["output_type"] == "display_data" for o in after["outputs"])


def test_definitions_only_keeps_imports_defs_and_classes():
    from autograder.course.nbgrader_execution import definitions_only

    source = "%matplotlib inline\nimport numpy as np\nx = train()\ndef helper(a):\n    return a\nclass K:\n    pass\nplot(x)\n"
    assert definitions_only(source) == "import numpy as np\n\ndef helper(a):\n    return a\n\nclass K:\n    pass"
    assert definitions_only("def broken(:\n") == "" and definitions_only("x = 1\n") == ""
