"""Graded properties of lesson 2, Rosenblatt's perceptron (``perceptron.py``).

The grader runs its own copy of the rule (`references.perceptron_run`) on
inputs where every product is exact in floating point, so a correct
submission written any other way produces the very same weights.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from microtensor.grading.checks import array_value, assert_close, fail, scalar_value
from microtensor.grading.client import SubmissionError
from microtensor.grading.registry import examples, graded
from microtensor.grading.suite import references as ref
from microtensor.grading.suite.strategies import seeds

GATES = {
    "AND": (np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), np.array([0, 0, 0, 1])),
    "OR": (np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), np.array([0, 1, 1, 1])),
    "NOT": (np.array([[0], [1]], float), np.array([1, 0])),
}
XOR = (np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), np.array([0, 1, 1, 0]))
CODINGS = {"0/1": (0, 1), "-1/+1": (-1, 1)}


def recode(y01: np.ndarray, coding: str) -> np.ndarray:
    negative, positive = CODINGS[coding]
    return np.where(y01 == 1, positive, negative)


def fit(perceptron, n_inputs, X, y, **options):
    model = perceptron.new("Perceptron", n_inputs, **options)
    perceptron.method(model, "fit", X, y)
    return model


def learned_state(perceptron, model, n_inputs):
    w = array_value(perceptron.get(model, "w"), "Perceptron.w", shape=(n_inputs,))
    b = scalar_value(perceptron.get(model, "b"), "Perceptron.b")
    errors = array_value(perceptron.get(model, "errors_"), "Perceptron.errors_")
    converged = perceptron.get(model, "converged_")
    epochs = perceptron.get(model, "epochs_")
    if type(converged) is not bool:
        fail(f"Perceptron.converged_ is {converged!r}; expected True or False")
    if type(epochs) is not int:
        fail(f"Perceptron.epochs_ is {epochs!r}; expected an int")
    if errors.ndim != 1 or len(errors) != epochs:
        fail(f"Perceptron.errors_ has {errors.size} entries but epochs_ is {epochs}; "
             "expected one count of mistakes per epoch")
    return w, b, errors, converged, epochs


def check_predictions(perceptron, model, X, y, what):
    got = array_value(perceptron.method(model, "predict", X), f"predict(X) on {what}",
                      shape=y.shape)
    if not np.array_equal(got, y.astype(float)):
        wrong = int(np.argmax(got != y))
        fail(f"predict(X) on {what} answers {got[wrong]:g} for sample {wrong} "
             f"(x = {X[wrong].tolist()}); its label is {y[wrong]}. predict must "
             "answer in the labels given to fit")


@graded(points=1, title="Perceptron starts with zero weights and bias")
@given(n=st.integers(1, 8))
@examples(5)
def test_starts_at_zero(perceptron, n):
    """Perceptron(n) has w = zeros(n) and b = 0 before fit."""
    model = perceptron.new("Perceptron", n)
    w = array_value(perceptron.get(model, "w"), "Perceptron.w", shape=(n,))
    b = scalar_value(perceptron.get(model, "b"), "Perceptron.b")
    if w.any() or b != 0:
        fail(f"a new Perceptron has w = {w.tolist()} and b = {b}; both must start at 0")


@graded(points=2, title="Perceptron converges on AND, OR and NOT")
def test_converges_on_logic_gates(perceptron):
    """fit converges (converged_ True, no mistake in the last epoch) on AND, OR and NOT
    with 0/1 labels and the default lr."""
    for name, (X, y) in GATES.items():
        model = fit(perceptron, X.shape[1], X, y, max_epochs=100)
        w, b, errors, converged, epochs = learned_state(perceptron, model, X.shape[1])
        if not converged or errors[-1] != 0:
            fail(f"on {name} the perceptron did not converge in 100 epochs "
                 f"(mistakes per epoch: {errors.astype(int).tolist()[:12]}, "
                 f"w = {w.tolist()}, b = {b:g})")
        check_predictions(perceptron, model, X, y, name)


@st.composite
def exact_problems(draw):
    """Small integer inputs and a power-of-two learning rate: all arithmetic is exact."""
    n = draw(st.integers(1, 4), label="n_inputs")
    m = draw(st.integers(1, 8), label="samples")
    X = np.array(draw(st.lists(st.lists(st.integers(-3, 3), min_size=n, max_size=n),
                               min_size=m, max_size=m), label="X"), dtype=float)
    t = np.array(draw(st.lists(st.sampled_from((-1, 1)), min_size=m, max_size=m),
                      label="labels"))
    coding = draw(st.sampled_from(tuple(CODINGS)), label="coding")
    lr = draw(st.sampled_from((1.0, 0.5, 0.25, 2.0)), label="lr")
    epochs = draw(st.integers(1, 4), label="max_epochs")
    return X, t, coding, lr, epochs


@graded(points=2, title="fit follows Rosenblatt's rule sample by sample")
@given(problem=exact_problems())
@examples(40)
def test_follows_the_rule(perceptron, problem):
    """After fit with max_epochs=k, w, b and errors_ equal those of the rule: one sample
    at a time, in order, update w += lr·t·x and b += lr·t when t·(w·x + b) <= 0."""
    X, t, coding, lr, epochs = problem
    y = recode((t == 1).astype(int), coding)
    model = fit(perceptron, X.shape[1], X, y, lr=lr, max_epochs=epochs)
    w, b, errors, converged, run = learned_state(perceptron, model, X.shape[1])
    want_w, want_b, want_errors = ref.perceptron_run(X, t, lr, epochs)
    context = f"(labels {coding}: X = {X.tolist()}, y = {y.tolist()}, lr = {lr:g})"
    if errors.astype(int).tolist() != want_errors:
        fail(f"errors_ is {errors.astype(int).tolist()}; the rule makes "
             f"{want_errors} mistakes per epoch {context}")
    assert_close(w, want_w, f"w after fit {context}", None, rtol=0, atol=1e-12)
    assert_close(b, want_b, f"b after fit {context}", None, rtol=0, atol=1e-12)
    if converged != (want_errors[-1] == 0):
        fail(f"converged_ is {converged} although the last epoch made "
             f"{want_errors[-1]} mistakes {context}")


@st.composite
def separable_problems(draw):
    """Points in [-1, 1]^d at least gamma from a drawn hyperplane, labelled ±1."""
    d = draw(st.integers(2, 4), label="dim")
    normal = np.array(draw(st.lists(st.floats(-1, 1), min_size=d + 1, max_size=d + 1),
                           label="separator (w*, b*)"))
    assume(np.linalg.norm(normal[:d]) > 0.2)
    gamma = draw(st.sampled_from((0.05, 0.1, 0.2)), label="margin")
    seed = draw(seeds(), label="seed")
    lr = draw(st.sampled_from((1.0, 0.1, 0.37)), label="lr")
    u = normal / np.linalg.norm(normal)
    X = np.random.default_rng(seed).uniform(-1, 1, size=(60, d))
    margins = np.hstack([X, np.ones((len(X), 1))]) @ u
    keep = np.abs(margins) >= gamma
    X, t = X[keep], np.where(margins[keep] > 0, 1, -1)
    assume(len(X) >= 4 and len(np.unique(t)) == 2)
    return X, t, gamma, lr


@graded(points=2, title="mistakes stay within Novikoff's bound (R/gamma)^2")
@given(problem=separable_problems())
@examples(15)
def test_novikoff_bound(perceptron, problem):
    """On random linearly separable data (Hypothesis draws the separator and the margin
    γ), fit converges and makes at most (R/γ)² mistakes in all, R = max ‖(x, 1)‖."""
    X, t, gamma, lr = problem
    R = np.sqrt((X**2).sum(axis=1) + 1).max()
    bound = (R / gamma) ** 2
    # The rule needs as many epochs as the grader's own run of it; twice that
    # leaves room for rounding in a differently written, correct submission
    # while keeping a learner that never converges cheap to grade.
    needed = len(ref.perceptron_run(X, t, lr, int(bound) + 2)[2])
    model = fit(perceptron, X.shape[1], X, t, lr=lr, max_epochs=2 * needed + 10)
    w, b, errors, converged, epochs = learned_state(perceptron, model, X.shape[1])
    total = int(errors.sum())
    if not converged:
        fail(f"fit did not converge in {epochs} epochs on separable data with margin "
             f"{gamma:g} (lr = {lr:g}, {len(X)} points, total mistakes {total})")
    if total > bound:
        fail(f"fit made {total} mistakes; Novikoff's theorem allows at most "
             f"(R/γ)² = ({R:.3g}/{gamma:g})² = {bound:.1f}")
    check_predictions(perceptron, model, X, t, "the separable training data")


@graded(points=1, title="fit stops at max_epochs on XOR, not converged")
@given(epochs=st.integers(3, 40), coding=st.sampled_from(tuple(CODINGS)))
@examples(6)
def test_stops_on_xor(perceptron, epochs, coding):
    """XOR is not linearly separable: fit runs exactly max_epochs epochs, each with a
    mistake, and ends with converged_ False."""
    X, y01 = XOR
    y = recode(y01, coding)
    model = fit(perceptron, 2, X, y, max_epochs=epochs)
    w, b, errors, converged, run = learned_state(perceptron, model, 2)
    if converged:
        fail("on XOR, converged_ is True; XOR is not linearly separable")
    if run != epochs:
        fail(f"on XOR with max_epochs={epochs}, epochs_ is {run}")
    if (errors == 0).any():
        fail(f"on XOR errors_ contains an epoch without mistakes: {errors.tolist()}")


@graded(points=2, title="predict answers in the caller's label coding")
@given(gate=st.sampled_from(("AND", "OR")), coding=st.sampled_from(tuple(CODINGS)))
@examples(8)
def test_predict_keeps_the_coding(perceptron, gate, coding):
    """After fit converges, predict(X) reproduces the training labels exactly, in the
    coding fit was given (0/1 or -1/+1)."""
    X, y01 = GATES[gate]
    y = recode(y01, coding)
    model = fit(perceptron, 2, X, y, max_epochs=100)
    check_predictions(perceptron, model, X, y, f"{gate} with {coding} labels")


@graded(points=1, title="fit refuses labels other than 0/1 or -1/+1")
@given(labels=st.sampled_from(([0, 2], [1, 2], [-1, 0, 1], [0.5, 1], [3, 4])))
@examples(5)
def test_rejects_bad_labels(perceptron, labels):
    """fit raises ValueError, naming the labels it found, for labels such as {1, 2}."""
    y = np.resize(np.array(labels), 6)
    X = np.arange(12, dtype=float).reshape(6, 2)
    try:
        fit(perceptron, 2, X, y)
    except SubmissionError as exc:
        if exc.kind != "ValueError":
            fail(f"fit raised {exc.kind} for labels {sorted(set(labels))}; expected "
                 "ValueError")
        odd = [v for v in labels if v not in (0, 1, -1)] or labels
        if not any(f"{v:g}" in exc.message for v in odd):
            fail(f"fit's error message {exc.message!r} does not name the labels it "
                 f"found (such as {odd[0]:g})")
        return
    fail(f"fit accepted the labels {sorted(set(labels))}; it must raise ValueError")
