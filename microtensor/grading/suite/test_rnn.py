"""Graded properties of lesson 4, the Elman network and BPTT (``rnn.py``).

Expected values come from the grader's own NumPy recurrence and the engine's
autograd (`trusted_rnn`), and from finite differences of the submission's own
``forward``. The training properties compare ``train_sequence`` with gradients
taken through the submission's own ``forward``, so a wrong forward pass is
charged where it is (and in the learning tasks, which it really breaks), not
again in every training test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import Phase, assume, given, settings
from hypothesis import strategies as st

from microtensor.grading.checks import (
    array_value,
    assert_close,
    fail,
    short,
    tensor_value,
)
from microtensor.grading.client import SubmissionError
from microtensor.grading.protocol import TensorArg
from microtensor.grading.registry import examples, graded
from microtensor.grading.suite import trusted_rnn as trusted
from microtensor.grading.suite.strategies import seeds

PARAMETERS = trusted.PARAMETERS
FORWARD_TOL = {"rtol": 1e-9, "atol": 1e-12}
BPTT_TOL = {"rtol": 1e-8, "atol": 1e-10}
TRAIN_TOL = {"rtol": 1e-7, "atol": 1e-10}


def costly(n: int) -> settings:
    """Grading settings, without shrinking, for a test whose examples each cost
    dozens of worker calls: a failing submission then costs at most ``n``
    examples. Hypothesis tries the smallest case first, so the failing example
    reported is small all the same."""
    return settings(examples(n), phases=(Phase.explicit, Phase.reuse, Phase.generate))


# ------------------------------------------------------------------ cases


@dataclass
class Case:
    """One network and one batch of sequences, all drawn from ``seed``."""

    steps: int
    batch: int
    n_in: int
    n_hidden: int
    n_out: int
    seed: int
    scale: float = 1.0

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        self.params = trusted.random_parameters(rng, self.n_in, self.n_hidden,
                                                self.n_out, self.scale)
        self.xs = rng.uniform(-1.0, 1.0, (self.steps, self.batch, self.n_in))
        self.ys = rng.normal(0.0, 1.5, (self.steps, self.batch, self.n_out))
        self.h0 = rng.uniform(-0.5, 0.5, (self.batch, self.n_hidden))
        self.rng = rng

    @property
    def sizes(self):
        return self.n_in, self.n_hidden, self.n_out

    def describe(self) -> str:
        return (f"T={self.steps}, batch={self.batch}, n_in={self.n_in}, "
                f"n_hidden={self.n_hidden}, n_out={self.n_out}")


@st.composite
def cases(draw, min_steps=1, max_steps=6, scales=(1.0,)):
    return Case(
        steps=draw(st.integers(min_steps, max_steps), label="T"),
        batch=draw(st.integers(1, 3), label="batch"),
        n_in=draw(st.integers(1, 3), label="n_in"),
        n_hidden=draw(st.integers(1, 4), label="n_hidden"),
        n_out=draw(st.integers(1, 3), label="n_out"),
        seed=draw(seeds(), label="seed"),
        scale=draw(st.sampled_from(scales), label="weight scale"),
    )


# ------------------------------------------------------------------ helpers


def new_model(rnn, n_in, n_hidden, n_out, activation="tanh"):
    return rnn.new("ElmanRNN", n_in, n_hidden, n_out, activation=activation, rng=0)


def set_parameters(rnn, model, params) -> dict:
    """Give the model the grader's weights as fresh leaves; return their handles."""
    refs = {}
    for name in PARAMETERS:
        refs[name] = rnn.tensor(params[name], requires_grad=True)
        rnn.set(model, name, refs[name])
    return refs


