"""The trusted side's handle on a submission worker.

`Worker` starts and restarts the worker process and moves messages with a
time limit; `Session` keeps one worker for one submission and reloads lesson
files after a restart; `LessonClient` is what a graded property test holds:
``neuron.call("sigmoid", TensorArg(z))``, ``neuron.new("Neuron", 3)``,
``neuron.get(ref, "w")``, ``neuron.backward(out, wrt=[w, b])``.

Failures split in two kinds:

* `SubmissionError` (an ``Exception``): the submission raised. Hypothesis may
  shrink the input that caused it, so the student sees the smallest one.
* `GradingAbort` (a ``BaseException``): the worker timed out, died, flooded its
  output, sent garbage, or the lesson is not implemented or cannot be
  imported. Hypothesis lets these through at once, the test in progress fails
  with a plain-words reason, and the next call gets a fresh worker.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from struct import error as struct_error

import numpy as np

from microtensor.grading import protocol, sandbox
from microtensor.grading.protocol import ProtocolError, Ref, TensorArg, TensorRef
from microtensor.grading.registry import LESSONS

PACKAGE_PARENT = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)
BOOTSTRAP = (
    "import sys; sys.path.insert(0, {parent!r}); "
    "from microtensor.grading.worker import main; main()"
)
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# ------------------------------------------------------------------ errors


class SubmissionError(Exception):
    """The submission's own code raised; ``kind`` is its exception's class name."""

    def __init__(self, kind: str, message: str, trace: str = ""):
        self.kind, self.message, self.trace = kind, message, trace
        text = f"{kind}: {message}" if message else kind
        if trace:
            text += "\n" + trace.rstrip()
        super().__init__(text)


class GradingAbort(BaseException):
    """Stop the current graded test at once with ``reason`` (no shrinking)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class WorkerTimeout(GradingAbort):
    pass


class WorkerCrashed(GradingAbort):
    pass


class OutputFlood(GradingAbort):
    pass


class MemoryExceeded(GradingAbort):
    pass


class BadReply(GradingAbort):
    pass


class NotImplementedYet(GradingAbort):
    pass


class LessonUnavailable(GradingAbort):
    pass


class DisabledFunction(GradingAbort):
    pass


# ------------------------------------------------------------------ config


@dataclass
class Limits:
    """Resource limits of one worker. ``run_as`` is used only when the grader is root.

    ``call_seconds`` bounds one call into the submission, ``output_bytes`` what
    one call may print, ``total_seconds`` the grading of a whole submission
    (the tests left when it runs out fail with that reason), and
    ``startup_seconds`` how long a fresh worker may take to import NumPy and
    the engine before its first call (not charged to the submission).
    ``max_file_bytes`` and ``max_files`` bound what is copied of the
    submission folder.
    """

    call_seconds: float = 10.0
    memory_mb: int = 1024
    cpu_seconds: int = 900
    output_bytes: int = 1_000_000
    processes: int = 64
    run_as: str = "nobody"
    total_seconds: float = 1200.0
    startup_seconds: float = 60.0
    max_file_bytes: int = 16 * 2**20
    max_files: int = 500

    def describe_output(self) -> str:
        return _size_words(self.output_bytes)


def _size_words(n: int) -> str:
    if n >= 2**20 or n % 1_000_000 == 0:
        return f"{n / 1_000_000:g} MB"
    return f"{n / 1000:g} kB"


# ------------------------------------------------------------------ worker

#: every worker started by this process and not yet stopped
_LIVE_WORKERS: weakref.WeakSet = weakref.WeakSet()


def stop_all_workers() -> None:
    """Kill every worker this process started: for a grader that must stop at once."""
    for worker in list(_LIVE_WORKERS):
        worker.stop()



