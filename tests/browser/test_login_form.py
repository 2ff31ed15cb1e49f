"""The login form as a person uses it: Enter logs in, a refusal looks like one, and a Viewer who
opens the upload dashboard is shown the way to the runs dashboard."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login_by_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The dashboards' error red, #b00020, as the browser computes it.
ERROR_RED = "rgb(176, 0, 32)"


def test_enter_in_the_password_field_logs_in(voila_url, open_page):
    probe = open_page()
    page = probe.page
    login_by_keyboard(probe, voila_url, "runs", "viewer", "viewer-demo-password")
    page.wait_for_selector(".sl-user:has-text('viewer')")
    page.wait_for_selector(".sl-runs-table:has-text('D101')")
    assert page.locator(".sl-login-button").count() == 0
    probe.shot("logged-in-with-enter", full=False)
    assert probe.real_errors() == []


@pytest.mark.parametrize("dashboard", ["runs", "upload"])
def test_a_wrong_password_is_shown_as_an_error(voila_url, open_page, dashboard):
    probe = open_page(f"-{dashboard}")
    page = probe.page
    login_by_keyboard(probe, voila_url, dashboard, "engineer", "not-the-password")
    alert = page.locator(".sl-login-message [role='alert']")
    alert.wait_for()
    assert alert.inner_text().strip() == "invalid username or password"
    look = alert.evaluate(
        "e => { const s = getComputedStyle(e);"
        " return [s.color, s.borderTopColor, s.borderTopStyle, s.fontWeight]; }"
    )
    assert look[:3] == [ERROR_RED, ERROR_RED, "solid"]
    assert int(look[3]) >= 600
    assert page.input_value(".sl-login-password input") == ""  # typed again, not kept
    assert page.locator(".sl-user").count() == 0
    probe.shot("wrong-password", full=False)
    assert probe.real_errors() == []


def test_a_viewer_on_the_upload_dashboard_follows_the_link_to_the_runs_dashboard(
    voila_url, open_page
):
    probe = open_page()
    page = probe.page
    login_by_keyboard(probe, voila_url, "upload", "viewer", "viewer-demo-password")
    message = page.locator(".sl-login-message")
    message.locator("[role='alert']").wait_for()
    text = message.inner_text()
    assert "viewer (Viewer) may not use this dashboard" in text
    assert "Admin, Engineer or Surveyor" in text
    assert page.locator(".sl-file-upload, .sl-commit").count() == 0
    probe.shot("viewer-refused", full=False)
    page.get_by_role("link", name="runs dashboard").click()
    page.wait_for_url("**/voila/render/runs.ipynb")
    login_by_keyboard(probe, voila_url, "runs", "viewer", "viewer-demo-password")
    page.wait_for_selector(".sl-runs-table:has-text('D101')")
    probe.shot("runs-dashboard", full=False)
    assert probe.real_errors() == []
