"""The grader's handle on a worker process.

The worker runs in its own session and scratch folder under memory, file-size, disk and
time limits (the disk budget: see `disk`). Loading reports every statement that failed; a
statement that hangs or kills the worker is recorded and skipped on a fresh worker. After
a crash during a call, the next call starts a fresh worker (with an empty scratch folder)
and loads the submission again (the known-bad statements skipped), so one bad call costs
only itself.
"""

from __future__ import annotations

import fcntl
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from autograder.sandbox import codec, confinement, disk, forkserver_client, landlock, protocol, reaper, scratch
from autograder.sandbox.clock import CallClock


WORKER_SCRIPT = Path(__file__).with_name("worker.py")
_LIVE_WORKERS: set[int] = set()  # pids of this process's running workers, which reaping must spare
_TMPFS_REFUSED: list[str] = []  # why the kernel refused a private tmpfs, once it has: watch from then on

# How a call that timed out spent its time (see `clock`), as `CallTimedOut.spent` says it.
Spent = Literal["computing", "waiting", "threads"]
_SPENT_WORDS: dict[str, str] = {"computing": "", "waiting": ", asleep or blocked rather than computing",
                                "threads": ", computing on several threads at once (each thread's time counts)"}


def _spent(clock: CallClock) -> Spent:
    return "threads" if clock.threaded() else "waiting" if clock.waited() else "computing"


class SandboxError(RuntimeError):
    """The worker could not answer: it timed out, died, or sent something unreadable (see the subclasses)."""


class CallTimedOut(SandboxError):
    """A call (or a statement) ran past its limit of charged seconds; `spent` says on what."""

    def __init__(self, seconds: float, during: str, spent: Spent):
        super().__init__(f"timed out after {seconds:g} s{f' during {during}' if during else ''}{_SPENT_WORDS[spent]}")
        self.seconds, self.during, self.spent = seconds, during, spent


class WorkerDied(SandboxError):
    """The worker process ended (`ending`: "was killed by signal 9 (SIGKILL)"), or was stopped for its disk use."""

    def __init__(self, ending: str, during: str = "", *, disk_exceeded: bool = False):
        super().__init__(f"the worker {ending}{f' during {during}' if during else ''}")
        self.ending, self.during, self.disk_exceeded = ending, during, disk_exceeded


class WorkerMisbehaved(SandboxError):
    """The worker sent what the protocol does not allow (out of turn, unreadable data) and was stopped."""


class LoadFailed(SandboxError):
    """Loading could not get going at all: the worker could not start, or kept dying."""


class StudentError(RuntimeError):
    """The student's function did not return a value that can be graded; the message is theirs, shortened.

    `kind`: "raised" (its exception's type name in `exception`), "missing" (no such function), or
    "unreadable_result" (it returned what cannot cross to the grader); `at`: the line it raised at.
    """

    def __init__(self, message: str, at: str | None = None, *, kind: str = "raised", exception: str = ""):
        super().__init__(message)
        self.at, self.kind, self.exception = at, kind, exception


class StopCall(Exception):
    """Raised by a proxy to end the call that is using it: the worker stops the student's function there
    (no further callbacks cross over) and the call fails with `message`, a finding for the student."""

    def __init__(self, message: str, cause: str | None = None):
        super().__init__(message)
        self.cause = cause


class CallStopped(StudentError):
    """A proxy stopped the call (see `StopCall`); the message and cause are the proxy's."""

    def __init__(self, message: str, cause: str | None = None):
        super().__init__(message, kind="stopped")
        self.cause = cause


@dataclass
class Limits:
    call_seconds: float = 20.0
    statement_seconds: float = 20.0
    memory_mb: int = 2048
    file_mb: int = 64
    disk_mb: int = 256  # all the scratch folder may hold (see `disk`)
    private_tmpfs: bool = True  # enforce disk_mb with a private tmpfs where the kernel allows; else watch
    max_restarts: int = 20
    confine: bool = True  # Landlock: reads limited to the system and the release, writes to the scratch folder
    allow_unconfined: bool = False  # when confining: grade even where the sandbox cannot confine (see `confinement`)
    child_processes: bool = False  # when confined: may student code start processes (seccomp refuses them)
    fork_server: bool = True  # fork workers from a pre-loaded parent (see `forkserver`) rather than start Python


