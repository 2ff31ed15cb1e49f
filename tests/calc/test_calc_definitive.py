"""Composing a definitive survey from intervals of several surveys (surveylab.calc.definitive).

The property: a survey sampled from one path and cut into runs that overlap, each run computed
from its own (wrong) tie-on, composes back into the path's positions at its stations, whatever
the cut MDs (at a station or between stations: interpolated along the arc, which lies on the
same arc). A sidetrack starts at the tie-on it is given. Gaps, overlaps, intervals outside their
survey and empty intervals are refused naming the interval.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import SurveyInputError, compute_trajectory, interpolate_md
from surveylab.calc.definitive import Interval, compose
from surveylab.models import TieOn


@st.composite
def long_surveys(draw):
    n = draw(st.integers(12, 60))
    step = draw(st.sampled_from([10.0, 27.5, 30.0, 33.0]))
    md = step * np.arange(n)
    build = draw(st.lists(st.floats(-2.0, 3.0), min_size=n, max_size=n))
    turn = draw(st.lists(st.floats(-2.0, 2.0), min_size=n, max_size=n))
    inc = np.clip(np.cumsum(build), 0.0, 120.0)
    inc[0] = 0.0
    azi = (draw(st.floats(0.0, 359.0)) + np.cumsum(turn)) % 360.0
    return md, inc, azi


def _run(md, inc, azi, lo: int, hi: int, unit="m"):
    """Stations lo..hi of the long survey as a run computed from a made-up tie-on (only its
    inclination and azimuth may count); the first run from the surface."""
    sl = slice(lo, hi + 1)
    if lo == 0:
        return compute_trajectory(md[sl], inc[sl], azi[sl], depth_unit=unit)
    tie = TieOn(md=float(md[lo]), inc=float(inc[lo]), azi=float(azi[lo]), tvd=-7.0, north=3.0,
                east=99.0)  # fmt: skip
    return compute_trajectory(md[sl], inc[sl], azi[sl], depth_unit=unit, tie_on=tie)


@settings(max_examples=300, deadline=None)
@given(long_surveys(), st.data())
def test_three_runs_compose_back_into_the_long_survey(survey, data):
    md, inc, azi = survey
    n = md.size
    full = compute_trajectory(md, inc, azi, depth_unit="m")
    # cut points: between or at stations, each run overlapping its neighbours
    c1 = data.draw(st.floats(md[3], md[n // 2 - 1]))
    c2 = data.draw(st.floats(md[n // 2 + 1], md[n - 3]))
    if data.draw(st.booleans()):
        c1 = float(md[np.searchsorted(md, c1)])  # at a station
    i1, i2 = np.searchsorted(md, c1), np.searchsorted(md, c2)
    a = _run(md, inc, azi, 0, min(i1 + 2, n - 1))
    b = _run(md, inc, azi, max(i1 - 2, 1), min(i2 + 2, n - 1))
    c = _run(md, inc, azi, max(i2 - 2, 0), n - 1)
    out = compose(
        [Interval(a, 0.0, c1, "A"), Interval(b, c1, c2, "B"), Interval(c, c2, md[-1], "C")],
        depth_unit="m",
    )
    t = out.trajectory
    at = np.searchsorted(t.md, md)
    assert np.array_equal(t.md[at], md)
    for name in ("tvd", "north", "east"):
        np.testing.assert_allclose(getattr(t, name)[at], getattr(full, name), atol=1e-7)
    np.testing.assert_allclose(t.inc[at], inc, atol=1e-9)
    # the stations added are exactly the cut MDs that are not stations, marked interpolated
    extra = sorted(set(t.md.tolist()) - set(md.tolist()))
    near = [c for c in (c1, c2) if np.min(np.abs(md - c)) > 1e-9 * max(1.0, c)]
    assert extra == sorted(near)
    assert out.interpolated.sum() == len(extra)
    assert list(out.interval[at][:3]) == [0, 0, 0] and out.interval[-1] == 2


def test_one_interval_from_a_deeper_start_keeps_that_stations_position():
    md = np.arange(0.0, 1001.0, 100.0)
    inc = np.linspace(0.0, 40.0, md.size)
    azi = np.full(md.size, 60.0)
    full = compute_trajectory(md, inc, azi, depth_unit="ft")
    out = compose([Interval(full, 250.0, 1000.0, "A")], depth_unit="ft")
    at = interpolate_md(full, [250.0])
    assert out.tie_on.md == 250.0 and out.tie_on.tvd == pytest.approx(float(at.tvd[0]))
    assert out.interpolated[0] and out.trajectory.md[0] == 250.0
    np.testing.assert_allclose(out.trajectory.north[-1], full.north[-1], atol=1e-9)


def test_a_sidetrack_starts_at_the_tie_on_it_is_given():
    """The parent path up to the kick-off, then the sidetrack's own stations: the same
    positions as one survey of both."""
    md_p = np.arange(0.0, 2001.0, 100.0)
    parent = compute_trajectory(md_p, np.linspace(0, 30, md_p.size), np.full(md_p.size, 10.0),
                                depth_unit="m")  # fmt: skip
    kop = 1250.0
    k = interpolate_md(parent, [kop])
    tie = TieOn(kop, float(k.inc[0]), float(k.azi[0]), float(k.tvd[0]), float(k.north[0]),
                float(k.east[0]))  # fmt: skip
    md_s = np.arange(1200.0, 2201.0, 100.0)  # a run surveyed from above the kick-off
    inc_s = np.linspace(18.0, 50.0, md_s.size)
    azi_s = np.linspace(10.0, 80.0, md_s.size)
    own = compute_trajectory(md_s, inc_s, azi_s, depth_unit="m")
    out = compose([Interval(own, kop, 2200.0, "ST")], depth_unit="m", tie_on=tie)
    keep = md_s > kop
    joined_md = np.concatenate([md_p[md_p < kop], [kop], md_s[keep]])
    joined_inc = np.concatenate([parent.inc[md_p < kop], k.inc, inc_s[keep]])
    joined_azi = np.concatenate([parent.azi[md_p < kop], k.azi, azi_s[keep]])
    one = compute_trajectory(joined_md, joined_inc, joined_azi, depth_unit="m")
    at = np.searchsorted(one.md, out.trajectory.md)
    for name in ("tvd", "north", "east"):
        np.testing.assert_allclose(getattr(out.trajectory, name), getattr(one, name)[at],
                                   atol=1e-8)  # fmt: skip


@pytest.mark.parametrize(
    ("cuts", "message"),
    [
        ([(0, 500), (600, 1000)], "B: starts at MD 600 but A ends at MD 500 (a gap)"),
        ([(0, 500), (400, 1000)], "B: starts at MD 400 but A ends at MD 500 (a overlap)"),
        ([(0, 500), (500, 500)], "B: interval from MD 500 to 500 is empty or reversed"),
        ([(0, 500), (500, 1200)], "B: the survey ends at MD 1000, above the interval's end"),
        ([(-50, 500)], "A: the survey starts at MD 0, below the interval's start MD -50"),
        ([], "at least one interval"),
    ],
)
def test_bad_tool_programs_are_refused_naming_the_interval(cuts, message):
    md = np.arange(0.0, 1001.0, 100.0)
    path = compute_trajectory(md, np.linspace(0, 20, md.size), np.zeros(md.size), depth_unit="m")
    ivs = [Interval(path, a, b, "AB"[k]) for k, (a, b) in enumerate(cuts)]
    with pytest.raises(SurveyInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compose(ivs, depth_unit="m")


def test_a_tie_on_at_another_md_than_the_first_interval_is_refused():
    md = np.arange(0.0, 1001.0, 100.0)
    path = compute_trajectory(md, np.linspace(0, 20, md.size), np.zeros(md.size), depth_unit="m")
    with pytest.raises(SurveyInputError, match="tie-on is at MD 300"):
        compose([Interval(path, 400.0, 900.0, "A")], depth_unit="m", tie_on=TieOn(md=300.0))
