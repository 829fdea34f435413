"""The reference solution honours the graded API (../spec) and reproduces the DLS figures."""

from __future__ import annotations

import inspect

import numpy as np
import pytest


ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu"]

SIGNATURES = {
    "linear": "(Z)", "sigmoid": "(Z)", "tanh": "(Z)", "relu": "(Z)",
    "linear_backward": "(dA, Z)", "sigmoid_backward": "(dA, Z)", "tanh_backward": "(dA, Z)", "relu_backward": "(dA, Z)",
    "layer_sizes": "(X, Y)",
    "initialize_parameters": "(n_x, n_h, n_y)",
    "forward_propagation": "(X, parameters, activation='tanh')",
    "compute_cost": "(A2, Y)",
    "backward_propagation": "(parameters, cache, X, Y, activation='tanh')",
    "update_parameters": "(parameters, grads, learning_rate=1.2)",
    "nn_model": "(X, Y, n_h, num_iterations=10000, print_cost=False, activation='tanh', learning_rate=1.2)",
    "predict": "(parameters, X, activation='tanh')",
    "gradient_check": "(parameters, X, Y, activation='tanh', epsilon=1e-07)",
    "collapse_linear": "(parameters)",
    "count_linear_regions": "(W1, b1, X)",
    "relu_interpolant": "(x_knots, y_knots)",
}


def random_parameters(rng, n_x=2, n_h=4, n_y=1, scale=1.0):
    return {"W1": rng.normal(size=(n_h, n_x)) * scale, "b1": rng.normal(size=(n_h, 1)) * scale,
            "W2": rng.normal(size=(n_y, n_h)) * scale, "b2": rng.normal(size=(n_y, 1)) * scale}


def numeric_gradients(ref, parameters, X, Y, activation, eps=1e-6):
    grads = {}
    for key, value in parameters.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            costs = []
            for step in (eps, -eps):
                shifted = {k: v.copy() for k, v in parameters.items()}
                shifted[key][index] += step
                costs.append(ref.compute_cost(ref.forward_propagation(X, shifted, activation)[0], Y))
            grad[index] = (costs[0] - costs[1]) / (2 * eps)
        grads["d" + key] = grad
    return grads


def test_every_graded_function_has_the_specified_signature(ref):
    assert len(SIGNATURES) == 20
    for name, signature in SIGNATURES.items():
        assert str(inspect.signature(getattr(ref, name))) == signature, name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_activations_match_their_formulas_on_random_arrays(ref, seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(scale=3, size=(3, 5))
    dA = rng.normal(size=(3, 5))
    s = 1 / (1 + np.exp(-Z))
    expected = {
        "linear": (Z, dA), "sigmoid": (s, dA * s * (1 - s)),
        "tanh": (np.tanh(Z), dA * (1 - np.tanh(Z) ** 2)), "relu": (np.maximum(0, Z), dA * (Z > 0)),
    }
    for name, (A, dZ) in expected.items():
        np.testing.assert_allclose(getattr(ref, name)(Z), A, rtol=1e-12)
        np.testing.assert_allclose(getattr(ref, name + "_backward")(dA, Z), dZ, rtol=1e-12)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_backward_agrees_with_centered_differences(ref, name):
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(4, 6))
    Z[np.abs(Z) < 1e-3] = 0.5  # keep ReLU's kink away from the test points
    dA = rng.normal(size=Z.shape)
    eps = 1e-6
    forward = getattr(ref, name)
    numeric = dA * (forward(Z + eps) - forward(Z - eps)) / (2 * eps)
    analytic = getattr(ref, name + "_backward")(dA, Z)
    assert np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric)) < 1e-7


