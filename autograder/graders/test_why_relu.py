"""Why ReLU beats linear: gradient checking, the linear collapse, counting regions, interpolation."""

from __future__ import annotations

import numpy as np

from autograder.engine.checks import as_array, check_array, check_dict, check_float, check_int, check_pair, fail
from autograder.engine.markers import graded
from autograder.engine.numeric import PARAMETER_KEYS
from autograder.graders.cases import ACTIVATIONS, activation_args, case
from autograder.results.causes import Cause


# --- gradient_check -------------------------------------------------------------------------


def blocks(ref, backward=None) -> dict:
    """The three functions gradient_check looks up, from the reference; `backward` replaces the last."""
    return {"forward_propagation": ref.forward_propagation, "compute_cost": ref.compute_cost,
            "backward_propagation": backward or ref.backward_propagation}


def planted(ref, key: str, change):
    """A reference backward pass with one gradient array changed: the bug gradient_check must catch."""
    correct = ref.backward_propagation  # taken now: `_reference_difference` swaps the module's name for this one

    def backward_propagation(parameters, cache, X, Y, activation="tanh"):
        grads = dict(correct(parameters, cache, X, Y, activation))
        grads[key] = change(grads[key])
        return grads
    return backward_propagation


def difference(student, ref, c, activation, backward=None, **kwargs) -> float:
    got = student.call("gradient_check", c.parameters, c.X, c.Y, *activation_args(activation), proxies=blocks(ref, backward),
                       **kwargs)
    if isinstance(got, bool) or not isinstance(got, float):
        fail("gradient_check", f"should return a Python float; got {type(got).__name__}.", "wrap it: float(difference).")
    return got


# Small networks, because each centered difference is two calls of the swapped-in forward pass and cost, each a
# round trip to the grader: 9 and 6 parameters (two units and two features, one unit and three features).
SMALL = (case(81, 2, 2, 5, off_kink=True), case(82, 3, 1, 8, off_kink=True, int_labels=True))


@graded(1, "gradient_check", public=True)
def test_gradient_check_public(student, public, ref):
    """gradient_check: the notebook's visible test"""
    data = public.EXPECTED
    X, Y = np.array(data["backward_X"]), np.array(data["backward_Y"])
    parameters = {k: np.array(v) for k, v in data["backward_parameters"].items()}
    for activation in ("tanh", "sigmoid"):
        value = student.call("gradient_check", parameters, X, Y, *activation_args(activation), proxies=blocks(ref))
        if isinstance(value, bool) or not isinstance(value, float):
            fail("gradient_check", f"should return a Python float; got {type(value).__name__}.", "wrap it: float(difference).")
        if not value < 1e-7:
            fail("gradient_check", f"with activation={activation!r} returned {value:.3e}; a correct backward pass "
                                   "should give less than 1e-7.",
                 "check the centered difference (J(theta + eps) - J(theta - eps)) / (2 * eps) and that you restore "
                 "each parameter after nudging it.")
    value = student.call("gradient_check", parameters, X, Y,
                         proxies=blocks(ref, planted(ref, "db1", lambda g: g * 2)))
    if not value > 1e-3:
        fail("gradient_check", f"did not notice a backward pass with a doubled db1 (returned {value:.3e}).",
             "call backward_propagation by name inside gradient_check and compare all four gradient arrays.")


@graded(2, "gradient_check")
def test_gradient_check_correct(student, ref):
    """gradient_check: tiny for a correct backward pass and large for a wrong one, every activation"""
    for i, activation in enumerate(ACTIVATIONS):
        c = SMALL[i % 2]  # the two networks take turns
        value = difference(student, ref, c, activation)
        if not value < 1e-7:
            fail("gradient_check", f"with a correct backward pass, activation={activation!r} and {c.label}, "
                                   f"returned {value:.3e}; expected less than 1e-7.",
                 "nudge one parameter entry at a time by +epsilon and -epsilon on a copy, restore it, and use "
                 "compute_cost(forward_propagation(X, shifted, activation)[0], Y).")
        # "Tiny" only means something if a wrong backward pass is not tiny too.
        wrong = difference(student, ref, SMALL[0], activation, planted(ref, "dW2", lambda g: g * 1.5))
        if not wrong > 1e-3:
            fail("gradient_check", f"with activation={activation!r} it returned {value:.3e} for a correct backward pass "
                                   f"and {wrong:.3e} for one whose dW2 is 1.5 times too large: it does not tell them apart.",
                 "compute g_approx by centered differences of the cost and return "
                 "norm(g - g_approx) / (norm(g) + norm(g_approx)); a fixed value cannot check anything.",
                 cause=Cause.MISSED_BUG)


