"""Damaged notebooks (tests/submissions/damaged.py) get the same points from nbgrader as from `autograder grade`,
cell by cell, in one autograde run over them all; each student is told what the grader recognised or restored,
and the instructor sees it in the class report."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.course.modules import release_skeleton
from autograder.engine.grade import GradeRequest, grade
from autograder.platforms.nbgrader.course import NOTEBOOK, Course
from autograder.platforms.nbgrader.structure import restore
from autograder.results import results_json
from autograder.results.cells import cell_points
from autograder.sandbox import structure


sys.path.insert(0, str(Path(__file__).parent / "submissions"))

from damaged import KINDS, reference  # noqa: E402


TEST_CELLS = [e["grade_id"] for e in release_skeleton() if e["kind"] == "test"]
# Files nbformat cannot read at all: each is graded 0 with the reason, and the run goes on.
UNREADABLE = {"a_truncated": lambda text: text[:5000], "a_not_json": lambda text: "this is not a notebook\n",
              "a_latin1": lambda text: "# café\n".encode("latin-1").decode("utf-8", "replace") + "\udcff"}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    course = Course(tmp_path_factory.mktemp("damaged") / "course")
    course.generate()
    for kind, damage in KINDS.items():
        course.submit(kind, damage.make())
    for student, spoil in UNREADABLE.items():
        path = course.submit(student, reference())
        path.write_bytes(spoil(path.read_text()).encode("utf-8", "surrogateescape"))
    course.autograde_all()  # one nbgrader run over the whole class: no notebook may stop it
    return course


@pytest.fixture(scope="module")
def command(course, tmp_path_factory) -> dict:
    """The command's result for each damaged notebook as submitted: `autograder batch` over nbgrader's submitted/
    folder, which grades each exactly as `autograder grade` does."""
    out = tmp_path_factory.mktemp("damaged-batch")
    done = subprocess.run([sys.executable, "-m", "autograder", "batch", str(course.root / "submitted"), "--out",
                           str(out), "--jobs", "2"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return {kind: results_json.read(out / kind / results_json.RESULTS_FILE) for kind in KINDS}


@pytest.mark.parametrize("kind", list(KINDS))
def test_nbgrader_gives_a_damaged_notebook_the_commands_points_cell_by_cell(course, command, kind):
    assert course.cell_scores(kind) == cell_points(command[kind].tests)
    assert command[kind].score == KINDS[kind].total


def test_one_autograde_run_over_the_class_grades_every_damaged_notebook(course):
    assert course.exported_scores() == {**{kind: damage.total for kind, damage in KINDS.items()},
                                        **{student: 0 for student in UNREADABLE}}


@pytest.mark.parametrize("student", list(UNREADABLE))
def test_a_file_that_is_no_notebook_gets_0_with_the_reason_in_every_test_cell(course, student):
    autograded = json.loads((course.root / "autograded" / student / "planar_classification" / NOTEBOOK).read_text())
    outputs = ["".join("".join(o.get("text", "")) for o in c["outputs"] if o.get("output_type") == "stream")
               for c in autograded["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    assert len(outputs) == len(TEST_CELLS)
    assert all("could not be graded: " in text for text in outputs)
    assert "Your submission could not be read (" in outputs[0]
    log = course.logs["autograde planar_classification"]
    assert f"{student}: planar_classification.ipynb could not be read as a notebook" in log
    assert "Traceback" not in log


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_student_is_told_what_was_recognised_or_restored(course, command, kind):
    repairs = command[kind].repairs
    assert bool(repairs) == KINDS[kind].repaired, repairs
    assert all(note in command[kind].notes for note in repairs)
    autograded = json.loads((course.root / "autograded" / kind / "planar_classification" / NOTEBOOK).read_text())
    printed = "".join("".join(o.get("text", "")) for c in autograded["cells"] for o in c.get("outputs", [])
                      if o.get("output_type") == "stream")
    for note in repairs:
        assert " ".join(note.split()) in " ".join(printed.split()), note


def test_every_student_gets_feedback_that_says_what_was_recognised_or_restored(course, command):
    course.generate_feedback_all()  # one run over the class: no damaged notebook may stop it
    assert "Traceback" not in course.logs["generate_feedback planar_classification"]
    for student in [*KINDS, *UNREADABLE]:
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", course.feedback(student).read_text())).split())
        assert "Your submission could not be read" in text if student in UNREADABLE else "points" in text
        for note in command[student].repairs if student in KINDS else []:
            assert " ".join(note.split()) in text, (student, note)


def test_a_notebook_without_metadata_is_recognised_cell_by_cell():
    nb = KINDS["stripped_metadata"].make()
    alignment = structure.align(nb["cells"], list(release_skeleton()))
    intact = structure.align(reference()["cells"], list(release_skeleton()))
    assert alignment.found == intact.found and alignment.missing == [] and intact.intact
    assert alignment.notes[0].startswith("Your notebook had lost the labels (cell metadata) that mark the course's")
    assert "16 graded cells by the functions they define" in alignment.notes[0]


def test_a_graded_cell_in_markdown_is_not_run_and_the_student_is_told_why():
    alignment = structure.align(KINDS["graded_cell_to_markdown"].make()["cells"], list(release_skeleton()))
    assert alignment.missing == ["activations_relu"] and alignment.not_code == {"activations_relu": "markdown"}
    assert alignment.notes == ["The graded cell `activations_relu` is a markdown cell in your notebook, so `relu` and "
                               "`relu_backward` are not defined and their checks fail: change it back to a code cell."]


def test_merged_and_duplicated_cells_are_each_found_once():
    merged = structure.align(KINDS["cells_merged"].make()["cells"], list(release_skeleton()))
    assert merged.found["activations_relu"] == merged.found["activations_tanh"] and not merged.missing
    duplicated = structure.align(KINDS["duplicated_cells"].make()["cells"], list(release_skeleton()))
    assert set(duplicated.duplicates) == {"activations_relu", "test_layer_sizes"} and not duplicated.missing


@pytest.mark.parametrize("kind", list(KINDS))
def test_restore_leaves_each_test_cell_once_with_its_metadata_and_ids_unique(kind):
    nb = nbformat.from_dict(KINDS[kind].make())
    restore(nb)
    grade_ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert [g for g in grade_ids if g in TEST_CELLS] == TEST_CELLS or kind == "cells_reordered"
    assert sorted(g for g in grade_ids if g in TEST_CELLS) == sorted(TEST_CELLS)
    ids = [c.get("id") for c in nb.cells if "id" in c]
    assert len(ids) == len(set(ids))
    nbformat.validate(nb)


def test_a_function_that_does_nothing_to_the_structure_is_caught():
    """`restore` that changed nothing would leave the stripped notebook without a single test cell."""
    nb = nbformat.from_dict(KINDS["stripped_metadata"].make())
    assert not any(c.metadata.get("nbgrader") for c in nb.cells)
    restore(nb)
    assert sum(bool(c.metadata.get("nbgrader", {}).get("grade")) for c in nb.cells) == len(TEST_CELLS)


def test_a_notebook_with_nothing_of_the_course_runs_cell_by_cell_like_a_script(tmp_path):
    """The API contract: a notebook without nbgrader metadata (and here nothing to line up) runs like a .py file."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy as np"),
                                         nbformat.v4.new_code_cell("print(undefined_name)")])
    path = tmp_path / "mine.ipynb"
    nbformat.write(nb, str(path))
    result = grade(GradeRequest(path))
    assert [(p.where, p.kind) for p in result.load_problems] == [("code cell 2, line 1", "statement")]
    assert result.repairs == [] and result.score == 0


