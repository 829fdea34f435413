"""GitHub Classroom and Gradescope, run the way those systems run them."""

from __future__ import annotations

import base64
import csv
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
from autograder.course.samples import SAMPLES, changed, fill_release, sample_notebook, write_notebook
from autograder.engine.plugin import grader_weights
from autograder.platforms.classroom import report as classroom
from autograder.platforms.gradescope import bundle as gradescope_bundle
from autograder.platforms.gradescope.time_limit import TimeLimit
from autograder.results.model import GradingResult, TestResult


CHECKS = len(grader_weights())  # how many checks the graders have


WORKFLOW = classroom.TEMPLATES / "github-classroom.yml"
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


STUDENT_WORKFLOW = WORKFLOW
GRADING_WORKFLOW = classroom.TEMPLATES / "github-classroom-grading.yml"


def workflow(path: Path = STUDENT_WORKFLOW) -> dict:
    return yaml.safe_load(path.read_text())


def steps(path: Path = STUDENT_WORKFLOW) -> list[dict]:
    (job,) = workflow(path)["jobs"].values()
    return job["steps"]


def step(path: Path, key: str) -> dict:
    """The step whose id or name is `key`."""
    return next(s for s in steps(path) if key in (s.get("id"), s.get("name")))


def run_step(path: Path, key: str, cwd: Path, **env: str) -> tuple[subprocess.CompletedProcess, dict, str]:
    """Run one step of a workflow with bash as Actions would: (the run, its step outputs, the job summary)."""
    output, summary = cwd.parent / "github_output", cwd.parent / "step_summary"
    output.write_text(""), summary.write_text("")
    environ = dict(os.environ, GITHUB_WORKSPACE=str(cwd), GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary),
                   PYTEST_ADDOPTS="--co", **env)
    done = subprocess.run(["bash", "-e", "-c", step(path, key)["run"]], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=900)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return done, outputs, summary.read_text()


# --- the students' workflow: visible tests only, no secret --------------------------------------


def test_the_students_workflow_holds_no_secret_and_checks_out_only_their_repository():
    text = STUDENT_WORKFLOW.read_text()
    assert "secrets." not in text and "token" not in text.lower().replace("persist-credentials", "")
    checkouts = [s for s in steps() if s.get("uses", "").startswith("actions/checkout")]
    assert len(checkouts) == 1 and "repository" not in checkouts[0].get("with", {})
    assert checkouts[0]["with"]["persist-credentials"] is False
    assert "autograder" not in step(STUDENT_WORKFLOW, "visible")["run"]  # the course's package is not there
    reporter = next(s for s in steps() if s.get("uses") == "classroom-resources/autograding-grading-reporter@v1")
    assert reporter["env"]["VISIBLE_RESULTS"] == "${{ steps.visible.outputs.result }}"
    assert reporter["with"]["runners"] == "visible" and "not the grade" in reporter["name"]
    assert workflow()["jobs"]["run-autograding-tests"]["name"] == "Autograding Tests"  # what Classroom annotates


@pytest.mark.parametrize("solution, passed", [(None, 0), ("reference", 16), ("backward_bug", 13)])
def test_the_students_workflow_reports_the_visible_tests_as_feedback(tmp_path, solution, passed):
    source = {"reference": SOLUTION_FILE.read_text(), "backward_bug": changed(SAMPLES["backward_bug"])}.get(solution)
    repository = student_repository(tmp_path / "student", source)
    for name in ("public_tests.py", "planar_utils.py"):  # the release's own, which the student's run relies on
        shutil.copy(RELEASE_DIR / name, repository / name)
    python = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # with what "Install ..." installs
    done, outputs, summary = run_step(STUDENT_WORKFLOW, "visible", repository, PATH=python)
    assert done.returncode == (0 if passed == 16 else 1), done.stderr
    reported = json.loads(base64.b64decode(outputs["result"]))
    assert reported["max_score"] == 16 and sum(t["score"] for t in reported["tests"]) == passed
    assert all(t["name"].startswith("visible test: test_") for t in reported["tests"])
    assert "feedback, not your grade" in summary and f"{passed} of 16 pass" in summary
    assert f"{passed} of 16 visible tests pass" in done.stdout


