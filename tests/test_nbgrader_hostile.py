"""Hostile submissions on the nbgrader path: what the command line withstands, `nbgrader autograde` withstands too.

One course (real nbgrader, SQLite gradebook in a temporary folder) takes a class of attacks
written by a student who has read the release notebook: a forged grade, writes into the
course, reads of the solutions and of another student's work, live markup for the
instructor's and the student's browsers, forged course metadata, and the disk, memory,
time, process and network attacks of the command line's hostile corpus. Each is autograded
and given feedback with the tight limits the command line's hostile tests use.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.course import samples
from autograder.course.paths import ASSIGNMENT, PRIVATE_DIRS, RELEASE_DIR, ROOT, SOLUTION_FILE
from autograder.engine.grade import GradeRequest, grade
from autograder.platforms.nbgrader.course import NOTEBOOK, Course
from autograder.results.cells import by_cell
from autograder.sandbox import landlock
from autograder.sandbox.handle import Limits


sys.path.insert(0, str(Path(__file__).parent / "submissions"))
import hostile  # noqa: E402
from test_hostile import survivors, udp_listener  # noqa: E402


pytestmark = pytest.mark.skipif(landlock.abi_version() < 1, reason="Landlock is not available on this kernel")

LIMITS = {"call_timeout": 3, "memory_mb": 1024, "budget": 120}
OPTIONS = [f"--GradeInSandbox.{name}={value}" for name, value in LIMITS.items()]
SECRET = "alice-secret-5f1c0d"  # in another student's notebook: no other student may read it
PLANTED = "planted-by-mallory-77e1"  # what the vandal tries to write into the course
XSS = "window.__xss=(window.__xss||0)+1"  # no spaces: a markdown link may hold it


def stubs() -> dict:
    return json.loads((RELEASE_DIR / NOTEBOOK).read_text(encoding="utf-8"))


def cell(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def prepend(nb: dict, grade_id: str, code: str) -> dict:
    """`nb` with `code` at the top of the cell `grade_id`, as a student would add lines there."""
    target = cell(nb, grade_id)
    target["source"] = code + "\n" + "".join(target["source"])
    return nb


def forged_grade() -> dict:
    """Nothing written; a fake of the module the hidden cells used to import, whose `cell_score` returns each cell's
    points (the release's metadata shows them), and outputs claiming full points."""
    points = {c["metadata"]["nbgrader"]["grade_id"].removeprefix("test_"): c["metadata"]["nbgrader"]["points"]
              for c in stubs()["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
    nb = prepend(stubs(), "activations_linear", (
        "import sys, types\n"
        "fake = types.ModuleType('autograder.grading.nbgrader_cells')\n"
        f"fake.cell_score = {points!r}.get\n"
        "fake.guarded = lambda test: (lambda *args, **kwargs: None)\n"
        "sys.modules['autograder.grading.nbgrader_cells'] = fake\n"))
    for c in nb["cells"]:
        if c["metadata"].get("nbgrader", {}).get("grade"):
            c["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "All tests passed.\n"},
                            {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                             "data": {"text/plain": str(c["metadata"]["nbgrader"]["points"])}}]
    return nb


def vandal_code(course: Path) -> str:
    """Lines that try to write into the course: found by walking up, and by absolute path."""
    return f'''
import os
_targets = []
_here = os.getcwd()
while _here != os.path.dirname(_here):
    if os.path.exists(os.path.join(_here, "nbgrader_config.py")):
        _targets.append(os.path.join(_here, "nbgrader_config.py"))
    _here = os.path.dirname(_here)
_course = {str(course)!r}
_targets += [os.path.join(_course, name) for name in ("nbgrader_config.py", "gradebook.db", "pwned.txt",
             "submitted/alice/{ASSIGNMENT}/{NOTEBOOK}", "source/{ASSIGNMENT}/{NOTEBOOK}")]
for _target in _targets:
    try:
        with open(_target, "a") as _f:
            _f.write("# {PLANTED}\\n")
    except OSError:
        pass
'''


def vandal(course: Path) -> dict:
    """The reference, with the vandal's lines at the top of a graded cell."""
    return prepend(samples.sample_notebook("reference"), "activations_linear", vandal_code(course))


def reader(course: Path) -> dict:
    """The reference, with a relu that raises what it read of the solutions and of another student's notebook."""
    body = f'''
import glob
found = []
for path in [{str(course / "source" / ASSIGNMENT / NOTEBOOK)!r}, {str(SOLUTION_FILE)!r},
             *glob.glob({str(course / "submitted" / "*" / ASSIGNMENT / NOTEBOOK)!r})]:
    try:
        found.append(open(path).read())
    except OSError as exc:
        found.append(f"{{path}}: {{exc.strerror}}")
print("\\n".join(found))
raise RuntimeError("\\n".join(found)[:20000])'''
    return samples.fill_release(hostile.replace_body(hostile.reference(), "relu", body))


def markup() -> dict:
    """The reference, with every kind of markup a notebook can carry into the instructor's or the student's browser."""
    nb = samples.sample_notebook("reference")
    svg = base64.b64encode(f'<svg xmlns="http://www.w3.org/2000/svg" onload="{XSS}"><script>{XSS}</script></svg>'
                           .encode()).decode()
    payloads = [f'<img src=x onerror="{XSS}">', f"<script>{XSS}</script>", f"[a link](javascript:{XSS})",
                f"<javascript:{XSS}>", f'<svg onload="{XSS}"></svg>', f'<iframe srcdoc="<script>parent.{XSS}</script>">',
                f'<a href="javascript:{XSS}">a link</a>', f'<details open ontoggle="{XSS}">x</details>',
                "<style>body { display: none }</style>", "![an image](attachment:evil.svg)"]
    cells = [{"cell_type": "markdown", "metadata": {"tags": [f'x" onmouseover="{XSS}']}, "source": "\n\n".join(payloads),
              "attachments": {"evil.svg": {"image/svg+xml": svg}, "evil.html": {"text/html": f"<script>{XSS}</script>"}}},
             {"cell_type": "raw", "metadata": {"raw_mimetype": "text/html", "format": "text/html"},
              "source": f'<script>{XSS}</script><img src=x onerror="{XSS}">'},
             {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "1",
              "outputs": [{"output_type": "display_data", "metadata": {},
                           "data": {"text/html": f'<img src=x onerror="{XSS}"><script>{XSS}</script>',
                                    "application/javascript": XSS, "image/svg+xml": f'<svg onload="{XSS}"></svg>',
                                    "text/plain": "1"}}]}]
    nb["cells"][1:1] = cells
    return nb


def forged_story_source() -> dict:
    """A solution cell whose code is wrong, carrying the metadata that once decided what source the feedback shows."""
    nb = samples.fill_release(samples.changed([("A = np.maximum(0, Z)", "A = Z")]))
    target = cell(nb, "activations_relu")
    target["metadata"]["autograder_story_source"] = "# GRADED FUNCTION\ndef relu(Z):\n    return np.maximum(0, Z)\n"
    return nb


def corpus_case(name: str) -> dict:
    """A case of the command line's hostile corpus, as a notebook."""
    case = {c.name: c for c in hostile.hostile_cases(str(RELEASE_DIR), str(ROOT))}[name]
    return samples.fill_release(case.text)


CORPUS = ("disk_filler", "udp_sender", "children_outlive", "memory_in_relu_interpolant", "loop_in_count_linear_regions")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """(course, UDP packets received): every student autograded and given feedback, a UDP listener running."""
    course = Course(tmp_path_factory.mktemp("nbgrader-hostile") / "course")
    course.generate()
    alice = samples.sample_notebook("reference")
    prepend(alice, "layer_sizes", f"# {SECRET}")
    students = {"alice": alice, "forged_grade": forged_grade(), "vandal": vandal(course.root),
                "reader": reader(course.root), "markup": markup(), "story_source": forged_story_source(),
                **{name: corpus_case(name) for name in CORPUS}}
    listener, received = udp_listener()
    try:
        for student, nb in students.items():
            course.submit(student, nb)
        before = {path: path.read_bytes() for path in course_files(course)}
        course.autograde_all(*OPTIONS)  # one run over the class, as an instructor runs it
        course.generate_feedback_all()
    finally:
        listener.close()
    course.files_before = before
    return course, received


def course_files(course: Course) -> list[Path]:
    """Files a submission must not change: the configuration, the source and every submission."""
    found = [course.root / "nbgrader_config.py", *course.root.joinpath("source").rglob("*"),
             *course.root.joinpath("submitted").rglob("*")]
    return [path for path in found if path.is_file()]


def command_cells(path: Path) -> dict[str, float]:
    """`autograder grade`'s points per graded cell for a submitted notebook, with the same limits."""
    limits = Limits(call_seconds=LIMITS["call_timeout"], statement_seconds=LIMITS["call_timeout"],
                    memory_mb=LIMITS["memory_mb"])
    return {cell: sum(t.score for t in tests)
            for cell, tests in by_cell(grade(GradeRequest(path, limits, LIMITS["budget"])).tests).items()}


def submitted(course: Course, student: str) -> Path:
    return course.root / "submitted" / student / ASSIGNMENT / NOTEBOOK


def autograded_text(course: Course, student: str) -> str:
    return (course.root / "autograded" / student / ASSIGNMENT / NOTEBOOK).read_text(encoding="utf-8")


def feedback_page(course: Course, student: str) -> Path:
    return course.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"


@pytest.mark.parametrize("student", ["forged_grade", "vandal", "reader", "markup", "story_source", *CORPUS])
def test_nbgrader_gives_each_attack_exactly_what_the_command_gives(course, student):
    course, _ = course
    theirs = course.cell_scores(student)
    assert theirs == command_cells(submitted(course, student))
    expected = {"forged_grade": 0, "vandal": 68, "markup": 68}
    if student in expected:
        assert sum(theirs.values()) == expected[student]
    else:
        assert 0 < sum(theirs.values()) < 68


def test_a_forged_grade_module_and_forged_outputs_earn_nothing(course):
    course, _ = course
    assert course.exported_scores()["forged_grade"] == 0
    text = autograded_text(course, "forged_grade")
    assert "All tests passed.\\n" not in text  # the submitted outputs were replaced by the checks' own


def test_no_write_reaches_the_course_the_gradebook_or_another_submission(course):
    course, _ = course
    changed = [str(p) for p, data in course.files_before.items() if p.is_file() and p.read_bytes() != data]
    assert changed == []
    assert not (course.root / "pwned.txt").exists()
    assert PLANTED.encode() not in (course.root / "gradebook.db").read_bytes()
    assert course.exported_scores()["alice"] == 68  # the gradebook still works


def test_nothing_of_the_solutions_or_another_submission_reaches_the_readers_notebook_or_feedback(course):
    course, _ = course
    for text in (autograded_text(course, "reader"), feedback_page(course, "reader").read_text(encoding="utf-8")):
        plain = html.unescape(re.sub(r"<[^>]+>", "", text))
        assert SECRET not in plain and "BEGIN SOLUTION" not in plain
        assert "Permission denied" in plain  # it tried, and was refused
    assert course.cell_scores("reader")["activations_relu"] < 4
    assert "[FAILED] relu: the notebook's visible test" in autograded_text(course, "reader")


def test_the_feedback_shows_the_source_that_ran_not_the_metadata_a_student_added(course):
    course, _ = course
    nb = json.loads(autograded_text(course, "story_source"))
    relu = cell(nb, "activations_relu")
    assert "A = Z" in "".join(relu["source"]) and "np.maximum(0, Z)" not in "".join(relu["source"])
    assert course.cell_scores("story_source")["activations_relu"] < 4


def test_the_corpus_attacks_hold_on_the_nbgrader_path(course):
    course, received = course
    assert received == []  # no UDP packet left the udp_sender
    assert survivors() == []  # no process of children_outlive outlived grading
    outputs = {student: autograded_text(course, student) for student in CORPUS}
    assert "wrote more than 256 MB" in outputs["disk_filler"]
    assert "the submission tried to open a network connection" in outputs["udp_sender"]
    assert "used more than the 1024 MB" in outputs["memory_in_relu_interpolant"]
    assert "timed out after 3 s during count_linear_regions" in outputs["loop_in_count_linear_regions"]
    assert "Resource temporarily unavailable" in outputs["children_outlive"]


class LiveMarkup(HTMLParser):
    """Collects what in a piece of HTML could run or restyle a page."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "style", "object", "embed", "svg", "form", "base", "meta", "link"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith(("javascript:", "data:text")):
                self.found.append(f"{tag} {name}={value}")


def live_markup(html_text: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html_text)
    return parser.found


def test_the_students_markup_is_inert_in_the_autograded_notebook(course):
    """The autograded notebook's cells, rendered by nbconvert's markdown renderer, carry nothing live."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    course, _ = course
    nb = json.loads(autograded_text(course, "markup"))
    note, raw, code = nb["cells"][1:4]
    text = "".join(note["source"])
    assert live_markup(markdown2html_mistune(text)) == [] and "attachments" not in note
    assert "a link" in text and "<a " in text  # the student's text and links stay, inert
    assert live_markup("".join(raw["source"])) == [] and code["outputs"] == []
    assert live_markup('<img src=x onerror="alert(1)">') != []  # the check itself sees live markup


# --- nbgrader validate ------------------------------------------------------------------------


def validate(course: Course, nb: dict, name: str) -> subprocess.CompletedProcess:
    """`nbgrader validate` of `nb`, run from the course's folder with its configuration, as an instructor would."""
    folder = course.root / "to-validate" / name
    folder.mkdir(parents=True)
    path = samples.write_notebook(nb, folder / NOTEBOOK)
    from autograder.course.release import nbgrader_env

    return subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path), "--Validator.validate_all=True"],
                          cwd=course.root,
                          env=nbgrader_env(), capture_output=True, text=True, timeout=600)