def run_forward(rnn, model, xs, h0, sizes):
    """Call forward(xs, h0); check it returns (outputs, last state) Tensors."""
    steps, batch = xs.shape[:2]
    _, n_hidden, n_out = sizes
    result = rnn.method(model, "forward", xs, h0=h0)
    if type(result) not in (tuple, list) or len(result) != 2:
        fail(f"ElmanRNN.forward returned {short(result)}; expected a pair "
             "(outputs, last hidden state)")
    out, h = result
    tensor_value(out, "ElmanRNN.forward(xs)[0], the outputs", (steps, batch, n_out))
    tensor_value(h, "ElmanRNN.forward(xs)[1], the last hidden state",
                 (batch, n_hidden))
    return out, h


def read_parameters(rnn, model, case) -> list:
    shapes = trusted.parameter_shapes(*case.sizes)
    return [array_value(rnn.get(model, name), f"ElmanRNN.{name} after training",
                        shapes[name]) for name in PARAMETERS]


def train(rnn, model, xs, ys, loss, lr, epochs, **options) -> np.ndarray:
    losses = rnn.call("train_sequence", model, xs, ys, loss, lr, epochs, **options)
    if type(losses) not in (list, tuple):
        fail(f"train_sequence returned {short(losses)}; expected a list with the "
             "loss of each epoch")
    got = array_value(list(losses), "train_sequence's list of losses", (epochs,))
    if not np.isfinite(got).all():
        fail(f"train_sequence reported non-finite losses: {short(got)}")
    return got


def own_gradient(rnn, model, params, case, ys, loss, window):
    """The loss and gradient of one epoch through the submission's own forward.

    The sequence ``case.xs`` runs window by window, the state passed on as a
    plain array (detached); each window back-propagates its share of the mean
    loss against ``ys``.
    """
    refs = set_parameters(rnn, model, params)
    wrt = [refs[name] for name in PARAMETERS]
    grads = [np.zeros_like(params[name]) for name in PARAMETERS]
    outputs, h = [], None
    for start in range(0, case.steps, window):
        stop = min(start + window, case.steps)
        out, h_ref = run_forward(rnn, model, case.xs[start:stop], h, case.sizes)
        if not out.requires_grad:
            fail("ElmanRNN.forward's outputs carry no gradient: build them from "
                 "the parameters with Tensor operations")
        upstream = trusted.loss_gradient(loss, out.data, ys[start:stop], ys.size)
        for i, grad in enumerate(rnn.backward(out, upstream, wrt=wrt)):
            if grad is not None:
                grads[i] = grads[i] + grad
        outputs.append(out.data)
        h = h_ref.data
    value = trusted.loss_value(loss, np.concatenate(outputs), ys)
    return value, grads


# ------------------------------------------------------------- the network


@graded(points=1, title="ElmanRNN has the documented parameters")
@given(n_in=st.integers(1, 4), n_hidden=st.integers(1, 6), n_out=st.integers(1, 4),
       activation=st.sampled_from(("tanh", "relu")), seed=seeds())
