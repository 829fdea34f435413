"""What loading a submission did, in plain lines for the top of its report.

Failed statements are grouped by root cause: a failed import followed by sixty
`NameError`s for the names it would have defined is one problem "and 60 statements that
depended on it". Graded functions whose parameters differ from the assignment's are named
once here, with the signature they should have, instead of as a raw TypeError in every check.
"""

from __future__ import annotations

import re

from autograder.course import modules
from autograder.engine.redact import redact, withhold_hidden
from autograder.engine.student import contract_signature, missing_parameters
from autograder.sandbox.handle import LoadReport


_IMPORT_NAME = re.compile(r"ImportError: cannot import name '(\w+)' from '(\w+)'")
_NO_MODULE = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")
PITFALLS_HEAD = "What will run differently under the grader than in your own Jupyter:"
AFTER_SUBMITTING = {"large_output"}  # pitfalls that matter only before the notebook is handed in


def explain(where: str, error: str, graded: set[str]) -> str:
    """One failed statement's line, with advice where a common cause is recognised."""
    line = f"  {where}: {redact(error)}"
    found = _IMPORT_NAME.match(error)
    if found and found.group(1) in graded:
        line += (f"\n    {found.group(1)} is yours to write in this assignment (an older notebook imported it from "
                 f"{found.group(2)}): remove it from this import line, and the rest of the line will import.")
    missing = _NO_MODULE.match(error)
    if missing:
        line += (f"\n    {missing.group(1)} is not installed where the course grades: remove the import (numpy and "
                 "matplotlib are all the assignment needs).")
    return line


def roots(report: LoadReport) -> list[tuple[str, str, int]]:
    """(where, error, how many later failures it explains) for each failure that is not a knock-on of an earlier one."""
    found: list[list] = []
    undefined_by: dict[str, int] = {}  # a name a failed statement would have bound -> index of its root in `found`
    for failure in report.failures:
        if failure.undefined in undefined_by:  # a NameError for a name an earlier failure would have bound
            root = undefined_by[failure.undefined]
            found[root][2] += 1
        else:
            found.append([failure.where, failure.message, 0])
            root = len(found) - 1
        for name in failure.defines:  # what this one would have bound is missing too
            undefined_by.setdefault(name, root)
    return [tuple(entry) for entry in found]


def signature_notes(report: LoadReport) -> list[str]:
    """One line per graded function whose parameters differ from the assignment's."""
    lines = []
    for name in modules.cell_of_function():
        signature = report.signatures.get(name)
        lacking = missing_parameters(name, signature) if signature else []
        if lacking:
            what = ", ".join(f"`{p}`" for p in lacking)
            lines.append(f"{name} has no {what} parameter{'s' if len(lacking) > 1 else ''}; the signature is "
                         f"{contract_signature(name)}. Checks that call it with "
                         f"{'that argument' if len(lacking) == 1 else 'those arguments'} fail.")
    return lines


def load_notes(report: LoadReport) -> list[str]:
    """Plain lines about loading: unreadable, notes, failed statements by root cause, signatures."""
    if report.unreadable:
        return [f"Your submission could not be read ({redact(report.unreadable)}). Nothing in it could be graded: "
                "submit the notebook as Jupyter saved it, or a .py file."]
    lines = list(report.notes)
    if report.failures:
        graded = set(modules.cell_of_function())
        causes = roots(report)
        knock_on = sum(count for _, _, count in causes)
        head = f"{len(causes)} statement{'s' if len(causes) > 1 else ''} of your code failed to run"
        if knock_on:
            head += f", and {knock_on} more that depended on {'it' if len(causes) == 1 else 'them'}"
        each = "each was" if len(causes) + knock_on > 1 else "it was"
        lines.append(head + f"; {each} skipped and costs nothing by itself, but what it would have defined is "
                            "missing:")
        for where, error, count in causes:
            line = explain(where, error, graded)
            if count:
                line += f"\n    ({count} later statement{'s' if count > 1 else ''} failed because this one did)"
            lines.append(line)
    pitfalls = pitfall_note(report)
    return lines + signature_notes(report) + ([pitfalls] if pitfalls else [])


def pitfall_note(report: LoadReport) -> str | None:
    """What in the submission runs differently under the grader than in Jupyter (see `sandbox.pitfalls`), as one
    note; None if nothing does. Outputs too large matter only before submitting, and are left to the check."""
    found = [p for p in report.pitfalls if p["kind"] not in AFTER_SUBMITTING]
    if not found:
        return None
    return "\n".join([PITFALLS_HEAD, *(withhold_hidden(f"  {p['where']}: {p['text']}.") for p in found)])
