"""Derive the reference solution module from the source notebook.

``solutions/planar_classification.py`` holds, in notebook order, the given helper cells and
the solution cells with their nbgrader markers removed. It is the oracle the graders use;
``render()`` is deterministic, so a test can regenerate it and compare.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from autograder.course.notebook import cell_role, nbgrader_meta, read_notebook, solution_code
from autograder.course.paths import SOLUTION_FILE, SOURCE_NOTEBOOK


HEADER = '''"""Reference solution of the planar-classification assignment.

Generated from source/planar_classification/planar_classification.ipynb by `autograder build`.
Do not edit by hand: edit the source notebook and rebuild (a test fails when they disagree).
"""

import numpy as np'''


def render(notebook: Path = SOURCE_NOTEBOOK) -> str:
    """The text of the reference solution module for `notebook`."""
    parts = [HEADER]
    for cell in read_notebook(notebook).cells:
        role = cell_role(cell)
        if role == "solution":
            parts.append(f"# --- {nbgrader_meta(cell)['grade_id']} (graded)\n\n" + solution_code(cell.source))
        elif role == "helper":
            parts.append(f"# --- {nbgrader_meta(cell)['grade_id']} (given)\n\n" + cell.source.strip("\n"))
    return "\n\n\n".join(parts) + "\n"


def write(path: Path = SOLUTION_FILE, notebook: Path = SOURCE_NOTEBOOK) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(notebook), encoding="utf-8")
    return path


def load_reference(path: Path = SOLUTION_FILE) -> ModuleType:
    """Import the reference solution as a fresh module object (not cached in sys.modules)."""
    from autograder.course.modules import load_module

    return load_module(path, "planar_reference")
