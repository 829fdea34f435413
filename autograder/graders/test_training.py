"""nn_model, and the experiment the assignment is about: ReLU beats linear on the flower.

nn_model's own logic (seeding, the loop, passing activation and learning rate on) is
graded with the reference building blocks swapped in. The flower runs use the student's
own nn_model and predict end to end, so they are charged to every function they use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from autograder.engine.checks import as_array, check_array, check_dict, fail, finding
from autograder.engine.markers import graded
from autograder.engine.numeric import PARAMETER_KEYS, best_linear_accuracy
from autograder.engine.student import StudentFailure
from autograder.graders import swaps
from autograder.graders.cases import ACTIVATIONS, case
from autograder.results.causes import Cause
from autograder.sandbox.handle import StopCall


# A training may take this many times the per-call limit (25 s by default; the reference needs about 0.1 s for the
# longest, 800 ReLU iterations), so that a submission that loops costs well under a minute.
TRAINING_FACTOR = 1.25
NETWORK_USES = swaps.NETWORK_FUNCTIONS


def call_cap(iterations: int) -> int:
    """How often nn_model may call one building block when asked for `iterations` rounds before it is stopped:
    room for an extra call or two per round (a cost printed, a forward pass repeated), not for a fixed 10,000."""
    return 2 * iterations + 10


class Recorder:
    """Reference building blocks that log how nn_model calls them, and stop it once it calls one far more
    often than `iterations` rounds need (see `call_cap`), without running the rest of its loop."""

    def __init__(self, ref, n_x: int, n_h: int, n_y: int, iterations: int):
        self.ref, self.calls, self.iterations = ref, [], iterations
        self.counts: dict[str, int] = {}
        saved = np.random.get_state()
        np.random.seed(3)
        self.initial = ref.initialize_parameters(n_x, n_h, n_y)
        np.random.set_state(saved)

    def record(self, name: str, argument) -> None:
        """Log one call; past the cap, stop nn_model with a finding that names the loop."""
        self.calls.append((name, argument))
        self.counts[name] = self.counts.get(name, 0) + 1
        cap, expected = call_cap(self.iterations), self.iterations
        if name != "initialize_parameters" and self.counts[name] > cap:
            raise StopCall(finding("nn_model", f"called with num_iterations={expected}, it called {name} more than "
                                               f"{cap} times and was stopped there; expected {expected} calls, one per "
                                               "round.",
                                   "loop `for i in range(num_iterations):`; a fixed count such as range(10000) "
                                   "ignores the num_iterations it is given."),
                           Cause.WRONG_ITERATIONS)

    def proxies(self, *, initialize: bool = True) -> dict:
        ref, record = self.ref, self.record

        def forward_propagation(X, parameters, activation="tanh"):
            record("forward_propagation", activation)
            return ref.forward_propagation(X, parameters, activation)

        def compute_cost(A2, Y):
            record("compute_cost", None)
            return ref.compute_cost(A2, Y)

        def backward_propagation(parameters, cache, X, Y, activation="tanh"):
            record("backward_propagation", activation)
            return ref.backward_propagation(parameters, cache, X, Y, activation)

        def update_parameters(parameters, grads, learning_rate=1.2):
            record("update_parameters", learning_rate)
            return ref.update_parameters(parameters, grads, learning_rate)

        def initialize_parameters(n_x, n_h, n_y):
            record("initialize_parameters", None)
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
    """nn_model as the contract calls it; tanh and the default rate are left out, as the DLS notebook calls it."""
    kwargs = {"num_iterations": iterations}
    if activation != "tanh":
        kwargs["activation"] = activation
    if rate != 1.2:
        kwargs["learning_rate"] = rate
    return student.call("nn_model", X, Y, n_h, proxies=proxies, seed=seed, timeout=training_seconds(student), **kwargs)


# Few rounds: each round is four calls of the recorded building blocks, each a round trip to the grader.
RUNS = ((4, 6, "tanh", 1.2), (3, 4, "relu", 0.5), (5, 5, "linear", 0.05), (2, 3, "sigmoid", 2.0))
LOOP_RUNS = ((4, 6, "tanh", 1.2), (3, 4, "tanh", 1.2))  # the loop does not depend on the activation


@graded(1, "nn_model", uses=NETWORK_USES, public=True)
def test_nn_model_public(student, public):
    """nn_model: the notebook's visible test (trains with your own functions)"""
    public.test_nn_model(student.function("nn_model", timeout=training_seconds(student)))


def recorded_training(student, ref, c, n_h, iterations, activation, rate) -> Recorder:
    """The student's nn_model trained on case `c` with the reference's building blocks, which record its calls."""
    recorder = Recorder(ref, c.X.shape[0], n_h, 1, iterations)
    call_nn_model(student, c.X, c.Y, n_h, iterations, activation, rate, recorder.proxies())
    return recorder


