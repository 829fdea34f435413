"""The hidden graders: pytest tests run against a submission's worker by `autograder grade`."""