@dataclass(frozen=True)
class LoadFailure:
    """A statement that failed while loading, and was skipped.

    `where`: "cell 'relu', line 3" or "line 42"; `message`: "ZeroDivisionError: division by zero";
    `kind`: "raised" (type name in `exception`; for a NameError, the name in `undefined`), "timeout"
    or "crash" (it hung, or ended the worker); `defines`: the names the statement would have bound.
    """

    where: str
    message: str
    kind: Literal["raised", "timeout", "crash"] = "raised"
    exception: str = ""
    undefined: str = ""
    defines: tuple[str, ...] = ()


@dataclass
class LoadReport:
    """What loading a submission did: the statements that failed, the names it defined, notes, confinement."""

    failures: list[LoadFailure] = field(default_factory=list)
    callables: list[str] = field(default_factory=list)
    signatures: dict[str, dict] = field(default_factory=dict)  # name -> {"names", "positional", "varargs", "varkw"}
    unreadable: str | None = None
    notes: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)  # what lining the notebook up with the release found (`structure`)
    pitfalls: list[dict] = field(default_factory=list)  # {"where", "kind", "text"}: see `pitfalls`
    confinement: str = ""


def _ending(code: int) -> str:
    """How a worker ended, from its exit status (negative: the signal that killed it)."""
    if code >= 0:
        return f"exited with status {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = "unknown signal"
    return f"was killed by signal {-code} ({name})"


def _limit(limits: Limits, tmpfs_on: str | None) -> Callable[[], None]:
    """What the worker's child runs before exec: its own tmpfs (if `tmpfs_on`), limits, no capabilities."""
    def apply() -> None:
        if tmpfs_on is not None:
            disk.mount_private_tmpfs(tmpfs_on, limits.disk_mb)  # raises if the kernel refuses: then we watch
        memory = limits.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * 2**20, limits.file_mb * 2**20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        reaper.die_with_parent()  # a grader killed outright does not leave a looping worker behind
        disk.drop_capabilities()  # root's worker cannot raise these limits again, nor unmount its tmpfs
    return apply


def _plain(text: str) -> str:
    """An exception message from grader-side code without its internal qualified names
    ("Recorder.proxies.<locals>.compute_cost()" becomes "compute_cost()")."""
    return re.sub(r"[\w.]*<locals>\.", "", text)


def _signatures(data: Any) -> dict[str, dict]:
    """The worker's signature table, kept only where it has the expected form.

    Each entry: {"names", "positional", "varargs", "varkw", "defaults": {name: {"value": v} | {"repr": "..."}}}.
    """
    if not isinstance(data, dict):
        return {}
    found = {}
    for name, sig in data.items():
        if isinstance(sig, dict) and isinstance(sig.get("names"), list) and isinstance(sig.get("positional"), int):
            names = [str(n) for n in sig["names"]]
            defaults: dict = sig["defaults"] if isinstance(sig.get("defaults"), dict) else {}
            found[str(name)] = {"names": names, "positional": sig["positional"],
                                "varargs": bool(sig.get("varargs")), "varkw": bool(sig.get("varkw")),
                                "defaults": {str(k): _default(v) for k, v in defaults.items() if str(k) in names}}
    return found


def _pitfalls(data: Any) -> list[dict]:
    """The worker's pitfalls, kept only where they have the expected form, each text cut to 300 characters."""
    if not isinstance(data, list):
        return []
    return [{key: str(entry.get(key, ""))[:300] for key in ("where", "kind", "text")}
            for entry in data[:50] if isinstance(entry, dict)]


def _failure(entry: dict) -> LoadFailure:
    """A failed statement as the worker reported it."""
    return LoadFailure(where=str(entry["where"]), message=str(entry["error"]), exception=str(entry.get("type", ""))[:100],
                       undefined=str(entry.get("undefined", ""))[:100],
                       defines=tuple(str(n) for n in entry.get("defines", [])))


def _default(entry: Any) -> dict:
    """One declared default as the worker described it, checked: {"value": plain} or {"repr": str}."""
    if isinstance(entry, dict) and "value" in entry and (entry["value"] is None or
                                                         isinstance(entry["value"], (bool, int, float, str))):
        return {"value": entry["value"]}
    return {"repr": str(entry.get("repr", "?"))[:80] if isinstance(entry, dict) else "?"}


