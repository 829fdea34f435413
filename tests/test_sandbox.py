"""Student code runs in a worker process that hands back plain data, under limits."""

from __future__ import annotations

import errno
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.course.paths import RELEASE_DIR, SOURCE_NOTEBOOK
from autograder.sandbox import codec, landlock, protocol, seccomp
from autograder.sandbox.handle import Limits, SandboxError, StudentError, WorkerHandle


FAST = Limits(call_seconds=2, statement_seconds=2, memory_mb=1024)


# --- codec -------------------------------------------------------------------------------


def round_trip(value):
    """`value` as the other process receives it: encoded, framed, sent through a pipe, received, decoded."""
    read, write = os.pipe()
    try:
        protocol.send(write, {"value": codec.encode(value)})
        return codec.decode(protocol.receive(read)["value"])
    finally:
        os.close(read)
        os.close(write)


def test_plain_data_round_trips():
    value = {"A": np.arange(6, dtype=float).reshape(2, 3), "mask": np.array([[True, False]]), "n": 3, "x": 0.5,
             "nan": float("nan"), "pair": (1, [2, None]), "s": "ok", "i8": np.int64(4), "f": np.float32(1.5)}
    back = round_trip(value)
    assert back["pair"] == (1, [2, None]) and back["i8"] == 4 and type(back["i8"]) is int and back["f"] == 1.5
    np.testing.assert_array_equal(back["A"], value["A"])
    assert back["mask"].dtype == bool and np.isnan(back["nan"])
    back["A"][0, 0] = 7.0  # an array of its own, writable


def test_arrays_in_the_other_byte_order_arrive_with_their_values():
    for dtype in (">f8", ">i4", "<f8"):
        value = np.array([[1.5, -2.0, 3.0]]).astype(dtype)
        back = round_trip(value)
        np.testing.assert_array_equal(back, value)
        assert back.dtype.isnative


def test_an_array_travels_as_its_raw_bytes_beside_the_json():
    read, write = os.pipe()
    try:
        protocol.send(write, {"value": codec.encode(np.arange(4.0))})
        raw = os.read(read, 1 << 16)
    finally:
        os.close(read)
        os.close(write)
    size, blocks = protocol.HEADER.unpack(raw[:protocol.HEADER.size])
    text = raw[protocol.HEADER.size:protocol.HEADER.size + size]
    assert blocks == 1 and b'"__blob__":0' in text and np.arange(4.0).tobytes() in raw


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return True


def test_array_subclasses_arrive_as_plain_arrays():
    back = round_trip(np.zeros(3).view(LyingArray))
    assert type(back) is np.ndarray and not (back == np.ones(3)).all()


@pytest.mark.parametrize("value", [object(), {1: 2}, np.array([object()]), lambda: 1, {"a": {"b": [set()]}}])
def test_values_that_are_not_plain_data_are_refused(value):
    with pytest.raises(codec.CodecError):
        codec.encode(value)


