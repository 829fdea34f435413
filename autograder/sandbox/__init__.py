"""Running student code in a separate worker process that hands back plain data only.

    handle             the grader's handle on a worker (`WorkerHandle`): limits, time-outs, restarts, callbacks
    worker             the worker process (`WorkerSession`): loads a submission statement by statement, answers calls
    codec, protocol    plain data and the arrays' raw bytes over a pair of pipes; the grader's side validates all
    forkserver         the workers' pre-loaded parent (numpy, matplotlib, h5py): forks a fresh worker per request
    forkserver_client  the grader's side of the fork server: start it, have it fork workers, collect their ends
    clock              the time a call is charged: the student's own, whatever the machine's load
    confinement        whether submissions may be graded here (Landlock and seccomp), and the rule
    landlock, seccomp, disk, reaper, scratch   confinement, the disk budget, no process or folder left behind
    confined_kernel    a Jupyter kernel confined like a worker, for what nbgrader still executes
"""
