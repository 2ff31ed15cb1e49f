"""Hypothesis properties from the issue (modest example counts: the suite must stay fast)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import compute_trajectory, interpolate_md
from surveylab.models import TieOn
from surveylab.units import to_metres


@st.composite
def surveys(draw, max_size: int = 30):
    n = draw(st.integers(2, max_size))
    steps = draw(st.lists(st.floats(1.0, 200.0), min_size=n, max_size=n))
    md = 10.0 + np.cumsum(steps)
    inc = np.array(draw(st.lists(st.floats(0.0, 120.0), min_size=n, max_size=n)))
    azi = np.array(draw(st.lists(st.floats(0.0, 359.99), min_size=n, max_size=n)))
    # keep neighbouring tangents away from a U-turn
    for i in range(1, n):
        if abs(inc[i] - inc[i - 1]) > 60.0:
            inc[i] = inc[i - 1] + np.sign(inc[i] - inc[i - 1]) * 60.0
    tie = TieOn(0.0, float(inc[0]), float(azi[0]), 0.0, 0.0, 0.0)
    return md, inc, azi, tie


@settings(max_examples=100, deadline=None)
@given(surveys(), st.floats(-720.0, 720.0))
def test_rotating_azimuths_rotates_the_plan(survey, theta) -> None:
    md, inc, azi, tie = survey
    a = compute_trajectory(md, inc, azi, depth_unit="m", tie_on=tie)
    rot_tie = TieOn(tie.md, tie.inc, tie.azi + theta)
    b = compute_trajectory(md, inc, azi + theta, depth_unit="m", tie_on=rot_tie)
    c, s = np.cos(np.radians(theta)), np.sin(np.radians(theta))
    scale = max(1.0, float(np.abs(np.concatenate((a.north, a.east, a.tvd))).max()))
    assert np.allclose(b.north, a.north * c - a.east * s, atol=1e-9 * scale)
    assert np.allclose(b.east, a.north * s + a.east * c, atol=1e-9 * scale)
    assert np.allclose(b.tvd, a.tvd, atol=1e-9 * scale)
    assert np.allclose(b.dls, a.dls, atol=1e-9)
    assert np.allclose(b.build_rate, a.build_rate, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(surveys(), st.floats(0.01, 0.99), st.data())
def test_inserting_an_interpolated_station_changes_nothing(survey, frac, data) -> None:
    md, inc, azi, tie = survey
    a = compute_trajectory(md, inc, azi, depth_unit="m", tie_on=tie)
    k = data.draw(st.integers(0, md.size - 2))
    target = md[k] + frac * (md[k + 1] - md[k])
    p = interpolate_md(a, [target])
    md2 = np.insert(md, k + 1, target)
    inc2 = np.insert(inc, k + 1, p.inc[0])
    azi2 = np.insert(azi, k + 1, p.azi[0])
    b = compute_trajectory(md2, inc2, azi2, depth_unit="m", tie_on=tie)
    keep = np.delete(np.arange(md2.size), k + 1)
    scale = max(1.0, float(md[-1]))
    for name in ("tvd", "north", "east"):
        assert np.allclose(getattr(b, name)[keep], getattr(a, name), atol=1e-9 * scale), name
    assert np.allclose(b.tvd[k + 1], p.tvd[0], atol=1e-9 * scale)
    # DLS is constant along a course, so both halves carry the course's DLS
    assert np.allclose(b.dls[k + 1 : k + 3], a.dls[k + 1], rtol=1e-6, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(surveys(), st.sampled_from(["ft", "usft"]))
def test_feet_and_metres_give_the_same_geometry(survey, unit) -> None:
    md, inc, azi, tie = survey
    in_feet = compute_trajectory(md, inc, azi, depth_unit=unit, tie_on=tie)
    in_m = compute_trajectory(to_metres(md, unit), inc, azi, depth_unit="m", tie_on=tie)
    scale = max(1.0, float(md[-1]))
    for name in ("tvd", "north", "east"):
        assert np.allclose(to_metres(getattr(in_feet, name), unit), getattr(in_m, name),
                           atol=1e-9 * scale), name  # fmt: skip
    assert np.allclose(in_feet.dogleg, in_m.dogleg, atol=1e-9)
    # rates differ only by the course lengths: deg/100 ft vs deg/30 m
    ratio = to_metres(100.0, unit) / 30.0
    assert np.allclose(in_feet.dls, in_m.dls * ratio, rtol=1e-9, atol=1e-12)
