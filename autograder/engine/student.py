"""The graders' handle on one submission: calls into its worker, failures in plain words.

Every call goes through `Student.call`, which turns what can go wrong on the student's
side into `StudentFailure`, an AssertionError whose message is meant for the student:
the function raised (with its own message and line), is missing, timed out, or took the
worker down. The submission also has a total time budget; once it is spent, every
further call fails at once with that reason, so a slow submission cannot hold a batch.
"""

from __future__ import annotations

import copy
import inspect
import time
from collections.abc import Callable
from typing import Any

from autograder.course import modules
from autograder.engine import contracts
from autograder.engine.redact import redact
from autograder.results.causes import Cause
from autograder.sandbox.handle import (
    CallStopped,
    CallTimedOut,
    LoadReport,
    SandboxError,
    StopCall,
    StudentError,
    WorkerDied,
    WorkerHandle,
)


# A proxy's arguments are bounded by the sizes of the network and data the check handed the student's function
# (`contracts.sizes_of`); where the check's arguments carry none, they may hold this many numbers in all.
CALLBACK_SIZE_FLOOR = 100_000


def _guarded(caller: str, name: str, function: Callable, limit: int | contracts.Sizes) -> Callable:
    """`function` answering `caller`'s calls of `name`, after refusing what no correct caller would send
    (`limit`: see `contracts.problem`)."""
    def guarded(*args: Any, **kwargs: Any) -> Any:
        why = contracts.problem(name, function, args, kwargs, limit)
        if why is not None:
            raise StopCall(f"{caller} called {name}, which the reference answers during this check, with {why}. A "
                           f"correct {caller} passes it what the assignment's contract describes, on networks and "
                           f"data no larger than those it was given: {contract_signature(name)}.",
                           Cause.CALLBACK_REFUSED)
        return function(*args, **kwargs)
    guarded.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
    return guarded


# Graded functions that draw from numpy's global generator: standing in for one, the reference draws in the
# worker's generator state (nn_model seeds it, then initializes), as the student's function would have.
RANDOM_FUNCTIONS = frozenset({"initialize_parameters"})


class StudentFailure(AssertionError):
    """A check failed because of the student's code; the message is for the student, `cause` names what happened."""

    def __init__(self, message: str, cause: Cause | None = None):
        super().__init__(message)
        self.cause = cause


