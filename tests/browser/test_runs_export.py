"""Export & report: one step from format to file (the browser saves it); the link to save it
again looks like a link; reports offer units and VS azimuth; format labels read alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.runs_helpers import runs_page_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_export_in_one_step_and_report_options(runs_page):
    rp = runs_page()
    page = rp.page
    rp.login("viewer", "viewer-demo-password")
    rp.click_run("D201")
    rp.open_tab("Export & report")
    labels = rp.options(".sl-export-format select")
    assert labels == ["CSV", "Excel", "LAS 2.0", "WITSML 1.4.1.1", "WITSML 2.0"]
    reports = rp.options(".sl-report-format select")
    assert reports == ["HTML", "PDF"]
    units = rp.options(".sl-report-units select")
    assert units == ["m", "ft", "US survey ft"]
    assert page.locator(".sl-report-vs input").is_visible()
    page.select_option(".sl-export-format select", index=3)
    with page.expect_download() as got:
        page.click(".sl-export")  # the one step: the file arrives
    rp.shot("downloaded")
    assert got.value.suggested_filename == "D201_rev1.xml"
    text = Path(got.value.path()).read_text(encoding="utf-8")
    assert "trajectorys" in text and "D201" in page.inner_text(".sl-downloads")
    link = page.locator(".sl-downloads a.sl-download")
    style = link.evaluate(
        "a => [getComputedStyle(a).color, getComputedStyle(a).textDecorationLine]"
    )
    assert style[1] == "underline"
    r, _g, b = (int(x) for x in style[0].removeprefix("rgb(").rstrip(")").split(",")[:3])
    assert b > 150 and r < 100  # blue, not black
    assert rp.real_errors() == []
