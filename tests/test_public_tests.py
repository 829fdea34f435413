"""The visible tests students run: they pass on the reference and explain typical bugs."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import public_tests
import pytest

from autograder.course.paths import SOLUTION_FILE


PAIRED = {"linear", "sigmoid", "tanh", "relu"}


def run_public(test_name, functions):
    target = test_name.removeprefix("test_")
    args = [functions[target]] + ([functions[target + "_backward"]] if target in PAIRED else [])
    getattr(public_tests, test_name)(*args)


def reference_functions(ref):
    return {name: getattr(ref, name) for name in dir(ref) if not name.startswith("_")}


@pytest.mark.parametrize("test_name", public_tests.__all__)
def test_visible_test_passes_on_the_reference(ref, test_name, capsys):
    run_public(test_name, reference_functions(ref))
    assert capsys.readouterr().out.startswith("All tests passed for ")


def failure(ref, test_name, **replacements):
    functions = reference_functions(ref)
    functions.update(replacements)
    with pytest.raises(AssertionError) as raised:
        run_public(test_name, functions)
    return str(raised.value)


def test_tanh_backward_with_one_minus_a_is_named(ref):
    message = failure(ref, "test_tanh", tanh_backward=lambda dA, Z: dA * (1 - np.tanh(Z)))
    assert message.startswith("tanh_backward: tanh_backward(dA, Z) is wrong at index (0, 0): expected 0.021195247, got")
    assert "you used 1 - A instead of 1 - A**2" in message


def test_missing_one_over_m_in_the_cost_is_named(ref):
    def cost(A2, Y):
        Y = np.asarray(Y, dtype=float)
        return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))

    message = failure(ref, "test_compute_cost", compute_cost=cost)
    assert "expected 0.6930587610, got 2.0791762831" in message and "missing 1/m" in message


def test_cost_returned_as_an_array_is_explained(ref):
    message = failure(ref, "test_compute_cost", compute_cost=lambda A2, Y: np.array(ref.compute_cost(A2, Y)))
    assert "should return a Python float; got ndarray" in message and "float(cost)" in message


def test_backward_without_keepdims_is_named(ref):
    def backward(parameters, cache, X, Y, activation="tanh"):
        grads = ref.backward_propagation(parameters, cache, X, Y, activation)
        return {**grads, "db1": grads["db1"].ravel()}

    message = failure(ref, "test_backward_propagation", backward_propagation=backward)
    assert "db1 has shape (4,); expected (4, 1)." in message and "keepdims=True" in message


def test_backward_missing_one_over_m_is_named(ref):
    def backward(parameters, cache, X, Y, activation="tanh"):
        grads = ref.backward_propagation(parameters, cache, X, Y, activation)
        return {k: v * X.shape[1] for k, v in grads.items()}

    assert "missing 1/m" in failure(ref, "test_backward_propagation", backward_propagation=backward)


def test_backward_that_ignores_the_activation_is_explained(ref):
    def backward(parameters, cache, X, Y, activation="tanh"):
        return ref.backward_propagation(parameters, cache, X, Y)

    message = failure(ref, "test_backward_propagation", backward_propagation=backward)
    assert "with activation='relu'" in message and "relu_backward" in message


def test_gradient_ascent_is_named(ref):
    def ascent(parameters, grads, learning_rate=1.2):
        return {k: parameters[k] + learning_rate * grads["d" + k] for k in parameters}

    assert "descent), do not add it (ascent)" in failure(ref, "test_update_parameters", update_parameters=ascent)


def test_update_in_place_is_caught(ref):
    def in_place(parameters, grads, learning_rate=1.2):
        for key in parameters:
            parameters[key] -= learning_rate * grads["d" + key]
        return parameters

    assert "modified in place" in failure(ref, "test_update_parameters", update_parameters=in_place)


def test_forward_that_ignores_the_activation_is_explained(ref):
    def forward(X, parameters, activation="tanh"):
        return ref.forward_propagation(X, parameters)

    message = failure(ref, "test_forward_propagation", forward_propagation=forward)
    assert "cache['A1'] with activation='relu'" in message


def test_predict_that_drops_the_activation_is_named(ref):
    message = failure(ref, "test_predict", predict=lambda parameters, X, activation="tanh": ref.predict(parameters, X))
    assert "these are the tanh predictions" in message


def test_nn_model_ignoring_the_learning_rate_is_explained(ref):
    def model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh", learning_rate=1.2):
        return ref.nn_model(X, Y, n_h, num_iterations, print_cost, activation)

    assert "learning_rate to update_parameters" in failure(ref, "test_nn_model", nn_model=model)


def test_count_of_points_instead_of_patterns_is_named(ref):
    message = failure(ref, "test_count_linear_regions", count_linear_regions=lambda W1, b1, X: X.shape[1])
    assert "count distinct patterns, not points" in message


def test_collapse_without_the_first_bias_is_named(ref):
    message = failure(ref, "test_collapse_linear", collapse_linear=lambda p: (p["W2"] @ p["W1"], p["b2"]))
    assert "b1 also reaches the output" in message


def test_interpolant_of_the_wrong_shape_is_explained(ref):
    def interpolant(x_knots, y_knots):
        p = ref.relu_interpolant(x_knots, y_knots)
        return {**p, "W2": p["W2"].T}

    message = failure(ref, "test_relu_interpolant", relu_interpolant=interpolant)
    assert "W2 has shape (2, 1); expected (1, 2)." in message and "reversed" in message


def test_gradient_check_that_ignores_the_backward_pass_is_caught(ref):
    constant = types.FunctionType((lambda *args, **kwargs: 0.0).__code__, vars(ref))  # lives beside backward_propagation
    assert "did not notice" in failure(ref, "test_gradient_check", gradient_check=constant)


def test_a_list_instead_of_an_array_is_explained(ref):
    message = failure(ref, "test_relu", relu=lambda Z: np.maximum(0, Z).tolist())
    assert message.startswith("relu: relu(Z) is a Python list; expected a numpy array of shape (2, 3).")


def test_every_visible_failure_gives_the_finding_then_the_cause_in_its_first_two_lines(public):
    """On every mutant, each visible test's failure reads: "<function>: <what is wrong>", then the hint (when the
    test knows a likely cause), and only after those the arrays."""
    sys.path.insert(0, str(Path(__file__).parent / "submissions"))
    from mutants import MUTANTS, apply
    from notebook_runs import visible_failures

    reference = SOLUTION_FILE.read_text()
    seen, with_hint = 0, 0
    for mutant in MUTANTS:
        for function, message in visible_failures(apply(reference, mutant), public).items():
            if message is None or message.startswith(("NameError", "TypeError")):
                continue
            lines = message.splitlines()
            assert ": " in lines[0] and not lines[0].strip().startswith(("expected", "got", "[")), (mutant.name, lines)
            assert "Hint:" not in "\n".join(lines[2:]), (mutant.name, function, message)  # never after the arrays
            if "Hint:" in message:
                assert lines[1].strip().startswith("Hint:"), (mutant.name, function, message)
                with_hint += 1
            seen += 1
    assert seen > 30 and with_hint > 10


def test_the_signatures_the_visible_tests_know_are_the_assignments():
    """public_tests.py states how it calls each function and how the assignment declares it: never drifting from the
    reference solution's own signatures."""
    import inspect

    from autograder.course import modules

    ref = modules.reference()
    for name, (positional, named) in public_tests.SIGNATURES.items():
        signature = inspect.signature(getattr(ref, name))
        signature.bind(*positional, **{n: None for n in named})  # the reference takes the calls the tests make
        declared = str(signature)[1:-1].replace("'", '"')
        assert public_tests.DECLARED.get(name, ", ".join(positional)) == declared, name


