"""The data files ship with the package and are found after a real install."""

import fnmatch
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import microtensor.datasets

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = Path(microtensor.datasets.__file__).parent / "data"
SHIPPED = ["README.md", "digits.npz", "iris.npz", "text.txt"]
MAX_BYTES = 300_000


def _package_data_globs():
    import tomllib

    with open(REPO / "pyproject.toml", "rb") as handle:
        config = tomllib.load(handle)
    return config["tool"]["setuptools"]["package-data"]["microtensor"]


def test_the_data_folder_holds_exactly_the_shipped_files():
    assert sorted(p.name for p in DATA_DIR.iterdir()) == sorted(SHIPPED)


def test_every_data_file_matches_a_package_data_glob():
    globs = _package_data_globs()
    for path in DATA_DIR.iterdir():
        relative = path.relative_to(DATA_DIR.parents[1]).as_posix()
        assert any(fnmatch.fnmatch(relative, g) for g in globs), relative


def test_the_shipped_files_are_small():
    total = sum(path.stat().st_size for path in DATA_DIR.iterdir())
    assert total < MAX_BYTES, f"data/ holds {total} bytes, limit {MAX_BYTES}"


def _copy_project(destination: Path) -> Path:
    source = destination / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(REPO / "microtensor", source / "microtensor", ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", source)
    readme = REPO / "README.md"
    if readme.exists():
        shutil.copy(readme, source)
    else:
        (source / "README.md").write_text("microtensor\n")
    return source


def _run(*args, **kwargs):
    result = subprocess.run(args, check=False, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_a_built_and_installed_wheel_loads_every_data_set(tmp_path):
    source = _copy_project(tmp_path)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path, source)
    (wheel,) = tmp_path.glob("microtensor-*.whl")

    names = zipfile.ZipFile(wheel).namelist()
    for name in SHIPPED:
        assert f"microtensor/datasets/data/{name}" in names

    site = tmp_path / "site"
    _run(*pip, "install", "--no-deps", "--target", site, wheel)
    check = textwrap.dedent(
        """
        import microtensor.datasets as D
        print(D.__file__)
        assert D.load_digits().X_test.shape == (355, 64)
        assert D.load_iris().X_train.shape == (120, 4)
        assert D.binarized_digits()[0].shape == (1797, 8, 8)
        assert D.load_text().startswith("Address delivered")
        """
    )
    result = _run(sys.executable, "-c", check, cwd=tmp_path, env=_env_with_path(site))
    assert Path(result.stdout.strip()).is_relative_to(site)


def _env_with_path(site: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(site)
    return env
