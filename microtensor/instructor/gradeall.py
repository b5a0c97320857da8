"""``microtensor grade-all``: grade a class, one submission at a time or N at once.

Each entry of SUBMISSIONS_DIR is one student: a folder, or a ``.zip`` that is
unpacked safely (`unzip`). Each submission is graded by `child` in a Python
process of its own, under a wall-time limit, so that a crash, a hang or a
malformed submission costs that student's row only. Every student gets
``<results>/<student>/results.json`` (Gradescope's format) and
``summary.json``; the CSV gradebook is rewritten after every student, so an
interrupted batch leaves what it finished. A re-run skips a student whose
files, grading options and grader version (`files.grader_version`) are
unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from microtensor.cli import seconds
from microtensor.instructor import child, files
from microtensor.instructor.unzip import UnsafeZip, extract

RETRIED = ("crashed", "timed out")
SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")
#: the child's wall-time limit beyond the grading budget: start-up, writing results
CHILD_MARGIN_SECONDS = 120.0


@dataclass
class Entry:
    """One student's submission: ``kind`` is "folder", "zip" or "other"."""

    student: str
    key: str
    path: str
    kind: str


@dataclass
class Batch:
    """What one grade-all run needs to know, and the rows it has so far."""

    submissions: str
    out: str
    results: str
    lessons: list
    limits: dict
    force: bool = False
    work: str = ""
    version: str = ""
    max_total: float = 0.0
    rows: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def forbidden(self) -> list[str]:
        """Where no worker may read: all students' files, the results, the gradebook."""
        return [self.submissions, self.work, self.results, os.path.abspath(self.out)]


# ------------------------------------------------------------------ discovery


def discover(folder: str) -> list[Entry]:
    """One entry per student, in name order; hidden names are skipped."""
    entries, keys = [], set()
    for name in sorted(os.listdir(folder)):
        if name.startswith(".") or name == "__MACOSX":
            continue
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            kind, student = "folder", name
        elif name.lower().endswith(".zip") and os.path.isfile(path):
            kind, student = "zip", name[:-4]
        else:
            kind, student = "other", name
        key = files.safe_name(student)
        while key in keys:
            key += "_"
        keys.add(key)
        entries.append(Entry(student, key, path, kind))
    return entries


def fingerprint(entry: Entry, batch: Batch) -> str:
    """Changes when the student's files, the options or the grader change."""
    options = json.dumps([batch.lessons, batch.limits, batch.version], sort_keys=True)
    digest = files.content_digest(entry.path) if entry.kind != "other" else "other"
    return f"{batch.version}:{hash_text(options)}:{digest[:24]}"


def hash_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:12]


# ------------------------------------------------------------------ one student


def grade_entry(entry: Entry, batch: Batch) -> tuple[dict, bool]:
    """Grade one student unless nothing changed; return (summary, skipped)."""
    folder = os.path.join(batch.results, entry.key)
    results_path = os.path.join(folder, "results.json")
    summary_path = os.path.join(folder, "summary.json")
    try:
        stamp = fingerprint(entry, batch)
    except OSError as exc:
        stamp = f"unreadable: {exc}"
    old = files.read_json(summary_path)
    if (
        not batch.force
        and isinstance(old, dict)
        and old.get("fingerprint") == stamp
        and os.path.exists(results_path)
        and not str(old.get("status", "")).startswith(RETRIED)
    ):
        return old, True
    try:
        summary = _grade(entry, batch, stamp, results_path, summary_path)
    except Exception as exc:  # noqa: BLE001 -- one student's problem never stops the batch
        summary = _harness_summary(
            f"crashed: the batch could not grade it ({exc})",
            stamp,
            batch,
            results_path,
            summary_path,
        )
    return summary, False


def _grade(entry, batch, stamp, results_path, summary_path) -> dict:
    from microtensor.grading.registry import LESSONS

    if entry.kind == "other":
        return _harness_summary(
            "malformed: not a folder or a .zip file",
            stamp,
            batch,
            results_path,
            summary_path,
        )
    notes, folder = [], entry.path
    if entry.kind == "zip":
        folder = os.path.join(batch.work, entry.key)
        os.makedirs(folder)
        try:
            notes = extract(entry.path, folder)
        except UnsafeZip as exc:
            return _harness_summary(
                f"malformed: {exc}", stamp, batch, results_path, summary_path
            )
    root = files.find_submission_root(folder, batch.lessons or LESSONS)
    summary = _run_child(
        entry, batch, stamp, root or folder, notes, results_path, summary_path
    )
    if root is None and summary["status"].startswith("graded"):
        summary["status"] = "no lesson files found"
        files.write_json(summary_path, summary)
    return summary