class Worker:
    """One worker process for one submission folder, restarted on demand.

    The submission's files are copied into a scratch folder that the worker
    may write to; nothing else on disk is the worker's to change.
    """

    def __init__(self, submission: str, limits: Limits | None = None,
                 forbidden_paths=()):
        self.submission = os.path.realpath(submission)
        self.limits = limits or Limits()
        self.forbidden_paths = [os.path.realpath(p) for p in forbidden_paths]
        self.generation = 0
        self.process = None
        self.scratch = None
        self._fd_send = self._fd_recv = None
        self.captured = ""
        self.privilege_note = ""
        self.copy_notes: list[str] = []

    # ---------------------------------------------------------- lifecycle

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        self.stop()
        self.generation += 1
        self.scratch = tempfile.mkdtemp(prefix=sandbox.WORKER_PREFIX)
        copy = os.path.join(self.scratch, "submission")
        self.copy_notes = copy_submission(self.submission, copy, self.limits)
        work = os.path.join(self.scratch, "work")
        os.mkdir(work)
        self.output_path = os.path.join(self.scratch, "output.log")
        req_read, req_write = os.pipe()
        rep_read, rep_write = os.pipe()
        config = {
            "fd_in": req_read,
            "fd_out": rep_write,
            "submission": copy,
            "scratch": work,
            "scratch_root": self.scratch,
            "generation": self.generation,
            "forbidden_paths": self.forbidden_paths,
            "memory_mb": self.limits.memory_mb,
            "cpu_seconds": self.limits.cpu_seconds,
            "file_bytes": self.limits.output_bytes + 4096,
            "processes": self.limits.processes,
        }
        user = self._unprivileged_user()
        # Append mode: the grader empties the file after every call, and the
        # worker's next writes then start again at its beginning.
        with open(self.output_path, "ab") as output:
            command = [sys.executable, "-I", "-B", "-c",
                       BOOTSTRAP.format(parent=PACKAGE_PARENT), json.dumps(config)]
            options = dict(stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                           pass_fds=(req_read, rep_write), cwd=work,
                           env=self._environment(work), start_new_session=True)
            try:
                self.process = self._spawn(command, options, user)
            finally:
                os.close(req_read)
                os.close(rep_write)
        self._fd_send, self._fd_recv = req_write, rep_read
        self.captured = ""
        _LIVE_WORKERS.add(self)
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        """Wait for a fresh worker's first answer (its imports are not charged)."""
        deadline = time.monotonic() + self.limits.startup_seconds
        try:
            protocol.write_message(self._fd_send, {"op": "ping"}, [])
            header, _ = protocol.read_message(self._reader(deadline))
        except _Timeout:
            self._fail()
            raise WorkerCrashed(f"the grader's worker did not start within "
                                f"{self.limits.startup_seconds:g} s") from None
        except (EOFError, OSError, ProtocolError, RecursionError, ValueError,
                struct_error):
            raise WorkerCrashed("the grader's worker could not start: "
                                + self._death_reason()) from None
        if header.get("ok") is not True:
            self._fail()
            raise WorkerCrashed("the grader's worker could not start (bad first reply)")

    def _spawn(self, command, options, user):
        """Start the worker, as the unprivileged user when there is one that can."""
        if user is not None and not self.privilege_note:
            _hand_over(self.scratch, user)
            try:
                return subprocess.Popen(command, user=user[0], group=user[1],
                                        extra_groups=[], **options)
            except PermissionError:
                # The interpreter or the package is not readable by that user
                # (a Python installed under /root, say): run unprivileged
                # nowhere rather than not at all, and say so in the output.
                self.privilege_note = (
                    f"the worker could not run as user {self.limits.run_as!r} "
                    f"({sys.executable} is not accessible to it) and ran as root"
                )
        if self.privilege_note and _namespaces_work():
            # Still root: at least give the worker a process table of its own,
            # so it can neither see nor signal the grader or other workers.
            if "namespace" not in self.privilege_note:
                self.privilege_note += (" in a process namespace of its own (it can "
                                        "neither see nor signal the grader)")
            command = [*ISOLATE, *command]
        return subprocess.Popen(command, **options)


    def _unprivileged_user(self):
        if not hasattr(os, "geteuid") or os.geteuid() != 0 or not self.limits.run_as:
            return None
        import pwd

        try:
            entry = pwd.getpwnam(self.limits.run_as)
        except KeyError:
            return None
        return entry.pw_uid, entry.pw_gid

    def _environment(self, work: str) -> dict:
        env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
        env.update(
            HOME=work,
            TMPDIR=work,
            PYTHONHASHSEED="0",
            OPENBLAS_NUM_THREADS="1",
            OMP_NUM_THREADS="1",
            MKL_NUM_THREADS="1",
            MPLBACKEND="Agg",
        )
        return env

    def stop(self) -> None:
        """Kill the worker and everything it started, and remove its scratch folder."""
        for fd in (self._fd_send, self._fd_recv):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._fd_send = self._fd_recv = None
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.process = None
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    # ---------------------------------------------------------- messages

    def request(self, message: dict, buffers: list, timeout: float):
        """Send one request and wait at most ``timeout`` seconds for its reply."""
        if not self.alive:
            self.start()
        deadline = time.monotonic() + timeout
        try:
            protocol.write_message(self._fd_send, message, buffers)
            header, reply_buffers = protocol.read_message(self._reader(deadline))
        except _Timeout:
            self._fail()
            raise WorkerTimeout(
                f"ran for more than {timeout:.3g} s (stopped; an endless loop, or "
                "far too much work for one call?)"
            ) from None
        except (EOFError, BrokenPipeError, ConnectionError):
            raise self._death() from None
        except (ProtocolError, RecursionError, ValueError, struct_error) as exc:
            # A reply nested too deep for the JSON parser is as malformed as any.
            self._fail()
            raise BadReply(f"the worker sent a malformed reply ({exc})") from None
        self._check_output()
        return header, reply_buffers

    def _reader(self, deadline: float):
        fd = self._fd_recv

        def read_exactly(n: int) -> bytes:
            chunks, remaining = [], n
            while remaining:
                wait = deadline - time.monotonic()
                if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                    raise _Timeout()
                chunk = os.read(fd, min(remaining, 1 << 20))
                if not chunk:
                    raise EOFError
                chunks.append(chunk)
                remaining -= len(chunk)
            return b"".join(chunks)

        return read_exactly

    def _death(self) -> GradingAbort:
        """The abort that explains why the worker went away."""
        flooded = self.output_size() > self.limits.output_bytes
        reason = self._death_reason()
        return OutputFlood(reason) if flooded else WorkerCrashed(reason)

    def _death_reason(self) -> str:
        process = self.process
        code = None
        if process is not None:
            try:
                code = process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
        tail = self.output_tail(600)
        flooded = self.output_size() > self.limits.output_bytes
        self._fail()
        if flooded:
            return f"printed more than {self.limits.describe_output()} (stopped)"
        if code is not None and code < 0:
            sig = -code
            if sig == signal.SIGXCPU:
                return f"used more than {self.limits.cpu_seconds} s of CPU time (stopped)"
            if sig == signal.SIGKILL:
                return "was killed (out of memory or over a limit)"
            if sig in (signal.SIGSEGV, signal.SIGBUS):
                return (f"crashed with signal {_signal_name(sig)} (a memory error; "
                        f"the limit is {self.limits.memory_mb} MB)")
            return f"crashed with signal {_signal_name(sig)}"
        words = "exited" if code is not None else "stopped answering"
        reason = f"the submission's process {words}"
        if code is not None:
            reason += f" with status {code} (sys.exit or os._exit in the code?)"
        if tail.strip():
            reason += f"; its last output:\n{tail}"
        return reason

    def _fail(self) -> None:
        self.stop()

    # ---------------------------------------------------------- output

    def output_size(self) -> int:
        try:
            return os.path.getsize(self.output_path)
        except (OSError, AttributeError):
            return 0

    def output_tail(self, limit: int = 2000) -> str:
        try:
            with open(self.output_path, "rb") as f:
                f.seek(max(0, self.output_size() - limit))
                return f.read().decode("utf-8", "replace")
        except (OSError, AttributeError):
            return ""

    def output_since_mark(self, limit: int = 2000) -> str:
        """What the submission printed since the last call of this method."""
        self._drain_output()
        text, self.captured = self.captured, ""
        if len(text) > limit:
            text = text[:limit] + "\n[... more output cut]"
        return text

    def _drain_output(self, keep: int = 4000) -> None:
        """Move what the last call printed into ``captured`` and empty the file.

        So the output limit holds per call, not for the worker's whole life.
        """
        size = self.output_size()
        if not size:
            return
        room = max(0, keep - len(self.captured))
        try:
            with open(self.output_path, "r+b") as f:
                text = f.read(min(size, room)).decode("utf-8", "replace")
                f.truncate(0)
        except OSError:
            return
        self.captured += text + ("\n[... more output cut]" if size > room else "")

    def _check_output(self) -> None:
        if self.output_size() > self.limits.output_bytes:
            self._fail()
            raise OutputFlood(
                f"printed more than {self.limits.describe_output()} (stopped)"
            )
        self._drain_output()


