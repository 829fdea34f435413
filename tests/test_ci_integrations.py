"""GitHub Classroom and Gradescope, run the way those systems run them."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema
import yaml

from autograder.course.paths import RELEASE_DIR, ROOT, SOLUTION_FILE, SOURCE_NOTEBOOK
from autograder.course.samples import fill_release, write_notebook
from autograder.grading.plugin import grader_weights
from autograder.integrations import classroom, gradescope_bundle
from autograder.integrations.results import GradingResult, TestResult
from autograder.integrations.time_limit import TimeLimit


CHECKS = len(grader_weights())  # how many checks the graders have


WORKFLOW = Path(gradescope_bundle.TEMPLATES) / "github-classroom.yml"
JUNIT_SCHEMA = Path(__file__).with_name("schemas") / "junit-10.xsd"
PLANTED_CONFTEST = (
    "import pytest\n"
    "@pytest.hookimpl(hookwrapper=True)\n"
    "def pytest_runtest_makereport(item, call):\n"
    "    outcome = yield\n"
    "    outcome.get_result().outcome = 'passed'\n"
)


def student_repository(where: Path, solution_source: str | None) -> Path:
    """A student's repository made from the release, with the graders' usual enemies planted in it."""
    shutil.copytree(RELEASE_DIR, where)
    if solution_source is not None:
        write_notebook(fill_release(solution_source), where / "planar_classification.ipynb")
    (where / "conftest.py").write_text(PLANTED_CONFTEST)
    (where / "pytest.ini").write_text("[pytest]\naddopts = --co\n")
    (where / "public_tests.py").write_text("def __getattr__(name):\n    return lambda *a, **k: None\n")
    (where / "planar_utils.py").write_text("raise SystemExit('the course utilities were replaced')\n")
    tests = where / "tests"
    tests.mkdir()
    (tests / "test_everything.py").write_text("def test_pass():\n    assert True\n")
    return where


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def steps() -> list[dict]:
    return workflow()["jobs"]["run-autograding-tests"]["steps"]


def run_grading_step(workspace: Path, repository: Path) -> tuple[subprocess.CompletedProcess, dict, str]:
    """Run the workflow's own grading step with bash, in a workspace laid out as the workflow does."""
    step = next(s for s in steps() if s.get("id") == "grade")
    (workspace / "course").symlink_to(ROOT)  # what "Check out the course's autograder" produces
    shutil.move(str(repository), workspace / "submission")
    runner_temp = workspace.parent / "runner-temp"
    runner_temp.mkdir()
    output, summary = workspace.parent / "github_output", workspace.parent / "step_summary"
    env = dict(os.environ, GITHUB_WORKSPACE=str(workspace), GITHUB_OUTPUT=str(output),
               GITHUB_STEP_SUMMARY=str(summary), PYTEST_ADDOPTS="--co")
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=runner_temp, env=env, capture_output=True,
                          text=True, timeout=600)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return done, outputs, summary.read_text()


@pytest.mark.parametrize("solution, points", [(None, 0), ("reference", 68)])
def test_the_classroom_workflow_grades_only_the_notebook(tmp_path, solution, points):
    source = SOLUTION_FILE.read_text() if solution else None
    repository = student_repository(tmp_path / "student", source)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    done, outputs, summary = run_grading_step(workspace, repository)
    assert done.returncode == 0, done.stderr
    assert f"Points {points}/68" in done.stdout
    reported = json.loads(base64.b64decode(outputs["result"]))
    assert reported["max_score"] == 68 and sum(t["score"] for t in reported["tests"]) == points
    assert reported["status"] == ("pass" if points == 68 else "fail")
    assert len(reported["tests"]) == CHECKS and all(t["status"] in ("pass", "fail") for t in reported["tests"])
    assert f"planar_classification: {points} / 68 points" in summary
    assert (workspace / "grading" / "results.json").is_file()
    report = workspace / "grading" / "junit.xml"
    xmlschema.XMLSchema(JUNIT_SCHEMA).validate(str(report))
    # mikepenz/action-junit-report anchors annotations on the suite's file: the notebook, as named in the repository
    assert ET.parse(report).getroot().find("testsuite").get("file") == "planar_classification.ipynb"


