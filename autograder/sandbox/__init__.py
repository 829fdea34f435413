"""Running student code in a separate worker process that hands back plain data only.

    codec       plain data <-> JSON; the grader side validates everything it decodes
    protocol    length-prefixed messages over a pipe
    worker      the worker's main: loads a submission statement by statement, answers calls
    forkserver  the workers' pre-loaded parent (numpy, matplotlib): forks a fresh worker per request
    forked      the grader's side of the fork server: start it, have it fork workers, collect their ends
    client      the grader's handle on a worker: limits, time-outs, restarts
    landlock, seccomp, disk, reaper   confinement, the disk budget, and leaving no process behind
"""
