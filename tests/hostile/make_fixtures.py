"""Write tests/fixtures/hostile/<name>/: the reference solution with one attack each.

Run ``python tests/hostile/make_fixtures.py`` after the reference solutions of
lessons 1-2 change, so that every hostile fixture stays correct except for its
attack. Each fixture's ATTACK.md says what it does and the tests in
test_hostile_submissions.py say what grading it must show.
"""

import os
import shutil
import textwrap

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "tests/fixtures/hostile")
NEURON = open(os.path.join(REPO, "solutions/neuron.py")).read()
PERCEPTRON = open(os.path.join(REPO, "solutions/perceptron.py")).read()

HEADER = "\n\n# " + "-" * 30 + " the attack (everything above is correct)\n\n"


def at_import(source, code):
    """Insert ``code`` right after the module's imports."""
    lines = source.splitlines(keepends=True)
    last = max(
        i
        for i, line in enumerate(lines)
        if line.startswith(("import ", "from ")) and i < 40
    )
    block = (
        "\n# "
        + "-" * 30
        + " the attack, at import (the rest is correct)\n"
        + textwrap.dedent(code).strip()
        + "\n"
    )
    return "".join(lines[: last + 1]) + block + "".join(lines[last + 1 :])


def at_end(source, code):
    return source.rstrip() + "\n" + HEADER + textwrap.dedent(code).strip() + "\n"


def gelu_prime(body):
    """Redefine gelu_prime at the end of neuron.py (ACTIVATIONS keeps the real one)."""
    return at_end(
        NEURON,
        "def gelu_prime(z):\n"
        + textwrap.indent(textwrap.dedent(body).strip(), "    ")
        + "\n",
    )


FIND_REPO = """
import os as _os

import microtensor as _mt

_PACKAGE = _os.path.dirname(_os.path.abspath(_mt.__file__))
_REPO = _os.path.dirname(_PACKAGE)
"""

FIXTURES = {}


def fixture(name, attack, neuron=NEURON, perceptron=PERCEPTRON, extra=None):
    FIXTURES[name] = (attack, neuron, perceptron, extra or {})


fixture(
    "exit_at_import",
    "neuron.py calls sys.exit(0) while it is imported.",
    neuron=at_import(NEURON, "import sys\n\nsys.exit(0)"),
)

fixture(
    "hard_exit_at_import",
    "perceptron.py calls os._exit(0) while it is imported: the process ends at "
    "once, without any exception the worker could catch.",
    perceptron=at_import(PERCEPTRON, "import os\n\nos._exit(0)"),
)

fixture(
    "hang_at_import",
    "perceptron.py loops forever while it is imported.",
    perceptron=at_import(PERCEPTRON, "while True:\n    pass"),
)

fixture(
    "exit_mid_test",
    "gelu_prime ends the worker process with os._exit(3) in the middle of a test.",
    neuron=gelu_prime("import os\n\nos._exit(3)"),
)

fixture(
    "infinite_loop",
    "gelu_prime ignores SIGTERM and SIGINT, then loops forever.",
    neuron=gelu_prime("""
            import signal

            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            while True:
                pass
        """),
)

fixture(
    "memory_bomb",
    "gelu_prime allocates 64 MB blocks until memory runs out.",
    neuron=gelu_prime("""
            blocks = []
            while True:
                blocks.append(bytearray(64 * 2**20))
        """),
)

fixture(
    "fork_bomb",
    "gelu_prime tries to start processes every way it knows (os.fork, "
    "subprocess, posix_spawn, _posixsubprocess.fork_exec, multiprocessing), a "
    "bounded number of times; a child that ever ran would leave a marker file "
    "next to the microtensor package.",
    neuron=gelu_prime("""
            import os
            import subprocess
            import sys

            import microtensor

            marker = os.path.join(os.path.dirname(os.path.dirname(
                os.path.abspath(microtensor.__file__))), "PWNED-fork-bomb")
            shell = ["/bin/sh", "-c", f"touch {marker}; sleep 30"]
            attempts = [
                lambda: os.fork(),
                lambda: subprocess.Popen(shell),
                lambda: os.posix_spawn("/bin/sh", shell, dict(os.environ)),
                lambda: __import__("_posixsubprocess").fork_exec,
                lambda: subprocess._fork_exec,
                lambda: __import__("multiprocessing").Process(target=print).start(),
                lambda: os.system(" ".join(shell)),
            ]
            refused = []
            for attempt in attempts * 3:
                try:
                    pid = attempt()
                except BaseException as exc:  # noqa: BLE001
                    refused.append(exc)
                    continue
                if pid == 0:  # a forked child: leave the marker and go
                    open(marker, "w").close()
                    os._exit(0)
            raise refused[0]
        """),
)

