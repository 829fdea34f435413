"""Refuse new processes and every network to the worker with seccomp filters (threads stay allowed).

Standalone (ctypes only), for the worker. After `forbid_processes`, fork, vfork and clone
without CLONE_THREAD fail with EAGAIN, and clone3 with ENOSYS (the C library then falls
back to clone, which the filter can inspect). So student code cannot start a fork bomb or
a daemon, even when the grader runs as root, where process-count limits do not apply.

After `forbid_network`, socket() fails with EACCES for every address family (TCP, UDP,
raw, netlink, Unix: the worker talks to the grader over inherited pipes and needs none),
whatever Landlock version the kernel has; io_uring, which could open sockets without
calling socket(), fails with ENOSYS, and so does every x32 system call on x86_64 (another
way in that a filter keyed on system call numbers would miss). socketpair() stays: it
only joins two ends inside the worker. The Jupyter kernel's variant allows TCP over IPv4
with protocol 0 or IPPROTO_TCP only (MPTCP, on by default, is a stream socket Landlock's TCP
rules do not cover).

After `forbid_reaching_others`, kill and the other calls that signal a process work on the
process itself only (EPERM for any other, a process group, or -1), a file cannot be given
another process as its signal owner (fcntl F_SETOWN, ioctl FIOSETOWN), and truncate(2) by name
fails: what Landlock enforces itself only on newer kernels, so that a worker on Linux 5.15 or
6.8 can no more kill the batch than on 6.12. x86_64 and aarch64; elsewhere each reports that
it did nothing.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
from collections.abc import Callable


PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
CLONE_THREAD = 0x00010000
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
# syscall numbers: (fork, vfork, clone, clone3); aarch64 has no fork or vfork
SYSCALLS = {"x86_64": (57, 58, 56, 435), "aarch64": (None, None, 220, 435)}
# syscall numbers: (socket, io_uring_setup, io_uring_enter, io_uring_register)
NETWORK_SYSCALLS = {"x86_64": (41, 425, 426, 427), "aarch64": (198, 425, 426, 427)}
X32_SYSCALL_BIT = 0x40000000
AF_INET, AF_NETLINK, SOCK_STREAM, SOCK_TYPE_MASK, NETLINK_ROUTE = 2, 16, 1, 0xF, 0
IPPROTO_IP, IPPROTO_TCP = 0, 6
# syscall numbers: ((kill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo): the target process first; (tkill,
# pidfd_send_signal): a thread id or a pidfd; fcntl; ioctl; truncate)
OTHERS_SYSCALLS = {"x86_64": ((62, 234, 129, 297), (200, 424), 72, 16, 76),
                   "aarch64": ((129, 131, 138, 240), (130, 424), 25, 29, 45)}
F_SETOWN, F_SETOWN_EX, FIOSETOWN, SIOCSPGRP = 8, 15, 0x8901, 0x8902  # make another process a file's signal owner
COVERS = ("signals to other processes", "truncation of readable files")  # what Landlock reports missing, this refuses

# classic BPF
LD_W_ABS, JEQ_K, JGE_K, JSET_K, RET_K, AND_K = 0x20, 0x15, 0x35, 0x45, 0x06, 0x54
ALLOW, ERRNO, KILL_PROCESS = 0x7FFF0000, 0x00050000, 0x80000000
NR, ARCH, ARG0_LOW, ARG1_LOW, ARG2_LOW = 0, 4, 16, 24, 32  # offsets in struct seccomp_data (little-endian)


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def _start(arch: str) -> list[tuple[int, int, int, int]]:
    """Every filter's start: a process of another architecture is killed, then the system call's number is loaded."""
    return [(LD_W_ABS, 0, 0, ARCH), (JEQ_K, 1, 0, AUDIT_ARCH[arch]), (RET_K, 0, 0, KILL_PROCESS), (LD_W_ABS, 0, 0, NR)]


def _network_start(arch: str) -> list[tuple[int, int, int, int]]:
    """`_start`, then the x32 system calls refused (they would get around the numbers below)."""
    program = _start(arch)
    if arch == "x86_64":
        program += [(JGE_K, 0, 1, X32_SYSCALL_BIT), (RET_K, 0, 0, ERRNO | errno.ENOSYS)]
    return program


def _refuse_uring(arch: str) -> list[tuple[int, int, int, int]]:
    """io_uring refused (its operations would get around socket()), everything else allowed."""
    program = []
    for number in NETWORK_SYSCALLS[arch][1:]:
        program += [(JEQ_K, 0, 1, number), (RET_K, 0, 0, ERRNO | errno.ENOSYS)]
    return program + [(RET_K, 0, 0, ALLOW)]


def _program(arch: str) -> list[tuple[int, int, int, int]]:
    fork, vfork, clone, clone3 = SYSCALLS[arch]
    eagain, enosys = ERRNO | errno.EAGAIN, ERRNO | errno.ENOSYS
    program = _start(arch)
    for number in (fork, vfork):
        if number is not None:
            program += [(JEQ_K, 0, 1, number), (RET_K, 0, 0, eagain)]
    program += [(JEQ_K, 0, 1, clone3), (RET_K, 0, 0, enosys),
                (JEQ_K, 0, 3, clone), (LD_W_ABS, 0, 0, ARG0_LOW), (JSET_K, 1, 0, CLONE_THREAD), (RET_K, 0, 0, eagain),
                (RET_K, 0, 0, ALLOW)]
    return program


def _network_program(arch: str) -> list[tuple[int, int, int, int]]:
    socket = NETWORK_SYSCALLS[arch][0]
    return _network_start(arch) + [(JEQ_K, 0, 1, socket), (RET_K, 0, 0, ERRNO | errno.EACCES)] + _refuse_uring(arch)


def _tcp_only_program(arch: str) -> list[tuple[int, int, int, int]]:
    """`_network_program`, except that a Jupyter kernel's own sockets may be created: TCP over IPv4 (protocol 0 or
    IPPROTO_TCP, never MPTCP or another that Landlock's TCP rules would not see), which Landlock then keeps from
    connecting anywhere or binding to any other port, and the routing netlink socket through which ZeroMQ lists the
    interfaces when it binds (it reads; changing anything needs a capability)."""
    socket = NETWORK_SYSCALLS[arch][0]
    eacces = ERRNO | errno.EACCES
    program = _network_start(arch) + [
                (JEQ_K, 0, 13, socket),  # not socket(): on to io_uring
                (LD_W_ABS, 0, 0, ARG0_LOW), (JEQ_K, 0, 6, AF_INET),  # not AF_INET: to the netlink test
                (LD_W_ABS, 0, 0, ARG1_LOW), (AND_K, 0, 0, SOCK_TYPE_MASK), (JEQ_K, 0, 6, SOCK_STREAM),
                (LD_W_ABS, 0, 0, ARG2_LOW), (JEQ_K, 5, 0, IPPROTO_IP), (JEQ_K, 4, 3, IPPROTO_TCP),
                (JEQ_K, 0, 2, AF_NETLINK), (LD_W_ABS, 0, 0, ARG2_LOW), (JEQ_K, 1, 0, NETLINK_ROUTE),
                (RET_K, 0, 0, eacces), (RET_K, 0, 0, ALLOW)]
    return program + _refuse_uring(arch)


def _others_program(arch: str, me: int) -> list[tuple[int, int, int, int]]:
    """Signals reach this process only (`me`), no file names another process as its signal owner, and no file is
    truncated by its name: what Landlock enforces itself only from Linux 6.12 (signals) and 6.2 (truncation)."""
    own, refused, fcntl, ioctl, truncate = OTHERS_SYSCALLS[arch]
    eperm = ERRNO | errno.EPERM
    program = _network_start(arch)
    for number in own:  # the target process is the first argument: it must be this one
        program += [(JEQ_K, 0, 4, number), (LD_W_ABS, 0, 0, ARG0_LOW), (JEQ_K, 0, 1, me),
                    (RET_K, 0, 0, ALLOW), (RET_K, 0, 0, eperm)]
    for number in (*refused, truncate):  # a thread id or a pidfd can name another process; truncate(2) a path
        program += [(JEQ_K, 0, 1, number), (RET_K, 0, 0, eperm)]
    for number, commands in ((fcntl, (F_SETOWN, F_SETOWN_EX)), (ioctl, (FIOSETOWN, SIOCSPGRP))):
        program += [(JEQ_K, 0, 5, number), (LD_W_ABS, 0, 0, ARG1_LOW), (JEQ_K, 2, 0, commands[0]),
                    (JEQ_K, 1, 0, commands[1]), (RET_K, 0, 0, ALLOW), (RET_K, 0, 0, eperm)]
    return program + [(RET_K, 0, 0, ALLOW)]


def forbid_processes() -> bool:
    """Install the process filter on this process and its threads for good; False where it cannot be done."""
    return _install(_program)


def forbid_network() -> bool:
    """Install the network filter on this process and its threads for good; False where it cannot be done."""
    return _install(_network_program)


def forbid_network_but_tcp() -> bool:
    """Like `forbid_network`, but a kernel's TCP and routing netlink sockets may be created (`_tcp_only_program`)."""
    return _install(_tcp_only_program)


def forbid_reaching_others() -> bool:
    """Install `_others_program` for this process (as it is now: call it after the last fork) and its threads for
    good; False where it cannot be done."""
    me = os.getpid()
    return _install(lambda arch: _others_program(arch, me))


def _install(program: Callable[[str], list[tuple[int, int, int, int]]]) -> bool:
    arch = platform.machine()
    if platform.system() != "Linux" or arch not in SYSCALLS or struct.pack("=H", 1) != b"\x01\x00":
        return False
    instructions = [SockFilter(*i) for i in program(arch)]
    array = (SockFilter * len(instructions))(*instructions)
    prog = SockFprog(len(instructions), array)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
