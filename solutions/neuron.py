r"""Lesson 1, the artificial neuron: reference solution.

A neuron computes :math:`a = f(w \cdot x + b)`. This module builds the seven
activation functions ``f`` from the engine's primitives (so that autograd
differentiates them), writes their derivatives by hand in plain NumPy, and puts
them together in a :class:`Neuron`.

The activations use only arithmetic, ``exp``, ``log``, ``abs``, ``erf``,
``where``, ``maximum`` and comparisons: never the engine's own ``sigmoid``,
``tanh`` or ``relu``, which the grader switches off.
"""

import math

import numpy as np

import microtensor as mt
from microtensor import Tensor

# Numerical note, "only exponentiate -|z|": exp(z) overflows to inf for z > 709,
# and inf / inf or 0 * inf then gives NaN, in the value or in the gradient.
# exp(-|z|) lies in (0, 1] for every z, so every intermediate stays finite; its
# underflow to 0 for large |z| is harmless (NumPy does not warn on underflow).
#
# We write -|z| as where(z >= 0, -z, z) rather than -abs(z): the engine gives
# abs the derivative 0 at z = 0 (one valid choice at a kink), and sigma would
# inherit it, reporting sigma'(0) = 0 instead of 1/4. The where picks the z >= 0
# side, whose one-sided slope is the true slope of the smooth sigma at 0.


def _as_tensor(z):
    """Return ``z`` unchanged if it is a Tensor, else a float64 Tensor of it."""
    if isinstance(z, Tensor):
        return z
    return mt.tensor(np.asarray(z, dtype=np.float64))


def _minus_abs(z):
    """Return -|z| as a Tensor whose gradient at 0 is that of -z (see the note)."""
    return mt.where(z >= 0, -z, z)


