"""Gradescope's autograder results format (results.json).

Two promises to students, whatever the submission did:

- Hidden checks stay hidden. Gradescope hides a student's total while any test is not
  ``visible``, but it always shows the top-level ``output``. With a hidden check present,
  that text therefore says neither the total nor how many checks passed, and quotes no
  hidden check; it says when the rest appears, and what happened while loading.
- Student text is never markup. Messages quote the student's exceptions, so every text
  field is declared ``text`` (top level, test names, each test's output): Gradescope shows
  it as plain characters, and a planted ``<b>`` or ``<a href>`` shows as typed.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.integrations.files import write_atomically
from autograder.integrations.results import GradingResult, TestResult


OUTPUT_FORMAT = "text"


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
                       "notes": list(result.notes), "confinement": result.confinement},
    }


def _test(t: TestResult) -> dict:
    """One test; `extra_data.cause` names the recognised mistake (Gradescope keeps extra_data as it is)."""
    return {"name": t.name, "score": t.score, "max_score": t.max_score, "status": t.status, "output": t.output,
            "output_format": OUTPUT_FORMAT, "tags": list(t.tags), "visibility": t.visibility,
            "extra_data": {"cause": t.cause}}


def write(result: GradingResult, path: Path) -> Path:
    """Write results.json atomically (a reader never sees half a file)."""
    return write_atomically(path, json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n")