class _Timeout(Exception):
    pass


#: run a command as PID 1 of a new PID namespace with its own /proc
ISOLATE = ("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--")
_NAMESPACES: dict = {}


def _namespaces_work() -> bool:
    """Whether ISOLATE works here (root, util-linux, a kernel that allows it)."""
    if "ok" not in _NAMESPACES:
        try:
            done = subprocess.run([*ISOLATE, "true"], capture_output=True, timeout=10)
            _NAMESPACES["ok"] = done.returncode == 0
        except (OSError, subprocess.SubprocessError):
            _NAMESPACES["ok"] = False
    return _NAMESPACES["ok"]


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)


IGNORED_NAMES = ("__pycache__", ".git", "__MACOSX")
#: files that change how pytest or Python start, wherever they sit in a submission
BROUGHT_NAMES = frozenset(["conftest.py", "pytest.ini", "sitecustomize.py",
                           "usercustomize.py"])
#: configuration files that count only when they hold a pytest section
PYTEST_CONFIGS = {"pyproject.toml": "[tool.pytest", "tox.ini": "[pytest]",
                  "setup.cfg": "[tool:pytest]"}


def brought_files(submission: str, limit: int = 2000) -> list[str]:
    """The files of a submission that could change how the graded suite runs.

    ``conftest.py``, ``pytest.ini``, ``sitecustomize.py``, ``usercustomize.py``,
    ``.pth`` files, and pytest sections in ``pyproject.toml``, ``tox.ini`` or
    ``setup.cfg``; paths are relative to the submission folder, links included.
    """
    found, seen = [], 0
    for root, dirs, files in os.walk(submission, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_NAMES)
        for name in sorted(files):
            seen += 1
            if seen > limit:
                return found
            path = os.path.join(root, name)
            shown = os.path.relpath(path, submission)
            if name in BROUGHT_NAMES or name.endswith(".pth"):
                found.append(shown)
            elif name in PYTEST_CONFIGS and _mentions(path, PYTEST_CONFIGS[name]):
                found.append(f"{shown} with a pytest section")
    return found