def test_validate_runs_the_notebook_confined(course):
    course, _ = course
    before = {path: path.read_bytes() for path in course_files(course)}
    nb = stubs()
    nb["cells"].insert(1, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                           "source": vandal_code(course.root)})
    nb["cells"].insert(2, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": (
        f"print(open({str(course.root / 'source' / ASSIGNMENT / NOTEBOOK)!r}).read())")})
    nb["cells"].insert(3, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": (
        f"print(open({str(submitted(course, 'alice'))!r}).read())")})
    done = validate(course, nb, "mallory")
    output = done.stdout + done.stderr
    assert "VALIDATION FAILED" in output  # it ran: the stubs fail their visible tests
    assert "Permission denied" in output and SECRET not in output and "BEGIN SOLUTION" not in output
    assert [str(p) for p, data in before.items() if p.read_bytes() != data] == []
    assert not (course.root / "pwned.txt").exists()


MPTCP_AND_SECRETS = """
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
mptcp = libc.socket(2, 1, 262)  # AF_INET, SOCK_STREAM, IPPROTO_MPTCP
why = errno.errorcode.get(ctypes.get_errno()) if mptcp < 0 else "none"
tcp = int(libc.socket(2, 1, 6) >= 0)
secrets = sum(name in os.environ for name in ("NBGRADER_DB_URL", "JUPYTERHUB_API_TOKEN"))
raise RuntimeError(f"FOUND mptcp={mptcp} why={why} tcp={tcp} secrets={secrets} END")  # short: validate cuts lines
"""


