"""Gradescope: the autograder bundle, and one run inside the assignment's time limit."""