@examples(8)
def test_parameters(rnn, n_in, n_hidden, n_out, activation, seed):
    """ElmanRNN(n_in, n_hidden, n_out, activation, rng) has Tensors W_xh
    (n_in, n_hidden), W_hh (n_hidden, n_hidden), b_h (n_hidden,), W_hy
    (n_hidden, n_out) and b_y (n_out,) that require grad, finite, with non-zero
    weight matrices; parameters() returns them in this order, read from the
    attributes when it is called; the same seed
    gives the same weights, another seed other weights; an unknown activation
    raises ValueError."""
    shapes = trusted.parameter_shapes(n_in, n_hidden, n_out)
    model = rnn.new("ElmanRNN", n_in, n_hidden, n_out, activation=activation, rng=seed)
    values = {}
    for name in PARAMETERS:
        ref = rnn.get(model, name)
        values[name] = tensor_value(ref, f"ElmanRNN.{name}", shapes[name])
        if not ref.requires_grad:
            fail(f"ElmanRNN.{name} does not require grad; create it with "
                 "requires_grad=True")
        if not np.isfinite(values[name]).all():
            fail(f"ElmanRNN.{name} holds non-finite values")
        if name.startswith("W") and not values[name].any():
            fail(f"ElmanRNN.{name} starts all zero: every hidden unit would then "
                 "learn the same thing; draw the weights from rng")
    params = rnn.method(model, "parameters")
    if type(params) not in (list, tuple) or len(params) != 5:
        fail(f"ElmanRNN.parameters() returned {short(params)}; expected the list "
             "[W_xh, W_hh, b_h, W_hy, b_y]")
    for name, ref in zip(PARAMETERS, params):
        got = tensor_value(ref, "an entry of ElmanRNN.parameters()")
        if got.shape != shapes[name] or not np.array_equal(got, values[name]):
            fail("ElmanRNN.parameters() must return [W_xh, W_hh, b_h, W_hy, b_y] "
                 f"in this order (the entry for {name} differs)")
    replacement = np.full(shapes["W_hh"], 0.25)
    rnn.set(model, "W_hh", TensorArg(replacement, requires_grad=True))
    listed = tensor_value(rnn.method(model, "parameters")[1],
                          "ElmanRNN.parameters()[1]")
    if not np.array_equal(listed, replacement):
        fail("after a new Tensor is assigned to ElmanRNN.W_hh, parameters() still "
             "returns the old one: build the list from the attributes each time "
             "parameters() is called (the grader sets its own weights this way)")
    again = rnn.new("ElmanRNN", n_in, n_hidden, n_out, activation=activation, rng=seed)
    if not np.array_equal(tensor_value(rnn.get(again, "W_hh"), "ElmanRNN.W_hh"),
                          values["W_hh"]):
        fail(f"two ElmanRNNs made with rng={seed} have different W_hh; an int rng "
             "is a seed: draw every weight from mt.as_rng(rng)")
    other = rnn.new("ElmanRNN", n_in, n_hidden, n_out, activation=activation,
                    rng=seed + 1)
    if np.array_equal(tensor_value(rnn.get(other, "W_xh"), "ElmanRNN.W_xh"),
                      values["W_xh"]):
        fail(f"rng={seed} and rng={seed + 1} give the same W_xh; draw the weights "
             "from the generator rng gives")
    try:
        rnn.new("ElmanRNN", n_in, n_hidden, n_out, activation="sigmoid", rng=seed)
    except SubmissionError as exc:
        if exc.kind != "ValueError":
            fail(f"ElmanRNN(..., activation='sigmoid') raised {exc.kind}; expected "
                 "ValueError")
    else:
        fail("ElmanRNN(..., activation='sigmoid') was accepted; only 'tanh' and "
             "'relu' are, anything else must raise ValueError")


@graded(points=3, title="forward follows the Elman recurrence")
@given(case=cases(max_steps=7), activation=st.sampled_from(("tanh", "relu")),
       with_h0=st.booleans())
@examples(30)
def test_forward(rnn, case, activation, with_h0):
    """With the grader's weights, forward(xs, h0) returns the outputs
    y_t = h_t W_hy + b_y of every step, shape (T, batch, n_out), and the last
    state h_T, shape (batch, n_hidden), where h_t = f(x_t W_xh + h_{t-1} W_hh
    + b_h) and h_0 is the given state or zeros; for tanh and relu."""
    model = new_model(rnn, *case.sizes, activation=activation)
    for name in PARAMETERS:
        rnn.set(model, name, TensorArg(case.params[name], requires_grad=True))
    h0 = case.h0 if with_h0 else None
    out, h = run_forward(rnn, model, case.xs, h0, case.sizes)
    want_out, states, _ = trusted.forward(case.params, case.xs, h0, activation)
    what = f"forward's outputs ({activation}, {case.describe()}" + (
        ", h0 given)" if with_h0 else ", h0 omitted)")
    assert_close(tensor_value(out, "the outputs"), want_out, what, None,
                 **FORWARD_TOL)
    assert_close(tensor_value(h, "the last state"), states[-1],
                 f"forward's last hidden state h_T ({activation}, {case.describe()})",
                 None, **FORWARD_TOL)


