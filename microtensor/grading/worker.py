"""The submission worker: the only code that imports a student's files.

It runs in its own process, started by `microtensor.grading.client.Worker`,
and answers requests that arrive as plain data (see `protocol`): load a lesson
file, call a function or method, read or set an attribute, build a tensor, run
backward. Objects stay here; the grader holds numbered handles to them.

Every reply also carries the *flags* raised so far: things the submission did
that the grader must know about (calling a switched-off engine function,
opening the reference solutions, starting a process). The grader, not this
process, decides what they cost.

Run as ``python -I -m microtensor.grading.worker CONFIG_JSON``; the trusted
side passes the pipe descriptors and the submission folder in that JSON.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback

import numpy as np

import microtensor
from microtensor.grading import protocol, sandbox

# What the grader may switch off per request, and where those names live.
SWITCHABLE = ("sigmoid", "tanh", "relu", "backward")
#: why each one is switched off, in the words the student reads
SWITCHED_OFF_BECAUSE = {
    "backward": "the engine's backward is switched off while your hand-derived "
                "gradients are graded: compute them with NumPy and the chain rule",
}


class Disabled(RuntimeError):
    """Raised when a submission calls an engine function that is switched off."""


class WorkerState:
    """The handle table, the loaded lessons and the flags of one worker."""

    def __init__(self, config: dict):
        self.config = config
        self.submission = os.path.realpath(config["submission"])
        self.generation = int(config.get("generation", 0))
        self.objects: dict[int, object] = {}
        self.next_id = 1
        self.modules: dict[str, object] = {}
        self.disabled: frozenset = frozenset()
        self.flags: list[dict] = []

    def flag(self, kind: str, detail: str) -> None:
        entry = {"kind": kind, "detail": detail[:300]}
        if entry not in self.flags and len(self.flags) < 50:
            self.flags.append(entry)

    # ---------------------------------------------------------- handles

    def remember(self, obj) -> int:
        handle = self.next_id
        self.next_id += 1
        self.objects[handle] = obj
        return handle

    def lookup(self, data: dict, _args=None):
        handle, generation = data.get("id"), data.get("g")
        if generation != self.generation or handle not in self.objects:
            raise LookupError(f"no object with handle {handle!r} in this worker")
        return self.objects[handle]

    def encode_object(self, value, buffers: list) -> dict:
        """Send a worker object back as a handle (tensors with a copy of their data)."""
        handle = self.remember(value)
        if isinstance(value, microtensor.Tensor):
            data = np.asarray(value.data)
            if data.dtype.name not in protocol.ALLOWED_DTYPES:
                data = data.astype(np.float64)
            return {
                "$": "tref",
                "id": handle,
                "type": "Tensor",
                "v": protocol.encode(np.array(data), buffers),
                "rg": bool(value.requires_grad),
            }
        return {"$": "ref", "id": handle, "type": type(value).__name__[:80]}


# ------------------------------------------------------------- requests


def load_lesson(state: WorkerState, lesson: str, path: str):
    """Import the lesson file by its path under a private module name."""
    real = os.path.realpath(path)
    if os.path.dirname(real) != state.submission:
        raise PermissionError(f"{path} is not inside the submission folder")
    name = f"submission_{lesson}"
    spec = importlib.util.spec_from_file_location(name, real)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    state.modules[lesson] = module


def resolve_target(state: WorkerState, target: dict):
    if "lesson" in target:
        module = state.modules.get(target["lesson"])
        if module is None:
            raise LookupError(f"lesson {target['lesson']!r} is not loaded")
        return module
    return state.lookup(target)


def handle(state: WorkerState, request: dict, buffers: list):
    """Carry out one request and return the value to send back."""

    def decode(data):
        return protocol.decode(data, buffers, state.lookup, make_tensor)

    op = request.get("op")
    if op == "ping":
        return "pong"
    if op == "load":
        return load_lesson(state, request["lesson"], request["path"])
    if op == "tensor":
        return make_tensor(decode(request["data"]), bool(request.get("rg")))
    if op == "call":
        target = resolve_target(state, request["target"])
        name = request.get("name")
        func = getattr(target, name) if name else target
        args = decode(request.get("args", {"$": "list", "v": []}))
        kwargs = decode(request.get("kwargs", {"$": "dict", "v": []}))
        return func(*args, **kwargs)
    if op == "getattr":
        return getattr(resolve_target(state, request["target"]), request["name"])
    if op == "setattr":
        target = resolve_target(state, request["target"])
        setattr(target, request["name"], decode(request["value"]))
        return None
    if op == "backward":
        return run_backward(state, request, decode)
    if op == "release":
        state.objects.clear()
        return None
    raise protocol.ProtocolError(f"unknown request {op!r}")


def make_tensor(array, requires_grad: bool):
    return microtensor.tensor(array, requires_grad=requires_grad)


def run_backward(state: WorkerState, request: dict, decode):
    """Back-propagate from a tensor and return the gradients of the tensors asked for."""
    out = state.lookup(request["target"])
    grad = decode(request.get("grad"))
    wrt = decode(request.get("wrt", {"$": "list", "v": []}))
    for tensor in wrt:
        tensor.grad = None
    if grad is None:
        out.backward()
    else:
        out.backward(grad)
    return [None if t.grad is None else np.array(t.grad) for t in wrt]


# ------------------------------------------------------ switched-off names


def switch_off_engine_functions(state: WorkerState) -> None:
    """Replace the engine's sigmoid/tanh/relu with guards honouring `state.disabled`."""
    from microtensor import functional as F
    from microtensor.ops import elementwise

    # Every public place the three functions can be reached from: the package,
    # the Tensor methods, functional, and the ops module that defines them.
    owners = [microtensor, microtensor.Tensor, F, elementwise]
    for name in SWITCHABLE:
        for owner in owners:
            original = getattr(owner, name, None)
            if original is not None:
                setattr(owner, name, _guard(state, name, original))


