"""One source of truth: the release (nbgrader) and the solution module derive from the source notebook."""

from __future__ import annotations

import ast
import json
import re
import shutil

import pytest

from autograder.course import normal_form, release, solutions
from autograder.course.notebook import (
    cell_role,
    graded_cells,
    nbgrader_meta,
    read_notebook,
    solution_code,
)
from autograder.course.paths import RELEASE_DIR, SOLUTION_FILE, SOURCE_DIR, SOURCE_NOTEBOOK


RELEASE_NOTEBOOK = RELEASE_DIR / SOURCE_NOTEBOOK.name


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    """The release nbgrader builds from the source now (real nbgrader, about 7 s)."""
    return release.generate(tmp_path_factory.mktemp("release") / "planar_classification")


def test_committed_solution_matches_the_source_notebook():
    assert SOLUTION_FILE.read_text(encoding="utf-8") == solutions.render(), (
        "solutions/planar_classification.py drifted from the source notebook: run `make build`")


def test_committed_release_matches_a_fresh_nbgrader_build(fresh_release):
    assert release.differences(RELEASE_DIR, fresh_release) == [], "the release drifted from the source: run `make build`"


def test_drift_is_detected(fresh_release, tmp_path):
    tampered = tmp_path / "release"
    shutil.copytree(fresh_release, tampered)
    nb = json.loads((tampered / RELEASE_NOTEBOOK.name).read_text())
    nb["cells"][0]["source"] = ["# edited by hand\n"]
    (tampered / RELEASE_NOTEBOOK.name).write_text(json.dumps(nb))
    (tampered / "planar_utils.py").write_text("# edited by hand\n")
    (tampered / "datasets" / "blobs.h5").unlink()
    assert release.differences(fresh_release, tampered) == [
        "datasets/blobs.h5: only in the committed release",
        "planar_classification.ipynb: notebook content differs",
        "planar_utils.py: file differs",
    ]


