"""Grading a class on an existing Dask distributed cluster (the optional ``cluster`` extra).

`confinement` is what a Dask worker checks before it takes any work, `tasks` runs on the
workers (one submission's bytes in, its result files' bytes out), and `batch` is the
client side that `autograder batch --scheduler` runs.
"""
