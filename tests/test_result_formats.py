"""Grading results written as Gradescope's results.json and as JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from autograder.integrations import gradescope, junit
from autograder.integrations.results import GradingResult, TestResult


HOSTILE = "relu: expected 0, got <script>&\x00\x1b[31m \"quoted\"\nsecond line"


def sample() -> GradingResult:
    return GradingResult(
        tests=[
            TestResult("relu: values on random arrays", 2, 2, tags=["relu"]),
            TestResult("relu_backward: gradient check", 0, 2, output=HOSTILE, tags=["relu_backward"],
                       visibility="after_published"),
            TestResult("compute_cost: bool and int labels", 0.5, 1, output="half the cases", tags=["compute_cost"]),
        ],
        execution_time=1.23456,
        output="2.5 / 5 points",
    )


def test_gradescope_document_has_the_documented_fields(tmp_path):
    path = gradescope.write(sample(), tmp_path / "out" / "results.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["score"] == 2.5 and document["max_score"] == 5 and document["execution_time"] == 1.235
    assert document["output"] == "2.5 / 5 points" and document["stdout_visibility"] == "hidden"
    assert [t["status"] for t in document["tests"]] == ["passed", "failed", "failed"]
    assert [t["visibility"] for t in document["tests"]] == ["visible", "after_published", "visible"]
    for test in document["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "tags", "visibility"}
    assert document["tests"][1]["output"] == HOSTILE and document["tests"][1]["tags"] == ["relu_backward"]
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]  # no temporary file left behind


def test_junit_report_parses_and_counts_failures(tmp_path):
    path = junit.write(sample(), tmp_path / "junit.xml")
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite.get("tests") == "3" and suite.get("failures") == "2"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["relu: values on random arrays [2/2]", "relu_backward: gradient check [0/2]",
                                              "compute_cost: bool and int labels [0.5/1]"]
    assert [c.get("classname") for c in cases] == ["planar_classification.relu", "planar_classification.relu_backward",
                                                   "planar_classification.compute_cost"]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure.get("message") == "relu: expected 0, got <script>&\ufffd\ufffd[31m \"quoted\""
    assert failure.text.endswith("second line")
    scores = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert scores == {"score": "2.5", "max_score": "5"}


@pytest.mark.parametrize("kwargs", [{"score": 3, "max_score": 2}, {"score": -1, "max_score": 2},
                                    {"score": 1, "max_score": 1, "visibility": "secret"}])
def test_impossible_results_are_refused(kwargs):
    with pytest.raises(ValueError):
        TestResult("x", **kwargs)
