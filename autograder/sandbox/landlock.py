"""Confine the worker with Linux Landlock: what it may read, write, signal and connect to.

Standalone (ctypes only), because the worker imports nothing of the grader. After
`confine`, the process and every child it starts can read only the listed folders, write
only in its scratch folder, cannot signal or ptrace processes outside its own sandbox
(the grader among them) and cannot open or accept TCP connections. Unprivileged, and it
binds root too. Needs Linux 5.13 or later; `confine` reports what the kernel could not do.
"""

from __future__ import annotations

import ctypes
import os
import platform
import stat
from collections.abc import Sequence


# syscall numbers (the same on x86_64 and aarch64 for these: they are newer than the split)
CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH, RULE_NET_PORT = 1, 2
PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

# Readable once confined, besides what a caller adds (the interpreter, the release): the system.
ABI_VARIABLE = "AUTOGRADER_LANDLOCK_ABI"
SYSTEM_READ = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/dev/null", "/dev/urandom", "/dev/zero")

READ = READ_FILE | READ_DIR | EXECUTE
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV


class RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class NetPortAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


class LandlockUnavailable(OSError):
    """The kernel cannot confine this process (not Linux, too old, or Landlock disabled)."""


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def abi_version() -> int:
    """Landlock's ABI version on this kernel, or the older one AUTOGRADER_LANDLOCK_ABI names (to see what an older
    kernel would enforce); 0 when there is none."""
    if platform.system() != "Linux":
        return 0
    version = _libc().syscall(CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    at_most = os.environ.get(ABI_VARIABLE, "")
    return max(min(int(version), int(at_most)) if at_most.isdigit() else int(version), 0)


def _handled(abi: int) -> tuple[int, int, int]:
    fs = (1 << 13) - 1  # EXECUTE .. MAKE_SYM: ABI 1
    if abi >= 2:
        fs |= REFER
    if abi >= 3:
        fs |= TRUNCATE
    if abi >= 5:
        fs |= IOCTL_DEV
    net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    return fs, net, scoped


def _without(root: str, hidden: list[str]) -> list[tuple[str, int]]:
    """(path, rights) rules that grant what READ on `root` grants but nothing in the `hidden` folders (real paths):
    READ_DIR on each folder on the way down to one, READ on everything beside the way."""
    real = os.path.realpath(root)
    prefix = real.rstrip("/") + "/"
    below = [h for h in hidden if h.startswith(prefix)]
    if not below or any(real == h or real.startswith(h + "/") for h in hidden):
        return [(root, READ)]  # nothing hidden beneath it, or an explicit grant inside a hidden folder
    way = {prefix + h[len(prefix):].split("/")[0] for h in below}  # its entries on the way down to one
    rules = [(real, READ_DIR)]
    try:
        with os.scandir(real) as entries:
            for entry in entries:
                if entry.path in below or entry.is_symlink():  # a link grants nothing: Landlock checks where it leads
                    continue
                if entry.path in way:
                    rules += _without(entry.path, below)
                else:
                    rules.append((entry.path, READ))
    except OSError:
        pass
    return rules


def confine(read: list[str], write: list[str], bind_ports: tuple[int, ...] = (),
            hide: Sequence[str] = ()) -> list[str]:
    """Restrict this process for good: read (and execute) only under `read`, read and write under `write`,
    bind TCP only to `bind_ports` (where the kernel handles the network), connect over TCP nowhere.

    Nothing in the `hide` folders is readable through a `read` folder that holds them (their names can still be
    listed), unless the `read` folder itself lies inside one of them. Paths that do not exist are skipped.
    Returns what this kernel could not enforce (empty when everything is); raises LandlockUnavailable when
    Landlock itself is missing. Only this thread and what it starts later are confined: call it before
    starting threads.
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockUnavailable("Landlock is not available (Linux 5.13 or later with Landlock enabled is needed)")
    fs, net, scoped = _handled(abi)
    libc = _libc()
    attr = RulesetAttr(fs, net, scoped)
    size = ctypes.sizeof(RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = libc.syscall(CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise LandlockUnavailable(f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}")
    try:
        hidden = [os.path.realpath(h) for h in hide]
        readable = [rule for path in dict.fromkeys(read) for rule in _without(path, hidden)]
        rule, arguments = PathBeneathAttr(), (ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH))
        for path, rights in [*readable, *((path, fs & ~REFER if abi >= 2 else fs) for path in write)]:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                allowed = rights if stat.S_ISDIR(os.fstat(fd).st_mode) else rights & FILE_RIGHTS
                rule.allowed_access, rule.parent_fd = allowed & fs, fd
                if libc.syscall(ADD_RULE, *arguments, ctypes.byref(rule), ctypes.c_uint32(0)) < 0:
                    raise LandlockUnavailable(f"landlock_add_rule({path}) failed: {os.strerror(ctypes.get_errno())}")
            finally:
                os.close(fd)
        for port in bind_ports if net else ():
            port_rule = NetPortAttr(NET_BIND_TCP, port)
            if libc.syscall(ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_NET_PORT), ctypes.byref(port_rule),
                            ctypes.c_uint32(0)) < 0:
                raise LandlockUnavailable(f"landlock_add_rule(port {port}) failed: {os.strerror(ctypes.get_errno())}")
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise LandlockUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
        if libc.syscall(RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) < 0:
            raise LandlockUnavailable(f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)
    missing = []
    if abi < 3:
        missing.append("truncation of readable files")
    if abi < 4:
        missing.append("network")
    if abi < 6:
        missing.append("signals to other processes")
    return missing
