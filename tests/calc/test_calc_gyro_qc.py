"""Gyro QC on top of the survey comparison: tolerances at their boundaries, the worst station,
and run against run with a position tolerance (fixed, per MD, or from a function of the
compared stations: the hook for a combined position uncertainty).

Generated surveys perturb a reference survey's angles station by station (inclination and
azimuth offsets set on each station, so the comparison at the reference's own MDs sees exactly
those offsets).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import Stations, SurveyInputError, compute_trajectory
from surveylab.calc.compare import GYRO_IN_OUT, GyroTolerance, compare_surveys
from surveylab.models import TieOn


def _run(inc: np.ndarray, azi: np.ndarray, step: float = 30.0):
    md = 100.0 + step * np.arange(inc.size)
    return compute_trajectory(md, inc, azi, depth_unit="m", tie_on=TieOn(100.0, inc[0], azi[0]))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(10, 40),
    low=st.booleans(),
    which=st.sampled_from(["inc", "azi"]),
    sign=st.sampled_from([-1.0, 1.0]),
    over=st.booleans(),
)
def test_in_run_out_run_tolerances_at_their_boundaries(seed, n, low, which, sign, over) -> None:
    """One station off by exactly its tolerance passes; by a hair more fails, and is the
    worst; Inc below 10 deg takes the 5 deg azimuth tolerance, at or above it 1 deg."""
    rng = np.random.default_rng(seed)
    inc = rng.uniform(1.0, 9.0, n) if low else rng.uniform(10.5, 120.0, n)
    azi = rng.uniform(0.0, 360.0, n)
    k = int(rng.integers(0, n))
    limit = GYRO_IN_OUT.inc if which == "inc" else (5.0 if low else 1.0)
    delta = sign * limit * ((1 + 1e-6) if over else 1.0)
    inc2, azi2 = inc.copy(), azi.copy()
    if which == "inc":
        inc2[k] = inc[k] + delta
        if low and inc2[k] >= 10.0:  # keep both on the same side of the threshold
            inc2[k] = inc[k] - abs(delta)
    else:
        azi2[k] = (azi[k] + delta) % 360.0
    a, b = _run(inc, azi), _run(inc2, azi2)
    c = compare_surveys(a, b)
    assert c.station_count == n and c.enough_stations
    assert np.all(c.azi_tolerance == (5.0 if low else 1.0))
    assert c.passed is not over
    assert c.failures.tolist() == ([k] if over else [])
    assert c.worst_index == k and c.worst_md == a.md[k]
    assert c.exceedance[k] == pytest.approx(abs(delta) / limit, rel=1e-6)
    assert f"worst at MD {a.md[k]:g}" in c.summary()


def test_at_least_ten_stations_at_the_boundary() -> None:
    inc, azi = np.full(10, 30.0), np.full(10, 40.0)
    assert compare_surveys(_run(inc, azi), _run(inc, azi)).passed
    nine = compare_surveys(_run(inc[:9], azi[:9]), _run(inc[:9], azi[:9]))
    assert not nine.passed and nine.status == "too few stations"


def _straight(inc: float, azi: float, n: int = 20, step: float = 30.0) -> Stations:
    md = step * np.arange(n + 1, dtype=float)
    i, a = math.radians(inc), math.radians(azi)
    return Stations(
        md,
        np.full(md.size, inc),
        np.full(md.size, azi),
        md * math.cos(i),
        md * math.sin(i) * math.cos(a),
        md * math.sin(i) * math.sin(a),
    )


def test_run_against_run_with_a_fixed_distance_tolerance() -> None:
    """Two straight holes 0.5 deg apart in azimuth (within the angle tolerance) drift
    2 MD sin(30) sin(0.25 deg) apart: 2.62 m at MD 600."""
    a, b = _straight(30.0, 100.0), _straight(30.0, 100.5)
    gap = 2 * 600.0 * math.sin(math.radians(30.0)) * math.sin(math.radians(0.25))
    angles_only = compare_surveys(a, b)
    assert angles_only.passed and angles_only.distance_tolerance is None
    assert angles_only.max_distance == pytest.approx(gap, rel=1e-9)
    c = compare_surveys(a, b, max_distance=gap)  # exactly at the deepest station: inclusive
    assert c.passed and c.distance_ok.all()
    c = compare_surveys(a, b, max_distance=2.0)
    assert not c.passed and c.status == "fail"
    assert c.inc_ok.all() and c.azi_ok.all()
    first_bad = int(np.argmax(c.distance > 2.0))
    assert c.failures[0] == first_bad and c.worst_index == c.md.size - 1
    assert "tolerance 2" in c.summary()
    assert {"distance_tolerance", "distance_ok"} <= set(c.to_frame().columns)


def test_run_against_run_tolerance_per_md_and_from_a_function() -> None:
    """The hook: a tolerance per MD, or a function of both runs' stations at the compared MDs
    (here 1 % of the MD, as a combined uncertainty would grow with depth)."""
    a, b = _straight(30.0, 100.0), _straight(30.0, 100.5)
    seen = []

    def one_percent(ref: Stations, other: Stations) -> np.ndarray:
        seen.append((ref.md.copy(), other.md.copy()))
        return 0.01 * ref.md

    c = compare_surveys(a, b, max_distance=one_percent)
    assert np.array_equal(seen[0][0], c.md) and np.array_equal(seen[0][1], c.md)
    assert c.distance_tolerance is not None
    assert np.array_equal(c.distance_tolerance, 0.01 * c.md)
    assert c.passed  # 2 sin(30) sin(0.25 deg) = 0.44 % of MD
    per_md = np.where(c.md > 300.0, 0.001, 1.0) * c.md
    c2 = compare_surveys(a, b, max_distance=per_md)
    assert c2.failures.tolist() == np.flatnonzero(c.md > 300.0).tolist()


@pytest.mark.parametrize(
    ("tolerance", "message"),
    [
        (-1.0, "non-negative"),
        (float("nan"), "non-negative"),
        ([1.0, 2.0], "one number or one per compared MD"),
        (lambda a, b: np.ones(3), "one number or one per compared MD"),
    ],
)
def test_bad_distance_tolerances_are_refused(tolerance, message) -> None:
    a = _straight(30.0, 100.0)
    with pytest.raises(SurveyInputError, match=message) as info:
        compare_surveys(a, a, max_distance=tolerance)
    assert info.value.field == "max_distance"


def test_zero_tolerance_makes_any_difference_infinitely_bad() -> None:
    a, b = _straight(30.0, 100.0, n=12), _straight(30.0, 100.1, n=12)
    strict = GyroTolerance(inc=0.0, azi_high=0.0, azi_low=0.0)
    c = compare_surveys(a, b, tolerance=strict)
    assert np.isinf(c.exceedance).all() and not c.passed
    same = compare_surveys(a, a, tolerance=strict, max_distance=0.0)
    assert same.passed and (same.exceedance == 0.0).all()
