"""Completed notebooks damaged the way editors and students damage them.

Each kind starts from a complete notebook (the reference, or the backward bug where a kind
should still cost points) and damages it once: what VS Code and Colab do to metadata and ids,
and what students do to cells. `KINDS` maps a kind to the notebook and to what
`autograder grade` should give it (nbgrader must give the same, cell by cell).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from autograder.course import samples


def _grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _index(nb: dict, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb["cells"]) if _grade_id(c) == grade_id)


def reference() -> dict:
    return samples.sample_notebook("reference")


def stripped_metadata() -> dict:
    """VS Code (some versions) and nbconvert --ClearMetadata: no cell keeps any metadata."""
    nb = reference()
    for cell in nb["cells"]:
        cell["metadata"] = {}
    return nb


def colab() -> dict:
    """Colab's save: nbformat 4.0 (no cell ids), each cell's metadata only Colab's own id, Colab's notebook metadata."""
    nb = reference()
    nb["nbformat_minor"] = 0
    nb["metadata"] = {"colab": {"provenance": [], "name": "planar_classification.ipynb"},
                      "kernelspec": {"name": "python3", "display_name": "Python 3"},
                      "language_info": {"name": "python"}}
    for cell in nb["cells"]:
        cell.pop("id", None)
        cell["metadata"] = {"id": uuid.UUID(int=len(str(cell["source"]))).hex[:12]}
    return nb


def cell_ids_removed() -> dict:
    """An nbformat 4.5 notebook whose cells lost their ids (a tool that writes 4.4 cells into a 4.5 file)."""
    nb = reference()
    for cell in nb["cells"]:
        cell.pop("id", None)
    return nb


def duplicated_cells() -> dict:
    """A solution cell and a test cell copied (ids, metadata and all), as a student duplicating cells to try things."""
    nb = reference()
    for grade_id in ("activations_relu", "test_layer_sizes"):
        at = _index(nb, grade_id)
        nb["cells"].insert(at, copy.deepcopy(nb["cells"][at]))
    return nb


def graded_cell_to_markdown() -> dict:
    """relu's graded cell turned into a markdown cell: relu and relu_backward are not defined, which costs their
    cell's 4 points and nothing elsewhere (every network run looks all four activations up by name)."""
    nb = reference()
    cell = nb["cells"][_index(nb, "activations_relu")]
    cell["cell_type"] = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    return nb


def graded_cell_deleted() -> dict:
    """compute_cost's graded cell deleted."""
    nb = reference()
    del nb["cells"][_index(nb, "compute_cost")]
    return nb


def stale_copy_above() -> dict:
    """A stale copy of relu (an early wrong try) in a cell of its own above the graded cell, which is right."""
    nb = reference()
    at = _index(nb, "activations_relu")
    nb["cells"].insert(at, {"cell_type": "code", "execution_count": None, "id": "stale-relu", "metadata": {},
                            "outputs": [], "source": "def relu(Z):\n    return Z  # first try\n"})
    return nb


def cells_reordered() -> dict:
    """predict's exercise (markdown, graded cell, test cell) moved before nn_model's."""
    nb = reference()
    block = nb["cells"][_index(nb, "md_exercise_12"):_index(nb, "test_predict") + 1]
    rest = [c for c in nb["cells"] if c not in block]
    at = next(i for i, c in enumerate(rest) if _grade_id(c) == "md_exercise_11")
    nb["cells"] = rest[:at] + block + rest[at:]
    return nb


def cells_merged() -> dict:
    """relu's graded cell merged into tanh's: one cell with both, relu's own cell gone."""
    nb = reference()
    tanh, relu = nb["cells"][_index(nb, "activations_tanh")], nb["cells"][_index(nb, "activations_relu")]
    tanh["source"] = "".join(tanh["source"]) + "\n\n" + "".join(relu["source"])
    nb["cells"].remove(relu)
    return nb


def scratch_cells_raise() -> dict:
    """Scratch cells a student left in, each raising."""
    nb = reference()
    at = _index(nb, "layer_sizes")
    for number, source in enumerate(("1 / 0\n", "print(undefined_name)\n", "import no_such_package\n")):
        nb["cells"].insert(at, {"cell_type": "code", "execution_count": None, "id": f"scratch-{number}", "metadata": {},
                                "outputs": [], "source": source})
    return nb


def test_cells_deleted() -> dict:
    """Two test cells deleted."""
    nb = reference()
    nb["cells"] = [c for c in nb["cells"] if _grade_id(c) not in ("test_compute_cost", "test_predict")]
    return nb


def test_cells_to_raw() -> dict:
    """Two test cells turned into raw cells (so they do not run in Jupyter)."""
    nb = reference()
    for grade_id in ("test_activations_sigmoid", "test_gradient_check"):
        cell = nb["cells"][_index(nb, grade_id)]
        cell["cell_type"] = "raw"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return nb


def locked_cells_edited() -> dict:
    """The given helper cell edited so that every activation is tanh, and a test cell emptied, metadata intact: the
    course's own helper runs, and the course's own checks are made (nbgrader restores locked cells too)."""
    nb = reference()
    helper = nb["cells"][_index(nb, "helper_activations")]
    source = "".join(helper["source"])
    assert "    return table[name]" in source
    helper["source"] = source.replace("    return table[name]", "    return tanh", 1)
    nb["cells"][_index(nb, "test_layer_sizes")]["source"] = "print('all good')\n"
    return nb


def stripped_with_a_bug() -> dict:
    """No metadata, and the backward bug: the damage must not hide a real mistake."""
    nb = samples.sample_notebook("backward_bug")
    for cell in nb["cells"]:
        cell["metadata"] = {}
    return nb


@dataclass(frozen=True)
class Kind:
    make: Callable[[], dict]
    total: float  # what `autograder grade` gives it
    repaired: bool  # whether the grader says what it recognised or restored


KINDS = {
    "stripped_metadata": Kind(stripped_metadata, 68, True),
    "colab": Kind(colab, 68, True),
    "cell_ids_removed": Kind(cell_ids_removed, 68, False),
    "duplicated_cells": Kind(duplicated_cells, 68, True),
    "graded_cell_to_markdown": Kind(graded_cell_to_markdown, 64, True),
    "graded_cell_deleted": Kind(graded_cell_deleted, 65, True),
    "stale_copy_above": Kind(stale_copy_above, 68, False),
    "cells_reordered": Kind(cells_reordered, 68, False),
    "cells_merged": Kind(cells_merged, 68, True),
    "scratch_cells_raise": Kind(scratch_cells_raise, 68, False),
    "test_cells_deleted": Kind(test_cells_deleted, 68, True),
    "test_cells_to_raw": Kind(test_cells_to_raw, 68, True),
    "locked_cells_edited": Kind(locked_cells_edited, 68, True),
    "stripped_with_a_bug": Kind(stripped_with_a_bug, 61, True),
}
