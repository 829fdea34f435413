"""GitHub Actions and GitHub Classroom: the job summary and the points Classroom reads.

GitHub Classroom's reporter (``classroom-resources/autograding-grading-reporter``) takes
each grading step's ``result`` output: base64 of ``{"version": 1, "status", "max_score",
"tests": [{"name", "status", "score", "message", ...}]}``. It adds up the scores and
posts ``Points <score>/<max>`` on the "Autograding Tests" check run, where Classroom
reads them: that notice is the grade.

A test entry has no maximum of its own in that format (the runner's ``max_score`` is the
only one), and the reporter's log line ``Total points for grade: X/68`` is computed as
(tests passed / tests) x max_score, as if every check weighed the same; with our checks
worth 1 to 6 points it differs from the grade. The README says which figure to read.
"""

from __future__ import annotations

import base64
import html
import json
import os
from pathlib import Path

from autograder.results.cells import by_cell
from autograder.results.model import GradingResult


TEMPLATES = Path(__file__).with_name("templates")  # the students' workflow, and the course's grading run


def payload(result: GradingResult) -> dict:
    """The Classroom runner result: one entry per check, with its points."""
    failed = any(not t.passed for t in result.tests)
    return {
        "version": 1,
        "status": "fail" if failed else "pass",
        "max_score": result.max_score,
        "tests": [{"name": t.name, "status": "pass" if t.passed else "fail", "score": t.score,
                   "message": t.output, "test_code": "", "filename": "", "line_no": 0, "execution_time": ""}
                  for t in result.tests],
    }


def encoded_payload(result: GradingResult) -> str:
    """`payload` as base64 JSON, the form the reporter reads from a step output."""
    return base64.b64encode(json.dumps(payload(result)).encode("utf-8")).decode("ascii")


def job_summary(result: GradingResult, title: str) -> str:
    """Markdown for the job summary page: points per graded cell, then each failed check's message."""
    lines = [f"## {html.escape(title)}: {result.score:g} / {result.max_score:g} points", "",
             "| graded cell | points | checks passed |", "| --- | ---: | ---: |"]
    groups = by_cell(result.tests)
    for cell, tests in groups.items():
        score, top = sum(t.score for t in tests), sum(t.max_score for t in tests)
        mark = "" if score == top else " ✗"
        lines.append(f"| `{cell}`{mark} | {score:g} / {top:g} | {sum(t.passed for t in tests)} / {len(tests)} |")
    if result.notes:
        lines += ["", "<pre>" + html.escape("\n".join(result.notes)) + "</pre>"]
    failed = [t for t in result.tests if not t.passed]
    if failed:
        lines += ["", "### What to fix", ""]
        for test in failed:
            lines += [f"<details><summary>{html.escape(test.name)} ({test.score:g} / {test.max_score:g})</summary>",
                      "", "<pre>" + html.escape(test.output) + "</pre>", "</details>", ""]
    return "\n".join(lines) + "\n"


def publish(result: GradingResult, title: str, environ: dict | None = None) -> None:
    """Append the job summary to $GITHUB_STEP_SUMMARY and `result=<payload>` to $GITHUB_OUTPUT, where set."""
    environ = os.environ if environ is None else environ
    if environ.get("GITHUB_STEP_SUMMARY"):
        with open(environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as f:
            f.write(job_summary(result, title))
    if environ.get("GITHUB_OUTPUT"):
        with open(environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as f:
            f.write(f"result={encoded_payload(result)}\n")


def points_line(result: GradingResult) -> str:
    """The line Classroom's own graders print, for anyone reading the log."""
    return f"Points {result.score:g}/{result.max_score:g}"
