"""Where a course grades: nbgrader, Gradescope and GitHub Classroom, each above the engine, and install checks."""