@graded(points=2, title="the sequence loss passes gradcheck on every parameter and h0")
@given(case=cases(max_steps=5), activation=st.sampled_from(("tanh", "relu")))
@costly(16)
def test_gradcheck(rnn, case, activation):
    """For S = Σ G·forward(xs, h0)[0] with a random G, the gradient that
    backward gives each of W_xh, W_hh, b_h, W_hy, b_y and h0 matches a central
    finite difference of your own forward along a random direction (relative
    error below 1e-5); relu is checked away from its kink."""
    _, _, pre = trusted.forward(case.params, case.xs, case.h0, activation)
    if activation == "relu":
        assume(np.abs(pre).min() > 1e-3)
    model = new_model(rnn, *case.sizes, activation=activation)
    refs = set_parameters(rnn, model, case.params)
    refs["h0"] = rnn.tensor(case.h0, requires_grad=True)
    out, _ = run_forward(rnn, model, case.xs, refs["h0"], case.sizes)
    if not out.requires_grad:
        fail("ElmanRNN.forward's outputs carry no gradient: build them from the "
             "parameters with Tensor operations (not NumPy on .data)")
    upstream = case.rng.standard_normal(out.shape)
    names = PARAMETERS + ("h0",)
    grads = rnn.backward(out, upstream, wrt=[refs[name] for name in names])
    values = dict(case.params, h0=case.h0)
    eps = 1e-6
    for name, grad in zip(names, grads):
        if grad is None:
            fail(f"backward through ElmanRNN.forward did not reach {name}")
        direction = case.rng.standard_normal(values[name].shape)
        sides = []
        for sign in (1.0, -1.0):
            moved = values[name] + sign * eps * direction
            h0 = moved if name == "h0" else case.h0
            if name != "h0":
                rnn.set(model, name, TensorArg(moved))
            shifted, _ = run_forward(rnn, model, case.xs, h0, case.sizes)
            sides.append(float(np.sum(upstream * shifted.data)))
        if name != "h0":
            rnn.set(model, name, refs[name])
        numeric = (sides[0] - sides[1]) / (2 * eps)
        analytic = float(np.sum(array_value(grad, f"the gradient of {name}",
                                            values[name].shape) * direction))
        if not abs(analytic - numeric) <= 1e-7 + 1e-5 * abs(numeric):
            fail(f"backward's gradient of S with respect to {name} disagrees with "
                 f"a finite difference of your forward ({activation}, "
                 f"{case.describe()}): along a random direction it gives "
                 f"{analytic:.10g}, the finite difference {numeric:.10g} "
                 f"(relative error {abs(analytic - numeric) / abs(numeric):.3g}, "
                 "allowed 1e-5). A step whose hidden state is cut from the graph "
                 "(NumPy on .data, detach, a new tensor) loses the gradient "
                 "through time")


# ------------------------------------------------------------- BPTT by hand


def call_bptt(rnn, case, h0):
    result = rnn.call("bptt", dict(case.params), case.xs, case.ys, h0)
    if type(result) is not dict:
        fail(f"bptt returned {short(result)}; expected a dict of gradients with "
             f"the keys {', '.join(trusted.BPTT_KEYS)}")
    missing = [key for key in trusted.BPTT_KEYS if key not in result]
    if missing:
        fail(f"bptt's result lacks {', '.join(missing)}")
    shapes = dict(trusted.parameter_shapes(*case.sizes), h0=case.h0.shape)
    return {key: array_value(result[key], f"bptt's gradient {key!r}", shapes[key])
            for key in trusted.BPTT_KEYS}


