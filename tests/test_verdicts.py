"""Verdicts on code nobody here wrote: null submissions, equivalent rewrites, DLS-shaped code, faults.

One `autograder batch` grades the whole set; the tests read what it wrote. Each class of
fault that once slipped through has a standing test here:
- a function that does no work earns nothing from its checks;
- correct code written another way earns full marks, the ReLU check included;
- the ReLU check fails a network that ignores its activation, naming that cause;
- the visible tests give the same verdict in the notebook as under the graders;
- DLS-shaped code earns exactly the checks that call it the DLS way, with plain messages.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from autograder.results.causes import ALL as KNOWN_CAUSES


SUBMISSIONS = Path(__file__).parent / "submissions"
sys.path.insert(0, str(SUBMISSIONS))

import nulls  # noqa: E402
import strangers  # noqa: E402
from corpus import python_sources  # noqa: E402
from mutants import MUTANTS  # noqa: E402
from notebook_runs import visible_verdicts  # noqa: E402


@pytest.fixture(scope="module")
def graded(corpus) -> dict[str, dict]:
    """{student: results.json} for the sample class (tests/submissions/corpus.py), graded once for the session."""
    folder, out, run = corpus
    assert run.returncode == 0, run.stdout + run.stderr
    return {p.stem: json.loads((out / p.stem / "results.json").read_text(encoding="utf-8")) for p in folder.iterdir()}


def earned(document: dict) -> list[tuple[str, float]]:
    return [(t["name"], t["score"]) for t in document["tests"] if t["score"] > 0]


@pytest.mark.parametrize("kind", nulls.KINDS)
def test_a_function_that_does_no_work_earns_nothing(graded, kind):
    correct = nulls.CORRECT_BY_ACCIDENT.get(kind, set())
    document = graded[f"null_{kind}"]
    wrongly = [(name, score) for name, score in earned(document)
               if not set(next(t["tags"] for t in document["tests"] if t["name"] == name)[:1]) <= correct]
    assert wrongly == [], f"checks passed by functions that do no work ({kind})"


def test_a_gradient_check_that_misses_a_planted_bug_is_told_which_and_by_how_much(graded):
    tests = {t["name"]: t for t in graded["null_constant"]["tests"]}
    planted = tests["gradient_check: large for a bug planted in any one gradient array"]
    assert "did not notice a backward pass whose dW1 is shifted by 0.1" in planted["output"]
    assert "expected about 2.062e-01" in planted["output"] and planted["extra_data"].get("cause") != "grader_error"


def test_a_null_that_happens_to_be_right_still_earns_its_points(graded):
    passed = {t["name"] for t in graded["null_first_argument"]["tests"] if t["status"] == "passed"}
    assert {"linear: the notebook's visible test", "linear_backward: matches centered differences of linear"} <= passed


@pytest.mark.parametrize("name", ["reference", "alternative", *strangers.EQUIVALENTS])
def test_correct_code_written_another_way_earns_full_marks(graded, name):
    document = graded[name]
    assert [(t["name"], t["output"]) for t in document["tests"] if t["status"] != "passed"] == []
    assert document["score"] == 68


def test_the_relu_check_sees_a_network_that_ignores_its_activation(graded):
    """forward_propagation and backward_propagation ignore the activation: the ReLU check sees a tanh network,
    and, since those two fail their own checks, charges them, not nn_model (one bug costs once)."""
    tests = {t["name"]: t for t in graded["activation_ignored"]["tests"]}
    for name in ("the flower: 20 ReLU units beat every linear classifier by a clear margin",
                 "the flower: a linear hidden layer does no better than a linear classifier, well below ReLU"):
        check = tests[name]
        assert check["status"] == "passed" and "produced a tanh network" in check["output"]
        assert check["output"].startswith("Passes with the reference's forward_propagation and backward_propagation")
        assert "linear(Z) must return Z" not in check["output"]  # correct linear code is not blamed


def test_the_relu_check_fails_an_nn_model_that_never_uses_relu(graded):
    """nn_model's own mistake (it trains every network with the default tanh): still caught in its cell."""
    tests = {t["name"]: t for t in graded["nn_model_ignores_activation"]["tests"]}
    relu = tests["the flower: 20 ReLU units beat every linear classifier by a clear margin"]
    assert relu["status"] == "failed" and not relu["output"].startswith(("Passes", "Fails even"))
    assert tests["nn_model: passes activation and learning_rate on to every step"]["extra_data"]["cause"] == \
        "activation_not_passed"


def test_arguments_changed_in_place_fail_the_visible_test_under_the_graders(graded):
    tests = {t["name"]: t for t in graded["update_in_place"]["tests"]}
    assert tests["update_parameters: the notebook's visible test"]["score"] == 0
    assert "modified in place" in tests["update_parameters: the notebook's visible test"]["output"]
    assert tests["update_parameters: the default and other learning rates"]["score"] == 2  # its values are right
    assert graded["update_in_place"]["score"] == 67


