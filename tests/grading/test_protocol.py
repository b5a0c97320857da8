"""The wire protocol carries plain data only and treats every byte as hostile."""

import io
import json
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from microtensor.grading import protocol
from microtensor.grading.protocol import ProtocolError, Ref, TensorArg


def round_trip(value):
    buffers = []
    data = protocol.encode(value, buffers)
    raw = protocol.pack({"value": data}, buffers)
    stream = io.BytesIO(raw)
    header, got_buffers = protocol.read_message(stream.read)
    return protocol.decode(header["value"], got_buffers,
                           make_ref=lambda d, a: Ref(d["id"], "x", d["g"]),
                           make_tensor=lambda arr, rg: ("tensor", arr, rg))


plain = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=20)
    | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(plain)
def test_plain_values_round_trip_with_their_exact_types(value):
    got = round_trip(value)
    assert got == value
    assert type(got) is type(value)


@given(hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),
                  hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)))
def test_arrays_round_trip_bit_for_bit(array):
    got = round_trip(array)
    assert type(got) is np.ndarray
    assert got.dtype == array.dtype and got.shape == array.shape
    assert got.tobytes() == array.tobytes()


def test_special_floats_survive():
    got = round_trip([float("inf"), float("-inf"), float("nan")])
    assert got[0] == float("inf") and got[1] == float("-inf") and np.isnan(got[2])


def test_numpy_scalars_arrive_as_python_numbers():
    got = round_trip([np.float64(1.5), np.int64(3), np.bool_(True)])
    assert got == [1.5, 3, True]
    assert [type(v) for v in got] == [float, int, bool]


def test_tensor_arguments_and_references_are_tagged():
    got = round_trip([TensorArg(np.ones(2), True), Ref(7, "Neuron", 2)])
    assert got[0][0] == "tensor" and got[0][2] is True
    assert got[1] == Ref(7, "x", 2)


class Sneaky(float):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [object(), Sneaky(1.0), {1: 2},
                                   np.array(["a"]), np.array([1 + 2j])])
def test_values_that_are_not_plain_data_are_refused(value):
    with pytest.raises(ProtocolError):
        protocol.encode(value, [])


def frame(header: dict, *buffers: bytes) -> io.BytesIO:
    text = json.dumps(header).encode()
    return io.BytesIO(struct.pack(">I", len(text)) + text + b"".join(buffers))


@pytest.mark.parametrize("data, buffers", [
    ({"$": "nd", "i": 0, "dtype": "object", "shape": [1]}, [b"x" * 8]),
    ({"$": "nd", "i": 0, "dtype": "float64", "shape": [3]}, [b"x" * 8]),
    ({"$": "nd", "i": 5, "dtype": "float64", "shape": [1]}, [b"x" * 8]),
    ({"$": "nd", "i": 0, "dtype": "float64", "shape": [-1]}, [b"x" * 8]),
    ({"$": "pickle", "v": "gASV"}, []),
    ([1, 2], []),
    ({"$": "float", "v": "1e999"}, []),
    ({"$": "bigint", "v": "12ab"}, []),
])
def test_malformed_values_are_refused(data, buffers):
    with pytest.raises(ProtocolError):
        protocol.decode(data, buffers)


def test_references_are_refused_where_none_are_expected():
    with pytest.raises(ProtocolError):
        protocol.decode({"$": "ref", "id": 1, "g": 0}, [])


def test_nesting_is_bounded():
    data = None
    for _ in range(protocol.MAX_DEPTH + 5):
        data = {"$": "list", "v": [data]}
    with pytest.raises(ProtocolError):
        protocol.decode(data, [])


def test_oversized_header_is_refused_before_reading_it():
    stream = io.BytesIO(struct.pack(">I", protocol.MAX_HEADER_BYTES + 1))
    with pytest.raises(ProtocolError):
        protocol.read_message(stream.read)


def test_oversized_buffers_are_refused():
    stream = frame({"_sizes": [protocol.MAX_BUFFER_BYTES + 1]})
    with pytest.raises(ProtocolError):
        protocol.read_message(stream.read)


def test_header_that_is_not_json_is_refused():
    stream = io.BytesIO(struct.pack(">I", 4) + b"\xff\xfe{]")
    with pytest.raises(ProtocolError):
        protocol.read_message(stream.read)
