"""Graded properties of lesson 1, the artificial neuron (``neuron.py``).

Values are compared with the grader's own formulas (`references`), gradients
with the closed-form derivatives, and the neuron's wiring with the
submission's own activation, so that a bug is charged once, where it is.
While this lesson is graded the engine's sigmoid, tanh and relu are switched
off in the worker.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from microtensor.grading.checks import (
    array_value,
    assert_close,
    fail,
    tensor_value,
)
from microtensor.grading.protocol import TensorArg, TensorRef
from microtensor.grading.registry import examples, graded
from microtensor.grading.suite import references as ref
from microtensor.grading.suite.strategies import (
    away_from_zero,
    finite,
    matrices,
    pre_activations,
    seeds,
    vectors,
)

SMOOTH = ("sigmoid", "tanh", "swish", "gelu")
DIFFERENTIABLE = ("sigmoid", "tanh", "relu", "leaky_relu", "swish", "gelu")
VALUE_TOL = {"rtol": 1e-6, "atol": 1e-9}
GRAD_TOL = {"rtol": 1e-6, "atol": 1e-9}
ALPHAS = st.one_of(st.just(None), finite(0.001, 0.5))


def activation_values(neuron, name, z, *extra):
    out = neuron.call(name, TensorArg(z), *extra)
    return tensor_value(out, f"{name}(z)", shape=z.shape)


def activation_gradient(neuron, name, z, upstream, *extra):
    """d(sum(upstream * f(z)))/dz through the submission's activation and the engine."""
    z_ref = neuron.tensor(z, requires_grad=True)
    out = neuron.call(name, z_ref, *extra)
    tensor_value(out, f"{name}(z)", shape=z.shape)
    if not out.requires_grad:
        fail(f"{name}(z) carries no gradient: build it from Tensor operations "
             "(not NumPy), so that backward can reach z")
    (grad,) = neuron.backward(out, upstream, wrt=[z_ref])
    if grad is None:
        fail(f"{name}(z): backward did not reach z")
    return grad


def check_activation_values(neuron, name, z, alpha=None):
    extra = () if alpha is None else (alpha,)
    got = activation_values(neuron, name, z, *extra)
    expected = ref.ACTIVATIONS[name][0](z, *extra)
    assert_close(got, expected, f"{name}(z)", {"z": z}, **VALUE_TOL)


def check_activation_gradient(neuron, name, z, alpha=None):
    extra = () if alpha is None else (alpha,)
    upstream = np.ones_like(z)
    got = activation_gradient(neuron, name, z, upstream, *extra)
    expected = ref.ACTIVATIONS[name][1](z, *extra)
    assert_close(got, expected, f"the gradient of {name} (autograd through your "
                 f"{name})", {"z": z}, **GRAD_TOL)


# ------------------------------------------------------------- values


@graded(points=1, title="step is the Heaviside function")
@given(z=pre_activations())
@examples(30)
def test_step_values(neuron, z):
    """step(z) is 1 for z > 0 and 0 for z < 0; at exactly 0 any of 0, 1/2 or 1."""
    got = activation_values(neuron, "step", z)
    expected = ref.step(z)
    at_zero = z == 0
    if at_zero.any() and not np.isin(got[at_zero], (0.0, 0.5, 1.0)).all():
        fail(f"step(0) is {got[at_zero][0]!r}; expected 1 (0 or 1/2 are accepted)")
    got = np.where(at_zero, expected, got)
    assert_close(got, expected, "step(z)", {"z": z}, **VALUE_TOL)


@graded(points=1, title="sigmoid equals 1/(1+exp(-z))")
@given(z=pre_activations())
@examples(30)
def test_sigmoid_values(neuron, z):
    """sigmoid(z) equals σ(z) = 1/(1+e^(-z)) on random inputs, 0, ±1e-8 and ±1000."""
    check_activation_values(neuron, "sigmoid", z)


