"""The grader's side of the fork server (see `forkserver`): start it once, have it fork workers.

One fork server per grading process, started on first use with the workers' environment
and again if it has ended. `server()` is None where it cannot run (it did not start, or
`AUTOGRADER_FORK_SERVER=0`); workers are then started with a fresh Python, as before.
A forked worker is not this process's child, so `ForkedProcess` gives it the part of
`subprocess.Popen`'s interface the client uses (pid, poll, wait), with the exit status
collected by the server.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder.sandbox import reaper, scratch


SCRIPT = Path(__file__).with_name("forkserver.py")
START_SECONDS = 60.0  # a server that is not ready by then is given up for this process
ANSWER_SECONDS = 30.0  # a request the server has not answered by then: it is broken, start another
POLL_SECONDS = 0.002


class ForkServerError(RuntimeError):
    """The fork server could not start or answer; the message says why."""


class TmpfsRefused(ForkServerError):
    """The kernel refused the worker's private tmpfs (no CAP_SYS_ADMIN, or no mount namespaces)."""


class ForkedProcess:
    """A worker forked by the server, with Popen's pid, returncode, poll() and wait()."""

    def __init__(self, pid: int, server: ForkServer):
        self.pid, self.server = pid, server
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and reaper.state(self.pid) in ("Z", "X", None):
            self.returncode = self.server.reap(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(SCRIPT), timeout or 0.0)
            time.sleep(POLL_SECONDS)
        return code


class ForkServer:
    """One running fork server; `spawn` forks a worker, `reap` collects its exit status."""

    def __init__(self, env: dict[str, str]):
        self.home = str(scratch.make("forkserver"))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = ours
        env = dict(env, HOME=self.home, TMPDIR=self.home)
        self.errors = tempfile.TemporaryFile()  # only read when it could not start
        self.ready = False
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-E", "-s", "-B", str(SCRIPT), str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                cwd=self.home, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.errors,
                start_new_session=True, preexec_fn=reaper.die_with_parent)  # it dies with this process
        finally:
            theirs.close()

    def _wait_ready(self) -> None:
        """Returns once the server has loaded (it starts loading as soon as it is created); ForkServerError if it
        cannot."""
        if self.ready:
            return
        try:
            ready = self._answer(START_SECONDS)
        except ForkServerError:
            ready = {}
        if not ready.get("ready"):
            self.errors.seek(0)
            last = (self.errors.read().decode(errors="replace").strip().splitlines() or ["it ended without a word"])[-1]
            _UNAVAILABLE.append(f"the fork server did not start ({last})")
            raise ForkServerError(_UNAVAILABLE[-1])
        self.ready = True

    def _answer(self, timeout: float) -> dict:
        self.control.settimeout(timeout)
        try:
            data = self.control.recv(1 << 16)
        except OSError as exc:
            raise ForkServerError(f"the fork server did not answer ({exc})") from None
        if not data:
            raise ForkServerError("the fork server has ended")
        return json.loads(data)

    def _request(self, request: dict, fds: tuple[int, ...] = ()) -> dict:
        with _LOCK:  # the control socket carries one exchange at a time
            self._wait_ready()
            try:
                socket.send_fds(self.control, [json.dumps(request).encode()], list(fds))
            except OSError as exc:
                raise ForkServerError(f"the fork server cannot be reached ({exc})") from None
            answer = self._answer(ANSWER_SECONDS)
        if "error" in answer:
            raise (TmpfsRefused if answer.get("tmpfs_refused") else ForkServerError)(str(answer["error"]))
        return answer

    def alive(self) -> bool:
        return self.process.poll() is None

    def spawn(self, *, home: Path, env: dict[str, str], tmpfs: bool, memory_mb: int, file_mb: int, disk_mb: int,
              fds: tuple[int, int, int]) -> ForkedProcess:
        """Fork a worker that reads requests on fds[0], answers on fds[1] and writes its output to fds[2]."""
        answer = self._request({"op": "spawn", "home": str(home), "env": env, "tmpfs": tmpfs, "memory_mb": memory_mb,
                                "file_mb": file_mb, "disk_mb": disk_mb}, fds)
        return ForkedProcess(int(answer["pid"]), self)

    def reap(self, pid: int) -> int:
        """The exit status of a worker that has ended (as Popen.returncode: negative for a signal)."""
        try:
            return int(self._request({"op": "reap", "pid": pid})["code"])
        except ForkServerError:
            return _reap_orphan(pid)  # the server itself ended: its workers were re-parented here

    def close(self) -> None:
        self.control.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.errors.close()
        scratch.remove(Path(self.home))


def _reap_orphan(pid: int) -> int:
    """A worker whose server died: it was killed with it (pdeathsig) and re-parented to this subreaper."""
    try:
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)
    except ChildProcessError:
        return -9


_LOCK = threading.RLock()  # one exchange at a time on the control socket; one server started at a time
_SERVER: list[ForkServer] = []
_UNAVAILABLE: list[str] = []  # why this process starts workers with a fresh Python instead, once known


def server(env: dict[str, str]) -> ForkServer | None:
    """This process's fork server, started if need be (it loads in the background until its first request);
    None where workers must start with a fresh Python."""
    if os.environ.get("AUTOGRADER_FORK_SERVER", "1") == "0" or _UNAVAILABLE:
        return None
    with _LOCK:
        if _SERVER and not _SERVER[0].alive():
            _SERVER.pop().close()
        if not _SERVER:
            try:
                _SERVER.append(ForkServer(env))
            except OSError as exc:  # not even the process could start
                _UNAVAILABLE.append(f"the fork server did not start ({exc})")
                return None
        return _SERVER[0]


def server_pids() -> set[int]:
    """The running fork server's pid (a child of this process that reaping must spare), if there is one."""
    return {_SERVER[0].process.pid} if _SERVER else set()


@atexit.register
def _stop() -> None:
    while _SERVER:
        _SERVER.pop().close()
