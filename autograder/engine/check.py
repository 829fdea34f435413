"""`autograder check`: before a student submits, what the official grader will make of the saved notebook.

It is the official grade's visible phase (`grade.visible_and_report`): the same code, the same
sandbox, the same limits, the notebook lined up with the release the same way, so each visible
test's verdict is the one the official grade gives (a check that another function's bug spoils
is run again with the reference there, as in the grade, for functions that fail their own
visible tests). No hidden check runs at all, so no hidden input reaches the submission and
nothing it could learn from one reaches this text. It shows what students see: which graded
functions are defined, the visible tests' verdicts, whether the structure is the release's (or
what the grader will recognise or restore), which statements fail or run out of time, and what
will run differently than in the student's own Jupyter (see `sandbox.pitfalls`). A visible
test's message is cut to its own finding.

It runs where the course grades (the graders and the reference solution are part of this
package, and never reach students): see the README's "Checking before submitting".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.course import modules
from autograder.engine.grade import DEFAULT_BUDGET_SECONDS, GradeRequest, visible_and_report
from autograder.engine.load_notes import PITFALLS_HEAD
from autograder.engine.plugin import KNOCK_ON
from autograder.results.model import GradingResult, LoadProblem, TestResult
from autograder.sandbox.handle import Limits


@dataclass
class CheckReport:
    """What the check found in one notebook; `visible` holds the visible tests' results, nothing hidden."""

    submission: str
    defined: list[str]
    undefined: list[str]
    visible: list[TestResult]
    failed_statements: list[LoadProblem]
    repairs: list[str]
    pitfalls: list[dict]
    loading: list[str] = field(default_factory=list)  # what the grader's report says about loading, repairs aside

    @property
    def clean(self) -> bool:
        """Nothing to fix before submitting. What the grader recognised or restored (`repairs`) costs nothing by
        itself: what it does cost shows as a function not defined or a visible test failing."""
        return not (self.undefined or self.failed_statements or self.pitfalls
                    or any(not t.passed for t in self.visible))


def check(submission: Path, limits: Limits | None = None, budget_seconds: float = DEFAULT_BUDGET_SECONDS,
          name: str | None = None) -> CheckReport:
    """Check `submission` (shown as `name`) as the official grade's visible phase does (raises what `grade`
    raises)."""
    result, report = visible_and_report(GradeRequest(Path(submission), limits or Limits(), budget_seconds))
    return report_of(name or Path(submission).name, result, report.callables, report.pitfalls)


def _as_shown(test: TestResult) -> TestResult:
    """A visible test as the check shows it: a pass says nothing more, and a failure only its own finding, not the
    line saying which functions its second run stood the reference in for (the visible tests alone decide those, see
    `plugin.run_phase`; the student reads their own failures)."""
    if test.passed:
        return replace(test, output="")
    lines = test.output.strip().splitlines()
    if lines and lines[0].startswith(KNOCK_ON):
        lines = lines[1:]
    return replace(test, output="\n".join(lines))


def report_of(name: str, result: GradingResult, callables: list[str], pitfalls: list[dict]) -> CheckReport:
    """The check's report from the official grade of the notebook and what loading it found."""
    graded = list(modules.cell_of_function())
    visible = [_as_shown(t) for t in result.tests if t.visibility == "visible"]
    return CheckReport(submission=name, defined=[f for f in graded if f in callables],
                       undefined=[f for f in graded if f not in callables], visible=visible,
                       failed_statements=[p for p in result.load_problems if p.kind != "unreadable"]
                       if callables else list(result.load_problems),
                       repairs=list(result.repairs), pitfalls=list(pitfalls),
                       loading=[n for n in result.notes if n not in result.repairs and not n.startswith(PITFALLS_HEAD)])


def render(report: CheckReport) -> str:
    """The check's report as a student reads it."""
    lines = [f"Checked {report.submission} as the official grader reads it: in its sandbox, with its limits.", ""]
    if report.repairs:
        lines.append("Structure: the grader lines your notebook up with the course's before grading:")
        lines += [f"  - {note}" for note in report.repairs]
    else:
        lines.append("Structure: as the course released it.")
    if report.loading:
        lines.append("Running it, the grader will say:")
        lines += [f"  {line}" for note in report.loading for line in note.splitlines()]
    else:
        lines.append("Running it: every statement the grader runs finished within the limits.")
    total = len(report.defined) + len(report.undefined)
    if report.undefined:
        lines.append(f"Graded functions: {len(report.defined)} of {total} defined; not defined: "
                     f"{', '.join(report.undefined)}.")
    else:
        lines.append(f"Graded functions: all {total} defined (in the {len(report.visible)} graded cells).")
    passed = sum(t.passed for t in report.visible)
    lines.append(f"Visible tests (the notebook's own), as the grader runs them: {passed} of {len(report.visible)} pass.")
    for test in report.visible:
        lines.append(f"  [{'passed' if test.passed else 'FAILED'}] {test.name}")
        if not test.passed and test.output.strip():
            lines += [f"      {line}" for line in test.output.strip().splitlines()[:2]]
    if report.pitfalls:
        lines.append("Different from your own Jupyter:")
        lines += [f"  - {p['where']}: {p['text']}." for p in report.pitfalls]
    if not report.clean:
        verdict = "Look at the lines above before you submit."
    elif report.repairs:
        verdict = "Nothing to fix before you submit; the notes on the structure are for your information."
    else:
        verdict = "Nothing to fix before you submit."
    lines += ["", verdict,
              "This is not your grade: it shows the visible tests only; the hidden checks' results come with the "
              "course's grade."]
    return "\n".join(lines)
