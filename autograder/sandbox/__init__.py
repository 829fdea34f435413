"""Running student code in a separate worker process that hands back plain data only.

    codec    plain data <-> JSON; the grader side validates everything it decodes
    protocol length-prefixed messages over a pipe
    worker   the worker's main: loads a submission statement by statement, answers calls
    client   the grader's handle on a worker: limits, time-outs, restarts
"""
