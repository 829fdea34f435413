"""What of a notebook belongs to the assignment, and what is the front end's bookkeeping.

Opening a notebook in JupyterLab or Notebook 7 rewrites parts of it that say nothing about
the assignment: the kernel's display name, ``language_info`` (version, mimetype, ...), cell
flags such as ``collapsed``, ``scrolled`` or ``jupyter.source_hidden``, and, once run, the
outputs and execution counts. ``content`` is what drift checks compare (cells, their
sources, nbgrader metadata and tags); ``normalize`` rewrites a notebook file in the normal
form the repository keeps, so an autosave never shows up as a change.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path


# The notebook-level metadata the repository keeps, whatever the front end wrote.
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
# Cell metadata written by front ends (JupyterLab, Notebook 7, classic Notebook, VS Code, extensions).
FRONT_END_CELL_KEYS = frozenset({"collapsed", "scrolled", "jupyter", "execution", "trusted", "ExecuteTime",
                                 "vscode", "pycharm", "slideshow", "toc-hr-collapsed", "toc-nb-collapsed"})


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def _cell_metadata(metadata: dict) -> dict:
    return {k: v for k, v in metadata.items() if k not in FRONT_END_CELL_KEYS}


def content(nb: dict) -> dict:
    """The parts of notebook `nb` (parsed JSON) that make the assignment.

    Returns {"cells": [{"cell_type", "source", "metadata"}], "kernel": kernelspec name}: cell metadata
    without front-end keys (nbgrader's own, tags and the course's keys stay); no outputs, no ids,
    no notebook metadata beyond the kernel's name.
    """
    cells = [{"cell_type": c["cell_type"], "source": _text(c.get("source", "")),
              "metadata": _cell_metadata(c.get("metadata", {}))} for c in nb.get("cells", [])]
    return {"cells": cells, "kernel": nb.get("metadata", {}).get("kernelspec", {}).get("name")}


def normal(nb: dict) -> dict:
    """A copy of `nb` in normal form: canonical notebook metadata, no front-end cell keys, no outputs."""
    nb = copy.deepcopy(nb)
    nb["metadata"] = copy.deepcopy(NOTEBOOK_METADATA)
    for cell in nb.get("cells", []):
        cell["metadata"] = _cell_metadata(cell.get("metadata", {}))
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def dumps(nb: dict) -> str:
    """`nb` as text the way nbformat writes it (sorted keys, one-space indent, final newline)."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def normalize(path: Path) -> bool:
    """Rewrite the notebook at `path` in normal form; True if the file changed."""
    text = Path(path).read_text(encoding="utf-8")
    tidy = dumps(normal(json.loads(text)))
    if tidy == text:
        return False
    Path(path).write_text(tidy, encoding="utf-8")
    return True
