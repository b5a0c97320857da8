"""Limits the worker process puts on itself before it imports a submission.

Two layers, both set up by `enter` inside the worker:

* Resource limits (``resource.setrlimit``): address space, CPU seconds, file
  size, number of processes, no core dumps. The kernel enforces them, and the
  worker cannot raise them again (soft and hard limits are set equal, and the
  audit hook refuses ``setrlimit``).
* A Python audit hook (``sys.addaudithook``) that refuses, and records as a
  flag, what a submission has no business doing: reading the reference
  solutions or the graded suite, importing the grader, writing or deleting
  files outside the worker's scratch folder, starting or signalling
  processes, opening sockets, loading native libraries, changing the working
  folder, making symbolic links. An audit hook cannot be removed once added.

Everything the hook consults is bound when it is made: its own path
resolution built on ``os.lstat``/``os.readlink``, immutable tuples of
folders and names, no module globals. A submission that replaces
``os.path.realpath``, this module's globals or builtins later changes nothing
the hook sees.

The audit hook is still a tripwire for ordinary Python code, not a security
boundary: native code steps around it, and NumPy or ctypes can read and write
the interpreter's memory without any audit event. The boundary is the
separate process, the resource limits, running as an unprivileged user when
the grader is root (`client.Worker` does that), and the rule that only the
trusted side computes scores and writes results. The instructor guide says
so too.
"""

from __future__ import annotations

import os
import signal
import stat
import sys

_FLAGS: list[dict] = []
_STATE = {"armed": False}  # for the worker's information; the hook never reads it

PROCESS_EVENTS = frozenset(
    ["os.system", "os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn",
     "subprocess.Popen", "pty.spawn", "os.startfile"]
)
SIGNAL_EVENTS = frozenset(["os.kill", "os.killpg", "signal.pthread_kill"])
NETWORK_EVENTS = frozenset(
    ["socket.connect", "socket.bind", "socket.sendto", "socket.__new__",
     "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
     "urllib.Request"]
)
NATIVE_EVENTS = frozenset(
    ["ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.cdata",
     "ctypes.cdata/buffer", "ctypes.string_at", "ctypes.wstring_at"]
)
TAMPER_EVENTS = frozenset(
    ["sys.addaudithook", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
     "resource.setrlimit", "resource.prlimit", "os.symlink", "os.chdir"]
)

#: file-changing events: (positions of path arguments, positions of dir_fd arguments,
#: whether a file descriptor in place of the path is refused)
FILE_CHANGE_EVENTS = {
    "os.remove": ((0,), (1,), True),
    "os.rmdir": ((0,), (1,), True),
    "os.rename": ((0, 1), (2, 3), True),
    "os.link": ((0, 1), (2, 3), True),
    "os.mkdir": ((0,), (2,), True),
    "os.chmod": ((0,), (2,), True),
    "os.chown": ((0,), (3,), True),
    "os.utime": ((0,), (3,), True),
    "os.truncate": ((0,), (), False),
    "os.setxattr": ((0,), (), True),
    "os.removexattr": ((0,), (), True),
    "shutil.rmtree": ((0,), (1,), True),
    "shutil.move": ((0, 1), (), True),
    "shutil.copymode": ((1,), (), True),
    "shutil.copystat": ((1,), (), True),
    "shutil.chown": ((0,), (), True),
    "sqlite3.connect": ((0,), (), True),
}

#: importing these disqualifies the lesson (the runner decides: runner.DISQUALIFYING)
FORBIDDEN_MODULES = ("solutions", "microtensor.grading", "conftest", "tests")
#: importing these is refused without disqualifying: they start processes or
#: reach native code without an audit event of their own
REFUSED_MODULES = {"_posixsubprocess": "process", "_ctypes": "native",
                   "ctypes": "native"}
