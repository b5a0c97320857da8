"""Let the grader's worker reach the temporary folders these tests grade in.

Run as root, the grader starts its worker as the unprivileged user nobody
(when nobody can reach the interpreter). These tests grade with copies of the
package under pytest's temporary folders, which pytest makes private (0700):
the worker could then not import them. Folders the worker must read are made
traversable here and readable where the tests create them.
"""

import pytest


@pytest.fixture(scope="session", autouse=True)
def temporary_folders_reachable_by_the_worker(tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    for folder in (base, base.parent):
        folder.chmod(folder.stat().st_mode | 0o001)


@pytest.fixture
def tmp_path(tmp_path):
    """pytest's tmp_path, readable by the worker."""
    tmp_path.chmod(0o755)
    return tmp_path
