"""Limits the worker process puts on itself before it imports a submission.

Two layers, both set up by `enter` inside the worker:

* Resource limits (``resource.setrlimit``): address space, CPU seconds, file
  size, number of processes, no core dumps. The kernel enforces them.
* A Python audit hook (``sys.addaudithook``) that refuses, and records as a
  flag, what a submission has no business doing: reading the reference
  solutions or the graded suite, importing the grader, writing or deleting
  files outside the worker's scratch folder, starting processes, opening
  sockets, loading native libraries. An audit hook cannot be removed once
  added.

The audit hook is a tripwire for ordinary Python code, not a security
boundary: native code can step around it. The boundary is the separate
process, the resource limits, running as an unprivileged user when the grader
is root (`client.Worker` does that), and the rule that only the trusted side
computes scores and writes results. The instructor guide says so too.
"""

from __future__ import annotations

import os
import signal
import sys

_FLAGS: list[dict] = []
_STATE = {"armed": False}

PROCESS_EVENTS = frozenset(
    ["os.system", "os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn",
     "subprocess.Popen", "pty.spawn", "os.startfile"]
)
FILE_CHANGE_EVENTS = frozenset(
    ["os.remove", "os.rename", "os.rmdir", "os.truncate", "os.chmod", "os.chown",
     "os.link", "os.symlink", "os.utime", "shutil.rmtree", "shutil.move",
     "os.mkdir"]
)
NETWORK_EVENTS = frozenset(["socket.connect", "socket.bind", "socket.sendto"])
NATIVE_EVENTS = frozenset(["ctypes.dlopen", "ctypes.dlsym"])
FORBIDDEN_MODULES = ("solutions", "microtensor.grading.suite", "conftest", "tests")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def flags() -> list[dict]:
    """The flags the audit hook raised so far."""
    return list(_FLAGS)


def _flag(kind: str, detail: str) -> None:
    entry = {"kind": kind, "detail": str(detail)[:300]}
    if entry not in _FLAGS and len(_FLAGS) < 50:
        _FLAGS.append(entry)


def set_limits(config: dict) -> None:
    """Apply the kernel-enforced limits named in ``config`` (missing ones are skipped)."""
    import resource

    def limit(which, value):
        if value is None:
            return
        value = int(value)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # a hard limit below ours already holds

    mb = 2**20
    limit(resource.RLIMIT_CORE, 0)
    limit(resource.RLIMIT_AS, _scaled(config.get("memory_mb"), mb))
    limit(resource.RLIMIT_CPU, config.get("cpu_seconds"))
    limit(resource.RLIMIT_FSIZE, config.get("file_bytes"))
    limit(resource.RLIMIT_NPROC, config.get("processes"))
    # Past the file-size limit a write then fails with an error instead of the
    # signal killing the worker, so the grader can say what happened.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _scaled(value, unit):
    return None if value is None else int(value) * unit


def enter(config: dict, submission: str) -> None:
    """Set the limits and arm the audit hook; call once, before loading the submission."""
    set_limits(config)
    scratch = os.path.realpath(config.get("scratch") or os.getcwd())
    forbidden = [os.path.realpath(p) for p in config.get("forbidden_paths", ())]
    sys.addaudithook(_make_hook(scratch, forbidden))
    _STATE["armed"] = True


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + os.sep)


def _make_hook(scratch: str, forbidden: list[str]):
    def refuse(kind: str, detail: str, message: str):
        _flag(kind, detail)
        raise PermissionError(f"refused by the grader: {message}")

    def check_path(path, writing: bool, event: str):
        if not isinstance(path, (str, bytes, os.PathLike)):
            return  # an already open file descriptor
        real = os.path.realpath(os.fsdecode(path))
        for folder in forbidden:
            if _inside(real, folder):
                refuse("forbidden-file", real, f"{event} {real} (grader files)")
        if writing and not _inside(real, scratch) and real != os.devnull:
            refuse("write-outside", real, f"{event} {real} (outside the scratch folder)")

    def hook(event: str, args: tuple):
        if not _STATE["armed"]:
            return
        if event == "open":
            path, mode, open_flags = (tuple(args) + (None, None, None))[:3]
            writing = _is_write(mode, open_flags)
            check_path(path, writing, "open")
        elif event == "import":
            name = args[0] if args else ""
            if isinstance(name, str) and _is_forbidden_module(name):
                refuse("forbidden-import", name, f"import {name}")
        elif event in FILE_CHANGE_EVENTS:
            for path in args[:2]:
                check_path(path, True, event)
        elif event in PROCESS_EVENTS:
            refuse("process", event, f"{event} (submissions may not start processes)")
        elif event in NETWORK_EVENTS:
            refuse("network", event, f"{event} (submissions may not use the network)")
        elif event in NATIVE_EVENTS:
            refuse("native", event, f"{event} (submissions may not load native code)")
        elif event == "sys.addaudithook":
            refuse("tamper", event, "adding an audit hook")

    return hook


def _is_forbidden_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES)


def _is_write(mode, open_flags) -> bool:
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(open_flags, int) and bool(open_flags & WRITE_FLAGS)
