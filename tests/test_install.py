"""A wheel install (`pip install .`, the README's image recipe), not the editable one: it carries the course and grades.

The wheel is built from a copy of the working tree (so nothing is built inside the repository) and installed
without dependencies into a folder of its own; its commands then run from a folder outside the repository with
that folder first on PYTHONPATH, ahead of the editable install in the same environment. To see what a submission
can read where `pip install .` puts the package (site-packages, inside a folder the worker may read), it is also
installed into a folder inside the interpreter's prefix, removed afterwards.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from autograder.sandbox import landlock


REPO = Path(__file__).resolve().parents[1]
BUILT_FROM = ("pyproject.toml", "README.md", "autograder", "source", "assignments", "solutions")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the folder it is installed in)."""
    tmp = tmp_path_factory.mktemp("wheel")
    tree = tmp / "tree"
    tree.mkdir()
    for part in BUILT_FROM:
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, tree / part, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(REPO / part, tree / part)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    build = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(tmp / "dist"),
                            str(tree)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    wheel = next((tmp / "dist").glob("*.whl"))
    install = subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(tmp / "site"), str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    return wheel, tmp / "site"


def run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("AUTOGRADER_DEBUG", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def test_the_wheel_holds_every_package_and_the_course(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {p.parent.relative_to(REPO).as_posix() for p in (REPO / "autograder").rglob("__init__.py")}
    assert {p for p in packages if f"{p}/__init__.py" not in names} == set(), "add it to packages in pyproject.toml"
    for folder in ("source", "assignments"):
        for name in ("planar_classification.ipynb", "planar_utils.py", "public_tests.py", "datasets/flower.h5"):
            assert f"autograder/course_files/{folder}/planar_classification/{name}" in names
    assert "autograder/course_files/solutions/planar_classification.py" in names
    assert "autograder/graders/grader.ini" in names


def test_selftest_passes_from_the_wheel_install_outside_the_repository(installed, tmp_path):
    _, site = installed
    where = run(site, tmp_path, "-c", "import autograder; print(autograder.__file__)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(site), "the editable install was imported, not the wheel"
    selftest = run(site, tmp_path, "-m", "autograder", "selftest")
    assert selftest.returncode == 0, selftest.stdout + selftest.stderr
    assert "install verified: the reference solution scores 68/68" in selftest.stdout


def test_grade_works_and_build_refuses_in_one_line(installed, tmp_path):
    _, site = installed
    submission = tmp_path / "ada.py"
    submission.write_text((REPO / "solutions" / "planar_classification.py").read_text(encoding="utf-8"))
    graded = run(site, tmp_path, "-m", "autograder", "grade", str(submission), "--out", str(tmp_path / "out"),
                 "--only", "relu", "sigmoid")
    assert graded.returncode == 0, graded.stderr
    assert (tmp_path / "out" / "results.json").is_file()
    build = run(site, tmp_path, "-m", "autograder", "build")
    assert build.returncode == 1 and build.stdout == ""
    assert build.stderr.strip().splitlines() == [
        "autograder build: this install is a wheel, without the course repository; run this from a checkout of the "
        "course repository (pip install -e .)"]


@pytest.fixture(scope="module")
def in_prefix(installed):
    """The wheel installed again into a folder inside the interpreter's prefix, as `pip install .` puts it into
    site-packages: there the worker may read the folders around the package (the interpreter's). Yields the folder
    on PYTHONPATH."""
    wheel, _ = installed
    if not os.access(sys.prefix, os.W_OK):
        pytest.skip(f"{sys.prefix} is not writable: the wheel cannot be installed inside the interpreter's prefix")
    folder = Path(tempfile.mkdtemp(prefix="test-install-", dir=sys.prefix))
    try:
        install = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "install", "--no-deps",
                                  "--no-index", "--target", str(folder / "site"), str(wheel)],
                                 capture_output=True, text=True, timeout=300)
        assert install.returncode == 0, install.stdout + install.stderr
        yield folder / "site"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(landlock.abi_version() < 1, reason="Landlock is not available on this kernel")
def test_a_submission_cannot_read_the_installed_reference_or_graders(in_prefix, tmp_path):
    """Stubs that, at load time, read the installed graders and exec the installed reference solution."""
    package = in_prefix / "autograder"
    private = run(in_prefix, tmp_path, "-c", "from autograder.course.paths import PRIVATE_DIRS; "
                  "from autograder.sandbox.confinement import PRIVATE_DIRS as HIDDEN; print(*PRIVATE_DIRS, *HIDDEN)")
    assert private.stdout.split() == [str(package)] * 2, private.stdout + private.stderr  # the sandbox's copy agrees
    tree = ast.parse((REPO / "solutions" / "planar_classification.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            node.body = ast.parse("raise NotImplementedError").body
    stealer = tmp_path / "stealer.py"
    stealer.write_text(ast.unparse(tree) + f"""
import glob
import planar_utils  # the release, inside the package, stays readable
for _path in sorted(glob.glob({str(package / "graders")!r} + "/*.py")):
    open(_path).read()
exec(open({str(package / "course_files" / "solutions" / "planar_classification.py")!r}).read())
""", encoding="utf-8")
    graded = run(in_prefix, tmp_path, "-m", "autograder", "grade", str(stealer), "--out", str(tmp_path / "out"))
    assert graded.returncode == 0, graded.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    problems = [p["message"] for p in results["extra_data"]["load_problems"]]
    assert results["score"] == 0, (results["score"], problems)
    assert len(problems) == 2 and all(p.startswith("PermissionError") for p in problems), problems
    assert results["extra_data"]["confinement"] == "confined"
