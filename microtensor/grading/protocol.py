"""Plain-data messages between the trusted grader and the submission worker.

Nothing crosses the process boundary as pickle or as text that is evaluated.
A message is one JSON header followed by the raw bytes of any NumPy arrays it
carries::

    4 bytes   big-endian length of the header
    header    UTF-8 JSON; arrays inside it are {"$": "nd", "i": k, ...}
    buffers   the raw bytes of array k, lengths listed in header["_sizes"]

Values are encoded by `encode` and decoded by `decode`. Only these kinds exist
on the wire: None, bool, int, float, str, lists, tuples, dicts with string
keys, real NumPy arrays of a few plain dtypes, and references to objects that
stay inside the worker (`Ref`). The decoder builds nothing but those, so a
value that comes back from a submission can never be an object with a lying
``__eq__``, a NumPy subclass or a float subclass.

The decoder treats every byte as hostile: sizes are capped, dtypes are
whitelisted, and the array's byte length must match its shape.
"""

from __future__ import annotations

import json
import math
import os
import struct
from dataclasses import dataclass

import numpy as np

MAX_HEADER_BYTES = 16 * 2**20
MAX_BUFFER_BYTES = 256 * 2**20
MAX_DEPTH = 32
ALLOWED_DTYPES = frozenset(
    ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8",
     "bool"]
)

_LENGTH = struct.Struct(">I")


class ProtocolError(Exception):
    """A message that does not follow the protocol (malformed, too big, wrong kind)."""


@dataclass(frozen=True)
class Ref:
    """A handle on an object that lives in the worker.

    ``type_name`` is the object's class name as the worker reported it: only a
    hint for messages, never trusted. ``generation`` identifies the worker
    process that owns the object, so a handle that outlived its worker is
    recognised instead of silently pointing at something else.
    """

    id: int
    type_name: str
    generation: int = 0


@dataclass(frozen=True)
class TensorRef(Ref):
    """A handle on a worker Tensor, with a copy of its data taken when it was sent."""

    data: np.ndarray | None = None
    requires_grad: bool = False

    @property
    def shape(self) -> tuple:
        return () if self.data is None else self.data.shape


@dataclass(frozen=True)
class TensorArg:
    """Ask the worker to build a `microtensor.Tensor` from ``data``."""

    data: np.ndarray
    requires_grad: bool = False


# --------------------------------------------------------------------- encode


