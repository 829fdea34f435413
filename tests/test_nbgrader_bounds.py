"""nbgrader's autograde and feedback stay in bounds, and show the code they grade.

One course (real nbgrader, SQLite gradebook in a temporary folder) autogrades: a notebook of
thousands of cells that each fail to import (linear time, bounded notes, still 68 points); one
attachment referenced 200 times (embedded once: the pages stay the notebook's size); a notebook
without its `nbformat` keys and Python code saved as `.ipynb` (graded by `autograder grade`, which
reads them leniently: the autograded notebook and the feedback show that code, not the release's
stubs); cell ids nbformat refuses and a code cell without outputs (the command's points, and
feedback, where nbconvert's validation used to stop the notebook at 0).
Also: the memory stop names the function the student's code called, and a pitfall does not say
that a cell reads a file it writes.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.course import samples
from autograder.course.paths import SOLUTION_FILE
from autograder.platforms.nbgrader.course import NOTEBOOK, Course, CourseError
from autograder.results import results_json
from autograder.results.cells import cell_points
from autograder.sandbox import pitfalls


FAILING_CELLS = 6_000  # nbgrader took about 63 s for this many (each cell searched every failure); now about 12 s
ATTACHMENT_REFERENCES = 200
STUB = "raise NotImplementedError()"  # what the release's graded cells hold
LISTED, IN_ALL = 20, 200  # problems.py's bounds (test_the_bounds_are_the_modules)
SECONDS: dict[str, float] = {}  # how long nbgrader took to autograde a student, timed alone
FAILED: list[str] = []  # the nbgrader steps that failed


def _reference() -> dict:
    return samples.sample_notebook("reference")


def _marked(nb: dict, marker: str) -> dict:
    """`nb` with a comment `marker` in its relu cell: the student's own code, which no release holds."""
    cell = next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "activations_relu")
    cell["source"] = f"# {marker}\n" + "".join(cell["source"])
    return nb


def no_nbformat_keys() -> dict:
    nb = _marked(_reference(), "marker-no-nbformat-keys")
    del nb["nbformat"], nb["nbformat_minor"]
    return nb


def cell_id(value: str, marker: str) -> dict:
    nb = _marked(_reference(), marker)
    nb["cells"][3]["id"] = value
    return nb


def no_outputs() -> dict:
    nb = _marked(_reference(), "marker-no-outputs")
    for cell in nb["cells"]:
        cell.pop("outputs", None)
    return nb


PYTHON_TEXT = "import zz_not_installed_anywhere  # marker-python-text\n" + SOLUTION_FILE.read_text(encoding="utf-8")

# student -> the notebook; each is graded 68 by `autograder grade`, and must be by nbgrader, showing that code
MALFORMED = {"no_nbformat_keys": no_nbformat_keys,
             "id_with_a_dot": lambda: cell_id("a.b", "marker-id-with-a-dot"),
             "id_of_65": lambda: cell_id("x" * 65, "marker-id-of-65"),
             "no_outputs": no_outputs}
MARKERS = {"no_nbformat_keys": "marker-no-nbformat-keys", "id_with_a_dot": "marker-id-with-a-dot",
           "id_of_65": "marker-id-of-65", "no_outputs": "marker-no-outputs", "python_text": "marker-python-text"}


def many_failures() -> dict:
    nb = _reference()
    nb["cells"] += [{"cell_type": "code", "execution_count": None, "id": f"zz{i}", "metadata": {}, "outputs": [],
                     "source": f"import zz_missing_{i}"} for i in range(FAILING_CELLS)]
    return nb


def attachment() -> dict:
    nb = _reference()
    png = base64.b64encode(os.urandom(780_000)).decode()
    nb["cells"].insert(2, {"cell_type": "markdown", "id": "picture", "metadata": {},
                           "attachments": {"big.png": {"image/png": png}},
                           "source": "![a picture](attachment:big.png)\n\n" * ATTACHMENT_REFERENCES})
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    course = Course(tmp_path_factory.mktemp("bounds") / "course")
    course.generate()
    for student, make in MALFORMED.items():
        course.submit(student, make())
    course.submit("attachment", attachment())
    course.submit("python_text", _reference()).write_text(PYTHON_TEXT, encoding="utf-8")
    _run(course.autograde_all)  # one run over the class: none of these notebooks may stop it
    course.submit("many_failures", many_failures())
    started = time.monotonic()
    _run(course.autograde, "many_failures")
    SECONDS["many_failures"] = time.monotonic() - started
    _run(course.generate_feedback_all)
    return course