def test_validate_kernel_gets_no_mptcp_socket_and_no_secret_of_the_instructor(course):
    """MPTCP (protocol 262) is a stream socket Landlock's TCP rules do not see; the instructor's environment holds the
    gradebook's URL and the hub's token. The kernel gets neither."""
    from autograder.course.release import nbgrader_env

    course, _ = course
    nb = stubs()
    nb["cells"].insert(1, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                           "source": MPTCP_AND_SECRETS})
    folder = course.root / "to-validate" / "prober"
    folder.mkdir(parents=True)
    path = samples.write_notebook(nb, folder / NOTEBOOK)
    env = dict(nbgrader_env(), NBGRADER_DB_URL=course.db_url, JUPYTERHUB_API_TOKEN="hub-token-canary")
    done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path), "--Validator.validate_all=True"],
                          cwd=course.root, env=env, capture_output=True, text=True, timeout=600)
    found = re.search(r"FOUND (mptcp=-?\d+ .*?) END", done.stdout + done.stderr)  # the message, not the source
    assert found, done.stdout[-3000:] + done.stderr[-3000:]
    # the kernel's own kind of socket (TCP, which Landlock confines) still opens
    assert found.group(1) == "mptcp=-1 why=EACCES tcp=1 secrets=0"


def test_the_validate_kernel_is_told_to_hide_the_course():
    from autograder.platforms.nbgrader.kernel import ConfinedKernelManager
    from autograder.sandbox import scratch

    manager = ConfinedKernelManager()
    command = manager.format_kernel_cmd()
    scratch.remove(manager._scratch)
    assert [command[i + 1] for i, arg in enumerate(command) if arg == "--hide"] == [str(p) for p in PRIVATE_DIRS]
    assert PRIVATE_DIRS == (ROOT,)  # in a checkout: the whole repository


