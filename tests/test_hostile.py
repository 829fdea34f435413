"""Hostile and broken submissions: grading finishes, credit is exactly what was earned, nothing leaks.

The whole corpus (tests/submissions/hostile.py) is graded once by `autograder batch` with two
jobs and tight limits (3 s per call, 1024 MB, 120 s per submission, the default 256 MB of
disk) while a UDP socket listens where the UDP sender aims; the tests read the files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from autograder.course.paths import GRADERS_DIR, RELEASE_DIR, ROOT, SOLUTION_FILE, SOURCE_DIR
from autograder.engine.grade import GradeRequest, grade
from autograder.engine.plugin import grader_weights
from autograder.engine.redact import WITHHELD, redact, secret_lines
from autograder.sandbox import forkserver_client, landlock
from autograder.sandbox.handle import WORKER_SCRIPT, Limits


CHECKS = len(grader_weights())  # how many checks the graders have


sys.path.insert(0, str(Path(__file__).parent / "submissions"))
import hostile  # noqa: E402


LIMITS = ["--call-timeout", "3", "--memory-mb", "1024", "--budget", "120"]
CASES = {c.name: c for c in hostile.hostile_cases(str(RELEASE_DIR), str(ROOT)) + hostile.broken_cases()}
needs_landlock = pytest.mark.skipif(landlock.abi_version() < 1, reason="Landlock is not available on this kernel")


def fingerprint() -> dict[str, str]:
    """Hashes of the files a submission must not be able to change."""
    files = [SOLUTION_FILE, *RELEASE_DIR.rglob("*"), *SOURCE_DIR.rglob("*"), *GRADERS_DIR.glob("*.py")]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file() and "__pycache__" not in p.parts}


def survivors() -> list[str]:
    """Command lines of processes carrying the corpus's mark: children that outlived grading."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if entry.name.isdigit() and hostile.MARK in cmdline and "cmdline" not in cmdline:
            found.append(cmdline)
    return found


def udp_listener() -> tuple[socket.socket, list[bytes]]:
    """A UDP socket on 127.0.0.1 where the UDP sender aims, and the list that collects what arrives."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", hostile.UDP_PORT))
    listener.settimeout(0.2)
    received: list[bytes] = []

    def listen() -> None:
        while listener.fileno() >= 0:
            try:
                received.append(listener.recv(4096))
            except (TimeoutError, OSError):
                continue
    threading.Thread(target=listen, daemon=True).start()
    return listener, received


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder, out = tmp_path_factory.mktemp("hostile"), tmp_path_factory.mktemp("hostile-graded")
    canary = Path(tempfile.mkdtemp(prefix="autograder-canary-"))
    (canary / "keep.txt").write_text("keep")
    for case in CASES.values():
        (folder / f"{case.name}{case.suffix}").write_bytes(case.text.encode(case.encoding))
    before = fingerprint()
    listener, received = udp_listener()
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), "--jobs", "2",
                          *LIMITS], capture_output=True, text=True, timeout=1200)
    elapsed = time.monotonic() - started
    time.sleep(0.2)
    listener.close()
    yield {"run": run, "out": out, "elapsed": elapsed, "changed": before != fingerprint(),
           "canary": (canary / "keep.txt").read_text() if (canary / "keep.txt").exists() else None,
           "survivors": survivors(), "udp_received": received}


def document(corpus, name: str) -> dict:
    return json.loads((corpus["out"] / name / "results.json").read_text())


def test_every_submission_gets_a_valid_result_in_bounded_time(corpus):
    assert corpus["run"].returncode == 0, corpus["run"].stdout + corpus["run"].stderr
    assert f"{len(CASES)} of {len(CASES)} submissions graded" in corpus["run"].stdout
    for name in CASES:
        graded = document(corpus, name)
        assert len(graded["tests"]) == CHECKS and graded["max_score"] == 68
        assert graded["score"] == pytest.approx(sum(t["score"] for t in graded["tests"]))
        assert graded["execution_time"] < 120
        assert (corpus["out"] / name / "junit.xml").is_file()


@pytest.mark.parametrize("name", sorted(CASES))
def test_credit_is_exactly_what_was_earned(corpus, name):
    case, graded = CASES[name], document(corpus, name)
    if case.score is not None:
        assert graded["score"] == case.score
    for test in graded["tests"]:
        touched = set(test["tags"]) & set(case.attacked)
        if test["tags"][0] in case.attacked and test["visibility"] != "visible":
            assert test["status"] == "failed", f"{test['name']} passed although {test['tags'][0]} was attacked"
        if case.attacked and not touched:
            assert test["status"] == "passed", f"{test['name']}: {test['output']}"
    if case.attacked:
        assert graded["score"] < 68
    if case.says:
        text = graded["output"] + "\n".join(t["output"] for t in graded["tests"])
        assert case.says in text


def test_no_child_process_survives_grading(corpus):
    assert corpus["survivors"] == []


@needs_landlock
def test_no_file_outside_the_scratch_folder_changes(corpus):
    assert corpus["changed"] is False and corpus["canary"] == "keep"


def test_no_packet_leaves_a_submission(corpus):
    """Both UDP senders (Python's socket, and libc's socket() through ctypes) are refused; nothing arrives."""
    assert corpus["udp_received"] == []
    graded = document(corpus, "udp_sender")
    outputs = {t["tags"][0]: t["output"] for t in graded["tests"] if t["visibility"] == "visible"}
    assert "the submission tried to open a network connection; grading machines allow none" in outputs["tanh"]
    assert "PermissionError" in outputs["sigmoid"]


def _scratch_peaks(stop: threading.Event, peaks: dict[int, int]) -> None:
    """Until `stop`: the most bytes each running worker's scratch folder (its cwd, seen through /proc) held.
    A worker runs worker.py or, forked from the fork server, carries the server's command line as its parent does."""
    while not stop.is_set():
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if not _is_worker(entry):
                    continue
                used = 0
                for root, _dirs, files in os.walk(entry / "cwd"):
                    used += sum(os.lstat(os.path.join(root, f)).st_blocks * 512 for f in files)
            except OSError:
                continue  # ended while we looked
            peaks[int(entry.name)] = max(peaks.get(int(entry.name), 0), used)
        time.sleep(0.002)


