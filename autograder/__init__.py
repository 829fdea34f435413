"""Course tooling and graders for the planar-classification assignment.

Subpackages:
    course        building the assignment: release (via nbgrader), reference solution, demo.
    sandbox       running student code in a separate worker process that returns plain data only.
    integrations  grading results as Gradescope results.json and JUnit XML.
"""

__version__ = "0.1.0"
