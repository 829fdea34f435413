"""nbgrader configuration of the course (read by every `nbgrader` command run from this folder or naming it as root).

It fails closed. nbgrader goes on with its stock pipeline when a configuration file raises, and
stock autograde runs every cell of every submission in an ordinary kernel. So only plain settings
and the standard library are used here; the grading pipeline comes from the course's package
(`autograder.platforms.nbgrader.configuration`), loaded under a guard. Where it cannot be loaded
(nbgrader runs in an environment without the course, or without one of its dependencies),
autograde, validate and generate_feedback, on the command line and in the formgrader, stop
before anything runs, with one line that says which environment to use.

`python nbgrader_config.py`, run with an environment's python, says whether that environment loads it.
"""

import os
import sys


try:
    c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
except NameError:  # run as a script: only say whether this environment loads the course's grading
    from traitlets.config import Config

    c = Config()

root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "planar-classification"
c.CourseDirectory.root = root
# source/<assignment>/ is the instructor version; the student release lands in assignments/<assignment>/.
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "assignments"
# SQLite gradebook next to this file unless NBGRADER_DB_URL names another database
# (e.g. postgresql://grader@db.example.edu/planar for a shared server).
c.CourseDirectory.db_url = os.environ.get("NBGRADER_DB_URL") or "sqlite:///" + os.path.join(root, "gradebook.db")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".pytest_cache"]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ExecutePreprocessor.timeout = 300


def _refuse(c, why):
    """Make every step that would run or show a submission stop with one line saying why (see the docstring)."""
    course = os.path.join(root, ".venv", "bin")
    if os.path.exists(os.path.join(course, "nbgrader")):
        use = f"{course}/nbgrader (check: {course}/python {__file__})"
    else:
        use = "the nbgrader of the environment the course is installed in (check: its python runs this file)"
    line = (f"nbgrader_config.py: this environment ({sys.executable}) cannot load the course's grading ({why}); "
            f"nothing is autograded, validated or given feedback. Use the course's nbgrader: {use}.")

    try:
        from jupyter_client.manager import AsyncKernelManager
        from nbconvert.exporters import Exporter
    except Exception:  # noqa: BLE001 - then nbgrader can neither convert a notebook nor start a kernel here
        return line

    class RefusedExporter(Exporter):
        """What autograde, generate_feedback and generate_solution make first, before they touch any folder."""

        def __init__(self, *args, **kwargs):
            raise SystemExit(line)  # not an Exception: nbgrader's handlers cannot turn it into a grade

    class RefusedKernelManager(AsyncKernelManager):
        """`nbgrader validate`, the Validate button, any Execute: no kernel starts."""

        def __init__(self, *args, **kwargs):
            raise SystemExit(line)

    c.Autograde.exporter_class = c.GenerateFeedback.exporter_class = c.GenerateSolution.exporter_class = RefusedExporter
    c.ExecutePreprocessor.kernel_manager_class = RefusedKernelManager
    return line


try:
    from autograder.platforms.nbgrader.configuration import configure

    configure(c)
    problem = ""
except Exception as error:  # noqa: BLE001 - whatever it is, the course's grading is not here: refuse
    why = str(error) if isinstance(error, ImportError) else f"{type(error).__name__}: {error}"
    problem = _refuse(c, " ".join(why.split()))

if __name__ == "__main__":
    print(problem or f"nbgrader_config.py loads the course's grading in this environment ({sys.executable})")
    sys.exit(1 if problem else 0)
