"""Graded properties of lesson 5, associative memory (``hopfield.py``).

Expected values come from the grader's own formulas (`trusted_hopfield`) and
from properties of the dynamics: symmetry, additivity, fixed points, energy.
Wherever a property is about the update rule, the grader sets the weights
itself (any symmetric matrix with a zero diagonal), so a storage bug is
charged to the storage tests and an update bug to the update tests.

``weights`` may be a NumPy array or a microtensor Tensor: the grader reads it
as an array and writes it back in the type it found. Where the asynchronous
order matters, the grader accepts every order: recall cases are drawn so that
any order provably ends at the stored pattern (`trusted_hopfield.recall_margin`).
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from microtensor.grading.checks import (
    array_value,
    assert_close,
    describe_type,
    fail,
    scalar_value,
    short,
)
from microtensor.grading.client import SubmissionError
from microtensor.grading.protocol import TensorArg, TensorRef
from microtensor.grading.registry import examples, graded
from microtensor.grading.suite import trusted_hopfield as T

ERRORS = ("ValueError", "ShapeError")
SIGNS = (-1.0, 1.0)
TOL = {"rtol": 1e-9, "atol": 1e-12}
MAX_SWEEPS = 100


def seeds():
    """Seeds of the random arrays and of the asynchronous order. A small range
    is plenty of variety here, and a failing case shrinks in a few steps."""
    return st.integers(0, 255)


# ------------------------------------------------------------- talking to it


def new_net(hopfield, n):
    return hopfield.new("Hopfield", n)


def weights_of(hopfield, net, n):
    return array_value(hopfield.get(net, "weights"), "Hopfield.weights", shape=(n, n))


def set_weights(hopfield, net, W):
    """Set ``weights`` to W, as a Tensor if the submission keeps a Tensor there."""
    current = hopfield.get(net, "weights")
    hopfield.set(net, "weights", TensorArg(W) if isinstance(current, TensorRef) else W)


def net_with_weights(hopfield, W):
    net = new_net(hopfield, W.shape[0])
    set_weights(hopfield, net, W)
    return net


def store(hopfield, net, patterns, rule):
    hopfield.method(net, "store", patterns, rule=rule)


def state_value(value, what, n):
    """A state of shape (n,) holding only -1 and +1."""
    s = array_value(value, what, shape=(n,))
    odd = s[(s != 1.0) & (s != -1.0)]
    if odd.size:
        hint = ""
        if (odd == 0).any():
            hint = (" (np.sign gives 0 for a field of 0; such a unit keeps its "
                    "state instead)")
        fail(f"{what} holds {short(float(odd[0]))}; a state is -1 and +1 only{hint}")
    return s


def update(hopfield, net, s, mode, rng=None):
    n = len(s)
    out = hopfield.method(net, "update", s, mode=mode, rng=rng)
    return state_value(out, f"update(s, mode={mode!r})", n)


def recall(hopfield, net, probe, mode, rng=None, max_sweeps=MAX_SWEEPS):
    """Run recall and check the shape of its answer: (state, converged, energies)."""
    what = f"recall(probe, mode={mode!r}, max_sweeps={max_sweeps})"
    result = hopfield.method(net, "recall", probe, mode=mode, max_sweeps=max_sweeps,
                             rng=rng)
    if type(result) not in (tuple, list) or len(result) != 3:
        fail(f"{what} returned {describe_type(result)}; expected the tuple "
             "(state, converged, energies)")
    state = state_value(result[0], f"the state from {what}", len(probe))
    converged = result[1]
    if type(converged) is not bool:
        fail(f"{what}: converged is {converged!r}; expected True or False")
    energies = array_value(result[2], f"the energies from {what}")
    if energies.ndim != 1 or not 1 <= energies.size <= max_sweeps + 1:
        fail(f"{what}: energies has shape {energies.shape}; expected one energy "
             f"per sweep run (between 1 and {max_sweeps})")
    return state, converged, energies


def differ(got, want):
    """A readable summary of where two states differ."""
    wrong = np.flatnonzero(got != want)
    return f"{wrong.size} of {len(want)} units differ (units {wrong[:8].tolist()})"


# --------------------------------------------------------------- strategies


@st.composite
def pattern_sets(draw, max_n=16, max_p=6):
    """P random ±1 patterns of length n, shape (P, n).

    Random arrays here and below come from a drawn seed rather than element by
    element: a failing case then shrinks in a few steps (n and P first), which
    keeps a buggy submission cheap to grade.
    """
    n = draw(st.integers(1, max_n), label="n")
    p = draw(st.integers(1, max_p), label="P")
    return T.random_patterns(draw(seeds(), label="seed"), p, n)


@st.composite
def symmetric_weights(draw, min_n=2, max_n=10, integer=None):
    """A symmetric (n, n) matrix with a zero diagonal: floats in [-1, 1] or
    small integers (which make fields of exactly 0 common)."""
    n = draw(st.integers(min_n, max_n), label="n")
    if integer is None:
        integer = draw(st.booleans(), label="integer weights")
    rng = np.random.default_rng(draw(seeds(), label="seed"))
    size = n * (n - 1) // 2
    upper = rng.integers(-2, 3, size=size) if integer else rng.uniform(-1, 1, size)
    W = np.zeros((n, n))
    W[np.triu_indices(n, 1)] = upper
    return W + W.T


@st.composite
def orthogonal_sets(draw, orders=(4, 8, 16, 32), count=None):
    """Mutually orthogonal ±1 patterns: distinct rows of a Sylvester Hadamard
    matrix, columns permuted and each row's sign flipped at random (from a drawn
    seed, which shrinks fast); P < n unless ``count`` is given."""
    order = draw(st.sampled_from(orders), label="n")
    if count is None:
        count = draw(st.integers(1, order - 1), label="P")
    rng = np.random.default_rng(draw(seeds(), label="shuffle seed"))
    rows = rng.permutation(order)[:count]
    signs = rng.choice(SIGNS, size=count)
    return T.orthogonal_patterns(order, rows, rng.permutation(order), signs)


@st.composite
def low_load(draw, sizes=(40, 60, 80, 100)):
    """(n, P, seed): n even, P odd and at most 0.05 n, so that no Hebb field is
    ever exactly 0 (the zero-field rule has its own test)."""
    n = draw(st.sampled_from(sizes), label="n")
    p = draw(st.sampled_from([p for p in (1, 3, 5) if p <= 0.05 * n]), label="P")
    return n, p, draw(seeds(), label="seed")


def trusted_weights(patterns, rule):
    return T.hebb(patterns) if rule == "hebb" else T.storkey(patterns)


# ------------------------------------------------------------- bipolar input


@graded(points=1, title="to_bipolar maps 0/1 to -1/+1")
@given(x=hnp.arrays(st.sampled_from((np.int64, np.float64, np.bool_)),
                    hnp.array_shapes(min_dims=1, max_dims=2, max_side=6),
                    elements=st.integers(0, 1)))
@examples(15)
def test_to_bipolar(hopfield, x):
    """to_bipolar(x) equals 2x - 1 for 0/1 arrays of any shape: ints, floats or
    bools."""
    got = array_value(hopfield.call("to_bipolar", x), "to_bipolar(x)", shape=x.shape)
    assert_close(got, 2.0 * x.astype(np.float64) - 1.0, "to_bipolar(x)", {"x": x},
                 rtol=0, atol=0)


def expect_refusal(call, arg, what, must_mention, why):
    """``call(arg)`` must raise ValueError with one of ``must_mention`` in its
    message."""
    try:
        call(arg)
    except SubmissionError as exc:
        if exc.kind not in ERRORS:
            fail(f"{what} raised {exc.kind}; expected ValueError ({why})")
        if not any(word in exc.message for word in must_mention):
            fail(f"{what} raised ValueError({exc.message!r}); the message should "
                 f"mention {must_mention[0]!r} ({why})")
        return
    fail(f"{what} was accepted; it must raise ValueError ({why})")


@graded(points=1, title="0/1 patterns are refused with a pointer to to_bipolar")
@given(n=st.integers(1, 12), count=st.integers(1, 3), seed=seeds())
@examples(10)
def test_refuses_01_patterns(hopfield, n, count, seed):
    """store and recall raise ValueError for 0/1 patterns (at least one 0), with a
    message that names to_bipolar, the helper that maps them to ±1."""
    bits = np.random.default_rng(seed).integers(0, 2, size=(count, n)).astype(float)
    bits[0, 0] = 0.0
    net = new_net(hopfield, n)
    why = "0/1 patterns must be mapped to ±1 first"
    expect_refusal(lambda x: store(hopfield, net, x, "hebb"), bits,
                   "store(0/1 patterns)", ("to_bipolar",), why)
    expect_refusal(lambda x: hopfield.method(net, "recall", x, rng=0), bits[0],
                   "recall(0/1 probe)", ("to_bipolar",), why)


BAD_VALUES = (0.5, 2.0, -3.0, 0.0)


@graded(points=1, title="input that is not ±1 of length n is refused")
@given(n=st.integers(2, 12), value=st.sampled_from(BAD_VALUES),
       place=st.integers(0, 11), longer=st.booleans(), seed=seeds())
@examples(8)
def test_refuses_bad_input(hopfield, n, value, place, longer, seed):
    """store, update, recall and energy raise ValueError for a pattern of the
    wrong length (naming n) and for an entry other than -1 and +1 (naming it)."""
    good = T.random_patterns(seed, 1, n)[0]
    good[0] = -1.0
    bad = good.copy()
    bad[1 + place % (n - 1)] = value
    wrong_length = T.random_patterns(seed, 1, n + 1 if longer else n - 1)[0]
    net = new_net(hopfield, n)
    calls = {
        "store": lambda s: store(hopfield, net, s, "hebb"),
        "update": lambda s: hopfield.method(net, "update", s, mode="sync"),
        "recall": lambda s: hopfield.method(net, "recall", s, mode="sync"),
        "energy": lambda s: hopfield.method(net, "energy", s),
    }
    for name, call in calls.items():
        expect_refusal(call, wrong_length, f"{name}(pattern of length "
                       f"{len(wrong_length)}) on Hopfield({n})", (str(n),),
                       f"the network has n={n} units")
        expect_refusal(call, bad, f"{name}(pattern holding {value:g})",
                       (f"{value:g}", f"{value!r}"), "name the value found")


# ------------------------------------------------------------------ storing


@graded(points=2, title="Hebb's rule stores (1/n) sum of outer products")
@given(patterns=pattern_sets(), one=st.booleans())
@examples(15)
def test_hebb_weights(hopfield, patterns, one):
    """After store(patterns) (rule "hebb", the default) on a new Hopfield(n), every
    off-diagonal weight is w_ij = (1/n) Σ_μ ξ_i^μ ξ_j^μ; one pattern of shape (n,)
    or P patterns of shape (P, n)."""
    n = patterns.shape[1]
    given_patterns = patterns[0] if one else patterns
    net = new_net(hopfield, n)
    hopfield.method(net, "store", given_patterns)
    W = weights_of(hopfield, net, n)
    off = ~np.eye(n, dtype=bool)
    expected = T.hebb(np.atleast_2d(given_patterns))
    assert_close(np.where(off, W, 0.0), expected,
                 "the off-diagonal weights after store", {"patterns": given_patterns},
                 **TOL)


@graded(points=1, title="weights are symmetric with a zero diagonal")
@given(patterns=pattern_sets(), rule=st.sampled_from(("hebb", "storkey")))
@examples(15)
def test_weights_symmetric_zero_diagonal(hopfield, patterns, rule):
    """After store(patterns, rule) with either rule, W = Wᵀ and every w_ii = 0: no
    unit feeds back on itself."""
    n = patterns.shape[1]
    net = new_net(hopfield, n)
    store(hopfield, net, patterns, rule)
    W = weights_of(hopfield, net, n)
    scale = max(1.0, float(np.abs(W).max()))
    diagonal = np.diag(W)
    if np.abs(diagonal).max() > 1e-12 * scale:
        i = int(np.argmax(np.abs(diagonal)))
        fail(f"after store with rule {rule!r}, w[{i}, {i}] = {diagonal[i]:.6g}; the "
             f"diagonal must be 0 (set it to 0 after adding the outer products; "
             f"the Hebb sum gives P/n = {len(patterns)}/{n} there)")
    assert_close(W, W.T, f"W against its transpose after store with rule {rule!r}",
                 None, rtol=0, atol=1e-12 * scale)


@graded(points=2, title="storing adds to what is stored")
@given(first=pattern_sets(max_n=12, max_p=3), more=st.integers(1, 3),
       rule=st.sampled_from(("hebb", "storkey")), seed=seeds())
@examples(15)
def test_store_is_additive(hopfield, first, more, rule, seed):
    """store(p1) then store(p2) gives the same weights as store(p1 followed by p2)
    at once, for Hebb's rule and for Storkey's (which takes patterns in order)."""
    n = first.shape[1]
    second = T.random_patterns(seed, more, n)
    twice, once = new_net(hopfield, n), new_net(hopfield, n)
    store(hopfield, twice, first, rule)
    store(hopfield, twice, second, rule)
    store(hopfield, once, np.vstack([first, second]), rule)
    W_twice, W_once = weights_of(hopfield, twice, n), weights_of(hopfield, once, n)
    assert_close(W_twice, W_once, f"the weights after two calls to store (rule "
                 f"{rule!r}), against one call with all the patterns",
                 {"p1": first, "p2": second}, rtol=1e-9, atol=1e-12)


@graded(points=1, title="Storkey's rule follows its formula pattern by pattern")
@given(patterns=pattern_sets(max_n=12, max_p=5))
@examples(15)
def test_storkey_weights(hopfield, patterns):
    """store(patterns, rule="storkey") on a new network adds, pattern by pattern,
    Δw_ij = (1/n)(ξ_i ξ_j - ξ_i h_ji - h_ij ξ_j) with h_ij = Σ_(k≠i,j) w_ik ξ_k
    from the weights before that pattern, and keeps the diagonal 0."""
    n = patterns.shape[1]
    net = new_net(hopfield, n)
    store(hopfield, net, patterns, "storkey")
    W = weights_of(hopfield, net, n)
    assert_close(W, T.storkey(patterns), "the weights after Storkey's rule",
                 {"patterns": patterns}, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- dynamics


@graded(points=1, title="energy(s) equals -1/2 s^T W s")
@given(W=symmetric_weights(integer=False), seed=seeds())
@examples(15)
def test_energy_value(hopfield, W, seed):
    """energy(s) equals -½ sᵀWs for weights set by the grader and any state s."""
    s = T.random_patterns(seed, 1, len(W))[0]
    net = net_with_weights(hopfield, W)
    got = scalar_value(hopfield.method(net, "energy", s), "energy(s)")
    assert_close(got, T.energy(W, s), "energy(s)", {"s": s}, rtol=1e-9, atol=1e-12)


@graded(points=1, title="a synchronous sweep moves every unit from the old state")
@given(W=symmetric_weights(integer=False), seed=seeds())
@examples(15)
def test_sync_sweep(hopfield, W, seed):
    """update(s, mode="sync") equals sgn(W s): every unit takes the sign of its
    field computed from the same old state (fields here are never 0)."""
    s = T.random_patterns(seed, 1, len(W))[0]
    assume(np.abs(W @ s).min() > 1e-9)
    net = net_with_weights(hopfield, W)
    got = update(hopfield, net, s, "sync")
    want = T.sync_sweep(W, s)
    if not np.array_equal(got, want):
        fail(f"update(s, mode='sync') is wrong: {differ(got, want)}; expected "
             f"sgn(W s) = {want.tolist()} from s = {s.tolist()}")


@st.composite
def networks_with_isolated_units(draw):
    """Integer weights where some units have no connection at all: their field
    is exactly 0 whatever the state."""
    W = draw(symmetric_weights(min_n=1, max_n=6, integer=True), label="W")
    n = len(W)
    rng = np.random.default_rng(draw(seeds(), label="seed"))
    isolated = rng.random(n) < 0.4
    isolated[rng.integers(n)] = True
    W[isolated, :] = 0.0
    W[:, isolated] = 0.0
    return W, isolated


@graded(points=1, title="a unit whose field is exactly 0 keeps its state")
@given(case=networks_with_isolated_units(), seed=seeds())
@examples(15)
def test_zero_field_keeps_state(hopfield, case, seed):
    """A unit with local field exactly 0 keeps its state: update in both modes and
    recall leave units without connections as they were, and a synchronous sweep
    equals sgn(W s) with 0 keeping the old state (integer weights)."""
    W, isolated = case
    s = T.random_patterns(seed, 1, len(W))[0]
    net = net_with_weights(hopfield, W)
    want = T.sync_sweep(W, s)
    got = update(hopfield, net, s, "sync")
    if not np.array_equal(got, want):
        fail(f"update(s, mode='sync') with integer weights: {differ(got, want)}; "
             f"the fields W s = {(W @ s).tolist()} from s = {s.tolist()} give "
             f"{want.tolist()} (a field of 0 keeps the unit's state)")
    results = {"update(s, mode='async')": update(hopfield, net, s, "async", seed),
               "recall(s, mode='async')": recall(hopfield, net, s, "async", seed)[0]}
    for what, got in results.items():
        moved = np.flatnonzero(isolated & (got != s))
        if moved.size:
            i = int(moved[0])
            fail(f"{what} changed unit {i} from {s[i]:+g} to {got[i]:+g}; it has no "
                 "connections, so its field is 0 and it must keep its state")


def non_increasing(energies, start, slack):
    """The index of the first energy above the previous one (start first), or None."""
    values = np.concatenate([[start], energies])
    rises = np.flatnonzero(np.diff(values) > slack)
    return None if rises.size == 0 else int(rises[0])


@graded(points=2, title="energy never increases under asynchronous updates")
@given(W=symmetric_weights(), seed=seeds())
@examples(20)
def test_async_energy_never_increases(hopfield, W, seed):
    """For any symmetric W with a zero diagonal and any start state, an asynchronous
    sweep never raises E = -½ sᵀWs, and recall(mode="async") reports non-increasing
    energies that end at the energy of a fixed point it reached."""
    n = len(W)
    s0 = T.random_patterns(seed, 1, n)[0]
    slack = 1e-9 * max(1.0, float(np.abs(W).sum()))
    net = net_with_weights(hopfield, W)
    s1 = update(hopfield, net, s0, "async", seed)
    E0, E1 = T.energy(W, s0), T.energy(W, s1)
    if E1 > E0 + slack:
        fail(f"one asynchronous sweep raised the energy from {E0:.6g} to {E1:.6g} "
             f"(s = {s0.tolist()} became {s1.tolist()}); updating one unit at a "
             "time, each seeing the states already updated, never raises it")
    state, converged, energies = recall(hopfield, net, s0, "async", seed)
    rise = non_increasing(energies, E0, slack)
    if rise is not None:
        fail(f"recall(mode='async') reports energies {short(energies)} from "
             f"E(probe) = {E0:.6g}: sweep {rise + 1} raised the energy")
    assert_close(energies[-1], T.energy(W, state),
                 "the last energy reported by recall, against E(final state)",
                 {"final state": state}, rtol=1e-9, atol=slack)
    wrong = T.unstable_units(W, state, slack)
    if not converged or wrong.size:
        fail(f"recall(mode='async') returned converged={converged} after "
             f"{energies.size} sweeps with state {state.tolist()}, in which units "
             f"{wrong.tolist()} would still flip; asynchronous recall with symmetric "
             "W always reaches a fixed point")


@st.composite
def antiferromagnetic_pairs(draw):
    """k pairs of units coupled by -c (the two-unit example, repeated), units
    shuffled, each pair starting in agreement."""
    k = draw(st.integers(1, 4), label="pairs")
    c = draw(st.sampled_from((1.0, 0.5, 2.0)), label="coupling")
    order = np.array(draw(st.permutations(range(2 * k)), label="unit order"))
    starts = draw(st.lists(st.sampled_from(SIGNS), min_size=k, max_size=k),
                  label="pair states")
    pairs = order.reshape(k, 2)
    W = np.zeros((2 * k, 2 * k))
    s = np.zeros(2 * k)
    for (i, j), start in zip(pairs, starts):
        W[i, j] = W[j, i] = -c
        s[i] = s[j] = start
    return W, s, pairs


@graded(points=2, title="W = [[0,-1],[-1,0]] cycles when synchronous, settles when not")
@given(case=antiferromagnetic_pairs(), seed=seeds())
@example(case=(np.array([[0.0, -1.0], [-1.0, 0.0]]), np.array([1.0, 1.0]),
               np.array([[0, 1]])), seed=0)
@examples(12)
def test_two_unit_example(hopfield, case, seed):
    """With W = [[0, -1], [-1, 0]] from (+1, +1) (and copies of it side by side),
    synchronous sweeps flip both units forever: recall(mode="sync") detects the
    2-cycle and stops within 4 sweeps with converged False. One unit at a time, the
    pair settles in opposite states: a fixed point, converged True."""
    W, s, pairs = case
    net = net_with_weights(hopfield, W)
    flipped = update(hopfield, net, s, "sync")
    if not np.array_equal(flipped, -s):
        fail(f"update(s, mode='sync') from {s.tolist()} gave {flipped.tolist()}; "
             f"every unit sees a field against its state and flips: {(-s).tolist()}")
    state, converged, energies = recall(hopfield, net, s, "sync", max_sweeps=1000)
    if converged or energies.size > 4:
        fail(f"recall(mode='sync', max_sweeps=1000) from {s.tolist()} returned "
             f"converged={converged} after {energies.size} sweeps; the state "
             "alternates between s and -s, a 2-cycle: detect it (the state equals "
             "the one two sweeps back) and stop with converged False")
    if not (np.array_equal(state, s) or np.array_equal(state, -s)):
        fail(f"recall(mode='sync') ended at {state.tolist()}, which is not on the "
             f"2-cycle {s.tolist()} <-> {(-s).tolist()}")
    for what, got in (("update(s, mode='async')", update(hopfield, net, s, "async",
                                                         seed)),
                      ("recall(s, mode='async')",
                       recall(hopfield, net, s, "async", seed))):
        final = got if isinstance(got, np.ndarray) else got[0]
        agreeing = [p.tolist() for p in pairs if final[p[0]] == final[p[1]]]
        if agreeing:
            fail(f"{what} from {s.tolist()} gave {final.tolist()}: units "
                 f"{agreeing[0]} agree. Updated one at a time, the first flips and "
                 "the second then keeps its state, so the pair ends opposite (are "
                 "the units updated all at once?)")
        if not isinstance(got, np.ndarray) and not got[1]:
            fail(f"{what} reached the fixed point {final.tolist()} but returned "
                 "converged=False")


# ------------------------------------------------------------ remembering


def check_fixed_point(hopfield, net, xi, what, modes=("sync", "async"), seed=0):
    for mode in modes:
        got = update(hopfield, net, xi, mode, seed)
        if not np.array_equal(got, xi):
            fail(f"{what} is not a fixed point: one sweep of update(mode={mode!r}) "
                 f"from it changed it ({differ(got, xi)})")


@graded(points=2, title="mutually orthogonal patterns are fixed points")
@given(patterns=orthogonal_sets(), seed=seeds())
@examples(15)
def test_orthogonal_patterns_are_fixed_points(hopfield, patterns, seed):
    """After store(patterns) by Hebb's rule, with P < n mutually orthogonal patterns
    (rows of a Hadamard matrix), W ξ = (1 - P/n) ξ: each stored pattern is left
    unchanged by update in both modes, and recall returns it with converged True."""
    P, n = patterns.shape
    net = new_net(hopfield, n)
    store(hopfield, net, patterns, "hebb")
    for k, xi in enumerate(patterns[:3]):
        check_fixed_point(hopfield, net, xi, f"stored pattern {k} of {P} (n = {n})",
                          seed=seed)
    state, converged, _ = recall(hopfield, net, patterns[0], "async", seed)
    if not np.array_equal(state, patterns[0]) or not converged:
        fail(f"recall(stored pattern 0) returned converged={converged} and a state "
             f"where {differ(state, patterns[0])}; a stored pattern is a fixed point")


@graded(points=1, title="random patterns at load P <= 0.05 n are fixed points")
@given(case=low_load(), rule=st.sampled_from(("hebb", "storkey")))
@examples(12)
def test_random_patterns_are_fixed_points(hopfield, case, rule):
    """After store(patterns, rule) with P ≤ 0.05 n random patterns (n from 40 to
    100), every stored pattern is left unchanged by update in both modes (cases
    where crosstalk would flip a bit under the grader's own weights are skipped)."""
    n, p, seed = case
    patterns = T.random_patterns(seed, p, n)
    W = trusted_weights(patterns, rule)
    assume(min(T.stability_margin(W, xi) for xi in patterns) > 1e-6)
    net = new_net(hopfield, n)
    store(hopfield, net, patterns, rule)
    for k, xi in enumerate(patterns):
        check_fixed_point(hopfield, net, xi,
                          f"stored pattern {k} of {p} (n = {n}, rule {rule!r})",
                          seed=seed)


@graded(points=2, title="a probe with up to 10% of bits flipped recalls its pattern")
@given(case=low_load((60, 80, 100)), mode=st.sampled_from(("async", "sync")),
       data=st.data())
@examples(15)
def test_recall_from_noisy_probe(hopfield, case, mode, data):
    """At load P ≤ 0.05 n (Hebb), recall from a stored pattern with up to n/10 of
    its bits flipped returns that pattern with converged True, in both modes. Only
    probes from which every update order provably leads back are drawn."""
    n, p, seed = case
    patterns = T.random_patterns(seed, p, n)
    which = data.draw(st.integers(0, p - 1), label="pattern")
    flips = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n // 10),
                      label="flipped units")
    flipped = sorted(flips)
    xi = patterns[which]
    assume(T.recall_margin(T.hebb(patterns), xi, flipped) > 1e-6)
    probe = xi.copy()
    probe[flipped] *= -1
    net = new_net(hopfield, n)
    store(hopfield, net, patterns, "hebb")
    state, converged, energies = recall(hopfield, net, probe, mode, seed)
    if not np.array_equal(state, xi):
        fail(f"recall(mode={mode!r}) from pattern {which} of {p} (n = {n}) with "
             f"units {flipped} flipped did not end at the pattern: "
             f"{differ(state, xi)}")
    if not converged:
        fail(f"recall(mode={mode!r}) reached the stored pattern but returned "
             f"converged=False after {energies.size} sweeps")


