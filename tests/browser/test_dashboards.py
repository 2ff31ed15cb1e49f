"""The dashboards in a real browser: login first, roles, uploads, runs, plots, revisions."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_login_comes_first_and_a_demo_user_sees_runs(voila_url, open_page):
    probe = open_page()
    page = probe.page
    page.goto(f"{voila_url}/voila/render/runs.ipynb", wait_until="domcontentloaded")
    page.wait_for_selector(".sl-login-button", state="visible")
    probe.shot("login-form")
    # nothing but the form before login
    assert page.locator(".sl-runs-table").count() == 0
    assert page.locator(".sl-user").count() == 0
    # a wrong password: an error, no data
    page.fill(".sl-login-username input", "viewer")
    page.fill(".sl-login-password input", "not-the-password")
    page.click(".sl-login-button")
    page.wait_for_selector(".sl-login-message:has-text('invalid username or password')")
    assert page.locator(".sl-runs-table").count() == 0
    assert "D101" not in page.content()
    probe.shot("wrong-password")
    # the right one
    page.fill(".sl-login-password input", "viewer-demo-password")
    page.click(".sl-login-button")
    page.wait_for_selector(".sl-user:has-text('viewer')")
    assert "Viewer" in page.inner_text(".sl-user")
    page.wait_for_selector(".sl-runs-table:has-text('D101')")
    table = page.inner_text(".sl-runs-table")
    for number in ("D101", "D202", "D303"):
        assert number in table
    probe.shot("runs-listed")
    # after the first page the page loads plotly.js, drawing a hidden figure (the kernel
    # sends it a second later, into the output's outputs: nothing to see, but it must arrive)
    page.wait_for_selector(".sl-plotly-warmup .js-plotly-plot", state="attached")
    assert not page.locator(".sl-plotly-warmup").is_visible()
    assert probe.real_errors() == []


def test_viewer_gets_no_upload_controls(voila_url, open_page):
    probe = open_page()
    page = probe.page
    login(probe, voila_url, "upload", "viewer", "viewer-demo-password")
    page.wait_for_selector(".sl-login-message:has-text('may not use this dashboard')")
    assert page.locator(".sl-file-upload").count() == 0
    assert page.locator(".sl-commit").count() == 0
    probe.shot("viewer-refused")


def test_selecting_a_run_draws_plots_with_traces(voila_url, open_page):
    probe = open_page()
    page = probe.page
    login(probe, voila_url, "runs", "engineer", "engineer-demo-password")
    page.wait_for_selector(".sl-runs-table:has-text('D302')")
    page.click(".sl-runs-table tbody tr[data-id]:has(td:text-is('D302'))")  # the row
    page.wait_for_selector(".sl-summary:has-text('At TD')")
    summary = page.inner_text(".sl-summary")
    assert "TVD" in summary and "Demo H-3" in summary
    page.get_by_role("tab", name="Plots").click()
    page.wait_for_function("document.querySelectorAll('.sl-plots .js-plotly-plot').length >= 3")
    traces = page.locator(".sl-plots .js-plotly-plot .scatterlayer .trace").count()
    assert traces >= 3
    probe.shot("plots")
    # the 3-D view is drawn when its tab is opened
    assert page.locator(".sl-plot-3d .js-plotly-plot").count() == 0
    page.get_by_role("tab", name="3-D").click()
    page.wait_for_selector(".sl-plot-3d .js-plotly-plot canvas")
    probe.shot("plot-3d")
    assert probe.real_errors() == []
