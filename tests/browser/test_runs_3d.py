"""3-D tab: drawn from few points as lines, with whole axis titles and few ticks, the box in
the survey's proportions, the wellhead and TD marked; the time to draw is printed (the
benchmark measures it: bench/bench_dashboards.py)."""

from __future__ import annotations

import time

import pytest

from tests.browser.runs_helpers import runs_page_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_3d_view_is_light_and_readable(runs_page):
    rp = runs_page()
    page = rp.page
    rp.login("viewer", "viewer-demo-password")
    rp.click_run("D302")
    page.wait_for_selector(".sl-plotly-warmup .js-plotly-plot", state="attached")
    t0 = time.perf_counter()
    rp.open_tab("3-D")
    page.wait_for_selector(".sl-plot-3d .js-plotly-plot canvas")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    print(f"3-D tab drawn in {time.perf_counter() - t0:.2f} s")
    rp.shot("3d")
    fig = rp.plotly(".sl-plot-3d .js-plotly-plot")
    scene = fig["scene"]
    assert (scene["x"], scene["y"], scene["z"]) == ("East [m]", "North [m]", "TVD [m]")
    assert scene["nticks"] == [5, 5, 5]
    ratio = scene["aspectratio"]
    assert min(ratio.values()) >= 1 / 3 - 1e-9 and max(ratio.values()) == pytest.approx(1.0)
    line, ends = fig["traces"]
    assert line["type"] == "scatter3d" and line["mode"] == "lines" and line["n"] <= 500
    assert ends["name"] == "Wellhead, TD" and ends["mode"] == "markers" and ends["n"] == 2
    assert (
        "Demo H-3 · run D302 rev 1" in fig["title"] and "azimuths from true north" in fig["title"]
    )
    # the scene fills the figure's width (no small scene in a large box)
    canvas = rp.box(".sl-plot-3d .js-plotly-plot .gl-container canvas")
    plot = rp.box(".sl-plot-3d .js-plotly-plot")
    assert canvas["width"] >= 0.9 * plot["width"]
    assert rp.real_errors() == []