@graded(points=1, title="the negated pattern is a fixed point too")
@given(case=low_load(), rule=st.sampled_from(("hebb", "storkey")))
@examples(10)
def test_negated_pattern_is_fixed_point(hopfield, case, rule):
    """At low load, -ξ is a fixed point whenever ξ is (E(-s) = E(s) and the rule is
    odd): update leaves -ξ unchanged in both modes and recall(-ξ) returns -ξ. A
    spurious state, not a bug."""
    n, p, seed = case
    patterns = T.random_patterns(seed, p, n)
    assume(min(T.stability_margin(trusted_weights(patterns, rule), xi)
               for xi in patterns) > 1e-6)
    net = new_net(hopfield, n)
    store(hopfield, net, patterns, rule)
    minus = -patterns[0]
    check_fixed_point(hopfield, net, minus, f"the negated pattern -ξ (n = {n}, "
                      f"P = {p}, rule {rule!r})", seed=seed)
    state, converged, _ = recall(hopfield, net, minus, "async", seed)
    if not np.array_equal(state, minus) or not converged:
        fail(f"recall(-ξ) returned converged={converged} and a state where "
             f"{differ(state, minus)} from -ξ; -ξ is a fixed point")


@graded(points=2, title="Storkey's rule stores more patterns than Hebb's")
def test_storkey_beats_hebb(hopfield):
    """With n = 48 and P = 16 random patterns (load 1/3, far above Hebb's capacity),
    for each of three fixed seeds, Storkey's rule leaves at least 8 more of the
    patterns stable than Hebb's rule does (counted under the grader's own Hebb)."""
    n, p = T.CAPACITY_N, T.CAPACITY_P
    for seed in T.CAPACITY_SEEDS:
        patterns = T.random_patterns(seed, p, n)
        net = new_net(hopfield, n)
        store(hopfield, net, patterns, "storkey")
        W = weights_of(hopfield, net, n)
        slack = 1e-9 * max(1.0, float(np.abs(W).max()))
        got = T.stable_count(W, patterns, slack)
        hebb = T.stable_count(T.hebb(patterns), patterns)
        if got < hebb + p // 2:
            fail(f"seed {seed}: after store(rule='storkey') of {p} random patterns "
                 f"in {n} units, {got} are fixed points; Hebb's rule keeps {hebb}, "
                 f"and Storkey's should keep at least {hebb + p // 2} (it keeps all "
                 f"{p} here)")