def encode(value, buffers: list, fallback=None, depth: int = 0):
    """Turn ``value`` into JSON-ready data, appending array bytes to ``buffers``.

    ``fallback(value, buffers)`` encodes anything else (the worker uses it to
    turn its objects into references); without it such a value is an error.
    """
    if depth > MAX_DEPTH:
        raise ProtocolError(f"value nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return value if abs(value) < 2**63 else {"$": "bigint", "v": str(value)}
    if kind is float:
        return _encode_float(value)
    if kind is list or kind is tuple:
        items = [encode(v, buffers, fallback, depth + 1) for v in value]
        return {"$": "list" if kind is list else "tuple", "v": items}
    if kind is dict:
        pairs = [
            [_dict_key(k), encode(v, buffers, fallback, depth + 1)]
            for k, v in value.items()
        ]
        return {"$": "dict", "v": pairs}
    if kind is np.ndarray:
        return _encode_array(value, buffers)
    if isinstance(value, np.generic) and type(value.item()) in (bool, int, float):
        return encode(value.item(), buffers, fallback, depth + 1)
    if isinstance(value, TensorArg):
        return {"$": "tensor", "v": _encode_array(value.data, buffers),
                "rg": bool(value.requires_grad)}
    if isinstance(value, Ref):
        return {"$": "ref", "id": value.id, "g": value.generation}
    if fallback is not None:
        return fallback(value, buffers)
    raise ProtocolError(f"cannot send a value of type {kind.__name__}")


def _encode_float(value: float):
    if math.isfinite(value):
        return value
    return {"$": "float", "v": repr(value)}  # 'nan', 'inf' or '-inf'


def _dict_key(key) -> str:
    if type(key) is not str:
        raise ProtocolError(f"dict keys must be str, got {type(key).__name__}")
    return key


def _encode_array(array: np.ndarray, buffers: list) -> dict:
    array = np.asarray(array)
    dtype = array.dtype.name
    if dtype not in ALLOWED_DTYPES:
        raise ProtocolError(f"cannot send an array of dtype {dtype}")
    if array.nbytes + sum(len(b) for b in buffers) > MAX_BUFFER_BYTES:
        raise ProtocolError(
            f"an array of shape {array.shape} ({array.nbytes / 2**20:.0f} MB) is more "
            f"than the {MAX_BUFFER_BYTES // 2**20} MB one reply may carry"
        )
    raw = np.ascontiguousarray(array).tobytes()
    buffers.append(raw)
    return {"$": "nd", "i": len(buffers) - 1, "dtype": dtype, "shape": list(array.shape)}


# --------------------------------------------------------------------- decode


def decode(data, buffers: list, make_ref=None, make_tensor=None, depth: int = 0):
    """Rebuild a value from `encode`'s output, building only plain types.

    ``make_ref(id, type_name, extra)`` turns a reference into a handle (the
    trusted side builds `Ref`/`TensorRef`, the worker looks the object up);
    ``make_tensor(array, requires_grad)`` builds a Tensor argument (worker only).
    """
    if depth > MAX_DEPTH:
        raise ProtocolError(f"value nested deeper than {MAX_DEPTH} levels")
    kind = type(data)
    if data is None or kind is bool or kind is str or kind is int:
        return data
    if kind is float:
        return data
    if kind is list:
        raise ProtocolError("a bare JSON list is not a protocol value")
    if kind is not dict:
        raise ProtocolError(f"unexpected JSON value of type {kind.__name__}")
    tag = data.get("$")
    args = (buffers, make_ref, make_tensor, depth + 1)
    if tag == "list":
        return [decode(v, *args) for v in _items(data)]
    if tag == "tuple":
        return tuple(decode(v, *args) for v in _items(data))
    if tag == "dict":
        return {_decoded_key(p): decode(p[1], *args) for p in _items(data)}
    if tag == "nd":
        return _decode_array(data, buffers)
    if tag == "float":
        return _decode_float(data.get("v"))
    if tag == "bigint":
        return _decode_bigint(data.get("v"))
    if tag == "ref" or tag == "tref":
        if make_ref is None:
            raise ProtocolError("references are not accepted here")
        return make_ref(data, args)
    if tag == "tensor":
        if make_tensor is None:
            raise ProtocolError("tensor arguments are not accepted here")
        return make_tensor(_decode_array(data.get("v"), buffers), bool(data.get("rg")))
    raise ProtocolError(f"unknown value tag {tag!r}")


def _items(data: dict) -> list:
    items = data.get("v")
    if type(items) is not list:
        raise ProtocolError("malformed container")
    return items


def _decoded_key(pair) -> str:
    if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
        raise ProtocolError("malformed dict entry")
    return pair[0]


def _decode_float(text) -> float:
    if text not in ("nan", "inf", "-inf"):
        raise ProtocolError(f"malformed special float {text!r}")
    return float(text)


def _decode_bigint(text) -> int:
    if type(text) is not str or len(text) > 4000 or not text.lstrip("-").isdigit():
        raise ProtocolError("malformed big integer")
    return int(text)


def _decode_array(data, buffers: list) -> np.ndarray:
    if type(data) is not dict or data.get("$") != "nd":
        raise ProtocolError("malformed array")
    dtype, shape, index = data.get("dtype"), data.get("shape"), data.get("i")
    if dtype not in ALLOWED_DTYPES:
        raise ProtocolError(f"array of dtype {dtype!r} is not accepted")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise ProtocolError(f"malformed array shape {shape!r}")
    if type(index) is not int or not 0 <= index < len(buffers):
        raise ProtocolError("array refers to a missing buffer")
    raw = buffers[index]
    itemsize = np.dtype(dtype).itemsize
    if math.prod(shape) * itemsize != len(raw):
        raise ProtocolError(f"array of shape {tuple(shape)} does not match its bytes")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


# ---------------------------------------------------------------- the framing


def _framed_header(message: dict, sizes: list) -> bytes:
    header = dict(message)
    header["_sizes"] = sizes
    text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    if len(text) > MAX_HEADER_BYTES:
        raise ProtocolError(f"message header of {len(text)} bytes is too large")
    return _LENGTH.pack(len(text)) + text


def pack(message: dict, buffers: list) -> bytes:
    """Frame a header dict and its buffers as bytes for the pipe."""
    return b"".join([_framed_header(message, [len(b) for b in buffers]), *buffers])


def write_message(fd: int, message: dict, buffers: list = ()) -> None:
    """Write one framed message to a file descriptor, completely.

    The header and each buffer are written in turn rather than joined, so a
    large array is never copied once more on its way out.
    """
    buffers = list(buffers)
    header = _framed_header(message, [len(b) for b in buffers])
    for piece in (header, *buffers):
        view = memoryview(piece)
        while view:
            written = os.write(fd, view)
            view = view[written:]


def read_message(read_exactly) -> tuple[dict, list]:
    """Read one framed message with ``read_exactly(n) -> bytes``.

    Returns the header dict (without its size list) and the list of buffers.
    Raises ProtocolError on anything malformed or oversized and EOFError when
    the other side has gone.
    """
    (length,) = _LENGTH.unpack(read_exactly(_LENGTH.size))
    if length > MAX_HEADER_BYTES:
        raise ProtocolError(f"message header of {length} bytes is too large")
    try:
        header = json.loads(read_exactly(length))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"message header is not JSON: {exc}") from None
    if type(header) is not dict:
        raise ProtocolError("message header is not an object")
    sizes = header.pop("_sizes", [])
    if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes):
        raise ProtocolError("malformed buffer sizes")
    if sum(sizes) > MAX_BUFFER_BYTES:
        raise ProtocolError(f"message carries {sum(sizes)} bytes of arrays, too many")
    return header, [read_exactly(n) for n in sizes]


def exact_reader(fd: int):
    """A ``read_exactly(n)`` over a blocking file descriptor."""

    def read_exactly(n: int) -> bytes:
        chunks, remaining = [], n
        while remaining:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError("the other side closed the channel")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    return read_exactly