# the functions each visible test calls besides its own (the notebook uses the student's; the graders swap in the reference)
HELPERS = {"forward_propagation": {"linear", "sigmoid", "tanh", "relu"},
           "backward_propagation": {"linear_backward", "sigmoid_backward", "tanh_backward", "relu_backward"},
           "predict": {"forward_propagation", "linear", "sigmoid", "tanh", "relu"},
           "gradient_check": {"forward_propagation", "compute_cost", "backward_propagation", "linear", "sigmoid", "tanh",
                              "relu", "linear_backward", "sigmoid_backward", "tanh_backward", "relu_backward"}}
BAD = {**{m.name: {m.function} for m in MUTANTS}, "update_in_place": {"update_parameters"},
       "activation_ignored": {"forward_propagation", "backward_propagation"},
       "never_updates_and_backward_bug": {"nn_model", "backward_propagation"}}


def test_visible_tests_give_the_same_verdict_in_the_notebook_and_under_the_graders(graded, public):
    compared = 0
    for name, source in python_sources().items():
        if name == "backward_never_returns":  # would hang this process
            continue
        in_notebook = visible_verdicts(source, public)
        for function, passed in in_notebook.items():
            if BAD.get(name, set()) & HELPERS.get(function, set()) and function not in BAD.get(name, set()):
                continue  # the two judge different things: the notebook also runs the buggy helper
            check = next(t for t in graded[name]["tests"] if t["name"].startswith(f"{function}: the notebook's visible test"))
            if check["output"].startswith("Passes with the reference's"):  # spoiled in the notebook by another function,
                assert not passed, name  # which the grader names and charges instead (one bug costs once)
                continue
            assert (check["status"] == "passed") == passed, f"{name}: {function} passes in the notebook: {passed}"
            compared += 1
    assert compared > 300


def test_dls_shaped_code_earns_exactly_the_checks_that_call_it_the_dls_way(graded):
    document = graded["dls_shaped"]
    assert document["score"] == strangers.DLS_POINTS
    for test in document["tests"]:
        if test["status"] == "failed":  # never a raw TypeError: a missing function, or the signature named once
            assert test["extra_data"]["cause"] in ("not_defined", "signature"), test
            assert "TypeError" not in test["output"]
    notes = document["output"]
    assert notes.count('forward_propagation(X, parameters, activation="tanh")') == 1
    assert "forward_propagation has no `activation` parameter" in notes and "sigmoid has no" not in notes


def test_dls_habits_get_their_own_hints(graded):
    reseeded = {t["name"]: t for t in graded["dls_reseeded"]["tests"]}
    assert "np.random.seed(2) itself" in reseeded["initialize_parameters: other sizes and seeds"]["output"]
    seeding = reseeded["nn_model: seeds numpy with 3 before initializing, so every run gives the same result"]
    # the seed inside initialize_parameters is initialize_parameters' mistake: nn_model keeps the point, and says why
    assert seeding["status"] == "passed" and "seeds numpy itself" in seeding["output"]
    assert "call np.random.seed(3) at the start" not in seeding["output"]
    imported = graded["dls_import_line"]["output"]
    assert "sigmoid is yours to write in this assignment" in imported
    assert "1 statement of your code failed to run, and 4 more that depended on it" in imported
    assert "/" not in imported.split("planar_utils' (")[1].split(")")[0]  # no absolute path of the grading machine


def test_a_function_that_timed_out_is_not_called_again(graded):
    document = graded["backward_never_returns"]
    backward = [t for t in document["tests"] if t["tags"][0] == "backward_propagation"]
    assert backward[0]["extra_data"]["cause"] == "timeout"
    assert all("was not run again" in t["output"] for t in backward[1:])
    assert document["execution_time"] < 60


END_TO_END = ("nn_model: the notebook's visible test (trains with your own functions)",
              "the flower: 20 ReLU units beat every linear classifier by a clear margin")


def test_a_check_spoiled_by_another_function_keeps_its_points_and_names_it(graded):
    """One bug costs once: run again with the reference's backward_propagation, nn_model's checks pass."""
    tests = {t["name"]: t for t in graded["backward_dW1_missing_mean"]["tests"]}
    for name in END_TO_END:
        assert tests[name]["status"] == "passed", tests[name]["output"]
        assert tests[name]["output"].startswith("Passes with the reference's backward_propagation in place of yours")
        assert "missing" not in tests[name]["output"].split("failed:")[0]  # the cause is backward's, told in its cell


def test_a_check_that_fails_even_with_the_reference_is_charged_with_its_own_cause(graded):
    """nn_model that never keeps an update, beside a buggy backward_propagation: its own bug still costs it."""
    tests = {t["name"]: t for t in graded["never_updates_and_backward_bug"]["tests"]}
    flower = tests[END_TO_END[1]]
    assert flower["status"] == "failed"
    assert flower["output"].startswith("Fails even with the reference's backward_propagation in place of yours")
    assert flower["extra_data"]["cause"] != "depends_on_failed"
    assert tests["nn_model: returns the parameters after the last update, other activations and learning rates"][
        "status"] == "failed"


def test_every_cause_a_check_reports_is_a_known_one(graded):
    reported = {t["extra_data"]["cause"] for document in graded.values() for t in document["tests"]}
    assert reported - {None} <= set(KNOWN_CAUSES)
    assert len(reported) > 15  # the graders do name causes