def _run_child(entry, batch, stamp, submission, notes, results_path, summary_path):
    """Grade in a separate process; a crash or a hang becomes the student's status."""
    trusted = tempfile.mkdtemp(prefix=f"{entry.key}-grader-", dir=batch.work)
    config = {
        "submission": submission,
        "lessons": batch.lessons,
        "limits": batch.limits,
        "forbidden": batch.forbidden,
        "notes": notes,
        "results": results_path,
        "summary": summary_path,
        "fingerprint": stamp,
        "grader_version": batch.version,
    }
    if os.path.exists(summary_path):
        os.unlink(summary_path)
    budget = batch.limits.get("total_seconds", 1200.0) + CHILD_MARGIN_SECONDS
    outcome = run_child_process(config, trusted, budget)
    summary = files.read_json(summary_path)
    if outcome or not isinstance(summary, dict):
        reason = outcome or "it wrote no summary"
        return _harness_summary(reason, stamp, batch, results_path, summary_path)
    return summary


def run_child_process(config: dict, cwd: str, timeout: float) -> str:
    """Run `child` with ``config``; return "" on success, else why it failed."""
    parent = os.path.dirname(files.PACKAGE_DIR)
    command = [
        sys.executable,
        "-I",
        "-B",
        "-c",
        child.BOOTSTRAP.format(parent=parent),
        json.dumps(config),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = os.path.join(cwd, ".hypothesis")
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        return f"timed out: grading took more than {timeout:g} s"
    if process.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        return (
            f"crashed: the grading process exited with status {process.returncode}"
            + (f" ({' / '.join(tail)})" if tail else "")
        )
    return ""


def _stop(process) -> None:
    """Ask the grading process to close its worker, then make sure it is gone."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.communicate(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _harness_summary(status, stamp, batch, results_path, summary_path) -> dict:
    """A zero-score row and results.json saying why the submission was not graded."""
    from microtensor.grading.results_json import harness_failure, write_results

    write_results(results_path, harness_failure(status))
    summary = {
        "lessons": {},
        "max_lessons": {},
        "total": 0.0,
        "max_total": batch.max_total,
        "status": status,
        "seconds": 0.0,
        "notes": [],
        "fingerprint": stamp,
        "grader_version": batch.version,
    }
    files.write_json(summary_path, summary)
    return summary


# ------------------------------------------------------------------ gradebook


def gradebook_text(rows: dict, lessons: list) -> str:
    """The CSV: student, one column per lesson, total, out of, status, seconds."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", *lessons, "total", "out_of", "status", "seconds"])
    for student in sorted(rows):
        summary = rows[student]
        scores = [
            _number(summary.get("lessons", {}).get(lesson, 0.0)) for lesson in lessons
        ]
        writer.writerow(
            [
                _cell(student),
                *scores,
                _number(summary.get("total", 0.0)),
                _number(summary.get("max_total", 0.0)),
                _cell(str(summary.get("status", ""))),
                f"{float(summary.get('seconds', 0.0)):.1f}",
            ]
        )
    return buffer.getvalue()


def _number(value) -> str:
    return f"{float(value):g}"


