"""Numerical tools the graders trust instead of any student code."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


PARAMETER_KEYS = ("W1", "b1", "W2", "b2")


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖), 0.0 when both are zero: the CS231n/DLS gradient-check measure."""
    a, b = np.ravel(np.asarray(a, dtype=float)), np.ravel(np.asarray(b, dtype=float))
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denominator) if denominator else 0.0


def derivative(g: Callable[[np.ndarray], np.ndarray], Z: np.ndarray, epsilon: float = 1e-6) -> np.ndarray:
    """Element-wise centered difference (g(Z + ε) − g(Z − ε)) / 2ε of an element-wise g."""
    return (g(Z + epsilon) - g(Z - epsilon)) / (2 * epsilon)


def parameter_gradients(cost: Callable[[dict], float], parameters: dict, epsilon: float = 1e-7) -> dict:
    """Centered differences of cost(parameters) for each entry: {"dW1", "db1", "dW2", "db2"}."""
    grads = {}
    for key in PARAMETER_KEYS:
        grad = np.zeros_like(parameters[key], dtype=float)
        for index in np.ndindex(grad.shape):
            values = []
            for step in (epsilon, -epsilon):
                shifted = {k: np.array(v, dtype=float) for k, v in parameters.items()}
                shifted[key][index] += step
                values.append(cost(shifted))
            grad[index] = (values[0] - values[1]) / (2 * epsilon)
        grads["d" + key] = grad
    return grads


def best_linear_accuracy(X: np.ndarray, Y: np.ndarray, directions: int = 3600) -> float:
    """The best accuracy any linear classifier sign(w·x + b) reaches on 2-D data (X (2, m), Y (1, m)).

    Scans `directions` unit normals over a half-turn and every threshold along each (either
    side may be the positive one); 3600 directions find the optimum to within a point or so.
    Computed once per data set and process (a warm grader asks for the flower's on every submission).
    """
    X, labels = np.asarray(X, dtype=float), np.ravel(np.asarray(Y)).astype(bool)
    key = (X.shape, X.tobytes(), labels.tobytes(), directions)
    if key not in _BEST_LINEAR:
        _BEST_LINEAR[key] = _best_linear_scan(X, labels, directions)
    return _BEST_LINEAR[key]


_BEST_LINEAR: dict[tuple, float] = {}


def _best_linear_scan(X: np.ndarray, labels: np.ndarray, directions: int) -> float:
    m, positives = labels.size, int(labels.sum())
    best = max(positives, m - positives) / m
    for angles in np.array_split(np.linspace(0.0, np.pi, directions, endpoint=False), max(1, directions // 400)):
        projections = np.cos(angles)[:, None] * X[0] + np.sin(angles)[:, None] * X[1]  # (directions, m)
        ordered = labels[np.argsort(projections, axis=1, kind="stable")]
        start = np.zeros((len(angles), 1), dtype=int)
        # predict 1 above the threshold: correct = positives above + negatives below
        positives_above = positives - np.concatenate([start, np.cumsum(ordered, axis=1)], axis=1)
        negatives_below = np.concatenate([start, np.cumsum(~ordered, axis=1)], axis=1)
        correct = positives_above + negatives_below
        best = max(best, correct.max() / m, (m - correct.min()) / m)
    return float(best)
