"""otter-grader's side of the grading benchmark: one notebook graded by `otter run`, without Docker.

`prepare` installs otter-grader in a virtualenv of its own under a workspace folder and builds an
otter autograder for the assignment the way an otter user would: one OK-format test per graded cell
of the released notebook, calling the visible test as that cell does and worth the cell's points,
with planar_utils.py, public_tests.py and the data sets as support files. `run` times one `otter run`
of a notebook with it: wall-clock seconds, CPU seconds of otter and every process it waited for (the
kernel that executes the notebook included), and the score as a fraction of the points.

    .venv/bin/python benchmarks/otter_side.py [WORKSPACE]   (default /tmp/otter-side; the virtualenv is kept)
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.course.paths import RELEASE_DIR, SOLUTION_FILE, SOURCE_NOTEBOOK
from autograder.course.samples import fill_release, write_notebook


OTTER = "otter-grader==7.0.0"
NOTEBOOK_NEEDS = ["numpy", "matplotlib", "h5py", "ipykernel"]
SUPPORT_FILES = ["planar_utils.py", "public_tests.py", "datasets"]
RELEASED_NOTEBOOK = RELEASE_DIR / SOURCE_NOTEBOOK.name


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def last_lines(text: str, count: int) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][-count:]


def step(what: str, command: list[str], cwd: Path | None = None) -> None:
    """Run `command`; a failure raises RuntimeError naming `what` and the command's own reason."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        lines = last_lines(done.stderr or done.stdout, 50)
        errors = [line for line in lines if line.startswith("ERROR")]  # pip's reason comes before its notices
        raise RuntimeError(f"{what} failed (exit {done.returncode}): {(errors or lines or ['no message'])[-1]}")


def otter_venv(workspace: Path) -> Path:
    """The virtualenv with otter-grader and what the notebook imports; made unless one that works is there."""
    venv = workspace / "otter-venv"
    python = str(venv / "bin" / "python")
    check = [python, "-c", "import otter, numpy, matplotlib, h5py, ipykernel"]
    if Path(python).exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return venv
    step("creating the otter virtualenv", [sys.executable, "-m", "venv", "--clear", str(venv)])
    step(f"pip install {OTTER}", [python, "-m", "pip", "install", "--quiet", OTTER, *NOTEBOOK_NEEDS])
    step("importing otter in its virtualenv", check)
    return venv


def ok_tests(notebook: Path) -> dict[str, str]:
    """grade_id -> OK-format test file, one for each graded cell of `notebook`, with the cell's calls and points."""
    tests = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if not grading.get("grade"):
            continue
        calls = [line for line in "".join(cell["source"]).splitlines() if line.strip()]
        # each visible test prints "All tests passed for <function>." when it passes and raises otherwise
        code = "".join(f">>> {call}  # doctest: +ELLIPSIS\nAll tests passed for ...\n" for call in calls)
        test = {"name": grading["grade_id"], "points": grading["points"],
                "suites": [{"cases": [{"code": code, "hidden": False, "locked": False}], "scored": True,
                            "setup": "", "teardown": "", "type": "doctest"}]}
        tests[grading["grade_id"]] = f"OK_FORMAT = True\n\ntest = {test!r}\n"
    return tests


def prepare(workspace: Path) -> tuple[Path | None, str]:
    """Install otter-grader in its own virtualenv under `workspace` and build an otter autograder for the
    assignment; returns (path of autograder.zip, "") or (None, one plain line saying why otter is unavailable)."""
    try:
        workspace.mkdir(parents=True, exist_ok=True)
        otter = otter_venv(workspace) / "bin" / "otter"
        build = workspace / "otter-build"
        shutil.rmtree(build, ignore_errors=True)
        (build / "tests").mkdir(parents=True)
        for name, text in ok_tests(RELEASED_NOTEBOOK).items():
            (build / "tests" / f"{name}.py").write_text(text, encoding="utf-8")
        for name in SUPPORT_FILES:
            source = RELEASE_DIR / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, build / name)
        (build / "requirements.txt").write_text("numpy\nmatplotlib\nh5py\n", encoding="utf-8")
        autograder = workspace / "autograder.zip"
        step("otter generate", [str(otter), "generate", "-t", "tests", "-r", "requirements.txt",
                                "-o", str(autograder), *SUPPORT_FILES], cwd=build)
    except (RuntimeError, OSError, ValueError, KeyError) as error:
        return None, " ".join(str(error).split()) or type(error).__name__
    return autograder, ""


def run(prepared: Path, submission: Path, workspace: Path) -> tuple[float, float, float]:
    """Time one `otter run` of `submission` (a completed notebook) with that autograder, no Docker:
    (wall seconds, CPU seconds of the command and all its children, score as a fraction 0..1).
    The otter used is the one `prepare` installed beside `prepared`; `workspace` only holds otter's output."""
    venv = prepared.parent / "otter-venv"
    workspace.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="otter-run-", dir=workspace))
    # the kernel otter asks for ("python3") is looked up in otter's virtualenv first, not in a user's kernels
    env = {**os.environ, "JUPYTER_PATH": str(venv / "share" / "jupyter")}
    command = [str(venv / "bin" / "otter"), "run", "--no-logo", "-a", str(prepared), "-o", str(out), str(submission)]
    try:
        cpu, started = children_cpu(), time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        wall, cpu = time.perf_counter() - started, children_cpu() - cpu
        try:
            tests = json.loads((out / "results.json").read_text(encoding="utf-8"))["tests"]
        except (OSError, ValueError, KeyError):
            tests = []
    finally:
        shutil.rmtree(out, ignore_errors=True)
    scored = [t for t in tests if "max_score" in t]  # an autograder failure reports tests without points
    possible = sum(t["max_score"] for t in scored)
    if done.returncode != 0 or not possible:
        raise RuntimeError(f"otter run gave no score (exit {done.returncode}):\n" + "\n".join(last_lines(done.stderr, 10)))
    return wall, cpu, sum(t["score"] for t in scored) / possible


if __name__ == "__main__":
    workspace = Path(sys.argv[1] if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "otter-side")
    started = time.perf_counter()
    prepared, reason = prepare(workspace)
    print(f"prepare: {prepared or 'otter unavailable: ' + reason} ({time.perf_counter() - started:.1f} s)")
    if prepared is not None:
        completed = workspace / "completed" / SOURCE_NOTEBOOK.name  # the release filled in, as a student submits it
        completed.parent.mkdir(exist_ok=True)
        write_notebook(fill_release(SOLUTION_FILE.read_text(encoding="utf-8")), completed)
        for label, notebook in [("completed", completed)] * 3 + [("released stub", RELEASED_NOTEBOOK)]:
            wall, cpu, score = run(prepared, notebook, workspace)
            print(f"  {label:13s} {wall:6.2f} s   {cpu:6.2f} CPU-s   score {score:.3f}")
