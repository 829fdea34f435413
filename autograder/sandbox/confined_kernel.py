"""A Jupyter kernel confined like a grading worker, for whatever nbgrader still executes (`nbgrader validate`).

Started by `autograder.platforms.nbgrader.kernel.ConfinedKernelManager` as
``python -E -s -m autograder.sandbox.confined_kernel --scratch DIR --path RELEASE --hide COURSE ... -f CONNECTION_FILE``.
Before ipykernel starts a thread or binds a socket, this process:

- works in DIR (cwd, HOME, TMPDIR), a tmpfs of ``--disk-mb`` where the kernel allows one (as root);
  elsewhere the manager watches DIR from outside and stops the kernel past that budget;
- limits its address space, file size and CPU time, and gives up every capability;
- confines itself with Landlock: it reads only the interpreter, the system and the ``--path``
  folders (the release), and nothing in the ``--hide`` folders (the course's own) that those hold,
  writes only in DIR, binds TCP only to its connection file's ports and connects nowhere; seccomp
  refuses new processes, every socket but TCP (MPTCP included), and signals to any other process.

Only then does ipykernel start, so each of its threads, and every cell it runs, is confined:
Landlock binds the thread that applies it and what that thread starts, never threads that
already run. Where Landlock is missing the kernel refuses to start, unless the environment
says ``AUTOGRADER_ALLOW_UNCONFINED=1``.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import resource
import signal
import socket
import sys
import warnings

from autograder.sandbox import disk, landlock, seccomp


NO_NETWORK = "this notebook's code tried to open a network connection; the grading machine allows none"
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def _refuse_sockets(event: str, args: tuple) -> None:
    """Audit hook: Python's own network sockets fail with a plain message (Landlock and seccomp refuse them
    anyway). Unix socket objects stay: asyncio wraps a socketpair() in them, and seccomp refuses any other."""
    if event == "socket.__new__" and len(args) > 1 and args[1] != socket.AF_UNIX:
        raise PermissionError(errno.EACCES, NO_NETWORK)


def _arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="confined_kernel")
    parser.add_argument("--scratch", required=True, help="the kernel's only writable folder: cwd, HOME and TMPDIR")
    parser.add_argument("--path", action="append", default=[], help="a folder to read and import from (the release)")
    parser.add_argument("--hide", action="append", default=[],
                        help="a folder nothing in which may be read, even beneath a readable one (the course's own)")
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--file-mb", type=int, default=64)
    parser.add_argument("--disk-mb", type=int, default=256)
    parser.add_argument("--cpu-seconds", type=int, default=1200)
    parser.add_argument("-f", dest="connection_file", required=True)
    return parser.parse_known_args(argv)


def confine(options: argparse.Namespace) -> str:
    """Limits, then Landlock and seccomp, for this process and everything it starts; what holds, in words."""
    scratch = os.path.realpath(options.scratch)
    if os.geteuid() == 0:
        try:
            disk.mount_private_tmpfs(scratch, options.disk_mb)
        except OSError:
            pass  # the manager's watcher enforces the budget instead
    os.chdir(scratch)
    for name in ("HOME", "TMPDIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        os.environ[name] = scratch if name in ("HOME", "TMPDIR") else os.path.join(scratch, "." + name.lower())
    for limit, megabytes in ((resource.RLIMIT_AS, options.memory_mb), (resource.RLIMIT_FSIZE, options.file_mb)):
        resource.setrlimit(limit, (megabytes * 2**20, megabytes * 2**20))
    resource.setrlimit(resource.RLIMIT_CPU, (options.cpu_seconds, options.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing the kernel
    disk.drop_capabilities()
    with open(options.connection_file, encoding="utf-8") as f:
        ports = tuple(int(port) for name, port in json.load(f).items() if name in PORTS and int(port) > 0)
    read = [sys.prefix, sys.base_prefix, sys.exec_prefix, *landlock.SYSTEM_READ, *options.path,
            options.connection_file]
    missing = landlock.confine(read=read, write=[scratch, "/dev/null"], bind_ports=ports, hide=options.hide)
    if "network" in missing:  # the kernel's TCP sockets could then connect anywhere
        raise landlock.LandlockUnavailable("this Landlock cannot restrict TCP (Linux 6.7 or later is needed)")
    if not seccomp.forbid_processes() or not seccomp.forbid_network_but_tcp():
        missing.append("new processes and sockets (no seccomp on this platform)")
    elif seccomp.forbid_reaching_others():  # what an older kernel's Landlock leaves to seccomp
        missing = [m for m in missing if m not in seccomp.COVERS]
    return "confined" if not missing else "partly confined (not enforced: " + ", ".join(missing) + ")"


def main(argv: list[str]) -> int:
    options, rest = _arguments(argv)
    try:
        state = confine(options)
    except landlock.LandlockUnavailable as exc:
        if os.environ.get("AUTOGRADER_ALLOW_UNCONFINED") != "1":
            print(f"autograder: this kernel refuses to run a notebook unconfined: {exc}. Run on Linux 5.13 or later "
                  "with Landlock enabled, or set AUTOGRADER_ALLOW_UNCONFINED=1 to accept the risk.", file=sys.stderr)
            return 1
        state = f"not confined: {exc}"
    if state != "confined" and os.environ.get("AUTOGRADER_ALLOW_UNCONFINED") != "1":
        print(f"autograder: this kernel refuses to run a notebook {state}. Run on a kernel whose seccomp this "
              "platform supports (x86_64 or aarch64), or set AUTOGRADER_ALLOW_UNCONFINED=1 to accept the risk.",
              file=sys.stderr)
        return 1
    if state != "confined":
        print(f"autograder: warning: this kernel is {state}", file=sys.stderr)
    sys.path[:0] = [os.path.realpath(p) for p in options.path]
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelapp import IPKernelApp

    class Kernel(IPythonKernel):
        async def _progressively_terminate_all_children(self) -> None:
            """Nothing to end: this kernel cannot start processes (and listing them would read /proc)."""

    # The pipe that relays subprocesses' output binds a random port, which Landlock refuses, and there are no
    # subprocesses to relay.
    warnings.filterwarnings("ignore", message="Couldn't bind IOPub Pipe")

    app = IPKernelApp.instance(kernel_class=Kernel)
    app.initialize(["-f", options.connection_file, "--IPKernelApp.log_level=ERROR", *rest])
    sys.addaudithook(_refuse_sockets)  # from here on, only the notebook's code would open sockets
    app.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