class Student:
    """One loaded submission. `call` runs a graded function in the worker and returns plain data."""

    def __init__(self, worker: WorkerHandle, report: LoadReport, *, budget_seconds: float = 600.0,
                 unreadable: str | None = None):
        self.worker = worker
        self.report = report
        self.unreadable = unreadable
        self.deadline = time.monotonic() + budget_seconds
        self.budget_seconds = budget_seconds
        # the student's functions the reference stands in for, during a check's second run (see plugin.run_graders)
        self.stand_ins: frozenset[str] = frozenset()
        # (function, swapped-in functions) -> the timeout's message: see `call`
        self.timed_out: dict[tuple[str, tuple[str, ...]], str] = {}

    @property
    def defined(self) -> set[str]:
        return set(self.report.callables)

    def moved_to(self, worker: WorkerHandle, report: LoadReport) -> Student:
        """This submission in a fresh `worker` that loaded it again (`report`): the same total time, what is left of
        it, and a call that timed out is still not made again. What the old worker saw stays there."""
        moved = Student(worker, report, budget_seconds=self.budget_seconds, unreadable=report.unreadable)
        moved.deadline = self.deadline
        moved.timed_out = dict(self.timed_out)
        return moved

    def call(self, name: str, *args: Any, proxies: dict[str, Callable] | None = None, seed: int | None = None,
             timeout: float | None = None, share_changes: bool = False, **kwargs: Any) -> Any:
        """`name(*args, **kwargs)` in the worker. Raises StudentFailure for anything the student's code did."""
        if self.unreadable:
            raise StudentFailure(f"{name} could not be graded: {self.unreadable}", Cause.UNREADABLE)
        if name in self.stand_ins:
            return self._reference(name, args, kwargs)
        random: frozenset[str] = frozenset()
        if self.stand_ins:  # the student's other functions call the reference's in their place
            ref = modules.reference()
            proxies = {**{f: getattr(ref, f) for f in self.stand_ins if f != name}, **(proxies or {})}
            random = frozenset(self.stand_ins & RANDOM_FUNCTIONS) - {name}
        if proxies:  # each answers only what a correct caller could send, no larger than this call's (see `contracts`)
            limit = contracts.sizes_of(name, args, kwargs) or CALLBACK_SIZE_FLOOR
            proxies = {p: _guarded(name, p, function, limit) for p, function in proxies.items()}
        if name not in self.defined:
            raise StudentFailure(self._missing(name), Cause.NOT_DEFINED)
        key = (name, tuple(sorted(proxies or ())))
        # A call that timed out is not made again, nor one that runs no less of the student's code (fewer or the
        # same functions swapped in); with more of the reference swapped in, the loop may have been in those.
        for (timed_name, swapped), reason in self.timed_out.items():
            if timed_name == name and set(key[1]) <= set(swapped):
                raise StudentFailure(f"{name} was not run again: {reason}", Cause.TIMEOUT)
        problem = signature_problem(name, self.report.signatures.get(name), len(args), kwargs)
        if problem:
            raise StudentFailure(problem, Cause.SIGNATURE)
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise StudentFailure(f"{name} was not run: the submission used up its total grading time "
                                 f"of {self.budget_seconds:g} s.", Cause.BUDGET)
        seconds = min(timeout or self.worker.limits.call_seconds, left)
        try:  # the grader's answers to its callbacks are not charged to the call, but they spend the budget
            return self.worker.call(name, *args, proxies=proxies, seed=seed, timeout=seconds,
                                    share_changes=share_changes, random_proxies=random, budget_left=left, **kwargs)
        except CallStopped as exc:  # a proxy stopped it and said why (see `StopCall`), or the budget ran out
            if Cause.parse(exc.cause) is Cause.BUDGET:
                raise StudentFailure(f"{name} was stopped: the submission used up its total grading time of "
                                     f"{self.budget_seconds:g} s (the time the grader spent answering the functions "
                                     "it called counts too).", Cause.BUDGET) from None
            raise StudentFailure(str(exc), Cause.parse(exc.cause)) from None
        except StudentError as exc:
            raise StudentFailure(self._explain(name, exc), _raised_cause(exc)) from None
        except CallTimedOut as exc:
            message = _explain_timeout(name, exc)
            self.timed_out[key] = message[0].lower() + message[1:]
            raise StudentFailure(message, Cause.TIMEOUT) from None
        except SandboxError as exc:
            raise StudentFailure(_explain_ending(name, exc), Cause.CRASH) from None

    @staticmethod
    def _reference(name: str, args: tuple, kwargs: dict) -> Any:
        """The reference's `name` on copies of the arguments, standing in for the student's (see `stand_ins`)."""
        function = getattr(modules.reference(), name)
        why = contracts.problem(name, function, args, kwargs, CALLBACK_SIZE_FLOOR)
        if why is not None:  # what the student's other functions made, handed on: bounded like any callback
            raise StudentFailure(f"{name} (the reference, standing in for yours) was handed {why}.",
                                 Cause.CALLBACK_REFUSED)
        try:
            return function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except Exception as exc:  # noqa: BLE001 - what the student's other functions handed it
            raise StudentFailure(f"{name} (the reference, standing in for yours) raised {type(exc).__name__}: {exc} "
                                 "on what your other functions gave it.", Cause.RAISED) from None

    def _explain(self, name: str, error: StudentError) -> str:
        """What a failed call did, in plain words."""
        text = redact(str(error))
        where = f" at {error.at}" if error.at else ""
        if error.kind != "raised":  # "relu returned a value of type object, which cannot be graded"
            return text + "."
        if error.exception == "NotImplementedError":
            return f"{name} reached code that is not written yet (NotImplementedError{where})."
        if error.exception == "MemoryError":
            return f"{name} used more than the {self.worker.limits.memory_mb} MB of memory a submission may use{where}."
        if error.exception == "RecursionError":
            return f"{name} recursed without end (RecursionError{where})."
        return f"{name} raised {text}{' (' + where.strip() + ')' if where else ''}."

    def function(self, name: str, **options: Any) -> Callable[..., Any]:
        """A local stand-in for the student's `name`, for checks written against a plain function (the visible
        tests): like the function in the notebook, it changes its arguments in place if the student's does."""
        def remote(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, *args, share_changes=True, **options, **kwargs)
        remote.__name__ = name
        signature = rebuilt_signature(self.report.signatures.get(name))
        if signature is not None:
            remote.__signature__ = signature  # type: ignore[attr-defined]  # inspect.signature(remote) reads the student's parameters and defaults
        return remote

    def _missing(self, name: str) -> str:
        text = f"{name} is not defined in your submission, so its checks could not run."
        culprits = [failure.where for failure in self.report.failures if name in failure.defines]
        if culprits:
            text += (f" The statement that defines it ({culprits[0]}) failed to run (see the top of this report); "
                     "fix it first.")
        else:
            text += " Check the spelling of the name and that its cell is still in the notebook."
        return text


