"""Submissions written the ways strangers write them, with the points each must earn.

- EQUIVALENTS: correct code written another way (other numpy calls, other rounding); full marks.
- DLS: the DLS-shaped solution (`dls_shaped.py`) and the two DLS habits that break it here.
- FAULTY: faults the graders must see through: arguments changed in place, an activation argument
  that is ignored, a function that never returns.
"""

from __future__ import annotations

from pathlib import Path

from autograder.course.samples import changed


HERE = Path(__file__).parent
DLS_SOURCE = (HERE / "dls_shaped.py").read_text(encoding="utf-8")

# name -> changes to the reference solution that keep it correct
EQUIVALENTS = {
    # the three rewrites that moved ReLU at learning rate 1.2 from 82.75 % to 76.0 %
    "equivalent_relu_mul_sigmoid_tanh": [("A = np.maximum(0, Z)", "A = Z * (Z > 0)"),
                                         ("A = 1 / (1 + np.exp(-Z))", "A = 0.5 * (1 + np.tanh(Z / 2))"),
                                         ("dZ = dA * (Z > 0)", "dZ = np.array(dA, copy=True)\n    dZ[Z <= 0] = 0")],
    "equivalent_where_mean_dot": [("A = np.maximum(0, Z)", "A = np.where(Z > 0, Z, 0.0)"),
                                  ("dZ = dA * (Z > 0)", "dZ = dA * (Z >= 0)"),  # relu'(0) = 1
                                  ("db2 = np.sum(dZ2, axis=1, keepdims=True) / m", "db2 = np.mean(dZ2, axis=1, keepdims=True)"),
                                  ("db1 = np.sum(dZ1, axis=1, keepdims=True) / m", "db1 = np.mean(dZ1, axis=1, keepdims=True)"),
                                  ("Z1 = W1 @ X + b1", "Z1 = np.dot(W1, X) + b1"),
                                  ("dW1 = dZ1 @ X.T / m", "dW1 = np.dot(dZ1, X.T) * (1.0 / m)"),
                                  ("cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m",
                                   "cost = -np.mean(np.log(A2) * Y + np.log(1 - A2) * (1 - Y))")],
}

# The DLS-shaped solution earns exactly the checks that call each function as the DLS notebook does.
DLS_POINTS = 23
DLS = {
    "dls_shaped": DLS_SOURCE,
    # 2017-2020 templates seed numpy inside initialize_parameters
    "dls_reseeded": DLS_SOURCE.replace("def initialize_parameters(n_x, n_h, n_y):\n",
                                       "def initialize_parameters(n_x, n_h, n_y):\n    np.random.seed(2)\n"),
    # the DLS import line imports sigmoid, which is the student's to write here
    "dls_import_line": "from planar_utils import plot_decision_boundary, sigmoid, load_planar_dataset, load_extra_datasets\n"
                       + DLS_SOURCE.replace("def sigmoid(x):\n    s = 1 / (1 + np.exp(-x))\n    return s\n", "")
                       + "\nX, Y = load_planar_dataset()\nshape_X = X.shape\nm = shape_X[1]\n"
                         "parameters = nn_model(X, Y, 4, num_iterations=10)\n",
}

FAULTY = {
    "update_in_place": [('new[key] = parameters[key] - learning_rate * grads["d" + key]',
                         'new[key] = parameters[key]\n        new[key] -= learning_rate * grads["d" + key]')],
    "activation_ignored": [("g = hidden_activation(activation)", 'g = hidden_activation("tanh")'),
                           ("g_backward = hidden_activation_backward(activation)",
                            'g_backward = hidden_activation_backward("tanh")')],
    "backward_never_returns": [("    m = X.shape[1]\n    dZ2 = A2",
                                "    m = X.shape[1]\n    while True:\n        pass\n    dZ2 = A2")],
    # two bugs: nn_model never keeps an update (it trains nothing) and backward_propagation misses 1/m
    "never_updates_and_backward_bug": [("parameters = update_parameters(parameters, grads, learning_rate)",
                                        "updated = update_parameters(parameters, grads, learning_rate)"),
                                       ("dW1 = dZ1 @ X.T / m", "dW1 = dZ1 @ X.T")],
}


def sources() -> dict[str, str]:
    """Every submission of this module, as .py source text by name."""
    found = {name: changed(changes) for name, changes in {**EQUIVALENTS, **FAULTY}.items()}
    return {**found, **DLS}
