"""A real Voila server on a demo DuckDB database, and Debian's chromium driven by Playwright.

Never a downloaded browser: the executable is /usr/bin/chromium (or whatever `chromium` is on
PATH). The browser resolves no host name but 127.0.0.1 (``--host-resolver-rules``), so a page
works offline or not at all; every request a page makes is recorded (never intercepted, so the
timing is the browser's own) and :attr:`PageProbe.offsite` lists those to any other host.

Screenshots of each step go to the folder named by ``SURVEYLAB_SCREENSHOTS`` (default
``test-artifacts/browser/``, not committed): the ``screenshots`` fixture, and
:meth:`PageProbe.shot` on every page from ``open_page``.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from surveylab.reports.chromium import CHROMIUM_OFFLINE_FLAGS
from tests.conftest import REPO_ROOT, TEST_SECRET, require_component, settings_for

#: Where screenshots go when ``SURVEYLAB_SCREENSHOTS`` is not set (ignored by git).
DEFAULT_SCREENSHOTS = REPO_ROOT / "test-artifacts" / "browser"
#: No request leaves the machine: every host name but 127.0.0.1 fails to resolve, in the
#: browser itself. Not Playwright's ``page.route``: a request it intercepts while the page
#: unloads is dropped, and so was the dashboards' unload beacon that ends a page's kernel.
CHROMIUM_ARGS = [
    *CHROMIUM_OFFLINE_FLAGS,
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
#: The screen of the issue's tour: a laptop at 1440x900 [CSS px].
VIEWPORT = {"width": 1440, "height": 900}
PAGE_TIMEOUT_MS = 90_000


def screenshots_dir() -> Path:
    """The screenshot folder: ``SURVEYLAB_SCREENSHOTS``, else ``test-artifacts/browser/``."""
    named = os.environ.get("SURVEYLAB_SCREENSHOTS", "").strip()
    return Path(named).expanduser().resolve() if named else DEFAULT_SCREENSHOTS


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder (created) that browser tests save their step screenshots into."""
    folder = screenshots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory) -> Path:
    """A DuckDB demo database (users of every role, wells, runs) for the browser tests."""
    from surveylab import db
    from surveylab.demo import load_demo

    data = tmp_path_factory.mktemp("browser-data")
    settings = settings_for(None, data)
    db.upgrade(settings)
    load_demo(settings, echo=lambda *_: None)
    return data


@contextmanager
def dashboards_server(data_dir: Path, name: str = "voila", **extra_env: str):
    """Serve the packaged dashboards exactly as `surveylab serve` does, on a free port, with
    ``extra_env`` added to the server's environment (settings such as
    ``SURVEYLAB_MAX_KERNELS``). Yields ``(base URL, server process, log file)``; the log is
    copied to the screenshot folder at the end."""
    from surveylab.cli.serve import voila_command

    port = _free_port()
    env = dict(os.environ)
    env.update(
        SURVEYLAB_DATA_DIR=str(data_dir),
        SURVEYLAB_SECRET_KEY=TEST_SECRET,
        SURVEYLAB_ACCESS_MINUTES="15",
        **extra_env,
    )
    env.pop("SURVEYLAB_DATABASE_URL", None)
    env.pop("SURVEYLAB_TOKEN", None)
    log_path = data_dir / f"{name}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        voila_command(port), env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("Voila did not start within 60 s: " + log_path.read_text())
    if proc.poll() is not None:
        pytest.fail("Voila exited: " + log_path.read_text())
    try:
        yield base, proc, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        folder = screenshots_dir()
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(log_path, folder / log_path.name)