@graded(1, "nn_model")
def test_nn_model_loop(student, ref):
    """nn_model: runs num_iterations rounds of forward, cost, backward and update"""
    for n_h, iterations, activation, rate in LOOP_RUNS:
        recorder = recorded_training(student, ref, case(31 + n_h, 2, n_h, 20), n_h, iterations, activation, rate)
        for name in ("forward_propagation", "compute_cost", "backward_propagation", "update_parameters"):
            count = sum(1 for called, _ in recorder.calls if called == name)
            if count != iterations:
                fail("nn_model", f"with num_iterations={iterations}, {name} was called {count} times; expected {iterations}.",
                     "loop `for i in range(num_iterations):` and call forward_propagation, compute_cost, "
                     "backward_propagation and update_parameters once in each round.", cause=Cause.WRONG_ITERATIONS)
        if not any(called == "initialize_parameters" for called, _ in recorder.calls):
            fail("nn_model", "did not call initialize_parameters.", "start from initialize_parameters(n_x, n_h, n_y).",
                 cause=Cause.NO_INITIALIZE)


@graded(1, "nn_model")
def test_nn_model_hyperparameters(student, ref):
    """nn_model: passes activation and learning_rate on to every step"""
    for n_h, iterations, activation, rate in RUNS:
        recorder = recorded_training(student, ref, case(41 + n_h, 3, n_h, 15), n_h, iterations, activation, rate)
        made = {called for called, _ in recorder.calls}
        for needed in ("forward_propagation", "backward_propagation", "update_parameters"):
            if needed not in made:  # nothing passed on means nothing to check: that is a failure, not a pass
                fail("nn_model", f"called with num_iterations={iterations}, it never called {needed}, so it trained nothing.",
                     "loop num_iterations times over forward_propagation, compute_cost, backward_propagation and "
                     "update_parameters, passing activation and learning_rate on.", cause=Cause.WRONG_ITERATIONS)
        for called, argument in recorder.calls:
            if called in ("forward_propagation", "backward_propagation") and argument != activation:
                fail("nn_model", f"called with activation={activation!r}, it called {called} with activation={argument!r}.",
                     f"pass the activation on: {called}(..., activation).", cause=Cause.ACTIVATION_NOT_PASSED)
            if called == "update_parameters" and argument != rate:
                fail("nn_model", f"called with learning_rate={rate}, it called update_parameters with learning_rate={argument}.",
                     "pass the learning rate on: update_parameters(parameters, grads, learning_rate).",
                     cause=Cause.LEARNING_RATE_NOT_PASSED)


@graded(1, "nn_model")
def test_nn_model_result_default(student, ref):
    """nn_model: returns the parameters after the last update, with the defaults (tanh, learning rate 1.2)"""
    check_training_result(student, ref, RUNS[:1])


@graded(1, "nn_model")
def test_nn_model_result(student, ref):
    """nn_model: returns the parameters after the last update, other activations and learning rates"""
    check_training_result(student, ref, RUNS[1:])


def check_training_result(student, ref, runs) -> None:
    for n_h, iterations, activation, rate in runs:
        c = case(51 + n_h, 2, n_h, 30, int_labels=n_h % 2 == 0)
        recorder = Recorder(ref, 2, n_h, 1, iterations)
        got = call_nn_model(student, c.X, c.Y, n_h, iterations, activation, rate, recorder.proxies())
        expected = recorder.expected(c.X, c.Y, iterations, activation, rate)
        check_dict("nn_model", "the result", got, PARAMETER_KEYS)
        for key in PARAMETER_KEYS:
            check_array("nn_model", f"{key} after {iterations} iterations with activation={activation!r}, "
                                    f"learning_rate={rate}, n_h={n_h}", got[key], expected[key],
                        "update the parameters in every round and return the final ones.",
                        mistakes=[(recorder.initial[key], "return the trained parameters, not the initial ones.",
                                                          Cause.INITIAL_PARAMETERS_RETURNED)])


@graded(1, "nn_model", uses=("initialize_parameters",))
def test_nn_model_seeding(student, ref):
    """nn_model: seeds numpy with 3 before initializing, so every run gives the same result"""
    c = case(61, 2, 4, 12)
    recorder = Recorder(ref, 2, 4, 1, 3)
    results = [call_nn_model(student, c.X, c.Y, 4, 3, "tanh", 1.2, recorder.proxies(initialize=False), seed=seed)
               for seed in (0, 12345)]
    expected = recorder.expected(c.X, c.Y, 3, "tanh", 1.2)
    hint, cause = "call np.random.seed(3) at the start of nn_model, then initialize_parameters.", Cause.NOT_SEEDED
    if reseeds(student):
        hint, cause = ("your initialize_parameters seeds numpy itself (np.random.seed inside it, as older DLS "
                       "notebooks did), which replaces nn_model's np.random.seed(3): remove the seed from "
                       "initialize_parameters."), Cause.RESEEDED
    for got, seed in zip(results, (0, 12345)):
        check_dict("nn_model", "the result", got, PARAMETER_KEYS)
        for key in PARAMETER_KEYS:
            check_array("nn_model", f"{key} after 3 iterations (numpy seeded with {seed} before the call)", got[key],
                        expected[key], hint, mistakes=[] if cause == Cause.NOT_SEEDED else [(got[key], hint, cause)])