def code_lines(source: str) -> set[str]:
    """The statements of `source` as ast-normalised lines, docstrings left out."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            node.body = body[1:] or [ast.Pass()]
    return {line.strip() for line in ast.unparse(tree).splitlines() if line.strip()}


def solution_lines() -> set[str]:
    """Every substantial statement written between the solution markers of the source notebook."""
    lines = set()
    for _, source in graded_cells(read_notebook().cells):
        inside = False
        for line in source.splitlines():
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) > 12 and not line.strip().startswith("#"):
                try:
                    lines |= code_lines(line.strip())
                except SyntaxError:  # the head of a block, e.g. "for key in ...:"
                    lines.add(line.strip())
    return lines


def test_release_holds_no_solution_text():
    text = RELEASE_NOTEBOOK.read_text(encoding="utf-8")
    nb = json.loads(text)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text and "HIDDEN TESTS" not in text
    released_code = set()
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            released_code |= code_lines("".join(cell["source"]))
    given = set()  # lines the source also shows outside its solutions are not secret
    for cell in read_notebook().cells:
        if cell.cell_type == "code" and cell_role(cell) != "solution":
            given |= code_lines(cell.source)
    secret = solution_lines() - given
    assert len(secret) > 40
    assert sorted(secret & released_code) == []
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


def test_release_has_a_stub_for_every_graded_function():
    source_cells = {nbgrader_meta(c).get("grade_id"): c for c in read_notebook().cells}
    released_cells = json.loads(RELEASE_NOTEBOOK.read_text())["cells"]
    released = {c["metadata"]["nbgrader"]["grade_id"]: c for c in released_cells if "nbgrader" in c["metadata"]}
    source_cells.pop(None, None)
    assert list(source_cells) == list(released)
    functions = set()
    for grade_id, cell in source_cells.items():
        text = "".join(released[grade_id]["source"])
        if cell_role(cell) == "solution":
            names = re.findall(r"^def (\w+)\(", text, flags=re.M)
            functions.update(names)
            assert text.count("raise NotImplementedError()") == len(names), grade_id
            assert released[grade_id]["metadata"]["nbgrader"]["solution"] is True
        else:
            assert text == cell.source, f"{grade_id} changed in the release"
    assert functions == set(
        "linear linear_backward sigmoid sigmoid_backward tanh tanh_backward relu relu_backward layer_sizes "
        "initialize_parameters forward_propagation compute_cost backward_propagation update_parameters nn_model "
        "predict gradient_check collapse_linear count_linear_regions relu_interpolant".split())


def test_every_graded_cell_is_followed_by_a_locked_visible_test():
    cells = [c for c in read_notebook().cells if c.cell_type == "code"]
    ids = [nbgrader_meta(c).get("grade_id") for c in read_notebook().cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids))
    total = 0
    for cell, after in zip(cells, cells[1:]):
        if cell_role(cell) == "solution":
            meta = nbgrader_meta(after)
            assert cell_role(after) == "test" and meta["locked"] and meta["points"] > 0
            assert meta["grade_id"] == "test_" + nbgrader_meta(cell)["grade_id"]
            # the visible test only: under autograde the graders' checks fill this cell (nbgrader_autograde)
            assert after.source.startswith("test_") and "\n" not in after.source.strip()
            total += meta["points"]
    assert total == 68


def test_support_files_are_released_unchanged():
    for name in ("planar_utils.py", "public_tests.py", "visible_tests.py"):
        assert (RELEASE_DIR / name).read_bytes() == (SOURCE_DIR / name).read_bytes()
    assert sorted(p.name for p in (RELEASE_DIR / "datasets").iterdir()) == sorted(
        p.name for p in (SOURCE_DIR / "datasets").iterdir())


def test_solution_module_is_the_solution_cells_without_markers():
    text = SOLUTION_FILE.read_text(encoding="utf-8")
    assert "### BEGIN SOLUTION" not in text
    for _, source in graded_cells(read_notebook().cells):
        assert solution_code(source) in text


def front_end_edit(nb: dict) -> dict:
    """What JupyterLab 4 writes when it opens and autosaves a notebook, and runs a cell."""
    nb["metadata"] = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                      "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                                        "mimetype": "text/x-python", "name": "python", "version": "3.11.9"}}
    for cell in nb["cells"]:
        cell["metadata"].update({"jupyter": {"source_hidden": False}, "scrolled": True, "collapsed": False})
        if cell["cell_type"] == "code":
            cell["execution_count"] = 7
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["ran\n"]}]
    return nb


def test_front_end_bookkeeping_is_not_drift_but_content_is(fresh_release, tmp_path):
    edited = tmp_path / "edited"
    shutil.copytree(fresh_release, edited)
    path = edited / RELEASE_NOTEBOOK.name
    nb = front_end_edit(json.loads(path.read_text()))
    path.write_text(json.dumps(nb))
    assert release.differences(fresh_release, edited) == []
    for change in ({"points": 99}, {"locked": False}):
        nb["cells"][11]["metadata"]["nbgrader"].update(change)
        path.write_text(json.dumps(nb))
        assert release.differences(fresh_release, edited) == ["planar_classification.ipynb: notebook content differs"]
    nb = json.loads(RELEASE_NOTEBOOK.read_text())
    nb["cells"][1]["metadata"]["tags"] = []
    path.write_text(json.dumps(nb))
    assert release.differences(fresh_release, edited) == ["planar_classification.ipynb: notebook content differs"]


def test_a_source_opened_in_jupyterlab_builds_the_same_release_and_build_normalises_it(tmp_path):
    """`make check` passes after a metadata-only change of the source; `make build` restores its normal form."""
    source = tmp_path / "source"
    shutil.copytree(SOURCE_DIR, source, ignore=shutil.ignore_patterns("__pycache__"))
    notebook = source / SOURCE_NOTEBOOK.name
    notebook.write_text(json.dumps(front_end_edit(json.loads(notebook.read_text())), indent=2))
    built = release.generate(tmp_path / "release", source_dir=source)
    assert release.differences(RELEASE_DIR, built) == []
    assert normal_form.normalize(notebook) is True
    assert notebook.read_bytes() == SOURCE_NOTEBOOK.read_bytes()
    assert normal_form.normalize(notebook) is False


def test_the_committed_source_is_in_normal_form():
    text = SOURCE_NOTEBOOK.read_text(encoding="utf-8")
    assert normal_form.dumps(normal_form.normal(json.loads(text))) == text, "run `make build` to normalise the source"


def run_in_kernel(folder, cells: list[str]) -> list[dict]:
    """Run `cells` in a real IPython kernel in `folder`; the outputs of each cell."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   extra_arguments=["--IPKernelApp.log_level=ERROR"],
                   resources={"metadata": {"path": str(folder)}}).execute()
    return [c.outputs for c in nb.cells]


