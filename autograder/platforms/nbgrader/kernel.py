"""The kernel manager nbgrader uses for whatever it still executes with the course's configuration.

`nbgrader autograde` runs no kernel here (see `nbgrader_autograde`), but `nbgrader validate`,
the notebook's Validate button and any preprocessor list that keeps nbgrader's Execute do.
`nbgrader_config.py` names `ConfinedKernelManager` as nbconvert's kernel manager, so each of
those kernels is started by `autograder.sandbox.confined_kernel`: a Python kernel confined like
a grading worker, in a scratch folder of its own that this manager creates, watches (the disk
budget, where no tmpfs could be mounted) and removes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

from autograder.course.paths import PRIVATE_DIRS, RELEASE_DIR
from autograder.sandbox import disk, landlock, scratch


# All a kernel's environment keeps of the server's: no secret of the instructor's (NBGRADER_DB_URL, a JupyterHub API
# token, cloud credentials) reaches a validated notebook. JPY_* are jupyter_client's own (the parent to watch).
KEPT = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "AUTOGRADER_ALLOW_UNCONFINED", landlock.ABI_VARIABLE)


def kernel_env(env: Mapping[str, str]) -> dict[str, str]:
    """The part of `env` a confined kernel starts with."""
    return {name: value for name, value in env.items() if name in KEPT or name.startswith(("LC_", "JPY_"))}


class ConfinedKernelManager(AsyncKernelManager):
    """Starts every kernel confined (reads: system and release; writes: its scratch folder; no network or
    processes; limits on memory, file size, disk and CPU time), whatever kernel the notebook names."""

    memory_mb = Integer(2048, help="The kernel's address space, in MB.").tag(config=True)
    disk_mb = Integer(256, help="All the kernel's scratch folder may hold, in MB.").tag(config=True)
    cpu_seconds = Integer(1200, help="CPU time the kernel may use in all, in seconds.").tag(config=True)

    _scratch: Path | None = None
    _watcher: disk.Watcher | None = None

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        self._scratch = scratch.make("kernel")
        return [sys.executable, "-E", "-s", "-m", "autograder.sandbox.confined_kernel", "--scratch", str(self._scratch),
                "--path", str(RELEASE_DIR), *(arg for folder in PRIVATE_DIRS for arg in ("--hide", str(folder))),
                "--memory-mb", str(self.memory_mb), "--disk-mb", str(self.disk_mb),
                "--cpu-seconds", str(self.cpu_seconds), "-f", os.path.realpath(self.connection_file)]

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        kw["cwd"] = str(self._scratch)
        kw["env"] = kernel_env(kw.get("env") or os.environ)
        await super()._async_launch_kernel(kernel_cmd, **kw)
        if self._scratch is not None:
            self._watcher = disk.Watcher(self._scratch, self.disk_mb * 2**20, self._over_budget)
            self._watcher.start()

    def _over_budget(self, used: int) -> None:
        """The scratch folder holds more than the budget: stop the kernel at once."""
        process = getattr(self.provisioner, "process", None)
        if process is not None and process.poll() is None:
            self.log.error("the kernel wrote %d MB, more than its %d MB of disk, and was stopped", used // 2**20,
                           self.disk_mb)
            process.kill()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self._scratch is not None:
            scratch.remove(self._scratch)
            self._scratch = None
        await super()._async_cleanup_resources(restart=restart)
