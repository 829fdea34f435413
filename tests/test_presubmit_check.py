"""`autograder check`, the pre-submit check, predicts what the official grade can grade: for every notebook of
the pitfall corpus (tests/submissions/pitfalls.py) its defined functions, visible verdicts, failing statements and
structure notes are the official grade's, it names the pitfall, and it shows nothing of a hidden check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.modules import cell_of_function
from autograder.course.samples import write_notebook
from autograder.engine.check import CheckReport, check, render
from autograder.engine.grade import GradeRequest, grade
from autograder.engine.load_notes import PITFALLS_HEAD
from autograder.engine.plugin import KNOCK_ON
from autograder.results.causes import Cause
from autograder.results.model import GradingResult, TestResult
from autograder.sandbox.handle import Limits


sys.path.insert(0, str(Path(__file__).parent / "submissions"))

from pitfalls import PITFALLS  # noqa: E402


LIMITS = Limits(call_seconds=3, statement_seconds=3)


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict[str, tuple[CheckReport, GradingResult]]:
    """For each notebook of the corpus: the check's report, and the official grade of the same file."""
    folder = tmp_path_factory.mktemp("pitfalls")
    found = {}
    for name, pitfall in PITFALLS.items():
        path = write_notebook(pitfall.make(), folder / f"{name}.ipynb")
        found[name] = (check(path, LIMITS, 120), grade(GradeRequest(path, LIMITS, 120)))
    return found


@pytest.mark.parametrize("name", list(PITFALLS))
def test_the_check_predicts_what_the_official_grade_can_grade(both, name):
    report, official = both[name]
    not_defined = {t.tags[0] for t in official.tests if t.cause == Cause.NOT_DEFINED}
    assert set(report.undefined) == not_defined
    assert set(report.defined) == set(cell_of_function()) - not_defined
    visible = {t.name: t.passed for t in official.tests if t.visibility == "visible"}
    assert {t.name: t.passed for t in report.visible} == visible and len(visible) == 16
    assert [p.where for p in report.failed_statements] == [p.where for p in official.load_problems]
    assert report.repairs == official.repairs


@pytest.mark.parametrize("name", list(PITFALLS))
def test_the_check_names_the_pitfall_and_the_official_grade_meets_it(both, name):
    report, official = both[name]
    pitfall = PITFALLS[name]
    assert {p["kind"] for p in report.pitfalls} == pitfall.kinds
    said = "\n".join([*official.notes, *(t.output for t in official.tests if not t.passed)])
    if pitfall.fails:
        assert pitfall.fails in said
    else:
        assert official.score == 68
    assert report.clean == (not pitfall.kinds and not pitfall.fails)  # a repair alone costs nothing
    # the official grade tells the student too, except of outputs too large, which matter only before submitting
    assert (PITFALLS_HEAD in official.output) == bool(pitfall.kinds - {"large_output"})


def test_a_stripped_notebook_is_told_it_is_lined_up(both):
    report, official = both["stripped_metadata"]
    assert report.repairs and report.repairs[0].startswith("Your notebook had lost the labels (cell metadata)")
    assert report.clean and "the notes on the structure are for your information" in render(report)
    assert official.score == 68


@pytest.mark.parametrize("name", list(PITFALLS))
def test_the_check_shows_no_hidden_check(both, name):
    report, official = both[name]
    text = render(report)
    hidden = [t.name for t in official.tests if t.visibility != "visible"]
    assert hidden and not any(h in text for h in hidden)
    assert all(t.visibility == "visible" for t in report.visible)


def test_a_visible_test_kept_by_a_second_run_says_nothing_of_what_the_hidden_checks_found():
    from autograder.engine.check import report_of

    kept = TestResult("nn_model: the notebook's visible test", 1, 1, "Passes with the reference's layer_sizes in "
                      "place of yours, so these points stay. Your layer_sizes fails its own checks", ["nn_model"])
    spoiled = TestResult("predict: the notebook's visible test", 0, 1, f"{KNOCK_ON}layer_sizes in place of yours "
                         "(layer_sizes fails its own checks too):\npredict: expected True, got False.", ["predict"])
    hidden = TestResult("layer_sizes: odd shapes", 0, 1, "layer_sizes: secret finding", ["layer_sizes"],
                        visibility="after_published")
    report = report_of("n.ipynb", GradingResult([kept, spoiled, hidden]), list(cell_of_function()), [])
    text = render(report)
    assert "layer_sizes" not in text and "secret" not in text
    assert "[passed] nn_model: the notebook's visible test" in text
    assert "predict: expected True, got False." in text


def test_the_command_reads_the_notebook_from_standard_input(tmp_path):
    path = write_notebook(PITFALLS["input_at_the_top"].make(), tmp_path / "mine.ipynb")
    done = subprocess.run([sys.executable, "-m", "autograder", "check", "-", "--call-timeout", "3"],
                          stdin=path.open("rb"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("Checked planar_classification.ipynb as the official grader reads it")
    assert "input() waits for the keyboard" in done.stdout
    assert "Look at the lines above before you submit." in done.stdout
