"""Grading speed in one run: nbgrader autograde against `autograder grade`, CPU-seconds per submission, and a
generated class (correct, buggy and hostile submissions) graded by `autograder batch` with 1 and 2 jobs.

    .venv/bin/python benchmarks/grade_vs_nbgrader.py [--runs 3] [--correct 60] [--buggy 30] [--hostile 10]

One notebook: both graders get the same completed notebook (the source notebook, which
holds the reference solution); each timing is the median wall-clock time of `--runs` runs
of the whole command, start-up included, with its CPU time (user + system of the command
and every process it waited for). The class: completed notebooks, notebooks with one
typical mistake (tests/submissions/mutants.py) and attacks from the hostile corpus
(tests/submissions/hostile.py), graded with the default limits: the correct and buggy
ones as one batch, the attacks as another, so that each has its own CPU time. CPU-seconds
per submission are a batch's whole CPU time (its grader processes, their fork servers and
every sandbox worker included) over its size; they do not depend on other load on the
machine the way wall time does.

Targets: one notebook at least 10 times faster than nbgrader autograde; at most 1.2 CPU-s
per correct or buggy submission; 500 submissions within 5 minutes on 2 cores; no
submission over 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "submissions"))

import hostile  # noqa: E402
from mutants import MUTANTS, apply  # noqa: E402

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


# Attacks of the hostile corpus that a real class might hold: crashes, exits, floods, loops, lies.
HOSTILE = ("exit_at_import", "os_exit_in_compute_cost", "kill_self_in_sigmoid", "keyboard_interrupt_in_tanh",
           "print_flood_at_import", "loop_in_count_linear_regions", "memory_in_relu_interpolant",
           "huge_array_from_linear", "lying_objects", "children_outlive", "recursion_in_predict", "fake_results")
LOOPING_BACKWARD = "backward_propagation_loops"  # never returns: each of its checks would wait out the call limit


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path, ok=(0, 1)) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of `command`, start-up included."""
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command[:4])} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed, children_cpu() - cpu


