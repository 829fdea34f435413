"""Where the assignment's parts live in the repository."""

from __future__ import annotations

from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "planar_classification"
SOURCE_DIR = ROOT / "source" / ASSIGNMENT
SOURCE_NOTEBOOK = SOURCE_DIR / f"{ASSIGNMENT}.ipynb"
RELEASE_DIR = ROOT / "assignments" / ASSIGNMENT
SOLUTION_FILE = ROOT / "solutions" / f"{ASSIGNMENT}.py"
NBGRADER_CONFIG = ROOT / "nbgrader_config.py"
GRADERS_DIR = Path(__file__).resolve().parents[1] / "graders"  # the hidden graders, never released
