"""Trusted reference formulas the suites compare submissions against.

Plain NumPy, written for numerical safety (only ``exp(-|z|)`` is ever
computed), so the expected value is right at ±1000 too. These are the
grader's own; the suites never import the reference solutions.
"""

from __future__ import annotations

import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[np.float64])
SQRT2 = math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_prime(z):
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def tanh(z):
    return np.tanh(z)


def tanh_prime(z):
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / (1.0 + e) ** 2


def relu(z):
    return np.where(z > 0, z, 0.0)


def relu_prime(z):
    return np.where(z > 0, 1.0, 0.0)


def leaky_relu(z, alpha=0.01):
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z, alpha=0.01):
    return np.where(z > 0, 1.0, alpha)


def swish(z):
    return z * sigmoid(z)


def swish_prime(z):
    s = sigmoid(z)
    return s + z * s * (1.0 - s)


def gelu(z):
    return 0.5 * z * (1.0 + _erf(z / SQRT2))


def gelu_prime(z):
    return 0.5 * (1.0 + _erf(z / SQRT2)) + z * INV_SQRT_2PI * np.exp(-0.5 * z * z)


def step(z):
    return np.where(z >= 0, 1.0, 0.0)


def step_prime(z):
    return np.zeros_like(np.asarray(z, dtype=np.float64))


ACTIVATIONS = {
    "step": (step, step_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "swish": (swish, swish_prime),
    "gelu": (gelu, gelu_prime),
}

#: where the derivative does not exist, the interval any answer may lie in
KINKS = {
    "relu": (0.0, 1.0),
    "leaky_relu": None,  # [alpha, 1], depends on alpha
    "step": (-np.inf, np.inf),
}


def perceptron_run(X, t, lr, epochs):
    """Rosenblatt's rule, the grader's own: returns w, b and mistakes per epoch.

    ``t`` holds ±1 targets; a margin of exactly 0 is a mistake.
    """
    w = np.zeros(X.shape[1])
    b = 0.0
    errors = []
    for _ in range(epochs):
        mistakes = 0
        for x, target in zip(X, t):
            if target * (x @ w + b) <= 0:
                w = w + lr * target * x
                b = b + lr * target
                mistakes += 1
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, b, errors
