"""Comparisons that fail with a message for the student.

The array, dict and shape checks are the visible tests' own (``public_tests.py``), so a
hidden check words its findings exactly as the notebook does: which function, which array,
where, expected against got, and the usual mistake when one matches.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from autograder.course import modules
from autograder.engine.numeric import relative_error
from autograder.results.causes import Cause


def fail(function: str, message: str, hint: str | None = None, cause: str | None = None) -> None:
    """Fail the check with a message for the student; `cause` names the mistake (see `autograder.results.causes`)."""
    modules.public_tests().fail(function, message, hint, cause)


def finding(function: str, message: str, hint: str | None = None) -> str:
    """The text `fail` reports, for a finding delivered another way (a proxy that stops a call)."""
    return str(modules.public_tests().CheckFailed(function, message, hint))


def _mistake(entry: tuple) -> tuple:
    """(wrong value, explanation) or (wrong value, explanation, cause) as a 3-tuple."""
    wrong, explanation, *rest = entry
    return wrong, explanation, (rest[0] if rest else None)


def as_array(function: str, what: str, got, shape: tuple[int, ...]) -> np.ndarray:
    """`got` as a float array of `shape`, or a failure naming the type or shape problem."""
    return modules.public_tests().as_array(function, what, got, tuple(shape))


def check_array(function: str, what: str, got, expected, hint: str | None = None, *, rtol: float = 1e-6,
                atol: float = 1e-9, mistakes: Iterable[tuple] = ()) -> None:
    """`got` equals `expected` (shape first, then values); `mistakes` are (wrong value, explanation[, cause])."""
    modules.public_tests().check_array(function, what, got, expected, hint, rtol=rtol, atol=atol,
                                       mistakes=list(mistakes))


def check_dict(function: str, what: str, got, keys: Iterable[str]) -> None:
    modules.public_tests().check_dict(function, what, got, list(keys))


def check_pair(function: str, what: str, got) -> tuple:
    """`got` is a 2-tuple (a list is accepted too)."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        kind = f"a {type(got).__name__} of length {len(got)}" if isinstance(got, (tuple, list)) else type(got).__name__
        fail(function, f"{what} should be a pair; got {kind}.")
    return tuple(got)


def check_float(function: str, what: str, got, expected: float, hint: str | None = None, *, rtol: float = 1e-7,
                mistakes: Iterable[tuple] = ()) -> None:
    """`got` is a Python float close to `expected`."""
    if isinstance(got, bool) or not isinstance(got, (float, int)):
        shape = f" of shape {got.shape}" if isinstance(got, np.ndarray) else ""
        fail(function, f"{what} should be a Python float; got {type(got).__name__}{shape}.",
             "reduce to one number and wrap it: float(value).", Cause.NOT_A_FLOAT)
    if np.isclose(got, expected, rtol=rtol, atol=1e-12):
        return
    cause = None
    for wrong, explanation, name in map(_mistake, mistakes):
        if np.isclose(got, wrong, rtol=1e-6, atol=1e-12):
            hint, cause = explanation, name
            break
    fail(function, f"{what}: expected {expected:.10g}, got {got:.10g}.", hint, cause)


def check_int(function: str, what: str, got, expected: int, hint: str | None = None,
              mistakes: Iterable[tuple] = ()) -> None:
    """`got` is an int (numpy integers accepted, bools not) equal to `expected`."""
    if isinstance(got, bool) or not isinstance(got, int):
        fail(function, f"{what} should be an int; got {type(got).__name__} {got!r}.", "wrap the count: int(count).")
    if got == expected:
        return
    cause = None
    for wrong, explanation, name in map(_mistake, mistakes):
        if got == wrong:
            hint, cause = explanation, name
            break
    fail(function, f"{what}: expected {expected}, got {got}.", hint, cause)


def check_gradient(function: str, what: str, got, numerical: np.ndarray, *, threshold: float = 1e-7,
                   mistakes: Iterable[tuple] = ()) -> None:
    """`got` matches centered differences to a relative error below `threshold` (shape checked first)."""
    values = as_array(function, what, got, numerical.shape)
    error = relative_error(values, numerical)
    if error < threshold:
        return
    check_array(function, f"{what} (relative error {error:.1e} against centered differences; the limit is "
                          f"{threshold:.0e})", values, numerical, rtol=1e-4, atol=1e-7, mistakes=mistakes)
    fail(function, f"{what}: relative error {error:.1e} against centered differences; the limit is {threshold:.0e}.",
         "the values are close but not exact: compute the derivative analytically, not by a finite difference.")
