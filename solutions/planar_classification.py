"""Reference solution of the planar-classification assignment.

Generated from source/planar_classification/planar_classification.ipynb by `autograder build`.
Do not edit by hand: edit the source notebook and rebuild (a test fails when they disagree).
"""

import numpy as np


# --- helper_logistic (given)

def train_logistic_regression(X, Y, num_iterations=5000, learning_rate=0.5):
    """Logistic regression by gradient descent. X: (n_x, m), Y: (1, m). Returns w (1, n_x), b (1, 1)."""
    w = np.zeros((1, X.shape[0]))
    b = np.zeros((1, 1))
    m = X.shape[1]
    for _ in range(num_iterations):
        A = 1 / (1 + np.exp(-(w @ X + b)))
        w -= learning_rate * (A - Y) @ X.T / m
        b -= learning_rate * np.sum(A - Y, axis=1, keepdims=True) / m
    return w, b


def accuracy(predictions, Y):
    """Fraction of columns where predictions (1, m) equal the labels Y (1, m)."""
    return float(np.mean(np.asarray(predictions, dtype=int) == np.asarray(Y, dtype=int)))


# --- activations_linear (graded)

def linear(Z):
    """Linear (identity) activation. Z: any shape. Returns A = Z, same shape."""
    A = np.array(Z, dtype=float)
    return A


def linear_backward(dA, Z):
    """Backward pass of linear(Z). dA, Z: same shape. Returns dZ = dA * 1."""
    dZ = np.array(dA, dtype=float)
    return dZ


# --- activations_sigmoid (graded)

def sigmoid(Z):
    """Sigmoid activation 1 / (1 + exp(-Z)), element-wise; same shape as Z."""
    A = 1 / (1 + np.exp(-Z))
    return A


def sigmoid_backward(dA, Z):
    """Backward pass of sigmoid(Z): dZ = dA * s * (1 - s) with s = sigmoid(Z)."""
    s = sigmoid(Z)
    dZ = dA * s * (1 - s)
    return dZ


# --- activations_tanh (graded)

def tanh(Z):
    """Hyperbolic tangent activation, element-wise; same shape as Z."""
    A = np.tanh(Z)
    return A


def tanh_backward(dA, Z):
    """Backward pass of tanh(Z): dZ = dA * (1 - tanh(Z)**2)."""
    dZ = dA * (1 - np.tanh(Z) ** 2)
    return dZ


# --- activations_relu (graded)

def relu(Z):
    """ReLU activation max(0, Z), element-wise; same shape as Z."""
    A = np.maximum(0, Z)
    return A


def relu_backward(dA, Z):
    """Backward pass of relu(Z): dZ = dA where Z > 0, else 0 (we take relu'(0) = 0)."""
    dZ = dA * (Z > 0)
    return dZ


# --- helper_activations (given)

def hidden_activation(name):
    """The forward function of the hidden activation called `name`."""
    table = {"linear": linear, "sigmoid": sigmoid, "tanh": tanh, "relu": relu}
    if name not in table:
        raise ValueError(f"unknown activation {name!r}; use one of {sorted(table)}")
    return table[name]


def hidden_activation_backward(name):
    """The backward function (dA, Z) -> dZ of the hidden activation called `name`."""
    table = {"linear": linear_backward, "sigmoid": sigmoid_backward, "tanh": tanh_backward, "relu": relu_backward}
    if name not in table:
        raise ValueError(f"unknown activation {name!r}; use one of {sorted(table)}")
    return table[name]


# --- layer_sizes (graded)

def layer_sizes(X, Y):
    """X: (n_x, m), Y: (n_y, m). Returns (n_x, n_h, n_y) with n_h = 4."""
    n_x = X.shape[0]
    n_h = 4
    n_y = Y.shape[0]
    return (n_x, n_h, n_y)


# --- initialize_parameters (graded)

def initialize_parameters(n_x, n_h, n_y):
    """Small random weights, zero biases.

    Returns a dict: W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1).
    Draw W1 first, then W2, each as np.random.randn(...) * 0.01.
    """
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


# --- forward_propagation (graded)

def forward_propagation(X, parameters, activation="tanh"):
    """X: (n_x, m). Hidden layer uses `activation`, the output unit a sigmoid.

    Returns A2 (1, m) and cache = {"Z1", "A1", "Z2", "A2"}.
    """
    g = hidden_activation(activation)
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    Z1 = W1 @ X + b1
    A1 = g(Z1)
    Z2 = W2 @ A1 + b2
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


# --- compute_cost (graded)

def compute_cost(A2, Y):
    """A2, Y: (1, m). Returns the mean binary cross-entropy as a Python float."""
    Y = np.asarray(Y, dtype=float)
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m
    return float(cost)


# --- backward_propagation (graded)

