"""Minimum curvature is exact on a circular arc (Sawaryn & Thorogood, SPE 84246)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import compute_trajectory, interpolate_md, minimum_curvature
from surveylab.models import TieOn
from tests.calc._arcs import Arc, angles

unit_vec = st.tuples(*[st.floats(-1, 1) for _ in range(3)]).filter(
    lambda v: np.linalg.norm(v) > 0.2
)


def _arc_survey(arc: Arc, s: np.ndarray, md0: float):
    t = arc.tangent(s)
    inc, azi = angles(t)
    pos = arc.position(s)
    ti, ta = angles(arc.tangent(np.array([0.0])))
    p0 = arc.position(np.array([0.0]))[0]
    tie = TieOn(md0, float(ti[0]), float(ta[0]), p0[2], p0[0], p0[1])
    return md0 + s, inc, azi, pos, tie


@settings(max_examples=150, deadline=None)
@given(
    t0=unit_vec,
    hint=unit_vec,
    radius=st.floats(50.0, 1e5),
    md0=st.floats(0.0, 8000.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_arc_in_any_plane_is_reproduced(t0, hint, radius, md0, seed) -> None:
    t0, hint = np.array(t0), np.array(hint)
    if abs(np.dot(t0, hint)) / (np.linalg.norm(t0) * np.linalg.norm(hint)) > 0.98:
        hint = np.cross(t0, [0.3, 0.5, 0.8]) + 0.1
    arc = Arc(t0, hint, radius, p0=np.array([123.4, -56.7, md0 * 0.7]))
    rng = np.random.default_rng(seed)
    # irregular spacing, total turn below 170 degrees (no U-turn inside one course)
    total = min(radius * np.radians(170.0), 3000.0)
    s = np.sort(rng.uniform(0.0, total, size=rng.integers(2, 40)))
    s = s[np.concatenate(([True], np.diff(s) > 1e-3))]
    if s[0] <= 1e-3:
        s = s[1:] if s.size > 1 else s + 1.0
    md, inc, azi, pos, tie = _arc_survey(arc, s, md0)
    traj = compute_trajectory(md, inc, azi, depth_unit="m", tie_on=tie)
    got = np.column_stack((traj.north, traj.east, traj.tvd))
    scale = max(1.0, float(np.abs(pos).max()))
    assert np.abs(got - pos).max() <= 1e-9 * scale
    # DLS is the arc's curvature everywhere, including the tie-on course
    expected_dls = np.degrees(1.0 / radius) * 30.0
    assert np.allclose(traj.dls, expected_dls, rtol=1e-8, atol=1e-12)
    # interpolated points lie on the arc
    q = np.sort(rng.uniform(0.0, s[-1], size=7))
    ip = interpolate_md(traj, md0 + q)
    got_q = np.column_stack((ip.north, ip.east, ip.tvd))
    assert np.abs(got_q - arc.position(q)).max() <= 1e-9 * scale
    qi, qa = angles(arc.tangent(q))
    assert np.allclose(ip.inc, qi, atol=1e-7)
    horizontal = np.hypot(*arc.tangent(q)[:, :2].T) > 1e-6
    diff = (ip.azi - qa + 180.0) % 360.0 - 180.0
    assert np.abs(diff[horizontal]).max(initial=0.0) < 1e-6


def test_quarter_circle_build_in_vertical_plane() -> None:
    # from vertical to horizontal due east over R pi/2: TVD and E both equal R at the end
    radius = 1000.0
    s = np.linspace(0.0, radius * np.pi / 2, 11)
    md, inc = s, np.degrees(s / radius)
    p = minimum_curvature(md, inc, np.full_like(md, 90.0))
    assert p.tvd[-1] == pytest.approx(radius, rel=1e-12)
    assert p.east[-1] == pytest.approx(radius, rel=1e-12)
    assert np.abs(p.north).max() < 1e-9
    assert np.allclose(p.dogleg[1:], 9.0)


def test_horizontal_turn_circle() -> None:
    # a horizontal turn at 90 degrees: a circle in the plan view
    radius = 500.0
    s = np.linspace(0.0, radius * np.pi * 0.9, 25)
    azi = np.degrees(s / radius)
    tie = TieOn(0.0, 90.0, 0.0, 1000.0, 0.0, 0.0)
    p = minimum_curvature(s, np.full_like(s, 90.0), azi, tie_on=tie)
    assert np.allclose(p.north, radius * np.sin(s / radius), atol=1e-9)
    assert np.allclose(p.east, radius * (1 - np.cos(s / radius)), atol=1e-9)
    assert np.allclose(p.tvd, 1000.0, atol=1e-12)


def test_straight_hole_and_tiny_doglegs_use_the_series() -> None:
    md = np.array([0.0, 100.0, 200.0, 300.0])
    inc = np.array([30.0, 30.0, 30.0 + 1e-7, 30.0 + 2e-7])
    tie = TieOn(0.0, 30.0, 40.0, 0.0, 0.0, 0.0)
    p = minimum_curvature(md, inc, np.full(4, 40.0), tie_on=tie)
    assert p.tvd[1] == pytest.approx(100 * np.cos(np.radians(30.0)), rel=1e-14)
    assert p.dogleg[1] == 0.0
    assert p.dogleg[2] == pytest.approx(1e-7, rel=1e-6)
    assert np.all(np.isfinite(p.tvd))