@pytest.fixture(scope="session")
def voila_url(demo_data_dir) -> str:
    """The dashboards served as `surveylab serve` does (default settings), on a free port."""
    with dashboards_server(demo_data_dir) as (base, _, _):
        yield base


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    require_component(
        path is not None, "Debian's chromium is not installed (apt-get install chromium)"
    )
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def playwright(chromium_executable):
    """Playwright's driver (one per test session: its sync API allows one at a time)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require_component(False, "the playwright package is not installed")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright, chromium_executable):
    b = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
    yield b
    b.close()


class PageProbe:
    """A page plus what it did: console errors, every request, and step screenshots.

    Parameters
    ----------
    page : playwright.sync_api.Page
        The page.
    name : str
        Prefix of its screenshot files (the test's name).
    origin : str
        The dashboards' own ``scheme://host:port``; any other host is off-site.
    folder : Path
        Where :meth:`shot` saves.
    """

    def __init__(self, page, name: str, origin: str, folder: Path) -> None:
        self.page = page
        self.name = name
        self.origin = origin
        self.folder = folder
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.step = 0
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        page.on("request", lambda req: self.requests.append(req.url))

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    @property
    def offsite(self) -> list[str]:
        """Requests to any host but the dashboards' own (``data:`` and the page's own ``blob:``
        URLs are the page's)."""
        own = urllib.parse.urlsplit(self.origin)
        out = []
        for url in self.requests:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme == "data":
                continue
            if parts.scheme == "blob":
                parts = urllib.parse.urlsplit(url[len("blob:") :])
            if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc == own.netloc:
                continue
            out.append(url)
        return out

    @property
    def blocked(self) -> list[str]:
        """The off-site requests (they fail in the browser: no host name resolves)."""
        return self.offsite

    def real_errors(self) -> list[str]:
        """Console errors other than a failed off-site request (which :attr:`offsite` lists;
        a request to the dashboards' own host never fails to resolve)."""
        return [e for e in self.console_errors if "net::ERR_NAME_NOT_RESOLVED" not in e]

    def shot(self, label: str, *, full: bool = True) -> Path:
        """Save a screenshot of this step as ``<test>-<step>-<label>.png``.

        ``full``: the whole dashboard, not only the screen. Voila scrolls the page inside
        ``#rendered_cells``, which a full-page screenshot does not see: the dashboard is
        scrolled a screen at a time and the screens are joined (the layout never changes).
        """
        self.step += 1
        path = self.folder / f"{self.name}-{self.step:02d}-{label}.png"
        if full:
            full_screenshot(self.page, path)
        else:
            self.page.screenshot(path=str(path))
        return path


def full_screenshot(page, path: Path) -> None:
    """A screenshot of the whole dashboard: Voila's scrolling ``#rendered_cells`` a screen at a
    time, joined with Pillow; the scroll position is restored after."""
    from PIL import Image

    box = page.evaluate(
        """() => {
            const el = document.getElementById('rendered_cells');
            if (!el || el.scrollHeight <= el.clientHeight) return null;
            const r = el.getBoundingClientRect();
            return {top: r.top, height: el.clientHeight, total: el.scrollHeight,
                    at: el.scrollTop};
        }"""
    )
    if box is None:
        page.screenshot(path=str(path))
        return
    size = page.viewport_size
    top, height, total = round(box["top"]), int(box["height"]), int(box["total"])
    joined = Image.new("RGB", (size["width"], top + total), "white")
    y = 0
    try:
        while y < total:
            shown = page.evaluate(
                "y => { const el = document.getElementById('rendered_cells');"
                " el.scrollTop = y; return el.scrollTop; }",
                y,
            )
            page.wait_for_timeout(50)  # one frame to paint the scrolled content
            screen = Image.open(io.BytesIO(page.screenshot()))
            part = screen.crop((0, top, size["width"], top + height))
            joined.paste(part, (0, top + shown))
            if y == 0 and top > 0:
                joined.paste(screen.crop((0, 0, size["width"], top)), (0, 0))
            y += height
    finally:
        page.evaluate(
            "y => { document.getElementById('rendered_cells').scrollTop = y; }", box["at"]
        )
    joined.save(path)


@pytest.fixture
def open_page(browser, request, voila_url, screenshots):
    """Factory: a fresh 1440x900 page on the dashboards' server; ``open_page(suffix)`` names
    its screenshots ``<test><suffix>-NN-label.png``."""
    contexts = []
    probes: list[PageProbe] = []

    def make(suffix: str = "") -> PageProbe:
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        ctx.set_default_timeout(PAGE_TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        name = (request.node.name + suffix).replace("/", "_")[:80]
        probes.append(PageProbe(page, name, voila_url, screenshots))
        return probes[-1]

    yield make
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:  # what each page showed when the test failed
        for probe in probes:
            try:
                probe.shot("at-failure", full=False)
            except Exception:  # a closed page: nothing to show
                pass
    for ctx in contexts:
        ctx.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (``rep_call``), for ``open_page``'s teardown."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def login(probe: PageProbe, base: str, dashboard: str, username: str, password: str) -> None:
    page = probe.page
    page.goto(f"{base}/voila/render/{dashboard}.ipynb", wait_until="domcontentloaded")
    page.wait_for_selector(".sl-login-button", state="visible")
    page.fill(".sl-login-username input", username)
    page.fill(".sl-login-password input", password)
    page.click(".sl-login-button")


def choose_option(page, select: str, starts_with: str) -> None:
    """Pick the option of an ipywidgets Dropdown whose label starts with ``starts_with``."""
    page.wait_for_selector(f"{select} option:text-matches('^{starts_with}')", state="attached")
    label = page.locator(f"{select} option:text-matches('^{starts_with}')").first.inner_text()
    page.select_option(select, label=label)


# ----------------------------------------------------------------------------- as a person does
def type_into(page, selector: str, text: str) -> None:
    """Click the field, clear it, and type ``text`` key by key (no value set by script)."""
    page.click(selector)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def login_by_keyboard(
    probe: PageProbe, base: str, dashboard: str, username: str, password: str
) -> None:
    """Open ``dashboard`` and log in as a person does at a keyboard: click the username field,
    type, Tab to the password field, type, Enter."""
    page = probe.page
    page.goto(f"{base}/voila/render/{dashboard}.ipynb", wait_until="domcontentloaded")
    page.wait_for_selector(".sl-login-button", state="visible")
    page.click(".sl-login-username input")
    _wait_for_focus(page, ".sl-login-username input")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    _wait_for_focus(page, ".sl-login-password input")
    page.keyboard.type(password)
    assert page.input_value(".sl-login-username input") == username
    page.keyboard.press("Enter")


def _wait_for_focus(page, selector: str) -> None:
    """Wait until the element has the keyboard focus (the page may still be laying out)."""
    page.wait_for_function(
        "sel => document.activeElement === document.querySelector(sel)", arg=selector
    )


def add_files(page, *paths: Path) -> None:
    """Choose files with the upload dashboard's "Add files" button (the file chooser)."""
    with page.expect_file_chooser() as chooser:
        page.click(".sl-file-upload")
    chooser.value.set_files([str(p) for p in paths])


def shown_text(text: str) -> str:
    """Text as a page shows it, with ipywidgets' no-break spaces (in option labels) as spaces."""
    return text.replace("\xa0", " ")


def choose_label(page, select: str, label: str) -> None:
    """Choose the option labelled ``label`` in the ``select`` element (ipywidgets writes the
    spaces of option labels as no-break spaces; ``label`` has plain ones)."""
    index = page.wait_for_function(
        """([sel, label]) => {
            const s = document.querySelector(sel);
            if (!s) return false;
            const i = [...s.options].findIndex(
                o => o.textContent.replace(/\u00a0/g, ' ') === label);
            return i >= 0 ? i + 1 : false;
        }""",
        arg=[select, label],
    ).json_value()
    page.select_option(select, index=index - 1)


def selected_label(page, select: str) -> str:
    """The label a dropdown shows (plain spaces)."""
    return shown_text(
        page.eval_on_selector(select, "s => s.options[s.selectedIndex]?.textContent ?? ''")
    )


def search_runs(probe: PageProbe, base: str, username: str, password: str, text: str) -> str:
    """Log in to the runs dashboard, search for ``text`` and return the page label (e.g.
    "... (1 run)") and the table, as the page shows them."""
    page = probe.page
    login(probe, base, "runs", username, password)
    page.wait_for_selector(".sl-runs-table")
    before = page.inner_text(".sl-page-label")
    type_into(page, ".sl-app input[placeholder='number or name']", text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "before => document.querySelector('.sl-page-label').textContent.trim() !== before.trim()",
        arg=before,
    )
    page.wait_for_timeout(300)  # the label and the table are one update apart
    return page.inner_text(".sl-page-label") + "\n" + page.inner_text(".sl-runs-table")
