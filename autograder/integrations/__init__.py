"""Grading results in the formats other systems read: Gradescope's results.json, JUnit XML."""
