"""Whether this machine confines submissions: a real sandbox worker is started and asked.

The sandbox reports "confined" only when Landlock holds the worker to its folders and
seccomp refuses sockets and new processes; anything less (an old kernel, Landlock disabled
at boot, gVisor, which lacks Landlock) is described in one line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from autograder.sandbox.client import Limits, SandboxError, Worker


CONFINED = "confined"


class Unconfined(RuntimeError):
    """This machine cannot confine submissions; the message is one plain line saying why."""


def state() -> str:
    """The sandbox's own description of its confinement here: "confined", or what does not hold."""
    with tempfile.TemporaryDirectory(prefix="autograder-check-") as tmp:
        probe = Path(tmp) / "probe.py"
        probe.write_text("x = 1\n", encoding="utf-8")
        try:
            with Worker(probe, limits=Limits(call_seconds=30, statement_seconds=30)) as worker:
                return worker.load().confinement or "not confined: the worker did not say"
        except SandboxError as exc:
            return f"not confined: the sandbox could not start ({exc})"


def require(where: str) -> None:
    """Raise Unconfined with one line naming `where` unless submissions are fully confined here."""
    found = state()
    if found != CONFINED:
        raise Unconfined(f"{where} refuses to grade: submissions would run {found}; grade on Linux with Landlock "
                         "enabled, or pass --allow-unconfined for a trusted test cluster")