def _mentions(path: str, text: str) -> bool:
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        with open(path, "rb") as f:
            return text.encode() in f.read(1_000_000)
    except OSError:
        return False


def copy_submission(source: str, target: str, limits: Limits) -> list[str]:
    """Copy the submission's regular files into the worker's folder; return notes.

    Symbolic links, devices and pipes are left out (a link could point at the
    reference solutions, a pipe would block the copy), and so are files past
    the size and count limits. Nothing outside ``source`` is followed.
    """
    notes: list[str] = []
    copied = 0
    for root, dirs, files in os.walk(source, followlinks=False):
        rel = os.path.relpath(root, source)
        os.makedirs(os.path.join(target, rel), exist_ok=True)
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_NAMES)
        for name in sorted(files):
            if name.endswith(".pyc"):
                continue
            shown = os.path.normpath(os.path.join(rel, name))
            info = os.lstat(os.path.join(root, name))
            if not stat.S_ISREG(info.st_mode):
                kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a file"
                notes.append(f"{shown} was left out: it is {kind}")
            elif info.st_size > limits.max_file_bytes or copied >= limits.max_files:
                notes.append(f"{shown} was left out: too large, or too many files")
            else:
                shutil.copyfile(os.path.join(root, name),
                                os.path.join(target, rel, name), follow_symlinks=False)
                copied += 1
    return notes


def _hand_over(folder: str, user) -> None:
    """Give the unprivileged worker user its scratch folder."""
    uid, gid = user
    for root, dirs, files in os.walk(folder):
        os.chown(root, uid, gid)
        for name in files:
            os.chown(os.path.join(root, name), uid, gid)


# ----------------------------------------------------------------- session


