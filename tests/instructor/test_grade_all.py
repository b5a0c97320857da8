"""``microtensor grade-all``: 30 mixed submissions, two at a time, one gradebook."""

from __future__ import annotations

import csv
import json
import os
import shutil
import zipfile

import checkout
import pytest

from microtensor.grading import registry
from microtensor.instructor import gradeall

HOSTILE = os.path.join(checkout.FIXTURES, "hostile")
BUGGY = os.path.join(checkout.FIXTURES, "submissions")
#: hostile fixtures whose perceptron lesson must score zero, and the others' full marks
ZEROED = (
    "hard_exit_at_import",
    "hang_at_import",
    "read_solutions",
    "conftest_forces_pass",
    "brings_sitecustomize",
)
INTACT = ("exit_mid_test", "print_flood", "fork_bomb", "fake_results")
OPTIONS = ("--lesson", "perceptron", "--timeout", "4", "--jobs", "2")
CLASS_SIZE = 30
#: fixture submissions of lessons 1 and 2 (each holds a perceptron.py)
LESSON_12 = (
    "correct_alternative",
    "leaky_",
    "neuron_",
    "perceptron_",
    "sigmoid_",
    "stubs_partial",
    "swish_",
    "tanh_",
)


def perceptron_points() -> float:
    return sum(t.points for t in registry.all_tests("perceptron"))


def copy_fixture(source: str, target: str) -> None:
    """Copy a fixture folder, giving brought_X files their real names X."""
    os.makedirs(target)
    for name in os.listdir(source):
        real = name.removeprefix("brought_")
        if not os.path.islink(os.path.join(source, name)):
            shutil.copy(os.path.join(source, name), os.path.join(target, real))


def zip_folder(folder: str, zip_path: str, prefix: str = "") -> None:
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name in sorted(os.listdir(folder)):
            archive.write(os.path.join(folder, name), prefix + name)


def build_class(root: str) -> dict:
    """30 submissions; returns student -> what their row must show."""
    subs = os.path.join(root, "submissions")
    os.makedirs(subs)
    staging = os.path.join(root, "staging")
    expect = {}
    for k in range(5):  # the reference, as folders and as zips, flat and nested
        folder = os.path.join(staging, f"correct{k}")
        copy_fixture(os.path.join(checkout.REPO, "solutions"), folder)
        if k < 3:
            shutil.copytree(folder, os.path.join(subs, f"correct{k}"))
        else:
            zip_folder(
                folder,
                os.path.join(subs, f"correct{k}.zip"),
                prefix=f"correct{k}/" if k == 4 else "",
            )
        expect[f"correct{k}"] = "full"
    for name in ZEROED + INTACT:
        copy_fixture(os.path.join(HOSTILE, name), os.path.join(subs, f"hostile_{name}"))
        expect[f"hostile_{name}"] = "zero" if name in ZEROED else "full"
    shutil.copytree(
        os.path.join(checkout.REPO, "exercises"), os.path.join(subs, "stubs")
    )
    expect["stubs"] = "zero"
    _malformed(subs, expect)
    buggy = [
        n
        for n in sorted(os.listdir(BUGGY))
        if n.startswith(LESSON_12)
        and os.path.exists(os.path.join(BUGGY, n, "perceptron.py"))
    ]
    assert len(buggy) >= CLASS_SIZE - len(expect) - 3
    for name in buggy[: CLASS_SIZE - len(expect)]:
        copy_fixture(os.path.join(BUGGY, name), os.path.join(subs, name))
        lost = name.startswith(("perceptron_", "stubs_partial"))
        expect[name] = "some lost" if lost else "full"
    for k in range(5, CLASS_SIZE - len(expect) + 5):  # more of the reference if short
        shutil.copytree(
            os.path.join(checkout.REPO, "solutions"), os.path.join(subs, f"correct{k}")
        )
        expect[f"correct{k}"] = "full"
    assert len(expect) == CLASS_SIZE
    return expect


def _malformed(subs: str, expect: dict) -> None:
    with open(os.path.join(subs, "notes.txt"), "w") as f:
        f.write("not a submission")
    expect["notes.txt"] = "malformed"
    with open(os.path.join(subs, "broken.zip"), "wb") as f:
        f.write(b"PK\x03\x04 this is no zip")
    expect["broken"] = "malformed"
    with zipfile.ZipFile(os.path.join(subs, "escape.zip"), "w") as archive:
        archive.writestr("../../outside.py", "print('escaped')\n")
        archive.writestr("perceptron.py", "x = 1\n")
    expect["escape"] = "malformed"
    os.makedirs(os.path.join(subs, "empty", "nothing here"))
    expect["empty"] = "no files"


