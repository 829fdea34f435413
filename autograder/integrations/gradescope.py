"""Gradescope's autograder results format (results.json)."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.integrations.files import write_atomically
from autograder.integrations.results import GradingResult


def to_dict(result: GradingResult) -> dict:
    """The results.json document: top-level score and tests; student stdout never shown."""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.execution_time, 3),
        "output": result.output,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {"name": t.name, "score": t.score, "max_score": t.max_score, "status": t.status,
             "output": t.output, "tags": list(t.tags), "visibility": t.visibility}
            for t in result.tests
        ],
    }


def write(result: GradingResult, path: Path) -> Path:
    """Write results.json atomically (a reader never sees half a file)."""
    return write_atomically(path, json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n")

