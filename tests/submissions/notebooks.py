"""Turn a Python submission into the notebook a student would hand in."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path

from autograder.course import modules
from autograder.course.paths import RELEASE_DIR


RELEASE_NOTEBOOK = RELEASE_DIR / "planar_classification.ipynb"


def fill_release(python_source: str) -> dict:
    """The released notebook with each graded cell holding the submission's functions for it.

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
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell = copy.deepcopy(cell)
            cell["source"] = "# GRADED FUNCTION\n" + "\n\n\n".join(per_cell.get(grade_id, ["pass"])) + "\n"
        cells.append(cell)
    first_solution = next(i for i, c in enumerate(cells) if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    cells.insert(first_solution, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                                  "source": "# my helpers\n" + "\n\n\n".join(extra) + "\n"})
    nb["cells"] = cells
    return nb


def write_notebook(nb: dict, path: Path) -> Path:
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path
