"""What a correct caller may hand a reference function that answers callbacks (a proxy), checked first.

When a check swaps the reference in for one of the student's functions, the student's code
calls it with arguments of its own making, and the reference runs here, in the grading
process, where nothing interrupts it. `problem` refuses, before the reference runs, what no
correct caller in the check could send:

- arrays of a dtype the reference is not meant for (float16, which numpy multiplies without
  BLAS: a few thousand hidden units then take minutes), or of no number at all;
- shapes that do not fit together as the assignment's contract says (parameters W1 (n_h, n_x),
  b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1); X (n_x, m); Y and A2 (n_y, m); a cache of
  (n_h, m) and (n_y, m) arrays; dA like Z), so no argument can broadcast into an m x m array;
- anything larger than what the check itself handed out. A check's call of a student's function
  carries its network and data, whose `Sizes` (n_x, n_h, n_y, m) `sizes_of` reads with the same
  rules; a correct function hands the reference nothing larger: no dimension beyond those, no
  array larger than the largest the reference itself makes on them (`Sizes.array`: Z1 and A1,
  n_h x m), no more numbers in all than its largest call holds (`Sizes.total`). So the
  reference's work on a callback is at most its work on the check's own inputs: a network of
  n_x = 1 with 8,000 hidden units on 8,000 examples (64 million numbers from 32,001 sent) is
  refused for its n_h. Where a call carries no sizes, a count of numbers bounds it (an int `limit`).

Correct code never sends any of these; the check then fails with the returned sentence.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np


ALLOWED_KINDS = "biuf"  # bool, signed and unsigned integers, floats
REFUSED_DTYPES = (np.dtype("float16"),)
PARAMETER_KEYS = ("W1", "b1", "W2", "b2")
GRADIENT_KEYS = ("dW1", "db1", "dW2", "db2")
CACHE_KEYS = ("Z1", "A1", "Z2", "A2")

Dims = dict[str, int]  # what a rule reads from its arguments: some of n_x, n_h, n_y, m
DIMENSIONS = {"n_x": "features", "n_h": "hidden units", "n_y": "output units", "m": "examples"}


class Refused(ValueError):
    """An argument no correct caller sends; the message says which and why."""


@dataclass(frozen=True)
class Sizes:
    """The network and data a check hands a student's function: n_x features, n_h hidden units, n_y output units,
    m examples. A correct function of the assignment passes the functions it calls nothing larger."""

    n_x: int
    n_h: int
    n_y: int
    m: int

    @property
    def array(self) -> int:
        """The most numbers one array of a correct call holds: the largest of Z1 and A1 (n_h, m), X (n_x, m),
        Y, Z2 and A2 (n_y, m), W1 (n_h, n_x), W2 (n_y, n_h)."""
        n_x, n_h, n_y, m = self.n_x, self.n_h, self.n_y, self.m
        return max(n_h * m, n_x * m, n_y * m, n_h * n_x, n_y * n_h)

    @property
    def total(self) -> int:
        """The most numbers a correct call holds in all: two sets of parameters (update_parameters' parameters and
        grads) and backward_propagation's cache (Z1, A1: n_h x m; Z2, A2: n_y x m), X and Y."""
        n_x, n_h, n_y, m = self.n_x, self.n_h, self.n_y, self.m
        parameters = n_h * n_x + n_h + n_y * n_h + n_y
        return 2 * parameters + (2 * n_h + 2 * n_y + n_x + n_y) * m

    def beyond(self, dims: Dims) -> str | None:
        """Which of `dims` exceeds these sizes, in words; None if none does."""
        for field in fields(self):
            found, allowed = dims.get(field.name, 0), getattr(self, field.name)
            if found > allowed:
                return (f"{field.name} = {found:,} {DIMENSIONS[field.name]}, more than the {allowed:,} of the network "
                        "and data this check handed over")
        return None


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


