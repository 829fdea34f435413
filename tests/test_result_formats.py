"""Grading results written as Gradescope's results.json and as JUnit XML, read as their consumers read them."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import junitparser
import pytest
import xmlschema

from autograder.course.paths import SOLUTION_FILE
from autograder.engine.grade import GradeRequest, grade
from autograder.engine.plugin import grader_weights
from autograder.results import junit, results_json
from autograder.results.model import GradingResult, TestResult


CHECKS = len(grader_weights())  # how many checks the graders have


SCHEMA_FILE = Path(__file__).with_name("schemas") / "junit-10.xsd"  # the Jenkins xUnit plugin's; see schemas/README.md
HOSTILE = "relu: expected 0, got <script>&\x00\x1b[31m \"quoted\"\nsecond line"
BUG = ("dW1 = dZ1 @ X.T / m", "dW1 = dZ1 @ X.T")  # backward_propagation forgets 1/m in one gradient
MARKUP = "<b>bold</b> <a href=\"https://example.com/phish\">click</a>"


def sample() -> GradingResult:
    return GradingResult(
        tests=[
            TestResult("relu: values on random arrays", 2, 2, tags=["relu"]),
            TestResult("relu_backward: gradient check", 0, 2, output=HOSTILE, tags=["relu_backward"],
                       visibility="after_published", cause="raised"),
            TestResult("compute_cost: bool and int labels", 0.5, 1, output="half the cases", tags=["compute_cost"]),
        ],
        execution_time=1.23456,
        output="Score: 2.5 / 5 (1 of 3 checks passed).",
        notes=["cell 3, line 1: NameError: name 'x' is not defined"],
    )


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMA_FILE)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, GradingResult]:
    """A correct and a buggy submission, graded for real."""
    folder = tmp_path_factory.mktemp("graded")
    solution = SOLUTION_FILE.read_text()
    assert BUG[0] in solution
    (folder / "correct.py").write_text(solution)
    (folder / "buggy.py").write_text(solution.replace(*BUG))
    return {name: grade(GradeRequest(folder / f"{name}.py")) for name in ("correct", "buggy")}


# --- Gradescope ---------------------------------------------------------------------------


def test_gradescope_document_has_the_documented_fields(tmp_path):
    path = results_json.write(sample(), tmp_path / "out" / "results.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["score"] == 2.5 and document["max_score"] == 5 and document["execution_time"] == 1.235
    assert document["stdout_visibility"] == "hidden" and document["visibility"] == "visible"
    assert [t["status"] for t in document["tests"]] == ["passed", "failed", "failed"]
    assert [t["visibility"] for t in document["tests"]] == ["visible", "after_published", "visible"]
    for test in document["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "output_format", "tags", "visibility",
                             "extra_data"}
    assert document["tests"][1]["output"] == HOSTILE and document["tests"][1]["tags"] == ["relu_backward"]
    assert [t["extra_data"]["cause"] for t in document["tests"]] == [None, "raised", None]
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]  # no temporary file left behind


def visible_text(document: dict) -> str:
    """Everything a student sees before grades are published."""
    shown = [document["output"]]
    for test in document["tests"]:
        if test["visibility"] == "visible":
            shown += [test["name"], test["output"]]
    return "\n".join(shown)


def assert_no_hidden_outcome(document: dict) -> None:
    """With hidden checks present, the visible text gives no total, no count of passed checks, no hidden message."""
    hidden = [t for t in document["tests"] if t["visibility"] != "visible"]
    assert hidden
    shown = visible_text(document)
    total = sum(t["score"] for t in document["tests"])
    passed = sum(t["status"] == "passed" for t in document["tests"])
    assert "Score" not in document["output"] and "passed" not in document["output"]
    assert f"{total:g} /" not in document["output"] and f"{total:g}/" not in document["output"]
    assert f"{passed} of" not in document["output"]
    visible_messages = {t["output"] for t in document["tests"] if t["visibility"] == "visible"}
    for test in hidden:
        if test["output"] and test["output"] not in visible_messages:
            assert test["output"] not in shown


def test_gradescope_output_reveals_no_hidden_outcome():
    document = results_json.to_dict(sample())
    assert_no_hidden_outcome(document)
    assert "1 of the 3 checks" not in document["output"] and "2 of the 3 checks are shown" in document["output"]
    assert "NameError" in document["output"]  # what happened while loading is still said
    everything_visible = GradingResult([TestResult("relu: values", 1, 2, "wrong", ["relu"])], output="Score: 1 / 2")
    assert results_json.to_dict(everything_visible)["output"] == "Score: 1 / 2"  # nothing hidden: the total is shown


def test_a_real_buggy_run_reveals_no_hidden_outcome(graded):
    document = results_json.to_dict(graded["buggy"])
    hidden = [t for t in document["tests"] if t["visibility"] == "after_published"]
    assert any(t["status"] == "failed" for t in hidden), "the bug should fail a hidden check"
    assert_no_hidden_outcome(document)


def test_planted_markup_arrives_as_plain_text(tmp_path):
    """A student's exception message with HTML in it is declared text everywhere Gradescope shows it."""
    submission = tmp_path / "markup.py"
    submission.write_text(SOLUTION_FILE.read_text()
                          + f"\nraise ValueError({MARKUP!r})\n"
                          + f"\ndef relu(Z):\n    raise ValueError({MARKUP!r})\n")
    document = results_json.to_dict(grade(GradeRequest(submission, only=("relu",))))
    assert document["output_format"] == document["test_output_format"] == document["test_name_format"] == "text"
    assert MARKUP in document["output"]  # from the statement that raised while loading
    carrying = [t for t in document["tests"] if MARKUP in t["output"]]
    assert carrying and all(t["output_format"] == "text" for t in document["tests"])
    assert "&lt;" not in document["output"]  # text is shown as typed: escaping it again would garble it


