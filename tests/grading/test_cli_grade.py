"""`microtensor grade`: exit codes, the table, and a Gradescope-ready results.json."""

import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEST_KEYS = {"name", "number", "score", "max_score", "status", "output", "tags",
             "visibility"}


def run_grade(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "microtensor", "grade", "--quiet", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("json") / "results.json"
    result = run_grade("solutions", "--lesson", "perceptron", "--json", str(out))
    return result, json.loads(out.read_text())


def test_full_marks_exit_zero_and_write_gradescope_results(reference_run):
    result, data = reference_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(data) >= {"score", "execution_time", "output", "tests"}
    assert data["tests"] and data["score"] == sum(t["max_score"] for t in data["tests"])
    for test in data["tests"]:
        assert set(test) == TEST_KEYS
        assert test["name"].startswith("perceptron: ")
        assert test["status"] == "passed" and test["visibility"] == "visible"
    assert "Score:" in result.stdout and "PASS" in result.stdout


def test_stubs_exit_one_and_say_not_implemented():
    result = run_grade("exercises", "--lesson", "perceptron")
    assert result.returncode == 1
    assert "not implemented yet" in result.stdout
    assert "Score: 0 /" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_missing_folder_exits_two_with_a_reason():
    result = run_grade("no/such/folder")
    assert result.returncode == 2
    assert "no/such/folder is not a folder" in result.stderr


def test_a_missing_lesson_file_scores_that_lesson_zero_with_the_reason(tmp_path):
    shutil.copy(os.path.join(ROOT, "solutions", "neuron.py"), tmp_path / "neuron.py")
    result = run_grade(str(tmp_path), "--lesson", "perceptron")
    assert result.returncode == 1
    assert "perceptron.py was not found in the submission" in result.stdout


def test_an_unknown_lesson_is_refused():
    result = run_grade("solutions", "--lesson", "calculus")
    assert result.returncode == 2 and "unknown lesson" in result.stderr


def test_the_same_submission_gets_the_same_results_with_or_without_ci(tmp_path):
    fixture = os.path.join(ROOT, "tests", "fixtures", "submissions", "perceptron_01_labels")
    outputs = []
    for ci in ("true", ""):
        out = tmp_path / f"results-{ci or 'plain'}.json"
        env = dict(os.environ, CI=ci)
        subprocess.run([sys.executable, "-m", "microtensor", "grade", "--quiet", fixture,
                        "--lesson", "perceptron", "--json", str(out)],
                       cwd=ROOT, env=env, capture_output=True, timeout=300)
        data = json.loads(out.read_text())
        outputs.append([(t["name"], t["score"], t["output"]) for t in data["tests"]])
    assert outputs[0] == outputs[1]
    assert any(score == 0 for _, score, _ in outputs[0])


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "soon"])
def test_a_time_limit_must_be_a_positive_number_of_seconds(value):
    result = run_grade("solutions", "--timeout", value)
    assert result.returncode == 2
    assert "expected a positive number of seconds" in result.stderr
