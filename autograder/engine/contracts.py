"""What a correct caller may hand a reference function that answers callbacks (a proxy), checked first.

When a check swaps the reference in for one of the student's functions, the student's code
calls it with arguments of its own making, and the reference runs here, in the grading
process, where nothing interrupts it. `problem` refuses, before the reference runs, what no
correct caller in the check could send:

- arrays of a dtype the reference is not meant for (float16, which numpy multiplies without
  BLAS: a few thousand hidden units then take minutes), or of no number at all;
- more numbers in all than `limit` (a small multiple of what the check itself passed);
- shapes that do not fit together as the assignment's contract says (parameters W1 (n_h, n_x),
  b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1); X (n_x, m); Y and A2 (n_y, m); a cache of
  (n_h, m) and (n_y, m) arrays; dA like Z), so no argument can broadcast into an m x m array.

Correct code never sends any of these; the check then fails with the returned sentence.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np


ALLOWED_KINDS = "biuf"  # bool, signed and unsigned integers, floats
REFUSED_DTYPES = (np.dtype("float16"),)
PARAMETER_KEYS = ("W1", "b1", "W2", "b2")
GRADIENT_KEYS = ("dW1", "db1", "dW2", "db2")
CACHE_KEYS = ("Z1", "A1", "Z2", "A2")


class Refused(ValueError):
    """An argument no correct caller sends; the message says which and why."""


def arrays(value: Any, path: str = "") -> list[tuple[str, np.ndarray]]:
    """(name, array) for every array in `value` (a dict's arrays named by their keys)."""
    if isinstance(value, np.ndarray):
        return [(path or "an array", value)]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in arrays(item, str(key))]
    if isinstance(value, (list, tuple)):
        return [found for item in value for found in arrays(item, path)]
    return []


def size(value: Any) -> int:
    """How many numbers `value` holds, in its arrays."""
    return sum(array.size for _, array in arrays(value))


def _shape(name: str, value: Any, ndim: int = 2) -> tuple[int, ...]:
    if not isinstance(value, np.ndarray) or value.ndim != ndim:
        raise Refused(f"{name} that is not a {ndim}-D array")
    return value.shape


def _network(parameters: Any) -> tuple[int, int, int]:
    """(n_x, n_h, n_y) of a parameters dict whose four arrays fit together."""
    if not isinstance(parameters, dict) or any(k not in parameters for k in PARAMETER_KEYS):
        raise Refused("parameters without W1, b1, W2 and b2")
    n_h, n_x = _shape("W1", parameters["W1"])
    n_y, h = _shape("W2", parameters["W2"])
    if h != n_h or _shape("b1", parameters["b1"]) != (n_h, 1) or _shape("b2", parameters["b2"]) != (n_y, 1):
        raise Refused(f"parameters that do not fit together (W1 {parameters['W1'].shape}, b1 "
                      f"{parameters['b1'].shape}, W2 {parameters['W2'].shape}, b2 {parameters['b2'].shape})")
    return n_x, n_h, n_y


def _data(X: Any, n_x: int | None = None) -> int:
    """m, the number of examples of X (n_x, m)."""
    rows, m = _shape("X", X)
    if n_x is not None and rows != n_x:
        raise Refused(f"X of shape {X.shape} for a network with n_x = {n_x}")
    return m


def _labels(Y: Any, m: int, name: str = "Y") -> None:
    if _shape(name, Y) != (1, m):
        raise Refused(f"{name} of shape {Y.shape} with {m} examples (expected (1, {m}))")


def _same(first: str, a: Any, second: str, b: Any) -> None:
    if _shape(first, a, getattr(a, "ndim", 2)) != _shape(second, b, getattr(a, "ndim", 2)):
        raise Refused(f"{first} of shape {np.shape(a)} and {second} of shape {np.shape(b)} (they must match)")


def _forward(X, parameters, activation="tanh"):
    n_x, _, _ = _network(parameters)
    _data(X, n_x)


def _predict(parameters, X, activation="tanh"):
    _forward(X, parameters, activation)


def _cost(A2, Y):
    _, m = _shape("A2", A2)
    _labels(A2, m, "A2")
    _labels(Y, m)


