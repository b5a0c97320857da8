"""Real data shipped inside the package: digits, iris and a short text.

The files live in ``microtensor/datasets/data/``; their sources, licences and
citations are in the README there. Each loader reads its file afresh, so the
arrays it returns belong to the caller.

**The train/test split.** Both labelled sets use the same fixed, stratified
rule, with no random numbers involved: within each class, taking the samples
in file order, every fifth one (the 5th, 10th, 15th, ...) goes to the test set
and the rest to the training set. That puts ``n_c // 5`` of a class of ``n_c``
samples in the test set, about 20%, and gives the same split on every machine
and NumPy version. Both sets keep file order, so shuffle the training set
before taking mini-batches (iris is sorted by class).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np

__all__ = [
    "TEST_EVERY",
    "Dataset",
    "binarized_digits",
    "load_digits",
    "load_iris",
    "load_text",
    "stratified_split",
]

TEST_EVERY = 5

_IRIS_FEATURES = (
    "sepal length (cm)",
    "sepal width (cm)",
    "petal length (cm)",
    "petal width (cm)",
)
_IRIS_CLASSES = ("setosa", "versicolor", "virginica")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A labelled data set with its fixed train/test split.

    Attributes
    ----------
    X_train : ndarray, shape (n_train, n_features), float64
    y_train : ndarray, shape (n_train,), int64
        Class indices into ``target_names``.
    X_test : ndarray, shape (n_test, n_features), float64
    y_test : ndarray, shape (n_test,), int64
    target_names : tuple of str, length n_classes
    feature_names : tuple of str, length n_features
    train_index, test_index : ndarray of int64
        Rows of the source file that went to each set, ascending; together
        they cover every row once.
    images : ndarray, shape (n_samples, 8, 8), float64, or None
        For digits, every image in file order (``images[train_index]`` are the
        training images); None for data that are not images.
    description : str
        One paragraph on what the data are; the README in ``data/`` cites them.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    target_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    train_index: np.ndarray
    test_index: np.ndarray
    images: np.ndarray | None = None
    description: str = ""

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.target_names)

    @property
    def images_train(self) -> np.ndarray | None:
        """Training images, shape (n_train, 8, 8), or None."""
        return None if self.images is None else self.images[self.train_index]

    @property
    def images_test(self) -> np.ndarray | None:
        """Test images, shape (n_test, 8, 8), or None."""
        return None if self.images is None else self.images[self.test_index]

    def __repr__(self) -> str:
        return (
            f"Dataset(n_train={len(self.y_train)}, n_test={len(self.y_test)}, "
            f"n_features={len(self.feature_names)}, n_classes={self.n_classes})"
        )


def stratified_split(y, test_every: int = TEST_EVERY):
    """Split sample indices per class, every ``test_every``-th one to test.

    Parameters
    ----------
    y : array_like, shape (n,)
        Class labels, in file order.
    test_every : int, default 5
        Within each class, samples number ``test_every``, ``2 * test_every``,
        ... (counting from 1 in file order) go to the test set.

    Returns
    -------
    train_index, test_index : ndarray of int64
        Ascending row indices; disjoint, and together ``0 .. n - 1``.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"stratified_split: y must be 1-D, got y.shape={y.shape}")
    if int(test_every) < 2:
        raise ValueError(
            f"stratified_split: test_every must be at least 2, got {test_every}"
        )
    is_test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        is_test[rows[test_every - 1 :: test_every]] = True
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def _data_file(name: str):
    return resources.files(__package__).joinpath("data").joinpath(name)