# --- the course's own grading run -------------------------------------------------------------


CLAIM_FULL_MARKS = """name: Autograding Tests
on: [push]
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    steps:
      - id: grade
        run: echo "result=$(echo '{"version":1,"status":"pass","max_score":68,"tests":[]}' | base64 -w0)" >> "$GITHUB_OUTPUT"
"""


def git_repository(where: Path, notebook: dict | None) -> str:
    """A student's repository as GitHub Classroom makes it (the release, committed), with their notebook; its URL."""
    repository = student_repository(where, None)
    if notebook is not None:
        write_notebook(notebook, repository / "planar_classification.ipynb")
    workflows = repository / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "classroom.yml").write_text(CLAIM_FULL_MARKS)
    (repository / "results.json").write_text(json.dumps({"score": 68, "max_score": 68, "tests": []}))
    for command in (["init", "-q", "-b", "main"], ["add", "-A"],
                    ["-c", "user.name=s", "-c", "user.email=s@example.edu", "commit", "-q", "-m", "done"]):
        subprocess.run(["git", *command], cwd=repository, check=True, capture_output=True)
    return repository.as_uri()


def test_the_course_grading_run_gives_the_right_totals_whatever_a_students_workflow_says(tmp_path):
    """The course's workflow, its own steps run as Actions runs them: every student's workflow claims 68."""
    prefix = "planar-classification-"
    students = {"ada": fill_release(SOLUTION_FILE.read_text()), "bob": sample_notebook("backward_bug"), "cy": None}
    urls = [git_repository(tmp_path / "repos" / f"{prefix}{name}", nb) for name, nb in students.items()]
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "course").symlink_to(ROOT)  # what "Check out the course" produces
    (workspace / "repositories.txt").write_text("\n".join(urls + [(tmp_path / "repos" / "gone").as_uri()]) + "\n")
    gh = tmp_path / "bin" / "gh"  # GitHub's CLI cannot reach GitHub here: one that checks it was given the token
    gh.parent.mkdir()
    gh.write_text('#!/bin/sh\n[ "$GH_TOKEN" = classroom-token ] || { echo "gh: no GH_TOKEN" >&2; exit 4; }\n')
    gh.chmod(0o755)
    collected, _, _ = run_step(GRADING_WORKFLOW, "collect", workspace, PREFIX=prefix, GH_TOKEN="classroom-token",
                               PATH=f"{gh.parent}:{os.environ['PATH']}")
    assert collected.returncode == 1 and "gone: could not clone" in collected.stderr  # one missing, the rest go on
    assert "3 of 4 repositories cloned" in collected.stdout
    graded, _, _ = run_step(GRADING_WORKFLOW, "grade", workspace)
    rows = {r["student"]: r for r in csv.DictReader((workspace / "graded" / "grades.csv").open())}
    assert {name: float(rows[name]["score"]) for name in students} == {"ada": 68, "bob": 61, "cy": 0}
    commits = {r["student"]: r["commit"] for r in csv.DictReader((workspace / "students" / "commits.csv").open())}
    assert all(len(commits[name]) == 40 for name in students) and commits["gone"] == ""


def test_only_the_step_that_clones_holds_the_token():
    """gh's git credential helper reads GH_TOKEN whenever git asks it, so the clone step needs the token in its own
    environment (private repositories); the steps that run students' code (batch, report) must not have it."""
    text = GRADING_WORKFLOW.read_text()
    assert "env" not in workflow(GRADING_WORKFLOW) and "env" not in workflow(GRADING_WORKFLOW)["jobs"]["grade"]
    holding = {s.get("id") or s["name"] for s in steps(GRADING_WORKFLOW)
               if any("secrets." in str(value) for value in s.get("env", {}).values())}
    assert holding == {"List the students' repositories", "collect"}, holding
    collect = step(GRADING_WORKFLOW, "collect")
    assert collect["env"]["GH_TOKEN"] == "${{ secrets.CLASSROOM_TOKEN }}"
    assert collect["run"].index("gh auth setup-git") < collect["run"].index("autograder classroom-collect")
    for s in steps(GRADING_WORKFLOW):
        if any(word in s.get("run", "") for word in ("autograder batch", "autograder report", "selftest")):
            assert "secrets." not in str(s) and "GH_TOKEN" not in str(s), s
    assert text.count("secrets.") == 2


