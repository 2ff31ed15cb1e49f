"""Vertical section on every row and the values at TD (surveylab.calc.tables).

Exact cases (a point due north-east, sections along and across it), the J profile of the
demo as an arc and a hold, and properties over generated tables: VS along the closure
direction at TD equals the closure distance there, VS across it is zero, and turning the
section azimuth by 180 deg negates every VS.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import compute_trajectory, default_vs_azimuth
from surveylab.calc.tables import at_td, with_vertical_section


def _table(north, east) -> pd.DataFrame:
    n = np.asarray(north, dtype=float)
    return pd.DataFrame(
        {
            "md": np.arange(n.size, dtype=float) * 30.0,
            "inc": np.full(n.size, 45.0),
            "azi": np.full(n.size, 45.0),
            "tvd": np.arange(n.size, dtype=float) * 20.0,
            "north": n,
            "east": np.asarray(east, dtype=float),
            "vs": np.full(n.size, np.nan),  # as stored when the file states no azimuth
        }
    )


def test_vs_is_filled_on_every_row_exactly():
    table = _table([0.0, 3.0, 10.0], [0.0, 4.0, -10.0])
    out = with_vertical_section(table, 90.0)
    np.testing.assert_allclose(out["vs"], [0.0, 4.0, -10.0], atol=1e-12)
    out = with_vertical_section(table, 0.0, origin=(1.0, 0.0))
    np.testing.assert_allclose(out["vs"], [-1.0, 2.0, 9.0], atol=1e-12)
    assert table["vs"].isna().all()  # the input is left as it was
    without = table.drop(columns=["vs"])
    assert "vs" in with_vertical_section(without, 45.0)


def test_at_td_of_a_point_north_east():
    td = at_td(_table([0.0, 30.0], [0.0, 40.0]), vs_azimuth=math.degrees(math.atan2(40, 30)))
    assert td.closure_distance == pytest.approx(50.0, abs=1e-12)
    assert td.closure_direction == pytest.approx(math.degrees(math.atan2(40, 30)))
    assert td.vs == pytest.approx(50.0, abs=1e-12)
    assert (td.md, td.inc, td.azi, td.tvd, td.north, td.east) == (30.0, 45.0, 45.0, 20.0, 30, 40)
    west = at_td(_table([0.0, 0.0], [0.0, -5.0]), vs_azimuth=0.0)
    assert west.closure_direction == pytest.approx(270.0) and west.vs == pytest.approx(0.0)


def test_at_td_of_an_empty_table_is_refused():
    with pytest.raises(ValueError, match="without stations"):
        at_td(_table([], []), 0.0)


def test_the_j_profile_at_td_matches_the_arc_and_hold():
    """Vertical to 600 m, build 2.5 deg/30 m to 40 deg (an arc), hold 1500 m at azimuth 40."""
    radius = 30.0 / math.radians(2.5)
    build = 40.0 / 2.5 * 30.0
    md = np.r_[0.0, 600.0, 600.0 + build, 600.0 + build + 1500.0]
    traj = compute_trajectory(md, np.r_[0.0, 0.0, 40.0, 40.0], np.full(4, 40.0), depth_unit="m")
    frame = traj.to_frame()
    td = at_td(frame, default_vs_azimuth(frame["north"], frame["east"]))
    hd = radius * (1 - math.cos(math.radians(40))) + 1500.0 * math.sin(math.radians(40))
    assert td.closure_distance == pytest.approx(hd, abs=1e-6)
    assert td.closure_direction == pytest.approx(40.0, abs=1e-9)
    assert td.vs == pytest.approx(hd, abs=1e-6)
    assert (td.inc, td.azi) == (40.0, 40.0)


coords = st.floats(-5000, 5000, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(coords, coords), min_size=1, max_size=30))
def test_vs_along_the_closure_direction_is_the_closure_distance(points):
    north, east = zip(*points, strict=True)
    table = _table(north, east)
    direction = default_vs_azimuth(table["north"], table["east"])
    td = at_td(table, direction)
    assert td.vs == pytest.approx(td.closure_distance, abs=1e-6)
    across = at_td(table, direction + 90.0)
    assert across.vs == pytest.approx(0.0, abs=1e-6)
    forward = with_vertical_section(table, direction)["vs"].to_numpy()
    backward = with_vertical_section(table, direction + 180.0)["vs"].to_numpy()
    np.testing.assert_allclose(backward, -forward, atol=1e-6)
