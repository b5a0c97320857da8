"""What the instructor commands share: where things are, fingerprints, safe writes."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import stat
import tempfile

import microtensor

PACKAGE_DIR = os.path.dirname(os.path.abspath(microtensor.__file__))
SKIPPED_NAMES = frozenset(
    [
        "__pycache__",
        ".git",
        "__MACOSX",
        ".DS_Store",
        ".pytest_cache",
        ".hypothesis",
        ".ipynb_checkpoints",
    ]
)
MAX_ROOT_DEPTH = 4


class InstructorError(Exception):
    """A command cannot do what was asked; the message says why and what to do."""


def source_root(given: str | None = None) -> str:
    """The source checkout: the folder with microtensor/, exercises/ and solutions/."""
    root = os.path.abspath(given or os.path.dirname(PACKAGE_DIR))
    missing = [
        name
        for name in ("microtensor", "exercises", "solutions")
        if not os.path.isdir(os.path.join(root, name))
    ]
    if missing:
        raise InstructorError(
            f"{root} is not a microtensor source checkout (no {', '.join(missing)}/); "
            "run the command from a clone of the repository or pass --source DIR"
        )
    return root


def grader_version() -> str:
    """A digest of everything that decides a score: the package's code and the versions.

    Any change to the engine, the grader or the graded suite, or to NumPy,
    Hypothesis or Python, gives a new version and so a new grading.
    """
    import hypothesis
    import numpy

    digest = hashlib.sha256()
    digest.update(
        f"{microtensor.__version__}|{numpy.__version__}|"
        f"{hypothesis.__version__}|{platform.python_version()}".encode()
    )
    for path in sorted(_python_files(PACKAGE_DIR)):
        digest.update(os.path.relpath(path, PACKAGE_DIR).encode() + b"\0")
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:16]


def _python_files(folder: str):
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in SKIPPED_NAMES]
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(root, name)


def content_digest(path: str) -> str:
    """A digest of a file's bytes, or of a folder's names, links and file bytes."""
    digest = hashlib.sha256()
    if os.path.isfile(path):
        _update_with_file(digest, path)
        return digest.hexdigest()
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_NAMES)
        for name in sorted(files):
            full = os.path.join(root, name)
            digest.update(os.path.relpath(full, path).encode() + b"\0")
            if os.path.islink(full):
                digest.update(b"link:" + os.readlink(full).encode())
            elif stat.S_ISREG(os.lstat(full).st_mode):
                _update_with_file(digest, full)
    return digest.hexdigest()


def _update_with_file(digest, path: str) -> None:
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)


def find_submission_root(folder: str, lessons) -> str | None:
    """The shallowest folder under ``folder`` that holds a ``<lesson>.py``.

    Students zip their files, or the folder around them, or a folder around
    that; searched breadth first, alphabetically, at most four levels deep,
    without following links.
    """
    wanted = {f"{lesson}.py" for lesson in lessons}
    level = [folder]
    for _ in range(MAX_ROOT_DEPTH + 1):
        following = []
        for current in level:
            try:
                entries = sorted(os.scandir(current), key=lambda e: e.name)
            except OSError:
                continue
            if any(e.name in wanted and not e.is_dir() for e in entries):
                return current
            following.extend(
                e.path
                for e in entries
                if e.is_dir(follow_symlinks=False)
                and e.name not in SKIPPED_NAMES
                and not e.name.startswith(".")
            )
        level = following
    return None


def safe_name(name: str) -> str:
    """A file-system-safe version of a student's name (letters, digits, ._@+-)."""
    cleaned = re.sub(r"[^A-Za-z0-9._@+-]", "_", name).strip(".") or "student"
    return cleaned[:120]


def write_json(path: str, data) -> None:
    """Write JSON atomically: to a temporary file beside ``path``, then rename."""
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_text(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        # mkstemp makes the file private (0600); give it the mode a plain
        # open() would, so a kit in a shared course folder stays readable.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_json(path: str):
    """The JSON in ``path``, or None when it is missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def copy_tree(source: str, target: str) -> None:
    """Copy a source folder without caches, compiled files or links."""
    ignore = shutil.ignore_patterns(*SKIPPED_NAMES, "*.pyc", "*.egg-info")
    shutil.copytree(source, target, ignore=ignore, symlinks=False)


def check_writable(path: str, force: bool) -> None:
    """Refuse to replace an existing, non-empty ``path`` unless ``force``."""
    if (
        os.path.lexists(path)
        and (not os.path.isdir(path) or os.listdir(path))
        and not force
    ):
        raise InstructorError(
            f"{path} already exists and is not empty; pass --force to replace it"
        )


def remove(path: str) -> None:
    """Remove a file, link or folder if it exists."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)
