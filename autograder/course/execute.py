"""Execute a notebook top to bottom in a fresh Jupyter kernel (nbclient)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


class NotebookFailed(RuntimeError):
    """A cell raised; the message names the cell and the error in one line."""


def execute(path: Path, cwd: Path | None = None, timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell of `path` with kernel python3 in `cwd` (default: the notebook's folder)."""
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            # a local kernel on loopback: keep its start-up log out of our output
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        failed = next((i for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if o.get("output_type") == "error"), None)
        error = next((o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"), {})
        raise NotebookFailed(f"{path.name}: cell {failed} raised {error.get('ename', 'an error')}: "
                             f"{error.get('evalue', str(exc).splitlines()[0])}") from None
    return nb


def stream_text(cell) -> str:
    """Everything a code cell printed to stdout."""
    outputs = cell.get("outputs", [])
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")
