"""The visible tests run in this process, as a student's notebook runs them.

`visible_verdicts(source)` executes a .py submission in a fresh namespace and calls every
visible test of `public_tests` with the submission's own functions, exactly as the notebook's
test cells do. A test passes when it returns; anything it raises is a failure.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io

import numpy as np


def visible_verdicts(source: str, public) -> dict[str, bool]:
    """{first function a visible test takes: passed?} for every visible test in `public`."""
    return {function: message is None for function, message in visible_failures(source, public).items()}


def visible_failures(source: str, public) -> dict[str, str | None]:
    """{first function a visible test takes: None if it passed, else what it raised, as the notebook shows it}."""
    namespace: dict = {"__name__": "submission"}
    with contextlib.redirect_stdout(io.StringIO()):
        for node in ast.parse(source).body:  # statement by statement: one that fails is skipped, as a failed cell is
            try:
                exec(compile(ast.Module([node], type_ignores=[]), "<submission>", "exec"), namespace)  # noqa: S102
            except Exception:  # noqa: BLE001, S110 - the notebook goes on after a failed cell too
                pass
    verdicts = {}
    for name in public.__all__:
        test = getattr(public, name)
        wanted = list(inspect.signature(test).parameters)
        state = np.random.get_state()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                test(*[namespace[w] for w in wanted])
            verdicts[wanted[0]] = None
        except AssertionError as exc:  # a check's finding, shown by Jupyter as its message alone
            verdicts[wanted[0]] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a missing function or a crash: the test did not pass
            verdicts[wanted[0]] = f"{type(exc).__name__}: {exc}"
        finally:
            np.random.set_state(state)
    return verdicts
