"""Grading a class on an existing Dask distributed cluster (the optional ``cluster`` extra).

`tasks` runs on the workers: one submission's bytes in, its result files' bytes out, and each
worker checks the sandbox's confinement (`autograder.sandbox.confinement`) before it takes any
work. `batch` is the client side that `autograder batch --scheduler` runs.
"""
