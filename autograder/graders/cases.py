"""Inputs for the hidden graders: fixed seeds, several shapes, every activation.

The seeds are fixed so a submission gets the same score on every run; they are not the
visible tests' cases, so answers copied from the notebook's tests do not pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu")


def activation_args(activation: str) -> tuple[str, ...]:
    """The activation as a positional argument, left out for tanh, the default: the tanh checks call
    each function as the DLS notebook does, so DLS-shaped code (no `activation` parameter) earns them."""
    return () if activation == "tanh" else (activation,)
# (n_x, n_h, m): a single unit and a single example, a wide layer, more features than examples
SHAPES = ((2, 4, 5), (3, 1, 7), (5, 9, 3), (2, 6, 40))
SEEDS = (11, 23, 37, 58)


@dataclass(frozen=True)
class Case:
    """One network and data set: X (n_x, m), Y (1, m), parameters W1 (n_h, n_x) ... b2 (1, 1)."""

    seed: int
    X: np.ndarray
    Y: np.ndarray
    parameters: dict

    @property
    def label(self) -> str:
        n_h, n_x = self.parameters["W1"].shape
        return f"X of shape {self.X.shape}, n_h = {n_h}"


def case(seed: int, n_x: int, n_h: int, m: int, *, off_kink: bool = False, int_labels: bool = False) -> Case:
    """A random network with weights of order 1 (so every activation is exercised well away
    from zero); `off_kink` redraws until every hidden pre-activation is at least 1e-3 from 0."""
    rng = np.random.default_rng(seed)
    while True:
        parameters = {"W1": rng.normal(size=(n_h, n_x)), "b1": rng.normal(size=(n_h, 1)) * 0.5,
                      "W2": rng.normal(size=(1, n_h)), "b2": rng.normal(size=(1, 1)) * 0.5}
        X = rng.normal(size=(n_x, m))
        Z1 = parameters["W1"] @ X + parameters["b1"]
        if not off_kink or np.abs(Z1).min() > 1e-3:
            break
    Y = rng.random((1, m)) < 0.5
    Y[0, 0] = True  # both classes whenever there is room
    if m > 1:
        Y[0, -1] = False
    return Case(seed, X, Y.astype(int) if int_labels else Y, parameters)


def cases(*, off_kink: bool = False) -> list[Case]:
    """One case per (seed, shape) pair; every other one with int labels instead of bool."""
    return [case(seed, *shape, off_kink=off_kink, int_labels=i % 2 == 1)
            for i, (seed, shape) in enumerate(zip(SEEDS, SHAPES))]


def matrix(seed: int, shape: tuple[int, ...], scale: float = 3.0, off_kink: bool = False) -> np.ndarray:
    """Random values of order `scale`; `off_kink` keeps them at least 1e-3 away from 0."""
    Z = np.random.default_rng(seed).normal(size=shape) * scale
    if off_kink:
        Z = np.where(np.abs(Z) < 1e-3, 1e-3 + np.abs(Z), Z)
    return Z
