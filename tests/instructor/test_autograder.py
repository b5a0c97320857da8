"""``microtensor autograder``: the Gradescope bundle, end to end under a temporary root.

The bundle is unzipped into ``ROOT/source`` as Gradescope does; each run puts
one submission in ``ROOT/submission`` and calls ``run_autograder`` with
``MICROTENSOR_AUTOGRADER_ROOT=ROOT``. The interpreter is this one
(``MICROTENSOR_AUTOGRADER_PYTHON``): setup.sh, which builds it on Gradescope,
needs the network and is only checked for syntax here.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import checkout
import pytest

LESSONS = ("neuron", "perceptron")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    base = tmp_path_factory.mktemp("bundle")
    source = checkout.make_checkout(str(base / "checkout"), hidden=True)
    out = str(base / "autograder.zip")
    args = ["autograder", out, "--source", source, "--timeout", "5"]
    for lesson in LESSONS:
        args += ["--lesson", lesson]
    done = checkout.microtensor(*args, cwd=str(base))
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def run_bundle(bundle: str, root, submission: str | None, **env) -> dict:
    """Lay out ROOT, run run_autograder on ``submission``; return results.json."""
    root.mkdir(exist_ok=True)
    root.chmod(0o755)  # the worker may run as nobody
    for name in ("source", "submission", "results", "tmp"):
        (root / name).mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    if submission:
        for name in os.listdir(submission):
            path = os.path.join(submission, name)
            real = root / "submission" / name.removeprefix("brought_")
            if os.path.isdir(path):
                shutil.copytree(path, real)
            else:
                shutil.copy(path, real)
    settings = {
        "MICROTENSOR_AUTOGRADER_ROOT": str(root),
        "TMPDIR": str(root / "tmp"),
        "MICROTENSOR_AUTOGRADER_PYTHON": sys.executable,
        **env,
    }
    environment = checkout.environment(**settings)
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with open(root / "results" / "results.json") as f:
        return json.load(f)


def points(results: dict) -> float:
    return sum(t["max_score"] for t in results["tests"])


def test_the_bundle_holds_scripts_settings_and_the_hidden_suite_only(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        suite = archive.read("microtensor/grading/suite/test_perceptron.py").decode()
        settings = json.loads(archive.read("autograder.json"))
    assert {"setup.sh", "run_autograder", "autograder.json", "pyproject.toml"} <= set(
        names
    )
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert not any(n.startswith(("solutions/", "exercises/", "tests/")) for n in names)
    assert 'visibility="hidden"' in suite
    assert settings == {
        "lessons": list(LESSONS),
        "call_seconds": 5.0,
        "total_seconds": 480.0,
    }


def test_setup_sh_is_valid_bash_and_pins_the_libraries(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        archive.extract("setup.sh", tmp_path)
    assert subprocess.run(["bash", "-n", str(tmp_path / "setup.sh")]).returncode == 0
    import hypothesis
    import numpy

    text = (tmp_path / "setup.sh").read_text()
    assert f"numpy=={numpy.__version__}" in text
    assert f"hypothesis=={hypothesis.__version__}" in text


def test_a_correct_submission_gets_full_marks_and_sees_the_hidden_tests(
    bundle, tmp_path
):
    results = run_bundle(bundle, tmp_path, os.path.join(checkout.REPO, "solutions"))
    assert results["score"] == points(results) > 0
    hidden = [t for t in results["tests"] if t["visibility"] == "hidden"]
    assert [t["name"] for t in hidden] == [
        "perceptron: a hidden check the kit never ships",
        "perceptron: another hidden check",
    ]
    assert {t["tags"][0] for t in results["tests"]} == set(LESSONS)


def test_a_buggy_submission_loses_the_tests_of_its_bug(bundle, tmp_path):
    buggy = os.path.join(checkout.FIXTURES, "submissions", "perceptron_bias_frozen")
    results = run_bundle(bundle, tmp_path, buggy)
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and all(t["name"].startswith("perceptron: ") for t in failed)
    assert results["score"] == points(results) - sum(t["max_score"] for t in failed)
    assert all(t["output"] for t in failed)


def test_a_fake_results_file_never_replaces_the_real_one(bundle, tmp_path):
    hostile = os.path.join(checkout.FIXTURES, "hostile", "fake_results")
    results = run_bundle(bundle, tmp_path, hostile)
    assert results["score"] == points(results) and "FAKE" not in json.dumps(results)
    assert "tried to write outside its scratch folder" in results["output"]
    assert os.listdir(tmp_path / "results") == ["results.json"]
    assert os.listdir(tmp_path / "tmp") == []
    assert not (tmp_path / "results.json").exists()


def test_a_submission_in_a_folder_of_its_own_is_found(bundle, tmp_path):
    nested = tmp_path / "upload" / "my work"
    shutil.copytree(os.path.join(checkout.REPO, "solutions"), nested)
    results = run_bundle(bundle, tmp_path / "root", str(tmp_path / "upload"))
    assert results["score"] == points(results)


def test_a_grader_that_does_not_start_still_leaves_a_visible_failed_test(
    bundle, tmp_path
):
    results = run_bundle(
        bundle,
        tmp_path,
        None,
        MICROTENSOR_AUTOGRADER_PYTHON=str(tmp_path / "no-python"),
    )
    (test,) = results["tests"]
    assert test["status"] == "failed" and test["visibility"] == "visible"
    assert "did not start" in test["output"] and results["score"] == 0


def test_a_grader_that_breaks_says_so_in_a_visible_failed_test(bundle, tmp_path):
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "microtensor/grading/registry.py":
                data += b"\nraise RuntimeError('the registry is broken')\n"
            target.writestr(info, data)
    results = run_bundle(
        str(broken), tmp_path / "root", os.path.join(checkout.REPO, "solutions")
    )
    (test,) = results["tests"]
    assert test["name"] == "autograder: the grader ran" and test["status"] == "failed"
    assert "the registry is broken" in test["output"]
    assert "not your code" in test["output"]