@graded(points=1, title="tanh equals the hyperbolic tangent")
@given(z=pre_activations())
@examples(30)
def test_tanh_values(neuron, z):
    """tanh(z) equals (e^z - e^-z)/(e^z + e^-z) on random inputs, 0, ±1e-8 and ±1000."""
    check_activation_values(neuron, "tanh", z)


@graded(points=1, title="relu equals max(z, 0)")
@given(z=pre_activations())
@examples(30)
def test_relu_values(neuron, z):
    """relu(z) equals max(z, 0)."""
    check_activation_values(neuron, "relu", z)


@graded(points=1, title="leaky_relu equals z or alpha*z")
@given(z=pre_activations(), alpha=ALPHAS)
@examples(30)
def test_leaky_relu_values(neuron, z, alpha):
    """leaky_relu(z, alpha) is z for z > 0 and alpha·z otherwise (alpha defaults to 0.01)."""
    check_activation_values(neuron, "leaky_relu", z, alpha)


@graded(points=1, title="swish equals z*sigmoid(z)")
@given(z=pre_activations())
@examples(30)
def test_swish_values(neuron, z):
    """swish(z) equals z·σ(z)."""
    check_activation_values(neuron, "swish", z)


@graded(points=1, title="gelu equals the exact z*Phi(z)")
@given(z=pre_activations())
@examples(30)
def test_gelu_values(neuron, z):
    """gelu(z) equals ½·z·(1 + erf(z/√2)), the exact form (not the tanh approximation)."""
    check_activation_values(neuron, "gelu", z)


# ---------------------------------------------------------- stability


def check_stable(neuron, name):
    z = np.array([-1000.0, -750.0, -710.0, 710.0, 750.0, 1000.0])
    got = activation_values(neuron, name, z)
    if not np.isfinite(got).all():
        bad = z[~np.isfinite(got)][0]
        fail(f"{name}({bad:g}) is {got[z == bad][0]}; it must stay finite "
             "(exponentiate only -|z|, never +|z|)")
    assert_close(got, ref.ACTIVATIONS[name][0](z), f"{name}(z)", {"z": z}, **VALUE_TOL)
    grad = activation_gradient(neuron, name, z, np.ones_like(z))
    if not np.isfinite(grad).all():
        bad = z[~np.isfinite(grad)][0]
        fail(f"the gradient of {name} at z = {bad:g} is "
             f"{grad[z == bad][0]}; it must stay finite (an overflowing exp inside "
             "makes 0·inf = nan in backward: exponentiate only -|z|)")
    assert_close(grad, ref.ACTIVATIONS[name][1](z), f"the gradient of {name}",
                 {"z": z}, **GRAD_TOL)


@graded(points=1, title="sigmoid is stable at ±1000")
def test_sigmoid_is_stable(neuron):
    """sigmoid and its gradient are finite and right at ±710, ±750 and ±1000."""
    check_stable(neuron, "sigmoid")


@graded(points=1, title="tanh is stable at ±1000")
def test_tanh_is_stable(neuron):
    """tanh and its gradient are finite and right at ±710, ±750 and ±1000."""
    check_stable(neuron, "tanh")


# ---------------------------------------------------------- gradients


def _gradient_test(name):
    @given(z=away_from_zero(), alpha=ALPHAS if name == "leaky_relu" else st.none())
    @examples(20)
    def check(neuron, z, alpha):
        check_activation_gradient(neuron, name, z, alpha)

    check.__doc__ = (f"Back-propagating through your {name} gives its derivative "
                     "(checked for 1e-3 <= |z| <= 50, away from any kink).")
    check.__name__ = check.__qualname__ = f"test_{name}_gradient"
    return check


test_sigmoid_gradient = graded(1, "sigmoid back-propagates its derivative")(
    _gradient_test("sigmoid"))
test_tanh_gradient = graded(1, "tanh back-propagates its derivative")(
    _gradient_test("tanh"))
test_relu_gradient = graded(1, "relu back-propagates its derivative")(
    _gradient_test("relu"))