def read_book(path: str) -> dict:
    with open(path, newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def grade_all(root: str, book: str):
    """Run grade-all with the class's own copy of the package.

    A copy, so that the grader version (a digest of the package) stays the same
    between the runs of a test even while the repository changes.
    """
    return checkout.microtensor(
        "grade-all",
        os.path.join(root, "submissions"),
        "--out",
        book,
        *OPTIONS,
        cwd=root,
        package_parent=os.path.join(root, "checkout"),
    )


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("class"))
    checkout.make_checkout(os.path.join(root, "checkout"))
    expect = build_class(root)
    book = os.path.join(root, "gradebook.csv")
    return root, expect, book, grade_all(root, book)


def test_the_batch_completes_with_a_row_and_results_per_student(batch):
    root, expect, book, first = batch
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    rows = read_book(book)
    assert sorted(rows) == sorted(expect)
    assert list(next(iter(rows.values()))) == [
        "student",
        "perceptron",
        "total",
        "out_of",
        "status",
        "seconds",
    ]
    for student in expect:
        key = gradeall.files.safe_name(student)
        with open(os.path.join(root, "gradebook-results", key, "results.json")) as f:
            results = json.load(f)
        assert float(rows[student]["total"]) == pytest.approx(
            sum(t["score"] for t in results["tests"])
        )
    malformed = sum(1 for kind in expect.values() if kind == "malformed")
    assert f"[{CLASS_SIZE}/{CLASS_SIZE}]" in first.stdout
    assert (
        f"{CLASS_SIZE} submissions: {CLASS_SIZE - malformed} graded, 0 unchanged "
        f"(not graded again), {malformed} malformed, 0 crashed"
    ) in first.stdout


def test_every_row_scores_what_its_submission_deserves(batch):
    _, expect, book, _ = batch
    rows, full = read_book(book), perceptron_points()
    for student, kind in expect.items():
        row = rows[student]
        total = float(row["total"])
        assert float(row["perceptron"]) == total
        if kind == "full":
            assert total == full and row["status"] in ("graded", "graded, flagged"), row
        elif kind == "some lost":
            assert total < full and row["status"] == "graded", row
        elif kind == "zero":
            assert total == 0 and row["status"].startswith("graded"), row
        elif kind == "malformed":
            assert total == 0 and row["status"].startswith("malformed: "), row
        else:
            assert total == 0 and row["status"] == "no lesson files found", row
        assert float(row["out_of"]) == full


def test_the_escaping_zip_wrote_nothing_outside(batch):
    root, *_ = batch
    assert not os.path.exists(os.path.join(root, "outside.py"))
    assert not os.path.exists(os.path.join(os.path.dirname(root), "outside.py"))


def test_a_rerun_skips_everything_unchanged_and_regrades_a_changed_student(batch):
    root, _, book, _ = batch
    with open(book) as f:
        before = f.read()
    again = grade_all(root, book)
    assert "0 graded, 30 unchanged" in again.stdout, again.stdout[-2000:]
    with open(book) as f:
        assert f.read() == before
    with open(os.path.join(root, "submissions", "stubs", "perceptron.py"), "w") as f:
        f.write("raise SystemExit('changed my mind')\n")
    changed = grade_all(root, book)
    assert "1 graded, 29 unchanged" in changed.stdout, changed.stdout[-2000:]
    assert "stubs: 0/" in changed.stdout


def test_a_crashing_grader_costs_one_row_only(tmp_path):
    results = tmp_path / "results.json"
    summary = tmp_path / "summary.json"
    config = {
        "submission": str(tmp_path),
        "limits": {"no_such_limit": 1},
        "results": str(results),
        "summary": str(summary),
    }
    outcome = gradeall.run_child_process(config, str(tmp_path), timeout=120)
    assert outcome.startswith("crashed: the grading process exited with status 1")
    assert "no_such_limit" in outcome
    assert not summary.exists()


def test_a_hanging_grader_is_stopped(tmp_path):
    folder = tmp_path / "sub"
    shutil.copytree(os.path.join(checkout.REPO, "solutions"), folder)
    config = {
        "submission": str(folder),
        "lessons": ["neuron"],
        "results": str(tmp_path / "r.json"),
        "summary": str(tmp_path / "s.json"),
    }
    outcome = gradeall.run_child_process(config, str(tmp_path), timeout=1.0)
    assert outcome == "timed out: grading took more than 1 s"
    assert not (tmp_path / "s.json").exists()


def test_student_names_cannot_inject_spreadsheet_formulas():
    rows = {
        '=HYPERLINK("http://x")': {
            "total": 1,
            "max_total": 2,
            "status": "graded",
            "lessons": {"neuron": 1},
            "seconds": 0.5,
        }
    }
    text = gradeall.gradebook_text(rows, ["neuron"])
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
