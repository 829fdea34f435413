"""Nothing a submission hands the grader's reference functions makes the grader itself run long or grow large.

Attacks written after reading the engine: calls of the swapped-in reference functions with arguments
no correct caller sends (a float16 network of thousands of units, which numpy multiplies without BLAS;
shapes that broadcast into an m x m array; a network within the contract but far larger than the
check's, 8,000 x 8,000 from n_x = 1), and floods of callbacks. Each ends its own call at once, with a
message that says what was sent; the rest of the submission keeps its points. The time the grader
spends answering callbacks spends the submission's budget, so no flood runs past it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.sandbox import landlock


sys.path.insert(0, str(Path(__file__).parent / "submissions"))
import hostile  # noqa: E402
import oversized  # noqa: E402


pytestmark = pytest.mark.skipif(landlock.abi_version() < 1, reason="Landlock is not available on this kernel")

def attack(tmp_path: Path, body_of: dict[str, str]) -> Path:
    path = tmp_path / "attack.py"
    path.write_text(hostile.grader_attack(body_of), encoding="utf-8")
    return path


# `autograder grade` in this fresh process, then its wall time and its own peak resident memory (VmHWM): the
# grading process's alone, not its workers' (they are capped apart, at --memory-mb).
MEASURE = ("import os, sys, time\n"
           "from autograder.cli import main\n"
           "report, sys.stdout = sys.stdout, open(os.devnull, 'w')\n"
           "start = time.monotonic()\n"
           "main(sys.argv[1:])\n"
           "peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:')).split()[1]\n"
           "print(time.monotonic() - start, int(peak) // 1024, file=report)\n")


def grade_measured(path: Path, out: Path, *options: str) -> tuple[float, int, dict]:
    """(wall seconds, the grading process's own peak memory in MB, results.json) of `autograder grade PATH
    --budget 20` (options may set another budget), run in a fresh process so the peak is this grade's."""
    done = subprocess.run([sys.executable, "-c", MEASURE, "grade", str(path), "--out", str(out), "--budget", "20",
                           *options], capture_output=True, text=True, timeout=400)
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
            "nn_model": (X, Y, 3, 2),
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
           "nn_model": (X, Y, 0),
           "gradient_check": (parameters, X, Y.T), "count_linear_regions": (parameters["W1"], np.zeros((2, 1)), X),
           "relu_interpolant": (np.zeros(3), np.zeros(4)), "relu": (np.zeros(200_000),), "relu_backward": (Z, Z.T)}
    for name, args in bad.items():
        assert contracts.problem(name, getattr(ref, name), args, {}, 10_000) is not None, name


# --- within the contract, but larger than the check: bounded by the check's own sizes -----------------------------


def test_a_network_larger_than_the_checks_is_refused_and_the_grader_stays_near_the_references_memory(tmp_path):
    """nn_model hands the swapped-in forward_propagation 8,000 units over 8,000 examples of one feature: shapes that
    fit, 32,001 numbers, from which the reference would make two 8,000 x 8,000 arrays (1.5 GB at the grader's peak).
    It is refused for its size before the reference runs, so the grading process stays within twice the reference
    solution's own peak, and only the checks that swap the reference in for nn_model's building blocks lose their
    points, each saying what was too large."""
    reference = tmp_path / "reference.py"
    reference.write_text(hostile.reference(), encoding="utf-8")
    _, reference_mb, _ = grade_measured(reference, tmp_path / "reference", "--budget", "600")
    path = attack(tmp_path, {"nn_model": oversized.WIDE_NETWORK})
    _, peak_mb, results = grade_measured(path, tmp_path / "out", "--budget", "600")
    assert peak_mb <= 2 * reference_mb, f"the grading process reached {peak_mb} MB, the reference's {reference_mb} MB"
    refused = failed(results, "nn_model")
    assert refused and all(t["extra_data"]["cause"] == "callback_refused" for t in refused)
    assert all("nn_model called forward_propagation, which the reference answers during this check, with n_h = 8,000 "
               "hidden units, more than the" in t["output"] for t in refused), refused[0]["output"]
    assert results["score"] == 68 - sum(t["max_score"] for t in refused)  # nothing else lost


def test_a_flood_of_large_callbacks_ends_within_the_budget(tmp_path):
    """30,000 callbacks of 1,800 units over 1,800 examples ran 48 to 80 s on a 20 s budget (the grader's answers
    were not charged, so the call ran to its wall-time backstop, 4 x 20 s). Each is refused for its size now, and
    the grade ends well within the budget."""
    wall, peak_mb, results = grade_measured(attack(tmp_path, {"gradient_check": oversized.HEAVY_FLOOD}), tmp_path / "out")
    assert wall < 20 + 5 and peak_mb < 1024, (wall, peak_mb)
    check = failed(results, "gradient_check")
    assert check and all(t["extra_data"]["cause"] == "callback_refused" for t in check)
    assert "with n_h = 1,800 hidden units, more than the" in check[0]["output"]
    assert results["score"] == 68 - sum(t["max_score"] for t in check)


CALLEES = ("layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost", "backward_propagation",
           "update_parameters", *(f"{a}{suffix}" for a in ("linear", "sigmoid", "tanh", "relu")
                                  for suffix in ("", "_backward")))


def callbacks_of(ref, name: str, args: tuple) -> list[tuple[str, tuple, dict]]:
    """The calls the reference's `name(*args)` makes of the other graded functions itself (not those they make in
    turn): what a check that swaps the reference in for them answers."""
    calls: list[tuple[str, tuple, dict]] = []
    saved = {callee: getattr(ref, callee) for callee in CALLEES}
    depth = [0]

    def recording(callee, function):
        def record(*a, **k):
            if depth[0] == 0:
                calls.append((callee, a, k))
            depth[0] += 1
            try:
                return function(*a, **k)
            finally:
                depth[0] -= 1
        return record

    caller = saved.get(name, getattr(ref, name))
    try:
        for callee, function in saved.items():
            setattr(ref, callee, recording(callee, function))
        caller(*args)
    finally:
        for callee, function in saved.items():
            setattr(ref, callee, function)
    return calls


def test_the_sizes_of_a_checks_call_admit_what_a_correct_function_hands_on_and_nothing_larger(ref):
    """Every callback the reference's own functions make fits the sizes read from the call a check makes of them;
    one more feature, unit, output or example is refused, and says which; within those sizes, no array may be larger
    than the largest the network and data make, nor the arguments hold more in all than a correct call does."""
    import numpy as np

    from autograder.engine import contracts

    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(3, 9)), rng.random((1, 9)) > 0.5
    parameters = ref.initialize_parameters(3, 5, 1)
    _, cache = ref.forward_propagation(X, parameters, "relu")
    sizes = contracts.Sizes(n_x=3, n_h=5, n_y=1, m=9)
    checks = {"nn_model": (X, Y, 5, 3, False, "relu"), "gradient_check": (parameters, X, Y, "relu"),
              "predict": (parameters, X, "relu"), "forward_propagation": (X, parameters, "relu"),
              "backward_propagation": (parameters, cache, X, Y, "relu")}
    for name, args in checks.items():
        assert contracts.sizes_of(name, args, {}) == sizes, name
        calls = callbacks_of(ref, name, args)
        assert calls, name
        for callee, a, k in calls:
            assert contracts.problem(callee, getattr(ref, callee), a, k, sizes) is None, (name, callee)
    larger = {"n_h = 6 hidden units, more than the 5": (X, ref.initialize_parameters(3, 6, 1)),
              "m = 10 examples, more than the 9": (rng.normal(size=(3, 10)), parameters),
              "n_x = 4 features, more than the 3": (rng.normal(size=(4, 9)), ref.initialize_parameters(4, 5, 1)),
              "n_y = 2 output units, more than the 1": (X, {**parameters, "W2": np.ones((2, 5)), "b2": np.ones((2, 1))})}
    for says, args in larger.items():
        assert says in (contracts.problem("forward_propagation", ref.forward_propagation, args, {}, sizes) or ""), says
    assert "more than the largest array" in (contracts.problem("relu", ref.relu, (np.zeros((5, 10)),), {}, sizes) or "")
    padded = {**parameters, **{f"extra{i}": np.zeros((5, 9)) for i in range(20)}}
    assert "numbers in all" in (contracts.problem("forward_propagation", ref.forward_propagation, (X, padded), {}, sizes)
                                or "")
    assert contracts.sizes_of("relu", (np.zeros((5, 9)),), {}) is None  # no sizes to read: a count bounds it instead


# --- the time the grader spends answering callbacks spends the submission's budget ------------------------------


SLOW_ANSWERS = ("def flood(n):\n    return sum(helper(i) for i in range(n))\n"
                "def then_loop(n):\n    for i in range(n):\n        helper(i)\n    while True:\n        pass\n")


def slow_helper(i: int) -> int:
    """The grader's side of a callback that takes it 50 ms (500 s for the 10,000 a call may make)."""
    time.sleep(0.05)
    return i


@pytest.mark.parametrize(("function", "argument", "budget"), [("flood", 10_000, 2.0), ("then_loop", 60, 4.0)],
                         ids=["a flood of slow answers", "slow answers, then a loop of its own"])
def test_the_graders_answers_to_callbacks_spend_the_budget_and_the_call_ends_with_it(tmp_path, function, argument,
                                                                                      budget):
    """The answers are not charged to the call (its limit is 20 s), but they spend the submission's budget: a flood
    ends at the budget, not at the call's wall-time backstop (4 x its limit), and a call that spent 3 s of a 4 s
    budget in callbacks may compute on its own for what is left, 1 s, not for a whole limit."""
    from autograder.engine.student import Student, StudentFailure
    from autograder.results.causes import Cause
    from autograder.sandbox.handle import Limits, WorkerHandle

    path = tmp_path / "slow.py"
    path.write_text(SLOW_ANSWERS, encoding="utf-8")
    with WorkerHandle(path, limits=Limits(call_seconds=20)) as worker:
        student = Student(worker, worker.load(), budget_seconds=budget)
        start = time.monotonic()
        with pytest.raises(StudentFailure) as stopped:
            student.call(function, argument, proxies={"helper": slow_helper})
        elapsed = time.monotonic() - start
        assert stopped.value.cause is Cause.BUDGET, str(stopped.value)
        assert f"{function} was stopped: the submission used up its total grading time of {budget:g} s" \
            in str(stopped.value)
        assert elapsed < budget + 1.0, elapsed
        with pytest.raises(StudentFailure, match="was not run: the submission used up its total grading time"):
            student.call("flood", 1, proxies={"helper": slow_helper})