def test_dls_public_values(ref):
    np.random.seed(1)
    X = np.random.randn(5, 3)
    Y = np.random.randn(2, 3)
    assert ref.layer_sizes(X, Y) == (5, 4, 2)

    np.random.seed(2)
    parameters = ref.initialize_parameters(2, 4, 1)
    assert parameters["W1"][0, 0] == pytest.approx(-0.00416758, abs=1e-8)
    assert parameters["W2"].shape == (1, 4) and not parameters["b1"].any() and parameters["b2"].shape == (1, 1)

    np.random.seed(1)
    X = np.random.randn(2, 3)
    b1 = np.random.randn(4, 1)
    parameters = {"W1": np.array([[-0.00416758, -0.00056267], [-0.02136196, 0.01640271],
                                  [-0.01793436, -0.00841747], [0.00502881, -0.01245288]]),
                  "W2": np.array([[-0.01057952, -0.00909008, 0.00551454, 0.02292208]]), "b1": b1, "b2": np.array([[-1.3]])}
    A2, cache = ref.forward_propagation(X, parameters)
    means = [np.mean(cache[k]) for k in ("Z1", "A1", "Z2", "A2")]
    np.testing.assert_allclose(means, [0.26281864019752443, 0.09199904522700109, -1.3076660128732143, 0.21287768171914198])

    cost = ref.compute_cost(np.array([[0.5002307, 0.49985831, 0.50023963]]), np.array([[True, False, False]]))
    assert type(cost) is float and cost == pytest.approx(0.6930587610394646, rel=1e-12)

    parameters = {"W1": np.array([[-0.00615039, 0.0169021], [-0.02311792, 0.03137121],
                                  [-0.0169217, -0.01752545], [0.00935436, -0.05018221]]),
                  "W2": np.array([[-0.0104319, -0.04019007, 0.01607211, 0.04440255]]),
                  "b1": np.array([[-8.97523455e-07], [8.15562092e-06], [6.04810633e-07], [-2.54560700e-06]]),
                  "b2": np.array([[9.14954378e-05]])}
    grads = {"dW1": np.array([[0.00023322, -0.00205423], [0.00082222, -0.00700776],
                              [-0.00031831, 0.0028636], [-0.00092857, 0.00809933]]),
             "dW2": np.array([[-1.75740039e-05, 3.70231337e-03, -1.25683095e-03, -2.55715317e-03]]),
             "db1": np.array([[1.05570087e-07], [-3.81814487e-06], [-1.90155145e-07], [5.46467802e-07]]),
             "db2": np.array([[-1.08923140e-05]])}
    updated = ref.update_parameters(parameters, grads)
    np.testing.assert_allclose(updated["W1"], [[-0.00643025, 0.01936718], [-0.02410458, 0.03978052],
                                               [-0.01653973, -0.02096177], [0.01046864, -0.05990141]], atol=1e-8)
    np.testing.assert_allclose(updated["b2"], [[0.00010457]], atol=1e-8)

    np.random.seed(1)
    X = np.random.randn(2, 3)
    assert np.mean(ref.predict(parameters, X)) == pytest.approx(2 / 3)


def test_four_tanh_units_reach_ninety_percent_on_the_flower(ref, flower, capsys):
    X, Y = flower
    parameters = ref.nn_model(X, Y, 4, print_cost=True)
    accuracy = np.mean(ref.predict(parameters, X) == Y)
    assert accuracy >= 0.90
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "Cost after iteration 0: 0.693162" and len(printed) == 10
    assert float(printed[-1].split(": ")[1]) == pytest.approx(0.2185, abs=5e-4)


def test_relu_beats_linear_on_the_flower(ref, flower):
    X, Y = flower
    acc = {a: np.mean(ref.predict(ref.nn_model(X, Y, 8, activation=a), X, a) == Y) for a in ("linear", "relu")}
    assert acc["linear"] == pytest.approx(0.47, abs=0.01)
    assert acc["relu"] > acc["linear"] + 0.25


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(2, 4, 1, 7), (3, 5, 1, 4)])
def test_backward_propagation_agrees_with_the_numerical_gradient(ref, activation, shape):
    n_x, n_h, n_y, m = shape
    rng = np.random.default_rng(sum(shape))
    parameters = random_parameters(rng, n_x, n_h, n_y)
    X = rng.normal(size=(n_x, m))
    Y = rng.integers(0, 2, size=(1, m)).astype(bool)
    if activation == "relu":
        assert np.min(np.abs(parameters["W1"] @ X + parameters["b1"])) > 1e-4  # off the kink
    _, cache = ref.forward_propagation(X, parameters, activation)
    grads = ref.backward_propagation(parameters, cache, X, Y, activation)
    numeric = numeric_gradients(ref, parameters, X, Y, activation)
    g = np.concatenate([grads[k].ravel() for k in sorted(numeric)])
    n = np.concatenate([numeric[k].ravel() for k in sorted(numeric)])
    assert np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n)) < 1e-7
    for key, value in numeric.items():
        assert grads[key].shape == value.shape


def test_compute_cost_takes_bool_and_int_labels(ref):
    A2 = np.array([[0.9, 0.2, 0.6, 0.4]])
    Y = np.array([[1, 0, 1, 1]])
    expected = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    assert ref.compute_cost(A2, Y) == pytest.approx(expected)
    assert ref.compute_cost(A2, Y.astype(bool)) == pytest.approx(expected)


def test_update_parameters_honours_the_learning_rate_and_keeps_its_input(ref):
    rng = np.random.default_rng(5)
    parameters = random_parameters(rng)
    grads = {"d" + k: v for k, v in random_parameters(rng).items()}
    before = {k: v.copy() for k, v in parameters.items()}
    updated = ref.update_parameters(parameters, grads, learning_rate=0.3)
    for key in parameters:
        np.testing.assert_allclose(updated[key], before[key] - 0.3 * grads["d" + key])
        np.testing.assert_array_equal(parameters[key], before[key])


