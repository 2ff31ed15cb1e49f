"""Plots tab: plan view and vertical section at equal scales, each title naming the well,
run and revision and the north reference once; axes "East [m]", "North [m]"; the wellhead
and TD marked; the section's azimuth and origin stated; no label cut off."""

from __future__ import annotations

import pytest

from tests.browser.runs_helpers import runs_page_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def metres_per_pixel(axis: dict) -> float:
    lo, hi = axis["range"]
    return abs(hi - lo) / axis["length"]


def test_plan_and_section_are_to_scale_titled_and_marked(runs_page):
    rp = runs_page()
    page = rp.page
    rp.login("viewer", "viewer-demo-password")
    rp.click_run("D302")
    rp.open_tab("Plots")
    rp.wait_plots()
    rp.shot("plots")
    plan = rp.plotly(".sl-plan .js-plotly-plot")
    section = rp.plotly(".sl-section .js-plotly-plot")
    for fig in (plan, section):
        # 1:1: as many metres per pixel across as down
        x, y = metres_per_pixel(fig["xaxis"]), metres_per_pixel(fig["yaxis"])
        assert x == pytest.approx(y, rel=0.01), fig["title"]
        assert "Demo H-3 · run D302 rev 1" in fig["title"]
        assert fig["title"].count("north") == 1 and "azimuths from true north" in fig["title"]
        names = [t["name"] for t in fig["traces"]]
        assert names == ["D302 rev 1", "Wellhead", "TD"]
        wellhead = fig["traces"][1]
        assert (wellhead["x"], wellhead["y"]) == ([0], [0])
    assert plan["xaxis"]["title"] == "East [m]" and plan["yaxis"]["title"] == "North [m]"
    assert section["xaxis"]["title"] == "Vertical section [m]"
    assert section["yaxis"]["title"] == "TVD [m]"
    assert "along 313.82°" in section["title"] and "origin N 0, E 0 m" in section["title"]
    # the TD marker is where the survey ends (TVD 1854.89 m, VS 2170.44 m: the summary's)
    td = section["traces"][2]
    assert td["x"][0] == pytest.approx(2170.44, abs=0.01)
    assert td["y"][0] == pytest.approx(1854.89, abs=0.01)
    # a new azimuth typed in: the section redraws along it, still to scale
    box = page.locator(".sl-vs-azimuth input")
    box.fill("270")
    box.press("Enter")
    page.wait_for_function(
        """() => { const g = document.querySelector('.sl-section .js-plotly-plot');
                   return g && g._fullLayout.title.text.includes('along 270.00°'); }"""
    )
    rp.shot("section-270")
    section = rp.plotly(".sl-section .js-plotly-plot")
    x, y = metres_per_pixel(section["xaxis"]), metres_per_pixel(section["yaxis"])
    assert x == pytest.approx(y, rel=0.01)
    # no label in the tab is cut off (a button or dropdown wider than its box)
    cut = page.evaluate(
        """() => [...document.querySelectorAll(
              '.sl-plots button, .sl-plots .widget-label, .lm-TabBar-tabLabel')]
             .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
             .map(e => e.textContent)"""
    )
    assert cut == []
    assert rp.real_errors() == []
