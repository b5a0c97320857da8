"""The graded suite of lessons 1 and 2 gives every submission what it deserves.

The reference gets full marks, the stubs nothing, and each fixture submission
with one classic bug loses exactly the tests listed for it here, no others.
"""

import os

import pytest
from lesson_grading import (
    FIXTURES,
    ROOT,
    assert_full_marks,
    assert_loses_exactly,
    assert_nothing_implemented,
    assert_titles_exist,
)

from microtensor.grading.runner import grade

LESSON = ["neuron", "perceptron"]

#: fixture -> the titles of the graded tests its bug must fail (all others pass)
EXPECTED_FAILURES = {
    "correct_alternative": set(),
    "sigmoid_naive": {"sigmoid is stable at ±1000"},
    "sigmoid_prime_from_z": {"sigmoid_prime is sigmoid(z)(1 - sigmoid(z))"},
    "tanh_prime_no_square": {"tanh_prime is 1 - tanh(z)^2"},
    "swish_prime_wrong": {"swish_prime is s + z*s*(1 - s)"},
    "leaky_positive_slope": {
        "leaky_relu equals z or alpha*z",
        "leaky_relu back-propagates its derivative",
    },
    "neuron_no_bias": {
        "Neuron.forward equals f(X.w + b)",
        "Neuron passes gradcheck on w, b and X",
    },
    "perceptron_bias_frozen": {
        "Perceptron converges on AND, OR and NOT",
        "fit follows Rosenblatt's rule sample by sample",
        "mistakes stay within Novikoff's bound (R/gamma)^2",
        "predict answers in the caller's label coding",
    },
    "perceptron_01_labels": {
        "Perceptron converges on AND, OR and NOT",
        "fit follows Rosenblatt's rule sample by sample",
        "predict answers in the caller's label coding",
    },
    # Never counting a zero margin as a mistake, the rule never leaves w = 0:
    # it even "converges" on XOR.
    "perceptron_zero_margin_ok": {
        "Perceptron converges on AND, OR and NOT",
        "fit follows Rosenblatt's rule sample by sample",
        "mistakes stay within Novikoff's bound (R/gamma)^2",
        "fit stops at max_epochs on XOR, not converged",
        "predict answers in the caller's label coding",
    },
}


def test_reference_scores_full_marks(reference_report):
    assert_full_marks(reference_report, LESSON)


def test_stubs_score_zero_and_say_not_implemented(stub_report):
    assert_nothing_implemented(stub_report)


@pytest.mark.parametrize("fixture", sorted(EXPECTED_FAILURES))
def test_fixture_loses_exactly_what_its_bug_deserves(fixture, fixture_reports):
    assert_loses_exactly(fixture_reports[fixture], EXPECTED_FAILURES[fixture])


def test_every_fixture_folder_has_an_expectation():
    folders = {name for name in os.listdir(FIXTURES)
               if name.split("_")[0] not in ("mlp", "rnn", "hopfield")
               and os.path.isfile(os.path.join(FIXTURES, name, "neuron.py"))
               and name != "stubs_partial"}
    assert folders <= set(EXPECTED_FAILURES)


def test_expected_titles_exist(reference_report):
    assert_titles_exist(reference_report, EXPECTED_FAILURES)


def test_failure_feedback_names_the_input_and_the_error(fixture_reports):
    report = fixture_reports["sigmoid_prime_from_z"]
    (failure,) = [r for r in report.results
                  if not r.passed and r.test.lesson == "neuron"]
    assert "sigmoid_prime(z) is wrong" in failure.message
    assert "expected" in failure.message and "got" in failure.message
    assert "smallest failing input found" in failure.message


def test_calling_a_switched_off_engine_function_is_explained(tmp_path):
    source = open(os.path.join(ROOT, "solutions", "neuron.py")).read()
    source += "\n\ndef sigmoid(z):\n    return _as_tensor(z).sigmoid()\n"
    (tmp_path / "neuron.py").write_text(source)
    report = grade(str(tmp_path), ["neuron"])
    failures = {r.test.title: r.message for r in report.results if not r.passed}
    assert "sigmoid equals 1/(1+exp(-z))" in failures
    assert "switched off" in failures["sigmoid equals 1/(1+exp(-z))"]
    notes = " ".join(report.lessons[0].notes)
    assert "switched off" in notes
