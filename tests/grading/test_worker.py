"""A misbehaving submission costs the call in progress only; the next call gets a fresh worker."""

import numpy as np
import pytest

from microtensor.grading.client import (
    Limits,
    NotImplementedYet,
    OutputFlood,
    Session,
    SubmissionError,
    WorkerCrashed,
    WorkerTimeout,
)
from microtensor.grading.protocol import TensorArg, TensorRef

LESSON = '''
import os, sys, time
import numpy as np
import microtensor as mt

def double(x):
    return 2 * x

def square(t):
    return t * t

def loop_forever():
    while True:
        pass

def hard_exit():
    os._exit(3)

def soft_exit():
    sys.exit(0)

def flood():
    while True:
        print("x" * 1000)

def not_yet():
    raise NotImplementedError("neuron.not_yet: write it")

def fails(x):
    raise ValueError(f"bad x={x}")

def kill_the_grader():
    import signal
    fd = os.pidfd_open(os.getppid())
    signal.pidfd_send_signal(fd, signal.SIGKILL)

def kill_the_grader_plainly():
    os.kill(os.getppid(), 9)

class Box:
    def __init__(self, value):
        self.value = value
    def get(self):
        return self.value
'''


@pytest.fixture
def session(tmp_path):
    (tmp_path / "neuron.py").write_text(LESSON)
    s = Session(str(tmp_path), Limits(call_seconds=2.0, output_bytes=100_000))
    yield s
    s.close()


def test_calls_objects_and_attributes(session):
    neuron = session.lesson("neuron")
    assert neuron.call("double", 21) == 42
    np.testing.assert_array_equal(neuron.call("double", np.arange(3.0)), [0, 2, 4])
    box = neuron.new("Box", [1, "a"])
    assert neuron.method(box, "get") == [1, "a"]
    assert neuron.get(box, "value") == [1, "a"]


def test_tensors_and_backward(session):
    neuron = session.lesson("neuron")
    x = neuron.tensor([1.0, -2.0], requires_grad=True)
    out = neuron.call("square", x)
    assert isinstance(out, TensorRef) and out.requires_grad
    np.testing.assert_array_equal(out.data, [1.0, 4.0])
    (grad,) = neuron.backward(out, np.ones(2), wrt=[x])
    np.testing.assert_array_equal(grad, [2.0, -4.0])
    made = neuron.call("square", TensorArg(np.array(3.0)))
    assert made.data == 9.0 and not made.requires_grad


def test_an_exception_in_submission_code_is_a_submission_error(session):
    with pytest.raises(SubmissionError, match="ValueError: bad x=5") as info:
        session.lesson("neuron").call("fails", 5)
    assert "neuron.py" in info.value.trace and "/tmp" not in info.value.trace


def test_not_implemented_is_reported_as_such(session):
    with pytest.raises(NotImplementedYet, match="write it"):
        session.lesson("neuron").call("not_yet")


@pytest.mark.parametrize("name, error, words", [
    ("loop_forever", WorkerTimeout, "ran for more than 2 s"),
    ("hard_exit", WorkerCrashed, "exited with status 3"),
    ("flood", OutputFlood, "printed more than 100 kB"),
])
def test_a_broken_call_is_stopped_and_the_next_call_works(session, name, error, words):
    neuron = session.lesson("neuron")
    with pytest.raises(error, match=words):
        neuron.call(name)
    assert neuron.call("double", 2) == 4


def test_sys_exit_is_caught_inside_the_worker(session):
    with pytest.raises(SubmissionError, match="SystemExit"):
        session.lesson("neuron").call("soft_exit")
    assert session.lesson("neuron").call("double", 1) == 2


def test_a_handle_from_a_dead_worker_is_refused(session):
    neuron = session.lesson("neuron")
    box = neuron.new("Box", 1)
    with pytest.raises(WorkerCrashed):
        neuron.call("hard_exit")
    with pytest.raises(WorkerCrashed, match="restarted"):
        neuron.method(box, "get")


def test_a_missing_lesson_file_is_named(session):
    from microtensor.grading.client import LessonUnavailable

    with pytest.raises(LessonUnavailable, match="perceptron.py was not found"):
        session.lesson("perceptron").call("anything")


@pytest.mark.parametrize("name", ["kill_the_grader", "kill_the_grader_plainly"])
def test_a_submission_cannot_signal_the_grader(session, name):
    with pytest.raises(SubmissionError):
        session.lesson("neuron").call(name)
    assert session.lesson("neuron").call("double", 3) == 6


def test_hand_derived_gradients_cannot_call_the_engines_backward(tmp_path):
    from microtensor.grading.client import DisabledFunction

    (tmp_path / "mlp.py").write_text(
        "import microtensor as mt\n"
        "def backprop(x):\n"
        "    t = mt.tensor(x, requires_grad=True)\n"
        "    (t * t).sum().backward()\n"
        "    return t.grad\n"
        "def train(x):\n"
        "    return backprop(x)\n"
    )
    s = Session(str(tmp_path), Limits(call_seconds=5.0))
    try:
        mlp = s.lesson("mlp")
        with pytest.raises(DisabledFunction, match="hand-derived gradients"):
            mlp.call("backprop", [1.0, 2.0])
        np.testing.assert_array_equal(mlp.call("train", [1.0, 2.0]), [2.0, 4.0])
    finally:
        s.close()
