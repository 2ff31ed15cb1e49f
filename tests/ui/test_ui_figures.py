"""Figure thinning: long surveys are drawn from fewer points, never losing ends or DLS spikes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from surveylab.ui import figures


def _stations(n: int) -> pd.DataFrame:
    md = np.arange(n, dtype=float) * 10.0
    dls = np.full(n, 0.5)
    dls[7_777] = 25.0  # a single spike, not on a uniform sampling grid
    return pd.DataFrame(
        {
            "md": md,
            "inc": np.zeros(n),
            "azi": np.zeros(n),
            "tvd": md,
            "north": md * 0.1,
            "east": md * 0.2,
            "dls": dls,
        }
    )


def test_short_surveys_are_drawn_whole():
    df = _stations(10_000).head(500)
    assert figures.thin(df) is df


def test_long_surveys_keep_first_last_and_at_most_max_points():
    df = _stations(10_000)
    out = figures.thin(df)
    assert len(out) <= figures.MAX_POINTS
    assert out["md"].iloc[0] == 0.0 and out["md"].iloc[-1] == df["md"].iloc[-1]
    assert out["md"].is_monotonic_increasing


def test_dls_view_keeps_a_spike_that_uniform_thinning_would_drop():
    df = _stations(10_000)
    assert 25.0 not in figures.thin(df)["dls"].to_numpy()  # uniform sampling misses it
    fig = figures.dls_view(df, "m", 30.0)
    ys = np.asarray(fig.data[0].y, dtype=float)
    assert len(ys) <= figures.MAX_POINTS + 2
    assert ys.max() == 25.0


def test_plan_view_of_a_long_survey_is_thinned():
    fig = figures.plan_view(_stations(10_000), "m")
    assert len(fig.data[0].x) <= figures.MAX_POINTS


def test_stations_get_markers_only_while_they_can_be_told_apart():
    short = _stations(10_000).head(figures.MARKERS_UP_TO)
    longer = _stations(10_000).head(figures.MARKERS_UP_TO + 1)
    for view in (figures.plan_view, lambda df, u: figures.section_view(df, u, 30.0)):
        assert view(short, "m").data[0].mode == "lines+markers"
        assert view(longer, "m").data[0].mode == "lines"
        assert view(_stations(10_000), "m").data[0].mode == "lines"


def test_the_warm_up_figure_is_a_tiny_line_and_3d_line():
    fig = figures.warmup()
    types = sorted(t.type for t in fig.data)
    assert types == ["scatter", "scatter3d", "scatter3d"]
    assert all(len(t.x) <= 2 for t in fig.data)
    assert fig.layout.width <= 50 and fig.layout.height <= 50
    # the 3-D scene is styled as the real one, so that its axis text is made once ahead
    real = figures.view_3d(_stations(10_000).head(10), "m")
    assert fig.layout.scene.xaxis.nticks == real.layout.scene.xaxis.nticks


def test_add_ellipses_draws_one_outline_per_station_at_the_sigma():
    """The ellipse trace: one closed outline per station, separated by gaps, centred on the
    station, as wide as the semi-major axis at the sigma, named by the sigma and plane."""
    import plotly.graph_objects as go

    from surveylab.calc.uncertainty import horizontal_ellipses
    from surveylab.ui.figures import add_ellipses

    cov = np.zeros((3, 3, 3))
    cov[:, 0, 0], cov[:, 1, 1], cov[:, 2, 2] = [1.0, 4.0, 9.0], [0.25, 1.0, 1.0], 1.0
    ell = horizontal_ellipses(cov, sigma=2.0, north_reference="true", depth_unit="m")
    north, east = np.array([0.0, 100.0, 200.0]), np.array([0.0, 10.0, 20.0])
    fig = add_ellipses(go.Figure(), ell, north, east, np.array([0.0, 1.0, 2.0]), "m", swap=True)
    (trace,) = fig.data
    assert trace.name == "2-sigma ellipses, horizontal plane (true north)"
    x, y = np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)
    assert int(np.isnan(x).sum()) == 3
    for k, (xs, ys) in enumerate(zip(np.split(x, np.flatnonzero(np.isnan(x)) + 1)[:3],
                                     np.split(y, np.flatnonzero(np.isnan(y)) + 1)[:3],
                                     strict=True)):  # fmt: skip
        xs, ys = xs[~np.isnan(xs)], ys[~np.isnan(ys)]
        assert (xs[0], ys[0]) == pytest.approx((xs[-1], ys[-1]))  # closed
        # plan view: east across, north up; the major axis is north-south here
        assert ys.max() - ys.min() == pytest.approx(2 * 2.0 * np.sqrt(cov[k, 0, 0]), rel=1e-3)
        assert xs.mean() == pytest.approx(east[k], abs=0.2)


def test_ladder_and_travelling_cylinder_draw_one_trace_per_offset():
    """The ladder: SF against MD per offset, the 1.0 and 1.5 levels as labelled lines, axes with
    units; the travelling cylinder: polar, angle clockwise from the top (the high side)."""
    from surveylab.ui.figures import ladder_view, travelling_cylinder_view

    rng = np.random.default_rng(5)
    curves = [
        (f"OFF-{i}", pd.DataFrame({"md": np.arange(10.0) * 30.0, "sf": rng.uniform(0, 5, 10),
                                   "ctc": rng.uniform(1, 50, 10),
                                   "highside_angle": rng.uniform(0, 360, 10)}))
        for i in range(3)
    ]  # fmt: skip
    ladder = ladder_view(curves, "ft", rule="k = 3.5")
    assert [t.name for t in ladder.data] == ["OFF-0", "OFF-1", "OFF-2"]
    for t, (_, df) in zip(ladder.data, curves, strict=True):
        assert np.array_equal(np.asarray(t.y), df["sf"].to_numpy())
    assert sorted((s.y0, s.y1) for s in ladder.layout.shapes) == [(1.0, 1.0), (1.5, 1.5)]
    assert sorted(a.text for a in ladder.layout.annotations if a.text.startswith("SF")) == [
        "SF 1.0", "SF 1.5"]  # fmt: skip
    assert ladder.layout.xaxis.title.text == "Reference MD [ft]"
    assert "k = 3.5" in ladder.layout.title.text
    cyl = travelling_cylinder_view(curves, "ft")
    assert [t.type for t in cyl.data] == ["scatterpolar"] * 3
    assert np.array_equal(np.asarray(cyl.data[1].r), curves[1][1]["ctc"].to_numpy())
    assert cyl.layout.polar.angularaxis.rotation == 90
    assert cyl.layout.polar.angularaxis.direction == "clockwise"
    assert cyl.layout.polar.radialaxis.title.text == "C-C [ft]"
