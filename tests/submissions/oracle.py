"""Submissions that try to turn what students see before grades are published into an oracle for the hidden checks.

- RECORDER: the reference solution, whose compute_cost and backward_propagation note every call the grader makes to
  them (told from the submission's own calls by the caller's frame: the grader's calls come from the worker, the
  submission's own from its statements, compiled as "<line>" or "<cell ...>"), and whose collapse_linear raises what
  they noted, so that the visible test of collapse_linear, which runs after the hidden checks of both, would show it.
- STAND_IN_PROBE: backward_propagation wrong only for the linear activation, which no visible test uses, and an
  nn_model that always fails, saying which of the functions it calls are not its own: the reference's stand-ins of
  a second run ("one bug costs once") are proxies from the worker, not functions of the submission.
- VISIBLE_BUG_PROBE: the same nn_model beside a backward_propagation whose visible test fails (1/m missing from dW1):
  there the visible tests alone say which function the reference stands in for.
- SLOW_TO_LOAD: the reference solution, whose top level takes `LOAD_SECONDS` each time a worker loads it.

`tokens` reads what RECORDER noted out of a message; `compute_cost_token` and `backward_token` say what a call
with given arguments is noted as.
"""

from __future__ import annotations

import re

from autograder.course.samples import changed


RECORDER = changed([]) + '''

import functools as _functools
import sys as _sys

_SEEN = {}  # what the grader handed compute_cost and backward_propagation, in order: token -> times


def _noted(name, args):
    """compute_cost(A2, Y) as "cc<m>:<A2's first number>", backward_propagation(parameters, cache, X, Y, ...) as
    "bp<n_x>x<m>"."""
    if name == "compute_cost":
        return "cc%d:%.6f" % (args[0].shape[1], float(args[0].flat[0]))
    return "bp%dx%d" % args[2].shape


def _recording(function):
    @_functools.wraps(function)
    def recorded(*args, **kwargs):
        if not _sys._getframe(1).f_code.co_filename.startswith("<"):  # called by the grader, not by this file
            token = _noted(function.__name__, args)
            _SEEN[token] = _SEEN.get(token, 0) + 1
        return function(*args, **kwargs)
    return recorded


compute_cost = _recording(compute_cost)
backward_propagation = _recording(backward_propagation)


def collapse_linear(parameters):
    raise RuntimeError("seen " + " ".join("%s*%d" % item for item in _SEEN.items()))
'''

_PROBE = ("    np.random.seed(3)\n    n_x, _, n_y = layer_sizes(X, Y)\n",
          "    foreign = [f for f in ('layer_sizes', 'initialize_parameters', 'forward_propagation', 'compute_cost',\n"
          "                           'backward_propagation', 'update_parameters')\n"
          "               if not globals()[f].__code__.co_filename.startswith('<')]\n"
          "    raise RuntimeError('the grade stands the reference in for: ' + (', '.join(foreign) or 'nothing'))\n"
          "    np.random.seed(3)\n    n_x, _, n_y = layer_sizes(X, Y)\n")
STAND_IN_PROBE = changed([("    dW1 = dZ1 @ X.T / m\n",
                           "    dW1 = dZ1 @ X.T / m\n    if activation == 'linear':\n        dW1 = 2 * dW1\n"), _PROBE])
VISIBLE_BUG_PROBE = changed([("    dW1 = dZ1 @ X.T / m\n", "    dW1 = dZ1 @ X.T\n"), _PROBE])
STANDS_IN = "the grade stands the reference in for: "

LOAD_SECONDS = 14
SLOW_TO_LOAD = f"import time\ntime.sleep({LOAD_SECONDS})\n" + changed([])

_TOKEN = re.compile(r"\b(cc\d+:\d\.\d{6}|bp\d+x\d+)\*(\d+)")


def tokens(text: str) -> dict[str, int]:
    """What RECORDER noted, as a message quotes it: token -> times."""
    return {token: int(times) for token, times in _TOKEN.findall(text)}


def compute_cost_token(A2) -> str:
    """How RECORDER notes compute_cost(A2, Y)."""
    return "cc%d:%.6f" % (A2.shape[1], float(A2.flat[0]))


def backward_token(X) -> str:
    """How RECORDER notes backward_propagation(parameters, cache, X, Y)."""
    return "bp%dx%d" % X.shape