def test_the_course_grading_run_proves_its_install_before_it_clones_anything():
    keys = [s.get("id") or s.get("name") for s in steps(GRADING_WORKFLOW)]
    prove = next(i for i, s in enumerate(steps(GRADING_WORKFLOW)) if s.get("run", "").endswith("autograder selftest"))
    assert keys.index("Install the autograder") < prove < keys.index("collect") < keys.index("grade")
    assert "secrets.CLASSROOM_TOKEN" in GRADING_WORKFLOW.read_text()


def test_the_grade_command_for_one_repository_grades_only_the_notebook(tmp_path):
    """`autograder classroom`, for a course's own job: the planted conftest, pytest.ini, tests and utilities
    of the repository change nothing; the job summary and Classroom's result output are written."""
    repository = student_repository(tmp_path / "student", SOLUTION_FILE.read_text())
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = dict(os.environ, GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary), PYTEST_ADDOPTS="--co")
    done = subprocess.run([sys.executable, "-m", "autograder", "classroom", str(repository), "--out",
                           str(tmp_path / "grading")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Points 68/68" in done.stdout
    reported = json.loads(base64.b64decode(output.read_text().split("=", 1)[1]))
    assert reported["max_score"] == 68 and sum(t["score"] for t in reported["tests"]) == 68
    assert len(reported["tests"]) == CHECKS and reported["status"] == "pass"
    assert "planar_classification: 68 / 68 points" in summary.read_text()
    report = tmp_path / "grading" / "junit.xml"
    xmlschema.XMLSchema(JUNIT_SCHEMA).validate(str(report))
    assert ET.parse(report).getroot().find("testsuite").get("file") == "planar_classification.ipynb"


def test_a_notebook_linked_to_the_course_copy_earns_nothing(tmp_path):
    """A student cannot point the grader at the course's own solution with a symbolic link."""
    repository = student_repository(tmp_path / "student", None)
    (repository / "planar_classification.ipynb").unlink()
    (repository / "planar_classification.ipynb").symlink_to(SOURCE_NOTEBOOK)
    done = subprocess.run([sys.executable, "-m", "autograder", "classroom", str(repository), "--out",
                           str(tmp_path / "grading")], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "Points 0/68" in done.stdout
    assert "is a symbolic link" in (tmp_path / "grading" / "results.json").read_text()


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
    the codec's 3.11-only call (strict_mode of a2b_base64) planted back fails the build itself, naming the Python
    and the packages it found."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    python = oldest_python()
    built = run_setup(root, python)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "install verified: the reference solution scores 68/68 here, in a sandbox that is confined (Python 3.10." \
        in built.stdout
    codec = root / "source" / "course" / "autograder" / "sandbox" / "codec.py"
    text = codec.read_text()
    header = "def _decode_array(body: dict) -> np.ndarray:\n"
    assert header in text  # the bug once shipped: a keyword that arrived in Python 3.11, on every array decoded
    codec.write_text(text.replace(header, header + '    __import__("binascii").a2b_base64(b"", strict_mode=True)\n'))
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
        (graders / "test_broken.py").write_text("from autograder.engine.markers import graded\n"
                                                "@graded(1, 'relu')\ndef test_interrupts():\n"
                                                "    raise KeyboardInterrupt\n")
    done, document = gradescope_run(bundle, root, "submission.py", SOLUTION_FILE.read_text())
    assert done.returncode == 1 and "the graders could not run" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert document["score"] == 0 and "not your fault" in document["output"]
    assert all(t["extra_data"]["cause"] == "grader_error" for t in document["tests"])
    assert len(document["tests"]) == (0 if breakage == "collection" else len(grader_weights()) + 1)
