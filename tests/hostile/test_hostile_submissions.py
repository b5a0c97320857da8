"""Hostile submissions: each loses exactly what it attacked, and nothing else changes.

Every fixture in ``tests/fixtures/hostile/`` is the reference solution with one
attack (its ATTACK.md says which). Each is graded once, in an arena of its own
(see `arena`): the attacked tests must score zero with a reason in plain
words, every other test must keep its full points, no file outside the
worker's scratch folder may change, and the grading must end within its
budget.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import arena
import pytest

#: small limits so that the attacks hit them fast; a call may take 4 s only where an
#: endless loop is the attack (a correct call takes milliseconds, but a loaded
#: machine should not turn it into a timeout elsewhere)
LIMITS = {"memory_mb": 512}
SHORT_CALLS = {"infinite_loop": 4.0, "hang_at_import": 4.0}
BUDGET_SECONDS = 120.0


@dataclass(frozen=True)
class Expect:
    """What grading one hostile fixture must show.

    ``attacked`` is a graded test's function name, ``lesson:<name>`` for a
    whole lesson, or "" when no test is attacked; every attacked test's
    feedback contains ``reason``, and some note of the report contains each
    of ``notes``.
    """

    attacked: str
    reason: str
    notes: tuple = ()


EXPECTED = {
    "exit_at_import": Expect("lesson:neuron", "importing neuron.py failed: SystemExit"),
    "hard_exit_at_import": Expect("lesson:perceptron", "exited with status 0"),
    "hang_at_import": Expect("lesson:perceptron", "ran for more than 4 s"),
    "exit_mid_test": Expect("test_gelu_prime", "exited with status 3"),
    "infinite_loop": Expect("test_gelu_prime", "ran for more than 4 s"),
    "memory_bomb": Expect("test_gelu_prime", "used more than 512 MB"),
    "fork_bomb": Expect(
        "test_gelu_prime",
        "refused by the grader",
        (
            "tried to start or signal a process (os.fork)",
            "(subprocess.Popen)",
            "(import _posixsubprocess)",
        ),
    ),
    "print_flood": Expect("test_gelu_prime", "printed more than 1 MB"),
    "fake_results": Expect(
        "",
        "",
        (
            "tried to write outside its scratch folder",
            "/autograder/results/results.json",
        ),
    ),
    "monkeypatch_libs": Expect("test_gelu_prime", "gelu_prime(z) is wrong"),
    "lying_eq": Expect("test_gelu_prime", "returned a AlwaysEqual object"),
    "ndarray_subclass": Expect("test_gelu_prime", "returned a Agreeable object"),
    "float_subclass": Expect("test_gelu_prime", "returned a Close object"),
    "import_solutions": Expect(
        "lesson:neuron",
        "no credit for this lesson",
        ("may not use (solutions.neuron)",),
    ),
    "read_solutions": Expect(
        "lesson:perceptron",
        "no credit for this lesson",
        ("opened one of the grader's own files", "solutions/perceptron.py"),
    ),
    "import_grader": Expect(
        "lesson:neuron",
        "no credit for this lesson",
        ("may not use (microtensor.grading)",),
    ),
    "tamper_sandbox": Expect(
        "lesson:neuron",
        "",
        (
            "opened one of the grader's own files",
            "(os.symlink)",
            "(os.chdir)",
            "(os.open solutions/neuron.py)",
        ),
    ),
    "edits_tests": Expect(
        "lesson:neuron",
        "no credit for this lesson",
        (
            "grading/suite/test_neuron.py",
            "grading/checks.py",
            "solutions/neuron.py",
            "tests/conftest.py",
        ),
    ),
    "kill_grader": Expect(
        "test_gelu_prime",
        "refused by the grader: os.kill",
        ("tried to start or signal a process (os.kill",),
    ),
    "conftest_forces_pass": Expect(
        "lesson:neuron lesson:perceptron",
        "",
        ("brings its own conftest.py", "brings its own pytest.ini"),
    ),
    "brings_sitecustomize": Expect(
        "lesson:neuron lesson:perceptron",
        "no credit for this lesson",
        ("brings its own sitecustomize.py", "brings its own usercustomize.py"),
    ),
    "reads_classmates": Expect(
        "lesson:perceptron",
        "no credit for this lesson",
        (
            "opened another student's files",
            "microtensor-worker-classmate",
            "cmdline of another process",
        ),
    ),
    "symlink_solution": Expect(
        "lesson:neuron",
        "neuron.py is a symbolic link",
        ("neuron.py was left out: it is a symbolic link",),
    ),
}


def test_every_hostile_fixture_has_an_expectation():
    assert sorted(EXPECTED) == sorted(os.listdir(arena.HOSTILE))
    assert len(EXPECTED) >= 12


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every fixture once, two at a time, each in its own arena."""

    def run(name):
        paths = arena.build(str(tmp_path_factory.mktemp(name)), name)
        skip = {paths["trusted"]}
        before = arena.tree_hash(paths["root"], skip)
        summary = arena.grade(paths, call_seconds=SHORT_CALLS.get(name, 10.0), **LIMITS)
        after = arena.tree_hash(paths["root"], skip)
        return name, {
            "summary": summary,
            "before": before,
            "after": after,
            "paths": paths,
        }

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, sorted(EXPECTED)))


