"""Reading the source notebook: which cell plays which role.

Roles, from nbgrader metadata and cell tags:
    "solution"  graded code the student writes (nbgrader ``solution: true``)
    "test"      a locked, graded test cell (nbgrader ``grade: true``)
    "setup"     imports and data loading every run needs (tag ``setup``)
    "helper"    given, locked code the graded functions rely on (grade_id ``helper_*``)
    "story"     every other code cell: the experiments and figures
    "markdown"  prose
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from autograder.course.paths import SOURCE_NOTEBOOK


_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
_GRADED_HEADER = re.compile(r"^# GRADED FUNCTIONS?:.*$")


def read_notebook(path: Path = SOURCE_NOTEBOOK):
    """The notebook as an nbformat node (validated; imports nbformat, which takes about a second)."""
    import nbformat

    return nbformat.read(str(path), as_version=4)


def read_cells(path: Path = SOURCE_NOTEBOOK) -> list[dict]:
    """The cells as plain dicts, sources joined to strings: a quick read for the grader."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return cells


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def cell_role(cell) -> str:
    if cell.get("cell_type") != "code":
        return "markdown"
    meta = nbgrader_meta(cell)
    if meta.get("solution"):
        return "solution"
    if meta.get("grade"):
        return "test"
    if "setup" in cell.get("metadata", {}).get("tags", []):
        return "setup"
    if str(meta.get("grade_id", "")).startswith("helper_"):
        return "helper"
    return "story"


def solution_code(source: str) -> str:
    """A solution cell's code without the nbgrader markers and the GRADED FUNCTION header."""
    lines = [line for line in source.splitlines() if not _MARKER.match(line) and not _GRADED_HEADER.match(line)]
    return "\n".join(lines).strip("\n")


def graded_cells(cells) -> list[tuple[str, str]]:
    """(grade_id, source) of each solution cell, in notebook order."""
    return [(nbgrader_meta(c)["grade_id"], c["source"]) for c in cells if cell_role(c) == "solution"]


def graded_functions(cells) -> dict[str, str]:
    """Each graded function's name -> the grade_id of the solution cell that defines it."""
    found = {}
    for grade_id, source in graded_cells(cells):
        tree = ast.parse(solution_code(source))
        found.update({node.name: grade_id for node in tree.body if isinstance(node, ast.FunctionDef)})
    return found


def skeleton(path: Path) -> list[dict]:
    """The code cells of a released notebook that have a grade id, as the sandbox lines a submission up with them
    (see `autograder.sandbox.structure`): kind, grade id, the functions a solution cell defines, a locked cell's code."""
    found = []
    for cell in read_cells(path):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if not grade_id or cell.get("cell_type") != "code":
            continue
        role = cell_role(cell)
        kind = {"story": "helper"}.get(role, role)
        entry = {"grade_id": grade_id, "kind": kind}
        if kind == "solution":
            tree = ast.parse(solution_code(cell["source"]))
            entry["defines"] = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
        else:
            entry["source"] = cell["source"]
        found.append(entry)
    return found
