r"""Lesson 1, the artificial neuron: your exercise.

A neuron computes :math:`a = f(w \cdot x + b)`. Fill in, in this order:

1. the seven activation functions ``f``, built from the engine's primitives
   (arithmetic, ``exp``, ``log``, ``abs``, ``erf``, ``mt.where``, ``mt.maximum``
   and comparisons) so that autograd can differentiate them. The engine's own
   ``sigmoid``, ``tanh`` and ``relu`` are switched off while you are graded;
2. their derivatives, by hand, as plain NumPy functions of the pre-activation;
3. the :class:`Neuron` that puts them together.

Each function's docstring states the formula, the shapes and what to return.
Run ``microtensor grade`` to see what works and what does not yet.
"""

# You will need these; they are imported for you.
import math  # noqa: F401

import numpy as np  # noqa: F401

import microtensor as mt  # noqa: F401

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
    raise NotImplementedError(
        "neuron.step: turn the mask z >= 0 into 1.0 / 0.0 with mt.where"
    )


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
    raise NotImplementedError(
        "neuron.sigmoid: exponentiate only -|z|, then pick 1/(1+e) or e/(1+e)"
    )


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
    raise NotImplementedError(
        "neuron.tanh: e = exp(-2|z|) gives tanh(|z|) = (1-e)/(1+e); put the sign back"
    )


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
    raise NotImplementedError(
        "neuron.relu: keep z where z > 0, 0 elsewhere (mt.where or mt.maximum)"
    )


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
    raise NotImplementedError(
        "neuron.leaky_relu: like relu, but alpha * z on the negative side"
    )


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
    raise NotImplementedError("neuron.swish: multiply z by your own sigmoid(z)")


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
    raise NotImplementedError(
        "neuron.gelu: 0.5 * z * (1 + erf(z / sqrt(2))); Tensors have .erf()"
    )


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
    raise NotImplementedError(
        "neuron.step_prime: the step is flat wherever it has a slope"
    )


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
    raise NotImplementedError(
        "neuron.sigmoid_prime: s * (1 - s) with s = sigma(z), without overflow"
    )


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
    raise NotImplementedError(
        "neuron.tanh_prime: 1 - tanh(z)**2 (np.tanh is fine here)"
    )


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
    raise NotImplementedError("neuron.relu_prime: 1.0 where z > 0, else 0.0 (np.where)")


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
    raise NotImplementedError("neuron.leaky_relu_prime: 1.0 where z > 0, else alpha")


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
    raise NotImplementedError("neuron.swish_prime: the product rule on z * sigma(z)")


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
    raise NotImplementedError(
        "neuron.gelu_prime: the product rule on z * Phi(z); Phi' is the normal density"
    )


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
        raise NotImplementedError(
            "Neuron.__init__: w drawn from mt.as_rng(rng), b = 0, both with grad"
        )

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
        raise NotImplementedError(
            "Neuron.forward: check X's shape, then f(X @ self.w + self.b)"
        )

    __call__ = forward

    def parameters(self):
        """Return the trainable tensors.

        Returns
        -------
        list of Tensor
            ``[w, b]``, in this order.
        """
        raise NotImplementedError(
            "Neuron.parameters: return the weights and the bias, in this order"
        )
