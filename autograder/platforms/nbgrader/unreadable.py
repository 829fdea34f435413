"""`ReadableExporter`: autograde reads every submission, so one that is not a notebook still gets its reason.

nbgrader reads a submission with nbformat before any step of its own runs. A truncated file,
one that is not JSON, or JSON that is no notebook raised there: nbgrader printed a traceback,
went on to the next student, and left this one at 0 with no feedback. This exporter reads the
file itself; when it cannot, it hands nbgrader the release notebook instead, so every test
cell is there, and `GradeInSandbox` (which grades the file as submitted) writes into each of
them the grader's own words ("it is not a valid notebook: the JSON breaks at line 212 ...")
with 0 points. The log gets one line for the instructor.
"""

from __future__ import annotations

import nbformat
from nbconvert.exporters import NotebookExporter
from nbformat.notebooknode import NotebookNode

from autograder.course.paths import ASSIGNMENT, RELEASE_DIR


UNREADABLE = "submission_unreadable"  # notebook metadata of a stand-in for a file that could not be read


class ReadableExporter(NotebookExporter):
    """nbconvert's notebook exporter, with the release standing in for a file that is not a readable notebook."""

    def from_file(self, file_stream, resources: dict | None = None, **kw) -> tuple[str, dict]:
        try:
            nb = nbformat.reads(file_stream.read(), as_version=4)
        except Exception as exc:  # noqa: BLE001 - whatever nbformat refuses, the student still gets a reason
            nb = self._stand_in(exc, resources or {})
        return self.from_notebook_node(nb, resources=resources, **kw)

    def _stand_in(self, exc: Exception, resources: dict) -> NotebookNode:
        name = resources.get("metadata", {}).get("name", "the notebook")
        student = resources.get("nbgrader", {}).get("student", "?")
        self.log.warning("%s: %s.ipynb could not be read as a notebook (%s: %s); its test cells say why, at 0 points",
                         student, name, type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else "")
        nb = nbformat.read(str(RELEASE_DIR / f"{ASSIGNMENT}.ipynb"), as_version=4)
        nb.metadata[UNREADABLE] = True
        return nb
