"""Reference functions the graders swap in for the student's, so each function is graded alone.

A swapped-in function runs here, in the grader process; the student's code calls it
through a proxy (see autograder.sandbox). A bug in relu therefore costs relu's checks
and not forward_propagation's, which is graded with the reference relu.
"""

from __future__ import annotations

from autograder.graders.cases import ACTIVATIONS


def activations(ref) -> dict:
    """The four forward activations and sigmoid (the output unit)."""
    return {name: getattr(ref, name) for name in ACTIVATIONS}


def activation_backwards(ref) -> dict:
    return {f"{name}_backward": getattr(ref, f"{name}_backward") for name in ACTIVATIONS}


def network(ref) -> dict:
    """Everything nn_model calls, except initialize_parameters (its seeding is nn_model's job)."""
    names = ("layer_sizes", "forward_propagation", "compute_cost", "backward_propagation", "update_parameters")
    return {name: getattr(ref, name) for name in names}


# The student's functions an end-to-end run of nn_model and predict relies on. Every activation is among them,
# whichever one the run uses: the notebook's hidden_activation looks the four (and their backward passes) up in
# one table, so a missing relu stops a tanh network too.
NETWORK_FUNCTIONS = ("layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
                     "backward_propagation", "update_parameters", "sigmoid",
                     *(f for name in ACTIVATIONS for f in (name, f"{name}_backward") if f != "sigmoid"))
