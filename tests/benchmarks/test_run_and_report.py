"""The benchmark command runs end to end, and the targets are judged right."""

import json

import pytest

from benchmarks import run
from benchmarks.grading import _LESSON, _SCORE
from benchmarks.report import check_targets, markdown_table


def _results(medians, sizes="full", memory=None, grading=None):
    """A results dict as ``run`` makes it, around the given medians."""
    results = {
        "date": "2026-01-01",
        "machine": {
            "cpu": "a test CPU",
            "cores": 2,
            "python": "3.11",
            "numpy": "2.0",
            "numpy_blas": "openblas 0.3 (Haswell)",
            "torch": "2.13.0",
            "torch_blas": "mkl",
            "environment": {},
        },
        "load_average": [0.5, 0.5, 0.5],
        "repeats": 5,
        "clock": "cpu",
        "sizes": sizes,
        "workloads": {
            key: {
                "title": f"{key} title",
                "median_cpu": median,
                "median": {impl: 2.0 * t for impl, t in median.items()},
            }
            for key, median in medians.items()
        },
    }
    if memory is not None:
        results["memory"] = memory
    if grading is not None:
        results["grading"] = grading
    return results


def _verdict(verdicts, target):
    return next(v for v in verdicts if v["target"] == target)


def test_a_ratio_on_the_limit_meets_the_target_and_one_above_misses_it():
    medians = {
        "W1": {"microtensor": 0.6, "numpy": 0.1, "torch": 1.0},
        "W4": {"microtensor": 1.12, "numpy": 1.0, "torch": 2.0},
    }
    verdicts = check_targets(_results(medians))

    assert _verdict(verdicts, "<= 0.6x PyTorch")["met"] is True
    assert _verdict(verdicts, "<= 1.1x NumPy")["met"] is False
    assert _verdict(verdicts, "<= 1.1x NumPy")["measured"] == pytest.approx(1.12)


def test_w2_is_judged_against_both_pytorch_and_numpy():
    medians = {"W2": {"microtensor": 1.5, "numpy": 1.0, "torch": 2.0}}
    verdicts = check_targets(_results(medians))

    assert [v["met"] for v in verdicts] == [True, False]


def test_the_targets_are_judged_on_the_clock_the_run_names():
    medians = {"W1": {"microtensor": 0.5, "numpy": 0.1, "torch": 1.0}}
    results = _results(medians)
    results["workloads"]["W1"]["median"] = {"microtensor": 0.7, "torch": 1.0}

    assert check_targets(results)[0]["met"] is True
    results["clock"] = "wall"
    assert check_targets(results)[0]["met"] is False


def test_tiny_sizes_and_short_sequences_answer_no_target():
    medians = {"W1": {"microtensor": 9.0, "numpy": 1.0, "torch": 1.0}}
    memory = {"time_steps": 50, "maxrss_mb": 900.0}

    assert check_targets(_results(medians, sizes="tiny", memory=memory)) == []


def test_memory_and_grading_limits_are_strict():
    memory = {
        "time_steps": 10_000,
        "maxrss_mb": 300.0,
        "baseline_mb": 50.0,
        "traced_peak_mb": 200.0,
    }
    grading = {
        "seconds": 29.9,
        "exit_code": 0,
        "score": 10.0,
        "max_score": 10.0,
        "lessons": ["neuron.py"],
        "command": "microtensor grade solutions --quiet",
    }
    results = _results({}, memory=memory, grading=grading)
    verdicts = check_targets(results)

    assert _verdict(verdicts, "< 300 MB")["met"] is False
    assert _verdict(verdicts, "< 30 s")["met"] is True
    table = markdown_table(results)
    assert "| 300 MB" in table and "29.9 s" in table and "**no**" in table


def test_a_grading_run_that_fails_or_loses_points_misses_the_target():
    grading = {
        "seconds": 0.7,
        "exit_code": 1,
        "score": None,
        "max_score": None,
        "lessons": [],
        "command": "microtensor grade solutions --quiet",
    }
    results = _results({}, grading=grading)

    assert _verdict(check_targets(results), "< 30 s")["met"] is False
    assert "exit code 1" in markdown_table(results)
    grading.update(exit_code=0, score=9.0, max_score=10.0)
    assert _verdict(check_targets(results), "< 30 s")["met"] is False


def test_the_grading_report_parser_reads_the_score_and_the_lessons():
    report = (
        "Lesson 1: the artificial neuron  [neuron.py]  27/27\n"
        "  PASS      1/1  1.1   step is the Heaviside function\n"
        "Lesson 4: the Elman RNN  [rnn.py]  20/24\n"
        "Score: 47 / 51 (92%) in 4.1 s\n"
    )

    assert _SCORE.search(report).groups() == ("47", "51")
    assert [name for _, name in _LESSON.findall(report)] == ["neuron.py", "rnn.py"]


def test_the_tiny_run_writes_json_and_a_table_of_all_four(tmp_path, capsys):
    output, table = tmp_path / "out.json", tmp_path / "table.md"
    argv = ["--tiny", "--skip-grading", "--output", str(output)]

    assert run.main(argv + ["--table", str(table)]) == 0

    results = json.loads(output.read_text())
    assert list(results["workloads"]) == ["W1", "W2", "W3", "W4"]
    for measured in results["workloads"].values():
        assert {"microtensor", "numpy"} <= set(measured["median"])
        assert all(d < 1e-9 for d in measured["max_loss_difference"].values())
    assert results["memory"]["time_steps"] == 50
    assert results["memory"]["maxrss_mb"] >= results["memory"]["baseline_mb"] > 0
    assert results["machine"]["numpy"] and results["sizes"] == "tiny"
    assert table.read_text().count("| **W") == 4
    assert "targets met: 0 of 0" in capsys.readouterr().out