# --------------------------------------------------------------------- BAM


def pair_value(result, what, n_a, n_b):
    if type(result) not in (tuple, list) or len(result) != 2:
        fail(f"{what} returned {describe_type(result)}; expected the pair (a, b)")
    return (state_value(result[0], f"a from {what}", n_a),
            state_value(result[1], f"b from {what}", n_b))


@st.composite
def pair_lists(draw, max_n=8, max_p=3):
    n_a = draw(st.integers(1, max_n), label="n_a")
    n_b = draw(st.integers(1, max_n), label="n_b")
    p = draw(st.integers(1, max_p), label="P")
    seed = draw(seeds(), label="seed")
    return T.random_patterns(seed, p, n_a), T.random_patterns(seed + 1, p, n_b)


def as_pairs(A, B):
    return [(a, b) for a, b in zip(A, B)]


@graded(points=1, title="BAM.store adds a b^T for every pair")
@given(first=pair_lists(), seed=seeds(), more=st.integers(0, 2))
@examples(15)
def test_bam_weights(hopfield, first, seed, more):
    """After store(pairs1) and store(pairs2), BAM.weights (n_a, n_b) equals
    c·Σ_μ a^μ b^μᵀ over all the pairs, for one positive scale c (1 in the
    lesson)."""
    A, B = first
    n_a, n_b = A.shape[1], B.shape[1]
    A2, B2 = T.random_patterns(seed, more, n_a), T.random_patterns(seed + 1, more, n_b)
    bam = hopfield.new("BAM", n_a, n_b)
    hopfield.method(bam, "store", as_pairs(A, B))
    hopfield.method(bam, "store", as_pairs(A2, B2))
    W = array_value(hopfield.get(bam, "weights"), "BAM.weights", shape=(n_a, n_b))
    M = T.bam_weights(np.vstack([A, A2]), np.vstack([B, B2]))
    scale = float((W * M).sum() / (M * M).sum()) if M.any() else 1.0
    if M.any() and not scale > 0:
        fail(f"BAM.weights is {short(W)}; expected a positive multiple of Σ a bᵀ = "
             f"{short(M)}")
    assert_close(W, scale * M, "BAM.weights after two calls to store (up to a "
                 f"positive scale, here {scale:g})", {"a": A, "b": B},
                 rtol=1e-9, atol=1e-12 * max(1.0, float(np.abs(W).max())))


