"""The shipped data: digits, iris, binarized digits and the text."""

import numpy as np
import pytest

from microtensor.datasets import (
    TEST_EVERY,
    binarized_digits,
    load_digits,
    load_iris,
    load_text,
    stratified_split,
)

# Samples per digit in the UCI test set, as its description lists them.
DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.fixture(scope="module")
def iris():
    return load_iris()


def _all_labels(data):
    y = np.empty(len(data.y_train) + len(data.y_test), dtype=np.int64)
    y[data.train_index] = data.y_train
    y[data.test_index] = data.y_test
    return y


# --- digits ------------------------------------------------------------------


def test_digits_have_1797_images_of_8x8_integer_pixels_from_0_to_16(digits):
    assert digits.images.shape == (1797, 8, 8)
    assert digits.X_train.shape[1] == 64 and digits.X_test.shape[1] == 64
    for X in (digits.X_train, digits.X_test, digits.images):
        assert X.dtype == np.float64
        assert X.min() == 0.0 and X.max() == 16.0
        np.testing.assert_array_equal(X, np.round(X))


def test_digits_have_ten_classes_with_the_documented_counts(digits):
    assert digits.target_names == tuple("0123456789")
    assert digits.y_train.dtype == np.int64 and digits.y_test.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(_all_labels(digits)), DIGIT_COUNTS)


def test_digit_rows_are_their_images_flattened(digits):
    np.testing.assert_array_equal(digits.images_train.reshape(-1, 64), digits.X_train)
    np.testing.assert_array_equal(digits.images_test.reshape(-1, 64), digits.X_test)
    assert digits.feature_names[:2] == ("pixel_0_0", "pixel_0_1")
    assert len(digits.feature_names) == 64


def test_digit_classes_differ_in_their_mean_image(digits):
    # A nearest-class-mean rule is weak but far above chance (10%) on real
    # digits; shuffled labels or scrambled pixels would fall to chance.
    means = np.stack(
        [digits.X_train[digits.y_train == k].mean(axis=0) for k in range(10)]
    )
    distances = np.linalg.norm(digits.X_test[:, None, :] - means[None], axis=2)
    accuracy = np.mean(distances.argmin(axis=1) == digits.y_test)
    assert accuracy > 0.85


# --- the split ---------------------------------------------------------------


@pytest.mark.parametrize("loader", [load_digits, load_iris], ids=["digits", "iris"])
def test_the_split_is_disjoint_complete_and_stratified(loader):
    data = loader()
    train, test = data.train_index, data.test_index
    n = len(train) + len(test)

    assert np.intersect1d(train, test).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(n))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)
    per_class = np.bincount(_all_labels(data))
    np.testing.assert_array_equal(
        np.bincount(data.y_test, minlength=len(per_class)), per_class // TEST_EVERY
    )
    assert 0.19 < len(test) / n < 0.21


@pytest.mark.parametrize("loader", [load_digits, load_iris], ids=["digits", "iris"])
def test_the_split_is_the_same_on_every_load(loader):
    first, second = loader(), loader()
    np.testing.assert_array_equal(first.test_index, second.test_index)
    np.testing.assert_array_equal(first.X_train, second.X_train)
    np.testing.assert_array_equal(first.y_test, second.y_test)


@pytest.mark.parametrize("loader", [load_digits, load_iris], ids=["digits", "iris"])
def test_a_test_row_equals_a_training_row_only_where_the_file_repeats_it(loader):
    # The split is by row, so a test sample can match a training sample by
    # value only if the source file itself holds that sample twice.
    data = loader()
    counts = {}
    for row in map(tuple, np.concatenate([data.X_train, data.X_test])):
        counts[row] = counts.get(row, 0) + 1
    train_rows = set(map(tuple, data.X_train))
    for row in map(tuple, data.X_test):
        assert row not in train_rows or counts[row] > 1


def test_the_split_rule_sends_every_fifth_of_each_class_to_test():
    y = np.array([0, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1])
    train, test = stratified_split(y)
    # Class 0 rows: 0 2 3 5 6 10 11 12 13 14 -> 5th and 10th are 6 and 14.
    # Class 1 rows: 1 4 7 8 9 15 -> 5th is 9.
    np.testing.assert_array_equal(test, [6, 9, 14])
    np.testing.assert_array_equal(train, np.setdiff1d(np.arange(16), [6, 9, 14]))


def test_the_caller_owns_the_arrays():
    first = load_digits()
    first.X_train[:] = -1.0
    assert load_digits().X_train.min() == 0.0


# --- iris --------------------------------------------------------------------


def test_iris_has_150_flowers_with_4_measurements_and_3_classes(iris):
    assert iris.X_train.shape == (120, 4) and iris.X_test.shape == (30, 4)
    assert iris.X_train.dtype == np.float64
    assert iris.target_names == ("setosa", "versicolor", "virginica")
    assert len(iris.feature_names) == 4 and "petal length (cm)" in iris.feature_names
    np.testing.assert_array_equal(np.bincount(iris.y_train), [40, 40, 40])
    np.testing.assert_array_equal(np.bincount(iris.y_test), [10, 10, 10])
    assert iris.images is None and iris.images_train is None


def test_iris_matches_fishers_published_summary(iris):
    X = np.concatenate([iris.X_train, iris.X_test])
    np.testing.assert_array_equal(X.min(axis=0), [4.3, 2.0, 1.0, 0.1])
    np.testing.assert_array_equal(X.max(axis=0), [7.9, 4.4, 6.9, 2.5])
    np.testing.assert_allclose(X.mean(axis=0), [5.843, 3.057, 3.758, 1.199], atol=1e-3)


def test_iris_setosa_is_split_from_the_others_by_petal_length(iris):
    X, y = iris.X_train, iris.y_train
    petal = X[:, iris.feature_names.index("petal length (cm)")]
    assert petal[y == 0].max() < petal[y != 0].min()


# --- binarized digits --------------------------------------------------------


def test_binarized_digits_are_the_thresholded_images(digits):
    patterns, labels = binarized_digits(threshold=8)

    assert patterns.shape == (1797, 8, 8) and patterns.dtype == np.float64
    assert set(np.unique(patterns)) == {-1.0, 1.0}
    np.testing.assert_array_equal(labels, _all_labels(digits))
    np.testing.assert_array_equal(patterns > 0, digits.images >= 8)


def test_a_higher_threshold_inks_fewer_pixels():
    low, _ = binarized_digits(threshold=4)
    high, _ = binarized_digits(threshold=12)
    assert np.all(high <= low)
    assert np.sum(high > 0) < np.sum(low > 0)


@pytest.mark.parametrize("threshold", [0, -3, 16.5])
def test_a_threshold_outside_the_pixel_range_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold"):
        binarized_digits(threshold=threshold)


# --- text --------------------------------------------------------------------


def test_the_text_is_a_few_kilobytes_of_printable_ascii():
    text = load_text()
    assert isinstance(text, str)
    assert 3_000 < len(text) < 10_000
    assert all(ch == "\n" or " " <= ch <= "~" for ch in text)
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_the_text_holds_the_three_documents():
    text = load_text()
    assert "Four score and seven years ago our fathers brought forth" in text
    assert "When in the Course of human events" in text
    assert "We the People of the United States" in text
    assert len(text.split("\n\n")) > 10
    assert len(set(text)) > 40
