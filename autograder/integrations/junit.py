"""JUnit XML, as CI test reporters read it: one testsuite, a testcase per check."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from autograder.integrations.files import write_atomically
from autograder.integrations.results import GradingResult


# Characters XML 1.0 cannot carry (control characters other than tab, newline, carriage return).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def to_xml(result: GradingResult, suite: str = "planar_classification") -> str:
    failures = sum(not t.passed for t in result.tests)
    root = ET.Element("testsuites", name=suite, tests=str(len(result.tests)), failures=str(failures),
                      time=f"{result.execution_time:.3f}")
    node = ET.SubElement(root, "testsuite", name=suite, tests=str(len(result.tests)), failures=str(failures),
                         errors="0", skipped="0", time=f"{result.execution_time:.3f}")
    properties = ET.SubElement(node, "properties")
    ET.SubElement(properties, "property", name="score", value=f"{result.score:g}")
    ET.SubElement(properties, "property", name="max_score", value=f"{result.max_score:g}")
    for test in result.tests:
        classname = f"{suite}.{test.tags[0]}" if test.tags else suite
        case = ET.SubElement(node, "testcase", classname=classname,
                             name=_clean(f"{test.name} [{test.score:g}/{test.max_score:g}]"), time="0")
        case_properties = ET.SubElement(case, "properties")
        ET.SubElement(case_properties, "property", name="score", value=f"{test.score:g}")
        ET.SubElement(case_properties, "property", name="max_score", value=f"{test.max_score:g}")
        if not test.passed:
            message = _clean(test.output.splitlines()[0] if test.output else "failed")
            failure = ET.SubElement(case, "failure", message=message[:500], type="AssertionError")
            failure.text = _clean(test.output)
        elif test.output:
            ET.SubElement(case, "system-out").text = _clean(test.output)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write(result: GradingResult, path: Path) -> Path:
    return write_atomically(path, to_xml(result))
