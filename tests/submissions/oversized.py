"""Attacks on the grader's side of the pipe that keep within the assignment's contract, shapes and all.

Each is the reference solution with one function's body replaced (see `hostile.grader_attack`). The
arguments they hand the swapped-in reference fit together (n_x = 1 throughout), are float64 and
hold few numbers (32,001 for an 8,000 x 8,000 network), but the reference makes far more from them
than from the check's own network and data: n_h x m numbers for Z1 and again for A1.
"""

from __future__ import annotations


# nn_model first runs forward_propagation on a network of 8,000 units over 8,000 examples of one feature (the
# reference would make two 8,000 x 8,000 arrays, 1 GB), then trains as the contract says.
WIDE_NETWORK = '''
n = 8000
wide = {"W1": np.full((n, 1), 0.01), "b1": np.zeros((n, 1)), "W2": np.full((1, n), 0.01), "b2": np.zeros((1, 1))}
forward_propagation(np.ones((1, n)), wide, activation)
np.random.seed(3)
n_x, _, n_y = layer_sizes(X, Y)
parameters = initialize_parameters(n_x, n_h, n_y)
for i in range(num_iterations):
    A2, cache = forward_propagation(X, parameters, activation)
    cost = compute_cost(A2, Y)
    grads = backward_propagation(parameters, cache, X, Y, activation)
    parameters = update_parameters(parameters, grads, learning_rate)
return parameters'''

# gradient_check calls the swapped-in forward_propagation 30,000 times on 1,800 units over 1,800 examples: each
# answer is two 1,800 x 1,800 arrays (52 MB, under the 64 MB a message may hold), each call's many seconds
HEAVY_FLOOD = '''
n = 1800
wide = {"W1": np.full((n, 1), 0.01), "b1": np.zeros((n, 1)), "W2": np.full((1, n), 0.01), "b2": np.zeros((1, 1))}
for _ in range(30000):
    forward_propagation(np.ones((1, n)), wide, activation)
return 0.0'''

OVERSIZED_ATTACKS = {"an 8,000 x 8,000 network of one feature (n_x = 1)": {"nn_model": WIDE_NETWORK},
                     "a flood of callbacks of 1,800 x 1,800": {"gradient_check": HEAVY_FLOOD}}
