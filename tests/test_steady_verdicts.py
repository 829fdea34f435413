"""The same submission gets the same verdict, check by check, whatever else the grading machine is doing.

The case is a common slip: nn_model loops `for i in range(10000):` and ignores num_iterations. Its
recorded calls are stopped once they pass what num_iterations asks for, its own trainings on the flower
take seconds, and its time is charged as its own CPU and sleep, not the machine's load. It is graded
alone, inside `autograder batch --jobs 2` beside other submissions, and beside two CPU-bound processes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.course.paths import SOLUTION_FILE


sys.path.insert(0, str(Path(__file__).parent / "submissions"))

from mutants import FIXED_ITERATIONS, MUTANTS, apply  # noqa: E402


def autograder(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, timeout=900)


def verdicts(results: Path) -> list[tuple[str, float, str, str]]:
    """Every check of a results.json as (name, score, status, message)."""
    document = json.loads(results.read_text(encoding="utf-8"))
    return [(t["name"], t["score"], t["status"], t["output"]) for t in document["tests"]]


@pytest.fixture(scope="module")
def graded_three_ways(tmp_path_factory) -> dict[str, Path]:
    """{"alone" | "batch" | "busy": the hard-coded-iterations submission's results.json}."""
    folder = tmp_path_factory.mktemp("fixed_iterations")
    reference = SOLUTION_FILE.read_text(encoding="utf-8")
    submission = folder / "class" / "fixed_iterations.py"
    submission.parent.mkdir()
    submission.write_text(apply(reference, FIXED_ITERATIONS), encoding="utf-8")
    for other in ("backward_dW1_missing_mean", "nn_model_fixed_rate"):  # company for the batch
        mutant = next(m for m in MUTANTS if m.name == other)
        (submission.parent / f"{other}.py").write_text(apply(reference, mutant), encoding="utf-8")
    (submission.parent / "reference.py").write_text(reference, encoding="utf-8")
    found = {}

    run = autograder("grade", str(submission), "--out", str(folder / "alone"), "--quiet")
    assert run.returncode == 0, run.stderr
    found["alone"] = folder / "alone" / "results.json"

    run = autograder("batch", str(submission.parent), "--out", str(folder / "batch"), "--jobs", "2")
    assert run.returncode == 0, run.stderr
    found["batch"] = folder / "batch" / "fixed_iterations" / "results.json"

    # two CPU-bound processes, each in its own session as other jobs would be
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True) for _ in range(2)]
    try:
        time.sleep(0.3)
        run = autograder("grade", str(submission), "--out", str(folder / "busy"), "--quiet")
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert run.returncode == 0, run.stderr
    found["busy"] = folder / "busy" / "results.json"
    return found


def test_the_verdict_is_the_same_alone_in_a_batch_and_on_a_busy_machine(graded_three_ways):
    alone = verdicts(graded_three_ways["alone"])
    assert verdicts(graded_three_ways["batch"]) == alone
    assert verdicts(graded_three_ways["busy"]) == alone


def test_nn_model_fails_for_the_loop_and_the_flower_is_judged_on_its_merits(graded_three_ways):
    document = json.loads(graded_three_ways["alone"].read_text(encoding="utf-8"))
    failed = {t["name"]: t for t in document["tests"] if t["status"] == "failed"}
    assert failed and all(t["tags"][0] == "nn_model" for t in failed.values())
    stopped = [t for t in failed.values() if t["extra_data"].get("cause") == "wrong_iterations"]
    assert len(stopped) == 5  # every check that records nn_model's calls: the loop, hyperparameters, results, seeding
    loop = failed["nn_model: runs num_iterations rounds of forward, cost, backward and update"]
    assert "called with num_iterations=6, it called forward_propagation more than 22 times" in loop["output"]
    assert "range(10000) ignores the num_iterations" in loop["output"]
    assert not any(t["extra_data"].get("cause") == "timeout" for t in document["tests"])
    flower = [t for t in document["tests"] if t["name"].startswith("the flower")]
    assert len(flower) == 3 and all(t["status"] == "passed" for t in flower)  # 10,000 rounds train well enough
    assert document["score"] == 68 - 6  # five recorded checks and the visible test, a point each
