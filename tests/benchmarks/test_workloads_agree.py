"""Every workload does the same work three ways: same losses, same updates.

Run with the workloads' tiny sizes, the microtensor and PyTorch versions must
reproduce the hand-written NumPy version's loss at every step and its final
parameters, to rounding error. A version that skipped a step, a gradient or
an update would drift from the others at once.
"""

import numpy as np
import pytest

from benchmarks.workloads import WORKLOADS

# float64 throughout; the three differ only in the order of a few sums.
RTOL = 1e-9
ATOL = 1e-12

CASES = [
    pytest.param(key, impl, id=f"{key}-{impl}")
    for key in WORKLOADS
    for impl in ("microtensor", "torch")
]


def _train(key, impl, request):
    if impl == "torch":
        request.getfixturevalue("torch")
    workload = WORKLOADS[key]
    problem = workload.make_problem(workload.tiny)
    trainer = workload.builders[impl](problem)
    losses = trainer.train()
    return problem, losses, trainer.parameters()


@pytest.mark.parametrize(("key", "impl"), CASES)
def test_losses_match_the_hand_written_numpy_step_by_step(key, impl, request):
    problem, losses, _ = _train(key, impl, request)
    _, expected, _ = _train(key, "numpy", request)

    assert len(losses) == len(expected) == problem["steps"]
    np.testing.assert_allclose(losses, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("key", "impl"), CASES)
def test_final_parameters_match_the_hand_written_numpy(key, impl, request):
    _, _, params = _train(key, impl, request)
    _, _, expected = _train(key, "numpy", request)

    assert sorted(params) == sorted(expected)
    for name, value in expected.items():
        np.testing.assert_allclose(
            params[name], value, rtol=RTOL, atol=ATOL, err_msg=f"{key} {name}"
        )


@pytest.mark.parametrize("key", list(WORKLOADS))
def test_the_numpy_reference_moves_every_parameter_and_the_loss(key, request):
    problem, losses, params = _train(key, "numpy", request)

    for name, initial in problem["params"].items():
        assert not np.allclose(params[name], initial, rtol=0, atol=1e-12), name
    assert len(set(losses)) == len(losses)


@pytest.mark.parametrize("key", list(WORKLOADS))
def test_training_leaves_the_problem_untouched(key, request):
    problem, _, _ = _train(key, "microtensor", request)
    again = WORKLOADS[key].make_problem(WORKLOADS[key].tiny)

    for name, value in again["params"].items():
        np.testing.assert_array_equal(problem["params"][name], value)


def test_full_sizes_are_the_ones_issue_10_names():
    w1 = WORKLOADS["W1"].make_problem(WORKLOADS["W1"].full)
    w2, w4 = WORKLOADS["W2"].full, WORKLOADS["W4"].full
    w3 = WORKLOADS["W3"].full

    assert w1["x"].shape == (4, 2) and w1["params"]["0.weight"].shape == (8, 2)
    assert w1["params"]["2.weight"].shape == (1, 8) and w1["steps"] == 1000
    assert (w2.widths, w2.batch, w2.steps) == ((64, 128, 64, 10), 256, 200)
    assert (w4.widths, w4.batch, w4.steps) == ((512, 1024, 1024, 10), 512, 10)
    assert (w3.inputs, w3.hidden, w3.time_steps) == (8, 32, 100)
    assert (w3.batch, w3.updates) == (16, 20)