KERNEL_READS = """
import json, os, sys
from autograder.sandbox import confined_kernel
options, paths = confined_kernel._arguments(sys.argv[1:])
state = confined_kernel.confine(options)
found = {}
for path in paths:
    try:
        found[os.path.basename(path)] = open(path).read()
    except OSError as exc:
        found[os.path.basename(path)] = type(exc).__name__
print(json.dumps([state, found]))
"""


@pytest.mark.skipif(landlock.abi_version() < 4, reason="the confined kernel needs Landlock's TCP rules (Linux 6.7)")
def test_the_validate_kernel_cannot_read_a_checkout_beneath_a_folder_it_may_read(tmp_path):
    """A checkout inside a folder the kernel reads (as one in /usr/local/src would be): the kernel reads the release
    in it and what lies beside it, never the solutions."""
    readable, checkout = tmp_path / "readable", tmp_path / "readable" / "course"
    release = checkout / "assignments" / ASSIGNMENT
    for path in (readable / "beside.py", checkout / "solutions" / f"{ASSIGNMENT}.py", release / "planar_utils.py"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(path.name)
    (tmp_path / "scratch").mkdir()
    (tmp_path / "connection.json").write_text("{}")
    done = subprocess.run([sys.executable, "-c", KERNEL_READS, "--scratch", str(tmp_path / "scratch"),
                           "--path", str(readable), "--path", str(release), "--hide", str(checkout),
                           "-f", str(tmp_path / "connection.json"), str(readable / "beside.py"),
                           str(release / "planar_utils.py"), str(checkout / "solutions" / f"{ASSIGNMENT}.py")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    state, found = json.loads(done.stdout)
    assert state == "confined"
    assert found == {"beside.py": "beside.py", "planar_utils.py": "planar_utils.py", f"{ASSIGNMENT}.py": "PermissionError"}


# --- in a real browser: the feedback page and a live formgrader ---------------------------------


@contextlib.contextmanager
def formgrader(root: Path):
    """A Jupyter server with nbgrader's formgrader, run from the course's folder as an instructor runs it: (base URL,
    token)."""
    from autograder.course.release import nbgrader_env

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    server = subprocess.Popen([sys.executable, "-m", "jupyter_server", f"--port={port}", "--ip=127.0.0.1",
                               "--no-browser", "--allow-root", f"--IdentityProvider.token={token}",
                               f"--ServerApp.root_dir={root}"], cwd=root, env=nbgrader_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_students_markup_runs_in_neither_the_feedback_page_nor_the_formgrader(course, tmp_path):
    from nbconvert import HTMLExporter
    from nbgrader.api import Gradebook
    from test_report import chromium

    course, _ = course
    browser_path = chromium()
    if browser_path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
    control = tmp_path / "control.html"  # the submission as stock nbconvert renders it, unsanitised
    control.write_text(HTMLExporter().from_filename(str(submitted(course, "markup")))[0], encoding="utf-8")
    with Gradebook(course.db_url) as gradebook:
        submission = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "markup").id
    ran, shown = {}, {}
    with sync_api.sync_playwright() as p, formgrader(course.root) as (base, token):
        browser = p.chromium.launch(executable_path=browser_path,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            for name, url in (("control", control.as_uri()), ("feedback", feedback_page(course, "markup").as_uri()),
                              ("formgrader", f"{base}/formgrader/submissions/{submission}/?token={token}")):
                page.goto(url)
                page.wait_for_timeout(1500)
                for link in page.locator("a", has_text="a link").all():
                    link.click(timeout=2000, no_wait_after=True)
                page.wait_for_timeout(300)
                ran[name] = page.evaluate("window.__xss || 0")
                shown[name] = page.inner_text("body")
            page.goto(f"{base}/formgrader/manage_students?token={token}")
            page.wait_for_selector("text=vandal", timeout=20000)
            students = page.inner_text("body")
        finally:
            browser.close()
    assert ran["control"] > 0, "the check must see the markup run where nothing sanitises it"
    assert ran["feedback"] == 0 and ran["formgrader"] == 0
    assert "a link" in shown["feedback"] and "a link" in shown["formgrader"]  # the student's notes are still shown
    for student, score in course.exported_scores().items():  # the formgrader lists nbgrader's totals
        assert re.search(rf"\b{student}\s+None\s+{score:g} / 68", students), (student, score)
