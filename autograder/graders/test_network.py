"""The one-hidden-layer network: sizes, initialisation, forward, cost, backward, update, predict.

Each function runs with the reference versions of the functions it calls swapped in, on
inputs made by the reference (a backward test gets a reference cache), so a bug is charged
to the function that has it.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.engine.checks import as_array, check_array, check_dict, check_float, check_pair, fail
from autograder.engine.markers import graded
from autograder.engine.numeric import PARAMETER_KEYS, parameter_gradients, relative_error
from autograder.graders import swaps
from autograder.graders.cases import ACTIVATIONS, activation_args, case, cases
from autograder.results.causes import Cause


ZERO_WEIGHTS = ("the weights are all zeros, so every hidden unit computes the same thing and learns the same thing: "
                "draw them with np.random.randn(...) * 0.01 (biases, not weights, start at zero).")


def each_activation(points, function):
    return [pytest.param(a, marks=graded(points, function), id=a) for a in ACTIVATIONS]


def with_activation(activation):
    return f" with activation={activation!r}"


# --- layer_sizes ------------------------------------------------------------------------


@graded(1, "layer_sizes", public=True)
def test_layer_sizes_public(student, public):
    """layer_sizes: the notebook's visible test"""
    public.test_layer_sizes(student.function("layer_sizes"))


@graded(1, "layer_sizes")
def test_layer_sizes_shapes(student):
    """layer_sizes: other shapes of X and Y"""
    for n_x, n_y, m in ((2, 1, 400), (7, 3, 1), (1, 1, 9)):
        X, Y = np.zeros((n_x, m)), np.zeros((n_y, m))
        got = student.call("layer_sizes", X, Y)
        if not isinstance(got, tuple) or got != (n_x, 4, n_y):
            fail("layer_sizes", f"for X of shape {X.shape} and Y of shape {Y.shape} expected {(n_x, 4, n_y)}, got {got!r}.",
                 "n_x = X.shape[0], n_h = 4, n_y = Y.shape[0], returned as a tuple.")


# --- initialize_parameters --------------------------------------------------------------


@graded(1, "initialize_parameters", public=True)
def test_initialize_parameters_public(student, public):
    """initialize_parameters: the notebook's visible test"""
    public.test_initialize_parameters(student.function("initialize_parameters", seed=2))


@graded(2, "initialize_parameters")
def test_initialize_parameters_values(student, ref):
    """initialize_parameters: other sizes and seeds"""
    saved = np.random.get_state()
    try:
        for seed, (n_x, n_h, n_y) in ((1, (3, 5, 1)), (7, (2, 1, 2)), (12, (4, 20, 1))):
            got = student.call("initialize_parameters", n_x, n_h, n_y, seed=seed)
            np.random.seed(seed)
            expected = ref.initialize_parameters(n_x, n_h, n_y)
            np.random.seed(seed)
            W2_first = np.random.randn(n_y, n_h) * 0.01
            np.random.seed(2)
            reseeded = ref.initialize_parameters(n_x, n_h, n_y)
            check_dict("initialize_parameters", "the result", got, PARAMETER_KEYS)
            where = f" for n_x={n_x}, n_h={n_h}, n_y={n_y} after np.random.seed({seed})"
            for key in PARAMETER_KEYS:
                mistakes = [(expected[key] * 100, "scale the random weights by 0.01.", Cause.WEIGHTS_NOT_SCALED),
                            (np.zeros_like(expected[key]), ZERO_WEIGHTS, Cause.ZERO_WEIGHTS)] if key[0] == "W" else []
                if key == "W2":
                    mistakes.append((W2_first, "draw W1 first, then W2.", Cause.DRAW_ORDER))
                if key[0] == "W":
                    mistakes.append((reseeded[key], "initialize_parameters calls np.random.seed(2) itself, as older "
                                                    "DLS notebooks did: remove that line; nn_model seeds numpy once, "
                                                    "before initializing.", Cause.RESEEDED))
                check_array("initialize_parameters", key + where, got[key], expected[key], mistakes=mistakes,
                            hint="biases start at zero." if key[0] == "b" else
                            "W = np.random.randn(rows, columns) * 0.01, W1 drawn before W2, nothing else drawn.")
    finally:
        np.random.set_state(saved)