MESSAGES = {
    "process": "submissions may not start or signal processes",
    "network": "submissions may not use the network",
    "native": "submissions may not load or call native code",
    "tamper": "submissions may not change the grader's set-up",
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
#: the device files a worker may open; any other (one it made with os.mknod,
#: which has no audit event, say) is refused
ALLOWED_DEVICES = frozenset(["/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                             "/dev/urandom", "/dev/tty"])
#: the start of every worker folder's name (client.Worker makes them)
WORKER_PREFIX = "microtensor-worker-"
MAX_FLAGS = 50
MAX_LINKS = 40


def flags() -> list[dict]:
    """The flags the audit hook raised so far."""
    return list(_FLAGS)


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
    forbidden = tuple(os.path.realpath(p) for p in config.get("forbidden_paths", ()))
    root = os.path.realpath(config.get("scratch_root") or scratch)
    neighbours = (os.path.join(os.path.dirname(root), WORKER_PREFIX), root)
    sys.addaudithook(_make_hook(scratch, forbidden, neighbours))
    _STATE["armed"] = True


def _make_hook(scratch: str, forbidden: tuple, neighbours: tuple = ("", "")):
    """The audit hook, with everything it uses bound now (see the module docstring).

    The rules are closures over local names only: nothing the hook calls can be
    reached, replaced or re-coded from the submission's side. ``neighbours`` is
    (the folder-name prefix of every worker's folder, this worker's own folder):
    the other workers' folders hold other students' files.
    """
    record = _make_recorder(_FLAGS)
    check_path, as_text = _make_path_check(str(scratch), tuple(forbidden),
                                           tuple(neighbours))
    rules = {
        "open": _make_open_rule(check_path, as_text),
        "import": _make_import_rule(),
        "signal": _make_signal_rule(),
        "change": _make_change_rule(check_path, as_text),
        "simple": _make_simple_rule(),
    }
    table = _event_table()
    refusal, get = PermissionError, dict.get

    def hook(event, args):
        group = get(table, event)
        if group is None:
            return
        verdict = rules[group](event, args)
        if verdict is not None:
            kind, detail, message = verdict
            record(kind, detail)
            raise refusal(f"refused by the grader: {message}")

    return hook


def _event_table() -> dict:
    """Audit event name -> the rule that judges it."""
    table = {"open": "open", "import": "import"}
    table.update(dict.fromkeys(SIGNAL_EVENTS, "signal"))
    table.update(dict.fromkeys(FILE_CHANGE_EVENTS, "change"))
    for events in (PROCESS_EVENTS, NETWORK_EVENTS, NATIVE_EVENTS, TAMPER_EVENTS):
        table.update(dict.fromkeys(events, "simple"))
    return table


def _make_simple_rule():
    kinds = {}
    for kind, events in (("process", PROCESS_EVENTS), ("network", NETWORK_EVENTS),
                         ("native", NATIVE_EVENTS), ("tamper", TAMPER_EVENTS)):
        kinds.update(dict.fromkeys(events, kind))
    messages = dict(MESSAGES)

    def rule(event, args):
        kind = kinds[event]
        return kind, event, f"{event} ({messages[kind]})"

    return rule


def _make_signal_rule():
    getpid, message = os.getpid, MESSAGES["process"]

    def rule(event, args):
        target = args[0] if args else None
        if event == "os.kill" and target == getpid():
            return None  # a process may signal itself
        return "process", f"{event} {target}", f"{event} ({message})"

    return rule


def _make_import_rule():
    forbidden = tuple(FORBIDDEN_MODULES)
    refused = tuple(REFUSED_MODULES.items())
    messages, text_type = dict(MESSAGES), str

    def matches(name, module):
        return name == module or name.startswith(module + ".")

    def rule(event, args):
        name = args[0] if args else None
        if type(name) is not text_type:
            return None
        for module in forbidden:
            if matches(name, module):
                return "forbidden-import", name, f"import {name}"
        for module, kind in refused:
            if matches(name, module):
                return kind, f"import {name}", f"import {name} ({messages[kind]})"
        return None

    return rule


def _make_open_rule(check_path, as_text):
    write_flags, int_type, str_type = WRITE_FLAGS, int, str

    def is_write(mode, open_flags):
        if type(mode) is str_type and ("w" in mode or "a" in mode or "x" in mode
                                       or "+" in mode):
            return True
        return type(open_flags) is int_type and bool(open_flags & write_flags)

    def rule(event, args):
        path, mode, open_flags = (tuple(args) + (None, None, None))[:3]
        if type(path) is int_type:
            return None  # an already open file descriptor
        text = as_text(path)
        if text is None:
            return ("tamper", f"open {type(path).__name__}",
                    "open a file by its path as a str")
        if mode is None and not text.startswith("/"):
            # os.open with a relative path may be relative to any dir_fd, which
            # the audit event does not show.
            return "tamper", f"os.open {text}", "os.open with a relative path"
        return check_path(text, is_write(mode, open_flags), "open")

    return rule


def _make_change_rule(check_path, as_text):
    rules, int_type, count = dict(FILE_CHANGE_EVENTS), int, len
    lstat, is_dir, is_file, failure = os.lstat, stat.S_ISDIR, stat.S_ISREG, Exception

    def is_folder(path):
        try:
            return is_dir(lstat(path).st_mode)
        except failure:
            return False

    def is_special(path):
        """A device, pipe or socket: never renamed or linked into place."""
        try:
            mode = lstat(path).st_mode
        except failure:
            return False
        return not (is_dir(mode) or is_file(mode))

    def rule(event, args):
        positions, dir_fds, fd_refused = rules[event]
        for index in dir_fds:
            # No dir_fd reads as None or -1 in the event's arguments.
            if index < count(args) and args[index] is not None and args[index] != -1:
                return ("write-outside", f"{event} with dir_fd",
                        f"{event} relative to a folder descriptor")
        for index in positions:
            path = args[index] if index < count(args) else None
            if path is None or (type(path) is int_type and not fd_refused):
                continue
            text = None if type(path) is int_type else as_text(path)
            if text is None:
                return ("write-outside", f"{event} on {type(path).__name__}",
                        f"{event} on a descriptor or an unusual path")
            verdict = check_path(text, True, event)
            if verdict is not None:
                return verdict
        source = (as_text(args[0]) or "") if args else ""
        if event == "os.rename" and is_folder(source):
            return "write-outside", "os.rename of a folder", "renaming folders"
        if event in ("os.rename", "os.link", "shutil.move") and is_special(source):
            return "tamper", f"{event} of a special file", "moving special files"
        return None

    return rule


def _make_path_check(scratch: str, forbidden: tuple, neighbours: tuple):
    """``check_path(text, writing, event)`` and ``as_text(path)``, bound now."""
    resolve = _make_resolver()
    devnull, encoding = os.devnull, sys.getfilesystemencoding()
    str_type, bytes_type = str, bytes
    prefix, own_root = neighbours
    own_pid = str(os.getpid())
    stat_of, is_device = os.stat, _make_device_test()
    devices, failure = frozenset(ALLOWED_DEVICES), Exception

    def inside(path, folder):
        return path == folder or path.startswith(folder + "/")

    def as_text(path):
        if type(path) is str_type:
            return path
        if type(path) is bytes_type:
            return path.decode(encoding, "surrogateescape")
        return None

    def private(real, event):
        """Another worker's folder, or another process's entry in /proc."""
        if prefix and real.startswith(prefix) and not inside(real, own_root):
            return ("other-submission", real,
                    f"{event} {real} (another student's files)")
        if real.startswith("/proc/"):
            head = real[6:].split("/", 1)[0]
            if head.isdigit() and head != own_pid:
                return ("tamper", f"{real} of another process",
                        f"{event} {real} (another process)")
        try:
            device = is_device(stat_of(real).st_mode)
        except failure:
            device = False
        if device and real not in devices:
            return "tamper", f"device {real}", f"{event} {real} (a device file)"
        return None

    def check_path(text, writing, event):
        real = resolve(text)
        for folder in forbidden:
            if inside(real, folder):
                return "forbidden-file", real, f"{event} {real} (grader files)"
        verdict = private(real, event)
        if verdict is not None:
            return verdict
        if writing and not inside(real, scratch) and real != devnull:
            return ("write-outside", real,
                    f"{event} {real} (outside the scratch folder)")
        return None

    return check_path, as_text


def _make_device_test():
    is_char, is_block = stat.S_ISCHR, stat.S_ISBLK

    def is_device(mode) -> bool:
        return is_char(mode) or is_block(mode)

    return is_device


def _make_resolver():
    """An absolute, symlink-free path, computed with functions bound right now.

    Like ``os.path.realpath``, but it calls only C functions captured here, so
    a submission that patches ``os``, ``posixpath`` or builtins later cannot
    make it lie.
    """
    lstat, readlink, getcwd, is_link = os.lstat, os.readlink, os.getcwd, stat.S_ISLNK
    max_links, failure = MAX_LINKS, Exception

    def resolve(path: str) -> str:
        if not path.startswith("/"):
            path = getcwd() + "/" + path
        pending = path.split("/")
        pending.reverse()
        done: list = []
        links = 0
        while pending:
            part = pending.pop()
            if part == "" or part == ".":
                continue
            if part == "..":
                if done:
                    done.pop()
                continue
            candidate = "/" + "/".join(done + [part])
            try:
                mode = lstat(candidate).st_mode
            except failure:
                done.append(part)  # does not exist (yet): nothing to follow
                continue
            if is_link(mode) and links < max_links:
                links += 1
                target = readlink(candidate)
                if target.startswith("/"):
                    done = []
                more = target.split("/")
                more.reverse()
                pending.extend(more)
                continue
            done.append(part)
        return "/" + "/".join(done)

    return resolve


def _make_recorder(store: list):
    append, count, text = store.append, len, str
    limit = MAX_FLAGS

    def record(kind: str, detail) -> None:
        entry = {"kind": kind, "detail": text(detail)[:300]}
        if entry not in store and count(store) < limit:
            append(entry)

    return record
