"""Notebooks that pass in the student's own Jupyter and go differently under the official grader.

Each starts from the completed reference notebook and adds one pitfall: an `input()`, a file of
the student's own disk or beside the notebook, a package the grading machine does not have, a
statement that runs too long, outputs too large, a graded function defined twice (the stale copy
last), metadata an editor dropped. `PITFALLS` maps a name to the notebook and to the kinds of
pitfall `autograder check` should name (see `autograder.sandbox.pitfalls`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autograder.course import samples


def _grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _cell(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if _grade_id(c) == grade_id)


def reference() -> dict:
    return samples.sample_notebook("reference")


def _prepend(grade_id: str, code: str) -> Callable[[], dict]:
    def make() -> dict:
        nb = reference()
        cell = _cell(nb, grade_id)
        cell["source"] = code + "".join(cell["source"])
        return nb
    return make


def _replace(grade_id: str, old: str, new: str) -> Callable[[], dict]:
    def make() -> dict:
        nb = reference()
        cell = _cell(nb, grade_id)
        source = "".join(cell["source"])
        assert old in source, (grade_id, old)
        cell["source"] = source.replace(old, new, 1)
        return nb
    return make


def large_outputs() -> dict:
    nb = reference()
    cell = _cell(nb, "activations_linear")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * (6 * 2**20)}]
    return nb


def stale_copy_below() -> dict:
    """A wrong try of layer_sizes in a cell below the graded one: in notebook order it is the one that counts."""
    nb = reference()
    at = nb["cells"].index(_cell(nb, "test_layer_sizes"))
    nb["cells"].insert(at + 1, {"cell_type": "code", "execution_count": None, "id": "stale-layer-sizes",
                                "metadata": {}, "outputs": [], "source": "def layer_sizes(X, Y):\n    return (2, 4, 1)\n"})
    return nb


def stripped_metadata() -> dict:
    nb = reference()
    for cell in nb["cells"]:
        cell["metadata"] = {}
    return nb


@dataclass(frozen=True)
class Pitfall:
    make: Callable[[], dict]
    kinds: frozenset[str]  # the pitfalls the check names
    fails: str = ""  # what the official grade reports for it (an exception's name), "" if nothing fails


PITFALLS = {
    "clean": Pitfall(reference, frozenset()),
    "input_at_the_top": Pitfall(_prepend("layer_sizes", "answer = input('n_h? ')\n"), frozenset({"input"}), "EOFError"),
    "input_in_a_function": Pitfall(_replace("layer_sizes", "    n_h = 4\n", "    n_h = int(input('n_h? '))\n"),
                                   frozenset({"input"}), "EOFError"),
    "own_disk": Pitfall(_replace("predict", "    A2, _ = ", "    open('/home/me/threshold.txt').read()\n"
                                                              "    A2, _ = "),
                        frozenset({"absolute_path"}), "FileNotFoundError"),
    "file_beside_the_notebook": Pitfall(_prepend("nn_model", "import numpy as np\nsaved = np.load('my_weights.npy')\n"),
                                        frozenset({"local_file"}), "FileNotFoundError"),
    "package_not_installed": Pitfall(_prepend("activations_linear", "import seaborn_is_not_here as sns\n"), frozenset(),
                                     "ModuleNotFoundError"),
    "runs_too_long": Pitfall(_prepend("compute_cost", "while True:\n    pass\n"), frozenset(), "timed out"),
    "large_outputs": Pitfall(large_outputs, frozenset({"large_output"})),
    "defined_twice": Pitfall(stale_copy_below, frozenset({"defined_twice"}), "layer_sizes"),
    "stripped_metadata": Pitfall(stripped_metadata, frozenset()),
}
