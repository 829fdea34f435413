"""What students see before grades are published says nothing a submission could learn in a hidden check.

A submission can note every call the grader makes to its functions, and the text of its own exceptions reaches
what students see. So the visible checks run first, in a worker of their own that has ended before any hidden
check's input exists anywhere; their second runs ("one bug costs once") stand the reference in for functions that
fail their own visible tests, never for what only a hidden check found; `autograder check` runs that visible phase
alone; and Gradescope's results.json holds the visible text as soon as that phase is done, however the hidden
checks end. Each attack below is graded for real (the `autograder` command, the sandbox) and read where a student
would read it: the check's text, and results.json's visible checks and top-level output.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.course.samples import changed
from autograder.engine.check import check
from autograder.engine.grade import GradeRequest, grade, visible_and_report
from autograder.graders.cases import cases
from autograder.results import results_json
from autograder.sandbox.handle import Limits


sys.path.insert(0, str(Path(__file__).parent / "submissions"))

import nulls  # noqa: E402
import oracle  # noqa: E402


ATTACKS = {"recorder": oracle.RECORDER, "stand_in_probe": oracle.STAND_IN_PROBE,
           "visible_bug_probe": oracle.VISIBLE_BUG_PROBE}
LIMITS = Limits(call_seconds=5, statement_seconds=5)

# What the visible tests hand compute_cost (A2 of shape (1, 3), twice: bool and int labels) and backward_propagation
# (X of shape (2, 3), for tanh, relu and sigmoid): all RECORDER may show before grades are published.
SEEN_IN_VISIBLE_TESTS = {"cc3:0.500231": 2, "bp2x3": 3}


def hidden_tokens() -> set[str]:
    """How RECORDER notes inputs only hidden checks hand it: compute_cost's first (m = 1) and backward_propagation's
    cases (the graders' own inputs)."""
    first = np.random.default_rng(5).uniform(0.02, 0.98, size=(1, 1))  # test_compute_cost_values' first A2
    return {oracle.compute_cost_token(first)} | {oracle.backward_token(c.X) for c in cases()}


def autograder(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, tuple[str, dict]]:
    """{attack: (what `autograder check` printed, the results.json `autograder grade` wrote)}."""
    folder = tmp_path_factory.mktemp("oracle")
    found = {}
    for name, text in ATTACKS.items():
        path = folder / f"{name}.py"
        path.write_text(text, encoding="utf-8")
        checked = autograder("check", str(path), "--call-timeout", "5")
        assert checked.returncode in (0, 1) and checked.stdout.startswith("Checked "), checked.stderr
        out = folder / f"{name}-graded"
        done = autograder("grade", str(path), "--out", str(out), "--call-timeout", "5")
        assert done.returncode == 0, done.stderr
        found[name] = (checked.stdout, json.loads((out / "results.json").read_text(encoding="utf-8")))
    return found


def before_publication(document: dict) -> str:
    """What Gradescope shows a student before grades are published: the top-level output and the visible checks."""
    shown = [document["output"]]
    shown += [f"{t['name']}: {t['score']}/{t['max_score']} {t['output']}" for t in document["tests"]
              if t["visibility"] == "visible"]
    return "\n".join(shown)


def after_publication(document: dict) -> str:
    return "\n".join(t["output"] for t in document["tests"] if t["visibility"] != "visible")


def verdicts(checked: str) -> dict[str, bool]:
    """{visible test: passed} as the check's text lists them."""
    return {name: mark == "passed" for mark, name in re.findall(r"^  \[(passed|FAILED)\] (.+)$", checked, re.M)}


def test_the_recorder_notes_what_the_hidden_checks_hand_it(graded):
    """The attack works: the official grade's hidden checks show, after publication, what it noted in them."""
    _, document = graded["recorder"]
    noted = oracle.tokens(after_publication(document))
    assert hidden_tokens() <= set(noted), noted
    assert sum(noted.values()) > sum(SEEN_IN_VISIBLE_TESTS.values())


def test_the_check_shows_only_what_the_visible_tests_handed_the_submission(graded):
    checked, _ = graded["recorder"]
    assert oracle.tokens(checked) == SEEN_IN_VISIBLE_TESTS, checked  # the channel is there; nothing hidden is in it
    assert not any(token in checked for token in hidden_tokens())


def test_gradescope_shows_before_publication_only_what_the_visible_tests_handed_the_submission(graded):
    _, document = graded["recorder"]
    shown = before_publication(document)
    assert oracle.tokens(shown) == SEEN_IN_VISIBLE_TESTS, shown
    assert not any(token in shown for token in hidden_tokens())


def test_the_check_does_not_say_which_function_only_hidden_checks_found_wrong(graded):
    """backward_propagation passes its visible test and fails hidden ones (linear); nn_model fails on purpose and
    names the functions it finds are not its own. Nothing visible blames backward_propagation, so no visible test
    runs again with the reference in its place, and neither the check nor Gradescope names it."""
    checked, document = graded["stand_in_probe"]
    assert "[passed] backward_propagation: the notebook's visible test" in checked
    assert any(t["status"] == "failed" and t["tags"][0] == "backward_propagation" for t in document["tests"])
    for shown in (checked, before_publication(document)):
        assert oracle.STANDS_IN + "nothing" in shown  # nn_model's visible test ran, and found only its own functions
        assert oracle.STANDS_IN + "backward_propagation" not in shown


def test_a_function_that_fails_its_visible_test_is_still_stood_in_for(graded):
    """One bug costs once within the visible tests: backward_propagation fails its own visible test, so nn_model's
    runs again with the reference's in its place, and saying so tells the student nothing hidden."""
    checked, document = graded["visible_bug_probe"]
    assert "[FAILED] backward_propagation: the notebook's visible test" in checked
    for shown in (checked, before_publication(document)):
        assert oracle.STANDS_IN + "backward_propagation" in shown


@pytest.mark.parametrize("name", list(ATTACKS))
def test_the_check_and_the_official_grade_give_the_same_visible_verdicts(graded, name):
    checked, document = graded[name]
    official = {t["name"]: t["status"] == "passed" for t in document["tests"] if t["visibility"] == "visible"}
    assert verdicts(checked) == official and len(official) == 16


@pytest.fixture(scope="module")
def lazy_and_rewritten(tmp_path_factory) -> dict[str, tuple[list, list]]:
    """{submission: (the check's visible results, the official grade's)} for functions that do no work and for
    correct code written another way."""
    folder = tmp_path_factory.mktemp("lazy")
    sources = {f"null_{kind}": nulls.source(kind) for kind in nulls.KINDS}
    sources["alternative"] = (Path(__file__).parent / "submissions" / "alternative.py").read_text(encoding="utf-8")
    found = {}
    for name, text in sources.items():
        path = folder / f"{name}.py"
        path.write_text(text, encoding="utf-8")
        found[name] = (check(path, LIMITS, 120).visible, grade(GradeRequest(path, LIMITS, 120)).tests)
    return found


@pytest.mark.parametrize("kind", nulls.KINDS)
def test_the_visible_phase_fails_functions_that_do_no_work(lazy_and_rewritten, kind):
    shown, official = lazy_and_rewritten[f"null_{kind}"]
    right_anyway = nulls.CORRECT_BY_ACCIDENT.get(kind, set())
    assert {t.name: t.passed for t in shown} == {t.name: t.passed for t in official if t.visibility == "visible"}
    assert [t.name for t in shown if t.passed and not set(t.tags[:1]) <= right_anyway] == []


def test_the_visible_phase_passes_correct_code_written_another_way(lazy_and_rewritten):
    shown, official = lazy_and_rewritten["alternative"]
    assert len(shown) == 16 and all(t.passed for t in shown)
    assert all(t.passed for t in official) and len(official) == 57


def test_the_check_runs_no_hidden_check(tmp_path):
    path = tmp_path / "recorder.py"
    path.write_text(oracle.RECORDER, encoding="utf-8")
    result, _ = visible_and_report(GradeRequest(path, LIMITS, 120))
    assert len(result.tests) == 16 and all(t.visibility == "visible" for t in result.tests)


def test_gradescope_shows_the_same_text_whether_or_not_the_hidden_checks_finish(tmp_path):
    """The top level takes 14 s each time a worker loads it, so the hidden phase's worker is still loading when the
    watchdog ends the run (at 28 s of a 36 s limit). What the student sees before publication is already there, as a
    finished grade shows it; only the hidden checks, after publication, say they did not finish."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    (root / "submission" / "submission.py").write_text(oracle.SLOW_TO_LOAD, encoding="utf-8")
    started = time.monotonic()
    done = autograder("gradescope-run", "--root", str(root), "--timeout", "36", "--margin", "16")
    assert done.returncode == 0 and time.monotonic() - started < 36, done.stderr
    document = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    hidden = [t for t in document["tests"] if t["visibility"] != "visible"]
    assert hidden and all(t["score"] == 0 and "did not finish within the time limit" in t["output"] for t in hidden)
    finished = tmp_path / "finished.py"
    finished.write_text(changed([]), encoding="utf-8")
    expected = results_json.to_dict(grade(GradeRequest(finished, Limits(), 120)))
    assert before_publication(document) == before_publication(expected)
    assert all(t["status"] == "passed" for t in document["tests"] if t["visibility"] == "visible")
