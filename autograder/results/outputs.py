"""Write one submission's results: Gradescope results.json and JUnit XML, side by side."""

from __future__ import annotations

from pathlib import Path

from autograder.results import junit, results_json
from autograder.results.junit import JUNIT_FILE
from autograder.results.model import GradingResult
from autograder.results.results_json import RESULTS_FILE


class ResultsNotWritten(OSError):
    """The result files could not be written (a full disk, say); the message is one plain line."""


def write_results(result: GradingResult, out_dir: Path) -> tuple[Path, Path]:
    """Both files in `out_dir` (created if needed), each written atomically.

    Raises ResultsNotWritten, naming the folder and the reason, when either cannot be
    written; a file that was there before is then left as it was, never half-written.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return results_json.write(result, out_dir / RESULTS_FILE), junit.write(result, out_dir / JUNIT_FILE)
    except OSError as exc:
        raise ResultsNotWritten(exc.errno, f"could not write the results in {out_dir} "
                                           f"({exc.strerror or exc}); nothing was recorded for this submission") from None