def reseeds(student) -> bool:
    """Whether the student's initialize_parameters gives the same weights whatever numpy was seeded with."""
    try:
        first, second = (student.call("initialize_parameters", 2, 4, 1, seed=seed) for seed in (0, 12345))
        return all(np.array_equal(np.asarray(first[k]), np.asarray(second[k])) for k in ("W1", "W2"))
    except (AssertionError, KeyError, TypeError, ValueError):
        return False


# --- the flower: ReLU beats linear ----------------------------------------------------------
#
# Settings, measured on the flower with the reference and five other correct formulations (np.dot
# vs @, np.maximum vs Z * (Z > 0) vs np.where, relu'(0) = 0 or 1, sigmoid via exp or via tanh,
# np.mean vs sum / m), each also started from weights perturbed by 1e-8 (two draws):
#   tanh, 4 units, learning rate 1.2, 500 iterations: 89.25 % for every formulation (87.0 % at 300,
#     88.75 % at 400); bar 86 %, a margin of 3.25 points (13 examples); no example's A2 within 6e-3 of 0.5.
#   ReLU, 20 units, learning rate 0.3, 800 iterations: 81.0 % for every formulation and perturbation
#     (trained parameters agree to 1e-14 relative; no example's A2 is within 3e-4 of 0.5); bar: the
#     best linear classifier (68.75 %) + 5 points = 73.75 %, a margin of 7.25 points (29 examples).
#     The curve crosses the bar between 650 and 675 iterations and stays at 80.0-81.0 % from 725 to
#     875; past 900 it wobbles between 78.2 % and 81.8 %, and a 1e-8 perturbation changes where.
#   linear, 4 units, the ReLU setting: 47.0 % from 200 iterations on, 34 points below ReLU. A linear hidden layer
#     collapses to one line, so no training of it, however long, can pass the best line (68.75 %) or come within
#     10 points of ReLU; a network that is not linear is caught first, by require_network. 200 iterations suffice.
# At the course's learning rate of 1.2, ReLU training is chaotic (79.7 % at 2,000 iterations,
# 73.3 % at 5,000, 82.8 % at 10,000; sigmoid via tanh moves 82.75 % to 76.0 %), so the ReLU runs
# use 0.3, where they are not.

FLOWER_RUNS = {"tanh": (4, 500, None), "relu": (20, 800, 0.3), "linear": (4, 200, 0.3)}  # n_h, iterations, rate
TANH_BAR = 0.86
RELU_MARGIN = 0.05
A2_TIE = 1e-9  # predictions this close to the threshold are not compared


@dataclass
class FlowerRun:
    """The student's nn_model trained on the flower, and the student's predict on the result."""

    activation: str
    n_h: int
    parameters: dict
    predictions: np.ndarray  # (1, m) bool

    def accuracy(self, Y: np.ndarray) -> float:
        return float(np.mean(self.predictions == Y.astype(bool)))


@pytest.fixture(scope="module")
def flower_run(student, flower):
    """run(activation): the student's nn_model and predict on the flower, in the settings above."""
    X, Y = flower
    done: dict = {}

    def run(activation: str) -> FlowerRun:
        if activation not in done:
            n_h, iterations, rate = FLOWER_RUNS[activation]
            options = {"num_iterations": iterations}
            if activation != "tanh":  # the tanh run is called as the DLS notebook calls it
                options.update(activation=activation, learning_rate=rate)
            try:
                parameters = student.call("nn_model", X, Y, n_h, timeout=training_seconds(student), **options)
                check_dict("nn_model", f"the parameters trained on the flower with activation={activation!r}",
                           parameters, PARAMETER_KEYS)
                shapes = {"W1": (n_h, 2), "b1": (n_h, 1), "W2": (1, n_h), "b2": (1, 1)}
                parameters = {k: as_array("nn_model", f"{k} trained on the flower", parameters[k], shapes[k])
                              for k in PARAMETER_KEYS}
                args = (parameters, X) if activation == "tanh" else (parameters, X, activation)
                predictions = as_array("predict", f"the predictions on the flower with activation={activation!r}",
                                       student.call("predict", *args), Y.shape)
                done[activation] = FlowerRun(activation, n_h, parameters, predictions.astype(bool))
            except AssertionError as exc:
                done[activation] = exc
        if isinstance(done[activation], AssertionError):
            exc = done[activation]
            raise StudentFailure(f"training on the flower with activation={activation!r} failed: {exc}",
                                 getattr(exc, "cause", None))
        return done[activation]

    return run