@graded(2, "gradient_check")
def test_gradient_check_planted_bugs(student, ref):
    """gradient_check: large for a bug planted in any one gradient array"""
    c = SMALL[0]
    changes = (("shifted by 0.1", lambda g: g + 0.1), ("with its sign flipped", lambda g: -g))
    for i, key in enumerate(("dW1", "db1", "dW2", "db2")):
        description, change = changes[i % 2]  # each kind of bug, in two of the arrays
        backward = planted(ref, key, change)
        value = difference(student, ref, c, "tanh", backward)
        if not value > 1e-3:
            reference = _reference_difference(ref, c, "tanh", backward)
            fail("gradient_check", f"did not notice a backward pass whose {key} is {description} "
                                   f"(returned {value:.3e}; expected about {reference:.3e}).",
                 "compare all four gradient arrays (dW1, db1, dW2, db2), in the order W1, b1, W2, b2.")


def _reference_difference(ref, c, activation, backward, epsilon=1e-7):
    """What the reference gradient_check returns when `backward` is swapped in."""
    saved = ref.backward_propagation
    ref.backward_propagation = backward
    try:
        return ref.gradient_check(c.parameters, c.X, c.Y, activation, epsilon)
    finally:
        ref.backward_propagation = saved


@graded(1, "gradient_check")
def test_gradient_check_formula(student, ref):
    """gradient_check: honours epsilon and returns ‖g − g_approx‖ / (‖g‖ + ‖g_approx‖)"""
    for activation, epsilon in zip(ACTIVATIONS, (1e-2, 3e-2, 1e-2, 5e-2)):  # each 40x above a tiny step's value
        c = SMALL[1]
        value = difference(student, ref, c, activation, epsilon=epsilon)
        expected = ref.gradient_check(c.parameters, c.X, c.Y, activation, epsilon)
        if value < expected / 100:  # as small as a tiny default step gives: the argument was not used
            fail("gradient_check", f"with epsilon={epsilon} and activation={activation!r} returned {value:.3e}; "
                                   f"expected {expected:.6e}, which a step this large gives.",
                 "nudge each parameter by the epsilon argument, not a fixed step.", cause=Cause.EPSILON_IGNORED)
        check_float("gradient_check", f"with epsilon={epsilon} and activation={activation!r}", value, expected,
                    "use the epsilon argument for the centered differences, and return "
                    "norm(g - g_approx) / (norm(g) + norm(g_approx)).", rtol=1e-5)


# --- collapse_linear ----------------------------------------------------------------------


@graded(1, "collapse_linear", public=True)
def test_collapse_linear_public(student, public):
    """collapse_linear: the notebook's visible test"""
    public.test_collapse_linear(student.function("collapse_linear"))


@graded(2, "collapse_linear")
def test_collapse_linear_identity(student, ref):
    """collapse_linear: sigmoid(W @ X + b) equals the linear network, for any layer"""
    for seed, (n_x, n_h, m) in zip((91, 92, 93), ((2, 1, 9), (3, 4, 12), (5, 50, 30))):
        c = case(seed, n_x, n_h, m)
        W, b = check_pair("collapse_linear", "the result", student.call("collapse_linear", c.parameters))
        P = c.parameters
        W = as_array("collapse_linear", f"W for {c.label}", W, (1, n_x))
        b = as_array("collapse_linear", f"b for {c.label}", b, (1, 1))
        network = ref.forward_propagation(c.X, P, "linear")[0]
        check_array("collapse_linear", f"sigmoid(W @ X + b) against the linear network for {c.label}",
                    ref.sigmoid(W @ c.X + b), network, "W = W2 @ W1 and b = W2 @ b1 + b2.", rtol=1e-9, atol=1e-12,
                    mistakes=[(ref.sigmoid(P["W2"] @ P["W1"] @ c.X + P["b2"]),
                               "b1 also reaches the output, through W2: b = W2 @ b1 + b2.", Cause.BIAS_NOT_THROUGH_W2),
                              (ref.sigmoid(P["W2"] @ P["W1"] @ c.X + P["b1"].sum() + P["b2"]),
                               "b1 passes through W2: b = W2 @ b1 + b2, not b1 summed.", Cause.BIAS_NOT_THROUGH_W2)])


