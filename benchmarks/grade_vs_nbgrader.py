"""Grading speed, side by side in one run: `autograder grade` and `autograder batch` against what a course would
run instead (stock nbgrader, nbgrader as this course sets it up, otter-grader) and against the floor.

    .venv/bin/python benchmarks/grade_vs_nbgrader.py [--runs 3] [--correct 60] [--buggy 30] [--hostile 10]
                                                     [--jobs 1 2] [--no-otter]

One notebook, the completed source notebook (the reference solution), each timing the median of `--runs`
runs of the whole command, start-up included, with its CPU time (user + system of the command and every
process it waited for):
- stock `nbgrader autograde`: the course generated with nbgrader's default autograde preprocessors and kernel,
  which execute every cell of the submission (the story's 10,000-iteration experiments and the test cells);
- `nbgrader autograde` as `nbgrader_config.py` sets it up: no kernel, the notebook graded in the sandbox;
- `otter run` (no Docker) of an otter-grader autograder built from the same visible tests, where otter-grader
  installs (`otter_side.py`; its virtual environment is kept in `.benchmark-cache/`);
- `autograder grade`, cold: a fresh process, as a user or a CI job runs it.
The floor: the three trainings the flower checks need (tanh 500 iterations, ReLU 800, linear 800, with the
reference solution), as CPU time inside one process, and as a process of their own (Python, numpy and the
data set loaded first).
The class: completed notebooks, notebooks with one typical mistake (every mutant of tests/submissions/mutants.py
in turn, and the slip of a loop hard-coded to 10,000 rounds), and attacks from the hostile corpus, graded by
`autograder batch` with the default limits: the correct and buggy ones as one batch, the attacks as another,
so that each has its own CPU time. CPU-seconds per submission are a batch's whole CPU time (its grader
processes, their fork servers and every sandbox worker) over its size; unlike wall time, they hardly depend
on other load on the machine.

Goals: a cold `autograder grade` at least 8 times faster than stock nbgrader on the same notebook; CPU per
correct or buggy submission in a batch within 2 times the floor; no submission over 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "submissions"))
sys.path.insert(0, str(HERE))

import hostile  # noqa: E402
from mutants import FIXED_ITERATIONS, MUTANTS, apply  # noqa: E402

from autograder.course.paths import (  # noqa: E402
    ASSIGNMENT,
    NBGRADER_CONFIG,
    RELEASE_DIR,
    ROOT,
    SOLUTION_FILE,
    SOURCE_DIR,
    SOURCE_NOTEBOOK,
)
from autograder.course.release import nbgrader_env  # noqa: E402
from autograder.course.samples import fill_release, write_notebook  # noqa: E402
from autograder.graders.test_training import FLOWER_RUNS  # noqa: E402


CACHE = ROOT / ".benchmark-cache"  # otter-grader's virtual environment, kept between runs
# Attacks of the hostile corpus that a real class might hold: crashes, exits, floods, loops, lies.
HOSTILE = ("exit_at_import", "os_exit_in_compute_cost", "kill_self_in_sigmoid", "keyboard_interrupt_in_tanh",
           "print_flood_at_import", "loop_in_count_linear_regions", "memory_in_relu_interpolant",
           "huge_array_from_linear", "lying_objects", "children_outlive", "recursion_in_predict", "fake_results")
LOOPING_BACKWARD = "backward_propagation_loops"  # never returns: each of its checks would wait out the call limit
BUGS = (FIXED_ITERATIONS, *MUTANTS)

# The three trainings of the flower checks, with the reference solution: CPU-seconds inside the process.
FLOOR_SCRIPT = """
import json, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import planar_utils
import planar_classification as ref
X, Y = planar_utils.load_planar_dataset()
started = time.process_time()
for activation, (n_h, iterations, rate) in json.loads(sys.argv[3]).items():
    ref.nn_model(X, Y, n_h, num_iterations=iterations, activation=activation, learning_rate=rate or 1.2)
