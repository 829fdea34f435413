"""Building the assignment from its one source of truth, the nbgrader source notebook."""