class DeclaredDefault:
    """A default the worker could only describe (not a number, string, bool or None): its repr, equal to nothing."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def rebuilt_signature(signature: dict | None) -> inspect.Signature | None:
    """The student's function's signature from the worker's table (see `client._signatures`); None if it has none."""
    if signature is None:
        return None
    P = inspect.Parameter
    names, positional, defaults = signature["names"], signature["positional"], signature.get("defaults", {})
    parameters = []
    for index, name in enumerate(names + [None]):
        if index == positional and signature["varargs"]:
            parameters.append(P("args" if "args" not in names else "_args", P.VAR_POSITIONAL))
        if name is None:
            break
        declared = defaults.get(name)
        default = P.empty if declared is None else declared["value"] if "value" in declared \
            else DeclaredDefault(declared["repr"])
        parameters.append(P(name, P.POSITIONAL_OR_KEYWORD if index < positional else P.KEYWORD_ONLY, default=default))
    if signature["varkw"]:
        parameters.append(P("kwargs" if "kwargs" not in names else "_kwargs", P.VAR_KEYWORD))
    try:
        return inspect.Signature(parameters)
    except (ValueError, TypeError):
        return None


# What a call that raised these (by the exception's type name) is counted as.
_RAISED_CAUSES = {"NotImplementedError": Cause.NOT_WRITTEN, "MemoryError": Cause.MEMORY, "RecursionError": Cause.RECURSION}
_TIMEOUT_ADVICE = {"waiting": "Look for a sleep, an input() or a wait for something that never comes.",
                   "threads": "The work runs on several threads, and the time limit counts them all: do it in one.",
                   "computing": "Look for a loop that never ends, or work that grows much faster than it should."}


def _raised_cause(error: StudentError) -> Cause:
    """The cause of a call of `name` that sent back an error instead of a result."""
    if error.kind == "unreadable_result":
        return Cause.UNREADABLE_RESULT
    return _RAISED_CAUSES.get(error.exception, Cause.RAISED)


def _named(name: str, error: SandboxError) -> str:
    return str(error) if name in str(error) else f"{name}: {error}"


def _explain_timeout(name: str, timeout: CallTimedOut) -> str:
    """A call that ran out of time, and where to look."""
    return f"{_named(name, timeout)}. {_TIMEOUT_ADVICE[timeout.spent]}"


def _explain_ending(name: str, error: SandboxError) -> str:
    """A call that never returned because the worker ended (or sent what it must not)."""
    text = _named(name, error)
    if isinstance(error, WorkerDied) and not error.disk_exceeded:
        return text + ". The code ended the process that runs it (os._exit, a signal, running out of memory, or a crash)."
    return text + "."


def contract_signature(name: str) -> str:
    """The API contract's signature of a graded function, as the notebook writes it: f(X, parameters, activation="tanh")."""
    function = getattr(modules.reference(), name, None)
    return name + str(inspect.signature(function)).replace("'", '"') if function else name + "(...)"


def missing_parameters(name: str, signature: dict) -> list[str]:
    """The contract's parameters of `name` that the submission's function cannot take as the graders pass them:
    positional ones beyond its own (renaming `Z` to `x` is fine), and those with defaults, which are passed by name."""
    function = getattr(modules.reference(), name, None)
    if function is None or signature.get("varkw"):
        return []
    lacking = []
    for index, parameter in enumerate(inspect.signature(function).parameters.values()):
        by_name = parameter.default is not inspect.Parameter.empty
        reachable = index < signature["positional"] or signature.get("varargs")
        if parameter.name not in signature["names"] and (by_name or not reachable):
            lacking.append(parameter.name)
    return lacking


def signature_problem(name: str, signature: dict | None, positional: int, keywords: dict) -> str | None:
    """Why `name(<positional> arguments, **keywords)` cannot be called as the contract calls it, or None."""
    if signature is None:
        return None
    lacking = [k for k in keywords if k not in signature["names"]] if not signature["varkw"] else []
    if positional > signature["positional"] and not signature["varargs"]:
        function = getattr(modules.reference(), name, None)
        names = list(inspect.signature(function).parameters) if function else []
        lacking = [n for n in names[signature["positional"]:positional] if n not in signature["names"]] or lacking \
            or [f"argument {positional}"]
    if not lacking:
        defaults = signature.get("defaults", {})
        required = [n for n in signature["names"][:signature["positional"]] if n not in defaults]
        extra = [n for n in required[positional:] if n not in keywords]
        if not extra:
            return None
        what = ", ".join(f"`{n}`" for n in extra)
        return (f"{name} requires {'a parameter' if len(extra) == 1 else 'parameters'} {what} that the assignment "
                f"does not pass (older DLS notebooks had {'it' if len(extra) == 1 else 'them'}); the signature is "
                f"{contract_signature(name)}.")
    what = ", ".join(f"`{n}`" for n in lacking)
    return (f"{name} has no {what} parameter{'s' if len(lacking) > 1 else ''}; the signature is "
            f"{contract_signature(name)}.")
