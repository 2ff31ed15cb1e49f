"""Units: exact conversions (NIST SP 811: 1 ft = 0.3048 m, 1 US ft = 1200/3937 m)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from surveylab.models import DepthUnit
from surveylab.units import (
    FT_TO_M,
    USFT_TO_M,
    UnitError,
    convert,
    dls_course_length,
    from_metres,
    parse_depth_unit,
    to_metres,
    unit_label,
)


def test_constants_are_the_definitions() -> None:
    assert float(Fraction(3048, 10000)) == FT_TO_M
    # the nearest double to 1200/3937: within half a unit in the last place
    half_ulp = Fraction(float(np.spacing(USFT_TO_M))) / 2
    assert abs(Fraction(USFT_TO_M) - Fraction(1200, 3937)) <= half_ulp


@pytest.mark.parametrize(
    ("value", "unit", "metres"),
    [(10000, "ft", 3048), (3937, "usft", 1200), (3937 * 7, DepthUnit.USFT, 8400), (5, "m", 5)],
)
def test_whole_ratios_convert_exactly(value: float, unit: str, metres: float) -> None:
    assert to_metres(value, unit) == metres
    assert from_metres(metres, unit) == value


def test_arrays_are_correctly_rounded() -> None:
    ft = np.arange(0, 20000, 7.5)
    got = to_metres(ft, "ft")
    exact = [float(Fraction(v) * Fraction(3048, 10000)) for v in ft]
    assert np.array_equal(got, exact)
    us = to_metres(ft, "usft")
    exact_us = [float(Fraction(v) * Fraction(1200, 3937)) for v in ft]
    assert np.array_equal(us, exact_us)


def test_us_survey_foot_differs_from_international_foot() -> None:
    # 2 ppm: 10,000 ft differ by 2 cm
    diff = to_metres(10000.0, "usft") - to_metres(10000.0, "ft")
    assert diff == pytest.approx(10000 * (1200 / 3937 - 0.3048))
    assert 0.006 < diff < 0.0061


def test_convert_between_feet() -> None:
    assert convert(3937.0, "usft", "ft") == pytest.approx(1200 / 0.3048, rel=1e-15)
    assert convert(1.0, "m", "m") == 1.0
    out = convert([100.0, 200.0], "ft", "m")
    assert isinstance(out, np.ndarray) and out.tolist() == [30.48, 60.96]


def test_scalar_in_scalar_out() -> None:
    assert isinstance(to_metres(1, "ft"), float)
    assert isinstance(from_metres(np.float64(1.0), "m"), float)


def test_course_length_and_labels() -> None:
    assert dls_course_length("m") == 30.0
    assert dls_course_length(DepthUnit.FT) == 100.0
    assert dls_course_length("usft") == 100.0
    assert [unit_label(u) for u in ("m", "ft", "usft")] == ["m", "ft", "US ft"]


@pytest.mark.parametrize("spelling", ["Metres", "METERS", " m ", "Feet", "US ft", "ftUS"])
def test_spellings(spelling: str) -> None:
    assert isinstance(parse_depth_unit(spelling), DepthUnit)


@pytest.mark.parametrize("bad", ["yards", "", "3.28084", None, 1])
def test_unknown_unit_is_refused(bad: object) -> None:
    with pytest.raises(UnitError, match="unknown depth unit"):
        to_metres(1.0, bad)  # type: ignore[arg-type]
