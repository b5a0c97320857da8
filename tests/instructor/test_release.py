"""``microtensor release``: the kit grades exercises/; no solutions, no hidden tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import checkout
import pytest

from microtensor.instructor import leaks
from microtensor.instructor.release import kit_pyproject, strip_hidden

SUITE = os.path.join("microtensor", "grading", "suite")


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A checkout with two hidden tests, and its kit."""
    base = tmp_path_factory.mktemp("release")
    base.chmod(0o755)  # the worker may run as nobody
    source = checkout.make_checkout(str(base / "source"), hidden=True)
    kit = str(base / "kit")
    done = checkout.microtensor("release", kit, "--source", source, cwd=str(base))
    assert done.returncode == 0, done.stdout + done.stderr
    return source, kit, done


def listed(package_parent: str) -> list:
    script = (
        "import json; from microtensor.grading import registry; "
        "print(json.dumps([[t.name, t.visibility] for t in registry.all_tests()]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=package_parent,
        env=checkout.environment(package_parent),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# ------------------------------------------------------------------ unit level


def test_strip_hidden_removes_decorated_and_assigned_hidden_tests():
    source = (
        "@graded(points=1, title='seen')\ndef test_seen(x):\n    pass\n\n\n"
        "@graded(points=2, title='unseen', visibility='hidden')\n@examples(3)\n"
        "def test_unseen(x):\n    pass\n\n\n"
        "test_later = graded(1, 'later', 'after_due_date')(make())\n"
        "test_secret = graded(1, 'secret', 'hidden')(make())\n"
    )
    text, removed = strip_hidden(source)
    assert removed == ["test_unseen", "test_secret"]
    assert "test_seen" in text and "test_later" in text
    assert "unseen" not in text and "secret" not in text and "@examples" not in text
    compile(text, "stripped", "exec")


def test_the_kit_pytest_section_grades_exercises():
    text = kit_pyproject(os.path.join(checkout.REPO, "pyproject.toml"))
    assert 'addopts = "--submission exercises' in text
    assert text.count("[tool.pytest.ini_options]") == 1
    assert "[project.entry-points.pytest11]" in text


def test_leak_rules_ignore_trivial_lines_and_catch_copied_code(tmp_path):
    solutions, stubs, release = (tmp_path / n for n in ("sol", "stub", "rel"))
    for folder in (solutions, stubs, release / "microtensor", release / "exercises"):
        folder.mkdir(parents=True)
    body = (
        "def f(x):\n    '''Shared doc.'''\n    total = sum(v * v for v in x)\n"
        "    scale = max(abs(v) for v in x) + 1e-12\n    ratio = total / scale * 2.0\n"
        "    return self\n"
    )
    (solutions / "lesson.py").write_text(body)
    (stubs / "lesson.py").write_text("def f(x):\n    '''Shared doc.'''\n")
    secrets = leaks.secret_lines(str(solutions), str(stubs))
    assert sorted(secrets) == [
        "ratio = total / scale * 2.0",
        "scale = max(abs(v) for v in x) + 1e-12",
        "total = sum(v * v for v in x)",
    ]
    (release / "exercises" / "lesson.py").write_text(
        "def f(x):\n    '''Shared doc.'''\n"
        "    ratio = total / scale * 2.0\n"
        "    n = len(x)\n"
    )
    (release / "microtensor" / "one.py").write_text("total = sum(v * v for v in x)\n")
    (release / "microtensor" / "copy.py").write_text(body)
    found, shared = leaks.leaks(leaks.scan(str(release), secrets))
    assert {(f.path, f.line) for f in found} == {
        ("exercises/lesson.py", 3),
        ("microtensor/copy.py", 3),
        ("microtensor/copy.py", 4),
        ("microtensor/copy.py", 5),
    }
    assert [(f.path, f.line) for f in shared] == [("microtensor/one.py", 1)]


# ------------------------------------------------------------------ the kit


def test_the_kit_has_no_solutions_no_repo_tests_and_the_stubs(released):
    source, kit, _ = released
    assert sorted(os.listdir(kit)) == [
        "README.md",
        "exercises",
        "microtensor",
        "pyproject.toml",
    ]
    for name in os.listdir(os.path.join(source, "exercises")):
        with (
            open(os.path.join(source, "exercises", name), "rb") as a,
            open(os.path.join(kit, "exercises", name), "rb") as b,
        ):
            assert a.read() == b.read()


def test_the_kit_drops_exactly_the_hidden_tests(released):
    source, kit, done = released
    in_source, in_kit = listed(source), listed(kit)
    hidden = [name for name, visibility in in_source if visibility == "hidden"]
    assert hidden == [
        "perceptron: a hidden check the kit never ships",
        "perceptron: another hidden check",
    ]
    assert in_kit == [t for t in in_source if t[1] != "hidden"]
    with open(os.path.join(kit, SUITE, "test_perceptron.py"), encoding="utf-8") as f:
        text = f.read()
    assert "a hidden check the kit never ships" not in text
    assert "another hidden check" not in text and "test_hidden_weights" not in text
    assert (
        "left out the hidden tests test_hidden_weights, test_hidden_bias" in done.stdout
    )


def test_microtensor_grade_in_the_kit_grades_exercises(released, tmp_path):
    _, kit, _ = released
    stubs = checkout.microtensor(
        "grade", "--quiet", "--lesson", "perceptron", cwd=kit, package_parent=kit
    )
    assert stubs.returncode == 1 and "not implemented yet" in stubs.stdout
    solved = str(tmp_path / "kit")
    shutil.copytree(kit, solved)
    shutil.copy(
        os.path.join(checkout.REPO, "solutions", "perceptron.py"),
        os.path.join(solved, "exercises"),
    )
    full = checkout.microtensor(
        "grade", "--quiet", "--lesson", "perceptron", cwd=solved, package_parent=solved
    )
    assert full.returncode == 0, full.stdout[-2000:]


def test_plain_pytest_in_the_kit_runs_the_graded_suite_on_exercises(released):
    _, kit, _ = released
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q"],
        cwd=kit,
        env=checkout.environment(kit),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 1, done.stdout[-2000:]
    assert "microtensor grade" in done.stdout and "not implemented yet" in done.stdout
    shipped = sum(1 for name, visibility in listed(kit))
    assert f"{shipped} failed" in done.stdout.strip().splitlines()[-1]
    assert not os.path.exists(os.path.join(kit, ".pytest_cache"))


def test_a_solution_line_in_the_kit_fails_the_release_loudly(tmp_path):
    source = checkout.make_checkout(str(tmp_path / "source"))
    shutil.copy(
        os.path.join(source, "solutions", "perceptron.py"),
        os.path.join(source, "exercises", "perceptron.py"),
    )
    out = tmp_path / "kit"
    done = checkout.microtensor(
        "release", str(out), "--source", source, cwd=str(tmp_path)
    )
    assert done.returncode == 2
    assert "FAILED: lines of the reference solutions are in the release" in done.stderr
    assert "exercises/perceptron.py:" in done.stderr
    assert "(solutions/perceptron.py:" in done.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["source"]


def test_release_refuses_to_overwrite_without_force(released, tmp_path):
    source, _, _ = released
    out = tmp_path / "kit"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    done = checkout.microtensor(
        "release", str(out), "--source", source, cwd=str(tmp_path)
    )
    assert done.returncode == 2 and "--force" in done.stderr
    assert (out / "keep.txt").read_text() == "mine"


def test_the_kit_installs_fresh_and_grades_from_the_installed_package(
    released, tmp_path
):
    _, kit, _ = released
    copy = str(tmp_path / "kit")
    shutil.copytree(kit, copy)
    venv = str(tmp_path / "venv")
    env = checkout.environment()
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", venv],
        check=True,
        env=env,
        timeout=300,
    )
    python = os.path.join(venv, "bin", "python")
    installed = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", copy],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    where = subprocess.run(
        [
            python,
            "-I",
            "-c",
            "from microtensor.grading import registry; print(registry.SUITE_DIR)",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert where.stdout.strip().startswith(venv), where.stdout + where.stderr
    graded = subprocess.run(
        [
            os.path.join(venv, "bin", "microtensor"),
            "grade",
            "--quiet",
            "--lesson",
            "perceptron",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert graded.returncode == 1 and "Score: 0 / " in graded.stdout
    tested = subprocess.run(
        [python, "-I", "-m", "pytest", "-q", "-k", "perceptron"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert tested.returncode == 1 and "microtensor grade" in tested.stdout
    assert " passed" not in tested.stdout.strip().splitlines()[-1]
