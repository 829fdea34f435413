"""Hostile and broken submissions, each with what grading must make of it.

A hostile submission is the reference solution with one attack planted, at import or in
one function, so the functions it does not attack must keep their credit. `attacked`
names the functions whose checks must all fail (checks that use them included); `says`
is a fragment the report must contain. A few attacks are planted in the unchanged
release instead, where any credit at all would be stolen.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass

from autograder.course.paths import SOLUTION_FILE
from autograder.course.samples import RELEASE_NOTEBOOK, fill_release


MARK = "987650"  # child processes carry it on their command line, so a test can look for survivors
UDP_PORT = 39871  # the UDP sender aims at 127.0.0.1 on this port; a test listens there
FILLER_CAP_MB = 1024  # the disk filler stops by itself here, so a broken budget cannot fill the machine


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    suffix: str = ".py"
    attacked: tuple[str, ...] = ()
    says: str = ""
    score: float | None = None  # the exact score, where it is known
    encoding: str = "utf-8"


def reference() -> str:
    return SOLUTION_FILE.read_text(encoding="utf-8")


def replace_body(source: str, function: str, body: str) -> str:
    """`source` with `function`'s body replaced by `body` (indented here)."""
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == function)
    lines = source.splitlines()
    header = lines[node.lineno - 1]
    indented = "\n".join("    " + line for line in body.strip("\n").splitlines())
    return "\n".join(lines[: node.lineno - 1] + [header, indented] + lines[node.end_lineno:]) + "\n"


def at_import(code: str, before: bool = False) -> str:
    return (code + "\n" + reference()) if before else (reference() + "\n" + code + "\n")


