"""Interpolation, resampling, TVD crossings and projection."""

from __future__ import annotations

import math

import numpy as np
import pytest

from surveylab.calc import (
    Stations,
    SurveyInputError,
    compute_trajectory,
    interpolate_md,
    project_ahead,
    resample,
    tvd_crossings,
)
from surveylab.models import TieOn

R = 1000.0  # build radius [m]


def _build_to(inc_end: float, n: int = 20):
    """Vertical-plane build due north from vertical at MD 0 to ``inc_end``: a circle of radius R."""
    s = np.linspace(0.0, R * math.radians(inc_end), n)
    return compute_trajectory(s, np.degrees(s / R), np.zeros(n), depth_unit="m")


def test_interpolation_follows_the_arc_not_the_chord() -> None:
    t = _build_to(60.0, n=2)  # one long course
    mid = R * math.radians(30.0)
    p = interpolate_md(t, [mid])
    assert p.tvd[0] == pytest.approx(R * math.sin(math.radians(30.0)), rel=1e-12)
    assert p.north[0] == pytest.approx(R * (1 - math.cos(math.radians(30.0))), rel=1e-12)
    assert p.inc[0] == pytest.approx(30.0)
    chord_tvd = (t.tvd[0] + t.tvd[1]) / 2
    assert abs(p.tvd[0] - chord_tvd) > 1.0


def test_station_hits_are_exact_and_order_is_kept() -> None:
    t = _build_to(40.0)
    p = interpolate_md(t, [t.md[5], t.md[2], t.md[-1]])
    assert p.tvd.tolist() == [t.tvd[5], t.tvd[2], t.tvd[-1]]
    assert p.md.tolist() == [t.md[5], t.md[2], t.md[-1]]


def test_interpolation_into_the_tie_on_course() -> None:
    t = compute_trajectory([100.0, 200.0], [10.0, 10.0], [0.0, 0.0], depth_unit="m")
    p = interpolate_md(t, [0.0, 50.0])
    assert p.tvd[0] == 0.0
    assert 0 < p.inc[1] < 10.0


def test_interpolation_out_of_range_is_refused() -> None:
    t = _build_to(20.0)
    with pytest.raises(SurveyInputError, match="outside the surveyed range"):
        interpolate_md(t, [t.md[-1] + 1.0])
    with pytest.raises(SurveyInputError, match="outside"):
        interpolate_md(t, [float("nan")])


def test_resample_step() -> None:
    t = _build_to(30.0)
    r = resample(t, 100.0)
    assert r.md[:3].tolist() == [0.0, 100.0, 200.0]
    assert r.md[-1] == t.md[-1]
    assert np.all(np.diff(r.md) > 0)
    assert np.allclose(r.tvd, R * np.sin(r.md / R), rtol=1e-12, atol=1e-9)
    with pytest.raises(SurveyInputError, match="positive"):
        resample(t, 0.0)


def test_tvd_crossings_single_and_double() -> None:
    # build beyond horizontal: TVD peaks at R (inc 90) and comes back up
    t = _build_to(150.0)
    target = R * math.sin(math.radians(60.0))
    got = tvd_crossings(t, target)
    expected = [R * math.radians(60.0), R * math.radians(120.0)]
    assert got == pytest.approx(expected, rel=1e-12)
    assert tvd_crossings(t, R + 1.0).size == 0
    # touching the deepest point: one crossing at 90 deg
    assert tvd_crossings(t, R) == pytest.approx([R * math.pi / 2], rel=1e-6)
    one = tvd_crossings(t, 100.0)
    assert one == pytest.approx([R * math.asin(0.1)], rel=1e-12)


def test_tvd_crossing_in_a_single_arc_course_with_extremum() -> None:
    # one course from 60 to 120 deg: both crossings inside the same course
    md0 = R * math.radians(60.0)
    tie = TieOn(md0, 60.0, 0.0, R * math.sin(math.radians(60.0)), 0.0, 0.0)
    t = compute_trajectory([md0, R * math.radians(120.0)], [60.0, 120.0], [0.0, 0.0],
                           depth_unit="m", tie_on=tie)  # fmt: skip
    got = tvd_crossings(t, R * math.sin(math.radians(75.0)))
    assert got == pytest.approx([R * math.radians(75.0), R * math.radians(105.0)], rel=1e-12)


def test_tvd_crossings_on_straight_courses() -> None:
    t = compute_trajectory([0.0, 100.0, 200.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], depth_unit="m")
    assert tvd_crossings(t, 150.0) == pytest.approx([150.0])
    assert tvd_crossings(t, 100.0).tolist() == [100.0]
    with pytest.raises(SurveyInputError, match="TVD"):
        tvd_crossings(t, float("nan"))


def test_project_hold_and_build() -> None:
    t = compute_trajectory([0.0, 100.0], [0.0, 30.0], [45.0, 45.0], depth_unit="m",
                           tie_on=TieOn(0.0, 0.0, 45.0))  # fmt: skip
    hold = project_ahead(t, 200.0, course_length=30.0)
    assert isinstance(hold, Stations)
    assert hold.inc[0] == 30.0 and hold.azi[0] == 45.0
    assert hold.tvd[0] - t.tvd[-1] == pytest.approx(100 * math.cos(math.radians(30.0)))
    horiz = math.hypot(hold.north[0] - t.north[-1], hold.east[0] - t.east[-1])
    assert horiz == pytest.approx(50.0)
    build = t.project_ahead(130.0, build_rate=3.0, turn_rate=-1.5)
    assert build.inc[0] == pytest.approx(33.0)
    assert build.azi[0] == pytest.approx(43.5)
    with pytest.raises(SurveyInputError, match="not deeper"):
        t.project_ahead(50.0)
    with pytest.raises(SurveyInputError, match="outside \\[0, 180\\]"):
        t.project_ahead(1000.0, build_rate=-10.0)
    with pytest.raises(SurveyInputError, match="finite"):
        project_ahead(t, 150.0, course_length=30.0, build_rate=float("inf"))