# --- forward_propagation ----------------------------------------------------------------


@graded(1, "forward_propagation", public=True)
def test_forward_propagation_public(student, public, ref):
    """forward_propagation: the notebook's visible test"""
    public.test_forward_propagation(student.function("forward_propagation", proxies=swaps.activations(ref)))


@graded(1, "forward_propagation")
def test_forward_propagation_structure(student, ref):
    """forward_propagation: returns (A2, cache), shaped right and consistent with itself"""
    for c in cases():
        n_h, m = c.parameters["W1"].shape[0], c.X.shape[1]
        result = student.call("forward_propagation", c.X, c.parameters, proxies=swaps.activations(ref))
        A2, cache = check_pair("forward_propagation", "the result", result)
        check_dict("forward_propagation", "cache", cache, ("Z1", "A1", "Z2", "A2"))
        arrays = {what: as_array("forward_propagation", f"{what} for {c.label}", got, shape)
                  for what, got, shape in (("A2", A2, (1, m)), ("cache['Z1']", cache["Z1"], (n_h, m)),
                                           ("cache['A1']", cache["A1"], (n_h, m)), ("cache['Z2']", cache["Z2"], (1, m)),
                                           ("cache['A2']", cache["A2"], (1, m)))}
        # Each stored array must follow from the one before it, whatever their values.
        where = f" for {c.label} (default activation, tanh)"
        check_array("forward_propagation", f"cache['A1']{where}", arrays["cache['A1']"], np.tanh(arrays["cache['Z1']"]),
                    "A1 = tanh(Z1) with the default activation: store the activation of the Z1 you computed.",
                    mistakes=[(arrays["cache['Z1']"], "the activation was not applied: A1 = tanh(Z1).", Cause.WRONG_ACTIVATION)])
        check_array("forward_propagation", f"cache['A2']{where}", arrays["cache['A2']"], ref.sigmoid(arrays["cache['Z2']"]),
                    "the output unit is a sigmoid: A2 = sigmoid(Z2).",
                    mistakes=[(arrays["cache['Z2']"], "apply the sigmoid to Z2 for the output.", Cause.NO_OUTPUT_SIGMOID)])
        check_array("forward_propagation", f"the returned A2{where}", arrays["A2"], arrays["cache['A2']"],
                    "return the same A2 that is in the cache.")


@pytest.mark.parametrize("activation", each_activation(1, "forward_propagation"))
def test_forward_propagation_values(activation, student, ref):
    """forward_propagation: values with activation={activation!r}"""
    for c in cases():
        _, expected = ref.forward_propagation(c.X, c.parameters, activation)
        A2, cache = check_pair("forward_propagation", "the result", student.call(
            "forward_propagation", c.X, c.parameters, *activation_args(activation), proxies=swaps.activations(ref)))
        check_dict("forward_propagation", "cache", cache, ("Z1", "A1", "Z2", "A2"))
        Z1 = expected["Z1"]
        hints = {"Z1": "Z1 = W1 @ X + b1.",
                 "A1": f"A1 = {activation}(Z1): use the activation the argument names.",
                 "Z2": "Z2 = W2 @ A1 + b2.", "A2": "the output unit is always a sigmoid: A2 = sigmoid(Z2)."}
        mistakes = {"A1": [(getattr(ref, other)(Z1), f"this is {other}(Z1): use the activation argument "
                                                     f"({activation!r}), not a fixed one.", Cause.WRONG_ACTIVATION)
                           for other in ACTIVATIONS if other != activation],
                    "A2": [(expected["Z2"], "apply the sigmoid to Z2 for the output.", Cause.NO_OUTPUT_SIGMOID)],
                    "Z1": [(ref.linear(c.parameters["W1"] @ c.X), "add the bias b1.", Cause.MISSING_BIAS)],
                    "Z2": [(c.parameters["W2"] @ expected["A1"], "add the bias b2.", Cause.MISSING_BIAS),
                           (c.parameters["W2"] @ Z1 + c.parameters["b2"], "Z2 uses the activations A1, not Z1.",
                            Cause.Z_INSTEAD_OF_A)]}
        where = f"{with_activation(activation)} for {c.label}"
        for key in ("Z1", "A1", "Z2", "A2"):
            check_array("forward_propagation", f"cache[{key!r}]{where}", cache[key], expected[key], hints[key],
                        mistakes=mistakes.get(key, ()))
        check_array("forward_propagation", f"A2{where}", A2, expected["A2"], "return the same A2 that is in the cache.")


