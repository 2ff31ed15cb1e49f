"""The input gate and the refusals: every failure names the station (1-based) and its MD."""

from __future__ import annotations

import numpy as np
import pytest

from surveylab.calc import (
    SurveyInputError,
    compute_trajectory,
    minimum_curvature,
    validate_stations,
)
from surveylab.models import TieOn

MD = [0.0, 100.0, 200.0, 300.0]
INC = [0.0, 5.0, 10.0, 15.0]
AZI = [0.0, 45.0, 45.0, 45.0]


def test_example_message_format() -> None:
    with pytest.raises(SurveyInputError) as info:
        validate_stations([0, 1000, 1234.5], [0, 10, 181.0], [0, 0, 0])
    assert str(info.value) == "station 3 (MD 1234.5): inclination 181.0 outside [0, 180]"
    assert info.value.station == 2 and info.value.field == "inc"


@pytest.mark.parametrize(
    ("md", "inc", "azi", "station", "field", "text"),
    [
        ([0, 100, 100, 300], INC, AZI, 2, "md", "not strictly increasing"),
        ([0, 100, 90, 300], INC, AZI, 2, "md", "not strictly increasing"),
        ([0, 100, np.nan, 300], INC, AZI, 2, "md", "not a number"),
        (MD, [0, 5, np.nan, 15], AZI, 2, "inc", "not a number"),
        (MD, INC, [0, np.inf, 0, 0], 1, "azi", "not a number"),
        (MD, [0, -0.1, 10, 15], AZI, 1, "inc", "outside [0, 180]"),
    ],
)
def test_bad_stations_are_named(md, inc, azi, station, field, text) -> None:
    with pytest.raises(SurveyInputError) as info:
        minimum_curvature(md, inc, azi)
    assert text in str(info.value)
    assert info.value.station == station
    assert info.value.field == field
    assert f"station {station + 1}" in str(info.value)


def test_shape_problems() -> None:
    with pytest.raises(SurveyInputError, match="same length"):
        validate_stations([0, 1], [0], [0, 1])
    with pytest.raises(SurveyInputError, match="no stations"):
        validate_stations([], [], [])
    with pytest.raises(SurveyInputError, match="1-D"):
        validate_stations([[0, 1]], [[0, 1]], [[0, 1]])
    with pytest.raises(SurveyInputError, match="not numbers"):
        validate_stations(["a"], [0], [0])


def test_azimuth_is_normalised_not_refused() -> None:
    _, _, azi = validate_stations(
        [0, 1, 2, 3, 4], [1, 1, 1, 1, 1], [360.0, -90.0, 725.0, -1e-17, 0]
    )
    assert azi.tolist() == [0.0, 270.0, 5.0, 0.0, 0.0]
    a = minimum_curvature(MD, INC, [0, 405.0, -315.0, 45.0])
    b = minimum_curvature(MD, INC, [0, 45.0, 45.0, 45.0])
    assert np.allclose(a.north, b.north) and np.allclose(a.east, b.east)


def test_vertical_station_azimuth_does_not_matter() -> None:
    inc = [0.0, 0.0, 3.0, 0.0, 0.0]
    md = [0.0, 30.0, 60.0, 90.0, 120.0]
    a = compute_trajectory(md, inc, [0, 123, 45, 300, 17], depth_unit="m")
    b = compute_trajectory(md, inc, [0, 0, 45, 0, 0], depth_unit="m")
    for name in ("dls", "dogleg", "tvd", "north", "east", "turn_rate"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.dls[1] == 0.0 and a.dls[4] == 0.0
    assert a.turn_rate.tolist() == [0.0] * 5


def test_u_turn_between_stations_is_refused() -> None:
    # inc 90 az 0 then inc 90 az 180: tangents opposite, no unique arc
    with pytest.raises(SurveyInputError, match="U-turn") as info:
        minimum_curvature([0, 100, 130], [90, 90, 90], [0, 0, 180], tie_on=TieOn(0, 90, 0))
    assert info.value.station == 2
    assert "station 3 (MD 130)" in str(info.value)
    # vertical down to vertical up
    with pytest.raises(SurveyInputError, match="U-turn"):
        minimum_curvature([0, 50], [0, 180], [0, 0])


def test_u_turn_from_tie_on_is_refused() -> None:
    with pytest.raises(SurveyInputError, match="from the tie-on") as info:
        minimum_curvature([110.0], [90.0], [270.0], tie_on=TieOn(100.0, 90.0, 90.0))
    assert info.value.station == 0


def test_near_u_turn_still_answers() -> None:
    # 179 degrees is a (tight) arc, not a refusal
    p = minimum_curvature([0, 100], [90, 90], [0, 179], tie_on=TieOn(0, 90, 0))
    assert p.dogleg[1] == pytest.approx(179.0)
    assert np.isfinite(p.north).all()


def test_tie_on_deeper_than_first_station() -> None:
    with pytest.raises(SurveyInputError, match="above the tie-on") as info:
        minimum_curvature([100, 200], [0, 1], [0, 0], tie_on=TieOn(150.0))
    assert info.value.station == 0
    with pytest.raises(SurveyInputError, match="assumed tie-on"):
        minimum_curvature([-10, 200], [0, 1], [0, 0])


@pytest.mark.parametrize("tie", [TieOn(0, 190, 0), TieOn(0, 0, 0, float("nan"))])
def test_bad_tie_on(tie: TieOn) -> None:
    with pytest.raises(SurveyInputError, match="tie-on") as info:
        minimum_curvature([100.0], [0.0], [0.0], tie_on=tie)
    assert info.value.field == "tie_on"


def test_compute_trajectory_refusals() -> None:
    with pytest.raises(SurveyInputError, match="unknown calculation method"):
        compute_trajectory(MD, INC, AZI, depth_unit="m", method="spline")
    with pytest.raises(SurveyInputError, match="unknown depth unit"):
        compute_trajectory(MD, INC, AZI, depth_unit="yd")
    with pytest.raises(SurveyInputError, match="vertical-section"):
        compute_trajectory(MD, INC, AZI, depth_unit="m", vs_azimuth=float("nan"))
