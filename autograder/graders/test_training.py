"""nn_model, and the experiment the assignment is about: ReLU beats linear on the flower.

nn_model's own logic (seeding, the loop, passing activation and learning rate on) is
graded with the reference building blocks swapped in. The flower runs use the student's
own nn_model and predict end to end, so they are charged to every function they use.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.graders import swaps
from autograder.graders.cases import case
from autograder.grading.checks import as_array, check_array, check_dict, fail
from autograder.grading.markers import graded
from autograder.grading.numeric import PARAMETER_KEYS, best_linear_accuracy
from autograder.grading.student import StudentFailure


TRAINING_FACTOR = 4.5  # a 10,000-iteration run may take this many times the per-call limit (90 s by default)
NETWORK_USES = swaps.NETWORK_FUNCTIONS


class Recorder:
    """Reference building blocks that log how nn_model calls them."""

    def __init__(self, ref, n_x: int, n_h: int, n_y: int):
        self.ref, self.calls = ref, []
        saved = np.random.get_state()
        np.random.seed(3)
        self.initial = ref.initialize_parameters(n_x, n_h, n_y)
        np.random.set_state(saved)

    def proxies(self, *, initialize: bool = True) -> dict:
        ref, calls = self.ref, self.calls

        def forward_propagation(X, parameters, activation="tanh"):
            calls.append(("forward_propagation", activation))
            return ref.forward_propagation(X, parameters, activation)

        def compute_cost(A2, Y):
            calls.append(("compute_cost", None))
            return ref.compute_cost(A2, Y)

        def backward_propagation(parameters, cache, X, Y, activation="tanh"):
            calls.append(("backward_propagation", activation))
            return ref.backward_propagation(parameters, cache, X, Y, activation)

        def update_parameters(parameters, grads, learning_rate=1.2):
            calls.append(("update_parameters", learning_rate))
            return ref.update_parameters(parameters, grads, learning_rate)

        def initialize_parameters(n_x, n_h, n_y):
            calls.append(("initialize_parameters", None))
            return {k: v.copy() for k, v in self.initial.items()}

        blocks = {"layer_sizes": ref.layer_sizes, "forward_propagation": forward_propagation,
                  "compute_cost": compute_cost, "backward_propagation": backward_propagation,
                  "update_parameters": update_parameters}
        if initialize:
            blocks["initialize_parameters"] = initialize_parameters
        return blocks

    def expected(self, X, Y, iterations: int, activation: str, rate: float) -> dict:
        parameters = {k: v.copy() for k, v in self.initial.items()}
        for _ in range(iterations):
            _, cache = self.ref.forward_propagation(X, parameters, activation)
            grads = self.ref.backward_propagation(parameters, cache, X, Y, activation)
            parameters = self.ref.update_parameters(parameters, grads, rate)
        return parameters


def training_seconds(student) -> float:
    return student.worker.limits.call_seconds * TRAINING_FACTOR if student.worker else 0.0


def call_nn_model(student, X, Y, n_h, iterations, activation, rate, proxies, seed=None):
    kwargs = {"num_iterations": iterations, "activation": activation, "learning_rate": rate}
    return student.call("nn_model", X, Y, n_h, proxies=proxies, seed=seed, timeout=training_seconds(student), **kwargs)


RUNS = ((4, 12, "tanh", 1.2), (3, 7, "relu", 0.5), (5, 9, "linear", 0.05), (2, 5, "sigmoid", 2.0))


@graded(1, "nn_model", uses=NETWORK_USES + ("tanh", "tanh_backward", "relu", "relu_backward"), public=True)
def test_nn_model_public(student, public):
    """nn_model: the notebook's visible test (trains with your own functions)"""
    public.test_nn_model(student.function("nn_model", timeout=training_seconds(student)))


@graded(1, "nn_model")
def test_nn_model_loop(student, ref):
    """nn_model: runs num_iterations rounds of forward, cost, backward and update"""
    for n_h, iterations, activation, rate in RUNS[:2]:
        c = case(31 + n_h, 2, n_h, 20)
        recorder = Recorder(ref, 2, n_h, 1)
        call_nn_model(student, c.X, c.Y, n_h, iterations, activation, rate, recorder.proxies())
        for name in ("forward_propagation", "compute_cost", "backward_propagation", "update_parameters"):
            count = sum(1 for called, _ in recorder.calls if called == name)
            if count != iterations:
                fail("nn_model", f"with num_iterations={iterations}, {name} was called {count} times; expected {iterations}.",
                     "loop `for i in range(num_iterations):` and call forward_propagation, compute_cost, "
                     "backward_propagation and update_parameters once in each round.")
        if not any(called == "initialize_parameters" for called, _ in recorder.calls):
            fail("nn_model", "did not call initialize_parameters.", "start from initialize_parameters(n_x, n_h, n_y).")


@graded(1, "nn_model")
def test_nn_model_hyperparameters(student, ref):
    """nn_model: passes activation and learning_rate on to every step"""
    for n_h, iterations, activation, rate in RUNS:
        c = case(41 + n_h, 3, n_h, 15)
        recorder = Recorder(ref, 3, n_h, 1)
        call_nn_model(student, c.X, c.Y, n_h, iterations, activation, rate, recorder.proxies())
        for called, argument in recorder.calls:
            if called in ("forward_propagation", "backward_propagation") and argument != activation:
                fail("nn_model", f"called with activation={activation!r}, it called {called} with activation={argument!r}.",
                     f"pass the activation on: {called}(..., activation).")
            if called == "update_parameters" and argument != rate:
                fail("nn_model", f"called with learning_rate={rate}, it called update_parameters with learning_rate={argument}.",
                     "pass the learning rate on: update_parameters(parameters, grads, learning_rate).")