@graded(points=3, title="bptt equals autograd for sequences of 1 to 12 steps")
@given(case=cases(max_steps=12, scales=(0.7, 1.0, 1.4)), with_h0=st.booleans())
@examples(30)
def test_bptt(rnn, case, with_h0):
    """bptt(params, xs, ys, h0) returns the gradients of L = ½ Σ_t Σ ||ŷ_t - y_t||²
    (tanh network) with respect to W_xh, W_hh, b_h, W_hy, b_y and h0, equal to
    the engine's autograd to a relative 1e-8, for 1 to 12 steps and weights of
    order one, so that every step's contribution counts."""
    h0 = case.h0 if with_h0 else None
    got = call_bptt(rnn, case, h0)
    want = trusted.autograd_gradients(case.params, case.xs, case.ys, h0)
    setting = (f"{case.describe()}, weight scale {case.scale:g}, "
               + ("h0 given" if with_h0 else "h0 omitted"))
    for key in trusted.BPTT_KEYS:
        assert_close(got[key], want[key], f"bptt's gradient of {key} ({setting})",
                     None, **BPTT_TOL)


@graded(points=1, title="bptt gives the same gradients when called twice")
@given(case=cases(min_steps=2, max_steps=8))
@examples(10)
def test_bptt_is_repeatable(rnn, case):
    """Calling bptt twice on the same inputs gives the same gradients: nothing
    is kept or accumulated between calls, and no state of the forward pass is
    overwritten where the next call would find it."""
    first = call_bptt(rnn, case, case.h0)
    second = call_bptt(rnn, case, case.h0)
    for key in trusted.BPTT_KEYS:
        assert_close(second[key], first[key],
                     f"bptt's gradient of {key} on a second call with the same "
                     f"inputs ({case.describe()}), against the first call", None,
                     rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------- training


@graded(points=2,
        title="truncated BPTT equals autograd on a graph detached every k steps")
@given(case=cases(min_steps=2, max_steps=9), window=st.integers(1, 9),
       full=st.booleans(), loss=st.sampled_from(("mse", "bce")),
       lr=st.sampled_from((0.1, 0.5)))
@costly(16)
def test_truncated_bptt(rnn, case, window, full, loss, lr):
    """train_sequence(model, xs, ys, loss, lr, 2, truncate=k) makes two plain
    gradient steps, each with the gradient of the mean loss through your own
    forward run window by window ([0, k), [k, 2k), ...) with the state detached
    between windows (k = None: one window), starting from zeros each epoch; the
    losses it returns are those of each epoch's forward pass."""
    truncate = None if full else min(window, case.steps)
    ys = (case.ys > 0).astype(np.float64) if loss == "bce" else case.ys
    reference = new_model(rnn, *case.sizes)
    params, want_losses = dict(case.params), []
    for _ in range(2):
        value, grads = own_gradient(rnn, reference, params, case, ys, loss,
                                    truncate or case.steps)
        want_losses.append(value)
        params = {name: params[name] - lr * g for name, g in zip(PARAMETERS, grads)}

    model = new_model(rnn, *case.sizes)
    for name in PARAMETERS:
        rnn.set(model, name, TensorArg(case.params[name], requires_grad=True))
    losses = train(rnn, model, case.xs, ys, loss, lr, 2, truncate=truncate)
    setting = f"loss={loss!r}, lr={lr}, truncate={truncate}, {case.describe()}"
    assert_close(losses, np.array(want_losses),
                 f"the losses train_sequence returned ({setting})",
                 None, **TRAIN_TOL)
    got = read_parameters(rnn, model, case)
    for name, value in zip(PARAMETERS, got):
        assert_close(value, params[name], f"{name} after two epochs ({setting})",
                     None, **TRAIN_TOL)


@graded(points=2, title="clipping caps the gradient norm at c and keeps its direction")
@given(case=cases(min_steps=2, max_steps=6),
       ratio=st.sampled_from((0.05, 0.3, 0.7, 0.95, 1.5, 4.0)))
@costly(14)
def test_clipping(rnn, case, ratio):
    """With clip=c, one epoch of train_sequence moves the parameters by
    -lr·g·min(1, c/||g||), g being the gradient through your own forward and
    ||g|| the joint norm over all five parameters: the step's gradient has norm
    at most c, points the same way as g, and is g itself when ||g|| <= c."""
    lr = 0.5
    _, grads = own_gradient(rnn, new_model(rnn, *case.sizes), case.params, case,
                            case.ys, "mse", case.steps)
    norm = trusted.joint_norm(grads)
    assume(norm > 0.05)
    clip = ratio * norm
    model = new_model(rnn, *case.sizes)
    for name in PARAMETERS:
        rnn.set(model, name, TensorArg(case.params[name], requires_grad=True))
    train(rnn, model, case.xs, case.ys, "mse", lr, 1, clip=clip)
    after = read_parameters(rnn, model, case)
    used = [(case.params[name] - value) / lr for name, value in zip(PARAMETERS, after)]
    used_norm = trusted.joint_norm(used)
    setting = f"clip={clip:.6g}, ||g|| = {norm:.6g}, {case.describe()}"
    if used_norm < 1e-3 * min(clip, norm):
        fail(f"one epoch of train_sequence left the model's parameters where they "
             f"were ({setting}): update the tensors model.parameters() returns")
    if used_norm > clip * (1 + 1e-6) + 1e-12:
        fail(f"the gradient train_sequence applied has joint norm {used_norm:.6g}, "
             f"above clip ({setting}); clip the norm of all parameters' gradients "
             "together")
    flat_used = np.concatenate([g.ravel() for g in used])
    flat_g = np.concatenate([g.ravel() for g in grads])
    cosine = flat_used @ flat_g / (np.linalg.norm(flat_used) * norm + 1e-300)
    if cosine < 1 - 1e-9:
        fail(f"clipping changed the gradient's direction (cosine {cosine:.9f} "
             f"with the unclipped gradient; {setting}): scale every parameter's "
             "gradient by the same factor c/||g||, computed from the joint norm")
    want = trusted.clipped(grads, clip)
    rtol = 1e-7 + 2e-6 / norm  # leaves room for a 1e-6 guard added to the norm
    for name, got, expected in zip(PARAMETERS, used, want):
        what = ("a gradient below clip must be left as it is" if ratio > 1 else
                "a gradient above clip must be scaled to norm clip")
        assert_close(got, expected, f"the gradient applied to {name}: {what} "
                     f"({setting})", None, rtol=rtol, atol=1e-10)


# ------------------------------------------------------------- learning

LEARNING_SEEDS = (1, 2, 3, 4, 5)
CHUNK = 25


def learning_run(rnn, seed, sizes, lr, train_data, eval_data, max_epochs, target):
    """Train in chunks of CHUNK epochs until accuracy >= target; return a summary."""
    model = new_model(rnn, *sizes)
    for name, value in trusted.initial_parameters(seed, *sizes).items():
        rnn.set(model, name, TensorArg(value, requires_grad=True))
    xs, ys = train_data
    first_loss, epochs, accuracy = None, 0, 0.0
    while epochs < max_epochs:
        losses = train(rnn, model, xs, ys, "bce", lr, CHUNK)
        first_loss = losses[0] if first_loss is None else first_loss
        epochs += CHUNK
        out, _ = run_forward(rnn, model, eval_data[0], None, sizes)
        accuracy = trusted.accuracy(out.data, eval_data[1])
        if accuracy >= target:
            break
    summary = (f"seed {seed}: {100 * accuracy:.1f}% right after {epochs} epochs "
               f"(loss {first_loss:.4g} -> {losses[-1]:.4g})")
    return accuracy >= target, summary


def check_learns(rnn, task, runs, needed):
    passed, lines = 0, []
    for index, run in enumerate(runs):
        ok, summary = run()
        passed += ok
        lines.append(summary)
        if passed >= needed or (index + 1 - passed) > len(runs) - needed:
            break
    if passed < needed:
        failed = len(lines) - passed
        fail(f"the network must learn {task} from at least {needed} of "
             f"{len(runs)} seeds; it failed on {failed} (grading stopped once "
             f"{needed} could no longer be reached):\n  " + "\n  ".join(lines))


@graded(points=2, title="the network learns to echo its input two steps late")
def test_learns_echo(rnn):
    """ElmanRNN(1, 8, 1) with the grader's initial weights (N(0, 1/fan_in),
    biases 0), trained by train_sequence with loss "bce" and lr 1.0 on 32 random
    bit sequences of 12 steps to output y_t = x_{t-2}, answers right on at least
    99% of the outputs of 64 new sequences of 20 steps within 100 epochs, for at
    least 4 of 5 seeds."""
    def run(seed):
        return lambda: learning_run(
            rnn, seed, (1, 8, 1), 1.0, trusted.echo_task(seed, 12, 32),
            trusted.echo_task(10_000 + seed, 20, 64), 100, 0.99)

    check_learns(rnn, "to echo its input two steps late",
                 [run(seed) for seed in LEARNING_SEEDS], 4)


@graded(points=2, title="the network learns the running parity of 8 bits")
def test_learns_parity(rnn):
    """ElmanRNN(1, 16, 1) with the grader's initial weights (N(0, 1/fan_in),
    biases 0), trained by train_sequence with loss "bce" and lr 2.0 on all 256
    sequences of 8 bits to output y_t = x_1 xor ... xor x_t, gets all 2,048
    outputs right within 300 epochs, for at least 4 of 5 seeds."""
    data = trusted.parity_task(8)

    def run(seed):
        return lambda: learning_run(rnn, seed, (1, 16, 1), 2.0, data, data, 300, 1.0)

    check_learns(rnn, "the running parity of 8 bits",
                 [run(seed) for seed in LEARNING_SEEDS], 4)


# ------------------------------------------------------------- long sequences

LONG = 5000


@graded(points=2, title="5,000 steps back-propagate and release their graph")
def test_long_sequence(rnn):
    """forward on a sequence of 5,000 steps builds a graph that backward walks
    without RecursionError, giving finite gradients to every parameter; a second
    backward through it then fails (the first released it), and
    train_sequence runs one epoch on the same sequence."""
    sizes = (1, 4, 1)
    params = trusted.random_parameters(np.random.default_rng(7), *sizes, scale=0.5)
    xs = np.random.default_rng(8).uniform(-1.0, 1.0, (LONG, 1, 1))
    model = new_model(rnn, *sizes)
    refs = set_parameters(rnn, model, params)
    try:
        out, _ = run_forward(rnn, model, xs, None, sizes)
        upstream = np.full(out.shape, 1.0 / LONG)
        grads = rnn.backward(out, upstream, wrt=[refs[name] for name in PARAMETERS])
    except SubmissionError as exc:
        if exc.kind == "RecursionError":
            fail("a sequence of 5,000 steps hit Python's recursion limit: walk "
                 "through the steps with a loop, not a recursive call")
        raise
    for name, grad in zip(PARAMETERS, grads):
        if grad is None:
            fail(f"backward through 5,000 steps did not reach {name}")
        if not np.isfinite(grad).all():
            fail(f"the gradient of {name} through 5,000 steps is not finite")
    try:
        rnn.backward(out, upstream)
    except SubmissionError as exc:
        if exc.kind != "GraphError":
            raise
    else:
        fail("a second backward through the 5,000-step graph succeeded: the "
             "graph was kept alive after the first (retain_graph?)")
    model = new_model(rnn, *sizes)
    for name in PARAMETERS:
        rnn.set(model, name, TensorArg(params[name], requires_grad=True))
    train(rnn, model, xs, np.zeros_like(xs), "mse", 0.01, 1)
