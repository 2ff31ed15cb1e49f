"""A real Voila server on a demo DuckDB database, and Debian's chromium driven by Playwright.

Never a downloaded browser: the executable is /usr/bin/chromium (or whatever `chromium` is on
PATH). Requests to anything but 127.0.0.1 are blocked, so the pages must work offline.
Screenshots of each step go to test-artifacts/browser/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from surveylab.reports.chromium import CHROMIUM_OFFLINE_FLAGS
from tests.conftest import REPO_ROOT, TEST_SECRET, require_component, settings_for

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
#: No request leaves the machine: every host name but 127.0.0.1 fails to resolve, in the
#: browser itself. Not Playwright's ``page.route``: a request it intercepts while the page
#: unloads is dropped, and so was the dashboards' unload beacon that ends a page's kernel.
CHROMIUM_ARGS = [
    *CHROMIUM_OFFLINE_FLAGS,
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
PAGE_TIMEOUT_MS = 90_000


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
    copied to test-artifacts/browser/ at the end."""
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
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log_path, ARTIFACTS / log_path.name)


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
    """A page plus what it logged: console errors and blocked external requests."""

    def __init__(self, page, name: str) -> None:
        self.page = page
        self.name = name
        self.console_errors: list[str] = []
        self.blocked: list[str] = []
        self.step = 0
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def real_errors(self) -> list[str]:
        """Console errors other than those caused by blocked external requests."""
        return [
            e
            for e in self.console_errors
            if "ERR_FAILED" not in e and "ERR_BLOCKED" not in e and "net::" not in e
        ]

    def shot(self, label: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.step += 1
        path = ARTIFACTS / f"{self.name}-{self.step:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_page(browser, request):
    """Factory: a fresh 1280x800 page that may only talk to 127.0.0.1."""
    contexts = []

    def make(suffix: str = "") -> PageProbe:
        ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        ctx.set_default_timeout(PAGE_TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        probe = PageProbe(page, (request.node.name + suffix).replace("/", "_")[:80])
        page.on(
            "requestfailed",
            lambda r: (
                probe.blocked.append(r.url)
                if "ERR_NAME_NOT_RESOLVED" in (r.failure or "")
                else None
            ),
        )
        return probe

    yield make
    for ctx in contexts:
        ctx.close()


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