fixture(
    "print_flood",
    "gelu_prime prints 100 MB (ignoring write errors), then returns the right value.",
    neuron=gelu_prime("""
            import sys

            chunk = "x" * 2**20
            for _ in range(100):
                try:
                    sys.stdout.write(chunk)
                    sys.stdout.flush()
                except OSError:
                    pass
            z = _as_array(z)
            cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
            return cdf + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
        """),
)

fixture(
    "fake_results",
    "neuron.py, when imported, writes a results.json with a perfect score into "
    "every folder it can think of: its working folder and all its parents, the "
    "folders above its own file, results/ beside each of them, and "
    "/autograder/results. It is otherwise correct.",
    neuron=at_import(
        NEURON,
        FIND_REPO
        + """
import json as _json

_FAKE = {"score": 1000.0, "output": "FAKE RESULTS", "tests": [
    {"name": "everything", "score": 1000.0, "max_score": 1000.0,
     "status": "passed", "output": "FAKE RESULTS", "visibility": "visible"}]}


def _folders_to_try():
    for start in (_os.getcwd(), _os.path.dirname(_os.path.abspath(__file__)),
                  _REPO):
        folder = start
        while True:
            yield folder
            yield _os.path.join(folder, "results")
            parent = _os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    yield "/autograder/results"


for _folder in _folders_to_try():
    try:
        with open(_os.path.join(_folder, "results.json"), "w") as _f:
            _json.dump(_FAKE, _f)
    except OSError:
        pass
""",
    ),
)

fixture(
    "monkeypatch_libs",
    "neuron.py patches NumPy's comparisons, microtensor's Tensor and gradcheck, "
    "and Hypothesis inside the worker so that everything compares equal, then "
    "returns zeros from gelu_prime.",
    neuron=gelu_prime("""
            return np.zeros_like(np.asarray(z, dtype=float))
        """).replace(
        HEADER,
        HEADER
        + textwrap.dedent("""
            import hypothesis
            import numpy.testing


            def _always_true(*args, **kwargs):
                return True


            def _never_fails(*args, **kwargs):
                return None


            np.allclose = np.array_equal = np.array_equiv = _always_true
            np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), bool)
            numpy.testing.assert_allclose = _never_fails
            numpy.testing.assert_array_equal = _never_fails
            mt.gradcheck = _always_true
            mt.Tensor.allclose = _always_true
            hypothesis.given = lambda *args, **kwargs: (lambda test: _never_fails)
            hypothesis.assume = _always_true
        """).lstrip()
        + "\n\n",
    ),
)

fixture(
    "lying_eq",
    "gelu_prime returns an object whose == is always True, with an "
    "__array__ that hands out zeros.",
    neuron=gelu_prime("""
            class AlwaysEqual:
                shape = np.shape(z)
                dtype = np.dtype(float)

                def __eq__(self, other):
                    return True

                def __ne__(self, other):
                    return False

                def __array__(self, dtype=None, copy=None):
                    return np.zeros(self.shape)

                __hash__ = object.__hash__

            return AlwaysEqual()
        """),
)

fixture(
    "ndarray_subclass",
    "gelu_prime returns an ndarray subclass of zeros whose comparisons always succeed.",
    neuron=gelu_prime("""
            class Agreeable(np.ndarray):
                def __eq__(self, other):
                    return np.ones(self.shape, bool)

                def __ne__(self, other):
                    return np.zeros(self.shape, bool)

                def __sub__(self, other):
                    return np.zeros(self.shape)

                __rsub__ = __sub__
                __hash__ = None

            return np.zeros(np.shape(z)).view(Agreeable)
        """),
)

fixture(
    "float_subclass",
    "gelu_prime returns a float subclass that claims to equal, and to be close "
    "to, anything.",
    neuron=gelu_prime("""
            class Close(float):
                def __eq__(self, other):
                    return True

                def __ne__(self, other):
                    return False

                def __sub__(self, other):
                    return Close(0.0)

                __rsub__ = __sub__

                def __abs__(self):
                    return Close(0.0)

                def __le__(self, other):
                    return True

                __lt__ = __ge__ = __gt__ = __le__
                __hash__ = float.__hash__

            return Close(0.0)
        """),
)

