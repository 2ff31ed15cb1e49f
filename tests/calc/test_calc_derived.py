"""Derived quantities, the comparison methods, and the peers' bugs that must not happen here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveylab.calc import (
    METHODS,
    NO_TIE_ON_ASSUMPTION,
    closure,
    compute_trajectory,
    default_vs_azimuth,
    vertical_section,
    wrap_180,
    wrap_360,
)
from surveylab.models import DepthUnit, TieOn


def test_build_and_turn_are_signed() -> None:
    """Regression: a peer reports |build| and |turn|; a drop and a left turn are negative."""
    t = compute_trajectory(
        [1000, 1030, 1060],
        [30, 27, 27],
        [100, 100, 94],
        depth_unit="m",
        tie_on=TieOn(1000, 30, 100, 900, 0, 0),
    )
    assert t.build_rate[1] == pytest.approx(-3.0)
    assert t.turn_rate[2] == pytest.approx(-6.0)
    assert t.build_rate[2] == 0.0


def test_turn_wraps_at_north() -> None:
    """Regression: 359.8 -> 0.2 is a +0.4 turn, not -359.6."""
    t = compute_trajectory(
        [0, 30, 60], [10, 10, 10], [359.8, 0.2, 359.8], depth_unit="m", tie_on=TieOn(0, 10, 359.8)
    )
    assert t.turn_rate[1] == pytest.approx(0.4)
    assert t.turn_rate[2] == pytest.approx(-0.4)
    assert t.dls[1] < 0.1


def test_wrap_180_range() -> None:
    out = wrap_180([180.0, -180.0, 359.6, -359.6, 540.0, 0.0])
    assert out.tolist() == pytest.approx([180.0, 180.0, -0.4, 0.4, 180.0, 0.0])


def test_dls_per_100_ft_for_feet() -> None:
    """Regression: a peer computes DLS per 30 m for a survey in feet (1.6 % off)."""
    md, inc, azi = [0.0, 100.0, 200.0], [0.0, 3.0, 6.0], [0.0, 0.0, 0.0]
    ft = compute_trajectory(md, inc, azi, depth_unit="ft")
    assert ft.dls_course_length == 100.0
    assert ft.dls[1:] == pytest.approx([3.0, 3.0])
    us = compute_trajectory(md, inc, azi, depth_unit=DepthUnit.USFT)
    assert us.dls[1:] == pytest.approx([3.0, 3.0])
    m = compute_trajectory(md, inc, azi, depth_unit="m")
    assert m.dls_course_length == 30.0
    assert m.dls[1:] == pytest.approx([0.9, 0.9])


def test_tie_on_course_and_assumption() -> None:
    t = compute_trajectory([100.0, 130.0], [3.0, 6.0], [90.0, 90.0], depth_unit="m")
    assert t.assumptions == [NO_TIE_ON_ASSUMPTION]
    assert t.tie_on.assumed
    # course from vertical at MD 0 to 3 deg at MD 100: DLS 0.9 deg/30 m reported at station 1
    assert t.dls[0] == pytest.approx(0.9)
    assert t.build_rate[0] == pytest.approx(0.9)
    given = compute_trajectory(
        [100.0, 130.0],
        [3.0, 6.0],
        [90.0, 90.0],
        depth_unit="m",
        tie_on=TieOn(100.0, 3.0, 90.0, 99.9, 1.0, 2.0),
    )
    assert given.assumptions == []
    assert (given.tvd[0], given.north[0], given.east[0]) == (99.9, 1.0, 2.0)
    assert given.dls[0] == 0.0


def test_toolface_cases() -> None:
    # build only: toolface 0 (high side); drop: 180; right turn at 90 deg inclination: 90
    t = compute_trajectory(
        [0, 30, 60, 90, 120, 150],
        [20, 23, 20, 90, 90, 90],
        [50, 50, 50, 50, 53, 53],
        depth_unit="m",
        tie_on=TieOn(0, 20, 50),
    )
    assert math.isnan(t.toolface[0])
    assert t.toolface[1] == pytest.approx(0.0, abs=1e-9)
    assert t.toolface[2] == pytest.approx(180.0)
    assert t.toolface[4] == pytest.approx(90.0)
    assert math.isnan(t.toolface[5])  # straight course
    left = compute_trajectory([0, 30], [90, 90], [50, 47], depth_unit="m", tie_on=TieOn(0, 90, 50))
    assert left.toolface[1] == pytest.approx(270.0)
    # kick-off from vertical: the azimuth the hole sets off in
    k = compute_trajectory([0, 30], [0, 3], [0, 123], depth_unit="m")
    assert k.toolface[1] == pytest.approx(123.0)


def test_vertical_section_and_closure() -> None:
    vs = vertical_section([3.0, 0.0], [4.0, -2.0], 90.0)
    assert vs == pytest.approx([4.0, -2.0])
    vs2 = vertical_section([10.0], [10.0], 45.0, origin=(5.0, 5.0))
    assert vs2[0] == pytest.approx(5.0 * math.sqrt(2.0))
    d, a = closure([3.0, -1.0, 0.0], [4.0, 0.0, -2.0])
    assert d == pytest.approx([5.0, 1.0, 2.0])
    assert a == pytest.approx([math.degrees(math.atan2(4, 3)), 180.0, 270.0])
    t = compute_trajectory([0, 100], [0, 10], [30, 30], depth_unit="m", vs_azimuth=30.0)
    cd, ca = t.closure()
    assert t.vs[-1] == pytest.approx(cd[-1])
    assert ca[-1] == pytest.approx(30.0)
    assert "vs" in t.to_frame().columns
    assert "vs" not in compute_trajectory([0, 1], [0, 1], [0, 0], depth_unit="m").to_frame()


@given(
    st.floats(-1e6, 1e6, allow_nan=False)
    | st.sampled_from([-1e-17, -5e-324, -1e-300, 360.0, -360.0, 720.0, -0.0])
)
def test_wrap_360_is_in_range_and_names_the_same_direction(angle) -> None:
    """Found by the property test below: np.mod(-1e-17, 360) is 360.0, outside [0, 360)."""
    w = float(wrap_360(angle))
    assert 0.0 <= w < 360.0
    assert math.remainder(w - angle, 360.0) == pytest.approx(0.0, abs=1e-6)


def test_a_direction_a_hair_west_of_north_is_0_not_360() -> None:
    """Closure direction and toolface went through np.mod alone and gave 360.0."""
    assert float(closure(1.0, -7.6e-142)[1]) == 0.0
    t = compute_trajectory([0, 100, 200], [10, 10, 20], [1e-300, 1e-300, 0.0], depth_unit="m")
    assert t.toolface[2] == 0.0
    assert np.nanmax(t.toolface) < 360.0


def test_default_vs_azimuth_is_the_closure_direction_of_the_last_station() -> None:
    assert default_vs_azimuth([0.0, 3.0], [0.0, 4.0]) == pytest.approx(
        math.degrees(math.atan2(4.0, 3.0))
    )
    assert default_vs_azimuth([1.0, -2.0], [5.0, -2.0]) == pytest.approx(225.0)
    assert default_vs_azimuth([5.0, 0.0], [5.0, -1e-3]) == pytest.approx(270.0)
    assert default_vs_azimuth([], []) == 0.0  # no stations
    assert default_vs_azimuth([10.0, 0.0], [10.0, 0.0]) == 0.0  # back on the vertical
    assert default_vs_azimuth([0.0], [5e-10]) == 0.0  # within the tolerance


_coord = st.floats(-1e5, 1e5, allow_nan=False)


@given(st.lists(st.tuples(_coord, _coord), min_size=1, max_size=20))
def test_default_vs_azimuth_puts_the_last_station_on_the_section(points) -> None:
    """Off the vertical, the section along the default azimuth reaches the last station's
    full closure distance; the azimuth is in [0, 360)."""
    n, e = (np.array(c) for c in zip(*points, strict=True))
    azi = default_vs_azimuth(n, e)
    assert 0.0 <= azi < 360.0
    dist, direction = closure(n[-1], e[-1])
    if dist > 1e-6:
        assert azi == pytest.approx(float(direction))
        assert vertical_section(n[-1:], e[-1:], azi)[0] == pytest.approx(float(dist), rel=1e-9)


def test_methods_on_a_straight_slant_agree() -> None:
    md, inc, azi = [0.0, 100.0, 250.0], [40.0, 40.0, 40.0], [120.0, 120.0, 120.0]
    tie = TieOn(0.0, 40.0, 120.0)
    for method in METHODS:
        t = compute_trajectory(md, inc, azi, depth_unit="m", tie_on=tie, method=method)
        assert t.tvd[-1] == pytest.approx(250 * math.cos(math.radians(40))), method
        assert t.north[-1] == pytest.approx(
            250 * math.sin(math.radians(40)) * math.cos(math.radians(120))
        ), method


def test_methods_on_a_build_in_plane() -> None:
    # build 0 -> 90 deg over 1000 m in a vertical plane due north (radius 2000/pi)
    md, inc, azi = [0.0, 1000.0], [0.0, 90.0], [0.0, 0.0]
    r = 2000.0 / math.pi
    got = {m: compute_trajectory(md, inc, azi, depth_unit="m", method=m) for m in METHODS}
    assert got["minimum_curvature"].tvd[-1] == pytest.approx(r)
    assert got["radius_of_curvature"].tvd[-1] == pytest.approx(r)  # exact for a plane build
    assert got["radius_of_curvature"].north[-1] == pytest.approx(r)
    assert got["tangential"].tvd[-1] == pytest.approx(0.0, abs=1e-9)
    assert got["tangential"].north[-1] == pytest.approx(1000.0)
    assert got["balanced_tangential"].tvd[-1] == pytest.approx(500.0)
    assert got["average_angle"].tvd[-1] == pytest.approx(1000 * math.cos(math.radians(45)))
    assert all(t.method == m for m, t in got.items())


def test_radius_of_curvature_turn_only_and_azimuth_wrap() -> None:
    # horizontal turn across north: 350 -> 10 deg over R * 20 deg of arc
    r = 300.0
    length = r * math.radians(20.0)
    t = compute_trajectory(
        [0.0, length],
        [90.0, 90.0],
        [350.0, 10.0],
        depth_unit="m",
        tie_on=TieOn(0, 90, 350),
        method="radius_of_curvature",
    )
    mc = compute_trajectory(
        [0.0, length], [90.0, 90.0], [350.0, 10.0], depth_unit="m", tie_on=TieOn(0, 90, 350)
    )
    assert t.north[-1] == pytest.approx(mc.north[-1], rel=1e-12)
    assert t.east[-1] == pytest.approx(mc.east[-1], abs=1e-9)


def test_frame_columns() -> None:
    t = compute_trajectory([0, 10], [0, 1], [0, 0], depth_unit="m")
    assert list(t.to_frame().columns) == [
        "md",
        "inc",
        "azi",
        "tvd",
        "north",
        "east",
        "dogleg",
        "dls",
        "build_rate",
        "turn_rate",
        "toolface",
    ]
    assert len(t) == 2
    assert np.isnan(t.toolface[0])