def _is_worker(entry: Path) -> bool:
    command = (entry / "cmdline").read_bytes()
    if str(WORKER_SCRIPT).encode() in command:
        return True
    server = str(forkserver_client.SCRIPT).encode()
    if server not in command:
        return False
    stat = (entry / "stat").read_text()
    parent = stat[stat.rindex(")") + 2:].split()[1]
    return server in Path(f"/proc/{parent}/cmdline").read_bytes()  # the server's child, not the server


def test_the_disk_filler_is_stopped_within_its_budget(tmp_path):
    """The filler writes 32 MB files under new names as fast as it can; the scratch folder never holds more than
    the 256 MB budget (measured here, from outside, while it runs), and the report names the budget."""
    path = tmp_path / "filler.py"
    path.write_text(CASES["disk_filler"].text)
    stop, peaks = threading.Event(), {}
    watcher = threading.Thread(target=_scratch_peaks, args=(stop, peaks))
    watcher.start()
    try:
        run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(path), "--out", str(tmp_path / "out"),
                              "--only", "layer_sizes", *LIMITS], capture_output=True, text=True, timeout=300)
    finally:
        stop.set()
        watcher.join()
    assert run.returncode == 0, run.stderr
    graded = json.loads((tmp_path / "out" / "results.json").read_text())
    assert graded["score"] == 0 and graded["tests"], graded
    assert all("wrote more than 256 MB" in t["output"] for t in graded["tests"]), graded["tests"]
    peak = max(peaks.values(), default=0)
    assert 200 * 2**20 < peak <= 256 * 2**20, f"peak scratch usage {peak / 2**20:.0f} MB"


def fill_up(folder: Path) -> None:
    """Write into `folder` until its file system is full."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"x" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def mount_full_tmpfs(folder: Path) -> None:
    """A 64 KB tmpfs on `folder`, filled up: nothing more can be written there."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], check=True, capture_output=True)
    fill_up(folder)


def can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", tmp], capture_output=True)
        if done.returncode == 0:
            subprocess.run(["umount", tmp], check=True)
        return done.returncode == 0


@pytest.mark.skipif(not can_mount(), reason="simulating a full disk needs root and mount (a small tmpfs)")
def test_results_that_cannot_be_written_are_an_error_row_and_regraded_next_time(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    full = hostile.full_disk_student()
    (folder / "ada.py").write_text(SOLUTION_FILE.read_text())
    (folder / f"{full.name}{full.suffix}").write_text(full.text)
    try:
        mount_full_tmpfs(out / full.name)
        one = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder / "ada.py"), "--only", "relu",
                              "--out", str(out / full.name / "results")], capture_output=True, text=True, timeout=300)
        assert one.returncode == 1 and one.stderr.count("\n") == 1
        assert "No space left on device" in one.stderr and "nothing was recorded" in one.stderr
        first = subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), *LIMITS],
                               capture_output=True, text=True, timeout=600)
        assert first.returncode == 1
        assert f"{full.name}: grading failed: could not write the results" in first.stdout
        rows = {line.split(",")[0]: line.split(",") for line in (out / "grades.csv").read_text().splitlines()[1:]}
        assert rows["ada"][3] == "graded" and (out / "ada" / "results.json").is_file()
        assert rows[full.name][1:4] == ["", "", "error"] and "No space left on device" in rows[full.name][4]
    finally:
        subprocess.run(["umount", str(out / full.name)], capture_output=True)
    again = subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), *LIMITS],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "(already graded)" in again.stderr.split("ada: ")[1].splitlines()[0]  # only the missing one is regraded
    assert "already graded" not in again.stderr.split(f"{full.name}: ")[1].splitlines()[0]
    rows = {line.split(",")[0]: line.split(",")[3] for line in (out / "grades.csv").read_text().splitlines()[1:]}
    assert rows == {"ada": "graded", full.name: "graded"}
    assert json.loads((out / full.name / "results.json").read_text())["max_score"] == 68