test_leaky_relu_gradient = graded(1, "leaky_relu back-propagates its derivative")(
    _gradient_test("leaky_relu"))
test_swish_gradient = graded(1, "swish back-propagates its derivative")(
    _gradient_test("swish"))
test_gelu_gradient = graded(1, "gelu back-propagates its derivative")(
    _gradient_test("gelu"))


# -------------------------------------------------------- derivatives


def check_prime(neuron, name, z, alpha=None):
    """The hand-written derivative against the closed form, kinks excepted."""
    extra = () if alpha is None else (alpha,)
    got = array_value(neuron.call(f"{name}_prime", z, *extra), f"{name}_prime(z)",
                      shape=z.shape)
    expected = ref.ACTIVATIONS[name][1](z, *extra)
    if name in ("relu", "leaky_relu", "step"):
        low = {"relu": 0.0, "leaky_relu": alpha if alpha is not None else 0.01,
               "step": -np.inf}[name]
        at_kink = z == 0
        inside = (got >= low) & (got <= 1.0) if name != "step" else np.isfinite(got)
        if (at_kink & ~inside).any():
            fail(f"{name}_prime(0) is {got[at_kink][0]!r}; at the kink any value in "
                 f"[{low:g}, 1] is accepted")
        got = np.where(at_kink, expected, got)
    assert_close(got, expected, f"{name}_prime(z)", {"z": z}, **GRAD_TOL)


def _prime_test(name):
    @given(z=pre_activations(-30.0, 30.0, special=(0.0, -0.0, 1e-8, -1e-8)),
           alpha=ALPHAS if name == "leaky_relu" else st.none())
    @examples(30)
    def check(neuron, z, alpha):
        check_prime(neuron, name, z, alpha)

    check.__doc__ = (f"{name}_prime(z) equals the derivative of {name} at the "
                     "pre-activation z (any subgradient at a kink).")
    check.__name__ = check.__qualname__ = f"test_{name}_prime"
    return check


test_step_prime = graded(1, "step_prime is 0 where the step is differentiable")(
    _prime_test("step"))
test_sigmoid_prime = graded(1, "sigmoid_prime is sigmoid(z)(1 - sigmoid(z))")(
    _prime_test("sigmoid"))
test_tanh_prime = graded(1, "tanh_prime is 1 - tanh(z)^2")(_prime_test("tanh"))
test_relu_prime = graded(1, "relu_prime is 1 for z > 0 and 0 for z < 0")(
    _prime_test("relu"))
test_leaky_relu_prime = graded(1, "leaky_relu_prime is 1 for z > 0 and alpha below")(
    _prime_test("leaky_relu"))
test_swish_prime = graded(1, "swish_prime is s + z*s*(1 - s)")(_prime_test("swish"))
test_gelu_prime = graded(1, "gelu_prime is Phi(z) + z*phi(z)")(_prime_test("gelu"))


# ------------------------------------------------------------ the neuron


@st.composite
def neuron_cases(draw, activations=tuple(ref.ACTIVATIONS)):
    n = draw(st.integers(1, 6), label="n_inputs")
    batch = draw(st.one_of(st.none(), st.integers(1, 5)), label="batch")
    X = draw(vectors(n) if batch is None else matrices(batch, n), label="X")
    w = draw(vectors(n, -2.0, 2.0), label="w")
    b = draw(finite(-2.0, 2.0), label="b")
    activation = draw(st.sampled_from(activations), label="activation")
    return n, batch, X, w, b, activation


@graded(points=1, title="Neuron has w of shape (n_inputs,) and b of shape ()")
@given(n=st.integers(1, 8), activation=st.sampled_from(tuple(ref.ACTIVATIONS)),
       seed=seeds())
