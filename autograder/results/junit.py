"""JUnit XML, as CI test reporters read it: one testsuite, a testcase per check.

The document validates against the Jenkins xUnit plugin's ``junit-10.xsd`` (a copy is in
``tests/schemas/``). A testcase's name is the check's own name, the same whatever it
scored, so test-history tools match a check from run to run. Points go where the schema
allows them: the suite's ``<properties>`` (``score``, ``max_score``, and ``points: <check>``
= ``"<score>/<max>"`` per check) and each testcase's ``<system-out>`` first line.

The schema allows a ``file`` attribute on ``<testsuite>`` but not on ``<testcase>``; when
`source` is given (the graded notebook, relative to the student's repository), the suite
carries it, and ``mikepenz/action-junit-report`` anchors its annotations there instead of
guessing a file from the testcase's classname.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from autograder.results.files import write_atomically
from autograder.results.model import GradingResult, TestResult


JUNIT_FILE = "junit.xml"
# Characters XML 1.0 cannot carry (control characters other than tab, newline, carriage return).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MESSAGE_CHARS = 500  # a failure's `message` attribute: the first line of the check's message, cut here


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def points(test: TestResult) -> str:
    """`"<score>/<max>"`, the form the points take in properties and system-out."""
    return f"{test.score:g}/{test.max_score:g}"


def to_xml(result: GradingResult, suite: str = "planar_classification", source: str | None = None) -> str:
    """The JUnit document for `result`; `source` (a path relative to the graded repository) becomes the suite's `file`."""
    failures = sum(not t.passed for t in result.tests)
    time = f"{result.execution_time:.3f}"
    root = ET.Element("testsuites", name=suite, tests=str(len(result.tests)), failures=str(failures), errors="0",
                      time=time)
    attributes = {"name": suite, "tests": str(len(result.tests)), "failures": str(failures), "errors": "0",
                  "skipped": "0", "time": time}
    if source:
        attributes["file"] = _clean(source)
    node = ET.SubElement(root, "testsuite", attributes)
    properties = ET.SubElement(node, "properties")
    ET.SubElement(properties, "property", name="score", value=f"{result.score:g}")
    ET.SubElement(properties, "property", name="max_score", value=f"{result.max_score:g}")
    if result.confinement:
        ET.SubElement(properties, "property", name="confinement", value=_clean(result.confinement))
    for test in result.tests:
        ET.SubElement(properties, "property", name=_clean(f"points: {test.name}"), value=points(test))
    for test in result.tests:
        classname = f"{suite}.{test.tags[0]}" if test.tags else suite
        case = ET.SubElement(node, "testcase", classname=classname, name=_clean(test.name), time="0")
        if not test.passed:
            message = _clean(test.output.splitlines()[0] if test.output.strip() else "failed")
            failure = ET.SubElement(case, "failure", message=message[:MESSAGE_CHARS], type="AssertionError")
            failure.text = _clean(test.output)
        out = f"points: {points(test)}" + (f"\n{test.output}" if test.passed and test.output else "")
        ET.SubElement(case, "system-out").text = _clean(out)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write(result: GradingResult, path: Path, source: str | None = None) -> Path:
    """Write the JUnit file atomically; `source` as in `to_xml`."""
    return write_atomically(path, to_xml(result, source=source))