# --- compute_cost -----------------------------------------------------------------------


@graded(1, "compute_cost", public=True)
def test_compute_cost_public(student, public):
    """compute_cost: the notebook's visible test"""
    public.test_compute_cost(student.function("compute_cost"))


@graded(2, "compute_cost")
def test_compute_cost_values(student, ref):
    """compute_cost: random predictions and labels, bool and int"""
    rng = np.random.default_rng(5)
    for m in (1, 6, 250):
        A2 = rng.uniform(0.02, 0.98, size=(1, m))
        Y = rng.random((1, m)) < 0.5
        for labels, kind in ((Y, "bool"), (Y.astype(int), "int")):
            expected = ref.compute_cost(A2, labels)
            y = Y.astype(float)
            per_example = -(y * np.log(A2) + (1 - y) * np.log(1 - A2))
            mistakes = [(expected * m, "divide the sum by m, the number of examples (missing 1/m).", Cause.MISSING_MEAN),
                        (-expected, "the cross-entropy has a minus sign in front: -(1/m) * sum(...).", Cause.SIGN_FLIPPED),
                        (float(np.mean(-y * np.log(A2))), "add the (1 - Y) * log(1 - A2) term for the 0 labels.",
                                                          Cause.MISSING_NEGATIVE_TERM),
                        (float(np.sum(per_example) / A2.size ** 2), "divide by m once.", Cause.DOUBLE_MEAN)]
            check_float("compute_cost", f"compute_cost for m = {m} and {kind} labels", student.call("compute_cost", A2, labels),
                        expected, mistakes=mistakes if m > 1 else mistakes[1:])


# --- backward_propagation ---------------------------------------------------------------


def reference_grads(ref, c, activation):
    _, cache = ref.forward_propagation(c.X, c.parameters, activation)
    return cache, ref.backward_propagation(c.parameters, cache, c.X, c.Y, activation)


@graded(1, "backward_propagation", public=True)
def test_backward_propagation_public(student, public, ref):
    """backward_propagation: the notebook's visible test"""
    public.test_backward_propagation(student.function("backward_propagation", proxies=swaps.activation_backwards(ref)))


@graded(1, "backward_propagation")
def test_backward_propagation_shapes(student, ref):
    """backward_propagation: gradients shaped like the parameters, pointing uphill"""
    for c in cases():
        cache, _ = reference_grads(ref, c, "tanh")
        grads = student.call("backward_propagation", c.parameters, cache, c.X, c.Y,
                             proxies=swaps.activation_backwards(ref))
        check_dict("backward_propagation", "the gradients", grads, ("dW1", "db1", "dW2", "db2"))
        got = {key: as_array("backward_propagation", f"d{key} for {c.label}", grads["d" + key], c.parameters[key].shape)
               for key in PARAMETER_KEYS}
        # A gradient points uphill: a small step against it must lower the cost (for any correct formula).
        before = ref.compute_cost(cache["A2"], c.Y)
        norm = np.sqrt(sum(float(np.sum(g ** 2)) for g in got.values()))
        step = {key: c.parameters[key] - 1e-4 / max(norm, 1e-12) * got[key] for key in PARAMETER_KEYS}
        after = ref.compute_cost(ref.forward_propagation(c.X, step)[0], c.Y)
        if not after < before:
            fail("backward_propagation", f"for {c.label}, a small step against your gradients does not lower the cost "
                                         f"({before:.10f} before, {after:.10f} after); gradients point uphill.",
                 "dZ2 = A2 - Y, and every gradient is averaged over the m examples; all-zero or sign-flipped gradients "
                 "cannot train the network.", cause=Cause.SIGN_FLIPPED if after > before else Cause.CONSTANT_RESULT)


