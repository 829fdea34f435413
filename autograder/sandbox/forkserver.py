"""The workers' pre-loaded parent: imports numpy, matplotlib and h5py once, then forks a fresh worker per request.

Started by `forkserver_client.ForkServer` as ``python -E -s -B forkserver.py CONTROL_FD`` with the
workers' environment. Like the worker, it never imports the grader or the reference solution,
and it never runs student code: each worker is a new child, forked from this clean state,
that sets up its own limits (the same steps `client._limit` takes before a fresh worker's
exec) and then serves one submission (`worker.WorkerSession`). So nothing of one submission can
reach the next, and a worker starts in milliseconds instead of the ~0.9 s that starting
Python, numpy and matplotlib.pyplot takes.

Requests arrive on the control socket (SOCK_SEQPACKET, one JSON object per packet):
    {"op": "spawn", "home", "env", "tmpfs", "memory_mb", "file_mb", "disk_mb"} + fds (to worker, from worker, output)
        -> {"pid": N} | {"error": "...", "tmpfs_refused": bool}
    {"op": "reap", "pid": N}  -> {"code": C}   (the exit status of a worker that has ended, as Popen.returncode)
The server answers {"ready": true} once loaded. Workers stay unreaped until the grader asks,
so a worker's pid cannot be reused while the grader may still signal it; anything else that
ends here (orphans adopted as a subreaper) is collected after each request.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import sys
import tempfile
import traceback

import disk
import matplotlib
import numpy
import reaper
import worker


matplotlib.use("Agg")
import matplotlib.pyplot  # noqa: E402, F401 - what every notebook's setup cell imports: loaded once, here


try:
    import h5py  # noqa: F401 - what loading the data sets imports (planar_utils), 0.03 CPU-s a worker
except ImportError:  # the notebook's own import will say so, in the worker
    pass


MAX_REQUEST = 1 << 16


def _keep_only(keep: set[int]) -> None:
    """Close every file descriptor of this process except `keep`."""
    start = 0
    for fd in (*sorted(keep), os.sysconf("SC_OPEN_MAX")):
        if start < fd:  # os.closerange(n, n) is not a no-op: with close_range(2) it closes everything from n up
            os.closerange(start, fd)
        start = fd + 1


def _child(request: dict, to_worker: int, from_worker: int, output: int, status: int, parent: int) -> None:
    """In the forked child: the worker's session, limits and environment, then serve the submission. Never returns."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a fresh Python: Ctrl-C is KeyboardInterrupt
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    _keep_only({0, 1, 2, to_worker, from_worker, status})
    home = str(request["home"])
    if request.get("tmpfs"):
        try:
            disk.mount_private_tmpfs(home, int(request["disk_mb"]))
        except OSError as exc:
            os.write(status, f"tmpfs {exc}".encode())
            os._exit(1)
    else:
        os.chdir(home)
    memory, file_size = int(request["memory_mb"]) * 2**20, int(request["file_mb"]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
    reaper.die_with_parent()
    if os.getppid() != parent:  # the server ended before the line above took effect
        os._exit(1)
    disk.drop_capabilities()
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in request["env"].items()})
    tempfile.tempdir = None  # found again from TMPDIR, the scratch folder
    numpy.random.seed()  # as in a fresh process: the global generator is seeded from the system, not inherited
    sys.argv = [worker.__file__, str(to_worker), str(from_worker)]
    os.write(status, b"ok")
    os.close(status)
    code = 0
    try:
        worker.WorkerSession(to_worker, from_worker).serve()
    except BaseException:  # noqa: BLE001 - as an exec'd worker would: the traceback to its output, status 1
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - the output file may be full or gone
                pass
    os._exit(code)


def _spawn(request: dict, fds: list[int], workers: set[int]) -> dict:
    if len(fds) != 3:
        return {"error": f"a spawn request needs 3 file descriptors, got {len(fds)}"}
    status_r, status_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(status_r)
            to_worker, from_worker, output = fds
            _child(request, to_worker, from_worker, output, status_w, os.getppid())
        except BaseException as exc:  # noqa: BLE001 - whatever went wrong, the server hears it and the child ends
            try:
                os.write(status_w, f"setup {type(exc).__name__}: {exc}".encode()[:1000])
            finally:
                os._exit(1)
    os.close(status_w)
    chunks = []
    while chunk := os.read(status_r, 4096):
        chunks.append(chunk)
        if b"".join(chunks) == b"ok":
            break
    os.close(status_r)
    said = b"".join(chunks).decode(errors="replace")
    if said == "ok":
        workers.add(pid)
        return {"pid": pid}
    os.waitpid(pid, 0)
    return {"error": said.split(" ", 1)[-1] or "the worker ended while it was set up",
            "tmpfs_refused": said.startswith("tmpfs ")}


def _reap(pid: int, workers: set[int]) -> dict:
    if pid not in workers:
        return {"error": f"{pid} is not a worker of this server"}
    _, status = os.waitpid(pid, 0)
    workers.discard(pid)
    return {"code": os.waitstatus_to_exitcode(status)}


def serve(control: socket.socket) -> None:
    reaper.become_subreaper()  # what a worker leaves behind is re-parented here, where the grader's reaping finds it
    workers: set[int] = set()
    control.send(json.dumps({"ready": True}).encode())
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, MAX_REQUEST, 8)
        except (OSError, ValueError):
            return
        if not message:
            return  # the grader has gone
        try:
            request = json.loads(message)
            if request.get("op") == "spawn":
                reply = _spawn(request, fds, workers)
            elif request.get("op") == "reap":
                reply = _reap(int(request["pid"]), workers)
            else:
                reply = {"error": f"unknown request {request.get('op')!r}"}
        except (ValueError, KeyError, TypeError, OSError) as exc:
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            for fd in fds:
                os.close(fd)
        reaper.collect_adopted_zombies(os.getpid(), protect=workers)
        control.send(json.dumps(reply).encode())


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides when grading stops; it dies with its grader
    home = os.getcwd()
    if os.environ.get("HOME") == home and os.path.basename(home).startswith("autograder-forkserver-"):
        os.chdir("/")  # loaded: its own folder is no longer needed, and a server killed outright leaves nothing
        shutil.rmtree(home, ignore_errors=True)
    serve(socket.socket(fileno=int(sys.argv[1])))
