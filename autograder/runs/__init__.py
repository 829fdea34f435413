"""Grading a class: find each student's submission, grade it as `autograder grade` would, keep grades.csv.

    class_run     the one class loop (`run_class`) and what a back end is (`Backend`, `Job`)
    submissions   finding one submission per student
    records       each student's outcome, fingerprint and resume
    grades_file   grades.csv kept as grades arrive
    progress      the progress bar
    local, pool   the local back end: warm grader processes
    dask_backend, dask_tasks   the Dask back end (the optional ``cluster`` extra)
"""