# --- JUnit --------------------------------------------------------------------------------


def test_junit_report_parses_and_counts_failures(tmp_path):
    path = junit.write(sample(), tmp_path / "junit.xml", source="planar_classification.ipynb")
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite.get("tests") == "3" and suite.get("failures") == "2"
    assert suite.get("file") == "planar_classification.ipynb"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["relu: values on random arrays", "relu_backward: gradient check",
                                              "compute_cost: bool and int labels"]
    assert [c.get("classname") for c in cases] == ["planar_classification.relu", "planar_classification.relu_backward",
                                                   "planar_classification.compute_cost"]
    assert all(c.get("file") is None and c.find("properties") is None for c in cases)
    assert cases[0].find("failure") is None and cases[0].find("system-out").text == "points: 2/2"
    failure = cases[1].find("failure")
    assert failure.get("message") == "relu: expected 0, got <script>&\ufffd\ufffd[31m \"quoted\""
    assert failure.text.endswith("second line") and cases[1].find("system-out").text == "points: 0/2"
    scores = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert scores == {"score": "2.5", "max_score": "5", "points: relu: values on random arrays": "2/2",
                      "points: relu_backward: gradient check": "0/2", "points: compute_cost: bool and int labels": "0.5/1"}


def test_the_schema_is_the_real_constraint(schema, tmp_path):
    """pytest's own --junitxml output validates; a testcase carrying properties or a file does not."""
    (tmp_path / "test_sample.py").write_text("def test_ok():\n    pass\n\ndef test_bad():\n    assert 1 == 2\n")
    report = tmp_path / "pytest.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
                    str(tmp_path / "test_sample.py")], cwd=tmp_path, capture_output=True)
    schema.validate(str(report))
    root = ET.parse(report).getroot()
    case = root.find("testsuite/testcase")
    ET.SubElement(ET.SubElement(case, "properties"), "property", name="score", value="1")
    assert not schema.is_valid(ET.tostring(root, encoding="unicode"))
    case.remove(case.find("properties"))
    case.set("file", "x.py")
    assert not schema.is_valid(ET.tostring(root, encoding="unicode"))


def test_junit_of_real_runs_validates_and_reads_back(graded, schema, tmp_path):
    for name, result in graded.items():
        path = junit.write(result, tmp_path / f"{name}.xml", source="planar_classification.ipynb")
        schema.validate(str(path))  # the Jenkins xUnit plugin's schema
        suites = junitparser.JUnitXml.fromfile(str(path))
        cases = [case for suite in suites for case in suite]
        assert [c.name for c in cases] == [t.name for t in result.tests]
        assert [c.is_passed for c in cases] == [t.passed for t in result.tests]
        failed = [c for c in cases if not c.is_passed]
        assert all(isinstance(c.result[0], junitparser.Failure) and c.result[0].message for c in failed)
        suite = next(iter(suites))
        assert suite.tests == len(result.tests) and suite.failures == len(failed)
        properties = {p.name: p.value for p in suite.properties()}
        assert float(properties["score"]) == pytest.approx(result.score)
        points = {t.name: properties[f"points: {t.name}"] for t in result.tests}
        assert sum(float(p.split("/")[0]) for p in points.values()) == pytest.approx(result.score)


def test_check_names_do_not_depend_on_the_score(graded, tmp_path):
    """CI history tools key tests by name: a regression must not look like one test removed and another added."""
    names = {}
    for name, result in graded.items():
        root = ET.parse(junit.write(result, tmp_path / f"{name}.xml")).getroot()
        names[name] = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert graded["correct"].score == graded["correct"].max_score > graded["buggy"].score
    assert len(set(names["correct"])) == len(names["correct"]) == CHECKS
    assert set(names["correct"]) == set(names["buggy"])


@pytest.mark.parametrize("kwargs", [{"score": 3, "max_score": 2}, {"score": -1, "max_score": 2},
                                    {"score": 1, "max_score": 1, "visibility": "secret"}])
def test_impossible_results_are_refused(kwargs):
    with pytest.raises(ValueError):
        TestResult("x", **kwargs)