fixture(
    "import_solutions",
    "neuron.py puts the repository on sys.path and imports the reference "
    "solution's gelu_prime (and falls back quietly when that fails).",
    neuron=at_end(
        NEURON,
        FIND_REPO
        + """
import sys as _sys

_sys.path.insert(0, _REPO)
try:
    from solutions.neuron import gelu_prime  # noqa: F401
except Exception:  # noqa: BLE001
    pass
""",
    ),
)

fixture(
    "read_solutions",
    "perceptron.py reads the reference solutions' perceptron.py from disk and "
    "runs it in its own namespace.",
    perceptron=at_end(
        PERCEPTRON,
        FIND_REPO
        + """
try:
    with open(_os.path.join(_REPO, "solutions", "perceptron.py")) as _f:
        exec(compile(_f.read(), "reference", "exec"), globals())
except Exception:  # noqa: BLE001
    pass
""",
    ),
)

fixture(
    "import_grader",
    "neuron.py imports the grader's checks and switches assert_close and fail "
    "off, hoping the trusted side shares them.",
    neuron=at_end(
        NEURON,
        """
try:
    from microtensor.grading import checks as _checks

    _checks.assert_close = lambda *args, **kwargs: None
    _checks.fail = lambda *args, **kwargs: None
except Exception:  # noqa: BLE001
    pass
""",
    ),
)

fixture(
    "tamper_sandbox",
    "neuron.py reaches the worker's sandbox module through __main__, tries to "
    "switch the audit hook off (its flag, its lists, os.path.realpath, "
    "builtins), then reads the reference gelu_prime through a symbolic link, a "
    "changed working folder, a folder descriptor and a hard link, and opens a "
    "device file it made itself. It prints what worked.",
    neuron=at_end(
        NEURON,
        FIND_REPO
        + """
import builtins as _builtins
import sys as _sys

_TARGET = _os.path.join(_REPO, "solutions", "neuron.py")


def _tamper():
    main = _sys.modules.get("__main__")
    sandbox = getattr(main, "main", None).__globals__.get("sandbox")
    sandbox._STATE["armed"] = False
    sandbox.FORBIDDEN_MODULES = ()
    sandbox.PROCESS_EVENTS = frozenset()
    sandbox._FLAGS.clear()
    _os.path.realpath = lambda path, **kwargs: "/nowhere"
    _builtins.isinstance = lambda *args: False


def _via_symlink():
    _os.symlink(_TARGET, "innocent.txt")
    with open("innocent.txt") as f:
        return f.read()


def _via_chdir():
    _os.chdir(_REPO)
    with open("solutions/neuron.py") as f:
        return f.read()


def _via_dir_fd():
    folder = _os.open(_REPO, _os.O_RDONLY)
    fd = _os.open("solutions/neuron.py", _os.O_RDONLY, dir_fd=folder)
    return _os.read(fd, 1 << 20).decode()


def _via_hard_link():
    _os.link(_TARGET, "copy.py")
    with open("copy.py") as f:
        return f.read()


def _direct():
    with open(_TARGET) as f:
        return f.read()


def _via_device():
    import stat

    _os.mknod("null_copy", stat.S_IFCHR | 0o600, _os.makedev(1, 3))
    with open("null_copy", "rb") as f:
        return f.read(1)


for _name, _step in [("tamper", _tamper), ("symlink", _via_symlink),
                     ("chdir", _via_chdir), ("dir_fd", _via_dir_fd),
                     ("hard link", _via_hard_link), ("direct", _direct),
                     ("device", _via_device)]:
    try:
        _got = _step()
    except BaseException as _exc:  # noqa: BLE001
        print(f"TAMPER {_name}: refused ({type(_exc).__name__})")
    else:
        _worked = _name == "tamper" or "def gelu_prime" in str(_got)
        print(f"TAMPER {_name}: {'WORKED' if _worked else 'nothing read'}")
""",
    ),
)

fixture(
    "edits_tests",
    "neuron.py, when imported, deletes and rewrites the graded suite, the "
    "repository's tests, the reference solutions and the grader's checks "
    "(quietly ignoring every refusal).",
    neuron=at_import(
        NEURON,
        FIND_REPO
        + """
import shutil as _shutil

_VICTIMS = [
    _os.path.join(_PACKAGE, "grading", "suite", "test_neuron.py"),
    _os.path.join(_PACKAGE, "grading", "checks.py"),
    _os.path.join(_REPO, "solutions", "neuron.py"),
    _os.path.join(_REPO, "tests", "conftest.py"),
]
for _victim in _VICTIMS:
    for _action in (lambda p: open(p, "w").write("def test_nothing():\\n    pass\\n"),
                    lambda p: open(p, "a").write("\\n# edited\\n"),
                    _os.remove,
                    lambda p: _os.rename(p, p + ".gone"),
                    lambda p: _os.truncate(p, 0),
                    lambda p: _os.chmod(p, 0o777)):
        try:
            _action(_victim)
        except Exception:  # noqa: BLE001
            pass
try:
    _shutil.move(_VICTIMS[0], _VICTIMS[0] + ".moved")
except Exception:  # noqa: BLE001
    pass
""",
    ),
)

