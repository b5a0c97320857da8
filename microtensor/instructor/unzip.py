"""Unpack a student's zip without trusting anything in it.

Refused outright (the submission is malformed): a member whose path is
absolute, has a drive letter or a ``..`` part, an encrypted member, a name
used twice, more than `MAX_MEMBERS` members, a member larger than
`MAX_FILE_BYTES` or more than `MAX_TOTAL_BYTES` in all. Sizes are counted
while reading, never taken from the zip's own headers. Left out with a note:
symbolic links and macOS metadata (``__MACOSX/``, ``._*``).
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib

MAX_MEMBERS = 1000
MAX_FILE_BYTES = 16 * 2**20
MAX_TOTAL_BYTES = 64 * 2**20
CHUNK = 1 << 16


class UnsafeZip(Exception):
    """The zip cannot be unpacked safely; the message says why."""


def extract(zip_path: str, target: str) -> list[str]:
    """Unpack ``zip_path`` into the empty folder ``target``; note what was left out.

    Raises
    ------
    UnsafeZip
        For anything in the module docstring's refused list, or a zip that is
        not a zip.
    """
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeZip(f"not a readable zip file ({exc})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnsafeZip(f"{len(members)} files in the zip; at most {MAX_MEMBERS}")
        return _extract_members(archive, members, os.path.abspath(target))


def _extract_members(archive, members, target: str) -> list[str]:
    notes, seen, total = [], set(), 0
    for member in members:
        parts = member_parts(member.filename)
        if not parts or _is_metadata(parts):
            continue
        if stat.S_ISLNK(member.external_attr >> 16):
            notes.append(f"{'/'.join(parts)} was left out: it is a symbolic link")
            continue
        if member.flag_bits & 0x1:
            raise UnsafeZip(f"{member.filename!r} is encrypted")
        key = "/".join(parts).lower()
        if key in seen:
            raise UnsafeZip(f"{member.filename!r} appears twice in the zip")
        seen.add(key)
        destination = os.path.join(target, *parts)
        if member.is_dir():
            os.makedirs(destination, exist_ok=True)
            continue
        total += _copy_member(archive, member, destination, MAX_TOTAL_BYTES - total)
    return notes


def member_parts(name: str) -> list[str]:
    """The path parts of a member name; UnsafeZip when it could land outside."""
    text = name.replace("\\", "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if text.startswith("/") or (parts and len(parts[0]) >= 2 and parts[0][1] == ":"):
        raise UnsafeZip(f"{name!r} has an absolute path")
    if ".." in parts:
        raise UnsafeZip(f"{name!r} climbs out of the folder with '..'")
    if any("\0" in p for p in parts):
        raise UnsafeZip(f"{name!r} has a NUL in its name")
    return parts


def _is_metadata(parts: list[str]) -> bool:
    return (
        parts[0] == "__MACOSX" or parts[-1].startswith("._") or parts[-1] == ".DS_Store"
    )


def _copy_member(archive, member, destination: str, room: int) -> int:
    """Copy one member, counting bytes as they come; return how many were written."""
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    written = 0
    try:
        with archive.open(member) as source, open(destination, "xb") as out:
            for block in iter(lambda: source.read(CHUNK), b""):
                written += len(block)
                if written > MAX_FILE_BYTES:
                    raise UnsafeZip(
                        f"{member.filename!r} is larger than "
                        f"{MAX_FILE_BYTES // 2**20} MB"
                    )
                if written > room:
                    raise UnsafeZip(
                        f"the zip holds more than {MAX_TOTAL_BYTES // 2**20} MB"
                    )
                out.write(block)
    except (
        zipfile.BadZipFile,
        zlib.error,
        RuntimeError,
        NotImplementedError,
        OSError,
        EOFError,
    ) as exc:
        raise UnsafeZip(f"{member.filename!r} cannot be read ({exc})") from None
    return written
