"""Write one submission's results: Gradescope results.json and JUnit XML, side by side."""

from __future__ import annotations

from pathlib import Path

from autograder.integrations import gradescope, junit
from autograder.integrations.results import GradingResult


RESULTS_FILE = "results.json"
JUNIT_FILE = "junit.xml"


def write_results(result: GradingResult, out_dir: Path) -> tuple[Path, Path]:
    """Both files in `out_dir` (created if needed), each written atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return gradescope.write(result, out_dir / RESULTS_FILE), junit.write(result, out_dir / JUNIT_FILE)
