"""The hidden part of the notebook's test cells, as `nbgrader autograde` runs them.

Each test cell of the source notebook reads, hidden parts included::

    ### BEGIN HIDDEN TESTS
    from autograder.grading.nbgrader_cells import cell_score, guarded
    test_relu = guarded(test_relu)
    ### END HIDDEN TESTS
    test_relu(relu, relu_backward)
    ### BEGIN HIDDEN TESTS
    cell_score("activations_relu")
    ### END HIDDEN TESTS

Under autograde (nbgrader sets ``NBGRADER_EXECUTION=autograde``), the first `cell_score`
grades the notebook being autograded with ``autograder grade``, in a separate process
whose worker runs the student's code, exactly as the command does; every cell then
shows its own checks and returns its points, which nbgrader takes as partial credit. The
visible test still runs, but `guarded` keeps it from turning the cell into an error
(nbgrader scores an erroring cell 0) and keeps its message back: the graders run the same
visible test, so the cell reports each failed check once, and a hint shared by several
checks once. The visible test's own message is printed only if the graders could not run.
So a cell's nbgrader score is the command's score for that cell. Anywhere else (a student, the instructor running the
source) both helpers step aside. Nothing here raises: an error would show this cell's
hidden source in a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path


GRADING_BUDGET_SECONDS = 240  # under nbgrader's per-cell timeout (300 s in nbgrader_config.py)
_graded: dict = {}
_visible_failure: list[str] = []  # the last guarded visible test's failure, shown only if the graders cannot run


def autograding() -> bool:
    return os.environ.get("NBGRADER_EXECUTION") == "autograde"


def guarded(test: Callable) -> Callable:
    """Under autograde: `test` that never raises and writes nothing to stderr; its failure is kept for `cell_score`."""
    if not autograding():
        return test

    def run(*args, **kwargs):
        _visible_failure.clear()
        with warnings.catch_warnings(), contextlib.redirect_stderr(sys.stdout):
            warnings.simplefilter("ignore")
            try:
                test(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - the student's code may raise anything
                name = "AssertionError" if isinstance(exc, AssertionError) else type(exc).__name__
                _visible_failure.append(f"Visible test: {name}: {exc}")
    return run


def _grade_here() -> list[dict]:
    """The checks of the notebook in the current folder, graded once per kernel."""
    if "tests" not in _graded:
        from autograder.grading.grade import find_submission

        notebook, problem = find_submission(Path.cwd())
        if notebook is None:
            raise RuntimeError(problem)
        with tempfile.TemporaryDirectory(prefix="nbgrader-hidden-") as out:
            done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(notebook), "--quiet", "--out", out,
                                   "--budget", str(GRADING_BUDGET_SECONDS)], capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, timeout=GRADING_BUDGET_SECONDS + 60)
            if done.returncode != 0:
                raise RuntimeError((done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1])
            _graded["tests"] = json.loads((Path(out) / "results.json").read_text(encoding="utf-8"))["tests"]
    return _graded["tests"]


def cell_score(grade_id: str) -> float | None:
    """Under autograde: print this cell's checks and return its points; None anywhere else."""
    if not autograding():
        return None
    try:
        from autograder.course.modules import cell_of_function

        cells = cell_of_function()
        tests = [t for t in _grade_here() if t["tags"] and cells.get(t["tags"][0]) == grade_id]
    except Exception as exc:  # noqa: BLE001 - never a traceback from a hidden region
        print("\n".join(_visible_failure + [f"The hidden checks could not run ({type(exc).__name__}: {exc}); "
                                             "this cell scores 0."]))
        return 0.0
    print(report(tests))
    return round(sum(t["score"] for t in tests), 6)


def report(tests: list[dict]) -> str:
    """One cell's checks (results.json entries): a line each, and each failure's message once.

    A first line or hint already shown for an earlier check of the cell ("backward_propagation fails its own
    checks", a shared hint) is left out, and a message shown whole already becomes "the same reason as above".
    """
    lines: list[str] = []
    messages: set[str] = set()
    headlines: set[str] = set()
    for test in tests:
        mark = "passed" if test["status"] == "passed" else "FAILED"
        lines.append(f"[{mark}] {test['name']} ({test['score']:g} / {test['max_score']:g})")
        message = test["output"].strip()
        if test["status"] == "passed":
            continue
        if message in messages:
            lines.append("    (the same reason as above)")
            continue
        messages.add(message)
        for at, line in enumerate(test["output"].splitlines()):
            if at == 0 or line.strip().startswith("Hint:"):  # array rows may repeat; these need not
                if line.strip() in headlines:
                    continue
                headlines.add(line.strip())
            lines.append("    " + line)
    return "\n".join(lines)
