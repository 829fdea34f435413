"""GitHub Classroom: the job summary and result output of a grading job, and the course's clone of every repository."""
