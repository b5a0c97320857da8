"""Render the documentation site in headless Chromium and check what a reader sees.

Usage::

    python scripts/docs_screenshots.py [--site DIR] [--out DIR] [--page PATH ...]
                                       [--all] [--height PIXELS]

Without ``--site`` the site is built first with ``mkdocs build --strict`` into a
temporary folder. The site is served on 127.0.0.1 only, on a free port, for as long
as the script runs. For each page (by default the home page, a math-heavy Learn page
and an exercise page; every page with ``--all``) the script

1. fetches it over HTTP and fails when it is missing;
2. asks Chromium for the DOM after scripts have run (``--dump-dom``) and fails when
   a math element was left unrendered, KaTeX reported an error, or raw TeX
   delimiters such as ``\\(`` or ``$$`` are still visible in the text;
3. saves a PNG screenshot to ``--out`` (default ``build/screenshots``).

Chromium comes from the OS packages (``apt-get install -y chromium`` on Debian); it
runs with a fresh profile, no GPU, no sandbox and no background networking.
The exit status is 0 when every page passed, 1 when a check failed, 2 when the
script could not run (no Chromium, the build failed).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ("", "learn/hopfield/", "exercises/neuron/")
MATH_PAGES = ("learn/hopfield/",)
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=8000",
)
LEFTOVER_DELIMITERS = ("\\(", "\\)", "\\[", "\\]", "$$")
CHROMIUM_TIMEOUT = 120


class DomCheck(HTMLParser):
    """Count rendered and unrendered math and collect the visible prose.

    Text inside code, scripts, styles and KaTeX's MathML annotation (which holds
    the TeX source on purpose) is not prose and is left out.
    """

    SKIP = frozenset({"code", "pre", "script", "style", "annotation", "textarea"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.katex = 0
        self.katex_errors = 0
        self.arithmatex = 0
        self.title = ""
        self.prose: list[str] = []
        self._stack: list[str] = []
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        self.katex += "katex" in classes
        self.katex_errors += "katex-error" in classes
        self.arithmatex += "arithmatex" in classes
        self._in_title = tag == "title"
        if tag in self.SKIP:
            self._skipping += 1
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag not in self._stack:
            return
        while self._stack:
            open_tag = self._stack.pop()
            if open_tag in self.SKIP:
                self._skipping -= 1
            if open_tag == tag:
                break
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skipping:
            self.prose.append(data)


def find_chromium():
    """Path of a Chromium binary, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def build_site(dest):
    """Build the site with ``mkdocs build --strict`` into ``dest``."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(dest)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError("mkdocs build --strict failed")


def serve(site):
    """Serve ``site`` on 127.0.0.1 on a free port; return (server, base_url)."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class QuietServer(http.server.ThreadingHTTPServer):
    """A server that does not print a traceback when the browser hangs up early."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not log every request."""

    def log_message(self, format, *args):
        pass


def page_exists(url):
    """True when the server answers 200 for ``url``."""
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status == 200
    except urllib.error.URLError:
        return False


def run_chromium(browser, profile, *args):
    """Run headless Chromium with the fixed flags; return its stdout."""
    cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                          timeout=CHROMIUM_TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(
            f"chromium exited with {done.returncode}: {done.stderr[-500:]}"
        )
    return done.stdout


def check_dom(dom, must_have_math):
    """Problems a reader would see in the rendered DOM, as sentences."""
    parser = DomCheck()
    parser.feed(dom)
    problems = []
    if "404" in parser.title:
        problems.append(f"the page title is {parser.title.strip()!r}")
    if parser.katex_errors:
        problems.append(f"KaTeX could not parse {parser.katex_errors} formula(s)")
    if parser.arithmatex and parser.katex < parser.arithmatex:
        problems.append(f"{parser.arithmatex} math elements but only "
                        f"{parser.katex} rendered by KaTeX")
    if must_have_math and parser.katex == 0:
        problems.append("no rendered math (.katex) on a page that is mostly math")
    prose = "".join(parser.prose)
    for delimiter in LEFTOVER_DELIMITERS:
        at = prose.find(delimiter)
        if at >= 0:
            context = " ".join(prose[max(0, at - 40):at + 40].split())
            problems.append(f"raw TeX delimiter {delimiter!r} left in the text: "
                            f"...{context}...")
    return problems, parser.katex


def all_pages(site):
    """Every page of a built site, as paths like ``learn/hopfield/``."""
    pages = []
    for index in sorted(Path(site).rglob("index.html")):
        folder = index.parent.relative_to(site).as_posix()
        if folder != "404":
            pages.append("" if folder == "." else f"{folder}/")
    return pages


def screenshot_name(page):
    """File name for a page's screenshot: index.png, learn-hopfield.png."""
    stem = page.strip("/").replace("/", "-") or "index"
    return f"{stem}.png"


def check_page(browser, base, page, out, profile, height=1800):
    """Check and photograph one page; return a list of problems."""
    url = base + page
    if not page_exists(url):
        return [f"{url} is missing (no HTTP 200)"]
    dom = run_chromium(browser, profile, "--dump-dom", url)
    problems, n_math = check_dom(dom, must_have_math=page in MATH_PAGES)
    png = out / screenshot_name(page)
    run_chromium(browser, profile, f"--window-size=1280,{height}",
                 f"--screenshot={png}", url)
    if not png.is_file() or png.stat().st_size == 0:
        problems.append(f"no screenshot was written to {png}")
    print(f"{'ok  ' if not problems else 'FAIL'} /{page}  math={n_math}  -> {png}")
    return problems


def parse_args(argv):
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--page", action="append", dest="pages",
                        help="a page path such as learn/hopfield/ (repeatable)")
    parser.add_argument("--height", type=int, default=1800,
                        help="window height in pixels (the screenshot's height)")
    parser.add_argument("--all", action="store_true",
                        help="check and photograph every page of the site")
    return parser.parse_args(argv)


def main(argv=None):
    """Build or take the site, check each page, save screenshots."""
    args = parse_args(argv)
    browser = find_chromium()
    if browser is None:
        print("docs_screenshots: no Chromium found; on Debian run "
              "`apt-get install -y chromium`", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mt-docs-") as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            try:
                build_site(site)
            except RuntimeError as exc:
                print(f"docs_screenshots: {exc}", file=sys.stderr)
                return 2
        server, base = serve(site)
        failures = []
        try:
            pages = all_pages(site) if args.all else (args.pages or DEFAULT_PAGES)
            for page in pages:
                profile = Path(tempfile.mkdtemp(prefix="profile-", dir=tmp))
                failures += [f"/{page}: {p}" for p in
                             check_page(browser, base, page, args.out, profile,
                                        args.height)]
        finally:
            server.shutdown()
    for failure in failures:
        print(f"  {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
