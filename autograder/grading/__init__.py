"""The grading engine: the student handle, declarative weights, checks and the pytest run."""
