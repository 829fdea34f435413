"""Graders that share a temporary folder never remove each other's live folders, whatever their PID namespace.

Each grade sweeps the temporary folder for scratch folders nobody uses any more. A grader in
another PID namespace (a container or pod sharing /tmp, a sandboxed CI job) sees the others'
pids as gone, so liveness is a lock held on a file in the folder, which every process on the
file system sees. Here: processes in a PID namespace of their own (`unshare --pid`, as root)
make folders beside this one's, and a whole batch runs in its own namespace while `autograder
grade` runs in this namespace sweep the same folder.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.course.paths import SOLUTION_FILE
from autograder.sandbox import scratch


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "--pid", "--fork", "--kill-child", "true"], capture_output=True)
    return done.returncode == 0


needs_pid_namespaces = pytest.mark.skipif(not _unshare_works(), reason="no PID namespaces here (unshare --pid needs root)")

HOLDER = """
import sys
from autograder.sandbox import scratch
print(scratch.make("grader", sys.argv[1]), flush=True)
sys.stdin.read()  # in use until its stdin closes
"""


def holder(parent: Path, *, namespace: bool) -> tuple[subprocess.Popen, Path]:
    """A process (in a PID namespace of its own, or not) that made a scratch folder in `parent` and uses it."""
    command = [sys.executable, "-c", HOLDER, str(parent)]
    if namespace:
        command = ["unshare", "--pid", "--fork", "--kill-child", *command]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return process, Path(process.stdout.readline().strip())


def test_the_sweep_removes_only_folders_nobody_uses(tmp_path):
    ended = subprocess.run([sys.executable, "-c", HOLDER, str(tmp_path)], input="", capture_output=True, text=True)
    orphan = Path(ended.stdout.strip())  # its process ended without removing it, as a killed one does
    (orphan / "submission.py").write_text("secret = 1\n")
    killed, killed_folder = holder(tmp_path, namespace=False)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    mine = scratch.make("grader", str(tmp_path))
    alive, alive_folder = holder(tmp_path, namespace=False)
    lockless = tmp_path / "autograder-worker-manual"
    lockless.mkdir()
    other = tmp_path / "somebody-else"
    other.mkdir()
    try:
        removed = scratch.sweep(str(tmp_path))
        assert sorted(removed) == sorted([orphan, killed_folder])
        assert mine.is_dir() and alive_folder.is_dir() and lockless.is_dir() and other.is_dir()
    finally:
        alive.communicate("")
        scratch.remove(mine)
    assert not mine.exists()
    assert scratch.sweep(str(tmp_path)) == [alive_folder]


@needs_pid_namespaces
def test_a_folder_in_use_in_another_pid_namespace_is_left_alone(tmp_path):
    process, folder = holder(tmp_path, namespace=True)
    try:
        assert scratch.sweep(str(tmp_path)) == [] and folder.is_dir()
    finally:
        process.communicate("")
    assert scratch.sweep(str(tmp_path)) == [folder]  # it ended: now it is nobody's


def test_a_tree_too_deep_for_shutil_is_removed(tmp_path):
    """A worker's scratch folder holds what the student's code made: 1,500 levels of 200-character names (past
    PATH_MAX and Python's recursion limit) are removed all the same."""
    folder = scratch.make("worker", str(tmp_path))
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(1500):
        os.mkdir("d" * 200, dir_fd=fd)
        inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.symlink(str(SOLUTION_FILE), "link", dir_fd=fd)  # a link is removed, never followed
    os.close(fd)
    scratch.remove(folder)
    assert not folder.exists() and SOLUTION_FILE.is_file()


@needs_pid_namespaces
def test_a_batch_in_its_own_pid_namespace_loses_nobody_to_grades_beside_it(tmp_path):
    """The case met on a shared machine: a batch in its own PID namespace, `autograder grade` runs in this one,
    one temporary folder; each grade's sweep used to delete the batch's live folders."""
    shared = tmp_path / "tmp"
    shared.mkdir()
    students = tmp_path / "class"
    students.mkdir()
    for n in range(8):
        shutil.copy(SOLUTION_FILE, students / f"student{n}.py")
    env = dict(os.environ, TMPDIR=str(shared))
    bin_dir = Path(sys.executable).parent
    batch = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", str(bin_dir / "autograder"),
                              "batch", str(students), "--out", str(tmp_path / "graded"), "--jobs", "2"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(batch.stdout), daemon=True)
    reader.start()
    beside = []
    while batch.poll() is None and len(beside) < 6:
        if not lines:  # once a student is graded, the batch's grading processes are using their folders
            time.sleep(0.05)
            continue
        beside.append(subprocess.run([str(bin_dir / "autograder"), "grade", str(SOLUTION_FILE), "--only", "layer_sizes",
                                      "--quiet", "--out", str(tmp_path / f"beside{len(beside)}")],
                                     env=env, capture_output=True, text=True, timeout=300))
    batch.wait(timeout=600)
    reader.join(timeout=10)
    err = "".join(lines)
    assert beside, "the batch ended before any grade ran beside it"
    assert all(done.returncode == 0 for done in beside), [done.stderr[-500:] for done in beside]
    with (tmp_path / "graded" / "grades.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(row["student"], row["status"]) for row in rows] == [(f"student{n}", "graded") for n in range(8)], (
        [row["message"] for row in rows], err[-2000:])
    assert batch.returncode == 0, err[-2000:]
