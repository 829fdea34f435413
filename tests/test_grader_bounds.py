"""Nothing a submission hands the grader's reference functions makes the grader itself run long or grow large.

Attacks written after reading the engine: calls of the swapped-in reference functions with arguments
no correct caller sends (a float16 network of thousands of units, which numpy multiplies without BLAS;
shapes that broadcast into an m x m array), and a flood of callbacks. Each ends its own call at once,
with a message that says what was sent; the rest of the submission keeps its points.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.sandbox import landlock


sys.path.insert(0, str(Path(__file__).parent / "submissions"))
import hostile  # noqa: E402


pytestmark = pytest.mark.skipif(landlock.abi_version() < 1, reason="Landlock is not available on this kernel")

def attack(tmp_path: Path, body_of: dict[str, str]) -> Path:
    path = tmp_path / "attack.py"
    path.write_text(hostile.grader_attack(body_of), encoding="utf-8")
    return path


def grade_measured(path: Path, out: Path, *options: str) -> tuple[float, int, dict]:
    """(wall seconds, the grading process's peak memory in MB, results.json) of `autograder grade PATH --budget 20`,
    run from a fresh process so the peak is this grade's."""
    script = ("import resource, subprocess, sys, time\n"
              "start = time.monotonic()\n"
              "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)\n"
              "print(time.monotonic() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n")
    done = subprocess.run([sys.executable, "-c", script, sys.executable, "-m", "autograder", "grade", str(path),
                           "--out", str(out), "--budget", "20", *options], capture_output=True, text=True, timeout=400)
    wall, peak = done.stdout.split()
    return float(wall), int(peak), json.loads((out / "results.json").read_text())


def failed(results: dict, function: str) -> list[dict]:
    return [t for t in results["tests"] if t["tags"][0] == function and t["status"] == "failed"]


def test_arguments_no_correct_caller_sends_are_refused_before_the_reference_runs(tmp_path):
    path = attack(tmp_path, {"predict": hostile.FLOAT16_NETWORK, "gradient_check": hostile.BROADCAST})
    _, peak_mb, results = grade_measured(path, tmp_path / "out", "--budget", "600")
    assert peak_mb < 1024, f"the grading process reached {peak_mb} MB"
    predict, check = failed(results, "predict"), failed(results, "gradient_check")
    assert predict and all(t["extra_data"]["cause"] == "callback_refused" for t in predict)
    assert "X of dtype float16" in predict[0]["output"] and "forward_propagation(X, parameters" in predict[0]["output"]
    assert check and any("A2 of shape (20000, 1)" in t["output"] for t in check)
    assert results["score"] == 68 - sum(t["max_score"] for t in predict + check)  # nothing else lost


@pytest.mark.parametrize("body_of", [{"predict": hostile.FLOAT16_NETWORK, "gradient_check": hostile.BROADCAST},
                                     {"gradient_check": hostile.FLOOD}], ids=["refused arguments", "a flood of callbacks"])
def test_with_a_budget_of_20_s_any_attack_ends_within_a_minute(tmp_path, body_of):
    """The budget counts the grader's answers too: past it every further call fails at once, saying why."""
    wall, peak_mb, results = grade_measured(attack(tmp_path, body_of), tmp_path / "out")
    assert wall < 60 and peak_mb < 1024, (wall, peak_mb)
    causes = {t["extra_data"]["cause"] for t in results["tests"] if t["status"] == "failed"}
    assert causes <= {"callback_refused", "callback_limit", "budget", "timeout"}, causes


def test_a_flood_of_callbacks_is_stopped_and_costs_only_its_function(tmp_path):
    path = attack(tmp_path, {"gradient_check": hostile.FLOOD})
    _, _, results = grade_measured(path, tmp_path / "out", "--budget", "600")
    check = failed(results, "gradient_check")
    assert check and all(t["extra_data"]["cause"] == "callback_limit" for t in check)
    assert "more than 10,000 times and was stopped there" in check[0]["output"]
    assert results["score"] == 68 - sum(t["max_score"] for t in check)


def test_the_contracts_accept_what_the_reference_itself_sends_and_refuse_what_breaks_them(ref):
    """Every rule against the reference's own calls (a correct caller must never be refused), and against calls that
    break it (the check must fail a caller that does no such thing correctly)."""
    import numpy as np

    from autograder.engine import contracts

    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(2, 7)), rng.random((1, 7)) > 0.5
    parameters = ref.initialize_parameters(2, 3, 1)
    A2, cache = ref.forward_propagation(X, parameters, "relu")
    grads = ref.backward_propagation(parameters, cache, X, Y, "relu")
    Z = rng.normal(size=(3, 7))
    good = {"forward_propagation": (X, parameters, "relu"), "predict": (parameters, X, "relu"), "compute_cost": (A2, Y),
            "backward_propagation": (parameters, cache, X, Y, "relu"), "update_parameters": (parameters, grads, 0.5),
            "layer_sizes": (X, Y), "initialize_parameters": (2, 3, 1), "collapse_linear": (parameters,),
            "gradient_check": (parameters, X, Y, "relu"), "count_linear_regions": (parameters["W1"], parameters["b1"], X),
            "relu_interpolant": (np.linspace(0, 1, 5), np.linspace(0, 1, 5) ** 2),
            **{name: (Z,) for name in ("linear", "sigmoid", "tanh", "relu")},
            **{f"{name}_backward": (Z, Z) for name in ("linear", "sigmoid", "tanh", "relu")}}
    assert set(good) == set(contracts.RULES)
    for name, args in good.items():
        assert contracts.problem(name, getattr(ref, name), args, {}, 10_000) is None, name
    bad = {"forward_propagation": (X.astype(np.float16), parameters), "predict": (parameters, X.T),
           "compute_cost": (A2.T, Y), "backward_propagation": (parameters, {**cache, "Z1": cache["Z1"].T}, X, Y),
           "update_parameters": (parameters, {**grads, "dW1": grads["dW1"][:1]}), "layer_sizes": (X, Y[:, :3]),
           "initialize_parameters": (2, 10_000, 1), "collapse_linear": ({**parameters, "b1": np.zeros((5, 1))},),
           "gradient_check": (parameters, X, Y.T), "count_linear_regions": (parameters["W1"], np.zeros((2, 1)), X),
           "relu_interpolant": (np.zeros(3), np.zeros(4)), "relu": (np.zeros(200_000),), "relu_backward": (Z, Z.T)}
    for name, args in bad.items():
        assert contracts.problem(name, getattr(ref, name), args, {}, 10_000) is not None, name