# --- count_linear_regions -----------------------------------------------------------------


@graded(1, "count_linear_regions", public=True)
def test_count_linear_regions_public(student, public):
    """count_linear_regions: the notebook's visible test"""
    public.test_count_linear_regions(student.function("count_linear_regions"))


@graded(2, "count_linear_regions")
def test_count_linear_regions_random(student, ref):
    """count_linear_regions: random layers over grids and scattered points"""
    rng = np.random.default_rng(17)
    xs = np.linspace(-3, 3, 41)
    grid = np.array(np.meshgrid(xs, xs)).reshape(2, -1)
    for n_h, n_x in ((1, 2), (3, 2), (6, 2), (8, 2), (4, 3), (10, 5)):
        W1, b1 = rng.normal(size=(n_h, n_x)), rng.normal(size=(n_h, 1))
        X = grid if n_x == 2 else rng.normal(size=(n_x, 500)) * 2
        expected = ref.count_linear_regions(W1, b1, X)
        got = student.call("count_linear_regions", W1, b1, X)
        where = f"{n_h} units on {'a 41 x 41 grid' if n_x == 2 else f'{X.shape[1]} points in {n_x} dimensions'}"
        mistakes = [(X.shape[1], "count distinct patterns, not points: np.unique(patterns, axis=1) or a set of columns.",
                                 Cause.COUNTS_POINTS),
                    (2 ** n_h, "count the patterns that actually occur over the columns of X, not all 2**n_h.",
                               Cause.COUNTS_ALL_PATTERNS)]
        check_int("count_linear_regions", where, got, expected, mistakes=[mk for mk in mistakes if mk[0] != expected])


# --- relu_interpolant -----------------------------------------------------------------------


@graded(1, "relu_interpolant", public=True)
def test_relu_interpolant_public(student, public):
    """relu_interpolant: the notebook's visible test"""
    public.test_relu_interpolant(student.function("relu_interpolant"))


@graded(2, "relu_interpolant")
def test_relu_interpolant_random(student):
    """relu_interpolant: random knots, evaluated everywhere between the first and the last"""
    rng = np.random.default_rng(29)
    for n in (1, 2, 5, 12, 30):
        x_knots = -2.0 + np.cumsum(rng.uniform(0.05, 1.5, size=n + 1))
        y_knots = rng.normal(size=n + 1) * 3
        params = student.call("relu_interpolant", x_knots, y_knots)
        check_dict("relu_interpolant", "the result", params, PARAMETER_KEYS)
        P = {key: as_array("relu_interpolant", f"{key} for {n + 1} knots", params[key], shape)
             for key, shape in (("W1", (n, 1)), ("b1", (n, 1)), ("W2", (1, n)), ("b2", (1, 1)))}
        x = np.union1d(np.linspace(x_knots[0], x_knots[-1], 2001), x_knots).reshape(1, -1)
        out = P["W2"] @ np.maximum(0, P["W1"] @ x + P["b1"]) + P["b2"]
        scale = max(1.0, float(np.abs(y_knots).max()))
        check_array("relu_interpolant", f"the network's output on [{x_knots[0]:.3f}, {x_knots[-1]:.3f}] for {n + 1} "
                                        "random knots", out, np.interp(x, x_knots, y_knots),
                    "unit i can switch on at knot i (W1 = 1, b1 = -x_i); its output weight is the change of slope "
                    "there, and b2 is the first knot's value.", rtol=1e-7, atol=1e-8 * scale)
