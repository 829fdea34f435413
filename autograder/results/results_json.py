"""Gradescope's autograder results format (results.json).

Two promises to students, whatever the submission did:

- Hidden checks stay hidden. Gradescope hides a student's total while any test is not
  ``visible``, but it always shows the top-level ``output``. With a hidden check present,
  that text therefore says neither the total nor how many checks passed, and quotes no
  hidden check; it says when the rest appears, and what happened while loading.
- Student text is never markup. Messages quote the student's exceptions, so every text
  field is declared ``text`` (top level, test names, each test's output): Gradescope shows
  it as plain characters, and a planted ``<b>`` or ``<a href>`` shows as typed.

This module is the one writer of results.json and its one reader: `read` turns a file back
into a `GradingResult` for everything that looks at grades afterwards (a batch resuming,
grades.csv, the class report, nbgrader's test cells). What comes back is what the file
shows: its ``output`` is the visible top-level text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.results.causes import Cause
from autograder.results.files import write_atomically
from autograder.results.model import LOAD_PROBLEM_KINDS, VISIBILITIES, GradingResult, LoadProblem, TestResult


RESULTS_FILE = "results.json"
OUTPUT_FORMAT = "text"


class ResultsUnreadable(ValueError):
    """A results.json that is not one this module writes (not JSON, a field missing or of the wrong kind)."""


def hidden_tests(result: GradingResult) -> list[TestResult]:
    """The checks a student does not see before grades are published (any visibility but "visible")."""
    return [t for t in result.tests if t.visibility != "visible"]


def visible_output(result: GradingResult) -> str:
    """The always-visible top-level text: `result.output` if nothing is hidden, else no total, count or hidden message."""
    hidden = hidden_tests(result)
    if not hidden:
        return result.output
    shown = len(result.tests) - len(hidden)
    lines = [f"{shown} of the {len(result.tests)} checks are shown below; the other {len(hidden)} and your total "
             "appear when grades are published."]
    return "\n".join([*lines, *result.notes])


def to_dict(result: GradingResult) -> dict:
    """The results.json document: top-level score and tests; student stdout never shown."""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.execution_time, 3),
        "output": visible_output(result),
        "output_format": OUTPUT_FORMAT,
        "test_output_format": OUTPUT_FORMAT,
        "test_name_format": OUTPUT_FORMAT,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [_test(t) for t in result.tests],
        "extra_data": {"load_problems": [{"kind": p.kind, "where": p.where, "message": p.message}
                                         for p in result.load_problems],
                       "notes": list(result.notes), "confinement": result.confinement,
                       "repairs": list(result.repairs)},
    }


def _test(t: TestResult) -> dict:
    """One test; `extra_data.cause` names the recognised mistake (Gradescope keeps extra_data as it is)."""
    return {"name": t.name, "score": t.score, "max_score": t.max_score, "status": t.status, "output": t.output,
            "output_format": OUTPUT_FORMAT, "tags": list(t.tags), "visibility": t.visibility,
            "extra_data": {"cause": t.cause}}


def write(result: GradingResult, path: Path) -> Path:
    """Write results.json atomically (a reader never sees half a file)."""
    return write_atomically(path, json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n")


def read(path: Path) -> GradingResult:
    """The result a results.json holds. Raises FileNotFoundError (and other OSErrors) as reading does, and
    ResultsUnreadable, naming the first problem, for a file that is not a results document."""
    data = path.read_bytes()
    try:
        return loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ResultsUnreadable(f"{path.name} is not UTF-8 text") from None


def loads(text: str) -> GradingResult:
    """The result in a results.json document's text; ResultsUnreadable if it is not one."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ResultsUnreadable(f"not JSON ({exc})") from None
    try:
        return _result(document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ResultsUnreadable(f"not a results document ({type(exc).__name__}: {exc})") from None


def _result(document: dict[str, Any]) -> GradingResult:
    extra = document.get("extra_data") or {}
    problems = [LoadProblem(_one_of(p["kind"], LOAD_PROBLEM_KINDS), str(p.get("where", "")), str(p.get("message", "")))
                for p in extra.get("load_problems") or []]
    return GradingResult(tests=[_test_of(t) for t in document["tests"]],
                         execution_time=_number(document.get("execution_time", 0.0)),
                         output=str(document.get("output", "")), notes=[str(n) for n in extra.get("notes") or []],
                         load_problems=problems, confinement=str(extra.get("confinement", "")),
                         repairs=[str(r) for r in extra.get("repairs") or []])


def _test_of(test: dict[str, Any]) -> TestResult:
    tags = test.get("tags") or []
    if not isinstance(tags, list):
        raise TypeError(f"the tags of {test.get('name')!r} are not a list")
    return TestResult(name=str(test["name"]), score=_number(test["score"]), max_score=_number(test["max_score"]),
                      output=str(test.get("output", "")), tags=[str(t) for t in tags],
                      visibility=_one_of(test.get("visibility", "visible"), VISIBILITIES),
                      cause=Cause.parse((test.get("extra_data") or {}).get("cause")))


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{value!r} is not a number")
    return float(value)


def _one_of(value: Any, allowed: tuple) -> Any:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {allowed}")
    return value
