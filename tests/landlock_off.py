"""Run a command as it would run where Landlock is missing: its system calls fail with ENOSYS, as under gVisor
or a container whose seccomp profile refuses them.

    python landlock_off.py PROGRAM ARGS...      (or: [sys.executable, "-c", WITHOUT_LANDLOCK, PROGRAM, ...])

The filter is inherited by every process the command starts, the sandbox's workers included.
"""

WITHOUT_LANDLOCK = """
import errno, os, sys
from autograder.sandbox import seccomp
def program(arch):
    s = seccomp
    code = [(s.LD_W_ABS, 0, 0, s.ARCH), (s.JEQ_K, 1, 0, s.AUDIT_ARCH[arch]), (s.RET_K, 0, 0, s.KILL_PROCESS),
            (s.LD_W_ABS, 0, 0, s.NR)]
    for number in (444, 445, 446):  # landlock_create_ruleset, landlock_add_rule, landlock_restrict_self
        code += [(s.JEQ_K, 0, 1, number), (s.RET_K, 0, 0, s.ERRNO | errno.ENOSYS)]
    return code + [(s.RET_K, 0, 0, s.ALLOW)]
assert seccomp._install(program), "no seccomp here"
os.execv(sys.argv[1], sys.argv[1:])
"""


def without_landlock(command: list[str]) -> list[str]:
    """`command` (a program and its arguments) run where Landlock is missing."""
    import sys

    return [sys.executable, "-c", WITHOUT_LANDLOCK, *command]
