"""`RestoreStructure`: before nbgrader sanitises a submission, the course's cells carry the course's metadata again.

nbgrader finds graded cells by their metadata, so a notebook whose metadata an editor dropped
(VS Code, Colab) scored 0, and one with duplicated cells stopped a whole autograde run. This
first step of autograde's sanitising lines the notebook up with the release as the sandbox does
(`autograder.sandbox.structure.align`: by grade id, else by the functions a solution cell defines
and a locked cell's code) and then:

- gives each recognised cell the release's nbgrader metadata, and no other cell any;
- restores each missing test cell from the release, after the cell it tests, so its points are
  recorded (a missing or unreadable solution cell stays missing: its functions' checks fail, as
  they do for `autograder grade`);
- gives every cell an id of its own.

A Python file (shown by `ReadableExporter` as one cell, followed by the release's test cells) is
left as it is: the grader runs it whole, with none of the release's cells.

The points themselves come from `GradeInSandbox`, which grades the notebook as it was submitted,
so they equal `autograder grade`'s; its notes tell the student what was recognised or restored.
"""

from __future__ import annotations

import copy
import functools

import nbformat
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.course import modules
from autograder.course.paths import ASSIGNMENT, RELEASE_DIR
from autograder.platforms.nbgrader.lenient import PYTHON_TEXT
from autograder.sandbox import structure


RESTORED = "restored_from_release"  # cell metadata of a cell this put back: it is not the student's


@functools.cache
def _release_cells() -> dict[str, dict]:
    """Grade id -> the release's cell (as a plain dict) of every code cell that has one."""
    nb = nbformat.read(str(RELEASE_DIR / f"{ASSIGNMENT}.ipynb"), as_version=4)
    return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id")}


def _course_metadata(cell: NotebookNode, release_cell: NotebookNode) -> None:
    """`cell` marked as the release's cell: its nbgrader metadata, and the flags and tags the course set."""
    cell.metadata["nbgrader"] = copy.deepcopy(release_cell.metadata["nbgrader"])
    for key in ("deletable", "editable", "tags"):
        if key in release_cell.metadata:
            cell.metadata[key] = copy.deepcopy(release_cell.metadata[key])


def restore(nb: NotebookNode) -> list[str]:
    """Re-attach the course's metadata to `nb`'s cells and restore its missing test cells, in place; the notes of
    `structure.align` (empty for an intact notebook)."""
    release = _release_cells()
    alignment = structure.align([dict(cell) for cell in nb.cells], list(modules.release_skeleton()))
    marked = {}
    for grade_id, index in alignment.found.items():
        marked.setdefault(index, grade_id)  # a merged cell carries the first of the cells it serves
    for index, cell in enumerate(nb.cells):
        cell.setdefault("metadata", NotebookNode())
        cell.metadata.pop("nbgrader", None)
        if index in marked:
            _course_metadata(cell, release[marked[index]])
    skeleton = [entry["grade_id"] for entry in modules.release_skeleton()]
    after: dict[int, list[NotebookNode]] = {}
    for grade_id in alignment.restored:
        if grade_id not in release or release[grade_id].metadata["nbgrader"].get("solution"):
            continue
        # after the cell of the nearest course cell before it that the notebook has (the start if none)
        before = [g for g in skeleton[:skeleton.index(grade_id)] if g in alignment.found]
        anchor = alignment.found[before[-1]] if before else -1
        cell = from_dict(copy.deepcopy(dict(release[grade_id])))
        cell.outputs, cell.execution_count = [], None
        cell.metadata[RESTORED] = True
        after.setdefault(anchor, []).append(cell)
    cells = list(after.get(-1, []))
    for index, cell in enumerate(nb.cells):
        cells.append(cell)
        cells += after.get(index, [])
    _unique_ids(cells, with_ids=nb.get("nbformat", 4) > 4 or nb.get("nbformat_minor", 0) >= 5)
    nb.cells = cells
    return alignment.notes


def _unique_ids(cells: list[NotebookNode], *, with_ids: bool) -> None:
    """Every cell an id of its own where the format has ids (nbformat 4.5 on), and none where it has not."""
    if not with_ids:
        for cell in cells:
            cell.pop("id", None)
        return
    taken = {str(cell.get("id")) for cell in cells if cell.get("id")}
    seen: set[str] = set()
    for number, cell in enumerate(cells):
        if not cell.get("id") or cell["id"] in seen:
            fresh = f"cell-{number}"
            while fresh in taken:
                fresh += "-"
            cell["id"] = fresh
            taken.add(fresh)
        seen.add(cell["id"])


class RestoreStructure(NbGraderPreprocessor):
    """The course's metadata back on the course's cells, before nbgrader's own sanitising steps read it."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        if nb.metadata.get(PYTHON_TEXT):  # a Python file, shown as the grader ran it: nothing to line up or restore
            return nb, resources
        for note in restore(nb):
            self.log.warning("%s: %s", resources.get("nbgrader", {}).get("student", "?"), note)
        return nb, resources