@pytest.mark.parametrize("activation", each_activation(1, "backward_propagation"))
def test_backward_propagation_values(activation, student, ref):
    """backward_propagation: values with activation={activation!r}"""
    for c in cases():
        cache, expected = reference_grads(ref, c, activation)
        grads = student.call("backward_propagation", c.parameters, cache, c.X, c.Y, *activation_args(activation),
                             proxies=swaps.activation_backwards(ref))
        check_dict("backward_propagation", "the gradients", grads, ("dW1", "db1", "dW2", "db2"))
        m = c.X.shape[1]
        tanh_used = ref.backward_propagation(c.parameters, cache, c.X, c.Y, "tanh")
        dZ1_one_minus_A = (c.parameters["W2"].T @ (cache["A2"] - c.Y)) * (1 - cache["A1"])
        for key in ("dW2", "db2", "dW1", "db1"):
            mistakes = [(expected[key] * m, "divide by m, the number of examples (missing 1/m).", Cause.MISSING_MEAN),
                        (-expected[key], "dZ2 = A2 - Y (not Y - A2).", Cause.DZ2_REVERSED)]
            if key in ("dW1", "db1"):
                if activation != "tanh":
                    mistakes.append((tanh_used[key], f"dZ1 must use the backward pass of the hidden activation "
                                                     f"({activation}_backward), not tanh's.", Cause.WRONG_ACTIVATION))
                else:
                    wrong = dZ1_one_minus_A @ c.X.T / m if key == "dW1" else np.sum(dZ1_one_minus_A, axis=1, keepdims=True) / m
                    mistakes.append((wrong, "the tanh derivative is 1 - A1**2: you used 1 - A1.",
                                     Cause.TANH_DERIVATIVE_ONE_MINUS_A))
            check_array("backward_propagation", f"{key}{with_activation(activation)} for {c.label}", grads[key],
                        expected[key], mistakes=mistakes)


@graded(1, "backward_propagation")
def test_backward_propagation_numerical_default(student, ref):
    """backward_propagation: matches centered differences of the cost, default activation (tanh)"""
    check_against_centered_differences(student, ref, ("tanh",))


@graded(1, "backward_propagation")
def test_backward_propagation_numerical(student, ref):
    """backward_propagation: matches centered differences of the cost, the other activations"""
    check_against_centered_differences(student, ref, [a for a in ACTIVATIONS if a != "tanh"])


def check_against_centered_differences(student, ref, activations) -> None:
    for activation in activations:
        for c in (case(71, 2, 3, 6, off_kink=True), case(72, 3, 5, 11, off_kink=True, int_labels=True)):
            def cost(parameters, c=c, activation=activation):
                return ref.compute_cost(ref.forward_propagation(c.X, parameters, activation)[0], c.Y)
            numerical = parameter_gradients(cost, c.parameters, epsilon=1e-6)
            _, cache = ref.forward_propagation(c.X, c.parameters, activation)
            grads = student.call("backward_propagation", c.parameters, cache, c.X, c.Y, *activation_args(activation),
                                 proxies=swaps.activation_backwards(ref))
            check_dict("backward_propagation", "the gradients", grads, ("dW1", "db1", "dW2", "db2"))
            got = [as_array("backward_propagation", f"d{k} for {c.label}", grads["d" + k], c.parameters[k].shape)
                   for k in PARAMETER_KEYS]
            error = relative_error(np.concatenate([g.ravel() for g in got]),
                                   np.concatenate([numerical["d" + k].ravel() for k in PARAMETER_KEYS]))
            if error < 1e-7:
                continue
            m = c.X.shape[1]
            for k, g in zip(PARAMETER_KEYS, got):
                check_array("backward_propagation", f"d{k}{with_activation(activation)} for {c.label} "
                            f"(against centered differences of the cost; overall relative error {error:.1e})",
                            g, numerical["d" + k], rtol=1e-4, atol=1e-7,
                            mistakes=[(numerical["d" + k] * m, "divide by m, the number of examples (missing 1/m).",
                                       Cause.MISSING_MEAN)])
            fail("backward_propagation", f"{with_activation(activation).strip()} the gradients differ from centered "
                 f"differences of the cost by a relative error of {error:.1e}; the limit is 1e-7.")


