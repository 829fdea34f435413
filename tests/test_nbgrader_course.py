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
from autograder.course.paths import SOLUTION_FILE
from autograder.engine.grade import GradeRequest, grade
from autograder.platforms.nbgrader.course import NOTEBOOK, Course
from autograder.results.cells import by_cell


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
    return {cell: sum(t.score for t in tests) for cell, tests in by_cell(grade(GradeRequest(path)).tests).items()}


@pytest.mark.parametrize("student, total", [("reference", 68), ("partial", 15), ("edited_test", 61),
                                             ("deleted_cell", 65)])
def test_nbgrader_and_the_command_agree_cell_by_cell(course, student, total):
    submitted = course.root / "submitted" / student / "planar_classification" / NOTEBOOK
    ours = command_cells(submitted)
    theirs = course.cell_scores(student)
    assert theirs == ours
    assert sum(theirs.values()) == total


def test_export_writes_the_same_totals(course):
    assert course.exported_scores() == {"reference": 68, "partial": 15, "edited_test": 61, "deleted_cell": 65}


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
            assert failed == 0 and re.match(r"All \d+ checks passed: [\d.]+ / [\d.]+ points\.", printed), grade_id


def test_autograde_logs_no_changed_checksum_nor_configuration_warning(course):
    """The test cells hold no hidden region any more, so an untouched locked cell matches its checksum."""
    logs = {command.split()[-1]: text for command, text in course.logs.items() if command.startswith("autograde")}
    assert sorted(logs) == sorted(STUDENTS)
    assert "checksum" in logs.pop("edited_test")  # the one student who did edit a locked cell
    assert not any("checksum" in text or "not recognized" in text for text in logs.values())


def test_feedback_runs_without_configuration_warnings(course):
    logs = [text for command, text in course.logs.items() if command.startswith("generate_feedback")]
    assert logs and not any("not recognized" in text or "display_data_priority" in text for text in logs)


def feedback_text(course: Course, student: str) -> str:
    page = (course.root / "feedback" / student / "planar_classification" / "planar_classification.html").read_text()
    return html.unescape(re.sub(r"<[^>]+>", "", page))  # the page is syntax-highlighted: compare its text


def grader_lines() -> set[str]:
    """Lines of the hidden graders' source long enough to be their own, and not in the notebook (signatures)."""
    from autograder.course.paths import GRADERS_DIR, SOURCE_NOTEBOOK

    notebook = SOURCE_NOTEBOOK.read_text() + SOLUTION_FILE.read_text()
    return {line.strip() for path in GRADERS_DIR.glob("*.py") for line in path.read_text().splitlines()
            if len(line.strip()) > 40 and not line.strip().startswith(("#", '"""')) and line.strip() not in notebook}


def test_feedback_shows_messages_but_not_the_graders_source(course):
    text = feedback_text(course, "edited_test")
    assert "missing 1/m" in text and "[FAILED] backward_propagation: values with activation='tanh'" in text
    assert "test_backward_propagation(backward_propagation)" in text
    leaked = sorted(line for line in grader_lines() if line in text)
    assert len(grader_lines()) > 100 and leaked == []


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


def test_autograde_runs_no_cell_and_the_feedback_shows_each_cell_as_submitted(course):
    """Nothing of the notebook runs in a kernel: only the test cells get outputs (the checks and the points), a code
    cell whose statement failed while grading gets that line, and every cell keeps its source as submitted."""
    from autograder.course.notebook import cell_role

    for student in STUDENTS:
        submitted = json.loads((course.root / "submitted" / student / "planar_classification" / NOTEBOOK).read_text())
        autograded = json.loads((course.root / "autograded" / student / "planar_classification" / NOTEBOOK).read_text())
        sources = {"".join(c["source"]) for c in submitted["cells"]}
        for cell in autograded["cells"]:
            if cell["cell_type"] != "code":
                continue
            if cell_role(cell) == "test":
                kinds = [o["output_type"] for o in cell["outputs"]]
                assert kinds == ["stream", "execute_result"], (student, kinds)
            else:
                assert all(o["output_type"] == "stream" and o["text"].startswith("While grading, ")
                           for o in cell["outputs"]), (student, cell["outputs"])
                assert "".join(cell["source"]) in sources or cell_role(cell) in ("setup", "helper")
