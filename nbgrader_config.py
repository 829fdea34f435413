"""nbgrader configuration of the course (read by every `nbgrader` command run from this folder)."""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    Execute,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)
from traitlets import List

from autograder.course.nbgrader_execution import DefinitionsOnly, RestoreStoryCells


class ClearHiddenTestsInFeedback(ClearHiddenTests):
    """nbgrader's ClearHiddenTests, accepting the HTML exporter's `display_data_priority` setting.

    nbgrader declares that trait without `config=True` on its preprocessors' base class, so the
    exporter's setting made every `generate_feedback` run log "Config option
    `display_data_priority` not recognized by `ClearHiddenTests`".
    """

    display_data_priority = List(ClearHiddenTests.display_data_priority.default_value).tag(config=True)


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
# Each cell may run for 5 minutes; the first test cell's hidden part grades the whole notebook (a few seconds).
c.ExecutePreprocessor.timeout = 300
# Autograde executes what grading needs, as `autograder grade` does: solution, setup and test cells whole, and
# only the definitions of the story's experiment cells (whose source and a "not run" line reach the feedback).
c.Autograde.autograde_preprocessors = [
    DefinitionsOnly, Execute, RestoreStoryCells, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]

# Feedback shows every check's message but not the hidden tests' source (nbgrader keeps it by default).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    ClearHiddenTestsInFeedback,
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
