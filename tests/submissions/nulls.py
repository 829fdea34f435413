"""Null submissions: every graded function replaced by one that does no work.

A check that such a function can pass is a defect. Each kind writes every graded function
the same lazy way: a constant, None, its first argument, zeros of the right shape, or a
fixed dict of zero arrays. `CORRECT_BY_ACCIDENT` lists where the null is the right answer.
"""

from __future__ import annotations


KINDS = ("constant", "none", "first_argument", "zeros", "fixed_zero_dict")

SIGNATURES = {
    "linear": "Z", "linear_backward": "dA, Z", "sigmoid": "Z", "sigmoid_backward": "dA, Z",
    "tanh": "Z", "tanh_backward": "dA, Z", "relu": "Z", "relu_backward": "dA, Z",
    "layer_sizes": "X, Y", "initialize_parameters": "n_x, n_h, n_y",
    "forward_propagation": 'X, parameters, activation="tanh"', "compute_cost": "A2, Y",
    "backward_propagation": 'parameters, cache, X, Y, activation="tanh"',
    "update_parameters": "parameters, grads, learning_rate=1.2",
    "nn_model": 'X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh", learning_rate=1.2',
    "predict": 'parameters, X, activation="tanh"',
    "gradient_check": 'parameters, X, Y, activation="tanh", epsilon=1e-7',
    "collapse_linear": "parameters", "count_linear_regions": "W1, b1, X", "relu_interpolant": "x_knots, y_knots",
}

_PARAMS = '{"W1": np.zeros(%s), "b1": np.zeros(%s), "W2": np.zeros(%s), "b2": np.zeros(%s)}'
_FIXED = _PARAMS % ("(4, 2)", "(4, 1)", "(1, 4)", "(1, 1)")

# Zeros of the shape the contract asks for, computed from the arguments.
ZEROS = {
    **{name: "np.zeros_like(Z, dtype=float)" for name in ("linear", "sigmoid", "tanh", "relu")},
    **{f"{name}_backward": "np.zeros_like(Z, dtype=float)" for name in ("linear", "sigmoid", "tanh", "relu")},
    "layer_sizes": "(0, 0, 0)",
    "initialize_parameters": _PARAMS % ("(n_h, n_x)", "(n_h, 1)", "(n_y, n_h)", "(n_y, 1)"),
    "forward_propagation": '(np.zeros((1, X.shape[1])), {"Z1": np.zeros((parameters["W1"].shape[0], X.shape[1])), '
                           '"A1": np.zeros((parameters["W1"].shape[0], X.shape[1])), "Z2": np.zeros((1, X.shape[1])), '
                           '"A2": np.zeros((1, X.shape[1]))})',
    "compute_cost": "0.0",
    "backward_propagation": '{"d" + k: np.zeros_like(v, dtype=float) for k, v in parameters.items()}',
    "update_parameters": "{k: np.zeros_like(v, dtype=float) for k, v in parameters.items()}",
    "nn_model": _PARAMS % ("(n_h, X.shape[0])", "(n_h, 1)", "(Y.shape[0], n_h)", "(Y.shape[0], 1)"),
    "predict": "np.zeros((1, X.shape[1]))",
    "gradient_check": "0.0",
    "collapse_linear": '(np.zeros((1, parameters["W1"].shape[1])), np.zeros((1, 1)))',
    "count_linear_regions": "0",
    "relu_interpolant": _PARAMS % ("(len(x_knots) - 1, 1)", "(len(x_knots) - 1, 1)", "(1, len(x_knots) - 1)", "(1, 1)"),
}

# Where a null is the correct answer, so its checks may pass: the identity is the linear
# activation, and dA is its backward pass.
CORRECT_BY_ACCIDENT = {"first_argument": {"linear", "linear_backward"}}


def body(kind: str, name: str) -> str:
    if kind == "constant":
        return "0.0"
    if kind == "none":
        return "None"
    if kind == "first_argument":
        return SIGNATURES[name].split(",")[0].split("=")[0].strip()
    if kind == "zeros":
        return ZEROS[name]
    if kind == "fixed_zero_dict":
        return _FIXED
    raise ValueError(kind)


def source(kind: str) -> str:
    """A .py submission in which every graded function is the `kind` null."""
    lines = ["import numpy as np", ""]
    for name, signature in SIGNATURES.items():
        lines += ["", f"def {name}({signature}):", f"    return {body(kind, name)}", ""]
    return "\n".join(lines)
