"""One Gradescope run inside the assignment's time limit, with results.json written whatever happens.

Gradescope kills the autograder at the assignment's timeout and then shows the student
no result at all. So a run keeps a margin below that timeout:

- the grading engine gets ``timeout - margin`` seconds (`TimeLimit.budget`): once they are
  spent, every remaining call into the submission fails at once, and its check records 0
  with the reason ("... used up its total grading time ...");
- before grading starts, results.json already holds every check at 0 with the reason
  "did not finish within the time limit", so a run killed outright still leaves a result;
- a watchdog ends the run at ``timeout - margin / 2`` (`TimeLimit.watchdog`) if grading is
  still going (say, a submission whose top-level statements are slow, which the engine's
  budget does not cover), leaving that file in place;
- ``run_autograder`` also runs under ``timeout --signal=KILL`` at ``timeout - margin / 4``
  (`TimeLimit.hard_stop`), for a grader that cannot even run its watchdog.

What students see before grades are published (the visible checks and the top-level text) is
settled when the visible checks are done: results.json then holds their results, the notes on
loading, and every hidden check still at 0 with the pending reason (`provisional`). Whatever the
hidden checks then do, finishing, running out of time or stopping the run, that text stays the
same, so their course cannot say anything of what a submission saw in them.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from autograder.engine.grade import grade_folder
from autograder.engine.plugin import GraderError, unrun_results
from autograder.platforms.gradescope.time_limit import TimeLimit
from autograder.results import results_json
from autograder.results.causes import Cause
from autograder.results.model import GradingResult
from autograder.sandbox.confinement import Unconfined
from autograder.sandbox.handle import Limits


def unfinished(limit: TimeLimit) -> GradingResult:
    """Every check at 0, each saying the run did not finish in time (cause "budget")."""
    reason = (f"Not graded: grading did not finish within the time limit of {limit.timeout:g} s, so this check "
              "got no time. Look for code that is very slow, or that runs long at the top level of the notebook.")
    tests = [replace(t, cause=Cause.BUDGET) for t in unrun_results(reason)]
    note = (f"Grading did not finish within the time limit of {limit.timeout:g} s; checks that did not run are "
            "recorded at 0 with the reason.")
    return GradingResult(tests, output=note, notes=[note])


class _Watchdog:
    """Ends the process at `deadline` (time.monotonic()) unless `finish` ran first."""

    def __init__(self, deadline: float):
        self._lock = threading.Lock()
        self._done = False
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            print("autograder gradescope-run: the time limit was reached while grading; "
                  "results.json holds every check at 0 with the reason", file=sys.stderr, flush=True)
            os._exit(0)  # the worker dies with this process (it was started with a parent-death signal)

    def finish(self, action) -> None:
        """Run `action` (writing the real results) unless the watchdog fired; it cannot fire meanwhile."""
        with self._lock:
            self._done = True
            self._timer.cancel()
            action()

    def meanwhile(self, action) -> None:
        """Run `action` (writing results so far) unless the watchdog fired, which stays armed; it cannot fire
        meanwhile, so a file is never left half written by it."""
        with self._lock:
            if not self._done:
                action()


def provisional(pending: GradingResult, visible: GradingResult) -> GradingResult:
    """`pending` (every check at 0, with the reason) with the visible checks' results and the top-level text of
    `visible`, the grade's visible phase: what students see before grades are published, as the final results
    will show it, and the hidden checks still pending."""
    shown = {t.name: t for t in visible.tests}
    tests = [shown.get(t.name, t) if t.visibility == "visible" else t for t in pending.tests]
    return replace(visible, tests=tests)


def run(root: Path, limit: TimeLimit, limits: Limits | None = None) -> GradingResult:
    """Grade `root`/submission and write `root`/results/results.json within `limit`; return the result.

    If the graders themselves fail, results.json says so (every check at 0, cause "grader_error")
    and the exception is raised again for the instructor's log.
    """
    started = time.monotonic()
    results = root / "results" / "results.json"
    try:
        pending = unfinished(limit)
    except GraderError:  # the graders cannot even be collected: say so in results.json, then let it be known
        results_json.write(_not_graded(GradingResult([]), FAILED), results)
        raise
    results_json.write(pending, results)
    watchdog = _Watchdog(started + limit.watchdog)
    budget = math.floor(limit.budget - (time.monotonic() - started))  # whole seconds: students read the figure
    try:
        result = grade_folder(root / "submission", limits=limits, budget_seconds=max(budget, 0),
                              on_visible=lambda visible: watchdog.meanwhile(
                                  lambda: results_json.write(provisional(pending, visible), results)))
    except Unconfined:  # nothing of the submission ran: the student is told, the instructor gets the line
        watchdog.finish(lambda: results_json.write(_not_graded(pending, UNSAFE), results))
        raise
    except Exception:
        watchdog.finish(lambda: results_json.write(_not_graded(pending, FAILED), results))
        raise
    watchdog.finish(lambda: results_json.write(result, results))
    return result


FAILED = "the grader itself failed"
UNSAFE = "this grading machine cannot run submissions safely (it cannot confine them), so it ran none"


def _not_graded(pending: GradingResult, why: str) -> GradingResult:
    """`pending` with the reason replaced by `why`, which is not the student's doing."""
    reason = f"Not graded: {why}. This is not your fault; please tell your instructor."
    note = f"Nothing was graded: {why}. This is not your fault; please tell your instructor."
    return GradingResult([replace(t, output=reason, cause=Cause.GRADER_ERROR) for t in pending.tests], output=note,
                         notes=[note])