def test_nn_model_is_deterministic_and_honours_its_hyperparameters(ref, flower):
    X, Y = flower
    a = ref.nn_model(X, Y, 3, num_iterations=20, activation="relu", learning_rate=0.5)
    np.random.seed(123)  # nn_model seeds itself: the outside state must not matter
    b = ref.nn_model(X, Y, 3, num_iterations=20, activation="relu", learning_rate=0.5)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    other_rate = ref.nn_model(X, Y, 3, num_iterations=20, activation="relu", learning_rate=0.1)
    other_steps = ref.nn_model(X, Y, 3, num_iterations=21, activation="relu", learning_rate=0.5)
    other_activation = ref.nn_model(X, Y, 3, num_iterations=20, activation="tanh", learning_rate=0.5)
    for changed in (other_rate, other_steps, other_activation):
        assert not np.allclose(changed["W1"], a["W1"])
    assert a["W1"].shape == (3, 2) and a["W2"].shape == (1, 3)


def test_predict_returns_a_row_of_labels(ref):
    rng = np.random.default_rng(6)
    parameters = random_parameters(rng)
    X = rng.normal(size=(2, 9))
    for activation in ACTIVATIONS:
        predictions = ref.predict(parameters, X, activation)
        A2, _ = ref.forward_propagation(X, parameters, activation)
        assert predictions.shape == (1, 9)
        np.testing.assert_array_equal(predictions.astype(int), (A2 > 0.5).astype(int))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_gradient_check_is_tiny_for_a_correct_backward_pass(ref, activation):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(2, 5))
    Y = rng.integers(0, 2, size=(1, 5))
    value = ref.gradient_check(random_parameters(rng, n_h=3), X, Y, activation)
    assert type(value) is float and value < 1e-7


@pytest.mark.parametrize("planted", ["dW1", "db1", "dW2", "db2"])
def test_gradient_check_catches_a_bug_in_any_single_gradient_array(ref, planted):
    rng = np.random.default_rng(8)
    X = rng.normal(size=(2, 5))
    Y = rng.integers(0, 2, size=(1, 5))
    parameters = random_parameters(rng, n_h=3)
    before = {k: v.copy() for k, v in parameters.items()}
    real = ref.backward_propagation

    def buggy(parameters, cache, X, Y, activation="tanh"):
        grads = real(parameters, cache, X, Y, activation)
        grads[planted] = grads[planted] * 1.5
        return grads

    ref.backward_propagation = buggy  # gradient_check looks the function up by name when called
    try:
        value = ref.gradient_check(parameters, X, Y, "tanh")
    finally:
        ref.backward_propagation = real
    assert value > 1e-3
    for key in parameters:
        np.testing.assert_array_equal(parameters[key], before[key])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_collapse_linear_gives_the_same_outputs_as_the_linear_network(ref, seed):
    rng = np.random.default_rng(seed)
    parameters = random_parameters(rng, n_x=3, n_h=rng.integers(1, 9))
    X = rng.normal(size=(3, 11))
    W, b = ref.collapse_linear(parameters)
    assert W.shape == (1, 3) and b.shape == (1, 1)
    np.testing.assert_allclose(ref.forward_propagation(X, parameters, "linear")[0], ref.sigmoid(W @ X + b), rtol=1e-12)


def test_count_linear_regions_counts_distinct_patterns(ref):
    xs = np.linspace(-3, 3, 301)
    grid = np.array(np.meshgrid(xs, xs)).reshape(2, -1)
    assert ref.count_linear_regions(np.array([[1.0, 0.0]]), np.zeros((1, 1)), grid) == 2
    assert ref.count_linear_regions(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([[0.1], [0.2], [-0.5]]), grid) == 7
    assert ref.count_linear_regions(np.array([[1.0, 0.0]]), np.array([[10.0]]), grid) == 1
    rng = np.random.default_rng(9)
    for n in range(1, 7):
        W1, b1 = rng.normal(size=(n, 2)), rng.uniform(-0.5, 0.5, size=(n, 1))
        count = ref.count_linear_regions(W1, b1, grid * 3)
        assert type(count) is int and n + 1 <= count <= 1 + n + n * (n - 1) // 2


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_relu_interpolant_is_the_piecewise_linear_interpolation(ref, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    x_knots = np.sort(rng.uniform(-5, 5, size=n + 1))
    y_knots = rng.normal(size=n + 1)
    p = ref.relu_interpolant(x_knots, y_knots)
    assert (p["W1"].shape, p["b1"].shape, p["W2"].shape, p["b2"].shape) == ((n, 1), (n, 1), (1, n), (1, 1))
    x = np.linspace(x_knots[0], x_knots[-1], 1001).reshape(1, -1)
    out = p["W2"] @ np.maximum(0, p["W1"] @ x + p["b1"]) + p["b2"]
    np.testing.assert_allclose(out, np.interp(x, x_knots, y_knots), atol=1e-9)
