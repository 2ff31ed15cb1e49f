"""Each dashboard loads 10 times in a row: every time the login form is complete, and nothing
but blocked external requests shows up in the console."""

from __future__ import annotations

import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOADS = 10
FORM = (".sl-login-username input", ".sl-login-password input", ".sl-login-button")


@pytest.mark.parametrize("dashboard", ["runs", "upload"])
def test_dashboard_loads_ten_times_in_a_row(voila_url, open_page, dashboard):
    probe = open_page(f"-{dashboard}")
    page = probe.page
    seconds = []
    for i in range(LOADS):
        t0 = time.perf_counter()
        page.goto(f"{voila_url}/voila/render/{dashboard}.ipynb", wait_until="domcontentloaded")
        page.wait_for_selector(".sl-login-button", state="visible")
        seconds.append(time.perf_counter() - t0)
        for selector in FORM:
            assert page.locator(selector).count() == 1, f"load {i + 1}: {selector} missing"
        # login first: nothing of the dashboard itself yet
        assert page.locator(".sl-user").count() == 0, f"load {i + 1}"
        assert page.locator(".sl-runs-table, .sl-file-upload").count() == 0, f"load {i + 1}"
        # no widget failed to render (ipywidgets shows an error text in its place)
        assert page.locator(".jupyter-widgets.jupyter-widgets-error").count() == 0
        assert "Error displaying widget" not in page.inner_text("body"), f"load {i + 1}"
        if i == LOADS - 1:
            probe.shot(f"{dashboard}-load-{LOADS}")
    assert probe.real_errors() == [], probe.real_errors()
    # every blocked request went somewhere other than this machine: the page is offline-safe
    assert all("127.0.0.1" not in url for url in probe.blocked)
    print(f"{dashboard}: load times [s] {[round(s, 2) for s in seconds]}")