def test_an_edited_locked_cell_runs_as_the_course_wrote_it_and_the_student_is_told(command):
    alignment = structure.align(KINDS["locked_cells_edited"].make()["cells"], list(release_skeleton()))
    assert alignment.changed == ["helper_activations", "test_layer_sizes"] and not alignment.by_content
    assert alignment.notes == ["The test cell `test_layer_sizes` was changed in your notebook; the grader makes its "
                               "own checks, so the change makes no difference to your grade."]
    result = command["locked_cells_edited"]
    assert result.score == 68  # with the student's own helper every activation would be tanh: 64
    assert ("cell 'helper_activations': you changed the given cell that defines hidden_activation, "
            "hidden_activation_backward; the grader runs the course's code there instead" in result.output)


def test_a_huge_cell_is_read_by_its_def_lines_and_never_taken_for_a_locked_cell():
    """Lining up also runs in nbgrader's own process: a cell over LARGE_CELL characters is not parsed nor normalised
    (a 30 MB cell took a minute before), but its graded functions are still found."""
    nb = KINDS["stripped_metadata"].make()
    padding = "# padding\n" * (structure.LARGE_CELL // 10 + 1)
    at = next(i for i, c in enumerate(nb["cells"]) if "def relu(Z)" in "".join(c["source"]))
    nb["cells"][at]["source"] = "".join(nb["cells"][at]["source"]) + padding
    setup = next(i for i, c in enumerate(nb["cells"]) if "".join(c["source"]).startswith("import numpy as np"))
    nb["cells"][setup]["source"] = "".join(nb["cells"][setup]["source"]) + "\n" + padding
    alignment = structure.align(nb["cells"], list(release_skeleton()))
    assert alignment.found["activations_relu"] == at
    assert "setup_imports" in alignment.missing and "setup_imports" in alignment.restored
