"""The generated data sets: truth tables, margins, shapes and seeds."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microtensor import manual_seed
from microtensor.datasets import (
    GATE_NAMES,
    circles,
    linearly_separable,
    logic_gate,
    two_moons,
)

# The gates written independently of the library, as integer arithmetic.
GATE_ARITHMETIC = {
    "and": lambda a, b: a * b,
    "or": lambda a, b: max(a, b),
    "nand": lambda a, b: 1 - a * b,
    "nor": lambda a, b: 1 - max(a, b),
    "xor": lambda a, b: (a + b) % 2,
    "not": lambda a: 1 - a,
}

GENERATORS = {
    "linearly_separable": lambda n, rng: linearly_separable(n, rng=rng)[:2],
    "two_moons": lambda n, rng: two_moons(n, rng=rng),
    "circles": lambda n, rng: circles(n, rng=rng),
}

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


# --- logic gates -------------------------------------------------------------


def test_the_gate_names_are_the_six_asked_for():
    assert sorted(GATE_NAMES) == sorted(GATE_ARITHMETIC)


@pytest.mark.parametrize("name", sorted(GATE_ARITHMETIC))
def test_each_gate_lists_every_input_once_with_its_output(name):
    X, y = logic_gate(name)
    n_inputs = 1 if name == "not" else 2

    assert X.shape == (2**n_inputs, n_inputs)
    assert y.shape == (2**n_inputs,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    all_inputs = set(itertools.product((0.0, 1.0), repeat=n_inputs))
    assert {tuple(row) for row in X} == all_inputs
    expected = [GATE_ARITHMETIC[name](*map(int, row)) for row in X]
    np.testing.assert_array_equal(y, expected)


def test_gate_names_ignore_case():
    X_upper, y_upper = logic_gate("XOR")
    X_lower, y_lower = logic_gate("xor")
    np.testing.assert_array_equal(X_upper, X_lower)
    np.testing.assert_array_equal(y_upper, y_lower)


def test_an_unknown_gate_is_refused_with_the_valid_names():
    with pytest.raises(ValueError, match="xnor") as info:
        logic_gate("xnor")
    for name in GATE_NAMES:
        assert repr(name) in str(info.value)


def test_a_gate_name_must_be_a_string():
    with pytest.raises(TypeError, match="logic_gate"):
        logic_gate(2)


def test_xor_classes_share_a_centroid_so_no_line_separates_them():
    # If w.x + b > 0 on both positives and < 0 on both negatives, averaging
    # gives w.m + b > 0 and < 0 at the same centroid m: a contradiction.
    X, y = logic_gate("xor")
    np.testing.assert_array_equal(X[y == 1].mean(axis=0), X[y == 0].mean(axis=0))


def _labellings_made_by_lines(X):
    """Every labelling sign(X @ w + b > 0) on a fine grid of lines."""
    angles = np.deg2rad(np.arange(0.0, 360.0, 0.5))
    normals = np.column_stack([np.cos(angles), np.sin(angles)])
    offsets = np.linspace(-2.0, 2.0, 401)
    scores = (X @ normals.T)[:, :, None] + offsets[None, None, :]
    labels = (scores > 0).reshape(len(X), -1).T
    return {tuple(row.astype(int)) for row in labels}


def test_lines_make_14_of_the_16_labellings_of_the_square_but_never_xor():
    X, y_xor = logic_gate("xor")
    made = _labellings_made_by_lines(X)

    # 14 is the known count for four points in convex position, so the grid
    # is fine enough that a missing labelling is truly out of reach.
    assert len(made) == 14
    assert tuple(y_xor.astype(int)) not in made
    assert tuple((1 - y_xor).astype(int)) not in made
    for name in ("and", "or", "nand", "nor"):
        assert tuple(logic_gate(name)[1].astype(int)) in made


# --- linearly separable blobs ------------------------------------------------


@settings(deadline=None, max_examples=60)
@given(
    n=st.integers(min_value=2, max_value=300),
    dim=st.integers(min_value=1, max_value=6),
    margin=st.floats(min_value=0.0, max_value=3.0),
    seed=SEEDS,
)
def test_separable_blobs_keep_the_asked_margin(n, dim, margin, seed):
    X, y, w, b = linearly_separable(n, dim=dim, margin=margin, rng=seed)

    assert X.shape == (n, dim) and X.dtype == np.float64
    assert y.shape == (n,) and set(np.unique(y)) <= {0.0, 1.0}
    assert np.sum(y == 1.0) == n // 2
    assert np.linalg.norm(w) == pytest.approx(1.0, abs=1e-12)
    signed = (2 * y - 1) * (X @ w + b)
    assert signed.min() >= margin - 1e-9
    for label in (0.0, 1.0):
        assert signed[y == label].min() == pytest.approx(margin, abs=1e-9)


def test_separable_blobs_spread_across_the_separator():
    data = linearly_separable(2000, dim=3, margin=0.5, rng=0)
    X, w = data.X, data.w
    across = X - np.outer(X @ w, w)
    # Away from the separator the points are standard normal.
    assert 0.9 < across.std(axis=0).max() < 1.1


# --- moons and circles -------------------------------------------------------


def test_noiseless_moons_lie_on_their_half_circles():
    X, y = two_moons(500, noise=0.0, rng=3)
    upper, lower = X[y == 0.0], X[y == 1.0]

    assert len(upper) == 250 and len(lower) == 250
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0, atol=1e-12)
    assert upper[:, 1].min() >= -1e-12
    centre = np.array([1.0, 0.5])
    np.testing.assert_allclose(np.linalg.norm(lower - centre, axis=1), 1.0, atol=1e-12)
    assert lower[:, 1].max() <= 0.5 + 1e-12


def test_noiseless_circles_have_radius_one_and_factor():
    X, y = circles(401, noise=0.0, factor=0.3, rng=5)
    radius = np.linalg.norm(X, axis=1)

    assert np.sum(y == 0.0) == 201 and np.sum(y == 1.0) == 200
    np.testing.assert_allclose(radius[y == 0.0], 1.0, atol=1e-12)
    np.testing.assert_allclose(radius[y == 1.0], 0.3, atol=1e-12)


def test_circle_noise_has_the_asked_spread():
    X, y = circles(4000, noise=0.05, factor=0.5, rng=11)
    radius = np.linalg.norm(X[y == 0.0], axis=1)
    assert 0.04 < radius.std() < 0.06


@pytest.mark.parametrize("factor", [0.0, 1.0, -0.5, 2.0])
def test_circles_refuse_a_factor_outside_zero_one(factor):
    with pytest.raises(ValueError, match="factor"):
        circles(10, factor=factor)


# --- seeds and argument checks -----------------------------------------------


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_the_same_seed_gives_the_same_data(name):
    make = GENERATORS[name]
    X1, y1 = make(50, 7)
    X2, y2 = make(50, np.random.default_rng(7))
    X3, _ = make(50, 8)

    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_shapes_labels_and_dtypes(name):
    X, y = GENERATORS[name](33, 1)
    assert X.shape == (33, 2) and X.dtype == np.float64
    assert y.shape == (33,) and y.dtype == np.float64
    assert np.sum(y == 0.0) == 17 and np.sum(y == 1.0) == 16


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_no_seed_draws_fresh_data(name):
    X1, _ = GENERATORS[name](20, None)
    X2, _ = GENERATORS[name](20, None)
    assert not np.array_equal(X1, X2)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_manual_seed_makes_the_default_generator_repeat(name):
    manual_seed(123)
    X1, y1 = GENERATORS[name](20, None)
    manual_seed(123)
    X2, y2 = GENERATORS[name](20, None)
    manual_seed(np.random.SeedSequence().entropy)  # leave no fixed seed behind
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_a_bad_rng_is_refused(name):
    with pytest.raises(TypeError, match="rng"):
        GENERATORS[name](10, "seed")


@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize(("n", "error"), [(1, ValueError), (2.5, TypeError)])
def test_a_bad_count_is_refused(name, n, error):
    with pytest.raises(error, match="n"):
        GENERATORS[name](n, 0)


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: linearly_separable(10, margin=-0.1), "margin"),
        (lambda: linearly_separable(10, dim=0), "dim"),
        (lambda: two_moons(10, noise=-1.0), "noise"),
        (lambda: circles(10, noise=float("nan")), "noise"),
    ],
    ids=["negative margin", "zero dim", "negative noise", "nan noise"],
)
def test_bad_settings_are_refused_by_name(call, word):
    with pytest.raises(ValueError, match=word):
        call()
