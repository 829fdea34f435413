"""The named causes a failed check can report, each with a stable identifier.

A check that recognises a mistake raises its failure with one of these names (the
visible tests' `fail(..., cause=...)` and mistakes given as (wrong value, explanation,
cause)); it travels into results.json as the test's ``extra_data.cause``, so a class
report can count causes without reading any message text. Names never change meaning;
new mistakes get new names.
"""

from __future__ import annotations


# What the student's code did instead of answering (set by the grading engine).
RUNTIME = {
    "not_written": "the function is still the stub (NotImplementedError)",
    "not_defined": "the function is not defined in the submission",
    "raised": "the function raised an exception",
    "timeout": "the call did not finish in time",
    "crash": "the call ended the worker process",
    "memory": "the call ran out of memory",
    "recursion": "the function recursed without end",
    "unreadable_result": "the function returned something that cannot be graded",
    "unreadable": "the submission could not be read",
    "budget": "the submission used up its total grading time",
    "grader_error": "the grader itself failed (not the student's fault)",
    "signature": "the function's signature differs from the assignment's",
    "callback_refused": "the function handed a reference function arguments no correct code sends",
    "callback_limit": "the function called reference functions far more, or far longer, than it needs",
    "depends_on_failed": "a function this check relies on fails its own checks",
}

# Mistakes the checks recognise in values and shapes.
MISTAKES = {
    "no_keepdims": "a sum over axis 1 without keepdims=True",
    "flat_array": "a flat (1-D) array where a column or row is expected (a sum without keepdims, np.zeros(n))",
    "transposed": "an array whose shape is the expected one reversed (a product in the wrong order, a stray .T)",
    "missing_mean": "missing 1/m (sum instead of mean)",
    "double_mean": "divided by m twice",
    "sign_flipped": "the sign is flipped",
    "missing_negative_term": "the (1 - Y) log(1 - A) term is missing",
    "wrong_activation": "a fixed activation instead of the one the argument names",
    "activation_not_passed": "the activation argument is not passed on",
    "learning_rate_not_passed": "the learning_rate argument is not used or not passed on",
    "missing_bias": "a bias is missing",
    "z_instead_of_a": "the pre-activation Z used where the activation A belongs",
    "no_output_sigmoid": "the output unit's sigmoid is missing",
    "tanh_derivative_one_minus_a": "tanh' taken as 1 - A instead of 1 - A**2",
    "tanh_derivative_of_z": "tanh' taken as 1 - Z**2",
    "upstream_gradient_dropped": "dZ = g'(Z) without multiplying by dA",
    "derivative_is_forward": "the derivative taken as the function itself",
    "derivative_of_a_not_z": "g' applied to the wrong array",
    "sigmoid_sign": "sigmoid with exp(Z) instead of exp(-Z)",
    "tanh_squared": "tanh(Z) squared",
    "relu_min": "np.minimum instead of np.maximum",
    "relu_abs": "|Z| instead of max(0, Z)",
    "dz2_reversed": "dZ2 = Y - A2 instead of A2 - Y",
    "gradient_ascent": "adding the gradient (ascent) instead of subtracting it",
    "fixed_learning_rate": "a fixed 1.2 instead of the learning_rate argument",
    "learning_rate_ignored": "the gradient not multiplied by the learning rate",
    "modified_in_place": "the input arrays modified in place",
    "weights_not_scaled": "random weights not scaled by 0.01",
    "zero_weights": "weights initialised to zeros (every hidden unit the same)",
    "draw_order": "W2 drawn before W1",
    "reseeded": "numpy reseeded inside initialize_parameters",
    "not_seeded": "nn_model does not call np.random.seed(3)",
    "wrong_iterations": "the loop does not run num_iterations times",
    "wrong_default": "a parameter's default differs from the assignment's",
    "no_initialize": "nn_model does not call initialize_parameters",
    "initial_parameters_returned": "the initial parameters returned instead of the trained ones",
    "not_relu_network": "the trained model is not a ReLU network (the activation argument is ignored)",
    "wrong_threshold": "predictions not thresholded at A2 > 0.5",
    "counts_points": "counting points instead of distinct patterns",
    "counts_all_patterns": "counting all 2**n patterns instead of those that occur",
    "bias_not_through_w2": "b1 not passed through W2 in the collapsed bias",
    "transposed_product": "W = (W2 @ W1).T",
    "epsilon_ignored": "the epsilon argument is ignored",
    "missed_bug": "a planted gradient bug goes unnoticed",
    "not_a_float": "a number returned as something other than a Python float",
    "constant_result": "the same result whatever the input",
}

ALL = {**RUNTIME, **MISTAKES}


def describe(cause: str | None) -> str:
    """A readable line for a cause name; unknown or missing names say so."""
    if cause is None:
        return "no diagnosis"
    return ALL.get(cause, cause.replace("_", " "))
