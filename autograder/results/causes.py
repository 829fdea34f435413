"""The named causes a failed check can report, each with a stable code.

A check that recognises a mistake fails with one of these codes (the visible tests'
`fail(..., cause="no_keepdims")` and mistakes given as (wrong value, explanation, cause));
it travels into results.json as the test's ``extra_data.cause``, so a class report can
count causes without reading any message text. Codes never change meaning; new mistakes
get new codes. `Cause` is a `str`, equal to its code.
"""

from __future__ import annotations

from enum import Enum


class Cause(str, Enum):
    """A stable cause code (the member's value) and what it means (`meaning`)."""

    meaning: str

    def __new__(cls, code: str, meaning: str) -> Cause:
        member = str.__new__(cls, code)
        member._value_ = code
        member.meaning = meaning
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, code: object) -> Cause | None:
        """The cause `code` names; None for None and for codes this version does not know."""
        try:
            return cls(code)
        except ValueError:
            return None

    # What the student's code did instead of answering (set by the grading engine).
    NOT_WRITTEN = ("not_written", "the function is still the stub (NotImplementedError)")
    NOT_DEFINED = ("not_defined", "the function is not defined in the submission")
    RAISED = ("raised", "the function raised an exception")
    TIMEOUT = ("timeout", "the call did not finish in time")
    CRASH = ("crash", "the call ended the worker process")
    MEMORY = ("memory", "the call ran out of memory")
    RECURSION = ("recursion", "the function recursed without end")
    UNREADABLE_RESULT = ("unreadable_result", "the function returned something that cannot be graded")
    UNREADABLE = ("unreadable", "the submission could not be read")
    BUDGET = ("budget", "the submission used up its total grading time")
    GRADER_ERROR = ("grader_error", "the grader itself failed (not the student's fault)")
    SIGNATURE = ("signature", "the function's signature differs from the assignment's")
    CALLBACK_REFUSED = ("callback_refused", "the function handed a reference function arguments no correct code sends")
    CALLBACK_LIMIT = ("callback_limit", "the function called reference functions far more, or far longer, than it needs")
    DEPENDS_ON_FAILED = ("depends_on_failed", "a function this check relies on fails its own checks")

    # Mistakes the checks recognise in values and shapes.
    NO_KEEPDIMS = ("no_keepdims", "a sum over axis 1 without keepdims=True")
    FLAT_ARRAY = ("flat_array", "a flat (1-D) array where a column or row is expected (a sum without keepdims, np.zeros(n))")
    TRANSPOSED = ("transposed", "an array whose shape is the expected one reversed (a product in the wrong order, a stray .T)")
    MISSING_MEAN = ("missing_mean", "missing 1/m (sum instead of mean)")
    DOUBLE_MEAN = ("double_mean", "divided by m twice")
    SIGN_FLIPPED = ("sign_flipped", "the sign is flipped")
    MISSING_NEGATIVE_TERM = ("missing_negative_term", "the (1 - Y) log(1 - A) term is missing")
    WRONG_ACTIVATION = ("wrong_activation", "a fixed activation instead of the one the argument names")
    ACTIVATION_NOT_PASSED = ("activation_not_passed", "the activation argument is not passed on")
    LEARNING_RATE_NOT_PASSED = ("learning_rate_not_passed", "the learning_rate argument is not used or not passed on")
    MISSING_BIAS = ("missing_bias", "a bias is missing")
    Z_INSTEAD_OF_A = ("z_instead_of_a", "the pre-activation Z used where the activation A belongs")
    NO_OUTPUT_SIGMOID = ("no_output_sigmoid", "the output unit's sigmoid is missing")
    TANH_DERIVATIVE_ONE_MINUS_A = ("tanh_derivative_one_minus_a", "tanh' taken as 1 - A instead of 1 - A**2")
    TANH_DERIVATIVE_OF_Z = ("tanh_derivative_of_z", "tanh' taken as 1 - Z**2")
    UPSTREAM_GRADIENT_DROPPED = ("upstream_gradient_dropped", "dZ = g'(Z) without multiplying by dA")
    DERIVATIVE_IS_FORWARD = ("derivative_is_forward", "the derivative taken as the function itself")
    DERIVATIVE_OF_A_NOT_Z = ("derivative_of_a_not_z", "g' applied to the wrong array")
    SIGMOID_SIGN = ("sigmoid_sign", "sigmoid with exp(Z) instead of exp(-Z)")
    TANH_SQUARED = ("tanh_squared", "tanh(Z) squared")
    RELU_MIN = ("relu_min", "np.minimum instead of np.maximum")
    RELU_ABS = ("relu_abs", "|Z| instead of max(0, Z)")
    DZ2_REVERSED = ("dz2_reversed", "dZ2 = Y - A2 instead of A2 - Y")
    GRADIENT_ASCENT = ("gradient_ascent", "adding the gradient (ascent) instead of subtracting it")
    FIXED_LEARNING_RATE = ("fixed_learning_rate", "a fixed 1.2 instead of the learning_rate argument")
    LEARNING_RATE_IGNORED = ("learning_rate_ignored", "the gradient not multiplied by the learning rate")
    MODIFIED_IN_PLACE = ("modified_in_place", "the input arrays modified in place")
    WEIGHTS_NOT_SCALED = ("weights_not_scaled", "random weights not scaled by 0.01")
    ZERO_WEIGHTS = ("zero_weights", "weights initialised to zeros (every hidden unit the same)")
    DRAW_ORDER = ("draw_order", "W2 drawn before W1")
    RESEEDED = ("reseeded", "numpy reseeded inside initialize_parameters")
    NOT_SEEDED = ("not_seeded", "nn_model does not call np.random.seed(3)")
    WRONG_ITERATIONS = ("wrong_iterations", "the loop does not run num_iterations times")
    WRONG_DEFAULT = ("wrong_default", "a parameter's default differs from the assignment's")
    NO_INITIALIZE = ("no_initialize", "nn_model does not call initialize_parameters")
    INITIAL_PARAMETERS_RETURNED = ("initial_parameters_returned", "the initial parameters returned instead of the trained ones")
    NOT_RELU_NETWORK = ("not_relu_network", "the trained model is not a ReLU network (the activation argument is ignored)")
    WRONG_THRESHOLD = ("wrong_threshold", "predictions not thresholded at A2 > 0.5")
    COUNTS_POINTS = ("counts_points", "counting points instead of distinct patterns")
    COUNTS_ALL_PATTERNS = ("counts_all_patterns", "counting all 2**n patterns instead of those that occur")
    BIAS_NOT_THROUGH_W2 = ("bias_not_through_w2", "b1 not passed through W2 in the collapsed bias")
    TRANSPOSED_PRODUCT = ("transposed_product", "W = (W2 @ W1).T")
    EPSILON_IGNORED = ("epsilon_ignored", "the epsilon argument is ignored")
    MISSED_BUG = ("missed_bug", "a planted gradient bug goes unnoticed")
    NOT_A_FLOAT = ("not_a_float", "a number returned as something other than a Python float")
    CONSTANT_RESULT = ("constant_result", "the same result whatever the input")


ALL = {cause.value: cause.meaning for cause in Cause}


def describe(cause: str | None) -> str:
    """A readable line for a cause code; unknown or missing codes say so."""
    if cause is None:
        return "no diagnosis"
    known = Cause.parse(cause)
    return known.meaning if known else str(cause).replace("_", " ")