def _cell(text: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula.
    return "'" + text if text.startswith(SPREADSHEET_FORMULA) else text


# ------------------------------------------------------------------ the command


def add_arguments(parser) -> None:
    parser.add_argument(
        "submissions", metavar="SUBMISSIONS_DIR", help="one folder or .zip per student"
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="GRADEBOOK_CSV",
        help="the CSV gradebook to write",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="grade N submissions at once (default 1)",
    )
    parser.add_argument(
        "--results",
        metavar="DIR",
        help="where each student's results.json goes "
        "(default: GRADEBOOK-results/ beside the CSV)",
    )
    parser.add_argument(
        "--lesson",
        action="append",
        metavar="NAME",
        help="grade only this lesson (repeat for several)",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=10.0,
        metavar="SECONDS",
        help="time limit of one call into a submission (default 10)",
    )
    parser.add_argument(
        "--budget",
        type=seconds,
        default=1200.0,
        metavar="SECONDS",
        help="time limit of one whole submission (default 1200)",
    )
    parser.add_argument(
        "--force", action="store_true", help="grade again even what is unchanged"
    )
    parser.add_argument("--quiet", action="store_true", help="print the summary only")


def run(args) -> int:
    from microtensor.cli import EXIT_CANNOT_GRADE, say
    from microtensor.grading import registry

    problem = _check_arguments(args, registry)
    if problem:
        say(f"microtensor grade-all: {problem}", sys.stderr)
        return EXIT_CANNOT_GRADE
    batch = _batch(args, registry)
    entries = discover(batch.submissions)
    _warn_if_readable(batch.submissions, say)
    progress = Progress(len(entries), quiet=args.quiet)
    try:
        counts = _grade_all(entries, batch, max(1, args.jobs), progress)
    finally:
        shutil.rmtree(batch.work, ignore_errors=True)
    progress.done()
    say(_closing_line(counts, len(entries), batch))
    _warn_if_root_workers(batch, say)
    return 1 if counts.get("harness") else 0


def _check_arguments(args, registry) -> str:
    if not os.path.isdir(args.submissions):
        return (
            f"{args.submissions} is not a folder (give the folder with one "
            "folder or zip per student)"
        )
    unknown = [lesson for lesson in args.lesson or () if lesson not in registry.LESSONS]
    if unknown:
        known = ", ".join(registry.LESSONS)
        return f"unknown lesson {unknown[0]!r}; the lessons are {known}"
    if args.jobs < 1:
        return f"--jobs must be at least 1, got {args.jobs}"
    return ""


def _batch(args, registry) -> Batch:
    out = os.path.abspath(args.out)
    results = os.path.abspath(args.results or os.path.splitext(out)[0] + "-results")
    lessons = list(args.lesson or registry.lessons_with_tests())
    work = tempfile.mkdtemp(prefix="microtensor-grade-all-")
    os.chmod(work, 0o700)
    limits = {"call_seconds": args.timeout, "total_seconds": args.budget}
    max_total = sum(t.points for t in registry.all_tests() if t.lesson in lessons)
    return Batch(
        os.path.abspath(args.submissions),
        out,
        results,
        lessons,
        limits,
        args.force,
        work,
        files.grader_version(),
        max_total,
    )


def _grade_all(entries, batch, jobs, progress) -> dict:
    counts: dict = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(grade_entry, entry, batch): entry for entry in entries}
        for future in as_completed(futures):
            entry = futures[future]
            try:
                summary, skipped = future.result()
            except Exception as exc:  # noqa: BLE001 -- e.g. a full disk: keep going
                summary = {"status": f"crashed: {exc}", "total": 0.0, "max_total": 0.0}
                skipped = False
            with batch.lock:
                batch.rows[entry.student] = summary
                files.write_text(batch.out, gradebook_text(batch.rows, batch.lessons))
            kind = "skipped" if skipped else _kind(summary["status"])
            counts[kind] = counts.get(kind, 0) + 1
            progress.tick(entry.student, summary, skipped)
    if not entries:
        files.write_text(batch.out, gradebook_text({}, batch.lessons))
    return counts


def _kind(status: str) -> str:
    if status.startswith(RETRIED):
        return "harness"
    if status.startswith("malformed"):
        return "malformed"
    return "graded"


def _closing_line(counts: dict, total: int, batch: Batch) -> str:
    parts = [
        f"{counts.get('graded', 0)} graded",
        f"{counts.get('skipped', 0)} unchanged (not graded again)",
        f"{counts.get('malformed', 0)} malformed",
        f"{counts.get('harness', 0)} crashed or timed out",
    ]
    return (
        f"{total} submissions: {', '.join(parts)}\n"
        f"gradebook: {batch.out}\nresults:   {batch.results}"
    )


def _warn_if_root_workers(batch: Batch, say) -> None:
    """Say so when workers ran as root: the sandbox was then the audit hook alone."""
    count = sum(
        1
        for summary in batch.rows.values()
        if any("ran as root" in str(note) for note in summary.get("notes", []))
    )
    if count:
        say(
            f"warning: for {count} submission(s) the worker ran as root, because user "
            "nobody cannot reach this Python; its only guard was then the audit "
            "hook, which native code can step around (see the instructor guide)",
            sys.stderr,
        )


def _warn_if_readable(folder: str, say) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0 and os.stat(folder).st_mode & 0o004:
        say(
            f"note: {folder} is readable by every user, the grader's unprivileged "
            "worker included; `chmod o-rwx` it so that a submission that escaped "
            "its sandbox still could not read its classmates' work",
            sys.stderr,
        )


class Progress:
    """A bar redrawn on a terminal; one line per student elsewhere."""

    def __init__(self, total: int, quiet: bool = False, stream=None):
        self.total, self.count, self.quiet = total, 0, quiet
        self.stream = stream or sys.stderr
        self.live = not quiet and getattr(self.stream, "isatty", lambda: False)()
        self.started = time.monotonic()

    def tick(self, student: str, summary: dict, skipped: bool) -> None:
        from microtensor.cli import say

        self.count += 1
        score = (
            f"{_number(summary.get('total', 0))}/{_number(summary.get('max_total', 0))}"
        )
        what = "unchanged, not graded again" if skipped else summary.get("status", "")
        if self.live:
            done = int(30 * self.count / max(1, self.total))
            self.stream.write(
                f"\r[{'#' * done}{'.' * (30 - done)}] {self.count}/"
                f"{self.total}  {student[:24]}: {score} {what[:30]}"
                f"  {time.monotonic() - self.started:.0f} s\x1b[K"
            )
            self.stream.flush()
        elif not self.quiet:
            width = len(str(self.total))
            say(
                f"[{self.count:>{width}}/{self.total}] {student}: {score}  {what}  "
                f"({float(summary.get('seconds', 0.0)):.1f} s)"
            )

    def done(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
