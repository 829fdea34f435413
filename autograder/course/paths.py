"""Where the assignment's parts live.

In a checkout (and an editable install) they are the repository's folders source/, assignments/ and solutions/.
An installed wheel carries those three as autograder/course_files/ (see package-dir in pyproject.toml), but not
nbgrader_config.py: the commands that rebuild the release from the source need a checkout (`IN_CHECKOUT`).
"""

from __future__ import annotations

from pathlib import Path


PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the autograder package
ROOT = PACKAGE_DIR.parent  # the repository root in a checkout; site-packages in a wheel install
IN_CHECKOUT = not (PACKAGE_DIR / "course_files").is_dir()
COURSE = ROOT if IN_CHECKOUT else PACKAGE_DIR / "course_files"
ASSIGNMENT = "planar_classification"
SOURCE_DIR = COURSE / "source" / ASSIGNMENT
SOURCE_NOTEBOOK = SOURCE_DIR / f"{ASSIGNMENT}.ipynb"
RELEASE_DIR = COURSE / "assignments" / ASSIGNMENT
SOLUTION_FILE = COURSE / "solutions" / f"{ASSIGNMENT}.py"
NBGRADER_CONFIG = ROOT / "nbgrader_config.py"  # a checkout's only
GRADERS_DIR = PACKAGE_DIR / "graders"  # the hidden graders, never released
# What a submission must never read: the checkout (solutions/, source/, tests/, the graders), or the installed package
PRIVATE_DIRS = (ROOT,) if IN_CHECKOUT else (PACKAGE_DIR,)