@pytest.mark.parametrize("message", [
    {"__ndarray__": {"dtype": "float64", "shape": [3], "data": b"\0" * 8}},   # fewer bytes than the shape needs
    {"__ndarray__": {"dtype": "float64", "shape": [3], "data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},  # text, not bytes
    {"__ndarray__": {"dtype": "object", "shape": [1], "data": b""}},
    {"__ndarray__": {"dtype": "float64", "shape": [-1], "data": b""}},
    {"__ndarray__": {"dtype": "float64", "shape": [1], "data": {"__blob__": 0}}},  # a block that never came
    {"__pickle__": "gASVAAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOULg=="},
    {"__float__": "1e999999"},
    {"a": 1, "b": 2},
    b"\0" * 8,  # bytes anywhere but an array's data
    [{"__dict__": {"x": b"\0"}}],
])
def test_malformed_messages_are_refused(message):
    with pytest.raises(codec.CodecError):
        codec.decode(message)


def frame(json_text: bytes, blocks: list[bytes], declared: int | None = None) -> bytes:
    count = len(blocks) if declared is None else declared
    return protocol.HEADER.pack(len(json_text), count) + json_text + b"".join(
        protocol.BLOCK.pack(len(b)) + b for b in blocks)


@pytest.mark.parametrize("raw, problem", [
    (frame(b'{"v":{"__blob__":0}}', [b"x"]), "a block stays a block only as an array's data"),
    (frame(b'{"v":{"__ndarray__":{"dtype":"uint8","shape":[1],"data":{"__blob__":1}}}}', [b"x"]), "no block 1"),
    (frame(b'{"v":{"__ndarray__":{"dtype":"uint8","shape":[1],"data":{"__blob__":-1}}}}', [b"x"]), "no block -1"),
])
def test_blocks_are_bytes_only_where_an_array_names_one_that_came(raw, problem):
    read, write = os.pipe()
    try:
        os.write(write, raw)
        message = protocol.receive(read)
    finally:
        os.close(read)
        os.close(write)
    with pytest.raises(codec.CodecError):
        codec.decode(message["v"])


@pytest.mark.parametrize("header", [protocol.HEADER.pack(2, protocol.MAX_BLOCKS + 1),
                                    protocol.HEADER.pack(protocol.MAX_MESSAGE + 1, 0)])
def test_frames_over_the_limits_are_refused_before_anything_is_read(header):
    read, write = os.pipe()
    try:
        os.write(write, header)
        with pytest.raises(protocol.ProtocolError):
            protocol.receive(read)
    finally:
        os.close(read)
        os.close(write)


# --- loading a submission ----------------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_failing_and_hanging_statements_are_reported_and_skipped(tmp_path):
    source = ("import numpy as np\n"
              "def relu(Z):\n    return np.maximum(0, Z)\n"
              "x = 1 / 0\n"
              "while True:\n    pass\n"
              "import os\nos._exit(3)\n"
              "raise SystemExit(0)\n"
              "y = 5\n"
              "def get_y():\n    return y\n")
    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        report = worker.load()
        assert [(f.where, f.message, f.kind, f.exception) for f in report.failures] == [
            ("line 4", "ZeroDivisionError: division by zero", "raised", "ZeroDivisionError"),
            ("line 5", "timed out after 2 s", "timeout", ""),
            ("line 8", "the worker exited with status 3", "crash", ""),
            ("line 9", "SystemExit: 0", "raised", "SystemExit")]
        np.testing.assert_array_equal(worker.call("relu", np.array([[-1.0, 2.0]])), [[0.0, 2.0]])
        assert worker.call("get_y") == 5


def test_a_call_that_hangs_or_dies_costs_only_itself(tmp_path):
    source = ("import os, time\n"
              "def hang():\n    while True:\n        pass\n"
              "def die():\n    os._exit(3)\n"
              "def hog():\n    return bytearray(4 * 2**30)\n"
              "def thing():\n    return object()\n"
              "def fine(a, b=1):\n    return a + b\n")
    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        worker.load()  # starting the worker is not the call's time
        start = time.monotonic()
        with pytest.raises(SandboxError, match="timed out after 2 s during hang"):
            worker.call("hang")
        assert time.monotonic() - start < 4
        assert worker.call("fine", 2, b=3) == 5
        with pytest.raises(SandboxError, match="exited with status 3 during die"):
            worker.call("die")
        assert worker.call("fine", 1) == 2
        with pytest.raises(StudentError, match="MemoryError"):
            worker.call("hog")
        with pytest.raises(StudentError, match="thing returned a value of type object, which cannot be graded"):
            worker.call("thing")
        with pytest.raises(StudentError, match="missing is not defined"):
            worker.call("missing")
        assert worker.call("fine", 10) == 11


def test_student_exceptions_say_where(tmp_path):
    with WorkerHandle(write(tmp_path, "s.py", "def f(x):\n    return x[5]\n"), limits=FAST) as worker:
        with pytest.raises(StudentError) as raised:
            worker.call("f", [1, 2])
        assert str(raised.value) == "IndexError: list index out of range" and raised.value.at == "line 2"


def test_swapped_in_functions_run_in_the_grader(tmp_path):
    source = "def outer(x):\n    return helper(x) * 2\n"
    seen = []
    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        assert worker.call("outer", 3, proxies={"helper": lambda x: seen.append(x) or x + 1}) == 8
        with pytest.raises(StudentError, match="NameError"):
            worker.call("outer", 3)  # the swap lasts one call
    assert seen == [3]


def notebook(cells, nbgrader=True):
    out = []
    for kind, source, meta in cells:
        cell = {"cell_type": kind, "metadata": meta if nbgrader else {}, "source": source}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        out.append(cell)
    return json.dumps({"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_failures_are_listed_in_notebook_order(tmp_path):
    solution = {"nbgrader": {"solution": True, "grade_id": "zeta", "grade": False, "locked": False}}
    cells = [("code", "import os\nos._exit(4)", {"tags": ["setup"]}),
             ("code", "x = 1 / 0", solution),
             ("markdown", "Markdown cells do not count: code cells are numbered as a student counts them.", {}),
             ("code", "def bad(:", {}),
             ("code", "import no_such_module_here", {})]
    with WorkerHandle(write(tmp_path, "n.ipynb", notebook(cells)), limits=FAST) as worker:
        assert [(f.where, f.message) for f in worker.load().failures] == [
            ("code cell 3, line 1", "SyntaxError: invalid syntax"),
            ("code cell 1, line 2", "the worker exited with status 4"),
            ("cell 'zeta', line 1", "ZeroDivisionError: division by zero"),
            ("code cell 4, line 1", "ModuleNotFoundError: No module named 'no_such_module_here'"),
        ]


def test_notebook_runs_solution_and_setup_cells_whole_and_only_definitions_elsewhere(tmp_path):
    solution = {"nbgrader": {"solution": True, "grade_id": "relu", "grade": False, "locked": False}}
    test = {"nbgrader": {"grade": True, "grade_id": "test_relu", "locked": True, "points": 1, "solution": False}}
    cells = [
        ("markdown", "# title", {}),
        ("code", "import numpy as np\nSCALE = 2", {"tags": ["setup"]}),
        ("code", "%matplotlib inline\ndef relu(Z):\n    return np.maximum(0, Z) * SCALE // 2\nfactor = 3", solution),
        ("code", "assert relu(-1) == 99", test),
        ("code", "for i in range(10**12):\n    pass\ndef helper():\n    return 'kept'\nSCALE = 100", {}),
        ("code", "def broken(:\n    pass", {}),
    ]
    with WorkerHandle(write(tmp_path, "n.ipynb", notebook(cells)), limits=FAST) as worker:
        report = worker.load()
        assert [(f.where, f.message) for f in report.failures] == [("code cell 5, line 1", "SyntaxError: invalid syntax")]
        assert worker.call("relu", 4) == 4 and worker.call("helper") == "kept"
        assert "factor" not in report.callables and {"relu", "helper"} <= set(report.callables)


def test_notebook_without_nbgrader_metadata_runs_like_a_script(tmp_path):
    cells = [("code", "x = 2", {}), ("code", "def f():\n    return x", {})]
    with WorkerHandle(write(tmp_path, "n.ipynb", notebook(cells, nbgrader=False)), limits=FAST) as worker:
        assert worker.load().failures == [] and worker.call("f") == 2


def test_unreadable_notebook_is_reported(tmp_path):
    with WorkerHandle(write(tmp_path, "n.ipynb", '{"cells": [ truncated'), limits=FAST) as worker:
        assert worker.load().unreadable.startswith("it is not a valid notebook: the JSON breaks at line 1")


def test_the_reference_notebook_loads_and_trains_in_the_worker():
    from autograder.course.solutions import load_reference

    ref = load_reference()
    with WorkerHandle(SOURCE_NOTEBOOK, path_entries=[RELEASE_DIR]) as worker:
        assert worker.load().failures == []
        X, Y = worker.call("load_planar_dataset")
        parameters = worker.call("nn_model", X, Y, 4, num_iterations=2000)
        assert np.mean(ref.predict(parameters, X) == Y) > 0.85
        rng = np.random.default_rng(0)
        P = {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=(3, 1)), "W2": rng.normal(size=(1, 3)),
             "b2": rng.normal(size=(1, 1))}
        Xs, Ys = rng.normal(size=(2, 5)), rng.integers(0, 2, size=(1, 5))

        def planted(parameters, cache, X, Y, activation="tanh"):
            grads = ref.backward_propagation(parameters, cache, X, Y, activation)
            return {**grads, "dW2": grads["dW2"] * 2}

        assert worker.call("gradient_check", P, Xs, Ys, proxies={"backward_propagation": ref.backward_propagation}) < 1e-7
        assert worker.call("gradient_check", P, Xs, Ys, proxies={"backward_propagation": planted}) > 1e-3


def test_the_untouched_release_reports_not_implemented():
    with WorkerHandle(RELEASE_DIR / "planar_classification.ipynb", path_entries=[RELEASE_DIR]) as worker:
        assert worker.load().failures == []
        with pytest.raises(StudentError, match="NotImplementedError") as raised:
            worker.call("relu", np.zeros(2))
        assert raised.value.at == "cell 'activations_relu', line 6"


def test_scratch_folder_is_removed_and_the_worker_stopped(tmp_path):
    worker = WorkerHandle(write(tmp_path, "s.py", "def f():\n    return 1\n"), limits=FAST)
    assert worker.call("f") == 1
    process, scratch = worker.process, worker.scratch
    worker.close()
    assert process.poll() is not None and not scratch.exists()


def test_a_worker_that_cannot_start_is_one_clear_error(tmp_path):
    starved = Limits(call_seconds=2, statement_seconds=2, memory_mb=8)  # too little for Python itself
    with WorkerHandle(write(tmp_path, "s.py", "x = 1\n"), limits=starved) as worker:
        with pytest.raises(SandboxError, match=r"^the worker could not start the submission \(the worker "):
            worker.load()


# --- disk budget and network ---------------------------------------------------------------

FILLER = ("import os\n"
          "def fill(mb):\n"
          "    block = b'x' * (mb * 2**20)\n"
          "    for i in range(10_000):  # new names, as fast as it can, until a write fails\n"
          "        with open(f'f{i}.bin', 'wb') as f:\n"
          "            f.write(block)\n")


def _peak_while(worker: WorkerHandle, call) -> int:
    """Most bytes the worker's scratch folder held while `call()` ran, measured every millisecond from outside."""
    stop, peak = threading.Event(), [0]

    def measure() -> None:
        while not stop.is_set():
            try:
                where = f"/proc/{worker.process.pid}/cwd" if worker.disk == "tmpfs" else str(worker.home)
                used = sum(os.lstat(os.path.join(root, f)).st_blocks * 512
                           for root, _, files in os.walk(where) for f in files)
                peak[0] = max(peak[0], used)
            except (OSError, AttributeError):
                pass
            time.sleep(0.001)
    thread = threading.Thread(target=measure)
    thread.start()
    try:
        call()
    finally:
        stop.set()
        thread.join()
    return peak[0]


@pytest.mark.parametrize("file_mb", [1, 32])
def test_a_private_tmpfs_refuses_writes_past_the_budget(tmp_path, file_mb):
    limits = Limits(call_seconds=10, statement_seconds=10, memory_mb=1024, disk_mb=64)
    with WorkerHandle(write(tmp_path, "s.py", FILLER), limits=limits) as worker:
        worker.load()
        if worker.disk != "tmpfs":
            pytest.skip("the kernel refused a private tmpfs here (needs root); the watcher is tested below")
        raised = []
        peak = _peak_while(worker, lambda: raised.append(pytest.raises(StudentError, worker.call, "fill", file_mb)))
        assert str(raised[0].value) == "OSError: wrote more than 64 MB, all the disk space a submission may use"
        assert 60 * 2**20 < peak <= 64 * 2**20
        assert list(worker.home.iterdir()) == []  # nothing reached the real disk


@pytest.mark.parametrize("file_mb", [1, 32])
def test_the_watcher_stops_a_worker_soon_after_it_passes_the_budget(tmp_path, file_mb):
    """Where no tmpfs can be mounted: the worker is killed within a bounded overshoot (16 MB measured at most)."""
    limits = Limits(call_seconds=10, statement_seconds=10, memory_mb=1024, disk_mb=64, private_tmpfs=False)
    with WorkerHandle(write(tmp_path, "s.py", FILLER), limits=limits) as worker:
        worker.load()
        assert worker.disk == "watch"
        raised = []
        peak = _peak_while(worker, lambda: raised.append(pytest.raises(SandboxError, worker.call, "fill", file_mb)))
        assert str(raised[0].value) == ("the worker wrote more than 64 MB, all the disk space a submission may use, "
                                        "and was stopped during fill")
        assert 64 * 2**20 < peak <= (64 + 48) * 2**20
        assert worker.call("fill", 0) is None  # a fresh worker, with an empty scratch folder


SENDERS = ("import ctypes, socket\n"
           "def python(family, kind):\n"
           "    socket.socket(family, kind)\n"
           "def libc(family, kind):\n"
           "    fd = ctypes.CDLL(None, use_errno=True).socket(family, kind, 0)\n"
           "    return fd, ctypes.get_errno()\n")


@pytest.mark.parametrize("family, kind", [(socket.AF_INET, socket.SOCK_DGRAM), (socket.AF_INET, socket.SOCK_STREAM),
                                          (socket.AF_INET6, socket.SOCK_DGRAM), (socket.AF_INET, socket.SOCK_RAW),
                                          (socket.AF_UNIX, socket.SOCK_STREAM), (socket.AF_PACKET, socket.SOCK_RAW),
                                          (socket.AF_NETLINK, socket.SOCK_RAW)])
def test_no_socket_of_any_family_can_be_opened(tmp_path, family, kind):
    if landlock.abi_version() < 1 or platform.machine() not in seccomp.SYSCALLS:
        pytest.skip("the worker cannot confine itself on this platform")
    with WorkerHandle(write(tmp_path, "s.py", SENDERS), limits=FAST) as worker:
        with pytest.raises(StudentError, match="^PermissionError: the submission tried to open a network connection; "
                                               "grading machines allow none$"):
            worker.call("python", int(family), int(kind))
        assert worker.call("libc", int(family), int(kind)) == (-1, errno.EACCES)  # seccomp, under Python


HIDING = """
import json, os, sys
from autograder.sandbox import landlock
root = sys.argv[1]
landlock.confine(read=[root, os.path.join(root, "a", "hidden", "inner")], write=[],
                 hide=[os.path.join(root, "a", "hidden")])
found = {}
for name in sys.argv[2:]:
    path = os.path.join(root, name)
    try:
        found[name] = sorted(os.listdir(path)) if os.path.isdir(path) else open(path).read()
    except OSError as exc:
        found[name] = type(exc).__name__
print(json.dumps(found))
"""


def test_a_hidden_folder_beneath_a_readable_one_stays_unreadable(tmp_path):
    """Beside the hidden folder everything reads; in it nothing does, by its path or through a symbolic link, though its
    names can be listed; a folder granted on its own inside it still reads."""
    if landlock.abi_version() < 1:
        pytest.skip("Landlock is not available on this kernel")
    root = tmp_path / "root"
    for name in ("top.txt", "other/x.txt", "a/beside.txt", "a/hidden/secret.txt", "a/hidden/inner/granted.txt",
                 "a/hidden/deeper/secret.txt"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    (root / "link_dir").symlink_to(root / "a" / "hidden")
    (root / "link_file").symlink_to(root / "a" / "hidden" / "secret.txt")
    (root / "a" / "link_in").symlink_to(root / "a" / "hidden" / "deeper")
    (tmp_path / "outside.txt").write_text("outside")
    names = ["top.txt", "other/x.txt", "a/beside.txt", "a/hidden/inner/granted.txt", "a/hidden/secret.txt",
             "a/hidden/deeper/secret.txt", "link_file", "link_dir/secret.txt", "a/link_in/secret.txt", "a/hidden",
             "../outside.txt"]
    done = subprocess.run([sys.executable, "-c", HIDING, str(root), *names], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "top.txt": "top.txt", "other/x.txt": "other/x.txt", "a/beside.txt": "a/beside.txt",
        "a/hidden/inner/granted.txt": "a/hidden/inner/granted.txt",  # granted by itself: an explicit grant stays
        "a/hidden/secret.txt": "PermissionError", "a/hidden/deeper/secret.txt": "PermissionError",
        "link_file": "PermissionError", "link_dir/secret.txt": "PermissionError", "a/link_in/secret.txt": "PermissionError",
        "a/hidden": ["deeper", "inner", "secret.txt"],  # its names can be listed, not read
        "../outside.txt": "PermissionError"}


def test_workers_hide_the_folders_the_course_calls_private():
    """The sandbox may not import the course, so it keeps its own copy of the rule: the same folders."""
    from autograder.course.paths import PRIVATE_DIRS, ROOT
    from autograder.sandbox import confinement

    assert confinement.PRIVATE_DIRS == [str(p) for p in PRIVATE_DIRS] == [str(ROOT)]  # a checkout: all of it


def test_root_s_worker_has_no_capabilities_and_cannot_raise_its_limits(tmp_path):
    source = ("import resource\n"
              "def raise_limit():\n"
              "    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n")
    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        with pytest.raises(StudentError, match="ValueError: not allowed to raise maximum limit"):
            worker.call("raise_limit")
        status = Path(f"/proc/{worker.process.pid}/status").read_text()
        assert "CapEff:\t0000000000000000" in status and "CapBnd:\t0000000000000000" in status


def test_a_change_to_an_argument_reaches_the_caller_only_when_asked(tmp_path):
    source = ("def update(parameters, grads, learning_rate=1.2):\n"
              "    W1 = parameters['W1']\n    W1 -= learning_rate * grads['dW1']\n    parameters['extra'] = 1\n"
              "    return {'W1': W1}\n")
    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        parameters, grads = {"W1": np.ones((2, 2))}, {"dW1": np.ones((2, 2))}
        worker.call("update", parameters, grads)  # as the hidden checks call: the grader's inputs stay as they were
        assert np.array_equal(parameters["W1"], np.ones((2, 2))) and "extra" not in parameters
        W1 = parameters["W1"]
        worker.call("update", parameters, grads, share_changes=True)  # as the visible tests call: as in the notebook
        assert parameters["W1"] is W1 and np.allclose(W1, -0.2) and parameters["extra"] == 1


def test_an_error_in_a_swapped_in_function_keeps_its_type_and_hides_grader_internals(tmp_path):
    source = ("def outer(x):\n    try:\n        return helper(x, 1, 2)\n"
              "    except TypeError as exc:\n        return 'TypeError: ' + str(exc)\n")

    class Recorder:
        def proxies(self):
            def helper(x):
                return x
            return helper

    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        got = worker.call("outer", 3, proxies={"helper": Recorder().proxies()})
    assert got.startswith("TypeError: helper() takes 1 positional argument") and "<locals>" not in got


def test_loading_reports_signatures_and_what_failed_statements_would_define(tmp_path):
    source = ("from math import nope, sqrt\nimport numpy as np\ndef forward(X, parameters):\n    return X\n"
              "def takes_all(*args, **kwargs):\n    return 0\nvalue = sqrt(4)\n"
              "def model(X, n=np.int64(10000), rate=1.2, *, act='tanh', data=[1], quiet=None):\n    return X\n")
    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        report = worker.load()
    assert report.signatures["forward"] == {"names": ["X", "parameters"], "positional": 2, "varargs": False,
                                            "varkw": False, "defaults": {}}
    assert report.signatures["takes_all"]["varargs"] and report.signatures["takes_all"]["varkw"]
    assert report.signatures["model"]["positional"] == 3
    assert report.signatures["model"]["defaults"] == {"n": {"value": 10000}, "rate": {"value": 1.2},
                                                      "act": {"value": "tanh"}, "data": {"repr": "[1]"},
                                                      "quiet": {"value": None}}
    assert {f.where: list(f.defines) for f in report.failures} == {"line 1": ["nope", "sqrt"], "line 7": ["value"]}


def test_an_exception_without_a_message_quotes_the_line_that_raised_it(tmp_path):
    source = "def check(A):\n    assert A.shape == (1, 3)\n    return A\n"
    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        with pytest.raises(StudentError, match=r"AssertionError at line 2: assert A.shape == \(1, 3\)"):
            worker.call("check", np.zeros((2, 2)))


# --- time charged to a call: the student's own, whatever the load --------------------------

SPIN = "import time\ndef spin(seconds):\n    end = time.process_time() + seconds\n    while time.process_time() < end:\n" \
       "        pass\n    return seconds\ndef nap(seconds):\n    time.sleep(seconds)\n    return seconds\n"


@pytest.fixture
def busy_machine():
    """Three CPU-bound processes beside the test, each in its own session as other jobs would be (the kernel
    shares the CPUs between sessions), so that the grading machine's two cores are shared four ways."""
    import subprocess
    import sys

    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True) for _ in range(3)]
    time.sleep(0.3)
    yield
    for hog in hogs:
        hog.kill()
        hog.wait()


def test_a_slow_but_finite_call_is_charged_its_own_time_on_a_busy_machine(tmp_path, busy_machine):
    # 1.5 CPU-seconds under a 2 s limit: with the CPUs shared four ways, it takes about 3 s of wall time
    with WorkerHandle(write(tmp_path, "s.py", SPIN), limits=FAST) as worker:
        worker.load()
        start = time.monotonic()
        assert worker.call("spin", 1.5) == 1.5
        assert time.monotonic() - start > 2  # longer than the limit: a wall clock would have stopped it
        start = time.monotonic()
        with pytest.raises(SandboxError, match="timed out after 2 s during spin"):  # it computed all along
            worker.call("spin", 30)  # a loop that would run on is still stopped, after about its limit of CPU
        assert time.monotonic() - start < 2 * 4


THREADS = """import threading, numpy as np
def crowd(threads):
    stop = []
    def sort():
        data = np.random.default_rng(0).random(400_000)
        while not stop:
            np.sort(data)  # numpy releases the GIL while it sorts
    workers = [threading.Thread(target=sort, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    total = 0
    while True:  # the main thread computes too, and waits in the run queue behind its own threads
        total += 1
"""


def test_threads_that_share_the_work_are_each_charged(tmp_path):
    """Six threads that release the GIL keep every core busy: their CPU time counts, so the call ends about where a
    single thread ends it, not at the wall-time backstop (four times the limit), where it ended while the main
    thread's wait behind its own threads was discounted as the machine's load."""
    limits = Limits(call_seconds=3, statement_seconds=3, fork_server=False)
    took, said = {}, {}
    with WorkerHandle(write(tmp_path, "s.py", THREADS), limits=limits) as worker:
        for threads in (0, 6):
            start = time.monotonic()
            with pytest.raises(SandboxError) as failure:
                worker.call("crowd", threads)
            took[threads], said[threads] = time.monotonic() - start, str(failure.value)
    assert took[6] < took[0] + 3 and took[6] < 3 * 4 * 0.75, took
    assert "several threads" in said[6] and "several threads" not in said[0], said


def test_a_call_that_sleeps_is_charged_the_time_it_sleeps(tmp_path):
    with WorkerHandle(write(tmp_path, "s.py", SPIN), limits=FAST) as worker:
        assert worker.call("nap", 0.5) == 0.5
        start = time.monotonic()
        with pytest.raises(SandboxError, match="timed out after 2 s during nap, asleep or blocked rather than computing"):
            worker.call("nap", 60)
        assert 2 <= time.monotonic() - start < 3


def test_the_time_the_grader_spends_answering_callbacks_is_not_charged(tmp_path):
    source = "def outer(n):\n    return sum(helper(i) for i in range(n))\n"

    def helper(i):  # the grader's side takes 0.2 s a call: 3 s in all, over the 2 s limit
        time.sleep(0.2)
        return i

    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        assert worker.call("outer", 15, proxies={"helper": helper}) == sum(range(15))


def test_a_proxy_can_stop_the_call_and_nothing_more_crosses_over(tmp_path):
    from autograder.sandbox.handle import CallStopped, StopCall

    source = ("def loop(n):\n    total = 0\n    for i in range(10**9):\n        try:\n            total += step(i)\n"
              "        except Exception:\n            pass\n    return total\n"
              "def stubborn():\n    for i in range(10**6):\n        try:\n            step(i)\n"
              "        except BaseException:\n            pass\n    return 'finished anyway'\n"
              "def once():\n    return step(7)\n")
    calls = []

    def step(i):
        calls.append(i)
        if len(calls) > 5:
            raise StopCall("loop called step more than 5 times", "wrong_iterations")
        return i

    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        with pytest.raises(CallStopped, match="more than 5 times") as stopped:
            worker.call("loop", 3, proxies={"step": step})
        assert stopped.value.cause == "wrong_iterations" and len(calls) == 6
        calls.clear()
        with pytest.raises(CallStopped, match="more than 5 times"):  # swallowing the stop does not undo it
            worker.call("stubborn", proxies={"step": step})
        assert len(calls) == 6
        assert worker.call("once", proxies={"step": lambda i: i * 2}) == 14  # the next call starts afresh


def test_a_random_proxy_draws_from_the_workers_generator_and_leaves_the_graders_alone(tmp_path):
    """A stand-in for a function that draws random numbers (initialize_parameters) must draw what the student's
    would have: from the worker's generator, right after nn_model's np.random.seed(3), and advance it."""
    path = write(tmp_path, "s.py", "import numpy as np\ndef model():\n    np.random.seed(3)\n    first = draw()\n"
                                   "    return first, float(np.random.randn())\n")
    with WorkerHandle(path) as worker:
        worker.load()
        np.random.seed(0)
        before = np.random.get_state()
        shared = worker.call("model", proxies={"draw": lambda: float(np.random.randn())},
                             random_proxies=frozenset({"draw"}))
        after = np.random.get_state()
        apart = worker.call("model", proxies={"draw": lambda: float(np.random.randn())})
    np.random.seed(3)
    expected = (float(np.random.randn()), float(np.random.randn()))
    assert shared == expected
    assert np.array_equal(before[1], after[1]) and before[2] == after[2]  # the grader's generator did not move
    assert apart[0] != expected[0] and apart[1] == expected[0]  # a plain proxy draws here; the worker's stays put


FORGER = """import fcntl, os, stat
def forge():
    import protocol  # the worker's own framing, which a submission can import
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                protocol.send(fd, {"event": "callback", "name": "not_offered", "args": [], "kwargs": {}})
        except OSError:
            pass
    return 1
def fine():
    return 2
"""


def test_a_message_out_of_turn_stops_the_worker_and_the_next_call_starts_clean(tmp_path):
    """A callback for a name the grader did not offer: the worker is stopped, not left with its pipe out of step."""
    with WorkerHandle(write(tmp_path, "s.py", FORGER), limits=FAST) as worker:
        worker.load()
        first = worker.process.pid
        with pytest.raises(SandboxError, match="out of turn during forge and was stopped"):
            worker.call("forge")
        assert worker.process is None  # stopped at once
        assert worker.call("fine") == 2 and worker.process.pid != first


def test_a_callback_that_runs_the_grader_out_of_memory_stops_only_its_call(tmp_path):
    """The grading process's own memory limit (--grader-memory-mb) turns an allocation past it into a MemoryError;
    answering a callback, that stops the call with a plain line, and the next call goes on."""
    from autograder.sandbox.handle import CallStopped

    source = "def outer():\n    return helper()\ndef fine():\n    return 1\n"
    with WorkerHandle(write(tmp_path, "s.py", source), limits=FAST) as worker:
        with pytest.raises(CallStopped, match="took more memory than the grader allows itself"):
            worker.call("outer", proxies={"helper": lambda: bytearray(2**62)})
        assert worker.call("fine") == 1


def test_the_grading_process_bounds_its_own_memory():
    done = subprocess.run([sys.executable, "-c", "import resource\nfrom autograder.engine.grade import limit_own_memory\n"
                           "limit_own_memory(1536)\nprint(resource.getrlimit(resource.RLIMIT_AS)[0])"],
                          capture_output=True, text=True, check=True)
    assert int(done.stdout) == 1536 * 2**20
