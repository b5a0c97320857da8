"""The graded suite of lesson 5 gives every submission what it deserves.

The reference gets full marks, the stub nothing, and each fixture submission
with one classic bug loses exactly the tests listed for it here, no others. The
grader's own helpers (`trusted_hopfield`) are checked against brute force, so
the expected values the suite relies on are right.
"""

import itertools
import os

import numpy as np
import pytest
from lesson_grading import (
    FIXTURES,
    ROOT,
    assert_full_marks,
    assert_loses_exactly,
    assert_nothing_implemented,
)

from microtensor.grading import registry
from microtensor.grading.client import Session
from microtensor.grading.runner import grade, run_test
from microtensor.grading.suite import trusted_hopfield as T

LESSON = ["hopfield"]

ZERO_DIAGONAL = "weights are symmetric with a zero diagonal"
HEBB = "Hebb's rule stores (1/n) sum of outer products"
ADDITIVE = "storing adds to what is stored"
ZERO_FIELD = "a unit whose field is exactly 0 keeps its state"
ENERGY = "energy never increases under asynchronous updates"
TWO_UNITS = "W = [[0,-1],[-1,0]] cycles when synchronous, settles when not"
ORTHOGONAL = "mutually orthogonal patterns are fixed points"
RANDOM = "random patterns at load P <= 0.05 n are fixed points"
NOISY = "a probe with up to 10% of bits flipped recalls its pattern"
NEGATED = "the negated pattern is a fixed point too"

#: fixture -> the titles of the graded tests its bug must fail (all others pass)
EXPECTED_FAILURES = {
    "hopfield_correct_alternative": set(),
    "hopfield_diagonal_kept": {ZERO_DIAGONAL},
    # Every pattern stored by the broken Hebb rule is lost, so everything that
    # stores with it and then recalls fails; Storkey, dynamics and BAM do not.
    "hopfield_01_outer_product": {HEBB, ORTHOGONAL, RANDOM, NOISY, NEGATED},
    "hopfield_store_overwrites": {ADDITIVE},
    "hopfield_sign_zero_negative": {ZERO_FIELD},
    "hopfield_sync_for_async": {ENERGY, TWO_UNITS},
    "hopfield_sync_no_cycle_check": {TWO_UNITS},
}


def failure_message(report, title):
    (result,) = [r for r in report.results if r.test.title == title]
    assert not result.passed, title
    return result.message


@pytest.fixture(scope="module", params=sorted(EXPECTED_FAILURES))
def fixture_report(request):
    return request.param, grade(os.path.join(FIXTURES, request.param), LESSON)


# ------------------------------------------------------------------ grading


def test_reference_scores_full_marks(reference_report):
    assert_full_marks(reference_report, LESSON)
    assert len(reference_report.results) >= 15


def test_stub_scores_zero_and_says_not_implemented(stub_report):
    assert_nothing_implemented(stub_report)


def test_fixture_loses_exactly_what_its_bug_deserves(fixture_report):
    name, report = fixture_report
    assert_loses_exactly(report, EXPECTED_FAILURES[name])


def test_every_hopfield_fixture_has_an_expectation():
    folders = {name for name in os.listdir(FIXTURES) if name.startswith("hopfield_")}
    assert folders == set(EXPECTED_FAILURES)


def test_expected_titles_exist(reference_report):
    titles = {r.test.title for r in reference_report.results}
    for fixture, expected in EXPECTED_FAILURES.items():
        assert expected <= titles, fixture


def test_feedback_explains_the_bug(fixture_report):
    name, report = fixture_report
    phrases = {
        "hopfield_diagonal_kept": (ZERO_DIAGONAL, "the diagonal must be 0"),
        "hopfield_01_outer_product": (HEBB, "expected"),
        "hopfield_store_overwrites": (ADDITIVE, "two calls to store"),
        "hopfield_sign_zero_negative": (ZERO_FIELD, "keeps the unit's state"),
        "hopfield_sync_for_async": (TWO_UNITS, "all at once"),
        "hopfield_sync_no_cycle_check": (TWO_UNITS, "2-cycle"),
    }
    if name not in phrases:
        assert report.score == report.max_score
        return
    title, phrase = phrases[name]
    message = failure_message(report, title)
    assert phrase in message, message


def test_refusal_feedback_names_what_was_wrong(tmp_path):
    with open(os.path.join(ROOT, "solutions", "hopfield.py")) as file:
        source = file.read()
    source = source.replace("map them first with to_bipolar(x), which computes 2x - 1",
                            "use -1 and +1")
    assert "to_bipolar(x), which" not in source
    (tmp_path / "hopfield.py").write_text(source)
    title = "0/1 patterns are refused with a pointer to to_bipolar"
    (test,) = [t for t in registry.all_tests("hopfield") if t.title == title]
    session = Session(str(tmp_path))
    try:
        result = run_test(session, test)
    finally:
        session.close()
    assert not result.passed
    assert "should mention 'to_bipolar'" in result.message, result.message