def _network(parameters: Any) -> Dims:
    """n_x, n_h and n_y of a parameters dict whose four arrays fit together."""
    if not isinstance(parameters, dict) or any(k not in parameters for k in PARAMETER_KEYS):
        raise Refused("parameters without W1, b1, W2 and b2")
    n_h, n_x = _shape("W1", parameters["W1"])
    n_y, h = _shape("W2", parameters["W2"])
    if h != n_h or _shape("b1", parameters["b1"]) != (n_h, 1) or _shape("b2", parameters["b2"]) != (n_y, 1):
        raise Refused(f"parameters that do not fit together (W1 {parameters['W1'].shape}, b1 "
                      f"{parameters['b1'].shape}, W2 {parameters['W2'].shape}, b2 {parameters['b2'].shape})")
    return {"n_x": n_x, "n_h": n_h, "n_y": n_y}


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


def _count(name: str, value: Any) -> int:
    """A size passed as a number (n_h, ...): a positive whole number."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise Refused(f"{name} = {value!r} (a positive whole number)")
    return int(value)


# Each rule raises Refused for arguments that break the contract, and returns the sizes it read from them.

def _forward(X, parameters, activation="tanh") -> Dims:
    dims = _network(parameters)
    return {**dims, "m": _data(X, dims["n_x"])}


def _predict(parameters, X, activation="tanh") -> Dims:
    return _forward(X, parameters, activation)


def _cost(A2, Y) -> Dims:
    _, m = _shape("A2", A2)
    _labels(A2, m, "A2")
    _labels(Y, m)
    return {"n_y": 1, "m": m}


def _backward(parameters, cache, X, Y, activation="tanh") -> Dims:
    dims = _forward(X, parameters)
    n_h, n_y, m = dims["n_h"], dims["n_y"], dims["m"]
    _labels(Y, m)
    if not isinstance(cache, dict) or any(k not in cache for k in CACHE_KEYS):
        raise Refused("a cache without Z1, A1, Z2 and A2")
    for key, rows in (("Z1", n_h), ("A1", n_h), ("Z2", n_y), ("A2", n_y)):
        if _shape(f"cache[{key!r}]", cache[key]) != (rows, m):
            raise Refused(f"cache[{key!r}] of shape {cache[key].shape} (expected ({rows}, {m}))")
    return dims


def _update(parameters, grads, learning_rate=1.2) -> Dims:
    dims = _network(parameters)
    if not isinstance(grads, dict) or any(k not in grads for k in GRADIENT_KEYS):
        raise Refused("grads without dW1, db1, dW2 and db2")
    for key in PARAMETER_KEYS:
        _same(key, parameters[key], "d" + key, grads["d" + key])
    return dims


def _sizes(X, Y) -> Dims:
    m = _data(X)
    n_y, columns = _shape("Y", Y)
    if columns != m:
        raise Refused(f"X of shape {X.shape} and Y of shape {Y.shape} (as many examples in each)")
    return {"n_x": X.shape[0], "n_y": n_y, "m": m}


def _initialize(n_x, n_h, n_y) -> Dims:
    return {"n_x": _count("n_x", n_x), "n_h": _count("n_h", n_h), "n_y": _count("n_y", n_y)}


def _train(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh", learning_rate=1.2) -> Dims:
    m = _data(X)
    _labels(Y, m)
    return {"n_x": X.shape[0], "n_h": _count("n_h", n_h), "n_y": 1, "m": m}


def _activation(Z) -> Dims:
    if not isinstance(Z, np.ndarray):
        raise Refused("Z that is not an array")
    return {}  # element-wise: its size is bounded as an array's


def _activation_backward(dA, Z) -> Dims:
    _same("dA", dA, "Z", Z)
    return {}


def _gradient_check(parameters, X, Y, activation="tanh", epsilon=1e-7) -> Dims:
    dims = _forward(X, parameters)
    _labels(Y, dims["m"])
    return dims


def _regions(W1, b1, X) -> Dims:
    n_h, n_x = _shape("W1", W1)
    if _shape("b1", b1) != (n_h, 1):
        raise Refused(f"b1 of shape {b1.shape} for W1 of shape {W1.shape}")
    return {"n_x": n_x, "n_h": n_h, "m": _data(X, n_x)}


def _interpolant(x_knots, y_knots) -> Dims:
    if np.shape(x_knots) != np.shape(y_knots) or np.ndim(x_knots) != 1:
        raise Refused(f"x_knots of shape {np.shape(x_knots)} and y_knots of shape {np.shape(y_knots)} "
                      "(two 1-D arrays of the same length)")
    return {}


RULES: dict[str, Callable[..., Dims]] = {
    "forward_propagation": _forward, "predict": _predict, "compute_cost": _cost,
    "backward_propagation": _backward, "update_parameters": _update, "layer_sizes": _sizes,
    "initialize_parameters": _initialize, "collapse_linear": lambda parameters: _network(parameters),
    "nn_model": _train, "gradient_check": _gradient_check, "count_linear_regions": _regions,
    "relu_interpolant": _interpolant,
    **{name: _activation for name in ("linear", "sigmoid", "tanh", "relu")},
    **{f"{name}_backward": _activation_backward for name in ("linear", "sigmoid", "tanh", "relu")},
}


def sizes_of(name: str, args: tuple, kwargs: dict) -> Sizes | None:
    """The sizes of the network and data a check hands the student's `name` in these arguments, read by `name`'s
    rule; None where they cannot all be read (no rule, an element-wise function, arguments outside the contract)."""
    rule = RULES.get(name)
    try:
        dims = rule(*args, **kwargs) if rule is not None else {}
    except (Refused, TypeError):
        return None
    if any(key not in dims for key in DIMENSIONS):
        return None
    return Sizes(**{key: int(dims[key]) for key in DIMENSIONS})


def problem(name: str, reference: Callable, args: tuple, kwargs: dict, limit: int | Sizes) -> str | None:
    """Why a correct caller would never hand `reference` (answering for `name`) these arguments; None if it could.

    `limit`: the `Sizes` of the network and data the check handed the caller, or, where it handed none, the most
    numbers the arguments may hold in all."""
    try:
        bound = inspect.signature(reference).bind(*args, **kwargs)
    except TypeError as exc:
        return f"arguments it does not take ({exc})"
    named = [found for parameter, value in bound.arguments.items() for found in arrays(value, parameter)]
    for label, array in named:
        if array.dtype.kind not in ALLOWED_KINDS or array.dtype in REFUSED_DTYPES:
            return f"{label} of dtype {array.dtype} (the assignment's arrays are float64, or bool and int labels)"
    rule = RULES.get(name)
    try:
        dims = rule(*bound.args, **bound.kwargs) if rule is not None else {}
    except Refused as exc:
        return str(exc)
    except TypeError as exc:  # a rule handed something it cannot read is refused like a wrong shape
        return f"arguments that do not fit its contract ({exc})"
    total = sum(array.size for _, array in named)
    if isinstance(limit, Sizes):
        too_large = limit.beyond(dims)
        if too_large:
            return too_large
        label, largest = max(named, key=lambda found: found[1].size, default=("", np.empty(0)))
        if largest.size > limit.array:
            return (f"{label} of {largest.size:,} numbers, more than the largest array the network and data this "
                    f"check handed over make ({limit.array:,})")
        if total > limit.total:
            return (f"{total:,} numbers in all, more than a call on the network and data this check handed over "
                    f"ever holds ({limit.total:,})")
        return None
    if total > limit:
        return f"{total:,} numbers in all, more than this check's own inputs could ever lead to ({limit:,})"
    made = dims["n_h"] * dims["n_x"] + dims["n_h"] + dims["n_y"] * dims["n_h"] + dims["n_y"] \
        if rule is _initialize else 0  # what initialize_parameters makes: what it costs, before it runs
    if made > limit:
        return f"sizes that make {made:,} numbers, more than this check's own inputs could ever lead to ({limit:,})"
    return None