def median_time(command: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    times = [timed(command, cwd) for _ in range(runs)]
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def nbgrader_course(root: Path) -> Path:
    """A course folder with the assignment generated and one submission of the completed notebook."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(SOURCE_DIR, root / "source" / ASSIGNMENT, ignore=skip)
    shutil.copy(NBGRADER_CONFIG, root / "nbgrader_config.py")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force",
                    f"--CourseDirectory.root={root}", f"--CourseDirectory.db_url=sqlite:///{root}/gradebook.db",
                    "--log-level=ERROR"], cwd=root, env=nbgrader_env(), check=True, capture_output=True)
    submitted = root / "submitted" / "ref" / ASSIGNMENT
    shutil.copytree(root / "assignments" / ASSIGNMENT, submitted)  # the release folder, as students submit it
    shutil.copy(SOURCE_NOTEBOOK, submitted / SOURCE_NOTEBOOK.name)
    return root


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
        mutant = MUTANTS[i % len(MUTANTS)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per one-notebook measurement (median)")
    parser.add_argument("--correct", type=int, default=60, help="completed submissions in the class")
    parser.add_argument("--buggy", type=int, default=30, help="submissions with one planted mistake")
    parser.add_argument("--hostile", type=int, default=10, help="attacks from the hostile corpus")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="batch sizes to measure (default 1 2)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as tmp:
        tmp = Path(tmp)
        course = nbgrader_course(tmp / "course")
        nbgrader = median_time([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--student", "ref",
                                "--force", "--create", f"--CourseDirectory.root={course}",
                                f"--CourseDirectory.db_url=sqlite:///{course}/gradebook.db", "--log-level=ERROR"],
                               course, args.runs)
        if not (course / "autograded" / "ref" / ASSIGNMENT / SOURCE_NOTEBOOK.name).is_file():
            raise SystemExit("nbgrader autograde produced no autograded notebook; the timing would mean nothing")
        submission = course / "submitted" / "ref" / ASSIGNMENT / SOURCE_NOTEBOOK.name
        ours = median_time([sys.executable, "-m", "autograder", "grade", str(submission), "--quiet",
                            "--out", str(tmp / "one")], tmp, args.runs)

        (tmp / "class").mkdir()
        kinds = write_class(tmp / "class", args.correct, args.buggy, args.hostile)
        n = len(kinds)
        # Two folders graded one after the other: the honest class (correct and buggy, whose CPU time per
        # submission is the target) and the attacks (whose cost is bounded per submission instead).
        groups = {"honest": [k for k, v in kinds.items() if v != "hostile"],
                  "hostile": [k for k, v in kinds.items() if v == "hostile"]}
        batch: dict[int, dict[str, tuple[float, float, dict[str, float]]]] = {}
        for jobs in args.jobs:
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
                wall, cpu = timed([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out),
                                   "--jobs", str(jobs), "--force"], tmp)
                batch[jobs][group] = (wall, cpu, grading_times(out))

    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores; load average at the end {os.getloadavg()[0]:.1f}")
    print(f"one submission ({SOURCE_NOTEBOOK.name}, median of {args.runs}):")
    print(f"  nbgrader autograde   {nbgrader[0]:6.2f} s   {nbgrader[1]:6.2f} CPU-s")
    print(f"  autograder grade     {ours[0]:6.2f} s   {ours[1]:6.2f} CPU-s")
    print(f"  speed-up             {nbgrader[0] / ours[0]:6.2f} x   (target >= 10)")
    counts = {k: sum(1 for v in kinds.values() if v == k) for k in ("correct", "buggy", "hostile")}
    print(f"class of {n} submissions ({counts['correct']} correct, {counts['buggy']} buggy, {counts['hostile']} "
          "hostile), default limits, one run each; correct and buggy graded as one batch, hostile as another:")
    for jobs, groups_done in batch.items():
        wall = sum(g[0] for g in groups_done.values())
        graded = sum(len(g[2]) for g in groups_done.values())
        worst, who = max((t, w) for g in groups_done.values() for w, t in g[2].items())
        print(f"  --jobs {jobs}   {wall:7.1f} s   {n / wall * 60:6.1f} submissions/min   {graded}/{n} graded   "
              f"slowest {worst:.1f} s ({who}; target <= 60)")
        for group, (g_wall, g_cpu, _) in groups_done.items():
            size = len(groups[group])
            target = "   (target <= 1.2)" if group == "honest" else ""
            print(f"      {group:8s} {size:4d} submissions   {g_wall:7.1f} s   {g_cpu / size:5.2f} CPU-s per "
                  f"submission{target}")
    jobs = min(batch)
    times = {w: t for g in batch[jobs].values() for w, t in g[2].items()}
    print(f"  seconds per submission inside the grade, by kind (--jobs {jobs}; with one job this is about its CPU time):")
    for kind in ("correct", "buggy", "hostile"):
        mine = [t for who, t in times.items() if kinds.get(who) == kind]
        if mine:
            print(f"    {kind:8s} mean {statistics.mean(mine):5.2f} s   median {statistics.median(mine):5.2f} s   "
                  f"({len(mine)} submissions)")

    def class_wall(jobs: int) -> float:
        return sum(g[0] for g in batch[jobs].values())

    if 1 in batch and 2 in batch:
        print(f"  2 jobs / 1 job   {class_wall(1) / class_wall(2):5.2f} x")
    best = min(batch, key=class_wall)
    cpu_each = statistics.mean(sum(g[1] for g in b.values()) for b in batch.values()) / n
    print("a class of 500, extrapolated from the best measured rate:")
    if len(groups["honest"]):
        honest_best = min(batch, key=lambda j: batch[j]["honest"][0])
        honest_rate = batch[honest_best]["honest"][0] / len(groups["honest"])
        print(f"  correct and buggy only ({honest_best} jobs)            {500 * honest_rate / 60:5.1f} min   (target < 5)")
    print(f"  with this class's share of attacks ({best} jobs)  {500 * class_wall(best) / n / 60:5.1f} min")
    print(f"  the same, from CPU time on {cores} busy cores   {500 * cpu_each / cores / 60:5.1f} min")


if __name__ == "__main__":
    main()