def test_a_notebook_linked_to_the_course_copy_earns_nothing(tmp_path):
    """A student cannot point the grader at the course's own solution with a symbolic link."""
    repository = student_repository(tmp_path / "student", None)
    (repository / "planar_classification.ipynb").unlink()
    (repository / "planar_classification.ipynb").symlink_to(SOURCE_NOTEBOOK)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    done, outputs, summary = run_grading_step(workspace, repository)
    assert done.returncode == 0 and "Points 0/68" in done.stdout
    assert "is a symbolic link" in (workspace / "grading" / "results.json").read_text()


def test_the_workflow_proves_its_install_by_grading_before_it_grades(tmp_path):
    names = [s.get("id") or s.get("name", s.get("uses")) for s in steps()]
    prove = next(i for i, s in enumerate(steps()) if "autograder\" selftest" in s.get("run", ""))
    assert names.index("Install the autograder") < prove < names.index("grade")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "course").symlink_to(ROOT)
    env = dict(os.environ, GITHUB_WORKSPACE=str(workspace))
    done = subprocess.run(["bash", "-e", "-c", steps()[prove]["run"]], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and "the reference solution scores 68/68 here" in done.stdout, done.stderr


def test_the_workflow_is_wired_the_way_classroom_reads_it():
    flow = workflow()
    job = flow["jobs"]["run-autograding-tests"]
    assert job["name"] == "Autograding Tests"  # the check run Classroom's reporter annotates
    by_name = {s.get("uses", s.get("name")): s for s in job["steps"]}
    checkouts = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout")]
    student, course = checkouts
    assert student["with"]["path"] == "submission" and "repository" not in student["with"]
    assert course["with"]["path"] == "course" and "secrets.AUTOGRADER_TOKEN" in course["with"]["token"]
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)
    grade = next(s for s in job["steps"] if s.get("id") == "grade")
    assert "$GITHUB_WORKSPACE/course/.venv/bin/autograder" in grade["run"]
    assert "--out \"$GITHUB_WORKSPACE/grading\"" in grade["run"]
    reporter = by_name["classroom-resources/autograding-grading-reporter@v1"]
    for runner in reporter["with"]["runners"].split(","):
        assert reporter["env"][f"{runner.upper()}_RESULTS"] == f"${{{{ steps.{runner}.outputs.result }}}}"
    assert by_name["mikepenz/action-junit-report@v4"]["with"]["report_paths"] == "grading/junit.xml"


def test_the_job_summary_escapes_what_students_write():
    result = GradingResult([TestResult("relu: values", 0, 2, "relu: got <script>alert(1)</script> | x", ["relu"]),
                            TestResult("tanh: values", 1, 1, "", ["tanh"])], notes=["cell 3, line 1: <b>"])
    text = classroom.job_summary(result, "planar_classification")
    assert "<script>" not in text and "&lt;script&gt;" in text and "&lt;b&gt;" in text
    assert "| `activations_relu` ✗ | 0 / 2 | 0 / 1 |" in text and "| `activations_tanh` | 1 / 1 | 1 / 1 |" in text


# --- Gradescope ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return gradescope_bundle.build(tmp_path_factory.mktemp("bundle") / "autograder.zip")


def test_the_bundle_holds_the_scripts_and_the_course_only(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
    assert modes["setup.sh"] == 0o755 and modes["run_autograder"] == 0o755
    assert "course/pyproject.toml" in names and "course/autograder/graders/test_network.py" in names
    assert "course/solutions/planar_classification.py" in names
    assert "course/assignments/planar_classification/datasets/flower.h5" in names
    assert not any(n.startswith(("course/tests/", "course/.venv", "course/benchmarks")) or "__pycache__" in n for n in names)
    again = gradescope_bundle.build(tmp_path / "again.zip")
    assert again.read_bytes() == bundle.read_bytes()
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path / "source")
    for script in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(tmp_path / "source" / script)]).returncode == 0


def oldest_python() -> str:
    """A CPython 3.10 interpreter, the oldest the project promises (CI runs the suite on it)."""
    if sys.version_info[:2] == (3, 10):
        return getattr(sys, "_base_executable", sys.executable)
    found = subprocess.run([str(ROOT / ".ci" / "find-python"), "3.10"], capture_output=True, text=True)
    if found.returncode != 0:
        pytest.skip(found.stderr.strip())
    return found.stdout.strip()


