"""The site's build hooks, its offline math, and a strict build of the whole site."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
HOOKS = DOCS / "hooks"


def load_hook(name):
    """Import docs/hooks/<name>.py as a module (hooks are files, not a package)."""
    path = HOOKS / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"docs_hook_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------ activation plots


def test_activation_plot_check_accepts_the_stated_formulas():
    plots = load_hook("activation_plots")
    for name, derivative in plots.REFERENCE_DERIVATIVES.items():
        value = plots.REFERENCE_FUNCTIONS[name](plots.GRID)
        plots._check_against_page(name, value, derivative(plots.GRID))


def test_activation_plot_check_rejects_a_swish_derivative_copied_wrong():
    plots = load_hook("activation_plots")
    z = plots.GRID
    s = 1 / (1 + np.exp(-z))
    wrong = s + z * s * (1 + s)          # a sign slip in sigma'
    with pytest.raises(ValueError, match="derivative of swish"):
        plots._check_against_page("swish", z * s, wrong)


def test_activation_plot_check_rejects_a_leaky_slope_on_the_positive_side():
    plots = load_hook("activation_plots")
    z = plots.GRID
    wrong_value = np.where(z > 0, plots.LEAKY_SLOPE * z, z)
    with pytest.raises(ValueError, match="value of leaky_relu"):
        plots._check_against_page("leaky_relu", wrong_value,
                                  plots.REFERENCE_DERIVATIVES["leaky_relu"](z))


def test_every_activation_the_page_asks_for_has_a_reference():
    plots = load_hook("activation_plots")
    page = (DOCS / "learn" / "activations.md").read_text(encoding="utf-8")
    asked = set(plots.MARKER.findall(page))
    assert asked == set(plots.REFERENCE_DERIVATIVES)


# ------------------------------------------------------------ graded tables


def fake_test(number, title, points, visibility="visible", description=""):
    return SimpleNamespace(number=number, title=title, points=points,
                           visibility=visibility, description=description)


def test_graded_table_lists_visible_tests_and_counts_hidden_ones():
    tables = load_hook("graded_tables")
    tests = [
        fake_test("1.1", "sigmoid is stable at ±1000", 2, description="Finite."),
        fake_test("1.2", "secret", 3, visibility="hidden"),
        fake_test("1.3", "later", 1.5, visibility="after_due_date"),
    ]
    table = tables._table(tests)
    row = "| 1.1 | <strong>sigmoid is stable at ±1000</strong><br>Finite. | 2 |"
    assert row in table
    assert "| 1.3 |" in table and "after the due date" in table
    assert "secret" not in table
    assert "**Total: 6.5 points** in 3 graded tests" in table
    assert "1 hidden tests worth 3 points" in table


def test_graded_table_keeps_markdown_characters_literal():
    tables = load_hook("graded_tables")
    cell = tables._cell("leaky_relu is alpha * z | $5 <b>")
    assert cell == r"leaky\_relu is alpha \* z \| \$5 &lt;b&gt;"


# ------------------------------------------------------------ reST math in docstrings


def test_rst_math_and_roles_become_markdown():
    rst = load_hook("griffe_rst_math").rst_to_markdown
    text = ("Computes :math:`a = f(w \\cdot x)`, see :func:`~mt.softmax`.\n\n"
            ".. math:: y = x\n"
            "          + 1\n\nAfter.")
    assert rst(text) == ("Computes \\(a = f(w \\cdot x)\\), see `mt.softmax`.\n\n\n"
                         "$$\ny = x + 1\n$$\n\nAfter.")


def test_rst_math_with_alignment_becomes_an_aligned_block():
    rst = load_hook("griffe_rst_math").rst_to_markdown
    text = ".. math::\n\n    a &= 1 \\\\\n    b &= 2\n"
    assert "$$\n\\begin{aligned} a &= 1 \\\\ b &= 2 \\end{aligned}\n$$" in rst(text)


def test_rst_simple_table_becomes_a_markdown_table():
    rst = load_hook("griffe_rst_math").rst_to_markdown
    text = ("Shapes:\n\n"
            "====  ========  ======\n"
            "name  shape     role\n"
            "====  ========  ======\n"
            "xs    (T, n)    the inputs, time first\n"
            "h0    (n,)      start\n"
            "====  ========  ======\n\nAfter.")
    assert ("| name | shape | role |\n|---|---|---|\n"
            "| xs | (T, n) | the inputs, time first |\n| h0 | (n,) | start |"
            in rst(text))
    assert rst(text).endswith("After.")


def test_rst_literal_block_marker_becomes_a_colon():
    rst = load_hook("griffe_rst_math").rst_to_markdown
    text = "Settings that work::\n\n    train(model)\n\n::\n\n    more()\n"
    assert rst(text) == "Settings that work:\n\n    train(model)\n\n\n\n    more()\n"


# ------------------------------------------------------------ benchmark table


def test_benchmark_marker_includes_the_results_table_when_there_is_one(tmp_path):
    bench = load_hook("benchmark_table")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    config = SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"))
    page = "# Performance\n\n<!-- microtensor:benchmark-table -->\n"
    assert "No measured table" in bench.on_page_markdown(page, None, config, None)
    table = tmp_path / bench.CANDIDATES[0]
    table.parent.mkdir(parents=True)
    table.write_text("| W1 | 1.0 |\n", encoding="utf-8")
    included = bench.on_page_markdown(page, None, config, None)
    assert f'--8<-- "{bench.CANDIDATES[0]}"' in included


# ------------------------------------------------------------ markers and math


def test_every_marker_in_the_pages_is_one_a_hook_handles():
    patterns = [load_hook(name).MARKER for name in
                ("activation_plots", "graded_tables", "api_modules", "benchmark_table")]
    unknown = []
    for page in sorted(DOCS.rglob("*.md")):
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("<!-- microtensor:") and not any(
                    p.fullmatch(line) for p in patterns):
                unknown.append(f"{page.relative_to(DOCS)}: {line}")
    assert unknown == []


def test_katex_is_bundled_with_its_licence_and_fonts():
    katex = DOCS / "assets" / "katex"
    parts = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js", "LICENSE")
    for part in parts:
        assert (katex / part).is_file(), part
    css = (katex / "katex.min.css").read_text(encoding="utf-8")
    woff2 = set(re.findall(r"fonts/(KaTeX_[\w-]+\.woff2)", css))
    assert woff2 and all((katex / "fonts" / name).is_file() for name in woff2)


def test_nothing_is_loaded_from_a_cdn():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "font: false" in config
    sources = [ROOT / "mkdocs.yml", *DOCS.rglob("*.md"), *DOCS.rglob("*.js"),
               *DOCS.rglob("*.css")]
    remote = re.compile(r"(src|href)\s*=\s*[\"']?https?://|url\(\s*[\"']?https?://|"
                        r"^\s*-\s*https?://", re.MULTILINE)
    offenders = [str(p.relative_to(ROOT)) for p in sources
                 if "assets/katex" not in p.as_posix()
                 and remote.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


# ------------------------------------------------------------ the whole site


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return site


def test_the_site_builds_strictly_with_every_tab(built_site):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    for tab in ("Learn", "Exercises", "Engine", "Instructors", "Performance"):
        assert f">{tab}" in home or f"> {tab}" in home, tab
    assert (built_site / "search" / "search_index.json").is_file()


def test_the_activation_plots_are_generated_by_the_build(built_site):
    plots = sorted(p.name for p in (built_site / "assets" / "plots").glob("*.png"))
    assert plots == sorted(f"{n}.png" for n in load_hook("activation_plots").TITLES)
    page = (built_site / "learn" / "activations" / "index.html").read_text("utf-8")
    assert page.count("assets/plots/") == len(plots)


def test_the_graded_tables_come_from_the_suite(built_site):
    """Each visible graded test of each lesson has its row on the lesson's page."""
    from microtensor.grading import registry

    for lesson in registry.LESSONS:
        tests = [t for t in registry.all_tests(lesson) if t.visibility != "hidden"]
        page = (built_site / "exercises" / lesson / "index.html").read_text("utf-8")
        for test in tests:
            assert f"<td>{test.number}</td>" in page, (lesson, test.number)