def _stable_sigmoid_np(z):
    """Return sigma(z) for an ndarray, exponentiating only -|z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _as_array(z):
    """Return ``z`` as a float64 ndarray (the derivatives take plain arrays)."""
    return np.asarray(z, dtype=np.float64)


_erf = np.vectorize(math.erf, otypes=[np.float64])


# ---------------------------------------------------------------- activations


def step(z):
    r"""Heaviside step function.

    .. math:: \mathrm{step}(z) = 1 \text{ if } z \ge 0 \text{ else } 0

    Parameters
    ----------
    z : Tensor, any shape
        Pre-activation.

    Returns
    -------
    Tensor, same shape as ``z``
        1.0 where ``z >= 0`` (so ``step(0) = 1``), 0.0 elsewhere. The result
        carries no gradient: the step is flat wherever it is differentiable.
    """
    z = _as_tensor(z)
    return mt.where(z >= 0, 1.0, 0.0)


def sigmoid(z):
    r"""Logistic sigmoid, finite for every input.

    .. math:: \sigma(z) = \frac{1}{1 + e^{-z}}

    Parameters
    ----------
    z : Tensor, any shape
        Pre-activation.

    Returns
    -------
    Tensor, same shape as ``z``
        Values in [0, 1], finite with a finite gradient even at ``z = ±1000``,
        without overflow warnings. Build it from engine primitives only.
    """
    z = _as_tensor(z)

    # Only -|z| is exponentiated (see the numerical note at the top):
    # for z >= 0, sigma = 1 / (1 + e^-z); for z < 0, sigma = e^z / (1 + e^z).
    e = _minus_abs(z).exp()
    return mt.where(z >= 0, 1.0, e) / (1.0 + e)


def tanh(z):
    r"""Hyperbolic tangent, finite for every input.

    .. math:: \tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}

    Parameters
    ----------
    z : Tensor, any shape
        Pre-activation.

    Returns
    -------
    Tensor, same shape as ``z``
        Values in [-1, 1], finite with a finite gradient even at ``z = ±1000``,
        without overflow warnings. Build it from engine primitives only.
    """
    z = _as_tensor(z)

    # tanh(|z|) = (1 - e^{-2|z|}) / (1 + e^{-2|z|}) exponentiates only -2|z|
    # (see the numerical note at the top); tanh is odd, so the sign comes back.
    e = (2.0 * _minus_abs(z)).exp()
    t = (1.0 - e) / (1.0 + e)
    return mt.where(z >= 0, t, -t)


def relu(z):
    r"""Rectified linear unit.

    .. math:: \mathrm{relu}(z) = \max(z, 0)

    Parameters
    ----------
    z : Tensor, any shape
        Pre-activation.

    Returns
    -------
    Tensor, same shape as ``z``
        ``z`` where ``z > 0``, 0 elsewhere. Build it from engine primitives only.
    """
    z = _as_tensor(z)
    return mt.where(z > 0, z, 0.0)


def leaky_relu(z, alpha=0.01):
    r"""Leaky rectified linear unit.

    .. math:: \mathrm{leaky}(z) = z \text{ if } z > 0 \text{ else } \alpha z

    Parameters
    ----------
    z : Tensor, any shape
        Pre-activation.
    alpha : float, default 0.01
        Slope on the negative side (a small positive number).

    Returns
    -------
    Tensor, same shape as ``z``
        ``z`` where ``z > 0``, ``alpha * z`` elsewhere.
    """
    z = _as_tensor(z)
    return mt.where(z > 0, z, alpha * z)


def swish(z):
    r"""Swish (also called SiLU): the input gated by its own sigmoid.

    .. math:: \mathrm{swish}(z) = z \, \sigma(z)

    Parameters
    ----------
    z : Tensor, any shape
        Pre-activation.

    Returns
    -------
    Tensor, same shape as ``z``
        ``z * sigmoid(z)``, finite with a finite gradient even at ``z = ±1000``.
    """
    z = _as_tensor(z)
    return z * sigmoid(z)


def gelu(z):
    r"""Gaussian error linear unit, exact form (through ``erf``).

    .. math:: \mathrm{gelu}(z) = z \, \Phi(z)
              = \tfrac{1}{2} z \left(1 + \mathrm{erf}(z / \sqrt{2})\right)

    Parameters
    ----------
    z : Tensor, any shape
        Pre-activation.

    Returns
    -------
    Tensor, same shape as ``z``
        ``z`` times the standard normal CDF of ``z`` (not the tanh
        approximation).
    """
    z = _as_tensor(z)
    return 0.5 * z * (1.0 + (z / math.sqrt(2.0)).erf())


# ---------------------------------------------------------------- derivatives


def step_prime(z):
    r"""Derivative of the step function, as a function of the pre-activation.

    .. math:: \mathrm{step}'(z) = 0 \quad (z \ne 0)

    Parameters
    ----------
    z : ndarray, any shape
        Pre-activation (not the step's output).

    Returns
    -------
    ndarray of float, same shape as ``z``
        Zeros: the step is flat wherever it has a derivative.
    """
    return np.zeros_like(_as_array(z))


def sigmoid_prime(z):
    r"""Derivative of the sigmoid, as a function of the pre-activation.

    .. math:: \sigma'(z) = \sigma(z) \, (1 - \sigma(z))

    Parameters
    ----------
    z : ndarray, any shape
        Pre-activation (not the sigmoid's output).

    Returns
    -------
    ndarray of float, same shape as ``z``
        Finite for every input, ±1000 included, without overflow warnings.
    """
    z = _as_array(z)

    # sigma(1 - sigma) = e / (1 + e)^2 with e = exp(-|z|), exactly; this form
    # never overflows and, unlike 1 - sigma for large z, never cancels.
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def tanh_prime(z):
    r"""Derivative of tanh, as a function of the pre-activation.

    .. math:: \tanh'(z) = 1 - \tanh^2(z)

    Parameters
    ----------
    z : ndarray, any shape
        Pre-activation (not tanh's output).

    Returns
    -------
    ndarray of float, same shape as ``z``
        Values in (0, 1], finite for every input, ±1000 included.
    """
    z = _as_array(z)

    # 1 - tanh^2 = 4e / (1 + e)^2 with e = exp(-2|z|): same value, no overflow,
    # and no cancellation in 1 - tanh^2 when |z| is large.
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / (1.0 + e) ** 2


def relu_prime(z):
    r"""Derivative of relu, as a function of the pre-activation.

    .. math:: \mathrm{relu}'(z) = 1 \text{ if } z > 0 \text{ else } 0

    Parameters
    ----------
    z : ndarray, any shape
        Pre-activation.

    Returns
    -------
    ndarray of float, same shape as ``z``
        1.0 where ``z > 0``, 0.0 where ``z < 0``; at the kink ``z = 0`` any
        value in [0, 1] is a valid choice.
    """
    z = _as_array(z)
    return np.where(z > 0, 1.0, 0.0)


def leaky_relu_prime(z, alpha=0.01):
    r"""Derivative of leaky relu, as a function of the pre-activation.

    .. math:: \mathrm{leaky}'(z) = 1 \text{ if } z > 0 \text{ else } \alpha

    Parameters
    ----------
    z : ndarray, any shape
        Pre-activation.
    alpha : float, default 0.01
        Slope on the negative side.

    Returns
    -------
    ndarray of float, same shape as ``z``
        1.0 where ``z > 0``, ``alpha`` where ``z < 0``; at the kink ``z = 0``
        any value between ``alpha`` and 1 is a valid choice.
    """
    z = _as_array(z)
    return np.where(z > 0, 1.0, alpha)


def swish_prime(z):
    r"""Derivative of swish, as a function of the pre-activation.

    .. math:: \mathrm{swish}'(z) = \sigma(z) + z \, \sigma(z) \, (1 - \sigma(z))

    Parameters
    ----------
    z : ndarray, any shape
        Pre-activation.

    Returns
    -------
    ndarray of float, same shape as ``z``
        Finite for every input, ±1000 included, without overflow warnings.
    """
    z = _as_array(z)
    s = _stable_sigmoid_np(z)
    return s + z * s * (1.0 - s)


def gelu_prime(z):
    r"""Derivative of the exact GELU, as a function of the pre-activation.

    .. math:: \mathrm{gelu}'(z) = \Phi(z) + z \, \varphi(z), \qquad
              \varphi(z) = \frac{e^{-z^2/2}}{\sqrt{2\pi}}

    Parameters
    ----------
    z : ndarray, any shape
        Pre-activation.

    Returns
    -------
    ndarray of float, same shape as ``z``
        Finite for every input, ±1000 included.
    """
    z = _as_array(z)
    cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return cdf + z * pdf


ACTIVATIONS = {
    "step": (step, step_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "swish": (swish, swish_prime),
    "gelu": (gelu, gelu_prime),
}


# ---------------------------------------------------------------- the neuron


def _check_n_inputs(n_inputs):
    """Raise ValueError unless ``n_inputs`` is a positive integer."""
    is_int = isinstance(n_inputs, (int, np.integer)) and not isinstance(n_inputs, bool)
    if not is_int or n_inputs < 1:
        raise ValueError(
            f"Neuron: n_inputs must be a positive integer, got {n_inputs!r}"
        )


def _check_activation(name):
    """Raise ValueError unless ``name`` is a key of ACTIVATIONS."""
    if name not in ACTIVATIONS:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"Neuron: unknown activation {name!r}; choose one of: {known}")


class Neuron:
    r"""One artificial neuron, :math:`a = f(X \cdot w + b)`.

    Parameters
    ----------
    n_inputs : int
        Number of inputs (the length of one sample), at least 1.
    activation : str, default "sigmoid"
        A key of ``ACTIVATIONS``: "step", "sigmoid", "tanh", "relu",
        "leaky_relu", "swish" or "gelu". Anything else raises ValueError
        listing the valid names.
    rng : None, int or numpy.random.Generator, optional
        Source of the initial weights: an int is a seed, None the global
        generator that ``microtensor.manual_seed`` seeds.

    Attributes
    ----------
    w : Tensor, shape (n_inputs,)
        Weights, drawn from a normal distribution with standard deviation
        ``1 / sqrt(n_inputs)`` (small, so ``X · w`` stays of order one);
        requires grad.
    b : Tensor, shape ()
        Bias, 0.0 at the start; requires grad.
    activation : str
        The activation's name.
    """

    def __init__(self, n_inputs, activation="sigmoid", rng=None):
        _check_n_inputs(n_inputs)
        _check_activation(activation)
        rng = mt.as_rng(rng)

        scale = 1.0 / math.sqrt(n_inputs)
        self.w = mt.tensor(scale * rng.standard_normal(n_inputs), requires_grad=True)
        self.b = mt.tensor(0.0, requires_grad=True)
        self.activation = activation

    def forward(self, X):
        r"""Return the neuron's output :math:`f(X \cdot w + b)`.

        Parameters
        ----------
        X : Tensor or array_like, shape (n_inputs,) or (batch, n_inputs)
            One sample or a batch of samples (a Tensor keeps its gradient).

        Returns
        -------
        Tensor, shape () for one sample or (batch,) for a batch
            The activations. Any other shape of ``X`` raises ValueError naming
            the expected and the given shape.
        """
        X = _as_tensor(X)
        n_inputs = self.w.shape[0]
        if X.ndim not in (1, 2) or X.shape[-1] != n_inputs:
            raise ValueError(
                f"Neuron.forward: expected X of shape ({n_inputs},) or "
                f"(batch, {n_inputs}), got {tuple(X.shape)}"
            )

        f = ACTIVATIONS[self.activation][0]
        return f(X @ self.w + self.b)

    __call__ = forward

    def parameters(self):
        """Return the trainable tensors.

        Returns
        -------
        list of Tensor
            ``[w, b]``, in this order.
        """
        return [self.w, self.b]
