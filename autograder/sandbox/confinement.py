"""Whether submissions may be graded here: what the sandbox says of its own confinement, and the rule.

A worker describes its confinement before it runs the first statement of a submission (the
"parsed" event): "confined" when Landlock holds it to its folders and seccomp refuses sockets,
new processes, and what this kernel's Landlock may lack (signals to other processes before
Linux 6.12, truncation of readable files before 6.2); "partly confined (not enforced: ...)"
where seccomp could not make up for those; "not confined: ..." when Landlock is missing (Linux before 5.13, Landlock off
at boot, gVisor, a container's seccomp profile that refuses its system calls), with
"; network not refused" or "; new processes not refused" where seccomp is missing.

Grading goes ahead only when "confined" (`acceptable`), on every path (`grade`, `batch`,
Dask, Gradescope, Classroom), unless the instructor says `--allow-unconfined`; the result
then records how it was graded.
"""

from __future__ import annotations

from pathlib import Path


CONFINED = "confined"
_PACKAGE = Path(__file__).resolve().parents[1]
# What a worker is never let read, even under a folder it may read: autograder.course.paths.PRIVATE_DIRS, by the same
# rule (the sandbox may not import the course): the checkout around this package, or the package a wheel installed.
PRIVATE_DIRS = [str(_PACKAGE if (_PACKAGE / "course_files").is_dir() else _PACKAGE.parent)]
HOW_TO_FIX = ("Grade on Linux 5.13 or later with Landlock enabled at boot (`cat /sys/kernel/security/lsm` lists "
              "landlock) and seccomp; in a container, with a seccomp profile that allows landlock_create_ruleset, "
              "landlock_add_rule and landlock_restrict_self (Docker's and containerd's defaults do; gVisor does not "
              "implement them). Or pass --allow-unconfined to grade anyway, accepting that submissions can then read "
              "the graders and the solutions.")


class Unconfined(RuntimeError):
    """Submissions would run unconfined here; the message is one plain line saying why and what to do."""

    def __init__(self, state: str, where: str = ""):
        refuses = f"{where} refuses to grade" if where else "refusing to grade"
        super().__init__(f"{refuses}: submissions would run {state}. {HOW_TO_FIX}")
        self.state, self.where = state, where

    def __reduce__(self):  # crosses to a Dask client intact
        return Unconfined, (self.state, self.where)


def acceptable(state: str) -> bool:
    """Whether `state` (a worker's description) confines submissions enough to grade them: only "confined", where
    Landlock holds the worker's files and seccomp refuses sockets, new processes, signals to other processes and
    truncation by name, whatever this kernel's Landlock lacks. "partly confined" means seccomp could not make up for
    an older Landlock (a worker could then kill every process of the grading user): refused."""
    return state == CONFINED


def unconfined_note(state: str) -> str:
    """The line every result graded without confinement carries (--allow-unconfined)."""
    return (f"Graded without confinement (--allow-unconfined): the submission ran {state}, so nothing kept it from "
            "the graders' files.")