def is_attacked(test: dict, attacked: str) -> bool:
    for target in attacked.split():
        if target == f"lesson:{test['lesson']}" or target == test["func"]:
            return True
    return False


def all_notes(summary: dict) -> str:
    notes = [note for lesson in summary["notes"].values() for note in lesson]
    return "\n".join(notes + summary["report_notes"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_attacked_tests_score_zero_and_say_why(graded, name):
    expect, summary = EXPECTED[name], graded[name]["summary"]
    attacked = [t for t in summary["tests"] if is_attacked(t, expect.attacked)]
    assert bool(attacked) == bool(expect.attacked)
    for test in attacked:
        assert test["status"] == "failed" and test["score"] == 0, test["title"]
        assert expect.reason in test["message"], (test["title"], test["message"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_other_test_keeps_its_full_points(graded, name):
    expect, summary = EXPECTED[name], graded[name]["summary"]
    others = [t for t in summary["tests"] if not is_attacked(t, expect.attacked)]
    lost = [
        (t["title"], t["message"][:200]) for t in others if t["score"] != t["points"]
    ]
    assert not lost
    assert {t["lesson"] for t in summary["tests"]} == {"neuron", "perceptron"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_limits_and_flags_show_in_the_feedback(graded, name):
    notes = all_notes(graded[name]["summary"])
    for words in EXPECTED[name].notes:
        assert words in notes


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_nothing_outside_the_workers_folder_changes(graded, name):
    run = graded[name]
    changed = sorted(
        path
        for path in set(run["before"]) | set(run["after"])
        if run["before"].get(path) != run["after"].get(path)
    )
    assert changed == []
    # every worker folder is gone; the classmate's is untouched (hashed above)
    assert os.listdir(run["paths"]["tmp"]) == [arena.NEIGHBOUR]
    assert not os.path.exists("/results.json")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_grading_ends_within_its_budget(graded, name):
    assert graded[name]["summary"]["seconds"] < BUDGET_SECONDS


def test_no_process_survives_the_fork_bomb(graded):
    marker = os.path.join(graded["fork_bomb"]["paths"]["root"], "PWNED-fork-bomb")
    assert not os.path.exists(marker)
    survivors = subprocess.run(
        ["pgrep", "-f", "PWNED-fork-bomb"], capture_output=True, text=True
    )
    assert survivors.stdout.strip() == ""


def test_the_sandbox_cannot_be_switched_off_from_inside(graded):
    output = "".join(t["output"] for t in graded["tamper_sandbox"]["summary"]["tests"])
    for step in ("symlink", "chdir", "dir_fd", "hard link", "direct", "device"):
        assert f"TAMPER {step}: refused" in output
    assert output.count("WORKED") == output.count("TAMPER tamper: WORKED")


def test_a_classmates_files_and_the_graders_process_stay_unread(graded):
    output = "".join(
        t["output"] for t in graded["reads_classmates"]["summary"]["tests"]
    )
    assert "CLASSMATES: refused PermissionError" in output
    assert "CLASSMATES: refused /proc/parent/cmdline" in output
    assert "copied" not in output and "CLASSMATES: read" not in output


def test_monkeypatching_inside_the_worker_does_not_reach_the_grader(graded):
    summary = graded["monkeypatch_libs"]["summary"]
    assert summary["score"] == summary["max_score"] - 1


def test_sitecustomize_from_the_submission_never_runs(graded):
    output = "".join(
        t["output"] for t in graded["brings_sitecustomize"]["summary"]["tests"]
    )
    assert "LOADED" not in output


def test_pytest_never_loads_the_submissions_conftest(tmp_path):
    paths = arena.build(str(tmp_path), "conftest_forces_pass")
    suite = os.path.join(paths["microtensor"], "grading", "suite", "test_perceptron.py")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--submission",
            paths["submission"],
            suite,
            "--rootdir",
            paths["trusted"],
        ],
        cwd=paths["trusted"],
        env=arena.environment(paths),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "SUBMISSION CONFTEST LOADED" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stdout[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    assert " failed" in last and " passed" not in last
    assert "brings its own conftest.py" in result.stdout