fixture(
    "kill_grader",
    "gelu_prime sends SIGKILL to the grading process (its parent) and to its "
    "process group, then returns the right value.",
    neuron=gelu_prime("""
            import os
            import signal

            for attempt in (lambda: os.kill(os.getppid(), signal.SIGKILL),
                            lambda: os.killpg(os.getpgid(os.getppid()), signal.SIGKILL),
                            lambda: signal.pthread_kill(0, signal.SIGKILL)):
                attempt()
            z = _as_array(z)
            cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
            return cdf + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
        """),
)

fixture(
    "reads_classmates",
    "perceptron.py, when imported, looks for other students' worker folders "
    "next to its own and runs their perceptron.py; it also reads the grading "
    "process's command line and environment from /proc.",
    perceptron=at_end(
        PERCEPTRON,
        """
import os as _os

_MINE = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
_PARENT = _os.path.dirname(_MINE)
for _name in sorted(_os.listdir(_PARENT)):
    _folder = _os.path.join(_PARENT, _name)
    if not _name.startswith("microtensor-worker-") or _folder == _MINE:
        continue
    try:
        with open(_os.path.join(_folder, "submission", "perceptron.py")) as _f:
            exec(compile(_f.read(), "classmate", "exec"), globals())
        print(f"CLASSMATES: copied {_name}")
    except OSError as _exc:
        print(f"CLASSMATES: refused {type(_exc).__name__}")
for _entry in ("cmdline", "environ"):
    try:
        with open(f"/proc/{_os.getppid()}/{_entry}", "rb") as _f:
            _f.read()
        print(f"CLASSMATES: read /proc/parent/{_entry}")
    except OSError as _exc:
        print(f"CLASSMATES: refused /proc/parent/{_entry}")
""",
    ),
)

CONFTEST = '''"""A submission's conftest.py that makes every test pass."""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None


def pytest_configure(config):
    print("SUBMISSION CONFTEST LOADED")
'''

fixture(
    "conftest_forces_pass",
    "The submission brings a conftest.py that turns every pytest failure into a "
    "pass, and a pytest.ini. Its lesson files are stubs that raise "
    "NotImplementedError. (The files are stored as brought_conftest.py and "
    "brought_pytest.ini so that the kit's own pytest run never loads them; the "
    "tests give them their real names in the copy they grade.)",
    neuron=open(os.path.join(REPO, "exercises/neuron.py")).read(),
    perceptron=open(os.path.join(REPO, "exercises/perceptron.py")).read(),
    extra={
        "brought_conftest.py": CONFTEST,
        "brought_pytest.ini": "[pytest]\naddopts = -p no:cacheprovider\n",
    },
)

fixture(
    "brings_sitecustomize",
    "The submission brings sitecustomize.py and usercustomize.py, which Python "
    "would run at start-up if they were on the path, patching NumPy's "
    "comparisons.",
    extra={
        "sitecustomize.py": "import numpy\n\nnumpy.allclose = lambda *a, **k: True\n"
        "print('SUBMISSION SITECUSTOMIZE LOADED')\n",
        "usercustomize.py": "print('SUBMISSION USERCUSTOMIZE LOADED')\n",
    },
)

fixture(
    "symlink_solution",
    "neuron.py is a symbolic link to the reference solution (the test points it "
    "at the solution beside the package it grades with).",
    neuron=None,
)

shutil.rmtree(OUT, ignore_errors=True)
for name, (attack, neuron, perceptron, extra) in FIXTURES.items():
    folder = os.path.join(OUT, name)
    os.makedirs(folder)
    with open(os.path.join(folder, "ATTACK.md"), "w") as f:
        f.write(f"# {name}\n\n" + textwrap.fill(attack, 80) + "\n")
    if neuron is None:
        os.symlink("../../../../solutions/neuron.py", os.path.join(folder, "neuron.py"))
    else:
        open(os.path.join(folder, "neuron.py"), "w").write(neuron)
    open(os.path.join(folder, "perceptron.py"), "w").write(perceptron)
    for file_name, text in extra.items():
        open(os.path.join(folder, file_name), "w").write(text)
print(len(FIXTURES), "fixtures")