# --- update_parameters ------------------------------------------------------------------


@graded(1, "update_parameters", public=True)
def test_update_parameters_public(student, public):
    """update_parameters: the notebook's visible test"""
    public.test_update_parameters(student.function("update_parameters"))


@graded(2, "update_parameters")
def test_update_parameters_values(student, ref):
    """update_parameters: the default and other learning rates"""
    for c, rate in zip(cases(), (None, 0.01, 3.5, 0.7)):
        _, grads = reference_grads(ref, c, "relu")
        used = 1.2 if rate is None else rate
        expected = ref.update_parameters(c.parameters, grads, used)
        if rate is None:
            got = student.call("update_parameters", c.parameters, grads)
        else:
            got = student.call("update_parameters", c.parameters, grads, learning_rate=rate)
        check_dict("update_parameters", "the result", got, PARAMETER_KEYS)
        for key in PARAMETER_KEYS:
            mistakes = [(c.parameters[key] + used * grads["d" + key], "subtract the gradient (descent), do not add it.",
                                                                      Cause.GRADIENT_ASCENT),
                        (c.parameters[key] - 1.2 * grads["d" + key], "use the learning_rate argument, not a fixed 1.2.",
                                                                     Cause.FIXED_LEARNING_RATE),
                        (c.parameters[key] - grads["d" + key], "multiply the gradient by the learning rate.",
                                                               Cause.LEARNING_RATE_IGNORED)]
            check_array("update_parameters", f"{key} with learning_rate={used} for {c.label}", got[key], expected[key],
                        mistakes=mistakes if used != 1.2 else mistakes[:1] + mistakes[2:])


# --- predict ----------------------------------------------------------------------------


@graded(1, "predict", public=True)
def test_predict_public(student, public, ref):
    """predict: the notebook's visible test"""
    public.test_predict(student.function("predict", proxies={"forward_propagation": ref.forward_propagation}))


def check_predictions(student, ref, activation: str) -> None:
    proxies = {"forward_propagation": ref.forward_propagation}
    for c in cases():
        A2, _ = ref.forward_propagation(c.X, c.parameters, activation)
        got = student.call("predict", c.parameters, c.X, *activation_args(activation), proxies=proxies)
        where = f"the predictions{with_activation(activation)} for {c.label}"
        values = as_array("predict", where, got, A2.shape)
        if not np.isin(values, (0.0, 1.0)).all():
            odd = values[~np.isin(values, (0.0, 1.0))][0]
            fail("predict", f"{where} should be 0/1 (or False/True); got values such as {odd:.6g}.",
                 "threshold the probabilities: predictions = A2 > 0.5.", Cause.WRONG_THRESHOLD)
        tanh_predictions = ref.forward_propagation(c.X, c.parameters)[0] > 0.5
        mistakes = [(tanh_predictions, "pass the activation on to forward_propagation (these are the tanh predictions).",
                     Cause.ACTIVATION_NOT_PASSED)] if activation != "tanh" else []
        check_array("predict", where, values, A2 > 0.5, "predict 1 where A2 > 0.5 and 0 elsewhere.", mistakes=mistakes)


@graded(1, "predict")
def test_predict_default(student, ref):
    """predict: 1 (or True) exactly where A2 > 0.5, with the default activation (tanh)"""
    check_predictions(student, ref, "tanh")


@graded(1, "predict")
def test_predict_activations(student, ref):
    """predict: the other activations, passed on to forward_propagation"""
    for activation in ACTIVATIONS:
        if activation != "tanh":
            check_predictions(student, ref, activation)
