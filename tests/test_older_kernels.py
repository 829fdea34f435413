"""On kernels whose Landlock is older than this machine's, seccomp refuses what Landlock cannot.

Landlock scopes signals only from Linux 6.12 (ABI 6) and handles truncation only from 6.2 (ABI 3);
Ubuntu 22.04 ships 5.15 and 24.04 6.8. There a worker's `os.kill(-1, SIGKILL)` would end every process
of the grading user: the batch, the Classroom job, an instructor's Jupyter server. AUTOGRADER_LANDLOCK_ABI
makes the sandbox use an older ABI than this kernel's, as such a kernel would; the real Landlock and the
real seccomp filters run. Signals here are sent to a `sleep` this test started, never to -1.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys

import pytest

from autograder.course.paths import SOLUTION_FILE
from autograder.sandbox import confinement, landlock, seccomp


pytestmark = pytest.mark.skipif(landlock.abi_version() < 1 or platform.machine() not in seccomp.SYSCALLS,
                                reason="Landlock or this platform's seccomp is not available")

FILTERED = """
import errno, fcntl, json, os, signal, sys, threading
from autograder.sandbox import seccomp
assert seccomp.forbid_reaching_others()
target, path = int(sys.argv[1]), sys.argv[2]
def attempt(action):
    try:
        action()
        return "done"
    except OSError as exc:
        return errno.errorcode[exc.errno]
r, w = os.pipe()
print(json.dumps({
    "another process": attempt(lambda: os.kill(target, 0)),
    "every process (-1)": attempt(lambda: os.kill(-1, 0)),
    "its process group": attempt(lambda: os.killpg(0, 0)),
    "a queued signal": attempt(lambda: signal.pthread_kill(threading.main_thread().ident, 0)),
    "itself": attempt(lambda: os.kill(os.getpid(), 0)),
    "a file's signal owner": attempt(lambda: fcntl.fcntl(r, fcntl.F_SETOWN, target)),
    "truncate by name": attempt(lambda: os.truncate(path, 0)),
    "truncate an open file": attempt(lambda: os.ftruncate(os.open(path, os.O_WRONLY), 1)),
}))
"""


def test_the_filter_lets_signals_reach_the_process_itself_only(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("data")
    done = subprocess.run([sys.executable, "-c", FILTERED, str(os.getpid()), str(path)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "another process": "EPERM", "every process (-1)": "EPERM", "its process group": "EPERM",
        "a queued signal": "done", "itself": "done", "a file's signal owner": "EPERM",
        "truncate by name": "EPERM", "truncate an open file": "done"}


def test_a_worker_short_of_seccomp_is_not_graded():
    assert not confinement.acceptable("partly confined (not enforced: signals to other processes)")
    assert not confinement.acceptable("partly confined (not enforced: truncation of readable files)")
    assert confinement.acceptable("confined")


@pytest.mark.parametrize("abi", [1, 4])
def test_on_an_older_landlock_a_submission_cannot_kill_another_process(tmp_path, abi):
    """Landlock ABI 1 (Linux 5.13) and 4 (6.7 to 6.11): the worker is still "confined", and a submission that kills
    another process of the grading user at load time kills nothing."""
    victim = subprocess.Popen(["sleep", "600"])
    try:
        submission = tmp_path / "killer.py"
        submission.write_text(f"import os, signal\nos.kill({victim.pid}, signal.SIGKILL)\n"
                              + SOLUTION_FILE.read_text(encoding="utf-8"), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submission), "--only", "layer_sizes",
                               "--out", str(tmp_path / "out")], env=dict(os.environ, AUTOGRADER_LANDLOCK_ABI=str(abi)),
                              capture_output=True, text=True, timeout=300)
        assert victim.poll() is None, "the submission killed another process of the grading user"
        assert done.returncode == 0, done.stdout + done.stderr
        result = json.loads((tmp_path / "out" / "results.json").read_text())
        assert result["extra_data"]["confinement"] == "confined"
        assert "PermissionError" in json.dumps(result)  # the kill failed where it stood, and the grade says so
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