@dataclass
class Session:
    """One submission's grading: its worker, lesson files and flags."""

    submission: str
    limits: Limits = field(default_factory=Limits)
    forbidden_paths: tuple = ()
    test_deadline: float | None = None

    def __post_init__(self):
        self.worker = Worker(self.submission, self.limits, self.forbidden_paths)
        self.loaded: dict[str, int] = {}
        self.unavailable: dict[str, str] = {}
        self.grading_deadline: float | None = None
        # A file that could change how pytest or Python runs costs every lesson.
        brought = [("brought-file", name) for name in brought_files(self.submission)]
        self.flags: dict[str, list] = {lesson: list(brought) for lesson in LESSONS}
        self._known_flags: list = []
        self._clients: dict[str, LessonClient] = {}

    def lesson(self, name: str) -> LessonClient:
        if name not in self._clients:
            self._clients[name] = LessonClient(self, name)
        return self._clients[name]

    def close(self) -> None:
        self.worker.stop()

    def restart(self) -> None:
        """Begin with a fresh worker, so that what one lesson's code did to its
        process (patched modules, threads, memory) cannot reach the next lesson."""
        self.worker.stop()
        self.loaded.clear()

    # ---------------------------------------------------------- requests

    def ensure_loaded(self, lesson: str) -> None:
        if lesson in self.unavailable:
            # The full reason was given once, at the first test that needed it.
            reason = self.unavailable[lesson].splitlines()[0]
            if len(reason) > 160:
                reason = reason[:157] + "..."
            raise LessonUnavailable(f"{reason} (details at the first failed test "
                                    f"of {lesson}.py)")
        if self.worker.alive and self.loaded.get(lesson) == self.worker.generation:
            return
        path = os.path.join(self.submission, f"{lesson}.py")
        if os.path.islink(path):
            self._unavailable(lesson, f"{lesson}.py is a symbolic link; submit the "
                              "file itself")
        if not os.path.isfile(path):
            self._unavailable(lesson, f"{lesson}.py was not found in the submission")
        if not self.worker.alive:
            self.worker.start()
            self.loaded.clear()
        copy = os.path.join(self.worker.scratch, "submission", f"{lesson}.py")
        try:
            self._send(lesson, {"op": "load", "lesson": lesson, "path": copy})
        except SubmissionError as exc:
            self._unavailable(lesson, f"importing {lesson}.py failed: {exc}")
        except GradingAbort as exc:
            self._unavailable(lesson, f"importing {lesson}.py failed: {exc.reason}")
        self.loaded[lesson] = self.worker.generation

    def _unavailable(self, lesson: str, reason: str):
        self.unavailable[lesson] = reason
        raise LessonUnavailable(reason)

    def request(self, lesson: str, message: dict, disable=()):
        self.ensure_loaded(lesson)
        return self._send(lesson, message, disable)

    def _send(self, lesson: str, message: dict, disable=()):
        buffers: list = []
        encoded = {
            key: protocol.encode(value, buffers) if key in ENCODED_FIELDS else value
            for key, value in message.items()
        }
        encoded["disable"] = list(disable)
        header, reply_buffers = self.worker.request(encoded, buffers, self._timeout())
        self._collect_flags(lesson, header.get("flags"))
        if header.get("ok") is True:
            return protocol.decode(header.get("value"), reply_buffers, self._make_ref)
        raise self._error(header.get("error"))

    def _timeout(self) -> float:
        timeout = self.limits.call_seconds
        if self.test_deadline is not None:
            remaining = self.test_deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerTimeout("the test ran out of its time budget")
            timeout = min(timeout, remaining)
        return timeout

    def _collect_flags(self, lesson: str, flags) -> None:
        if type(flags) is not list:
            return
        for entry in flags[:50]:
            if type(entry) is not dict or entry in self._known_flags:
                continue
            self._known_flags.append(entry)
            kind, detail = str(entry.get("kind"))[:40], str(entry.get("detail"))[:300]
            self.flags.setdefault(lesson, []).append((kind, detail))

    def _error(self, error) -> BaseException:
        if type(error) is not dict:
            return BadReply("the worker sent a malformed error reply")
        kind = str(error.get("type", "Exception"))[:80]
        message = str(error.get("message", ""))[:2000]
        trace = str(error.get("traceback", ""))[:4000]
        if error.get("not_implemented") is True:
            return NotImplementedYet(f"not implemented yet ({message})" if message
                                     else "not implemented yet")
        if error.get("disabled") is True:
            return DisabledFunction(message)
        if kind == "UnsendableValue":
            return BadReply(message)
        if error.get("memory") is True or kind == "MemoryError":
            self.worker.stop()
            return MemoryExceeded(
                f"used more than {self.limits.memory_mb} MB of memory (stopped)"
            )
        return SubmissionError(kind, message, trace)

    def _make_ref(self, data: dict, args) -> Ref:
        handle = data.get("id")
        if type(handle) is not int:
            raise ProtocolError("malformed reference")
        type_name = str(data.get("type", "object"))[:80]
        if data.get("$") == "tref":
            array = protocol.decode(data.get("v"), *args)
            if type(array) is not np.ndarray:
                raise ProtocolError("malformed tensor reference")
            return TensorRef(handle, type_name, self.worker.generation, array,
                             bool(data.get("rg")))
        return Ref(handle, type_name, self.worker.generation)

    def check_ref(self, ref: Ref) -> None:
        if ref.generation != self.worker.generation or not self.worker.alive:
            raise WorkerCrashed(
                "an object from before the submission's process was restarted was used"
            )


