"""Gradescope's autograder results format (results.json)."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.integrations.files import write_atomically
from autograder.integrations.results import GradingResult, TestResult


def to_dict(result: GradingResult) -> dict:
    """The results.json document: top-level score and tests; student stdout never shown."""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.execution_time, 3),
        "output": result.output,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [_test(t) for t in result.tests],
        "extra_data": {"load_problems": [{"kind": p.kind, "where": p.where, "message": p.message}
                                         for p in result.load_problems]},
    }


def _test(t: TestResult) -> dict:
    """One test; `extra_data.cause` names the recognised mistake (Gradescope keeps extra_data as it is)."""
    return {"name": t.name, "score": t.score, "max_score": t.max_score, "status": t.status, "output": t.output,
            "tags": list(t.tags), "visibility": t.visibility, "extra_data": {"cause": t.cause}}


def write(result: GradingResult, path: Path) -> Path:
    """Write results.json atomically (a reader never sees half a file)."""
    return write_atomically(path, json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n")

