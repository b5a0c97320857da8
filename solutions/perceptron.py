r"""Lesson 2, Rosenblatt's perceptron: reference solution.

The perceptron learning rule is not gradient descent: it looks at one sample at
a time and moves the separating hyperplane only when that sample is on the wrong
side of it (or on it). Plain NumPy is all it needs.
"""

import numpy as np

# Label codings the perceptron accepts, and the name fit records for each.
_CODINGS = {"0/1": (0, 1), "-1/+1": (-1, 1)}


def _check_labels(y):
    """Return (targets in {-1, +1}, coding name) for 0/1 or -1/+1 labels ``y``.

    A set of labels that fits both codings (only 1s) counts as 0/1.
    """
    found = np.unique(y)
    if y.dtype.kind in "biuf":
        for coding, (negative, positive) in _CODINGS.items():
            if np.all((found == negative) | (found == positive)):
                return np.where(y == positive, 1.0, -1.0), coding
    raise ValueError(
        f"Perceptron.fit: labels must be 0/1 or -1/+1, found {found.tolist()}"
    )


class Perceptron:
    r"""Rosenblatt's perceptron, a linear classifier trained by mistakes.

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
        if not isinstance(n_inputs, (int, np.integer)) or n_inputs < 1:
            raise ValueError(f"Perceptron: n_inputs must be >= 1, got {n_inputs!r}")
        if not lr > 0:
            raise ValueError(f"Perceptron: lr must be positive, got {lr!r}")
        if not isinstance(max_epochs, (int, np.integer)) or max_epochs < 1:
            raise ValueError(f"Perceptron: max_epochs must be >= 1, got {max_epochs!r}")
        self.n_inputs = int(n_inputs)
        self.lr = lr
        self.max_epochs = int(max_epochs)
        self.w = np.zeros(self.n_inputs)
        self.b = 0.0

    def _check_X(self, X, method):
        """Return X as a float array of shape (n, n_inputs), else raise."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(
                f"Perceptron.{method}: expected X of shape (n_samples, "
                f"{self.n_inputs}), got {X.shape}"
            )
        return X

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
        X = self._check_X(X, "fit")
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(
                f"Perceptron.fit: expected y of shape ({X.shape[0]},) to match "
                f"X of shape {X.shape}, got {y.shape}"
            )
        t, self._coding = _check_labels(y)

        self.w = np.zeros(self.n_inputs)
        self.b = 0.0
        self.errors_ = []
        self.converged_ = False
        for _ in range(self.max_epochs):
            mistakes = self._run_epoch(X, t)
            self.errors_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        self.epochs_ = len(self.errors_)
        return self

    def _run_epoch(self, X, t):
        """Make one pass over (X, t), updating w and b; return the mistakes."""
        mistakes = 0
        for x_i, t_i in zip(X, t.tolist()):  # Python floats keep b a float
            if t_i * self._score(x_i) <= 0:
                self.w = self.w + self.lr * t_i * x_i
                self.b = self.b + self.lr * t_i
                mistakes += 1
        return mistakes

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
        X = self._check_X(X, "decision_function")
        return np.array([self._score(x_i) for x_i in X], dtype=np.float64)

    def _score(self, x):
        """Return w · x + b for one sample x of shape (n_inputs,).

        fit and decision_function both score through here, so a sample that
        training left on the positive side is scored positive again, bit for bit
        (a vectorised X @ w may round differently, which matters when a margin is
        mathematically zero, as on 0/1 data with lr = 0.1).
        """
        return x @ self.w + self.b

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
        negative, positive = _CODINGS[getattr(self, "_coding", "-1/+1")]
        scores = self.decision_function(X)
        return np.where(scores > 0, positive, negative).astype(int)