def run_setup(root: Path, python: str) -> subprocess.CompletedProcess:
    """Gradescope's image build: setup.sh with `python3` being `python`, into `root` laid out like /autograder."""
    shims = root / "shims"
    shims.mkdir(exist_ok=True)
    (shims / "python3").unlink(missing_ok=True)
    (shims / "python3").symlink_to(python)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), PATH=f"{shims}:{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    return subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True,
                          timeout=900)


def test_the_image_build_proves_the_install_by_grading_and_fails_on_a_broken_one(bundle, tmp_path):
    """On Python 3.10, Ubuntu 22.04's: a clean course installs and grades its reference 68/68; the same course with
    the codec's 3.11-only call planted back fails the build itself, naming the Python and the packages it found."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    python = oldest_python()
    built = run_setup(root, python)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "install verified: the reference solution scores 68/68 here (Python 3.10." in built.stdout
    codec = root / "source" / "course" / "autograder" / "sandbox" / "codec.py"
    text = codec.read_text()
    assert "binascii.a2b_base64(data)" in text
    codec.write_text(text.replace("binascii.a2b_base64(data)", "binascii.a2b_base64(data, strict_mode=True)"))
    broken = run_setup(root, python)
    assert broken.returncode != 0
    line = broken.stderr.strip().splitlines()[-1]
    assert line.startswith("autograder selftest: this install grades the reference solution 0/68, not full marks")
    assert "Python 3.10." in line and "numpy " in line and "nbgrader " in line


HOSTILE = '''
import glob, json, os, sys
fake = {"score": 68, "max_score": 68, "tests": []}
for folder in glob.glob("/tmp/**/results", recursive=True):
    try:
        with open(os.path.join(folder, "results.json"), "w") as f:
            json.dump(fake, f)
    except OSError:
        pass
print("x" * 100000)
def relu(Z):
    os._exit(0)
def tanh(Z):
    raise KeyboardInterrupt
sys.exit(0)
'''


def gradescope_run(bundle: Path, root: Path, submission_name: str, text: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Lay out `root` like /autograder, unpack the bundle, and run run_autograder on one submission."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    (root / "submission" / submission_name).write_text(text)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable,
               PYTHONPATH=str(root / "source" / "course"))  # the bundle's own copy of the course
    done = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600)
    return done, json.loads((root / "results" / "results.json").read_text())


def check_gradescope_format(document: dict) -> None:
    assert {"score", "max_score", "execution_time", "output", "tests", "stdout_visibility"} <= set(document)
    assert document["stdout_visibility"] == "hidden" and document["output_format"] == "text"
    assert all(t["output_format"] == "text" for t in document["tests"])
    assert document["score"] == pytest.approx(sum(t["score"] for t in document["tests"]))
    for test in document["tests"]:
        assert {"name", "score", "max_score", "status", "output", "tags", "visibility"} <= set(test)
        assert test["visibility"] == ("visible" if "visible test" in test["name"] else "after_published")


@pytest.mark.parametrize("name, make, expected", [
    ("reference", lambda: json.dumps(fill_release(SOLUTION_FILE.read_text())), 68),
    ("buggy", lambda: SOLUTION_FILE.read_text().replace("dW1 = dZ1 @ X.T / m", "dW1 = dZ1 @ X.T"), None),
    ("hostile", lambda: HOSTILE, None),
])
def test_run_autograder_grades_like_gradescope(bundle, tmp_path, name, make, expected):
    filename = "planar_classification.ipynb" if name == "reference" else "submission.py"
    done, document = gradescope_run(bundle, tmp_path / "autograder", filename, make())
    assert done.returncode == 0, done.stderr
    check_gradescope_format(document)
    assert "autograder/source/course/autograder" not in done.stderr
    if expected is not None:
        assert document["score"] == expected
    elif name == "buggy":
        failed = [t for t in document["tests"] if t["status"] == "failed"]
        assert 0 < document["score"] < 68 and all("backward_propagation" in t["tags"] for t in failed)
        # hidden checks failed, and the always-visible text says nothing of it
        assert any(t["visibility"] == "after_published" for t in failed)
        assert "Score" not in document["output"] and f"{document['score']:g}" not in document["output"]
        assert "passed" not in document["output"]
        assert not any(t["output"] in document["output"] for t in failed)
    else:
        assert document["score"] < 68 and document["tests"]
        relu = [t for t in document["tests"] if t["tags"][0] == "relu"]
        assert relu and all(t["score"] == 0 for t in relu)
        assert any("exited with status 0" in t["output"] for t in relu)


def test_run_autograder_with_no_submission_records_a_zero_with_the_reason(bundle, tmp_path):
    root = tmp_path / "autograder"
    done, document = gradescope_run(bundle, root, "notes.txt", "nothing to see")
    assert done.returncode == 0
    check_gradescope_format(document)
    assert document["score"] == 0 and "no notebook or Python file" in document["output"]


# --- Gradescope's time limit ----------------------------------------------------------------


SPINNING = """
import numpy as np