def _backward(parameters, cache, X, Y, activation="tanh"):
    n_x, n_h, n_y = _network(parameters)
    m = _data(X, n_x)
    _labels(Y, m)
    if not isinstance(cache, dict) or any(k not in cache for k in CACHE_KEYS):
        raise Refused("a cache without Z1, A1, Z2 and A2")
    for key, rows in (("Z1", n_h), ("A1", n_h), ("Z2", n_y), ("A2", n_y)):
        if _shape(f"cache[{key!r}]", cache[key]) != (rows, m):
            raise Refused(f"cache[{key!r}] of shape {cache[key].shape} (expected ({rows}, {m}))")


def _update(parameters, grads, learning_rate=1.2):
    _network(parameters)
    if not isinstance(grads, dict) or any(k not in grads for k in GRADIENT_KEYS):
        raise Refused("grads without dW1, db1, dW2 and db2")
    for key in PARAMETER_KEYS:
        _same(key, parameters[key], "d" + key, grads["d" + key])


def _sizes(X, Y):
    m = _data(X)
    if _shape("Y", Y)[1] != m:
        raise Refused(f"X of shape {X.shape} and Y of shape {Y.shape} (as many examples in each)")


def _initialize(n_x, n_h, n_y):
    for name, value in (("n_x", n_x), ("n_h", n_h), ("n_y", n_y)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise Refused(f"{name} = {value!r} (a positive whole number)")


def _made_by_initialize(n_x, n_h, n_y) -> int:
    """How many numbers initialize_parameters(n_x, n_h, n_y) makes: what it costs, before it runs."""
    return int(n_h) * int(n_x) + int(n_h) + int(n_y) * int(n_h) + int(n_y)


def _activation(Z):
    if not isinstance(Z, np.ndarray):
        raise Refused("Z that is not an array")


def _activation_backward(dA, Z):
    _same("dA", dA, "Z", Z)


def _gradient_check(parameters, X, Y, activation="tanh", epsilon=1e-7):
    n_x, _, _ = _network(parameters)
    _labels(Y, _data(X, n_x))


def _regions(W1, b1, X):
    n_h, n_x = _shape("W1", W1)
    if _shape("b1", b1) != (n_h, 1):
        raise Refused(f"b1 of shape {b1.shape} for W1 of shape {W1.shape}")
    _data(X, n_x)


def _interpolant(x_knots, y_knots):
    if np.shape(x_knots) != np.shape(y_knots) or np.ndim(x_knots) != 1:
        raise Refused(f"x_knots of shape {np.shape(x_knots)} and y_knots of shape {np.shape(y_knots)} "
                      "(two 1-D arrays of the same length)")


RULES: dict[str, Callable[..., object]] = {
    "forward_propagation": _forward, "predict": _predict, "compute_cost": _cost,
    "backward_propagation": _backward, "update_parameters": _update, "layer_sizes": _sizes,
    "initialize_parameters": _initialize, "collapse_linear": lambda parameters: _network(parameters),
    "gradient_check": _gradient_check, "count_linear_regions": _regions, "relu_interpolant": _interpolant,
    **{name: _activation for name in ("linear", "sigmoid", "tanh", "relu")},
    **{f"{name}_backward": _activation_backward for name in ("linear", "sigmoid", "tanh", "relu")},
}


def problem(name: str, reference: Callable, args: tuple, kwargs: dict, limit: int) -> str | None:
    """Why a correct caller would never hand `reference` (answering for `name`) these arguments; None if it could."""
    try:
        bound = inspect.signature(reference).bind(*args, **kwargs)
    except TypeError as exc:
        return f"arguments it does not take ({exc})"
    named = [found for parameter, value in bound.arguments.items() for found in arrays(value, parameter)]
    for label, array in named:
        if array.dtype.kind not in ALLOWED_KINDS or array.dtype in REFUSED_DTYPES:
            return f"{label} of dtype {array.dtype} (the assignment's arrays are float64, or bool and int labels)"
    total = sum(array.size for _, array in named)
    if total > limit:
        return f"{total:,} numbers in all, more than this check's own inputs could ever lead to ({limit:,})"
    rule = RULES.get(name)
    if rule is None:
        return None
    try:
        rule(*bound.args, **bound.kwargs)
        made = _made_by_initialize(*bound.args, **bound.kwargs) if rule is _initialize else 0
    except Refused as exc:
        return str(exc)
    except TypeError as exc:  # a rule handed something it cannot read is refused like a wrong shape
        return f"arguments that do not fit its contract ({exc})"
    if made > limit:
        return f"sizes that make {made:,} numbers, more than this check's own inputs could ever lead to ({limit:,})"
    return None