@pytest.fixture(scope="module")
def best_linear(flower):
    return best_linear_accuracy(*flower)


def network_computed(ref, run: FlowerRun, X: np.ndarray) -> str | None:
    """Which activation's network the student's predictions are (None: none of the four)."""
    for activation in (run.activation, *[a for a in ACTIVATIONS if a != run.activation]):
        A2 = ref.forward_propagation(X, run.parameters, activation)[0]
        clear = np.abs(A2 - 0.5) > A2_TIE
        if np.array_equal((A2 > 0.5)[clear], run.predictions[clear]):
            return activation
    return None


def require_network(ref, run: FlowerRun, X: np.ndarray) -> None:
    """The predictions must be those of a network with the requested hidden activation."""
    computed = network_computed(ref, run, X)
    if computed == run.activation:
        return
    what = f"a {computed} network" if computed else "no network with any of the four activations"
    fail("nn_model", f"asked for activation={run.activation!r}, your nn_model and predict produced {what}: "
                     f"the predictions on the flower are not those of {run.n_h} {run.activation} units with the "
                     "parameters your nn_model returned.",
         "forward_propagation (and so nn_model and predict) must use the activation argument; "
         f"A1 = {run.activation}(Z1), and backward_propagation must use {run.activation}_backward.",
         cause=Cause.NOT_RELU_NETWORK if run.activation == "relu" else Cause.ACTIVATION_NOT_PASSED)


FLOWER_USES = NETWORK_USES + ("predict",)


@graded(2, "nn_model", "predict", uses=FLOWER_USES)
def test_flower_tanh(flower_run, flower, ref):
    """the flower: 4 tanh units reach about 90 %"""
    run = flower_run("tanh")
    require_network(ref, run, flower[0])
    accuracy = run.accuracy(flower[1])
    _, iterations, _ = FLOWER_RUNS["tanh"]
    if accuracy < TANH_BAR:
        fail("nn_model", f"4 tanh units trained for {iterations:,} iterations reach {accuracy:.1%} on the flower; "
                         f"expected about 89 % (at least {TANH_BAR:.0%}).",
             "compare your nn_model loop with the contract: seed 3, initialize, then forward, cost, backward, "
             "update in each round.")


@graded(2, "nn_model", "predict", uses=FLOWER_USES)
def test_flower_relu(flower_run, flower, ref, best_linear):
    """the flower: 20 ReLU units beat every linear classifier by a clear margin"""
    run = flower_run("relu")
    require_network(ref, run, flower[0])
    accuracy = run.accuracy(flower[1])
    _, iterations, rate = FLOWER_RUNS["relu"]
    if accuracy < best_linear + RELU_MARGIN:
        fail("nn_model", f"20 ReLU units trained for {iterations:,} iterations at learning_rate={rate} reach "
                         f"{accuracy:.1%} on the flower; the best any linear classifier can do is {best_linear:.1%}, "
                         f"and ReLU should beat it by at least {RELU_MARGIN * 100:.0f} points (a correct network "
                         "reaches 81 %).",
             "the network is a ReLU network, so its training is off: check that backward_propagation uses "
             "relu_backward and that update_parameters uses the learning_rate it is given.")


@graded(2, "nn_model", "predict", uses=FLOWER_USES)
def test_flower_linear(flower_run, flower, ref, best_linear):
    """the flower: a linear hidden layer does no better than a linear classifier, well below ReLU"""
    linear = flower_run("linear")
    require_network(ref, linear, flower[0])
    relu = flower_run("relu")
    require_network(ref, relu, flower[0])
    linear_accuracy, relu_accuracy = linear.accuracy(flower[1]), relu.accuracy(flower[1])
    if linear_accuracy > best_linear + 0.005:
        fail("nn_model", f"a linear hidden layer reaches {linear_accuracy:.1%} on the flower, more than the best "
                         f"linear classifier ({best_linear:.1%}); a linear hidden layer collapses to one linear map, "
                         "so it cannot.",
             "linear(Z) must return Z unchanged and linear_backward(dA, Z) must return dA.")
    if relu_accuracy - linear_accuracy < 0.1:
        fail("nn_model", f"ReLU ({relu_accuracy:.1%}) should beat the linear hidden layer ({linear_accuracy:.1%}) by "
                         "at least 10 points in the same setting.")