#: request fields that carry values (the rest are plain strings and handles)
ENCODED_FIELDS = frozenset(["args", "kwargs", "value", "data", "grad", "wrt"])


# ----------------------------------------------------------- lesson client


class LessonClient:
    """A graded test's view of one lesson file of the submission."""

    #: engine functions switched off while a lesson is graded
    SWITCHED_OFF = {"neuron": ("sigmoid", "tanh", "relu")}

    def __init__(self, session: Session, lesson: str):
        self.session = session
        self.lesson = lesson
        self.disable = self.SWITCHED_OFF.get(lesson, ())

    def __repr__(self) -> str:
        return f"<{self.lesson}.py>"

    def _request(self, message: dict):
        return self.session.request(self.lesson, message, self.disable)

    def _target(self, ref: Ref | None) -> dict:
        if ref is None:
            return {"lesson": self.lesson}
        self.session.check_ref(ref)
        return {"$": "ref", "id": ref.id, "g": ref.generation}

    def call(self, name: str, *args, **kwargs):
        """Call the module-level function (or class) ``name``."""
        return self._call(None, name, args, kwargs)

    new = call

    def method(self, ref: Ref, name: str, *args, **kwargs):
        """Call method ``name`` of the worker object ``ref``."""
        return self._call(ref, name, args, kwargs)

    #: module functions that must work without the engine's autograd
    BY_HAND = {("mlp", "backprop"), ("rnn", "bptt")}

    def _call(self, ref, name, args, kwargs):
        message = {
            "op": "call",
            "target": self._target(ref),
            "name": name,
            "args": list(args),
            "kwargs": dict(kwargs),
        }
        disable = self.disable
        if ref is None and (self.lesson, name) in self.BY_HAND:
            disable = (*disable, "backward")
        return self.session.request(self.lesson, message, disable)

    def get(self, ref: Ref | None, name: str):
        """Read attribute ``name`` of ``ref`` (or of the module when ref is None)."""
        return self._request({"op": "getattr", "target": self._target(ref), "name": name})

    def set(self, ref: Ref, name: str, value) -> None:
        self._request({"op": "setattr", "target": self._target(ref), "name": name,
                       "value": value})

    def tensor(self, data, requires_grad: bool = False) -> TensorRef:
        """Build a microtensor Tensor in the worker and return a handle on it."""
        array = np.asarray(data, dtype=np.float64)
        return self._request({"op": "tensor", "data": array, "rg": requires_grad})

    def backward(self, out: TensorRef, grad=None, wrt=()) -> list:
        """Back-propagate from ``out`` and return the gradients of the ``wrt`` tensors."""
        self.session.check_ref(out)
        for ref in wrt:
            self.session.check_ref(ref)
        grads = self._request({
            "op": "backward",
            "target": self._target(out),
            "grad": None if grad is None else np.asarray(grad, dtype=np.float64),
            "wrt": list(wrt),
        })
        return grads


__all__ = [
    "BadReply",
    "DisabledFunction",
    "GradingAbort",
    "LessonClient",
    "LessonUnavailable",
    "Limits",
    "MemoryExceeded",
    "NotImplementedYet",
    "OutputFlood",
    "Ref",
    "Session",
    "SubmissionError",
    "TensorArg",
    "TensorRef",
    "Worker",
    "WorkerCrashed",
    "WorkerTimeout",
]
