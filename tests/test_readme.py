"""The README's Python examples run, and its first lines are the set-up commands."""

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def test_readme_opens_with_install_and_main_job_then_tests():
    first_block = re.search(r"```bash\n(.*?)```", README, re.DOTALL).group(1).splitlines()
    assert "pip install" in first_block[0] and "microtensor grade" in first_block[0]
    assert first_block[1].strip() == "pytest"


def test_every_python_block_runs():
    blocks = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    assert blocks
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
