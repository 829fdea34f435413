"""The planar-classification assignment and its autograder, in layers; each imports only those below it.

    cli          the `autograder` command
    demo         `make demo`: build, run the reference, teach the course with nbgrader, report
    platforms    where grading runs for a course: nbgrader, Gradescope, GitHub Classroom, install checks
    reporting    what a class got wrong (HTML report) and its grades for an LMS (Canvas, Moodle)
    runs         grading a class: discovery, resume, grades.csv, on warm local processes or a Dask cluster
    graders      the hidden checks, pytest tests with points
    engine       grading one submission: its handle, the checks' helpers, the pytest run
    results      what grading one submission gives, and its formats (results.json, JUnit XML, the summary)
    course       the assignment itself: paths, notebooks, release, reference solution, sample submissions
    sandbox      running student code in a confined worker process that hands back plain data only

(`course` and `sandbox` are independent of each other; `make lint` checks the layers with import-linter.)
"""

__version__ = "0.1.0"