MAX_CALLBACKS = 10_000  # per call: a correct 800-round training with all four building blocks swapped in makes 3,200
PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged process (/proc/sys/fs/pipe-max-size)


def _widen(fd: int) -> None:
    """Let a pipe hold a whole message of arrays (1 MB, not 64 KB): fewer blocked writes and wake-ups per call."""
    try:
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:
        pass  # a lower ceiling: the default size works, only slower


def confinement_here(limits: Limits | None = None) -> str:
    """The sandbox's own description of its confinement on this machine (see `confinement`): a real worker
    is started on an empty submission and asked."""
    limits = replace(limits or Limits(), allow_unconfined=True, call_seconds=30, statement_seconds=30)
    with tempfile.TemporaryDirectory(prefix="autograder-check-") as tmp:
        probe = Path(tmp) / "probe.py"
        probe.write_text("x = 1\n", encoding="utf-8")
        try:
            with WorkerHandle(probe, limits=limits) as worker:
                return worker.load().confinement or "not confined: the worker did not say"
        except SandboxError as exc:
            return f"not confined: the sandbox could not start ({exc})"


def worker_env(home: Path) -> dict[str, str]:
    """A worker's whole environment: its scratch folder as HOME and TMPDIR, one thread, no display."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "TMPDIR": str(home),
           "MPLBACKEND": "Agg",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", landlock.ABI_VARIABLE):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def prestart(limits: Limits | None = None) -> None:
    """Start loading the fork server now, alongside other work, if workers will be forked from it."""
    if (limits or Limits()).fork_server:
        forkserver_client.server(worker_env(Path(tempfile.gettempdir())))


class WorkerHandle:
    """One submission in a worker process. Use as a context manager, or call close()."""

    def __init__(self, submission: Path, *, path_entries: Sequence[Path] = (), release: list[dict] | None = None,
                 limits: Limits | None = None):
        """`release`: the release notebook's skeleton (see `structure`), to line a damaged notebook up with; loading
        also reports what will run differently than in Jupyter (`LoadReport.pitfalls`)."""
        self.submission = Path(submission)
        self.path_entries = [str(p) for p in path_entries]
        self.release = release
        self.limits = limits or Limits()
        self.scratch = scratch.make("worker")  # the submission's copy, the output log
        self.home = self.scratch / "home"  # the worker's cwd, HOME and TMPDIR: all it may write, disk_mb at most
        self.disk = ""  # how the disk budget is enforced: "tmpfs" or "watch"
        self.disk_exceeded = False  # the watcher stopped the current worker for writing past its budget
        self._watcher: disk.Watcher | None = None
        self.skip: dict[int, LoadFailure] = {}  # statement index -> why it is skipped (it hung or ended the worker)
        self.report: LoadReport | None = None
        self.process: subprocess.Popen | forkserver_client.ForkedProcess | None = None
        self.restarts = 0

    # --- process management ------------------------------------------------------------

    def _spawn(self) -> None:
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        for fd in (to_worker_w, from_worker_w):
            _widen(fd)
        copy = self.scratch / ("submission" + self.submission.suffix)
        shutil.copyfile(self.submission, copy)
        disk.remove_tree(self.home)  # every worker starts with an empty scratch folder
        self.home.mkdir(mode=0o700)
        reaper.become_subreaper()
        env = worker_env(self.home)
        command = [sys.executable, "-E", "-s", "-B", str(WORKER_SCRIPT), str(to_worker_r), str(from_worker_w)]
        self.disk_exceeded = False
        server = forkserver_client.server(env) if self.limits.fork_server else None
        with open(self.scratch / "output.txt", "ab") as output:
            def start(tmpfs_on: str | None) -> subprocess.Popen | forkserver_client.ForkedProcess:
                if server is not None:  # forked from the pre-loaded parent, which takes the same steps as _limit
                    limits = self.limits
                    try:
                        return server.spawn(home=self.home, env=env, tmpfs=tmpfs_on is not None,
                                            memory_mb=limits.memory_mb, file_mb=limits.file_mb, disk_mb=limits.disk_mb,
                                            fds=(to_worker_r, from_worker_w, output.fileno()))
                    except forkserver_client.TmpfsRefused:
                        raise
                    except forkserver_client.ForkServerError:
                        pass  # the server or this worker's set-up failed: this worker starts with a fresh Python instead
                return subprocess.Popen(command, pass_fds=(to_worker_r, from_worker_w), cwd=self.home, env=env,
                                        stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                        start_new_session=True, preexec_fn=_limit(self.limits, tmpfs_on))
            process = None
            if self.limits.private_tmpfs and not _TMPFS_REFUSED:
                try:
                    process, self.disk = start(str(self.home)), "tmpfs"
                except (subprocess.SubprocessError, forkserver_client.TmpfsRefused) as exc:  # the kernel refused: watch instead
                    _TMPFS_REFUSED.append(str(exc))
            if process is None:
                process, self.disk = start(None), "watch"
            self.process = process
        os.close(to_worker_r)
        os.close(from_worker_w)
        self._to, self._from = to_worker_w, from_worker_r
        os.set_blocking(from_worker_r, False)  # reads wait in select() with a deadline, never in read()
        self._copy = copy
        self._started = reaper.start_time(process.pid)
        _LIVE_WORKERS.add(process.pid)
        if self.disk == "watch":
            self._watcher = disk.Watcher(self.home, self.limits.disk_mb * 2**20, self._over_budget)
            self._watcher.start()

    def _over_budget(self, used: int) -> None:
        """Called by the watcher: the scratch folder holds more than the budget, stop the worker now."""
        process = self.process
        if process is not None and process.poll() is None:
            self.disk_exceeded = True
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def disk_exceeded_message(self) -> str:
        """How a worker stopped for its disk use is described: "wrote more than 256 MB ..."."""
        return f"wrote more than {self.limits.disk_mb} MB, all the disk space a submission may use, and was stopped"

    def _kill(self) -> str:
        """Stop the worker and every process it left behind; returns how it ended."""
        if self.process is None:
            return "not running"
        pid = self.process.pid
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        adopter = self.process.server.process.pid if isinstance(self.process, forkserver_client.ForkedProcess) else None
        reaper.reap(pid, self._started, protect=(_LIVE_WORKERS - {pid}) | forkserver_client.server_pids(), adopter=adopter)
        code = self.process.wait()
        _LIVE_WORKERS.discard(pid)
        reaper.reap(pid, self._started, protect=_LIVE_WORKERS | forkserver_client.server_pids(), adopter=adopter)
        for fd in (self._to, self._from):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process = None
        return _ending(code)

    def _pid(self) -> int:
        """The running worker's process id."""
        if self.process is None:
            raise LoadFailed("the worker is not running")
        return self.process.pid

    def _exit_description(self) -> str:
        """After the pipe closed: how the worker ended."""
        if self.process is None:
            return "was not running"
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return self._kill()
        self._kill()
        return self.disk_exceeded_message() if self.disk_exceeded else _ending(code)

    def close(self) -> None:
        if self.process is not None:
            self._kill()
        scratch.remove(self.scratch)

    def __enter__(self) -> WorkerHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- loading -------------------------------------------------------------------------

    def load(self) -> LoadReport:
        """Start a worker and run the submission's statements; bad statements are skipped on retry."""
        while True:
            if self.process is None:
                self._spawn()
            current = None
            try:
                protocol.send(self._to, {"op": "load", "path": str(self._copy), "skip": sorted(self.skip),
                                         "path_entries": self.path_entries, "release": self.release,
                                         "hide": confinement.PRIVATE_DIRS,
                                         "confine": self.limits.confine,
                                         "processes": self.limits.child_processes,
                                         "disk_mb": self.limits.disk_mb})
                while True:
                    clock = CallClock(self._pid(), self.limits.statement_seconds)
                    clock.wait_readable(self._from)
                    message = protocol.receive(self._from, clock.wall_deadline())
                    event = message.get("event")
                    if event == "parsed":  # confined, nothing run yet: go on only if the confinement is enough
                        state = str(message.get("confinement", ""))
                        if self.limits.confine and not self.limits.allow_unconfined and not confinement.acceptable(state):
                            self._kill()
                            raise confinement.Unconfined(state)
                        protocol.send(self._to, {"op": "run"})
                    elif event == "progress":
                        current = (int(message["index"]), str(message["where"]))
                    elif event == "unreadable":
                        self.report = LoadReport(unreadable=str(message.get("error")),
                                                 confinement=str(message.get("confinement", "")))
                        return self.report
                    elif event == "loaded":
                        # in statement order; cells that did not parse (index -1) first
                        found = [(int(f["index"]), _failure(f)) for f in message["failures"]] + list(self.skip.items())
                        self.report = LoadReport(failures=[failure for _, failure in sorted(found, key=lambda f: f[0])],
                                                 callables=[str(n) for n in message["callables"]],
                                                 signatures=_signatures(message.get("signatures")),
                                                 notes=[str(n) for n in message.get("notes", [])],
                                                 repairs=[str(n) for n in message.get("repairs", [])],
                                                 pitfalls=_pitfalls(message.get("pitfalls")),
                                                 confinement=str(message.get("confinement", "")))
                        return self.report
            except protocol.Timeout:
                seconds = self.limits.statement_seconds
                skipped = LoadFailure("", str(CallTimedOut(seconds, "", _spent(clock))), "timeout")
                self._kill()
            except (protocol.ProtocolError, BrokenPipeError):
                skipped = LoadFailure("", f"the worker {self._exit_description()}", "crash")
            if current is None:
                raise LoadFailed(f"the worker could not start the submission ({skipped.message})")
            self.skip[current[0]] = replace(skipped, where=current[1])
            self.restarts += 1
            if self.restarts > self.limits.max_restarts:
                raise LoadFailed(f"gave up after {self.restarts} restarts while loading the submission")

    # --- calls ---------------------------------------------------------------------------

    @staticmethod
    def _over_callbacks(name: str, count: int) -> dict | None:
        """A stop for a call past MAX_CALLBACKS callbacks. (The time the grader spends answering them is not charged
        to the call, but it spends the submission's budget: see `_past_budget`.)"""
        if count <= MAX_CALLBACKS:
            return None
        return {"stop": f"{name} called functions the grader answers more than {MAX_CALLBACKS:,} times and was "
                        "stopped there, far more than it needs.", "cause": "callback_limit"}

    @staticmethod
    def _budget_spent(name: str) -> CallStopped:
        """How a call ends that ran, the grader's answers to its callbacks included, to the end of the budget."""
        return CallStopped(f"{name} was stopped: the submission used up its total grading time (the time the grader "
                           "spent answering the functions it called counts too).", "budget")

    @classmethod
    def _past_budget(cls, name: str, clock: CallClock, budget_left: float | None) -> dict | None:
        """A stop for a call that has run for all that was left of the submission's budget when it began
        (`budget_left` seconds, wall time; None: no budget)."""
        if budget_left is None or time.monotonic() - clock.started < budget_left:
            return None
        spent = cls._budget_spent(name)
        return {"stop": str(spent), "cause": spent.cause}

    @staticmethod
    def _answer(proxy: Callable, message: dict) -> dict:
        """The grader's answer to one callback: the proxy's value, its error, or a request to stop the call.

        A callback that carries the worker's random state (a proxy declared random) runs with numpy's global
        generator in that state, hands the advanced state back, and leaves this process's generator as it was.
        """
        import numpy

        saved = None
        try:
            if "random_state" in message:
                state = codec.decode(message["random_state"])
                saved = numpy.random.get_state()
                numpy.random.set_state(state)
            answer = {"value": codec.encode(proxy(*codec.decode(message["args"]), **codec.decode(message["kwargs"])))}
            if saved is not None:
                answer["random_state"] = codec.encode(numpy.random.get_state())
            return answer
        except StopCall as stop:
            return {"stop": str(stop), "cause": stop.cause}
        except MemoryError:  # the grader's own memory limit: this call's arguments were too much, not the grader's fault
            return {"stop": f"Your code called {message.get('name', 'a function the grader answers')} with arguments "
                            "that took more memory than the grader allows itself, and the call was stopped.",
                    "cause": "callback_refused"}
        except Exception as exc:  # noqa: BLE001 - reported to the worker as an error of the swap-in (or its state)
            return {"error": _plain(str(exc)), "type": type(exc).__name__}
        finally:
            if saved is not None:
                numpy.random.set_state(saved)

    def call(self, name: str, *args: Any, proxies: dict[str, Callable] | None = None,
             timeout: float | None = None, seed: int | None = None, share_changes: bool = False,
             random_proxies: frozenset[str] = frozenset(), budget_left: float | None = None, **kwargs: Any) -> Any:
        """`name(*args, **kwargs)` in the worker; plain data back. Proxies answer callbacks here; one that raises
        `StopCall` ends the call with CallStopped. `timeout` is in charged seconds (see `clock`): the student's
        own time, not the machine's load nor the proxies' work.

        `budget_left`: the seconds left of the submission's budget (wall time, at least `timeout`). The proxies'
        work is not charged to the call as far as the budget has room for it beyond the call's limit; past that
        it is charged, so the call's own time and the proxies' together end with the budget, and past the budget
        no callback is answered. Either way the call then ends with CallStopped, cause "budget".

        `seed`, if given, seeds numpy's global generator in the worker just before the call.
        `share_changes`: what the function does to its arguments in place is done to `args` here too.
        `random_proxies`: the proxies that draw from numpy's global generator, which then runs in the worker's state.
        """
        if self.process is not None and self.process.poll() is not None:
            self._kill()  # it died between calls
        if self.process is None:
            self.load()
        proxies = proxies or {}
        request = {"op": "call", "name": name, "args": codec.encode(list(args)), "kwargs": codec.encode(kwargs),
                   "proxies": sorted(proxies), "random_proxies": sorted(random_proxies & set(proxies)), "seed": seed}
        clock = CallClock(self._pid(), timeout or self.limits.call_seconds)
        stop = None  # the stop a proxy asked for, once it has
        callbacks = 0
        cut_by_budget = False  # whether the proxies' time took all the budget had room for beyond the call's limit
        try:
            protocol.send(self._to, request)
            while True:
                clock.wait_readable(self._from)
                message = protocol.receive(self._from, clock.wall_deadline())
                event = message.get("event")
                if event == "callback" and message.get("name") in proxies and stop is None:
                    began = time.monotonic()
                    callbacks += 1
                    answer = (self._over_callbacks(name, callbacks) or self._past_budget(name, clock, budget_left)
                              or self._answer(proxies[message["name"]], message))
                    protocol.send(self._to, answer)
                    clock.exclude(time.monotonic() - began)  # the reference's time is not the student's ...
                    room = None if budget_left is None else max(0.0, budget_left - clock.limit)
                    if room is not None and clock.excluded > room:  # ... but it spends the budget: no more forgiven
                        clock.excluded, cut_by_budget = room, True
                    if "stop" in answer:
                        stop = answer
                elif stop is not None:  # whatever the worker says next, the call was stopped, in the grader's words
                    raise CallStopped(stop["stop"], stop["cause"])
                elif event == "result":
                    if "args" in message and share_changes:
                        codec.apply_changes(list(args), codec.decode(message["args"]))
                    return codec.decode(message["value"])
                elif event in ("error", "missing", "unreadable_result"):
                    at = message.get("at")
                    raise StudentError(str(message.get("error"))[:1000], str(at) if at else None,
                                       kind="raised" if event == "error" else event,
                                       exception=str(message.get("type", ""))[:100])
                else:  # out of turn: the worker's reads and the grader's answers would no longer pair up
                    self._kill()
                    raise WorkerMisbehaved(f"the worker sent a message out of turn during {name} and was stopped")
        except protocol.Timeout:
            spent = _spent(clock)
            self._kill()
            if cut_by_budget:  # the call's time and the proxies' together reached the end of the budget
                raise self._budget_spent(name) from None
            raise CallTimedOut(timeout or self.limits.call_seconds, name, spent) from None
        except codec.CodecError as exc:
            self._kill()
            raise WorkerMisbehaved(f"{name} sent back data that cannot be read ({exc})") from None
        except (protocol.ProtocolError, BrokenPipeError):
            disk_exceeded = self.disk_exceeded
            raise WorkerDied(self._exit_description(), name, disk_exceeded=disk_exceeded) from None