@st.composite
def orthogonal_pairs(draw):
    """Pairs whose a's are mutually orthogonal and whose b's are too."""
    n_a = draw(st.sampled_from((2, 4, 8, 16)), label="n_a")
    n_b = draw(st.sampled_from((2, 4, 8, 16)), label="n_b")
    p = draw(st.integers(1, min(n_a, n_b)), label="P")
    A = draw(orthogonal_sets((n_a,), count=p), label="a patterns")
    B = draw(orthogonal_sets((n_b,), count=p), label="b patterns")
    return A, B


@graded(points=2, title="BAM recalls the partner in both directions")
@given(pairs=orthogonal_pairs())
@examples(15)
def test_bam_recalls_both_ways(hopfield, pairs):
    """With mutually orthogonal a's and mutually orthogonal b's stored,
    recall_forward(a^μ) returns (a^μ, b^μ) and recall_backward(b^μ) returns
    (a^μ, b^μ)."""
    A, B = pairs
    n_a, n_b = A.shape[1], B.shape[1]
    bam = hopfield.new("BAM", n_a, n_b)
    hopfield.method(bam, "store", as_pairs(A, B))
    for k, (a, b) in enumerate(zip(A[:3], B[:3])):
        for name, probe in (("recall_forward", a), ("recall_backward", b)):
            what = f"{name}(pair {k}'s {'a' if name.endswith('forward') else 'b'})"
            got_a, got_b = pair_value(hopfield.method(bam, name, probe), what, n_a,
                                      n_b)
            if not (np.array_equal(got_a, a) and np.array_equal(got_b, b)):
                fail(f"{what} with {len(A)} orthogonal pairs stored returned a pair "
                     f"where a: {differ(got_a, a)}, b: {differ(got_b, b)}; expected "
                     f"stored pair {k} (Wᵀa = n_a·b when the a's are orthogonal)")