@pytest.mark.skipif(not can_mount(), reason="simulating a full disk needs root and mount (a small tmpfs)")
def test_a_grades_file_that_cannot_be_rewritten_stays_whole(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    (folder / "ada.py").write_text(SOLUTION_FILE.read_text())
    out.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(out)], check=True)
        first = subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), *LIMITS],
                               capture_output=True, text=True, timeout=600)
        assert first.returncode == 0, first.stderr
        before = (out / "grades.csv").read_text()
        (folder / "bob.py").write_text(SOLUTION_FILE.read_text())
        fill_up(out)
        second = subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), *LIMITS],
                                capture_output=True, text=True, timeout=600)
        assert second.returncode == 1
        assert second.stderr.strip().splitlines()[-1].startswith(f"autograder batch: could not write {out / 'grades.csv'}")
        assert (out / "grades.csv").read_text() == before
    finally:
        subprocess.run(["umount", str(out)], capture_output=True)


def test_children_that_leave_their_session_are_reaped_when_processes_are_allowed():
    """With child processes allowed (seccomp off), a daemon started by the submission still dies with grading."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "children.py"
        path.write_text(CASES["children_outlive"].text)
        result = grade(GradeRequest(path, Limits(call_seconds=5, statement_seconds=5, child_processes=True),
                                    only=("relu", "relu_backward")))
    assert result.score == result.max_score == 4
    time.sleep(0.2)
    assert survivors() == []


def test_no_score_comes_from_the_submissions_own_files(corpus):
    for name in ("fake_results", "monkeypatched_comparisons"):
        graded = document(corpus, name)
        assert graded["score"] == 0 and len(graded["tests"]) == CHECKS


def test_nothing_of_the_hidden_material_reaches_any_report(corpus):
    secrets = secret_lines()
    assert len(secrets) > 500
    for name in CASES:
        for file in ("results.json", "junit.xml"):
            text = (corpus["out"] / name / file).read_text()
            leaked = [line for line in secrets if line in text]
            assert leaked == [], f"{name}/{file} quotes {leaked[:2]}"


def test_an_unconfined_worker_still_cannot_leak_through_its_messages(tmp_path, capsys):
    """Without Landlock the submission can read the reference; its messages are withheld instead."""
    path = tmp_path / "steal.py"
    path.write_text(CASES["steal_hidden_material"].text)
    cwd = os.getcwd()
    os.chdir(ROOT)  # where the thief starts looking
    try:
        result = grade(GradeRequest(path, Limits(call_seconds=5, statement_seconds=5, confine=False), only=("relu",)))
    finally:
        os.chdir(cwd)
    relu = [t for t in result.tests if t.tags[0] == "relu"]
    assert relu and any(WITHHELD in t.output for t in relu)
    assert any(WITHHELD in note for note in result.notes)
    reported = result.output + "\n".join(t.output for t in result.tests)
    assert not [line for line in secret_lines() if line in reported]
    assert "not confined: disabled" in capsys.readouterr().err


def test_a_grade_obtained_with_tampered_course_files_is_not_reported(tmp_path):
    """Unconfined, a submission could plant a grader; the change is noticed and nothing is credited."""
    planted = GRADERS_DIR / "test_zz_planted_by_a_student.py"
    path = tmp_path / "planter.py"
    path.write_text(SOLUTION_FILE.read_text() + f"\nopen({str(planted)!r}, 'w').write('def test_free_points():\\n    pass\\n')\n")
    try:
        result = grade(GradeRequest(path, Limits(call_seconds=5, statement_seconds=5, confine=False)))
    finally:
        planted.unlink(missing_ok=True)
    assert result.score == 0 and len(result.tests) == CHECKS
    assert "changed the course's own files" in result.output


def test_redaction_spares_ordinary_messages():
    assert redact("relu raised ValueError: operands could not be broadcast together") .startswith("relu raised")
    quoted = next(line for line in secret_lines() if "slopes" in line)
    assert redact(f"RuntimeError: look: {quoted}") == WITHHELD


def test_a_killed_batch_resumes_and_its_grades_file_is_never_half_written(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for student in ("ada", "bob", "cy"):
        (folder / f"{student}.py").write_text(SOLUTION_FILE.read_text())
    (folder / "dan.py").write_text(CASES["loop_in_count_linear_regions"].text)
    batch = subprocess.Popen([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), "--jobs", "1",
                              *LIMITS], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    grades, deadline = out / "grades.csv", time.monotonic() + 120
    while time.monotonic() < deadline and "ada,68," not in (grades.read_text() if grades.exists() else ""):
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)
    batch.wait()
    lines = (out / "grades.csv").read_text().splitlines()
    assert lines[0].startswith("student,score,max_score,status") and len(lines) == 5
    assert all(line.count(",") == lines[0].count(",") for line in lines)
    again = subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), *LIMITS],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "ada: 68/68 (already graded)" in again.stderr
    rows = [line.split(",") for line in (out / "grades.csv").read_text().splitlines()[1:]]
    assert {r[0]: r[1] for r in rows} == {"ada": "68", "bob": "68", "cy": "68", "dan": "65"}
