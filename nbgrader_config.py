"""nbgrader configuration of the course (read by every `nbgrader` command run from this folder)."""

import os


c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "planar-classification"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# source/<assignment>/ is the instructor version; the student release lands in assignments/<assignment>/.
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "assignments"
# SQLite gradebook next to this file unless NBGRADER_DB_URL names another database.
c.CourseDirectory.db_url = os.environ.get("NBGRADER_DB_URL", "")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".pytest_cache"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ExecutePreprocessor.timeout = 300
