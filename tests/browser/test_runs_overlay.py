"""Overlay tab: two runs of a well compared along MD (ΔTVD, ΔN, ΔE, horizontal and 3-D
distance, ΔInc, ΔAzi) against the gyro tolerances where one run is a gyro, as a plot and a
table; the dropdowns say "(choose a run)" when nothing is chosen."""

from __future__ import annotations

import pytest

from tests.browser.runs_helpers import runs_page_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_differences_along_md_between_two_runs(runs_page):
    rp = runs_page()
    page = rp.page
    rp.login("viewer", "viewer-demo-password")
    rp.click_run("D302")  # MWD; the well's Gyro run D301 is the reference
    rp.open_tab("Overlay")
    page.wait_for_selector(".sl-overlay-plot .js-plotly-plot")
    rp.shot("mwd-against-gyro")
    ref, other = rp.chosen(".sl-overlay-ref select"), rp.chosen(".sl-overlay-other select")
    assert rp.text_fits(".sl-overlay-ref select") and rp.text_fits(".sl-overlay-other select")
    assert ref.startswith("D301 (Gyro)") and other.startswith("D302 (MWD)")
    options = rp.options(".sl-overlay-ref select")
    assert options[0] == "(choose a run)" and [o[:4] for o in options[1:]] == [
        "D301",
        "D302",
        "D303",
    ]
    fig = rp.plotly(".sl-overlay-plot .js-plotly-plot")
    names = [t["name"] for t in fig["traces"]]
    for want in (
        "ΔTVD [m]",
        "ΔN [m]",
        "ΔE [m]",
        "horizontal [m]",
        "3-D distance [m]",
        "ΔInc [deg]",
        "ΔAzi [deg]",
        "Inc tolerance ±0.23 deg",
        "Azi tolerance [deg]",
    ):
        assert want in names, want
    assert fig["xaxis2"]["title"] == "MD [m]"
    assert "D302 rev 1 (MWD) minus D301 rev 1 (Gyro)" in fig["title"]
    assert "Demo H-3" in fig["title"]
    note = page.inner_text(".sl-overlay-note")
    assert "for information: one run is not a gyro" in note
    heads, rows = rp.table_cells(".sl-overlay-table")
    assert heads[:8] == [
        "MD [m]",
        "ΔTVD [m]",
        "ΔN [m]",
        "ΔE [m]",
        "Horizontal [m]",
        "3-D [m]",
        "ΔInc [deg]",
        "ΔAzi [deg]",
    ]
    assert len(rows) == 127 and {r[-1] for r in rows} <= {"yes", "NO"}
    # the runs differ (a second tool on the same hole): not all zeros
    assert max(abs(float(r[5])) for r in rows) > 0.01
    # another pair: gyro against GTL, the tolerances are a QC verdict
    page.select_option(".sl-overlay-other select", index=3)
    page.wait_for_function(
        "document.querySelector('.sl-overlay-note').textContent.includes('D303 (GTL) minus')"
    )
    rp.shot("gtl-against-gyro")
    note = page.inner_text(".sl-overlay-note")
    assert "Verdict" in note and "for information" not in note
    # nothing chosen: says what to do
    page.select_option(".sl-overlay-other select", index=0)
    page.wait_for_selector(".sl-overlay-note:has-text('Choose two runs to compare')")
    assert page.locator(".sl-overlay-plot .js-plotly-plot").count() == 0
    rp.shot("nothing-chosen")
    assert rp.real_errors() == []
