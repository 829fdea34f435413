"""What `nbgrader autograde` executes: the cells grading needs, as `autograder grade` does.

The assignment's contract says what grading runs: solution and setup cells whole, the test
cells, and from every other code cell (the story's experiments, cells a student added) only
its `import`, `def` and `class` statements. `autograder grade` has always done so; these two
preprocessors make nbgrader do the same, so an autograde does not spend most of its time
re-running 10,000-iteration experiments whose results no check reads:

- `DefinitionsOnly` (before nbgrader's Execute) keeps a story cell's definitions and sets its
  full source aside in the cell's metadata;
- `RestoreStoryCells` (after Execute) puts the student's source back, with a one-line output
  saying the experiment was not run, so the feedback shows the student's cell as written.
"""

from __future__ import annotations

import ast

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.course.notebook import cell_role


SET_ASIDE = "autograder_story_source"
NOT_RUN = "(Not run while autograding: the experiments are for you to run; only this cell's definitions were run.)\n"
DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def definitions_only(source: str) -> str:
    """`source` reduced to its top-level import, def and class statements ("" if none, or if it does not parse)."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())  # magics
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    return "\n\n".join(ast.get_source_segment(code, node) or "" for node in tree.body if isinstance(node, DEFINITIONS))


class DefinitionsOnly(NbGraderPreprocessor):
    """Before execution: each story cell keeps only its definitions; its source is set aside in its metadata."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell_role(cell) == "story":
            cell.metadata[SET_ASIDE] = cell.source
            cell.source = definitions_only(cell.source)
        return cell, resources


class RestoreStoryCells(NbGraderPreprocessor):
    """After execution: each story cell gets its source back, and a line saying its experiment was not run."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and SET_ASIDE in cell.metadata:
            ran = cell.source
            cell.source = cell.metadata.pop(SET_ASIDE)
            if ran.strip() != cell.source.strip():
                cell.outputs = [*cell.get("outputs", []), new_output("stream", name="stdout", text=NOT_RUN)]
        return cell, resources
