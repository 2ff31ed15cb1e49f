"""Summary: closure distance and direction, Inc, Azi and VS at TD; a total correction worked
out from the declination and convergence (not red); a run without a survey says what to do."""

from __future__ import annotations

import pytest

from tests.browser.runs_helpers import history_runs_fixture, runs_page_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_summary_at_td_and_what_to_do_next(runs_page, history_runs):
    rp = runs_page()
    page = rp.page
    rp.login("viewer", "viewer-demo-password")
    rp.click_run("D302")
    page.wait_for_selector(".sl-summary:has-text('Closure at TD')")
    rp.shot("summary")
    rows = dict(
        page.eval_on_selector_all(
            ".sl-summary tr", "rs => rs.map(r => [r.cells[0].textContent, r.cells[1].textContent])"
        )
    )
    assert rows["Closure at TD"] == "2170.44 m towards 313.82° (from true north)"
    assert rows["At TD"].startswith("MD 3780.00 m, Inc 92.43°, Azi 318.02° (from true north)")
    assert rows["VS at TD"].startswith("2170.44 m along 313.82°")
    # 1.23 declination, 0.45 convergence: the total correction follows, not in red
    assert rows["Total correction [deg]"].startswith("0.780")
    cell = page.locator(".sl-summary tr:has-text('Total correction') td")
    assert cell.locator(".sl-missing").count() == 0
    # a run without a survey: what to do next
    rp.search(history_runs["none"])
    rp.row(history_runs["none"]).click()
    page.wait_for_selector(".sl-run-header:has-text('import a file for it in the upload')")
    assert not page.locator(".sl-run-tabs").is_visible()
    rp.shot("no-survey")
    assert rp.real_errors() == [], rp.console_errors