def release_stub_with(code: str) -> str:
    """The unchanged release as a notebook, with `code` at the top of its first graded cell (which runs whole): no
    honest credit."""
    nb = json.loads(RELEASE_NOTEBOOK.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    cell["source"] = code + "\n" + "".join(cell["source"])
    return json.dumps(nb)


FAKE_RESULTS = '''
import glob, json, os
fake = json.dumps({"score": 68, "max_score": 68, "tests": [], "output": "all passed"})
targets = ["results.json", "/tmp/results.json"]
try:
    parent = os.getppid()
    targets.append(os.path.join(os.readlink(f"/proc/{parent}/cwd"), "results.json"))
    argv = open(f"/proc/{parent}/cmdline").read().split("\\0")
    if "--out" in argv:
        targets.append(os.path.join(argv[argv.index("--out") + 1], "results.json"))
except OSError:
    pass
targets += [os.path.join(d, "results.json") for d in glob.glob("/tmp/**/results", recursive=True)]
for target in targets:
    try:
        with open(target, "w") as f:
            f.write(fake)
    except OSError:
        pass
import atexit
atexit.register(lambda: [open(t, "w").write(fake) for t in targets if os.access(os.path.dirname(t) or ".", os.W_OK)])
'''

STEAL = '''
import os
def _steal():
    """Look where the grader runs from, and in the usual places, for the reference and the graders."""
    starts = ["/autograder", "/work", "/home"]
    try:
        starts.insert(0, os.readlink(f"/proc/{os.getppid()}/cwd"))
    except OSError:
        pass
    found, seen = [], 0
    for start in starts:
        for root, dirs, files in os.walk(start):
            dirs[:] = [d for d in dirs if d not in (".git", ".venv", "node_modules")]
            seen += len(files)
            for name in files:
                if name in ("planar_classification.py", "test_network.py"):
                    try:
                        found.append(open(os.path.join(root, name)).read())
                    except OSError as exc:
                        found.append(str(exc))
            if seen > 20000:
                break
    return "\\n".join(found) or "nothing found"
'''

VANDAL = '''
import glob, os
for pattern in ("/tmp/autograder-canary-*/*", "{release}/*.py", "{release}/datasets/*.h5", "{root}/solutions/*.py"):
    for path in glob.glob(pattern):
        try:
            os.truncate(path, 0)
        except OSError:
            pass
        try:
            os.remove(path)
        except OSError:
            pass
'''

DISK_FILLER = f'''
import os, uuid
block = b"x" * (32 * 2**20)
prefix = uuid.uuid4().hex
for i in range({FILLER_CAP_MB} // 32):  # unique names, 32 MB at a time, until a write fails
    with open(os.path.join(os.environ.get("TMPDIR", "."), f"{{prefix}}-{{i}}.bin"), "wb") as f:
        f.write(block)
return ref_layer_sizes(X, Y)'''

UDP_SENDER = f'''
import socket
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.sendto(b"{MARK} leaked", ("127.0.0.1", {UDP_PORT}))
return np.tanh(Z)'''

LIBC_UDP_SENDER = f'''
import ctypes, os, struct
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(2, 2, 0)  # AF_INET, SOCK_DGRAM, straight to the system call: no Python socket involved
if fd < 0:
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
address = struct.pack("=H", 2) + struct.pack(">H", {UDP_PORT}) + bytes([127, 0, 0, 1]) + bytes(8)  # sockaddr_in
libc.sendto(fd, b"{MARK} leaked", 13, 0, address, len(address))
return 1 / (1 + np.exp(-Z))'''

DEAF = "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nsignal.signal(signal.SIGINT, signal.SIG_IGN)"

CHILDREN = f'''
import os, subprocess
subprocess.Popen(["sleep", "{MARK}1"], start_new_session=True)
'''


# predict hands the reference forward_propagation a float16 network of 3,000 units on 3,000 x 400 inputs: minutes
# of numpy without BLAS in the grader, where nothing can interrupt it
FLOAT16_NETWORK = '''
n = 3000
big = {"W1": np.full((n, n), 0.001, dtype=np.float16), "b1": np.zeros((n, 1), dtype=np.float16),
       "W2": np.ones((1, n), dtype=np.float16), "b2": np.zeros((1, 1), dtype=np.float16)}
forward_propagation(np.ones((n, 400), dtype=np.float16), big, activation)
A2, _ = forward_propagation(X, parameters, activation)
return A2 > 0.5'''

# gradient_check hands the reference compute_cost an (m, 1) column and a (1, m) row: 160 KB of arguments that
# broadcast into an m x m array of 3.2 GB in the grader
BROADCAST = '''
m = 20000
compute_cost(np.full((m, 1), 0.5), np.ones((1, m)))
return 0.0'''

# gradient_check calls the swapped-in forward_propagation 30,000 times, each time within the contract
FLOOD = '''
for _ in range(30000):
    forward_propagation(X, parameters, activation)
return 0.0'''


def grader_attack(body_of: dict[str, str]) -> str:
    """The reference with these functions' bodies replaced: attacks on the grader's side of the pipe."""
    source = reference()
    for function, body in body_of.items():
        source = replace_body(source, function, body)
    return source


GRADER_ATTACKS = {"float16 network handed to the reference": {"predict": FLOAT16_NETWORK},
                  "broadcasting arguments handed to the reference": {"gradient_check": BROADCAST},
                  "a flood of callbacks": {"gradient_check": FLOOD}}


def hostile_cases(release: str, root: str) -> list[Case]:
    ref = reference()
    ones = "import numpy as np\n"
    return [
        Case("exit_at_import", at_import("import sys\nsys.exit(0)", before=True), score=68, says="SystemExit"),
        Case("os_exit_at_import", at_import("import os\nos._exit(3)"), score=68, says="exited with status 3"),
        Case("atexit_exit_zero", at_import("import atexit, os\natexit.register(lambda: os._exit(0))\nraise SystemExit(0)"),
             score=68, says="SystemExit"),
        Case("keyboard_interrupt_at_import", at_import("raise KeyboardInterrupt"), score=68, says="KeyboardInterrupt"),
        Case("kill_self_at_import", at_import("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"), score=68,
             says="killed"),
        Case("sleep_forever_at_import", at_import("import time\ntime.sleep(10**6)"), score=68,
             says="timed out after 3 s, asleep or blocked rather than computing"),
        Case("print_flood_at_import", at_import("for _ in range(400):\n    print('x' * 10**6)"), score=68,
             says="File too large"),
        Case("sys_exit_in_relu", replace_body(ref, "relu", "raise SystemExit(0)"), attacked=("relu",),
             says="relu raised SystemExit"),
        Case("os_exit_in_compute_cost", replace_body(ref, "compute_cost", "import os\nos._exit(3)"),
             attacked=("compute_cost",), says="exited with status 3 during compute_cost"),
        Case("kill_self_in_sigmoid", replace_body(ref, "sigmoid", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
             attacked=("sigmoid",), says="killed by signal 9 (SIGKILL) during sigmoid"),
        Case("keyboard_interrupt_in_tanh", replace_body(ref, "tanh", "raise KeyboardInterrupt"), attacked=("tanh",),
             says="tanh raised KeyboardInterrupt"),
        Case("loop_in_count_linear_regions", replace_body(ref, "count_linear_regions", "while True:\n    pass"),
             attacked=("count_linear_regions",), says="timed out after 3 s during count_linear_regions"),
        Case("deaf_loop_in_collapse_linear",
             at_import(DEAF, before=True).replace(*_body_swap(ref, "collapse_linear", "while True:\n    pass")),
             attacked=("collapse_linear",), says="timed out after 3 s during collapse_linear"),
        Case("recursion_in_predict", replace_body(ref, "predict", "return predict(parameters, X, activation)"),
             attacked=("predict",), says="predict recursed without end"),
        Case("memory_in_relu_interpolant",
             replace_body(ref, "relu_interpolant", "hoard = []\nwhile True:\n    hoard.append(bytearray(10**8))"),
             attacked=("relu_interpolant",), says="used more than the 1024 MB"),
        Case("huge_array_from_linear", replace_body(ref, "linear", ones + "return np.zeros(10_000_000)"),
             attacked=("linear",), says="too large to grade"),
        Case("children_outlive", at_import(CHILDREN).replace(*_body_swap(ref, "relu", f'''
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{MARK}2"])
    os._exit(0)
return np.maximum(0, Z)''')), attacked=("relu",), says="Resource temporarily unavailable"),
        Case("lying_objects", replace_body(replace_body(ref, "relu", '''
class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.shape(inputs[-1]))
    @property
    def shape(self):
        return np.shape(Z)
return np.zeros(1).view(Liar)'''), "compute_cost", '''
class Yes(float):
    def __eq__(self, other):
        return True
    __sub__ = lambda self, other: 0.0
return Yes(0.0)'''), attacked=("relu", "compute_cost"), says="cannot be graded"),
        Case("monkeypatched_comparisons", release_stub_with(
            "import builtins, math, numpy as np, numpy.testing\n"
            "np.allclose = np.isclose = lambda *a, **k: True\n"
            "np.array_equal = lambda *a, **k: True\n"
            "numpy.testing.assert_allclose = numpy.testing.assert_array_equal = lambda *a, **k: None\n"
            "math.isclose = lambda *a, **k: True\n"
            "import pytest\npytest.approx = lambda *a, **k: a[0]\n"
            "builtins.NotImplementedError = type('Fine', (Exception,), {})\n"), suffix=".ipynb", score=0),
        Case("fake_results", release_stub_with(FAKE_RESULTS), suffix=".ipynb", score=0),
        Case("steal_hidden_material", at_import(STEAL + "print(_steal())\nraise RuntimeError(_steal())").replace(
            *_body_swap(ref, "relu", "raise RuntimeError(_steal())")), attacked=("relu",)),
        Case("vandal", at_import(VANDAL.format(release=release, root=root), before=True), score=68),
        Case("disk_filler", replace_body(ref, "layer_sizes", DISK_FILLER) + "\n" + _renamed(ref, "layer_sizes"),
             attacked=("layer_sizes",), says="wrote more than 256 MB"),
        Case("udp_sender", replace_body(replace_body(ref, "tanh", UDP_SENDER), "sigmoid", LIBC_UDP_SENDER),
             attacked=("tanh", "sigmoid"), says="the submission tried to open a network connection"),
        Case("hardcoded_public_answers", replace_body(replace_body(ref, "relu", '''
return np.array([[0.0, 0.0, 0.0], [0.5, 1.0, 3.0]])'''), "layer_sizes", "return (5, 4, 2)"),
             attacked=("relu", "layer_sizes")),
    ]


def _renamed(source: str, function: str) -> str:
    """The source of `function` alone, renamed `ref_<function>` (a correct copy the attack can return)."""
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == function)
    text = "\n".join(source.splitlines()[node.lineno - 1: node.end_lineno])
    return text.replace(f"def {function}(", f"def ref_{function}(", 1) + "\n"


def full_disk_student() -> Case:
    """An honest submission whose results cannot be written: the test mounts a full tmpfs on its output folder.

    Grading it must give one error row naming the full disk, leave grades.csv whole, and a
    re-run (with space again) must grade exactly this student.
    """
    return Case("results_disk_full", reference(), score=68)


def _body_swap(source: str, function: str, body: str) -> tuple[str, str]:
    """(old, new) text of `function` with its body replaced, for str.replace on a text holding it."""
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == function)
    old = "\n".join(source.splitlines()[node.lineno - 1: node.end_lineno])
    new = replace_body(old + "\n", function, body).rstrip("\n")
    return old, new


