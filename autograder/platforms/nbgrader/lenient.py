"""A submission read as `autograder grade` reads it, as a notebook nbconvert accepts: what is shown is what was graded.

`autograder grade` reads a notebook leniently (`units` in autograder/sandbox/worker.py): JSON
with a list of cells is a notebook whatever else it lacks (its `nbformat` keys, a cell's
outputs, a valid cell id), its cells are the dicts in that list and a cell's code is its
source as text; a file that is not JSON but Python is graded as one Python file. nbformat
refuses some of these and nbconvert validates the notebook after every preprocessor, so
nbgrader showed the release's stubs beside the file's points, or failed and gave 0 with no
feedback. `read` hands nbgrader the code that is graded:

- a notebook nbformat reads and accepts once its cell ids are made valid and unique, as it is;
- other JSON with a list of cells: those cells in their order, each with its type and source,
  and as much of its metadata and attachments as nbformat accepts (outputs dropped: autograde
  clears them anyway), ids made valid and unique;
- Python text: a markdown cell saying so, one code cell holding the whole file (the grader
  runs it as one piece: its "line 12" is that cell's line 12), then the release's test cells,
  which carry the points;
- anything else raises `NotReadable`: the grader gives it 0 with the reason.
"""

from __future__ import annotations

import ast
import copy
import json
import re

import nbformat
from nbformat.notebooknode import NotebookNode, from_dict
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from autograder.course.notebook import cell_role
from autograder.course.paths import ASSIGNMENT, RELEASE_DIR
from autograder.sandbox import structure


PYTHON_TEXT = "submission_python_text"  # notebook and cell metadata: the cell holds a Python file, graded whole
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
PYTHON_NOTE = ("This submission is Python code saved as a notebook file (`.ipynb`), not a notebook. The grader ran it "
               "as one Python file, shown whole in the next cell (a failed line is noted under it); the points of "
               "its checks are in the course's test cells after it.")


class NotReadable(ValueError):
    """Neither nbformat nor the grader can read the file as a notebook or as Python."""


def read(text: str) -> tuple[NotebookNode, str | None]:
    """The notebook nbgrader is to show for a submission's `text`, and, when it was not read as a plain notebook, how
    (for the log: "is Python code, not a notebook; ..."); raises NotReadable where the grader finds nothing to grade."""
    problem = "nbformat cannot read it"
    try:
        nb = nbformat.convert(nbformat.reader.reads(text), 4)  # nbformat.reads, without its log of what is invalid
        valid_ids(nb)
        nbformat.validate(nb, relax_add_props=True)
        return nb, None
    except Exception as exc:  # noqa: BLE001 - whatever nbformat refuses, the grader's reading decides
        problem = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        if _is_python(text):
            return python_notebook(text), "is Python code, not a notebook; it is shown as one cell, as the grader ran it"
        raise NotReadable(problem) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotReadable(problem)
    if "nbformat" not in raw:
        problem = "it has no `nbformat` key, which says which notebook format it is"
    return rebuilt(raw), f"is not a valid notebook ({problem}); it is shown as the grader read it, cell by cell"


def _is_python(text: str) -> bool:
    """Whether the grader takes `text`, which is not JSON, for a Python file (it parses), as `units` does."""
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def valid_ids(nb: NotebookNode) -> None:
    """Every cell of an nbformat 4.5 (or later) notebook an id nbformat accepts, unique; valid ids are kept."""
    if (nb.get("nbformat", 4), nb.get("nbformat_minor", 0)) < (4, 5):
        return
    seen: set[str] = set()
    taken = {str(c.get("id")) for c in nb.cells if isinstance(c, dict)}
    for number, cell in enumerate(nb.cells):
        cell_id = cell.get("id")
        if not isinstance(cell_id, str) or not _CELL_ID.match(cell_id) or cell_id in seen:
            cell_id = f"cell-{number}"
            while cell_id in taken:
                cell_id += "-"
            cell["id"] = cell_id
            taken.add(cell_id)
        seen.add(cell_id)


def rebuilt(raw: dict) -> NotebookNode:
    """An nbformat 4.5 notebook of `raw`'s cells (the dicts of its list of cells, as the grader reads them): each
    with its type (one nbformat does not know becomes raw: the grader runs only code cells) and source as text, and
    what of its metadata and attachments nbformat accepts."""
    cells = []
    for cell in (c for c in raw["cells"] if isinstance(c, dict)):
        kind = cell.get("cell_type")
        new = {"code": new_code_cell, "markdown": new_markdown_cell}.get(str(kind), new_raw_cell)(
            structure.source_of(cell))
        if isinstance(cell.get("metadata"), dict):
            new.metadata = from_dict(copy.deepcopy(cell["metadata"]))
        if kind in ("markdown", "raw") and isinstance(cell.get("attachments"), dict):
            new.attachments = from_dict(copy.deepcopy(cell["attachments"]))
        new.id = cell.get("id")
        cells.append(new)
    metadata = raw.get("metadata")
    nb = new_notebook()  # cells and metadata set after: new_notebook refuses what is invalid, and this drops it below
    nb.cells = cells
    nb.metadata = from_dict(copy.deepcopy(metadata)) if isinstance(metadata, dict) else NotebookNode()
    valid_ids(nb)
    try:
        nbformat.validate(nb, relax_add_props=True)
    except nbformat.ValidationError:  # find what nbformat refuses, cell by cell and key by key
        for cell in nb.cells:
            _accepted(cell, f"{cell.cell_type}_cell")
        nb.metadata = _accepted_metadata(nb.metadata)
        nbformat.validate(nb, relax_add_props=True)
    return nb


def _valid(node: dict, ref: str) -> bool:
    try:
        nbformat.validate(node, ref=ref, version=4, version_minor=5, relax_add_props=True)
    except nbformat.ValidationError:
        return False
    return True


def _accepted(cell: NotebookNode, ref: str) -> None:
    """`cell` with the metadata keys and attachments nbformat refuses dropped, in place."""
    if _valid(cell, ref):
        return
    metadata, cell.metadata = cell.metadata, NotebookNode()
    for key, value in metadata.items():
        cell.metadata[key] = value
        if not _valid(cell, ref):
            del cell.metadata[key]
    if not _valid(cell, ref):
        cell.pop("attachments", None)


def _accepted_metadata(metadata: NotebookNode) -> NotebookNode:
    """The notebook metadata keys nbformat accepts."""
    kept = NotebookNode()
    for key, value in metadata.items():
        try:
            nbformat.validate(new_notebook(metadata={key: value}), relax_add_props=True)
        except nbformat.ValidationError:
            continue
        kept[key] = value
    return kept


def python_notebook(text: str) -> NotebookNode:
    """Python text shown as the grader runs it: a note, one code cell holding all of it, the release's test cells."""
    release = nbformat.read(str(RELEASE_DIR / f"{ASSIGNMENT}.ipynb"), as_version=4)
    tests = [copy.deepcopy(c) for c in release.cells if cell_role(c) == "test"]
    for cell in tests:
        cell.outputs, cell.execution_count = [], None
    code = new_code_cell(text, metadata={PYTHON_TEXT: True})
    nb = new_notebook(cells=[new_markdown_cell(PYTHON_NOTE), code, *tests], metadata=copy.deepcopy(release.metadata))
    nb.metadata[PYTHON_TEXT] = True
    valid_ids(nb)
    return nb