@graded(points=1, title="BAM recall ends in a stable pair")
@given(pairs=pair_lists(max_n=10, max_p=4), forward=st.booleans(), seed=seeds())
@examples(15)
def test_bam_recall_is_stable(hopfield, pairs, forward, seed):
    """For any stored pairs and any probe, the pair (a, b) that recall_forward or
    recall_backward returns is stable under the BAM's own weights: b = sgn(Wᵀa) and
    a = sgn(W b), where a field of 0 allows either state."""
    A, B = pairs
    n_a, n_b = A.shape[1], B.shape[1]
    bam = hopfield.new("BAM", n_a, n_b)
    hopfield.method(bam, "store", as_pairs(A, B))
    W = array_value(hopfield.get(bam, "weights"), "BAM.weights", shape=(n_a, n_b))
    name = "recall_forward" if forward else "recall_backward"
    probe = T.random_patterns(seed, 1, n_a if forward else n_b)[0]
    a, b = pair_value(hopfield.method(bam, name, probe), f"{name}(probe)", n_a, n_b)
    slack = 1e-9 * max(1.0, float(np.abs(W).sum()))
    for layer, state, field in (("b", b, W.T @ a), ("a", a, W @ b)):
        wrong = np.flatnonzero(state * field < -slack)
        if wrong.size:
            fail(f"{name}(probe) returned a pair that is not stable: unit "
                 f"{int(wrong[0])} of {layer} is {state[wrong[0]]:+g} but its field "
                 f"is {field[wrong[0]]:.6g}; keep bouncing until neither layer "
                 "changes")
