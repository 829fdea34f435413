"""Workers forked from the pre-loaded parent: each starts clean, holds only its own pipes, and
nothing outlives the grader. The sandbox's other guarantees are tested in test_sandbox.py
and test_hostile.py, which use forked workers (the default)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.course.paths import ROOT, SOLUTION_FILE
from autograder.engine.grade import GradeRequest, grade
from autograder.sandbox import forkserver_client, reaper
from autograder.sandbox.handle import Limits, WorkerHandle


FAST = Limits(call_seconds=5, statement_seconds=5, memory_mb=1024)

TAINTS = """\
import os, sys
import numpy as np
import matplotlib


def taint():
    np.planted = 42
    matplotlib.rcParams["lines.linewidth"] = 9.0
    sys.modules["planted"] = sys
    os.environ["PLANTED"] = "1"
    with open("left_behind.txt", "w") as f:
        f.write("x")
    np.random.seed(7)


def look():
    return {"numpy": hasattr(np, "planted"), "linewidth": float(matplotlib.rcParams["lines.linewidth"]),
            "module": "planted" in sys.modules, "env": os.environ.get("PLANTED"), "files": sorted(os.listdir(".")),
            "pid": os.getpid(), "random": float(np.random.random()), "home": os.environ["HOME"] == os.getcwd()}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def gone(pid: int) -> bool:
    return reaper.state(pid) in (None, "Z", "X")


def test_each_forked_worker_starts_clean(tmp_path):
    path = write(tmp_path, "s.py", TAINTS)
    with WorkerHandle(path, limits=FAST) as first:
        first.call("taint")
        tainted = first.call("look")
        assert isinstance(first.process, forkserver_client.ForkedProcess), "the default is a worker forked from the server"
    assert tainted["numpy"] and tainted["linewidth"] == 9.0 and tainted["env"] == "1"
    seen = []
    for _ in range(2):
        with WorkerHandle(path, limits=FAST) as worker:
            seen.append(worker.call("look"))
    for clean in seen:
        assert clean["pid"] != tainted["pid"] and clean["home"]
        assert (clean["numpy"], clean["module"], clean["env"], clean["files"]) == (False, False, None, [])
        assert clean["linewidth"] == 1.5  # matplotlib's own default, not the last submission's
    assert seen[0]["random"] != seen[1]["random"], "numpy's global generator is seeded afresh, as in a new process"


def test_a_forked_worker_holds_only_its_own_pipes_and_output(tmp_path):
    with WorkerHandle(write(tmp_path, "s.py", "def f():\n    return 1\n"), limits=FAST) as worker:
        assert worker.call("f") == 1
        fds = Path(f"/proc/{worker.process.pid}/fd")
        links = {int(fd.name): os.readlink(fd) for fd in fds.iterdir()}
        assert len(links) == 5, links  # stdin, stdout, stderr and the two pipes to the grader
        assert links[0] == "/dev/null" and links[1] == links[2] == str(worker.scratch / "output.txt")
        assert all(link.startswith("pipe:") for fd, link in links.items() if fd > 2)  # no control socket


GRADER = """\
import sys, time
from pathlib import Path
from autograder.sandbox import forkserver_client, reaper
from autograder.sandbox.handle import Limits, WorkerHandle

worker = WorkerHandle(Path(sys.argv[1]), limits=Limits(call_seconds=5, statement_seconds=5, memory_mb=1024))
worker.load()
print(worker.process.pid, forkserver_client.server_pids().pop(), worker.scratch, flush=True)
time.sleep(120)
"""


def test_the_fork_server_and_its_workers_die_with_the_grader(tmp_path):
    path = write(tmp_path, "s.py", "import time\nx = 1\n")
    grader = subprocess.Popen([sys.executable, "-c", GRADER, str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        worker_pid, server_pid, scratch = grader.stdout.readline().split()
        worker_pid, server_pid = int(worker_pid), int(server_pid)
        assert not gone(worker_pid) and not gone(server_pid)
        grader.send_signal(signal.SIGKILL)
        grader.wait()
        deadline = time.monotonic() + 10
        while not (gone(worker_pid) and gone(server_pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone(server_pid) and gone(worker_pid)
    finally:
        grader.kill()
        grader.stdout.close()
        if "scratch" in locals():
            shutil.rmtree(scratch, ignore_errors=True)  # a grader killed outright cannot remove its worker's folder


def test_a_fork_server_that_died_is_replaced(tmp_path):
    path = write(tmp_path, "s.py", "def f():\n    return 2\n")
    with WorkerHandle(path, limits=FAST) as worker:
        assert worker.call("f") == 2
        (server,) = forkserver_client.server_pids()
        os.kill(server, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not gone(worker.process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gone(worker.process.pid), "the worker dies with its server"
        assert worker.call("f") == 2  # a fresh worker, from a fresh server
        assert forkserver_client.server_pids() and forkserver_client.server_pids() != {server}


def test_workers_start_with_a_fresh_python_where_asked(tmp_path, monkeypatch):
    path = write(tmp_path, "s.py", "def f():\n    return 3\n")
    with WorkerHandle(path, limits=Limits(call_seconds=5, statement_seconds=5, memory_mb=1024, fork_server=False)) as worker:
        assert worker.call("f") == 3 and isinstance(worker.process, subprocess.Popen)
    monkeypatch.setenv("AUTOGRADER_FORK_SERVER", "0")
    with WorkerHandle(path, limits=FAST) as worker:
        assert worker.call("f") == 3 and isinstance(worker.process, subprocess.Popen)


@pytest.mark.parametrize("only", [["relu", "nn_model", "gradient_check"]])
def test_a_grade_is_the_same_forked_or_from_a_fresh_python(tmp_path, only):
    buggy = SOLUTION_FILE.read_text().replace("A = np.maximum(0, Z)", "A = np.minimum(0, Z)")
    path = write(tmp_path, "buggy.py", buggy)
    results = [grade(GradeRequest(path, Limits(fork_server=fork), only=tuple(only or ()))) for fork in (True, False)]
    scores = [{t.name: (t.score, t.output) for t in r.tests} for r in results]
    assert scores[0] == scores[1]
    assert 0 < results[0].score < results[0].max_score
