"""Buggy submissions: the reference solution with one typical mistake planted in one function.

Each mutant must lose credit only in checks tagged with the function that has the bug
(its own checks, and end-to-end checks that use it), and where a hint is listed, some
failure message must name that mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.course.samples import changed


@dataclass(frozen=True)
class Mutant:
    name: str
    function: str
    old: str
    new: str
    hint: str | None = None  # a fragment some failure message must contain


MUTANTS = (
    Mutant("relu_minimum", "relu", "A = np.maximum(0, Z)", "A = np.minimum(0, Z)", "np.maximum(0, Z)"),
    Mutant("relu_backward_no_dA", "relu_backward", "dZ = dA * (Z > 0)", "dZ = (Z > 0).astype(float)",
           "multiply the mask by the upstream gradient"),
    Mutant("tanh_backward_one_minus_A", "tanh_backward", "dZ = dA * (1 - np.tanh(Z) ** 2)", "dZ = dA * (1 - np.tanh(Z))",
           "1 - A instead of 1 - A**2"),
    Mutant("sigmoid_sign", "sigmoid", "A = 1 / (1 + np.exp(-Z))", "A = 1 / (1 + np.exp(Z))", "the exponent is -Z"),
    Mutant("layer_sizes_hidden_from_X", "layer_sizes", "    n_h = 4\n    n_y", "    n_h = X.shape[0]\n    n_y", "n_h is 4"),
    Mutant("initialize_unscaled", "initialize_parameters", "W1 = np.random.randn(n_h, n_x) * 0.01",
           "W1 = np.random.randn(n_h, n_x)", "scale the random weights by 0.01"),
    Mutant("forward_ignores_activation", "forward_propagation", "g = hidden_activation(activation)",
           "g = hidden_activation(\"tanh\")", "use the activation argument"),
    Mutant("cost_missing_mean", "compute_cost", "cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m",
           "cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))", "missing 1/m"),
    Mutant("backward_dW1_missing_mean", "backward_propagation", "dW1 = dZ1 @ X.T / m", "dW1 = dZ1 @ X.T",
           "missing 1/m"),
    Mutant("backward_db1_no_keepdims", "backward_propagation", "db1 = np.sum(dZ1, axis=1, keepdims=True) / m",
           "db1 = np.sum(dZ1, axis=1) / m", "keepdims=True"),
    Mutant("update_ascent", "update_parameters", "new[key] = parameters[key] - learning_rate * grads[\"d\" + key]",
           "new[key] = parameters[key] + learning_rate * grads[\"d\" + key]", "do not add it"),
    Mutant("nn_model_ignores_activation", "nn_model",
           "A2, cache = forward_propagation(X, parameters, activation)\n        cost = compute_cost(A2, Y)\n"
           "        grads = backward_propagation(parameters, cache, X, Y, activation)",
           "A2, cache = forward_propagation(X, parameters)\n        cost = compute_cost(A2, Y)\n"
           "        grads = backward_propagation(parameters, cache, X, Y)", "pass the activation on"),
    Mutant("nn_model_fixed_rate", "nn_model", "parameters = update_parameters(parameters, grads, learning_rate)",
           "parameters = update_parameters(parameters, grads)", "pass the learning rate on"),
    Mutant("nn_model_default_iterations", "nn_model", "num_iterations=10000, print_cost",
           "num_iterations=1000, print_cost", "num_iterations should default to 10000"),
    Mutant("nn_model_unseeded", "nn_model", "    np.random.seed(3)\n    n_x, _, n_y", "    n_x, _, n_y",
           "np.random.seed(3)"),
    Mutant("predict_ignores_activation", "predict", "A2, _ = forward_propagation(X, parameters, activation)\n    predictions",
           "A2, _ = forward_propagation(X, parameters)\n    predictions", "pass the activation on"),
    Mutant("gradient_check_one_sided", "gradient_check", "for step in (epsilon, -epsilon):", "for step in (epsilon, 0.0):"),
    Mutant("collapse_forgets_b1", "collapse_linear", "b = parameters[\"W2\"] @ parameters[\"b1\"] + parameters[\"b2\"]",
           "b = parameters[\"b2\"]", "b1 also reaches the output"),
    Mutant("count_points", "count_linear_regions", "count = len({column.tobytes() for column in patterns.T})",
           "count = patterns.shape[1]", "count distinct patterns, not points"),
    Mutant("interpolant_no_offset", "relu_interpolant", "b2 = np.array([[y_knots[0]]])", "b2 = np.zeros((1, 1))"),
    # Mistakes whose knock-on reaches the end-to-end checks of other functions (nn_model's, the flower's): their
    # points stay with the function that is right (see test_grading's one-bug-costs-once test).
    Mutant("relu_backward_wrong_mask", "relu_backward", "dZ = dA * (Z > 0)", "dZ = dA * (Z < 0)"),
    Mutant("initialize_zeros", "initialize_parameters", "W1 = np.random.randn(n_h, n_x) * 0.01",
           "W1 = np.zeros((n_h, n_x))", "the weights are all zeros"),
    Mutant("forward_missing_b1", "forward_propagation", "Z1 = W1 @ X + b1", "Z1 = W1 @ X"),
    Mutant("backward_dZ2_flipped", "backward_propagation", "dZ2 = A2 - np.asarray(Y, dtype=float)",
           "dZ2 = np.asarray(Y, dtype=float) - A2"),
    Mutant("predict_threshold", "predict", "predictions = A2 > 0.5", "predictions = A2 > 0.8", "0.5"),
    Mutant("cost_dls_signature", "compute_cost", "def compute_cost(A2, Y):", "def compute_cost(A2, Y, parameters):",
           "compute_cost(A2, Y)"),
)

# A common slip that is slow rather than wrong in value: the loop ignores num_iterations. Graded apart from the
# class above, whose short call limit is meant for hanging code, not for 10,000 rounds of training.
FIXED_ITERATIONS = Mutant("nn_model_fixed_iterations", "nn_model", "    for i in range(num_iterations):",
                          "    for i in range(10000):", "ignores the num_iterations it is given")


def apply(reference: str, mutant: Mutant) -> str:
    """The reference text with the mutant's one change; the original must occur exactly once."""
    return changed([(mutant.old, mutant.new)], reference)
