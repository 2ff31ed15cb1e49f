"""Survey-against-survey comparison along MD and the gyro in-run/out-run tolerance check.

Analytic cases use straight inclined holes from the surface, where positions are exact:
(N, E, TVD) = MD (sin I cos A, sin I sin A, cos I); two such holes differing by an azimuth
theta are 2 MD sin I sin(theta/2) apart, by an inclination delta 2 MD sin(delta/2) apart.
Tolerances (calc.compare.GYRO_IN_OUT): Inc 0.23 deg; Azi 1.0 deg (Inc >= 10) or 5.0 deg (Inc < 10);
at least 10 stations.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import Stations, SurveyInputError, compute_trajectory
from surveylab.calc.compare import (
    GYRO_IN_OUT,
    GyroTolerance,
    common_mds,
    compare_surveys,
)
from surveylab.models import TieOn
from tests.calc._arcs import Arc, angles


def straight(inc: float, azi: float, n: int = 20, step: float = 30.0) -> Stations:
    """A straight hole from the surface [m, deg]: exact positions, ``n`` stations after MD 0."""
    md = step * np.arange(n + 1, dtype=float)
    i, a = math.radians(inc), math.radians(azi)
    return Stations(
        md,
        np.full(md.size, inc),
        np.full(md.size, azi % 360.0),
        md * math.cos(i),
        md * math.sin(i) * math.cos(a),
        md * math.sin(i) * math.sin(a),
    )


def test_identical_surveys_differ_by_nothing_and_pass() -> None:
    a = straight(40.0, 120.0)
    c = compare_surveys(a, a)
    assert c.station_count == 21
    for arr in (c.d_north, c.d_east, c.d_tvd, c.distance, c.d_inc, c.d_azi):
        assert np.all(arr == 0.0)
    assert c.passed and c.status == "pass"
    assert c.within.all()


@pytest.mark.parametrize(("theta", "ok"), [(0.9, True), (-0.9, True), (1.1, False), (-1.1, False)])
def test_azimuth_difference_above_ten_degrees(theta: float, ok: bool) -> None:
    inc = 30.0
    a, b = straight(inc, 100.0), straight(inc, 100.0 + theta)
    c = compare_surveys(a, b)
    np.testing.assert_allclose(c.d_azi, theta, atol=1e-9)
    expected = 2 * c.md * math.sin(math.radians(inc)) * math.sin(math.radians(abs(theta)) / 2)
    np.testing.assert_allclose(c.distance, expected, atol=1e-9)
    np.testing.assert_allclose(c.d_tvd, 0.0, atol=1e-9)
    assert np.all(c.azi_tolerance == 1.0)
    assert c.passed is ok
    assert c.status == ("pass" if ok else "fail")
    if not ok:
        assert c.failures.size == c.station_count
        assert "first at MD 0" in c.summary()


@pytest.mark.parametrize(("theta", "ok"), [(4.9, True), (5.1, False)])
def test_azimuth_tolerance_is_five_degrees_below_ten_inclination(theta: float, ok: bool) -> None:
    a, b = straight(5.0, 10.0), straight(5.0, 10.0 + theta)
    c = compare_surveys(a, b)
    assert np.all(c.azi_tolerance == 5.0)
    assert c.passed is ok


def test_threshold_is_inclusive_at_ten_degrees() -> None:
    a, b = straight(10.0, 50.0), straight(10.0, 51.5)
    c = compare_surveys(a, b)
    assert np.all(c.azi_tolerance == 1.0)  # Inc >= 10: the tight tolerance
    assert c.status == "fail"


@pytest.mark.parametrize(("delta", "ok"), [(0.2, True), (0.23, True), (0.25, False)])
def test_inclination_difference(delta: float, ok: bool) -> None:
    a, b = straight(20.0, 45.0), straight(20.0 + delta, 45.0)
    c = compare_surveys(a, b)
    np.testing.assert_allclose(c.d_inc, delta, atol=1e-9)
    np.testing.assert_allclose(c.distance, 2 * c.md * math.sin(math.radians(delta) / 2), atol=1e-9)
    i1, i2 = math.radians(20.0), math.radians(20.0 + delta)
    np.testing.assert_allclose(c.d_tvd, c.md * (math.cos(i2) - math.cos(i1)), atol=1e-9)
    assert c.passed is ok
    assert bool(c.inc_ok.all()) is ok


def test_azimuth_difference_wraps_across_north() -> None:
    a, b = straight(45.0, 359.8), straight(45.0, 0.2)
    c = compare_surveys(a, b)
    np.testing.assert_allclose(c.d_azi, 0.4, atol=1e-9)  # not -359.6
    assert c.passed


def test_vertical_stations_have_no_azimuth_to_compare() -> None:
    a, b = straight(0.0, 10.0), straight(0.0, 200.0)  # printed azimuths differ by 190
    c = compare_surveys(a, b)
    assert np.isnan(c.d_azi).all()
    assert c.azi_ok.all() and c.passed
    assert math.isnan(c.max_abs_d_azi)
    np.testing.assert_allclose(c.distance, 0.0, atol=1e-12)


def test_fewer_than_ten_stations_give_no_pass() -> None:
    a = straight(30.0, 10.0, n=8)  # 9 stations including MD 0
    c = compare_surveys(a, a)
    assert c.station_count == 9
    assert not c.enough_stations
    assert not c.passed
    assert c.status == "too few stations"
    ten = compare_surveys(straight(30.0, 10.0, n=9), straight(30.0, 10.0, n=9))
    assert ten.station_count == 10 and ten.passed


def test_a_failure_outranks_too_few_stations() -> None:
    c = compare_surveys(straight(30.0, 10.0, n=3), straight(30.0, 13.0, n=3))
    assert c.status == "fail"


def test_custom_tolerance() -> None:
    loose = GyroTolerance(inc=1.0, azi_high=3.0, azi_low=6.0, min_stations=2)
    c = compare_surveys(straight(30.0, 10.0, n=3), straight(30.5, 12.0, n=3), tolerance=loose)
    assert c.passed
    assert not compare_surveys(straight(30.0, 10.0, n=3), straight(30.5, 12.0, n=3)).passed


@pytest.mark.parametrize(
    "kwargs",
    [{"inc": -0.1}, {"azi_high": float("nan")}, {"azi_low": float("inf")}, {"min_stations": 0}],
)
def test_bad_tolerances_are_refused(kwargs) -> None:
    with pytest.raises(SurveyInputError, match="tolerances"):
        GyroTolerance(**kwargs)


def test_default_tolerances_are_the_published_ones() -> None:
    t = GYRO_IN_OUT
    assert (t.inc, t.azi_high, t.azi_low, t.inc_threshold, t.min_stations) == (
        0.23,
        1.0,
        5.0,
        10.0,
        10,
    )


def test_common_mds_are_the_reference_stations_in_the_overlap() -> None:
    a = straight(30.0, 10.0, n=10)  # 0..300
    b = Stations(*(arr[3:8] for arr in straight(30.0, 10.0, n=10)))  # 90..210
    np.testing.assert_array_equal(common_mds(a, b), [90, 120, 150, 180, 210])
    np.testing.assert_array_equal(common_mds(a, b, step=50.0), [90, 140, 190, 210])


def test_surveys_that_do_not_overlap_are_refused() -> None:
    a = Stations(*(arr[:4] for arr in straight(30.0, 10.0)))  # 0..90
    b = Stations(*(arr[5:] for arr in straight(30.0, 10.0)))  # 150..600
    with pytest.raises(SurveyInputError, match="do not overlap"):
        compare_surveys(a, b)


@pytest.mark.parametrize("step", [0.0, -5.0, float("nan")])
def test_bad_step_is_refused(step: float) -> None:
    a = straight(30.0, 10.0)
    with pytest.raises(SurveyInputError, match="step"):
        compare_surveys(a, a, step=step)


def test_md_outside_a_survey_is_refused() -> None:
    a = straight(30.0, 10.0, n=10)
    with pytest.raises(SurveyInputError, match="outside the surveyed range"):
        compare_surveys(a, a, md=[100.0, 400.0])
    with pytest.raises(SurveyInputError, match="non-empty"):
        compare_surveys(a, a, md=[])


def test_the_same_arc_sampled_differently_matches_everywhere() -> None:
    """Minimum curvature is exact on a circular arc: two station sets on one arc agree at any MD,
    including MDs that are stations of neither."""
    arc = Arc(np.array([0.3, 0.2, 0.9]), np.array([1.0, -0.5, 0.0]), 800.0, np.zeros(3))
    out = []
    for s in (np.linspace(0, 900, 31), np.linspace(0, 900, 17)):
        inc, azi = angles(arc.tangent(s))
        tie = TieOn(0.0, float(inc[0]), float(azi[0]), 0.0, 0.0, 0.0)
        out.append(compute_trajectory(s, inc, azi, depth_unit="m", tie_on=tie))
    c = compare_surveys(out[0], out[1], step=7.0)
    assert c.station_count > 100
    assert c.max_distance < 1e-8
    assert c.max_abs_d_inc < 1e-8
    assert np.nanmax(np.abs(c.d_azi)) < 1e-7
    assert c.passed
    np.testing.assert_allclose(
        np.column_stack([out[1].north, out[1].east, out[1].tvd]), arc.position(out[1].md), atol=1e-8
    )


def test_to_frame_holds_one_row_per_md() -> None:
    c = compare_surveys(straight(30.0, 10.0), straight(30.0, 10.5))
    df = c.to_frame()
    assert len(df) == c.station_count
    assert {"md", "d_north", "d_east", "d_tvd", "distance", "d_inc", "d_azi", "within"} <= set(
        df.columns
    )
    assert df["within"].all()


# ----------------------------------------------------------------------------- reference files
def test_volve_f11a_computed_against_the_vendor_listing(reference_data: Path) -> None:
    """The vendor's own TVD/N/E of Volve 15/9-F-11 A against our recomputation: within the
    0.01 m that the file prints (EXPECTED.md), at every one of the 323 stations."""
    df = pd.read_csv(reference_data / "csv" / "volve_15_9-F-11_A.csv")
    first = df.iloc[0]
    tie = TieOn(first.MD, first.Incl, first.Azi, first.TVD, first.NS, first.EW)
    ours = compute_trajectory(df.MD, df.Incl, df.Azi, depth_unit="m", tie_on=tie)
    vendor = Stations(
        *(df[c].to_numpy(dtype=float) for c in ("MD", "Incl", "Azi", "TVD", "NS", "EW"))
    )
    c = compare_surveys(ours, vendor)
    assert c.station_count == 323
    assert np.abs(c.d_tvd).max() <= 0.01
    assert np.abs(c.d_north).max() <= 0.01
    assert np.abs(c.d_east).max() <= 0.01
    assert c.max_abs_d_inc == 0.0
    assert c.passed


def test_iscwsa_1_thinned_survey_stays_close(reference_data: Path) -> None:
    """ISCWSA test well 1 against itself with every other station dropped: the thinned survey
    assumes other arcs between its stations; the difference stays within 0.1 m over 8000 m and
    angles within the gyro tolerances (the well is smooth)."""
    df = pd.read_csv(reference_data / "iscwsa" / "iscwsa_1_wellpath.csv", skiprows=1)
    full = compute_trajectory(df.MD, df.Inc_deg, df.Az_deg, depth_unit="m")
    thin = compute_trajectory(df.MD[::2], df.Inc_deg[::2], df.Az_deg[::2], depth_unit="m")
    c = compare_surveys(full, thin)
    last_thin = float(df.MD.iloc[::2].iloc[-1])
    assert c.station_count == int((df.MD.to_numpy() <= last_thin).sum())
    np.testing.assert_allclose(c.distance[::2], 0.0, atol=1e-9)  # shared stations and tie-on
    assert c.max_distance < 0.1
    assert c.passed, c.summary()


# ----------------------------------------------------------------------------- properties
angle = st.floats(0.0, 359.99)
incl = st.floats(0.5, 120.0)
small = st.floats(-3.0, 3.0)


@settings(max_examples=80, deadline=None)
@given(inc=incl, azi=angle, d_inc=small, d_azi=small)
def test_swapping_the_surveys_negates_differences_and_keeps_the_verdict(inc, azi, d_inc, d_azi):
    a = straight(inc, azi, n=12)
    b = straight(min(max(inc + d_inc, 0.0), 180.0), azi + d_azi, n=12)
    ab, ba = compare_surveys(a, b), compare_surveys(b, a)
    np.testing.assert_allclose(ab.d_north, -ba.d_north, atol=1e-9)
    np.testing.assert_allclose(ab.d_tvd, -ba.d_tvd, atol=1e-9)
    np.testing.assert_allclose(ab.distance, ba.distance, atol=1e-9)
    np.testing.assert_allclose(ab.d_inc, -ba.d_inc, atol=1e-9)
    assert ab.status == ba.status


@settings(max_examples=80, deadline=None)
@given(inc=incl, azi=angle, d_azi=small, theta=st.floats(-360.0, 360.0))
def test_rotating_both_surveys_changes_nothing(inc, azi, d_azi, theta):
    """Adding theta to every azimuth of both surveys rotates both wells about the vertical: the
    distance and the angle differences stay the same."""
    base = compare_surveys(straight(inc, azi), straight(inc, azi + d_azi))
    rot = compare_surveys(straight(inc, azi + theta), straight(inc, azi + d_azi + theta))
    np.testing.assert_allclose(rot.distance, base.distance, atol=1e-8)
    np.testing.assert_allclose(rot.d_azi, base.d_azi, atol=1e-8)
    assert rot.status == base.status


@settings(max_examples=60, deadline=None)
@given(inc=incl, azi=angle, theta=st.floats(0.0, 20.0))
def test_distance_grows_with_md_on_diverging_straight_holes(inc, azi, theta):
    c = compare_surveys(straight(inc, azi), straight(inc, azi + theta))
    assert np.all(np.diff(c.distance) >= -1e-9)
    expected = 2 * c.md * math.sin(math.radians(inc)) * math.sin(math.radians(theta) / 2)
    np.testing.assert_allclose(c.distance, expected, atol=1e-8)
