"""`autograder batch --scheduler` on a real local Dask cluster: a `dask scheduler` and `dask worker` processes on
127.0.0.1, started and stopped here. Same grades as the local batch, no submission lost when a worker dies,
resume across a restart of the client."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import distributed  # the cluster extra's dask[distributed] is part of .[dev]: these tests run, never skip
import pytest
from landlock_off import without_landlock

from autograder.course.paths import RELEASE_DIR, ROOT, SOLUTION_FILE
from autograder.runs.records import FINGERPRINT_FILE


DASK = Path(sys.executable).with_name("dask")
REFERENCE = SOLUTION_FILE.read_text(encoding="utf-8")
ENV = dict(os.environ, PYTHONPATH=str(ROOT))  # the workers grade with this tree's graders, as the client does


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_worker(address: str, folder: Path, name: str) -> subprocess.Popen:
    """A `dask worker` without a nanny (killing it kills it), one task at a time."""
    log = open(folder / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process by the fixture
    return subprocess.Popen([str(DASK), "worker", address, "--name", name, "--nthreads", "1", "--no-nanny",
                             "--no-dashboard", "--local-directory", str(folder / name)], env=ENV, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(scheduler address, a client, the log folder): a scheduler and two workers on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    scheduler = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
                                 env=ENV, stdout=open(folder / "scheduler.log", "wb"), stderr=subprocess.STDOUT,
                                 start_new_session=True)
    workers = []
    client = None
    try:
        workers = [start_worker(address, folder, f"w{i}") for i in (1, 2)]
        client = distributed.Client(address, timeout=60, set_as_default=False)
        client.wait_for_workers(2, timeout=120)
        yield address, client, folder
    finally:
        if client is not None:
            client.close()
        for process in [*workers, scheduler]:
            stop(process)


def write_class(folder: Path, size: int) -> list[str]:
    """`size` submissions: the reference, buggy copies of it, the untouched release; plus a student with nothing."""
    buggy = [REFERENCE.replace("    n_h = 4\n", "    n_h = 5\n", 1),
             REFERENCE.replace("A = np.maximum(0, Z)", "A = np.minimum(0, Z)", 1)]
    assert all(b != REFERENCE for b in buggy)
    for i in range(size):
        if i % 4 == 3:
            shutil.copy(RELEASE_DIR / "planar_classification.ipynb", folder / f"s{i:02d}.ipynb")
        else:
            text = REFERENCE if i % 4 == 0 else buggy[i % 4 - 1]
            (folder / f"s{i:02d}.py").write_text(text, encoding="utf-8")
    (folder / "nothing").mkdir()
    return sorted(p.stem for p in folder.iterdir())


def batch(folder: Path, out: Path, *options: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), *options],
                          capture_output=True, text=True, timeout=timeout, env=ENV)


def rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def checks(out: Path, student: str) -> list[tuple]:
    data = json.loads((out / student / "results.json").read_text())
    return [(t["name"], t["score"], t.get("output", "")) for t in data["tests"]]


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:g} s for {what}")
        time.sleep(0.2)


def test_the_cluster_grades_as_the_local_batch_does(cluster, tmp_path):
    address, _, _ = cluster
    folder = tmp_path / "class"
    folder.mkdir()
    students = write_class(folder, 4)
    local = batch(folder, tmp_path / "local", "--jobs", "2")
    remote = batch(folder, tmp_path / "remote", "--scheduler", address)
    assert (local.returncode, remote.returncode) == (1, 1), remote.stderr  # the student with nothing is an error row
    assert "nothing: no notebook or Python file in the folder" in remote.stdout
    assert (tmp_path / "remote" / "grades.csv").read_text() == (tmp_path / "local" / "grades.csv").read_text()
    assert rows(tmp_path / "remote")["s00"]["score"] == "68"
    graded = [s for s in students if s != "nothing"]
    assert len({rows(tmp_path / "remote")[s]["score"] for s in graded}) > 1
    for student in graded:
        assert checks(tmp_path / "remote", student) == checks(tmp_path / "local", student)
        assert (tmp_path / "remote" / student / "junit.xml").is_file()


def test_a_worker_killed_mid_batch_loses_no_submission(cluster, tmp_path):
    address, client, logs = cluster
    folder = tmp_path / "class"
    folder.mkdir()
    write_class(folder, 6)
    extra = start_worker(address, logs, "doomed")
    try:
        client.wait_for_workers(3, timeout=120)
        doomed = next(a for a, w in client.scheduler_info()["workers"].items() if w.get("name") == "doomed")
        run = subprocess.Popen([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(tmp_path / "out"),
                                "--scheduler", address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=ENV)
        wait_for(lambda: client.processing().get(doomed), 120, "the doomed worker to take a submission")
        os.killpg(extra.pid, signal.SIGKILL)
        stdout, stderr = run.communicate(timeout=900)
    finally:
        stop(extra)
    assert run.returncode == 1, stderr  # the student with nothing, and only that one
    assert "6 of 7 submissions graded" in stdout
    graded = rows(tmp_path / "out")
    assert [s for s, row in graded.items() if row["status"] != "graded"] == ["nothing"]
    assert all(graded[f"s{i:02d}"]["score"] == "68" for i in (0, 4))


def test_a_batch_resumes_across_a_restart_of_the_client(cluster, tmp_path):
    address, _, _ = cluster
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    write_class(folder, 6)
    first = subprocess.Popen([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out),
                              "--scheduler", address], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    stamps = lambda: {p.parent.name: p.stat().st_mtime_ns for p in out.glob(f"*/{FINGERPRINT_FILE}")}  # noqa: E731
    wait_for(lambda: len(stamps()) >= 1, 300, "a first graded submission")
    first.kill()
    first.wait()
    before = stamps()
    assert 1 <= len(before) < 6, "the client was stopped mid-batch"
    second = batch(folder, out, "--scheduler", address)
    assert second.returncode == 1 and "6 of 7 submissions graded" in second.stdout, second.stderr
    skipped = [line.split("] ", 1)[1].split(":")[0] for line in second.stderr.splitlines()
               if line.endswith("(already graded)")]
    assert sorted(skipped) == sorted(before)
    for student, stamp in before.items():
        assert stamps()[student] == stamp, f"{student} was graded again"
    assert sorted(stamps()) == [f"s{i:02d}" for i in range(6)]
    again = batch(folder, out, "--scheduler", address)
    assert again.stderr.count("(already graded)") == 6
    forced = batch(folder, out, "--scheduler", address, "--force")
    assert forced.stderr.count("(already graded)") == 0 and "6 of 7 submissions graded" in forced.stdout


def test_a_worker_that_cannot_confine_refuses_with_one_line(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    scheduler = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                  "--no-dashboard"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(without_landlock([str(DASK), "worker", address, "--nthreads", "1", "--no-nanny",
                                                "--no-dashboard", "--local-directory", str(tmp_path / "w")]), env=ENV,
                              stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with distributed.Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(1, timeout=120)
        folder = tmp_path / "class"
        folder.mkdir()
        (folder / "ada.py").write_text(REFERENCE, encoding="utf-8")
        trusted = batch(folder, tmp_path / "trusted", "--scheduler", address, "--allow-unconfined")
        assert trusted.returncode == 0 and rows(tmp_path / "trusted")["ada"]["score"] == "68", trusted.stderr
        refused = batch(folder, tmp_path / "refused", "--scheduler", address, timeout=300)
        assert refused.returncode == 1
        line = refused.stderr.strip().splitlines()[-1]
        assert line.startswith(f"autograder batch: no worker of {address} may grade: this Dask worker refuses to grade: "
                               "submissions would run not confined"), refused.stderr
        assert "--allow-unconfined" in line
        worker.wait(timeout=60)  # it closed itself rather than take work
        assert rows(tmp_path / "refused")["ada"]["status"] == "pending"
        assert "autograder: this Dask worker refuses to grade" in log.read_text()
    finally:
        stop(worker)
        stop(scheduler)


def test_a_worker_that_closes_gracefully_takes_its_grader_folders_with_it(tmp_path):
    """A Dask worker told to stop (SIGTERM) closes its warm graders, whose folders hold the submissions' copies."""
    address = f"tcp://127.0.0.1:{free_port()}"
    scheduler = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                  "--no-dashboard"], env=ENV, stdout=open(tmp_path / "scheduler.log", "wb"),  # noqa: SIM115
                                 stderr=subprocess.STDOUT, start_new_session=True)
    temporary = tmp_path / "worker-tmp"
    temporary.mkdir()
    worker = subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                               "--local-directory", str(tmp_path / "w")], env=dict(ENV, TMPDIR=str(temporary)),
                              stdout=open(tmp_path / "worker.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
                              start_new_session=True)
    try:
        folder = tmp_path / "class"
        folder.mkdir()
        (folder / "alice.py").write_text(REFERENCE, encoding="utf-8")
        done = batch(folder, tmp_path / "out", "--scheduler", address)
        assert done.returncode == 0, done.stderr
        assert list(temporary.glob("autograder-grader-*")), "the worker's warm grader works in a folder of its own"
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        assert list(temporary.glob("autograder-grader-*")) == []
    finally:
        for process in (worker, scheduler):
            stop(process)
