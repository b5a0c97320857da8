"""The 5x7 letter font and the text-art helpers."""

import itertools
import string

import numpy as np
import pytest

from microtensor.datasets import (
    LETTER_SHAPE,
    letters_5x7,
    pattern_to_text,
    text_to_pattern,
)


@pytest.fixture(scope="module")
def letters():
    return letters_5x7()


def test_there_are_26_capital_letters_in_order(letters):
    assert list(letters) == list(string.ascii_uppercase)


def test_each_letter_is_a_7x5_pattern_of_plus_and_minus_one(letters):
    for letter, pattern in letters.items():
        assert pattern.shape == LETTER_SHAPE == (7, 5), letter
        assert pattern.dtype == np.float64, letter
        assert set(np.unique(pattern)) == {-1.0, 1.0}, letter


def test_letters_differ_from_each_other_in_at_least_two_pixels(letters):
    # One flipped pixel must never turn a letter into another one.
    for (a, pa), (b, pb) in itertools.combinations(letters.items(), 2):
        assert np.sum(pa != pb) >= 2, (a, b)


def test_every_letter_reaches_the_top_and_bottom_rows(letters):
    # Capitals of one height: a glyph that floats was drawn out of line.
    for letter, pattern in letters.items():
        assert pattern[0].max() == 1.0 and pattern[-1].max() == 1.0, letter


def test_letters_are_left_right_mirrored_where_the_alphabet_is(letters):
    for letter in "AHIMOTUVWXY":
        pattern = letters[letter]
        np.testing.assert_array_equal(pattern, pattern[:, ::-1], err_msg=letter)
    for letter in "BCDEFJKLNPRSZ":
        assert not np.array_equal(letters[letter], letters[letter][:, ::-1]), letter


def test_each_call_returns_new_arrays(letters):
    fresh = letters_5x7()
    fresh["A"][:] = 1.0
    assert not np.array_equal(letters_5x7()["A"], fresh["A"])


def test_text_art_round_trips(letters):
    for pattern in letters.values():
        art = pattern_to_text(pattern)
        assert len(art.splitlines()) == 7
        np.testing.assert_array_equal(text_to_pattern(art.splitlines()), pattern)


def test_text_art_draws_positive_values_as_ink():
    art = pattern_to_text(np.array([[1.0, -1.0], [0.0, 3.0]]), on="@", off=" ")
    assert art == "@ \n @"


def test_text_art_needs_a_2d_pattern():
    with pytest.raises(ValueError, match=r"shape=\(35,\)"):
        pattern_to_text(np.ones(35))


def test_ragged_text_art_is_refused():
    with pytest.raises(ValueError, match="width"):
        text_to_pattern(["#.#", "##"])