def _load_npz(name: str, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    with (
        _data_file(name).open("rb") as handle,
        np.load(handle, allow_pickle=False) as archive,
    ):
        missing = [key for key in keys if key not in archive.files]
        if missing:
            raise OSError(
                f"datasets: {name} lacks arrays {missing} "
                f"(has {archive.files}); the package data is damaged"
            )
        return {key: archive[key] for key in keys}


def _make_dataset(X, y, target_names, feature_names, **extra) -> Dataset:
    train_index, test_index = stratified_split(y)
    return Dataset(
        X_train=X[train_index],
        y_train=y[train_index],
        X_test=X[test_index],
        y_test=y[test_index],
        target_names=tuple(target_names),
        feature_names=tuple(feature_names),
        train_index=train_index,
        test_index=test_index,
        **extra,
    )


def _digit_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All digit images as float64 (1797, 8, 8) and labels as int64 (1797,)."""
    arrays = _load_npz("digits.npz", ("pixels", "target"))
    images = arrays["pixels"].astype(np.float64).reshape(-1, 8, 8)
    return images, arrays["target"].astype(np.int64)


def load_digits() -> Dataset:
    """Load the UCI handwritten digits: 1,797 images of 8x8 pixels.

    Each pixel counts the inked pixels of a 4x4 block of a 32x32 scan, so its
    value is an integer from 0 to 16 (kept as float64; divide by 16 to get
    values in [0, 1]). Source: Alpaydin and Kaynak (1998), UCI Machine
    Learning Repository, CC BY 4.0; see ``data/README.md``.

    Returns
    -------
    Dataset
        ``X_train`` shape (1442, 64), ``X_test`` shape (355, 64), pixels in
        row-major order; labels 0..9 with ``target_names`` ``"0"`` to ``"9"``;
        ``images`` shape (1797, 8, 8). The split is the fixed stratified one
        described in this module.

    Examples
    --------
    >>> digits = load_digits()
    >>> digits.X_train.shape, digits.X_test.shape
    ((1442, 64), (355, 64))
    """
    images, target = _digit_arrays()
    X = images.reshape(len(images), 64)
    features = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    return _make_dataset(
        X,
        target,
        target_names=[str(d) for d in range(10)],
        feature_names=features,
        images=images,
        description=(
            "Optical recognition of handwritten digits (UCI): 8x8 images, pixel "
            "values 0..16, 10 classes, written by 13 people; the UCI test set."
        ),
    )


def load_iris() -> Dataset:
    """Load Fisher's iris: 150 flowers, 4 measurements in cm, 3 species.

    Source: Fisher (1936), via the UCI Machine Learning Repository, CC BY 4.0;
    this copy has the two corrections to the UCI file that restore Fisher's
    published values. See ``data/README.md``.

    Returns
    -------
    Dataset
        ``X_train`` shape (120, 4), ``X_test`` shape (30, 4), float64;
        labels 0, 1, 2 for ``target_names`` ``("setosa", "versicolor",
        "virginica")``, 40 of each in training and 10 of each in test;
        ``images`` is None.
    """
    arrays = _load_npz("iris.npz", ("measurements", "target"))
    return _make_dataset(
        arrays["measurements"].astype(np.float64),
        arrays["target"].astype(np.int64),
        target_names=_IRIS_CLASSES,
        feature_names=_IRIS_FEATURES,
        description=(
            "Fisher's iris: sepal and petal length and width of 50 flowers of "
            "each of three species. Setosa is linearly separable from the "
            "other two; versicolor and virginica are not from each other."
        ),
    )


def binarized_digits(threshold: float = 8) -> tuple[np.ndarray, np.ndarray]:
    """The digits' 8x8 images as +-1 patterns, for associative memories.

    Parameters
    ----------
    threshold : float, default 8
        A pixel whose value (0..16) is at least ``threshold`` becomes +1, any
        other -1. Must lie in (0, 16].

    Returns
    -------
    patterns : ndarray, shape (1797, 8, 8), float64
        +1.0 and -1.0 only, every image in file order.
    labels : ndarray, shape (1797,), int64
        The digit each pattern shows.
    """
    threshold = float(threshold)
    if not 0.0 < threshold <= 16.0:
        raise ValueError(
            "binarized_digits: threshold must lie in (0, 16] (pixels run from 0 "
            f"to 16), got threshold={threshold}"
        )
    images, target = _digit_arrays()
    patterns = np.where(images >= threshold, 1.0, -1.0)
    return patterns, target


def load_text() -> str:
    """Return a short public-domain English text (about 5 KB of ASCII).

    Lincoln's Gettysburg Address (the Bliss copy, 1864), the opening of the
    US Declaration of Independence (1776) up to its first five grievances,
    and the preamble of the US Constitution (1787). All are in the public
    domain; see ``data/README.md``. Paragraphs are separated by blank lines
    and the text ends with a newline.

    Returns
    -------
    str
        The whole text.
    """
    return _data_file("text.txt").read_text(encoding="ascii")