def test_a_visible_test_failure_shows_its_message_alone_and_student_errors_keep_their_traceback():
    """Rendered by IPython itself (a real kernel, as JupyterLab and nbgrader's Validate show it)."""
    outputs = run_in_kernel(RELEASE_DIR, [
        "import numpy as np\nfrom public_tests import *",
        "def linear(Z):\n    return np.array(Z, dtype=float)\n\n"
        "def linear_backward(dA, Z):\n    return np.ones_like(Z)\n\ntest_linear(linear, linear_backward)",
        "def linear(Z):\n    raise NotImplementedError()\n\ntest_linear(linear, linear_backward)",
        "def layer_sizes(X, Y):\n    return (X.shape[0], 4, Y.shape[7])\n\ntest_layer_sizes(layer_sizes)",
        "def predict(parameters, X, activation='tanh'):\n    A2, _ = forward_propagation(X, parameters, activation)\n"
        "    return A2 > 0.5\n\ndef forward_propagation(X, parameters, activation='tanh'):\n"
        "    raise NotImplementedError()\n\ntest_predict(predict)",
    ])
    failed, stub, own, unwritten = ([o for o in cell if o["output_type"] == "error"] for cell in outputs[1:])
    traceback = "\n".join(failed[0]["traceback"])
    assert failed[0]["ename"] == "CheckFailed"
    assert traceback.startswith("linear_backward: linear_backward(dA, Z) is wrong at index (0, 0)")
    assert "Hint: the derivative of the identity is 1" in traceback
    assert "public_tests.py" not in traceback and "Traceback" not in traceback and "check_array" not in traceback
    assert stub[0]["traceback"] == ["linear is not written yet: replace `raise NotImplementedError()` with your code, "
                                    "then run this cell again."]
    assert unwritten[0]["traceback"] == ["predict reached code that is not written yet: forward_propagation still "
                                         "raises NotImplementedError(). Write forward_propagation first."]
    own_text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(own[0]["traceback"]))
    assert own[0]["ename"] == "IndexError" and "Traceback (most recent call last)" in own_text
    assert "Y.shape[7]" in own_text and "tuple index out of range" in own_text


def test_a_visible_test_failure_is_still_an_assertion_error():
    """The graders catch AssertionError: a stub's report and a finding both are one."""
    from autograder.course import modules

    public = modules.public_tests()

    def linear(Z):
        raise NotImplementedError()

    def linear_backward(dA, Z):
        return dA

    with pytest.raises(AssertionError, match=r"^linear is not written yet") as stub:
        public.test_linear(linear, linear_backward)
    assert stub.value.__cause__ is None and stub.value.__suppress_context__
    with pytest.raises(AssertionError, match=r"^linear_backward: linear_backward\(dA, Z\) is wrong"):
        public.test_linear(lambda Z: Z.astype(float), lambda dA, Z: dA * Z)