# --------------------------------------------------------- trusted helpers


@pytest.mark.parametrize("order", [1, 2, 4, 8, 16, 32])
def test_sylvester_rows_are_orthogonal(order):
    H = T.sylvester_hadamard(order)
    assert set(np.unique(H)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(H @ H.T, order * np.eye(order))


def test_shuffled_hadamard_rows_stay_orthogonal():
    rng = np.random.default_rng(3)
    X = T.orthogonal_patterns(16, rng.permutation(16)[:7], rng.permutation(16),
                              rng.choice([-1.0, 1.0], size=7))
    np.testing.assert_array_equal(X @ X.T, 16 * np.eye(7))


def test_sylvester_refuses_other_orders():
    with pytest.raises(ValueError, match="power of two"):
        T.sylvester_hadamard(12)


def test_hebb_makes_orthogonal_patterns_eigenvectors():
    X = T.orthogonal_patterns(8, [1, 2, 5], np.arange(8), [1.0, -1.0, 1.0])
    W = T.hebb(X)
    for xi in X:
        np.testing.assert_allclose(W @ xi, (1 - 3 / 8) * xi)


def test_trusted_storkey_matches_the_expanded_formula():
    # With a zero diagonal, xi_i h_ji = xi_i h_j - w_ij and h_ij xi_j = h_i xi_j - w_ij.
    X = T.random_patterns(5, 6, 11)
    W = np.zeros((11, 11))
    for xi in X:
        h = W @ xi
        delta = (np.outer(xi, xi) - np.outer(xi, h) - np.outer(h, xi) + 2 * W) / 11
        np.fill_diagonal(delta, 0.0)
        W = W + delta
    np.testing.assert_allclose(T.storkey(X), W, atol=1e-12)


def test_storkey_of_one_pattern_is_hebb():
    xi = T.random_patterns(1, 1, 9)
    np.testing.assert_allclose(T.storkey(xi), T.hebb(xi), atol=1e-15)


def test_capacity_seeds_separate_the_rules_clearly():
    for seed in T.CAPACITY_SEEDS:
        X = T.random_patterns(seed, T.CAPACITY_P, T.CAPACITY_N)
        assert T.stable_count(T.hebb(X), X) <= 2
        assert T.stable_count(T.storkey(X), X) == T.CAPACITY_P


def async_sweep(W, s, order):
    s = s.copy()
    for i in order:
        s[i] = T.sign_keep(W[i] @ s, s[i])
    return s


def test_positive_recall_margin_brings_every_order_back():
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(40):
        X = T.random_patterns(int(rng.integers(1 << 30)), 3, 12)
        W = T.hebb(X)
        flipped = rng.choice(12, size=2, replace=False)
        if T.recall_margin(W, X[0], flipped) <= 0:
            continue
        probe = X[0].copy()
        probe[flipped] *= -1
        for _ in range(200):
            order = rng.permutation(12)
            np.testing.assert_array_equal(async_sweep(W, probe, order), X[0])
        np.testing.assert_array_equal(T.sync_sweep(W, probe), X[0])
        checked += 1
    assert checked >= 5


def test_recall_margin_is_a_lower_bound_on_every_partial_state():
    X = T.random_patterns(7, 2, 10)
    W = T.hebb(X)
    xi = X[0]
    flipped = np.array([1, 4, 6])
    bound = T.recall_margin(W, xi, flipped)
    for k in range(len(flipped) + 1):
        for subset in itertools.combinations(flipped, k):
            s = xi.copy()
            s[list(subset)] *= -1
            assert (W @ s * xi).min() >= bound - 1e-12


def test_sign_keep_keeps_the_state_at_zero():
    np.testing.assert_array_equal(
        T.sign_keep(np.array([2.0, 0.0, -1.0, 0.0]), np.array([-1.0, 1.0, 1.0, -1.0])),
        [1.0, 1.0, -1.0, -1.0],
    )


def test_unstable_units_treats_a_zero_field_as_stable():
    W = np.array([[0.0, 0.0], [0.0, 0.0]])
    assert T.unstable_units(W, np.array([1.0, -1.0])).size == 0
    W = np.array([[0.0, -1.0], [-1.0, 0.0]])
    np.testing.assert_array_equal(T.unstable_units(W, np.array([1.0, 1.0])), [0, 1])
