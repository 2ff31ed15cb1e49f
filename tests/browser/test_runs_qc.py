"""QC tab and approval as a person does it: an engineer who did not import run D104 (the
demo's MWD run with raw readings, imported by the surveyor) opens it, reads the QC plot with
its limit bands, types a note, approves, and sees the status change in the runs table; then
the Wellbore tab shows Demo J-1's definitive survey with its tool program."""

from __future__ import annotations

import pytest

from tests.browser.runs_helpers import runs_page_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUN = "D104"


def status_in_table(rp, number: str) -> str:
    heads = rp.grid_heads()
    row = next(r for r in rp.grid() if r[0] == number)
    return row[heads.index("status")]


def test_an_engineer_approves_a_run_someone_else_imported(runs_page):
    rp = runs_page()
    page = rp.page
    rp.login("engineer", "engineer-demo-password")
    rp.search(RUN)
    assert status_in_table(rp, RUN) == "qc_passed"
    rp.click_run(RUN, search=False)
    rp.open_tab("QC")
    fig = rp.plotly(".sl-qc-plot .js-plotly-plot")
    rp.shot("qc-tab")
    assert "Raw-sensor QC: Demo J-1 · run D104 rev 1" in fig["title"]
    assert [fig[k]["title"] for k in ("yaxis", "yaxis2", "yaxis3")] == [
        "ΔBtotal [nT]",
        "ΔDip [deg]",
        "ΔGtotal [g]",
    ]
    assert fig["xaxis3"]["title"] == "MD [m]"
    names = [t["name"] for t in fig["traces"]]
    assert [n for n in names if n.startswith("limit")] == [
        "limit ±300 nT",
        "limit ±0.25 deg",
        "limit ±0.0025 g",
    ]
    assert "outside a limit" not in names
    info = page.inner_text(".sl-qc-info")
    assert "Reference field (source: file)" in info and "50350.0" in info
    assert "All" in page.inner_text(".sl-qc-failed")
    # the approval controls: shown to this engineer (the surveyor imported the run)
    page.wait_for_selector(".sl-approve", state="visible")
    assert not page.locator(".sl-override-qc").is_visible()  # it passed QC
    assert "imported by surveyor" in page.inner_text(".sl-approve-hint")
    note = "Raw data within limits; agrees with the gyro run D101"
    page.locator(".sl-approve-note textarea").fill(note)
    rp.shot("note-typed")
    page.click(".sl-approve")
    page.wait_for_selector(".sl-ok-box:has-text('is approved (by engineer)')")
    page.wait_for_function(
        """(n) => [...document.querySelectorAll('.sl-runs-table tbody tr[data-id]')]
             .some(tr => tr.cells[0].textContent === n && tr.textContent.includes('approved'))""",
        arg=RUN,
    )
    rp.shot("approved")
    assert status_in_table(rp, RUN) == "approved"
    assert "approved" in page.inner_text(".sl-run-sub")
    page.wait_for_selector(".sl-status-history table")
    heads, rows = rp.table_cells(".sl-status-history")
    assert heads == ["At (UTC)", "By", "From", "To", "Note"]
    assert rows[-1][1:] == ["engineer", "qc_passed", "approved", note]
    assert not page.locator(".sl-approve").is_visible()  # nothing left to approve
    # the status filter finds it among the approved runs
    box = page.locator(".sl-search input")
    box.fill("")
    box.press("Enter")
    rows_js = "[...document.querySelectorAll('.sl-runs-table tbody tr[data-id]')]"
    page.wait_for_function(f"() => {rows_js}.length > 1")
    page.select_option(".sl-status-filter select", "approved")
    page.wait_for_function(
        f"() => {rows_js}.length === 1 && {rows_js}[0].textContent.includes('approved')"
    )
    assert [r[0] for r in rp.grid()] == [RUN]
    # the Wellbore tab: Demo J-1's wellbores and its definitive survey's tool program
    rp.open_tab("Wellbore")
    page.wait_for_selector(".sl-tool-program table")
    plan = rp.plotly(".sl-definitive-plan .js-plotly-plot")
    rp.shot("wellbore")
    assert "Demo J-1/main definitive v1" in plan["title"]
    heads, rows = rp.table_cells(".sl-wellbores")
    assert [r[:3] for r in rows] == [
        ["main (this run's)", "(main bore)", ""],
        ["ST1", "main", "1500.00 m"],
    ]
    heads, rows = rp.table_cells(".sl-tool-program")
    assert heads[:5] == ["Interval", "Run", "Tool type", "Revision", "Status"]
    first = rows[0]
    assert (first[1], first[4], first[5], first[6]) == ("D101", "definitive", "0.00", "1200.00")
    assert rows[1][1] == "D102" and rows[1][5] == "1200.00"
    # D204 failed QC: its disturbed stations are crossed in the plot and listed, and
    # approving it offers the override
    page.select_option(".sl-status-filter select", "qc_failed")
    page.wait_for_function(
        f"() => {rows_js}.length === 1 && {rows_js}[0].textContent.includes('D204')"
    )
    rp.click_run("D204", search=False)
    rp.open_tab("QC")
    page.wait_for_function(
        """() => { const g = document.querySelector('.sl-qc-plot .js-plotly-plot');
                   return g && g._fullLayout && g._fullLayout.title.text.includes('D204'); }"""
    )
    fig = rp.plotly(".sl-qc-plot .js-plotly-plot")
    # three stations beyond the Btotal and dip limits, one beyond the Gtotal limit
    assert [t["n"] for t in fig["traces"] if t["name"] == "outside a limit"] == [3, 3, 1]
    page.wait_for_selector(".sl-qc-failed table")
    heads, rows = rp.table_cells(".sl-qc-failed")
    assert heads[0] == "MD [m]" and [r[0] for r in rows] == [
        "1230.00",
        "1260.00",
        "1290.00",
        "2130.00",
    ]
    assert page.locator(".sl-override-qc").is_visible()
    rp.shot("failed-qc")
    page.locator(".sl-qc-failed").scroll_into_view_if_needed()
    rp.shot("failed-stations")
    # no tab title, button or label cut off
    cut = page.evaluate(
        """() => [...document.querySelectorAll(
              '.sl-qc button, .sl-wellbore .widget-label, .lm-TabBar-tabLabel')]
             .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
             .map(e => e.textContent)"""
    )
    assert cut == []
    assert rp.real_errors() == []
