"""nbgrader configuration of the course (read by every `nbgrader` command run from this folder)."""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from autograder.platforms.nbgrader.autograde import GradeInSandbox
from autograder.platforms.nbgrader.kernel import ConfinedKernelManager
from autograder.platforms.nbgrader.markup import SanitizeMarkup
from autograder.platforms.nbgrader.structure import RestoreStructure
from autograder.platforms.nbgrader.unreadable import ReadableExporter


c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "planar-classification"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# source/<assignment>/ is the instructor version; the student release lands in assignments/<assignment>/.
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "assignments"
# SQLite gradebook next to this file unless NBGRADER_DB_URL names another database
# (e.g. postgresql://grader@db.example.edu/planar for a shared server).
default_db = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
c.CourseDirectory.db_url = os.environ.get("NBGRADER_DB_URL") or default_db
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".pytest_cache"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# A submission that is not a readable notebook is read as the release, so that its test cells can say why it got 0.
c.Autograde.exporter_class = ReadableExporter
# Before nbgrader reads a submission's metadata, RestoreStructure puts the course's metadata back on the course's
# cells (an editor may have dropped it, a student duplicated or deleted cells) and restores missing test cells.
c.Autograde.sanitize_preprocessors = [
    RestoreStructure, ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
]
# Autograde runs no kernel: GradeInSandbox grades the notebook with `autograder grade` (the student's code runs only
# in its confined worker) and writes each test cell's checks and points into the cell; nothing else of the
# notebook runs. SanitizeMarkup then makes the student's markdown, raw cells and outputs inert for the browsers
# that show them (formgrader, feedback).
c.Autograde.autograde_preprocessors = [
    GradeInSandbox, SanitizeMarkup, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties,
    CheckCellMetadata,
]
# Whatever else nbgrader executes with this configuration (`nbgrader validate`, the Validate button) runs in a
# confined kernel: reads limited to the system and the release, writes to a scratch folder, no processes, no
# network, limits on memory, file size and CPU time.
c.ExecutePreprocessor.kernel_manager_class = ConfinedKernelManager
c.ExecutePreprocessor.timeout = 300

# Feedback shows every check's message, and no live markup of the student's.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    SanitizeMarkup,
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