def broken_cases() -> list[Case]:
    filled = fill_release(reference())
    text = json.dumps(filled, indent=1)

    def without(grade_id: str) -> dict:
        nb = json.loads(text)
        nb["cells"] = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != grade_id]
        return nb

    markdown = json.loads(text)
    for cell in markdown["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "collapse_linear":
            cell["cell_type"] = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    shuffled = json.loads(text)
    shuffled["cells"] = shuffled["cells"][::-1] + shuffled["cells"]
    same_ids = json.loads(text)
    for cell in same_ids["cells"]:
        cell["id"] = "same"
    bloated = json.loads(text)
    first_code = next(c for c in bloated["cells"] if c["cell_type"] == "code")
    first_code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "y" * (200 * 2**20)}]
    return [
        Case("truncated", text[: len(text) // 2], suffix=".ipynb", score=0, says="it may be truncated"),
        Case("graded_cell_deleted", json.dumps(without("collapse_linear")), suffix=".ipynb", attacked=("collapse_linear",),
             score=65, says="collapse_linear is not defined"),
        Case("graded_cell_markdown", json.dumps(markdown), suffix=".ipynb", attacked=("collapse_linear",), score=65),
        Case("cells_reordered_and_duplicated", json.dumps(shuffled), suffix=".ipynb", score=68),
        Case("duplicate_cell_ids", json.dumps(same_ids), suffix=".ipynb", score=68),
        Case("output_bloated", json.dumps(bloated), suffix=".ipynb", score=68),
        Case("not_utf8", "# caf\xe9\n" + reference(), score=0, says="not UTF-8", encoding="latin-1"),
        Case("empty", "", suffix=".ipynb", score=0, says="the file is empty"),
        Case("python_named_ipynb", reference(), suffix=".ipynb", score=68, says="graded as a Python file"),
    ]
