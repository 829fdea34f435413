"""Sample submissions, made from the reference solution: the notebooks students would hand in.

`fill_release` puts a Python solution into the released notebook, one graded cell at a
time; `changed` plants a named change in the reference. The demo's three students are
`SAMPLES`: the reference, one that only ever uses a linear hidden layer, and one with a
typical backward-propagation bug.
"""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path

from autograder.course import modules
from autograder.course.paths import RELEASE_DIR, SOLUTION_FILE


RELEASE_NOTEBOOK = RELEASE_DIR / "planar_classification.ipynb"

# name -> [(text in the reference, replacement)], each text occurring exactly once
SAMPLES = {
    "reference": [],
    "linear_only": [("g = hidden_activation(activation)", 'g = hidden_activation("linear")'),
                    ("g_backward = hidden_activation_backward(activation)",
                     'g_backward = hidden_activation_backward("linear")')],
    "backward_bug": [("dW1 = dZ1 @ X.T / m", "dW1 = dZ1 @ X.T")],
}


def changed(changes: list[tuple[str, str]], reference: str | None = None) -> str:
    """The reference solution's text with `changes` applied; each original must occur exactly once."""
    text = SOLUTION_FILE.read_text(encoding="utf-8") if reference is None else reference
    for old, new in changes:
        count = text.count(old)
        if count != 1:
            raise ValueError(f"{old!r} occurs {count} times in the reference solution")
        text = text.replace(old, new)
    return text


def fill_release(python_source: str) -> dict:
    """The released notebook with each graded cell holding the submission's functions for it.

    A graded cell the submission has no function for keeps its stub, as an unfinished notebook would.
    Functions of the submission that are not graded (its own helpers) and its imports go
    into a cell the student added near the top, as students do.
    """
    nb = json.loads(RELEASE_NOTEBOOK.read_text(encoding="utf-8"))
    tree = ast.parse(python_source)
    cell_of = modules.cell_of_function()
    per_cell: dict[str, list[str]] = {}
    extra: list[str] = []
    for node in tree.body:
        text = ast.get_source_segment(python_source, node)
        if isinstance(node, ast.FunctionDef) and node.name in cell_of:
            per_cell.setdefault(cell_of[node.name], []).append(text)
        elif isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef)):
            extra.append(text)
    cells = []
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and grade_id in per_cell:
            cell = copy.deepcopy(cell)
            cell["source"] = "# GRADED FUNCTION\n" + "\n\n\n".join(per_cell[grade_id]) + "\n"
        cells.append(cell)
    first_solution = next(i for i, c in enumerate(cells) if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    cells.insert(first_solution, {"cell_type": "code", "execution_count": None, "id": "my-helpers", "metadata": {},
                                  "outputs": [], "source": "# my helpers\n" + "\n\n\n".join(extra) + "\n"})
    nb["cells"] = cells
    return nb


def sample_notebook(name: str) -> dict:
    """One of `SAMPLES` as a completed release notebook."""
    return fill_release(changed(SAMPLES[name]))


def write_notebook(nb: dict, path: Path) -> Path:
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path
