"""Course tooling and graders for the planar-classification assignment.

Subpackages:
    course   building the assignment: release (via nbgrader), reference solution, demo.
"""

__version__ = "0.1.0"