@examples(10)
def test_neuron_parameters(neuron, n, activation, seed):
    """Neuron(n, activation, rng) has Tensors w (n,) and b () that require grad,
    and parameters() returns exactly [w, b]."""
    unit = neuron.new("Neuron", n, activation, rng=seed)
    w, b = neuron.get(unit, "w"), neuron.get(unit, "b")
    w_data = tensor_value(w, "Neuron.w", shape=(n,))
    tensor_value(b, "Neuron.b", shape=())
    for name, value in (("w", w), ("b", b)):
        if not value.requires_grad:
            fail(f"Neuron.{name} does not require grad; create it with "
                 "requires_grad=True")
    if not np.isfinite(w_data).all():
        fail("Neuron.w holds non-finite values")
    params = neuron.method(unit, "parameters")
    if type(params) not in (list, tuple) or len(params) != 2:
        fail(f"Neuron.parameters() returned {len(params) if type(params) in (list, tuple) else type(params).__name__}"
             " values; expected the list [w, b]")
    got = [tensor_value(p, "Neuron.parameters()[i]") for p in params]
    if got[0].shape != (n,) or not np.array_equal(got[0], w_data) or got[1].shape != ():
        fail("Neuron.parameters() must return [w, b] in this order")


@graded(points=2, title="Neuron.forward equals f(X.w + b)")
@given(case=neuron_cases())
@examples(30)
def test_neuron_forward(neuron, case):
    """forward(X) equals f(X·w + b) for one sample (shape ()) and a batch (shape (batch,)),
    for every activation, with w and b set by the grader; f is your own activation."""
    n, batch, X, w, b, activation = case
    unit = neuron.new("Neuron", n, activation, rng=0)
    neuron.set(unit, "w", TensorArg(w, requires_grad=True))
    neuron.set(unit, "b", TensorArg(np.array(b), requires_grad=True))
    shape = () if batch is None else (batch,)
    got = tensor_value(neuron.method(unit, "forward", X), "Neuron.forward(X)", shape)
    z = X @ w + b
    expected = tensor_value(neuron.call(activation, TensorArg(z)),
                            f"{activation}(X·w + b)", shape)
    assert_close(got, expected, f"Neuron.forward(X) with activation {activation!r}",
                 {"X·w + b": z}, **VALUE_TOL)


@graded(points=2, title="Neuron passes gradcheck on w, b and X")
@given(case=neuron_cases(DIFFERENTIABLE), seed=seeds())
@examples(20)
def test_neuron_gradients(neuron, case, seed):
    """The gradients of sum(g·forward(X)) with respect to w, b and X equal the chain
    rule through your activation: dw = Xᵀ·dz, db = Σ dz, dX = dz·wᵀ."""
    n, batch, X, w, b, activation = case
    unit = neuron.new("Neuron", n, activation, rng=0)
    w_ref = neuron.tensor(w, requires_grad=True)
    b_ref = neuron.tensor(np.array(b), requires_grad=True)
    X_ref = neuron.tensor(X, requires_grad=True)
    neuron.set(unit, "w", w_ref)
    neuron.set(unit, "b", b_ref)
    shape = () if batch is None else (batch,)
    out = neuron.method(unit, "forward", X_ref)
    tensor_value(out, "Neuron.forward(X)", shape)
    if not isinstance(out, TensorRef) or not out.requires_grad:
        fail("Neuron.forward(X) carries no gradient: compute it with Tensor operations")
    upstream = np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)
    grads = neuron.backward(out, upstream, wrt=[w_ref, b_ref, X_ref])
    z = X @ w + b
    dz = activation_gradient(neuron, activation, z, upstream)
    expected = (
        (X.T @ dz) if batch is not None else dz * X,
        np.array(dz.sum()),
        np.multiply.outer(dz, w),
    )
    for name, got, want, like in zip(("w", "b", "X"), grads, expected, (w, b, X)):
        if got is None:
            fail(f"backward through Neuron.forward did not reach {name}")
        assert_close(array_value(got, f"the gradient of {name}", np.shape(like)), want,
                     f"the gradient with respect to {name} ({activation})",
                     {"X·w + b": z} if name == "b" else None, **GRAD_TOL)
