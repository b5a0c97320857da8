r"""Lesson 2, Rosenblatt's perceptron: your exercise.

The perceptron learning rule is not gradient descent: it looks at one sample at
a time and moves the separating hyperplane only when that sample is on the wrong
side of it (or on it). Plain NumPy is all it needs.

Each method's docstring states the rule, the shapes and what to return. Run
``microtensor grade`` to see what works and what does not yet.
"""

import numpy as np  # noqa: F401  (you will need it)


class Perceptron:
    """Rosenblatt's perceptron, a linear classifier trained by mistakes.

    Parameters
    ----------
    n_inputs : int
        Number of features of one sample, at least 1.
    lr : float, default 0.1
        Learning rate, a positive number: the size of each correction.
    max_epochs : int, default 1000
        Maximum number of passes over the training set, at least 1.

    Attributes
    ----------
    w : ndarray of float, shape (n_inputs,)
        Weights, zeros at the start.
    b : float
        Bias, 0.0 at the start.
    errors_ : list of int
        After ``fit``: the number of mistakes made in each epoch.
    converged_ : bool
        After ``fit``: True if the last epoch made no mistake.
    epochs_ : int
        After ``fit``: the number of epochs run.
    """

    def __init__(self, n_inputs, lr=0.1, max_epochs=1000):
        raise NotImplementedError(
            "Perceptron.__init__: store the settings; w = np.zeros(n_inputs), b = 0.0"
        )

    def fit(self, X, y):
        r"""Train with Rosenblatt's rule, one sample at a time in the given order.

        With targets :math:`t_i \in \{-1, +1\}` (0 is read as -1), sample
        :math:`i` is a mistake when :math:`t_i (w \cdot x_i + b) \le 0`; a margin
        of exactly zero is a mistake. Each mistake updates

        .. math:: w \leftarrow w + \eta\, t_i x_i, \qquad b \leftarrow b + \eta\, t_i

        Training starts from ``w = 0`` and ``b = 0`` and stops after the first
        epoch without a mistake (``converged_ = True``) or after ``max_epochs``
        epochs (``converged_ = False``).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_inputs)
            Training samples.
        y : array_like, shape (n_samples,)
            Labels, either all in {0, 1} or all in {-1, +1} (ints, floats or
            bools). Anything else raises ValueError naming the labels found.

        Returns
        -------
        Perceptron
            ``self``, with ``w``, ``b``, ``errors_``, ``converged_`` and
            ``epochs_`` set.
        """
        raise NotImplementedError(
            "Perceptron.fit: labels to t in {-1, +1}; update when t*(w @ x + b) <= 0"
        )

    def decision_function(self, X):
        r"""Return the signed score :math:`X \cdot w + b` of each sample.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_inputs)
            Samples.

        Returns
        -------
        ndarray of float, shape (n_samples,)
            Positive on the positive side of the hyperplane.
        """
        raise NotImplementedError(
            "Perceptron.decision_function: a matrix-vector product plus the bias"
        )

    def predict(self, X):
        """Return the predicted label of each sample, in the coding ``fit`` saw.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_inputs)
            Samples.

        Returns
        -------
        ndarray of int, shape (n_samples,)
            1 where ``decision_function(X) > 0``; elsewhere 0 if ``fit`` saw
            0/1 labels, -1 if it saw -1/+1 labels (-1 before any ``fit``).
        """
        raise NotImplementedError(
            "Perceptron.predict: threshold the scores at 0, in the coding fit saw"
        )