print(time.process_time() - started)
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path, ok=(0, 1)) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stdout) of `command`, start-up included."""
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command[:4])} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed, children_cpu() - cpu, done.stdout


def median_time(command: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    times = [timed(command, cwd)[:2] for _ in range(runs)]
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def nbgrader_course(root: Path, *, stock: bool) -> Path:
    """A course folder with the assignment generated and one submission of the completed notebook; `stock`
    leaves out the course's autograde preprocessors, exporter and kernel, so nbgrader executes the whole notebook
    as it does by default."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(SOURCE_DIR, root / "source" / ASSIGNMENT, ignore=skip)
    config = NBGRADER_CONFIG.read_text(encoding="utf-8")
    if stock:
        config, found = re.subn(r"\nc\.Autograde\.autograde_preprocessors = \[.*?\]\n", "\n", config, flags=re.S)
        config, sanitize = re.subn(r"\nc\.Autograde\.sanitize_preprocessors = \[.*?\]\n", "\n", config, flags=re.S)
        config, exporter = re.subn(r"\nc\.Autograde\.exporter_class = .*?\n", "\n", config)
        config, kernels = re.subn(r"\nc\.ExecutePreprocessor\.kernel_manager_class = .*?\n", "\n", config)
        if (found, sanitize, exporter, kernels) != (1, 1, 1, 1):
            raise SystemExit("nbgrader_config.py no longer sets Autograde.autograde_preprocessors, "
                             "sanitize_preprocessors, exporter_class and ExecutePreprocessor.kernel_manager_class "
                             "as expected")
    (root / "nbgrader_config.py").write_text(config, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force",
                    f"--CourseDirectory.root={root}", f"--CourseDirectory.db_url=sqlite:///{root}/gradebook.db",
                    "--log-level=ERROR"], cwd=root, env=nbgrader_env(), check=True, capture_output=True)
    submitted = root / "submitted" / "ref" / ASSIGNMENT
    shutil.copytree(root / "assignments" / ASSIGNMENT, submitted)  # the release folder, as students submit it
    # without the pre-submit check's cell, which stock nbgrader would run (a check of its own, about 1.4 s)
    nb = json.loads(SOURCE_NOTEBOOK.read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"] if "pre-submit-check" not in c["metadata"].get("tags", [])]
    (submitted / SOURCE_NOTEBOOK.name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return root


def nbgrader_autograde(course: Path, runs: int) -> tuple[float, float]:
    times = median_time([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--student", "ref", "--force",
                         "--create", f"--CourseDirectory.root={course}",
                         f"--CourseDirectory.db_url=sqlite:///{course}/gradebook.db", "--log-level=ERROR"],
                        course, runs)
    if not (course / "autograded" / "ref" / ASSIGNMENT / SOURCE_NOTEBOOK.name).is_file():
        raise SystemExit("nbgrader autograde produced no autograded notebook; the timing would mean nothing")
    return times


def floor(tmp: Path, runs: int) -> tuple[float, float]:
    """(CPU-s of the three trainings inside a process, CPU-s of a process doing only them), medians."""
    script = tmp / "floor.py"
    script.write_text(FLOOR_SCRIPT, encoding="utf-8")
    command = [sys.executable, str(script), str(RELEASE_DIR), str(SOLUTION_FILE.parent), json.dumps(FLOWER_RUNS)]
    results = [timed(command, tmp, ok=(0,)) for _ in range(runs)]
    return statistics.median(float(r[2]) for r in results), statistics.median(r[1] for r in results)


def otter(tmp: Path, runs: int) -> tuple[tuple[float, float] | None, str]:
    """((wall, CPU) of `otter run` on the completed notebook, "") or (None, why otter could not be measured)."""
    import otter_side

    prepared, why = otter_side.prepare(CACHE / "otter")
    if prepared is None:
        return None, why
    completed = tmp / "otter-submission" / SOURCE_NOTEBOOK.name  # the release filled in, as a student submits it
    completed.parent.mkdir()
    write_notebook(fill_release(SOLUTION_FILE.read_text(encoding="utf-8")), completed)
    times = []
    for _ in range(runs):
        wall, cpu, score = otter_side.run(prepared, completed, tmp / "otter-run")
        if score < 1:
            return None, f"otter run scored the completed notebook {score:.0%}, so its timing would mean nothing"
        times.append((wall, cpu))
    return (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)), ""


def write_class(folder: Path, correct: int, buggy: int, hostile_count: int) -> dict[str, str]:
    """Students' submissions in `folder` (mostly notebooks, as students hand them in); returns student -> kind."""
    reference = SOLUTION_FILE.read_text(encoding="utf-8")
    kinds = {}
    for i in range(correct):
        name = f"correct{i:03d}"
        if i % 10 == 9:  # some hand in the Python file
            (folder / f"{name}.py").write_text(reference, encoding="utf-8")
        else:
            shutil.copy(SOURCE_NOTEBOOK, folder / f"{name}.ipynb")
        kinds[name] = "correct"
    for i in range(buggy):
        mutant = BUGS[i % len(BUGS)]  # every bug in turn, the hard-coded loop first
        name = f"buggy{i:03d}_{mutant.name}"
        write_notebook(fill_release(apply(reference, mutant)), folder / f"{name}.ipynb")
        kinds[name] = "buggy"
    cases = {c.name: c for c in hostile.hostile_cases(str(RELEASE_DIR), str(ROOT))}
    looping = hostile.replace_body(reference, "backward_propagation", "while True:\n    pass")
    chosen = [(LOOPING_BACKWARD, looping, "utf-8")] + [(n, cases[n].text, cases[n].encoding) for n in HOSTILE]
    for i in range(hostile_count):
        name, text, encoding = chosen[i % len(chosen)]
        (folder / f"hostile{i:03d}_{name}.py").write_bytes(text.encode(encoding))
        kinds[f"hostile{i:03d}_{name}"] = "hostile"
    return kinds


def grading_times(out: Path) -> dict[str, float]:
    """student -> seconds its grade took, from its results.json."""
    return {r.parent.name: json.loads(r.read_text())["execution_time"] for r in out.glob("*/results.json")}


def grade_class(tmp: Path, kinds: dict[str, str], jobs_list: list[int]) -> dict:
    """{jobs: {group: (wall, CPU, {student: seconds inside the grade})}} for the honest and the hostile batch."""
    groups = {"honest": [k for k, v in kinds.items() if v != "hostile"],
              "hostile": [k for k, v in kinds.items() if v == "hostile"]}
    batch: dict[int, dict[str, tuple[float, float, dict[str, float]]]] = {}
    for jobs in jobs_list:
        batch[jobs] = {}
        for group, members in groups.items():
            if not members:
                continue
            folder = tmp / f"{group}-class"
            folder.mkdir(exist_ok=True)
            for path in (tmp / "class").iterdir():
                if path.stem in members and not (folder / path.name).exists():
                    shutil.copy(path, folder / path.name)
            out = tmp / f"batch{jobs}-{group}"
            wall, cpu, _ = timed([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out),
                                  "--jobs", str(jobs), "--force"], tmp)
            batch[jobs][group] = (wall, cpu, grading_times(out))
    return batch


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:6.2f} x" if denominator else "     - "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per one-notebook measurement (median)")
    parser.add_argument("--correct", type=int, default=60, help="completed submissions in the class")
    parser.add_argument("--buggy", type=int, default=30, help="submissions with one typical mistake")
    parser.add_argument("--hostile", type=int, default=10, help="attacks from the hostile corpus")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="batch sizes to measure (default 1 2)")
    parser.add_argument("--no-otter", action="store_true", help="leave otter-grader out")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as tmp:
        tmp = Path(tmp)
        stock = nbgrader_autograde(nbgrader_course(tmp / "stock", stock=True), args.runs)
        course = nbgrader_course(tmp / "course", stock=False)
        configured = nbgrader_autograde(course, args.runs)
        otter_times, otter_why = (None, "left out (--no-otter)") if args.no_otter else otter(tmp, args.runs)
        submission = course / "submitted" / "ref" / ASSIGNMENT / SOURCE_NOTEBOOK.name
        cold = median_time([sys.executable, "-m", "autograder", "grade", str(submission), "--quiet",
                            "--out", str(tmp / "one")], tmp, args.runs)
        trainings, floor_process = floor(tmp, args.runs)

        (tmp / "class").mkdir()
        kinds = write_class(tmp / "class", args.correct, args.buggy, args.hostile)
        batch = grade_class(tmp, kinds, args.jobs)

    cores = os.cpu_count() or 1
    honest = [k for k, v in kinds.items() if v != "hostile"]
    print(f"machine: {cores} cores; load average at the end {os.getloadavg()[0]:.1f}")
    print(f"one submission ({SOURCE_NOTEBOOK.name}, median of {args.runs}):")
    alternatives = {"stock nbgrader autograde (whole notebook)": stock,
                    "nbgrader autograde, this course's set-up": configured, "otter run (no Docker)": otter_times}
    for label, times in alternatives.items():
        if times is None:
            print(f"  {label:42s} not measured: {otter_why}")
        else:
            print(f"  {label:42s} {times[0]:6.2f} s  {times[1]:6.2f} CPU-s   a cold grade is {ratio(times[0], cold[0])}"
                  " faster")
    print(f"  {'autograder grade, cold':42s} {cold[0]:6.2f} s  {cold[1]:6.2f} CPU-s")
    print(f"  goal: a cold grade at least 8 x faster than stock nbgrader: {stock[0] / cold[0]:.2f} x")
    print(f"the floor (the three flower trainings with the reference solution, median of {args.runs}):")
    print(f"  inside a process {trainings:5.2f} CPU-s;   as a process of their own {floor_process:5.2f} CPU-s")

    counts = {k: sum(1 for v in kinds.values() if v == k) for k in ("correct", "buggy", "hostile")}
    print(f"class of {len(kinds)} submissions ({counts['correct']} correct, {counts['buggy']} buggy, "
          f"{counts['hostile']} hostile), default limits, one run each; correct and buggy graded as one batch, "
          "hostile as another:")
    for jobs, groups in batch.items():
        for group, (wall, cpu, times) in groups.items():
            size = len(times) or 1
            print(f"  --jobs {jobs}  {group:8s} {len(times):4d} graded   {wall:7.1f} s   {size / wall * 60:6.1f} a minute"
                  f"   {cpu / size:5.2f} CPU-s per submission")
        if "honest" in groups:
            cpu_each = groups["honest"][1] / len(honest)
            print(f"      CPU per correct or buggy submission against the floor: inside a process "
                  f"{ratio(cpu_each, trainings)}, as a process {ratio(cpu_each, floor_process)} (goal <= 2)")
            print("      one notebook costs, in CPU-s, this many submissions in the batch: " + "; ".join(
                f"{label} {ratio(times[1], cpu_each)}" for label, times in alternatives.items() if times))
            mine = groups["honest"][2]
            slowest = max(mine, key=mine.get)
            print(f"      correct or buggy, inside the grade: median {statistics.median(mine.values()):5.2f} s, "
                  f"slowest {mine[slowest]:5.2f} s ({slowest})")
        if "hostile" in groups:
            mine = groups["hostile"][2]
            slowest = max(mine, key=mine.get)
            print(f"      attacks inside the grade: median {statistics.median(mine.values()):5.2f} s, slowest "
                  f"{mine[slowest]:5.2f} s ({slowest}; goal <= 60)")
    best = min(batch, key=lambda j: batch[j].get("honest", (float("inf"),))[0])
    if "honest" in batch[best]:
        rate = batch[best]["honest"][0] / len(honest)
        print(f"a class of 500 correct and buggy submissions at the --jobs {best} rate: {500 * rate / 60:.1f} min")
    fixed = [t for who, t in batch[min(batch)].get("honest", (0, 0, {}))[2].items() if FIXED_ITERATIONS.name in who]
    if fixed:
        print(f"the loop hard-coded to 10,000 rounds ({FIXED_ITERATIONS.name}), inside the grade with "
              f"--jobs {min(batch)}: {', '.join(f'{t:.2f} s' for t in fixed)}")

if __name__ == "__main__":
    main()
