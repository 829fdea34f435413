"""The sample class every grading test reads: correct, buggy, null, stranger-written and unfinished work."""

from __future__ import annotations

import shutil
from pathlib import Path

import nulls
import strangers
from mutants import MUTANTS, apply

from autograder.course.paths import RELEASE_DIR, SOLUTION_FILE, SOURCE_NOTEBOOK
from autograder.course.samples import fill_release, write_notebook


HERE = Path(__file__).parent


def python_sources() -> dict[str, str]:
    """{student: .py source} for every Python submission of the class."""
    reference = SOLUTION_FILE.read_text(encoding="utf-8")
    found = {"reference": reference, "alternative": (HERE / "alternative.py").read_text(encoding="utf-8")}
    found.update({mutant.name: apply(reference, mutant) for mutant in MUTANTS})
    found.update({f"null_{kind}": nulls.source(kind) for kind in nulls.KINDS})
    found.update(strangers.sources())
    return found


def write_class(folder: Path) -> list[str]:
    """Write the class into `folder`, one file per student; returns the students' names."""
    for name, text in python_sources().items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    shutil.copy(SOURCE_NOTEBOOK, folder / "reference_notebook.ipynb")
    write_notebook(fill_release((HERE / "alternative.py").read_text()), folder / "alternative_notebook.ipynb")
    shutil.copy(RELEASE_DIR / "planar_classification.ipynb", folder / "stub.ipynb")
    return sorted(p.stem for p in folder.iterdir())