def _run(step, *args: str) -> None:
    """An nbgrader step; a failure is kept in FAILED (each test then fails on what it finds missing)."""
    try:
        step(*args)
    except CourseError as exc:
        FAILED.append(str(exc))


def test_every_step_runs_over_the_whole_class(course):
    assert FAILED == []


@pytest.fixture(scope="module")
def command(course, tmp_path_factory) -> dict:
    """`autograder batch` over nbgrader's submitted/ folder: each submission graded as `autograder grade` grades it."""
    out = tmp_path_factory.mktemp("bounds-batch")
    done = subprocess.run([sys.executable, "-m", "autograder", "batch", str(course.root / "submitted"), "--out",
                           str(out), "--jobs", "4"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return {student: results_json.read(out / student / results_json.RESULTS_FILE) for student in [*MARKERS, "attachment"]}


def autograded(course: Course, student: str) -> dict:
    return json.loads((course.root / "autograded" / student / "planar_classification" / NOTEBOOK).read_text())


def printed(cell: dict) -> str:
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


# --- many small failures (n1) ---------------------------------------------------------------------------------------

def test_thousands_of_failing_cells_are_autograded_in_linear_time_with_bounded_notes(course):
    assert SECONDS["many_failures"] < 45, SECONDS  # about 12 s (it took about 63 s)
    assert sum(course.cell_scores("many_failures").values()) == 68
    submitted = course.root / "submitted" / "many_failures" / "planar_classification" / NOTEBOOK
    written = course.root / "autograded" / "many_failures" / "planar_classification" / NOTEBOOK
    assert written.stat().st_size < 1.5 * submitted.stat().st_size
    nb = autograded(course, "many_failures")
    test_cells = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    head = printed(test_cells[0])
    assert f"{FAILING_CELLS} statements of your code failed to run" in head
    assert head.count("No module named 'zz_missing_") == LISTED
    assert f"... and {FAILING_CELLS - LISTED:,} more, left out here." in head
    noted = [printed(c) for c in nb["cells"] if c["cell_type"] == "code" and printed(c) and c not in test_cells]
    assert len(noted) == IN_ALL + 1  # one cell each, then one line for all the rest
    assert noted[-1] == (f"While grading, {FAILING_CELLS - IN_ALL:,} more statements of this cell and the cells below "
                         "it failed and were skipped; they are not noted cell by cell.\n")


def test_a_cells_notes_are_found_by_index_not_by_search():
    """20,000 cells with a failed statement each are placed in well under a second (the search took minutes)."""
    from autograder.platforms.nbgrader.problems import PER_CELL, CellNotes, cell_place
    from autograder.results.model import LoadProblem

    count = 20_000
    problems = [LoadProblem("statement", f"code cell {n}, line 1", f"ModuleNotFoundError: zz{n}")
                for n in range(1, count + 1)]
    problems += [LoadProblem("statement", f"cell 'activations_relu', line {n}", "NameError: x") for n in range(5)]
    started = time.monotonic()
    notes = CellNotes(problems)
    relu = notes.texts(cell_place("activations_relu", 0))
    placed = [notes.texts(cell_place(None, n)) for n in range(1, count + 1)]
    assert time.monotonic() - started < 2
    assert len(relu) == PER_CELL + 1 and relu[-1].startswith("While grading, 2 more statements of this cell failed")
    assert sum(len(t) for t in placed) == IN_ALL - PER_CELL + 1


def test_the_bounds_are_the_modules():
    from autograder.platforms.nbgrader import problems

    assert (problems.LISTED, problems.IN_ALL) == (LISTED, IN_ALL)


# --- one attachment referenced many times (n2) ----------------------------------------------------------------------

def test_an_attachment_referenced_many_times_is_embedded_once(course, command):
    assert course.cell_scores("attachment") == cell_points(command["attachment"].tests)
    submitted = (course.root / "submitted" / "attachment" / "planar_classification" / NOTEBOOK).stat().st_size
    written = course.root / "autograded" / "attachment" / "planar_classification" / NOTEBOOK
    assert written.stat().st_size < 1.5 * submitted
    assert course.feedback("attachment").stat().st_size < 2 * submitted
    png = attachment_prefix(course)
    assert written.read_text().count(png) == 1
    text = page_text(course.feedback("attachment"))
    assert text.count("(the image big.png again: it is shown once, above)") == ATTACHMENT_REFERENCES - 1


def attachment_prefix(course: Course) -> str:
    nb = json.loads((course.root / "submitted" / "attachment" / "planar_classification" / NOTEBOOK).read_text())
    return next(c for c in nb["cells"] if c.get("attachments"))["attachments"]["big.png"]["image/png"][:200]


def test_a_reference_link_repeated_cannot_blow_up_a_cell():
    from autograder.platforms.nbgrader.markup import safe_markdown

    source = "[x]: http://example.com/" + "a" * 100_000 + "\n\n" + "[x] " * 2_000  # 200 MB as nbconvert renders it
    shown = safe_markdown(source)
    assert len(shown) < 2 * len(source)
    assert "This cell is shown as its text: rendered, it would take more than 16 times its size." in shown


def test_the_images_of_a_notebook_share_a_bounded_room():
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    from autograder.platforms.nbgrader.markup import SanitizeMarkup
    from autograder.platforms.nbgrader.rendering import IMAGE_ROOM

    cells = []
    for n in range(30):  # 30 different images of 1 MB each: 30 MB as attachments, more than the room
        cell = new_markdown_cell(f"![p{n}](attachment:p{n}.png)")
        cell.attachments = {f"p{n}.png": {"image/png": base64.b64encode(os.urandom(750_000)).decode()}}
        cells.append(cell)
    nb, _ = SanitizeMarkup().preprocess(new_notebook(cells=cells), {})
    shown = "".join(c.source for c in nb.cells)
    assert len(shown) <= IMAGE_ROOM + 100_000
    assert "is not shown: a notebook's images are shown up to 20 MB" in html.unescape(shown)
    nbformat.validate(nb)


# --- what is graded is what is shown (n3) and malformed cell ids (n4b) ----------------------------------------------

@pytest.mark.parametrize("student", list(MARKERS))
def test_nbgrader_gives_what_the_command_gives_and_shows_the_code_that_earned_it(course, command, student):
    assert command[student].score == 68
    assert course.cell_scores(student) == cell_points(command[student].tests)
    nb = autograded(course, student)
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert MARKERS[student] in code and STUB not in code  # the student's code, not the release's stubs
    feedback = page_text(course.feedback(student))
    prose = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert MARKERS[student] in feedback and feedback.count(STUB) == prose.count(STUB)  # the stub only in the prose


def test_python_text_is_shown_whole_in_one_cell_with_its_failed_line_noted(course):
    nb = autograded(course, "python_text")
    held = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]) == PYTHON_TEXT]
    assert len(held) == 1
    assert printed(held[0]).startswith("While grading, line 1 of this cell failed and was skipped: "
                                       "ModuleNotFoundError: No module named 'zz_not_installed_anywhere'")
    log = course.logs["autograde planar_classification"]
    assert "python_text: planar_classification.ipynb is Python code, not a notebook; it is shown as one cell" in log
    assert "could not be read" not in log
    feedback = page_text(course.feedback("python_text"))
    assert all(line.strip() in feedback for line in PYTHON_TEXT.splitlines() if line.strip())