@graded(2, "nn_model")
def test_nn_model_result(student, ref):
    """nn_model: returns the parameters after the last update"""
    for n_h, iterations, activation, rate in RUNS:
        c = case(51 + n_h, 2, n_h, 30, int_labels=n_h % 2 == 0)
        recorder = Recorder(ref, 2, n_h, 1)
        got = call_nn_model(student, c.X, c.Y, n_h, iterations, activation, rate, recorder.proxies())
        expected = recorder.expected(c.X, c.Y, iterations, activation, rate)
        check_dict("nn_model", "the result", got, PARAMETER_KEYS)
        for key in PARAMETER_KEYS:
            check_array("nn_model", f"{key} after {iterations} iterations with activation={activation!r}, "
                                    f"learning_rate={rate}, n_h={n_h}", got[key], expected[key],
                        "update the parameters in every round and return the final ones.",
                        mistakes=[(recorder.initial[key], "return the trained parameters, not the initial ones.")])


@graded(1, "nn_model", uses=("initialize_parameters",))
def test_nn_model_seeding(student, ref):
    """nn_model: seeds numpy with 3 before initializing, so every run gives the same result"""
    c = case(61, 2, 4, 12)
    recorder = Recorder(ref, 2, 4, 1)
    results = [call_nn_model(student, c.X, c.Y, 4, 3, "tanh", 1.2, recorder.proxies(initialize=False), seed=seed)
               for seed in (0, 12345)]
    expected = recorder.expected(c.X, c.Y, 3, "tanh", 1.2)
    for got, seed in zip(results, (0, 12345)):
        check_dict("nn_model", "the result", got, PARAMETER_KEYS)
        for key in PARAMETER_KEYS:
            check_array("nn_model", f"{key} after 3 iterations (numpy seeded with {seed} before the call)", got[key],
                        expected[key], "call np.random.seed(3) at the start of nn_model, then initialize_parameters.")


# --- the flower: ReLU beats linear ----------------------------------------------------------


@pytest.fixture(scope="module")
def flower_accuracy(student, flower):
    """accuracy(activation, n_h): the student's nn_model (10,000 iterations) and predict on the flower."""
    X, Y = flower
    done: dict = {}

    def accuracy(activation: str, n_h: int) -> float:
        key = (activation, n_h)
        if key not in done:
            try:
                parameters = student.call("nn_model", X, Y, n_h, activation=activation, timeout=training_seconds(student))
                predictions = student.call("predict", parameters, X, activation)
                predictions = as_array("predict", f"the predictions on the flower with activation={activation!r}",
                                       predictions, Y.shape)
                done[key] = float(np.mean(predictions == Y))
            except AssertionError as exc:
                done[key] = exc
        if isinstance(done[key], AssertionError):
            raise StudentFailure(f"training on the flower with activation={activation!r} and {n_h} hidden units "
                                 f"failed: {done[key]}")
        return done[key]

    return accuracy


@pytest.fixture(scope="module")
def best_linear(flower):
    return best_linear_accuracy(*flower)


FLOWER_USES = NETWORK_USES + ("predict",)


@graded(2, "nn_model", "predict", uses=FLOWER_USES + ("tanh", "tanh_backward"))
def test_flower_tanh(flower_accuracy):
    """the flower: 4 tanh units reach about 90 %"""
    accuracy = flower_accuracy("tanh", 4)
    if accuracy < 0.88:
        fail("nn_model", f"4 tanh units trained for 10,000 iterations reach {accuracy:.1%} on the flower; "
                         "expected about 90 % (at least 88 %).",
             "if every function passes its own checks, compare your nn_model loop with the contract: "
             "seed 3, initialize, then forward, cost, backward, update in each round.")


@graded(2, "nn_model", "predict", uses=FLOWER_USES + ("relu", "relu_backward"))
def test_flower_relu(flower_accuracy, best_linear):
    """the flower: 20 ReLU units beat every linear classifier by a clear margin"""
    accuracy = flower_accuracy("relu", 20)
    if accuracy < best_linear + 0.08:
        fail("nn_model", f"20 ReLU units reach {accuracy:.1%} on the flower; the best any linear classifier can do "
                         f"is {best_linear:.1%}, and ReLU should beat it by at least 8 points.",
             "check that relu, relu_backward and the activation argument are used all the way through.")


@graded(2, "nn_model", "predict", uses=FLOWER_USES + ("linear", "linear_backward", "relu", "relu_backward"))
def test_flower_linear(flower_accuracy, best_linear):
    """the flower: a linear hidden layer does no better than a linear classifier, well below ReLU"""
    linear = flower_accuracy("linear", 4)
    relu = flower_accuracy("relu", 20)
    if linear > best_linear + 0.005:
        fail("nn_model", f"a linear hidden layer reaches {linear:.1%} on the flower, more than the best linear "
                         f"classifier ({best_linear:.1%}); a linear hidden layer collapses to one linear map, so it cannot.",
             "linear(Z) must return Z unchanged and linear_backward(dA, Z) must return dA.")
    if relu - linear < 0.1:
        fail("nn_model", f"ReLU ({relu:.1%}) should beat the linear hidden layer ({linear:.1%}) by at least 10 points.")
