"""A student's zip is unpacked without trusting its names, sizes or links."""

from __future__ import annotations

import os
import stat
import zipfile

import pytest

from microtensor.instructor import unzip
from microtensor.instructor.files import find_submission_root, safe_name


def make_zip(path, members) -> str:
    """``members``: (name, bytes) or (ZipInfo, bytes) pairs."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return str(path)


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(
    "name, words",
    [
        ("../escape.py", "climbs out"),
        ("a/../../escape.py", "climbs out"),
        ("/etc/escape.py", "absolute path"),
        ("C:/escape.py", "absolute path"),
        ("..\\escape.py", "climbs out"),
    ],
)
def test_paths_that_leave_the_folder_refuse_the_whole_zip(tmp_path, name, words):
    archive = make_zip(tmp_path / "s.zip", [("neuron.py", b"x = 1\n"), (name, b"bad")])
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(unzip.UnsafeZip, match=words):
        unzip.extract(archive, str(target))
    assert not (tmp_path / "escape.py").exists()


def test_links_and_macos_metadata_are_left_out_with_a_note(tmp_path):
    archive = make_zip(
        tmp_path / "s.zip",
        [
            ("work/neuron.py", b"x = 1\n"),
            (symlink_info("work/perceptron.py"), b"/work/main/solutions/perceptron.py"),
            ("__MACOSX/work/._neuron.py", b"meta"),
            ("work/.DS_Store", b"meta"),
        ],
    )
    target = tmp_path / "out"
    target.mkdir()
    notes = unzip.extract(archive, str(target))
    assert notes == ["work/perceptron.py was left out: it is a symbolic link"]
    assert sorted(os.listdir(target / "work")) == ["neuron.py"]
    assert not (target / "__MACOSX").exists()
    assert find_submission_root(str(target), ["neuron", "perceptron"]) == str(
        target / "work"
    )


def test_a_zip_bomb_is_stopped_by_bytes_read_not_by_its_headers(tmp_path):
    archive = make_zip(
        tmp_path / "s.zip", [("neuron.py", b"\0" * (unzip.MAX_FILE_BYTES + 1))]
    )
    assert os.path.getsize(archive) < 100_000
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(unzip.UnsafeZip, match="larger than 16 MB"):
        unzip.extract(archive, str(target))


def test_too_many_members_or_a_name_twice_refuse_the_zip(tmp_path):
    many = make_zip(
        tmp_path / "many.zip", [(f"f{k}.py", b"") for k in range(unzip.MAX_MEMBERS + 1)]
    )
    twice = make_zip(tmp_path / "twice.zip", [("neuron.py", b"a"), ("NEURON.py", b"b")])
    for archive, words in ((many, "files in the zip"), (twice, "appears twice")):
        target = tmp_path / f"out-{os.path.basename(archive)}"
        target.mkdir()
        with pytest.raises(unzip.UnsafeZip, match=words):
            unzip.extract(archive, str(target))


def test_something_that_is_not_a_zip_is_named_as_such(tmp_path):
    path = tmp_path / "s.zip"
    path.write_bytes(b"PK\x03\x04 nothing else")
    with pytest.raises(unzip.UnsafeZip, match="not a readable zip file"):
        unzip.extract(str(path), str(tmp_path))


def test_student_names_become_safe_folder_names():
    assert safe_name("Ana María/../x") == "Ana_Mar_a_.._x"
    assert safe_name("..") == "student"
    assert safe_name("bob@example.org") == "bob@example.org"