def _guard(state: WorkerState, name: str, original):
    def guarded(*args, **kwargs):
        if name in state.disabled:
            state.flag("disabled", name)
            raise Disabled(SWITCHED_OFF_BECAUSE.get(name) or (
                f"the engine's {name} is switched off while your activations are "
                f"graded: build {name} from primitives (exp, abs, where, maximum, "
                "arithmetic) instead of calling it"
            ))
        return original(*args, **kwargs)

    guarded.__name__ = name
    return guarded


# ------------------------------------------------------------- the loop


def describe_error(state: WorkerState, exc: BaseException) -> dict:
    """The submission's exception, its traceback trimmed to the submission's frames."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if os.path.realpath(frame.filename).startswith(state.submission + os.sep)
    ]
    for frame in frames:
        # Show the student's own file name, not the worker's scratch copy.
        frame.filename = os.path.relpath(frame.filename, state.submission)
    lines = traceback.format_list(frames[-8:])
    message = str(exc)
    return {
        "type": type(exc).__name__[:80],
        "message": message[:2000],
        "traceback": "".join(lines)[-4000:],
        "not_implemented": isinstance(exc, NotImplementedError),
        "disabled": isinstance(exc, Disabled),
        "memory": isinstance(exc, MemoryError),
    }


def encode_reply(state: WorkerState, value, out_buffers: list) -> dict:
    """The reply carrying ``value``, or an error when it cannot be sent."""
    try:
        return {"ok": True, "value": protocol.encode(value, out_buffers,
                                                      state.encode_object)}
    except (protocol.ProtocolError, MemoryError, RecursionError) as exc:
        reason = str(exc) or type(exc).__name__
        return {"ok": False, "error": {
            "type": "UnsendableValue",
            "message": f"the value your code returned cannot be graded: {reason}",
            "traceback": "", "not_implemented": False, "disabled": False,
        }}


def serve(state: WorkerState, fd_in: int, fd_out: int) -> None:
    read_exactly = protocol.exact_reader(fd_in)
    while True:
        try:
            request, buffers = protocol.read_message(read_exactly)
        except EOFError:
            return
        state.disabled = frozenset(request.get("disable", ()))
        out_buffers: list = []
        try:
            value = handle(state, request, buffers)
        except BaseException as exc:  # the submission may raise anything, SystemExit too
            reply = {"ok": False, "error": describe_error(state, exc)}
        else:
            reply = encode_reply(state, value, out_buffers)
            if not reply["ok"]:
                out_buffers = []
        reply["flags"] = state.flags + sandbox.flags()
        sys.stdout.flush()
        sys.stderr.flush()
        protocol.write_message(fd_out, reply, out_buffers)


def scrub_modules() -> None:
    """Take out of the submission's reach what the audit hook cannot see.

    ``_posixsubprocess.fork_exec`` starts processes without an audit event of
    its own, so every reference to it goes, and importing it again is an
    audited (refused) import. The grader's own modules leave ``sys.modules``
    too, so that a submission importing them makes an audited import and is
    flagged; this module keeps its own references and runs on.
    """
    fork_exec = getattr(sys.modules.get("_posixsubprocess"), "fork_exec", None)
    targets = [m for m in (sys.modules.get("_posixsubprocess"), fork_exec) if m]
    for module in list(sys.modules.values()):
        names = [k for k, v in list(getattr(module, "__dict__", {}).items())
                 if any(v is t for t in targets)]
        for name in names:
            delattr(module, name)
    sys.modules.pop("_posixsubprocess", None)
    # Signalling another process through a pid file descriptor raises no audit
    # event (os.kill and os.killpg do, and are refused), so those calls go.
    for module_name, names in (("os", ("pidfd_open",)), ("posix", ("pidfd_open",)),
                               ("signal", ("pidfd_send_signal",)),
                               ("_signal", ("pidfd_send_signal",))):
        module = sys.modules.get(module_name)
        for name in names:
            if module is not None and hasattr(module, name):
                delattr(module, name)
    for name in [n for n in sys.modules if n == "microtensor.grading"
                 or n.startswith("microtensor.grading.")]:
        del sys.modules[name]
    microtensor.__dict__.pop("grading", None)


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    config = json.loads(argv[0])
    state = WorkerState(config)
    switch_off_engine_functions(state)
    scrub_modules()
    sandbox.enter(config, state.submission)
    sys.path.insert(0, state.submission)
    serve(state, int(config["fd_in"]), int(config["fd_out"]))


if __name__ == "__main__":
    main()
