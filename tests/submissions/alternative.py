"""A correct submission written differently from the reference, as students often do.

np.dot and np.multiply instead of @ and *, in-place updates on a deep copy, relu'(0) = 1,
int predictions from np.round, a rescaled interpolant, gradient checking over one flat
vector, region counting with np.unique. It must earn full marks.
"""

import copy

import numpy as np


def linear(Z):
    return Z


def linear_backward(dA, Z):
    return dA * np.ones_like(Z)


def sigmoid(Z):
    return np.exp(-np.logaddexp(0, -Z))


def sigmoid_backward(dA, Z):
    s = sigmoid(Z)
    return np.multiply(dA, np.multiply(s, 1 - s))


def tanh(Z):
    return (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z))


def tanh_backward(dA, Z):
    return np.multiply(dA, 1 - np.power(np.tanh(Z), 2))


def relu(Z):
    return Z * (Z > 0)


def relu_backward(dA, Z):
    dZ = np.array(dA, copy=True)
    dZ[Z < 0] = 0  # relu'(0) taken as 1
    return dZ


def layer_sizes(X, Y):
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.01
    W2 = np.random.randn(n_y, n_h) * 0.01
    return {"W1": W1, "b1": np.zeros(shape=(n_h, 1)), "W2": W2, "b2": np.zeros(shape=(n_y, 1))}


def forward_propagation(X, parameters, activation="tanh"):
    forward = globals()[activation]
    Z1 = np.dot(parameters["W1"], X) + parameters["b1"]
    A1 = forward(Z1)
    Z2 = np.dot(parameters["W2"], A1) + parameters["b2"]
    A2 = sigmoid(Z2)
    assert A2.shape == (1, X.shape[1])
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    return float(np.squeeze(-np.sum(logprobs) / m))


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dW2 = (1 / m) * np.dot(dZ2, cache["A1"].T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = globals()[activation + "_backward"](np.dot(parameters["W2"].T, dZ2), cache["Z1"])
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1).reshape(-1, 1)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    parameters = copy.deepcopy(parameters)
    for name in parameters:
        parameters[name] -= learning_rate * grads["d" + name]
    return parameters


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh", learning_rate=1.2):
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y)
    i = 0
    while i < num_iterations:
        A2, cache = forward_propagation(X, parameters, activation=activation)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y, activation=activation)
        parameters = update_parameters(parameters, grads, learning_rate=learning_rate)
        if print_cost and i % 1000 == 0:
            print("Cost after iteration %i: %f" % (i, cost))
        i += 1
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, cache = forward_propagation(X, parameters, activation=activation)
    return np.round(A2).astype(int)


def _to_vector(d, keys):
    return np.concatenate([d[k].reshape(-1, 1) for k in keys], axis=0)


def _to_dict(vector, template):
    out, start = {}, 0
    for key in ("W1", "b1", "W2", "b2"):
        size = template[key].size
        out[key] = vector[start:start + size].reshape(template[key].shape)
        start += size
    return out


def gradient_check(parameters, X, Y, activation="tanh", epsilon=1e-7):
    theta = _to_vector(parameters, ("W1", "b1", "W2", "b2"))
    A2, cache = forward_propagation(X, parameters, activation)
    grad = _to_vector(backward_propagation(parameters, cache, X, Y, activation), ("dW1", "db1", "dW2", "db2"))
    approx = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = np.copy(theta), np.copy(theta)
        plus[i] += epsilon
        minus[i] -= epsilon
        J_plus = compute_cost(forward_propagation(X, _to_dict(plus, parameters), activation)[0], Y)
        J_minus = compute_cost(forward_propagation(X, _to_dict(minus, parameters), activation)[0], Y)
        approx[i] = (J_plus - J_minus) / (2 * epsilon)
    numerator = np.linalg.norm(grad - approx)
    denominator = np.linalg.norm(grad) + np.linalg.norm(approx)
    return float(numerator / denominator)


def collapse_linear(parameters):
    W = np.dot(parameters["W2"], parameters["W1"])
    b = np.dot(parameters["W2"], parameters["b1"]) + parameters["b2"]
    return (W, b)


def count_linear_regions(W1, b1, X):
    patterns = (np.dot(W1, X) + b1 > 0).astype(np.int8)
    return np.unique(patterns, axis=1).shape[1]


def relu_interpolant(x_knots, y_knots):
    # Each unit is scaled by 2 on the way in and by 1/2 on the way out: the same function.
    n = len(x_knots) - 1
    slopes = [(y_knots[i + 1] - y_knots[i]) / (x_knots[i + 1] - x_knots[i]) for i in range(n)]
    W2 = np.zeros((1, n))
    for i in range(n):
        W2[0, i] = (slopes[i] - (slopes[i - 1] if i > 0 else 0.0)) / 2
    return {"W1": 2 * np.ones((n, 1)), "b1": -2 * np.array(x_knots[:-1], dtype=float).reshape(n, 1),
            "W2": W2, "b2": np.array([[y_knots[0]]], dtype=float)}
