"""History tab: Compare only where a run has two revisions or more; the comparison lists the
stations that differ, never rows of zeros; the revision labels are not cut off."""

from __future__ import annotations

import pytest

from tests.browser.runs_helpers import history_runs_fixture, runs_page_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_compare_only_with_two_revisions_and_only_rows_that_differ(runs_page, history_runs):
    rp = runs_page()
    page = rp.page
    rp.login("viewer", "viewer-demo-password")
    rp.click_run("D101")  # one revision
    rp.open_tab("History")
    page.wait_for_selector(".sl-history table")
    rp.shot("one-revision")
    assert not page.locator(".sl-compare").is_visible()
    assert "one revision: nothing to compare" in page.inner_text(".sl-history")
    rp.click_run(history_runs["two"])  # two revisions: the History tab stays open
    page.wait_for_selector(".sl-compare", state="visible")
    assert page.locator(".sl-history table tbody tr").count() == 2
    # the revision dropdowns show their whole labels, and the Compare button is in view
    for select in (".sl-rev-a select", ".sl-rev-b select"):
        assert rp.text_fits(select), rp.chosen(select)
    button, panel = rp.box(".sl-compare"), rp.box(".sl-run-tabs")
    assert button["x"] + button["width"] <= panel["x"] + panel["width"]
    page.click(".sl-compare")
    page.wait_for_selector(".sl-diff table")
    rp.shot("compared")
    text = page.inner_text(".sl-diff")
    assert "Revision 2 minus revision 1:" in text
    heads, rows = rp.table_cells(".sl-diff")
    assert heads[0] == "MD [m]" and "ΔInc [deg]" in heads
    changed = int(text.split("revision 1: ")[1].split(" of ")[0])
    assert len(rows) == changed > 0
    for r in rows:  # no row of zeros
        assert any(c.strip() not in ("0.000", "-0.000", "") for c in r[1:]), r
    assert rp.real_errors() == []