def _spin(*args, **kwargs):
    while True:
        pass
relu = tanh = sigmoid = layer_sizes = initialize_parameters = forward_propagation = compute_cost = _spin
backward_propagation = update_parameters = nn_model = predict = _spin
"""
SLOW_TO_LOAD = "import time\n" + "time.sleep(12)\n" * 3 + SOLUTION_FILE.read_text()


def test_the_bundle_is_built_for_the_assignments_timeout(tmp_path):
    with zipfile.ZipFile(gradescope_bundle.build(tmp_path / "b.zip", TimeLimit(900, 90))) as archive:
        script = archive.read("run_autograder").decode()
    assert "timeout --signal=KILL 877.5 " in script and "--timeout 900 --margin 90" in script
    default = gradescope_bundle.run_autograder(TimeLimit())
    assert "--timeout 600 --margin 60" in default and "grading gets 540 s" in default
    for bad in (["--timeout", "0"], ["--margin", "600"], ["--margin", "-1"], ["--timeout", "nan"]):
        done = subprocess.run([sys.executable, "-m", "autograder", "gradescope-bundle", str(tmp_path / "x.zip"), *bad],
                              capture_output=True, text=True)
        assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
        assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize("case, limit, text, reason", [
    # every call spins: the engine's budget runs out, the rest is recorded at 0 with that reason
    ("calls", TimeLimit(40, 20), SPINNING, "used up its total grading time"),
    # the top level sleeps past the limit, which the engine's budget does not cover: the watchdog ends the run
    ("loading", TimeLimit(20, 10), SLOW_TO_LOAD, "did not finish within the time limit of 20 s"),
])
def test_a_submission_that_exhausts_the_time_still_gets_results(tmp_path, case, limit, text, reason):
    bundle = gradescope_bundle.build(tmp_path / "autograder.zip", limit)
    started = time.monotonic()
    done, document = gradescope_run(bundle, tmp_path / "autograder", "submission.py", text)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert took < limit.timeout, f"run_autograder took {took:.1f} s, past the limit of {limit.timeout:g} s"
    check_gradescope_format(document)
    assert len(document["tests"]) == CHECKS and document["score"] == 0
    assert all(t["output"] for t in document["tests"])  # every check says why it has nothing
    assert sum(reason in t["output"] for t in document["tests"]) >= 30
    assert all(t["extra_data"]["cause"] in ("budget", "timeout", "not_defined") for t in document["tests"])


@pytest.mark.parametrize("breakage", ["collection", "run"])
def test_a_broken_grader_still_leaves_results_that_say_so(bundle, tmp_path, breakage):
    """An instructor's mistake in a grader gives the student a zero that says it is not their fault, not silence."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    graders = root / "source" / "course" / "autograder" / "graders"
    if breakage == "collection":
        (graders / "test_broken.py").write_text("def test_nothing(:\n")
    else:  # collected fine, but it interrupts the run
        (graders / "test_broken.py").write_text("from autograder.grading.markers import graded\n"
                                                "@graded(1, 'relu')\ndef test_interrupts():\n"
                                                "    raise KeyboardInterrupt\n")
    done, document = gradescope_run(bundle, root, "submission.py", SOLUTION_FILE.read_text())
    assert done.returncode == 1 and "the graders could not run" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert document["score"] == 0 and "not your fault" in document["output"]
    assert all(t["extra_data"]["cause"] == "grader_error" for t in document["tests"])
    assert len(document["tests"]) == (0 if breakage == "collection" else len(grader_weights()) + 1)
