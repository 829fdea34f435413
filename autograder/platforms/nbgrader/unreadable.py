"""`ReadableExporter`: autograde reads every submission as the grader reads it, so one that is not a notebook still gets
its reason, and one that is graded is shown as it was graded.

nbgrader reads a submission with nbformat before any step of its own runs, and nbconvert
validates the notebook after every step. A truncated file, one that is not JSON, JSON that is
no notebook, a notebook without its `nbformat` keys or with a cell id nbformat refuses raised
there: nbgrader printed a traceback, went on to the next student, and left this one at 0 with
no feedback, while `autograder grade` (which reads notebooks leniently) graded some of them in
full. This exporter reads the file as the grader does (`lenient.read`): a notebook nbformat
refuses but the grader grades is shown as the grader read it (its cells, ids made valid), and
Python text as one cell (the grader runs it as one Python file). Only where the grader too
finds nothing to grade does the release stand in, so every test cell is there, and
`GradeInSandbox` (which grades the file as submitted) writes into each of them the grader's own
words ("it is not a valid notebook: the JSON breaks at line 212 ...") with 0 points. The log
gets one line for the instructor whenever the file was not read as a plain notebook.
"""

from __future__ import annotations

import nbformat
from nbconvert.exporters import NotebookExporter
from nbformat.notebooknode import NotebookNode

from autograder.course.paths import ASSIGNMENT, RELEASE_DIR
from autograder.platforms.nbgrader import lenient


UNREADABLE = "submission_unreadable"  # notebook metadata of a stand-in for a file that could not be read


class ReadableExporter(NotebookExporter):
    """nbconvert's notebook exporter, reading a submission as the grader does (see the module's docstring)."""

    def from_file(self, file_stream, resources: dict | None = None, **kw) -> tuple[str, dict]:
        resources = resources if resources is not None else {}
        try:
            nb, how = lenient.read(file_stream.read())
        except Exception as exc:  # noqa: BLE001 - whatever cannot be read, the student still gets a reason
            nb = self._stand_in(exc, resources)
        else:
            if how is not None:
                self._say(resources, how)
        return self.from_notebook_node(nb, resources=resources, **kw)

    def _say(self, resources: dict, what: str) -> None:
        name = resources.get("metadata", {}).get("name", "the notebook")
        student = resources.get("nbgrader", {}).get("student", "?")
        self.log.warning("%s: %s.ipynb %s", student, name, what)

    def _stand_in(self, exc: Exception, resources: dict) -> NotebookNode:
        reason = str(exc) if isinstance(exc, lenient.NotReadable) else \
            f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        self._say(resources, f"could not be read as a notebook ({reason}); its test cells say why, at 0 points")
        nb = nbformat.read(str(RELEASE_DIR / f"{ASSIGNMENT}.ipynb"), as_version=4)
        nb.metadata[UNREADABLE] = True
        return nb