def test_a_signature_the_tests_cannot_call_is_named_with_the_assignments_own():
    def compute_cost(A2, Y, parameters):
        return 0.0

    with pytest.raises(AssertionError) as failure:
        public_tests.test_compute_cost(compute_cost)
    lines = str(failure.value).splitlines()
    assert lines[0] == ("compute_cost: the tests call compute_cost(A2, Y), and yours is compute_cost(A2, Y, parameters), "
                        "which cannot be called that way.")
    assert lines[1].strip() == "Hint: keep the assignment's signature: def compute_cost(A2, Y):"


def test_a_failure_caused_by_a_function_it_relies_on_names_that_function():
    """In the notebook, forward_propagation with a wrong sigmoid fails; the hint names sigmoid, not the right code."""
    namespace = {}
    exec(SOLUTION_FILE.read_text().replace("A = 1 / (1 + np.exp(-Z))", "A = 1 / (1 + np.exp(Z))"), namespace)
    with pytest.raises(AssertionError) as failure:
        public_tests.test_forward_propagation(namespace["forward_propagation"])
    hint = str(failure.value).splitlines()[1].strip()
    assert hint == ("Hint: forward_propagation relies on sigmoid, which fails its own test above: fix sigmoid first, "
                    "and this test may then pass.")
    clean = {}
    exec(SOLUTION_FILE.read_text(), clean)
    public_tests.test_forward_propagation(clean["forward_propagation"])  # and nothing is blamed when all is right