def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    """Gradients of compute_cost with respect to the parameters.

    X: (n_x, m), Y: (1, m), cache from forward_propagation.
    Returns {"dW1", "db1", "dW2", "db2"}, each the shape of its parameter.
    """
    g_backward = hidden_activation_backward(activation)
    W2 = parameters["W2"]
    Z1, A1, A2 = cache["Z1"], cache["A1"], cache["A2"]
    m = X.shape[1]
    dZ2 = A2 - np.asarray(Y, dtype=float)
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2
    dZ1 = g_backward(dA1, Z1)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


# --- update_parameters (graded)

def update_parameters(parameters, grads, learning_rate=1.2):
    """One gradient-descent step: theta - learning_rate * d_theta for each parameter.

    Returns a new dict; does not modify `parameters`.
    """
    new = {}
    for key in ("W1", "b1", "W2", "b2"):
        new[key] = parameters[key] - learning_rate * grads["d" + key]
    return new


# --- nn_model (graded)

def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh", learning_rate=1.2):
    """Train the one-hidden-layer network by gradient descent.

    X: (n_x, m), Y: (1, m). Seeds numpy with 3, initialises, then runs
    num_iterations rounds of forward, cost, backward, update. Returns the parameters.
    """
    np.random.seed(3)
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost and i % 1000 == 0:
            print(f"Cost after iteration {i}: {cost:f}")
    return parameters


# --- predict (graded)

def predict(parameters, X, activation="tanh"):
    """X: (n_x, m). Returns a (1, m) array: 1 (True) where the network's A2 > 0.5."""
    A2, _ = forward_propagation(X, parameters, activation)
    predictions = A2 > 0.5
    return predictions


# --- gradient_check (graded)

def gradient_check(parameters, X, Y, activation="tanh", epsilon=1e-7):
    """Compare backward_propagation with centered differences of the cost.

    Returns ||g - g_approx|| / (||g|| + ||g_approx||) over W1, b1, W2, b2 (a float).
    """
    keys = ("W1", "b1", "W2", "b2")
    _, cache = forward_propagation(X, parameters, activation)
    grads = backward_propagation(parameters, cache, X, Y, activation)
    g = np.concatenate([np.ravel(grads["d" + key]) for key in keys])
    g_approx = []
    for key in keys:
        for index in np.ndindex(parameters[key].shape):
            costs = []
            for step in (epsilon, -epsilon):
                shifted = {k: np.array(v, dtype=float) for k, v in parameters.items()}
                shifted[key][index] += step
                costs.append(compute_cost(forward_propagation(X, shifted, activation)[0], Y))
            g_approx.append((costs[0] - costs[1]) / (2 * epsilon))
    g_approx = np.array(g_approx)
    denominator = np.linalg.norm(g) + np.linalg.norm(g_approx)
    difference = np.linalg.norm(g - g_approx) / denominator if denominator else 0.0
    return float(difference)


# --- collapse_linear (graded)

def collapse_linear(parameters):
    """The single affine map a linear hidden layer computes.

    Returns (W, b) with W = W2 @ W1 (n_y, n_x) and b = W2 @ b1 + b2 (n_y, 1).
    """
    W = parameters["W2"] @ parameters["W1"]
    b = parameters["W2"] @ parameters["b1"] + parameters["b2"]
    return W, b


# --- count_linear_regions (graded)

def count_linear_regions(W1, b1, X):
    """W1: (n_h, n_x), b1: (n_h, 1), X: (n_x, m).

    Returns how many distinct on/off patterns (W1 @ X + b1 > 0) the columns of X show (an int).
    """
    patterns = (W1 @ X + b1) > 0
    count = len({column.tobytes() for column in patterns.T})
    return int(count)


# --- relu_interpolant (graded)

def relu_interpolant(x_knots, y_knots):
    """A one-hidden-layer ReLU network on scalars through the knots (x_knots ascending).

    Returns {"W1" (n, 1), "b1" (n, 1), "W2" (1, n), "b2" (1, 1)}, n = len(x_knots) - 1, such that
    W2 @ relu(W1 @ x + b1) + b2 is the piecewise-linear interpolation on [x_knots[0], x_knots[-1]].
    """
    x_knots = np.asarray(x_knots, dtype=float).ravel()
    y_knots = np.asarray(y_knots, dtype=float).ravel()
    n = len(x_knots) - 1
    slopes = np.diff(y_knots) / np.diff(x_knots)
    # Unit i switches on at knot i and adds the change of slope there.
    W1 = np.ones((n, 1))
    b1 = -x_knots[:-1].reshape(n, 1)
    W2 = np.diff(slopes, prepend=0.0).reshape(1, n)
    b2 = np.array([[y_knots[0]]])
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


# --- helper_relu_network_1d (given)

def relu_network_1d(parameters, x):
    """Evaluate W2 @ relu(W1 @ x + b1) + b2 on a row of scalars x (1, k)."""
    return parameters["W2"] @ relu(parameters["W1"] @ x + parameters["b1"]) + parameters["b2"]
