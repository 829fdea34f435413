"""How long the attacks on the grader's side of the pipe take, and how large the grading process grows.

    .venv/bin/python benchmarks/grader_bounds.py [--budget 20]

Each attack of `tests/submissions/hostile.py`'s GRADER_ATTACKS (a float16 network handed to a reference
function, arguments that broadcast into an m x m array, a flood of callbacks) and of
`tests/submissions/oversized.py`'s OVERSIZED_ATTACKS (an 8,000 x 8,000 network of one feature, within the
contract but far larger than the check's; a flood of large callbacks) is graded by a cold `autograder
grade` with `--budget`, next to the reference solution as a control. For each it prints the wall time of
the command and the grading process's own peak resident memory (VmHWM; the workers are capped apart, at
--memory-mb).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path


HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "submissions"))

import hostile  # noqa: E402
import oversized  # noqa: E402


# `autograder grade` in a fresh process, then its wall time and that process's own peak resident memory (VmHWM)
MEASURE = ("import os, sys, time\n"
           "from autograder.cli import main\n"
           "report, sys.stdout = sys.stdout, open(os.devnull, 'w')\n"
           "start = time.monotonic()\n"
           "main(sys.argv[1:])\n"
           "peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:')).split()[1]\n"
           "print(time.monotonic() - start, int(peak) // 1024, file=report)\n")


def measure(source: str, budget: float, tmp: Path, name: str) -> tuple[float, int, float]:
    """(wall seconds, peak MB, score) of a cold `autograder grade` of `source`."""
    path, out = tmp / f"{name}.py", tmp / name
    path.write_text(source, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", MEASURE, "grade", str(path), "--out", str(out), "--budget",
                           f"{budget:g}"], capture_output=True, text=True, check=True)
    wall, peak = done.stdout.split()
    return float(wall), int(peak), json.loads((out / "results.json").read_text())["score"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=20.0, help="the grade's --budget (default 20)")
    args = parser.parse_args()
    cases = {"control: the reference solution": hostile.reference(),
             **{name: hostile.grader_attack(bodies)
                for name, bodies in {**hostile.GRADER_ATTACKS, **oversized.OVERSIZED_ATTACKS}.items()}}
    print(f"autograder grade --budget {args.budget:g}, one cold process each")
    print(f"{'submission':<50} {'wall':>8} {'peak memory':>12} {'score':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, source) in enumerate(cases.items()):
            wall, peak, score = measure(source, args.budget, Path(tmp), f"case{index}")
            print(f"{name:<50} {wall:>6.1f} s {peak:>9} MB {score:>6g}")


if __name__ == "__main__":
    main()
