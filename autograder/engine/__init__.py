"""Grading one submission: `grade.grade` takes a `GradeRequest`, loads the submission in a sandbox worker, runs the
hidden graders on it and returns a `GradingResult`.

    grade        the entry point, and the request it takes
    student      the graders' handle on the submission (calls, stand-ins, failures in plain words)
    plugin       the pytest run of the graders, and second runs for checks another function spoiled
    checks, markers, numeric, contracts   what the graders compare with, their weights, and what proxies accept
    integrity, load_notes, redact         the course's files unchanged, loading in plain lines, no leaked solutions
"""