# --- wording ---------------------------------------------------------------------------------------------------------

def test_a_memory_stop_names_the_function_the_students_code_called(tmp_path):
    from autograder.sandbox.handle import CallStopped, Limits, WorkerHandle

    path = tmp_path / "s.py"
    path.write_text("def outer():\n    return helper()\n", encoding="utf-8")

    def guarded():  # named as the engine's wrapper around every function it answers with
        return bytearray(2**62)

    with WorkerHandle(path, limits=Limits(call_seconds=2, statement_seconds=2, memory_mb=1024)) as worker:
        with pytest.raises(CallStopped) as stopped:
            worker.call("outer", proxies={"helper": guarded})
    assert str(stopped.value) == ("Your code called helper with arguments that took more memory than the grader "
                                  "allows itself, and the call was stopped.")


def test_a_file_the_code_writes_is_not_said_to_be_read():
    written = pitfalls.scan("code cell 4", "with open('results.txt', 'w') as f:\n    f.write('done')\n"
                                           "print(open('results.txt').read())\n")
    assert written == []  # written beside the notebook, then read back: both work when grading
    own_disk = pitfalls.scan("code cell 5", "open('/home/me/out.txt', mode='a').write('x')\n")
    assert [p["text"] for p in own_disk] == ["writes '/home/me/out.txt', a path of your own machine: the grader "
                                             "cannot write there, so it fails"]
    assert pitfalls.scan("code cell 6", "open('data.csv')\n")[0]["text"].startswith("reads 'data.csv' beside")
