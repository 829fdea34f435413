"""nbgrader in an environment that cannot load the course's grading refuses; it never falls back to running cells.

nbgrader goes on with its stock pipeline when `nbgrader_config.py` raises, and stock autograde
executes every cell of every submission in an ordinary kernel. Here the real nbgrader runs with
the course package, or only its dependency nh3, made unimportable (a package of that name ahead
of site-packages whose import fails, as a missing one does), on a submission whose every code
cell leaves a mark when it runs: autograde, validate and generate_feedback, on the command line
and through the formgrader's API, must run none of it, exit non-zero and say in one line which
nbgrader to use.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.paths import RELEASE_DIR, ROOT
from autograder.course.release import nbgrader_env
from autograder.platforms.nbgrader.course import ASSIGNMENT, NOTEBOOK, Course


STUDENT = "mallory"  # submits after nbgrader moved to the wrong environment
GRADED = "alice"  # graded while it ran in the course's


def marking_notebook(mark: Path) -> dict:
    """The release notebook with a line at the top of every code cell that appends to `mark` when it runs."""
    nb = json.loads((RELEASE_DIR / NOTEBOOK).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = f"open({str(mark)!r}, 'a').write('ran\\n')\n" + "".join(cell["source"])
    return nb


def blocker(folder: Path, module: str) -> Path:
    """A folder that, first on PYTHONPATH, makes `module` fail to import as a missing package does."""
    package = folder / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        f"raise ModuleNotFoundError(\"No module named '{module}'\", name={module!r})\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    course = Course(tmp_path_factory.mktemp("course"))
    (course.root / ".venv").symlink_to(ROOT / ".venv")  # the course's own environment, where the refusal points
    course.generate()
    # The right environment first: the guard lets the sandboxed pipeline grade (and gives feedback something to do).
    course.submit(GRADED, marking_notebook(course.root / "graded-ran.txt"))
    course.autograde(GRADED, "--GradeInSandbox.budget=60")
    assert (course.root / "autograded" / GRADED / ASSIGNMENT / NOTEBOOK).is_file()
    assert not (course.root / "graded-ran.txt").exists()  # the sandboxed worker may write only its scratch folder
    return course


@pytest.fixture(params=["nh3", "autograder"])
def wrong_env(request, tmp_path) -> dict:
    """nbgrader's environment with the course's dependency nh3, or the course package itself, not importable."""
    env = nbgrader_env()
    env["PYTHONPATH"] = str(blocker(tmp_path / "blocked", request.param))
    return env


@pytest.fixture
def without_nh3(tmp_path) -> dict:
    """nbgrader's environment without the course's dependency nh3 (the case met on a JupyterHub)."""
    return dict(nbgrader_env(), PYTHONPATH=str(blocker(tmp_path / "blocked", "nh3")))


def run_nbgrader(course: Course, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course.root, env=env,
                          capture_output=True, text=True, timeout=300)


def assert_refused(done: subprocess.CompletedProcess, mark: Path, course_root: Path) -> None:
    assert not mark.exists(), f"a submission's cell ran:\n{done.stderr[-3000:]}"
    assert done.returncode != 0, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("nbgrader_config.py: this environment"), done.stderr[-3000:]
    assert "No module named" in last and f"{course_root}/.venv/bin/nbgrader" in last
    assert "Traceback" not in done.stderr, done.stderr[-3000:]


def test_the_config_says_whether_an_environment_loads_it(course, wrong_env):
    good = subprocess.run([sys.executable, str(course.root / "nbgrader_config.py")], capture_output=True, text=True)
    assert good.returncode == 0 and "loads the course's grading" in good.stdout
    bad = subprocess.run([sys.executable, str(course.root / "nbgrader_config.py")], env=wrong_env, capture_output=True,
                         text=True)
    assert bad.returncode == 1 and "cannot load the course's grading (No module named" in bad.stdout
    listed = run_nbgrader(course, wrong_env, "db", "student", "list")  # what needs nothing of the course still runs
    assert listed.returncode == 0 and GRADED in listed.stdout, listed.stderr[-3000:]


def test_autograde_runs_nothing_and_grades_nobody(course, wrong_env, tmp_path):
    mark = tmp_path / "ran.txt"
    course.submit(STUDENT, marking_notebook(mark))
    done = run_nbgrader(course, wrong_env, "autograde", ASSIGNMENT, "--create", "--force")
    assert_refused(done, mark, course.root)
    assert not (course.root / "autograded" / STUDENT).exists()
    assert (course.root / "autograded" / GRADED / ASSIGNMENT / NOTEBOOK).is_file()  # --force removed nobody's grading
    assert not (course.root / "feedback").exists()


def test_validate_starts_no_kernel(course, without_nh3, tmp_path):
    mark = tmp_path / "ran.txt"
    notebook = tmp_path / NOTEBOOK
    notebook.write_text(json.dumps(marking_notebook(mark)), encoding="utf-8")
    assert_refused(run_nbgrader(course, without_nh3, "validate", str(notebook)), mark, course.root)


def test_feedback_is_refused(course, without_nh3, tmp_path):
    done = run_nbgrader(course, without_nh3, "generate_feedback", ASSIGNMENT, "--force")
    assert_refused(done, tmp_path / "never", course.root)
    assert not (course.root / "feedback").exists()  # alice's autograded notebook was there to be rendered


FORMGRADER = """
import json, sys
from nbgrader.apps.api import NbGraderAPI
from nbgrader.apps.baseapp import NbGrader
from nbgrader.auth import Authenticator

app = NbGrader()
app.initialize([])  # loads nbgrader_config.py from the course folder, as the formgrader does
api = NbGraderAPI(app.coursedir, Authenticator(parent=app), parent=app)
print(json.dumps({"autograde": api.autograde(sys.argv[1], sys.argv[2]),
                  "feedback": api.generate_feedback(sys.argv[1], sys.argv[3])}))
"""


def test_the_formgraders_buttons_refuse(course, without_nh3, tmp_path):
    """The formgrader's Autograde and Generate Feedback buttons call nbgrader's API in the server: the same refusal."""
    mark = tmp_path / "ran.txt"
    course.submit(STUDENT, marking_notebook(mark))
    done = subprocess.run([sys.executable, "-c", FORMGRADER, ASSIGNMENT, STUDENT, GRADED], cwd=course.root, env=without_nh3,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert not mark.exists()
    for button in ("autograde", "feedback"):
        assert results[button]["success"] is False
        assert "this environment" in results[button]["error"].strip().splitlines()[-1]
    assert not (course.root / "autograded" / STUDENT).exists()
    assert not (course.root / "feedback").exists()
