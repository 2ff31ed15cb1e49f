"""The header grammar (parsers/header.py) and number reading (parsers/numbers.py) on their own."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.models import DepthUnit, NorthReference
from surveylab.models.survey import SurveyHeader
from surveylab.parsers.header import (
    apply_statements,
    split_label,
    statements_from_cells,
    statements_from_lines,
)
from surveylab.parsers.numbers import (
    COMMA,
    POINT,
    AmbiguousDecimal,
    DecimalStyle,
    decide_decimal,
    parse_angle,
    parse_latlon,
    parse_number,
    parse_quantity,
)
from tests.parsers.conftest import PROFILE
from tests.parsers.vendor_styles import dms, dms_value

GRAMMAR_CASES = 400


def _header(lines: list[str], style: DecimalStyle = POINT) -> tuple[SurveyHeader, list]:
    h, findings = SurveyHeader(), []
    apply_statements(h, statements_from_lines(list(enumerate(lines, 1))), style, findings)
    return h, findings


@pytest.mark.parametrize(
    ("line", "label", "value"),
    [
        ("Well: A-1", "Well", "A-1"),
        ("Well = A-1", "Well", "A-1"),
        ("Well...........: A-1", "Well", "A-1"),
        ("Well ........... A-1", "Well", "A-1"),
        ("Well Name        : A-1", "Well Name", "A-1"),
        ("# Well: A-1", "Well", "A-1"),
        ("Time: 14:42:26", "Time", "14:42:26"),
        ("CRS: NAD27; Texas South Central", "CRS", "NAD27; Texas South Central"),
    ],
)
def test_one_statement_forms(line: str, label: str, value: str) -> None:
    (s,) = statements_from_lines([(1, line)])
    assert (s.label, s.value, s.line) == (label, value, 1)


@pytest.mark.parametrize(
    ("raw", "name", "unit", "conv"),
    [
        ("Magnetic dec (+E/W-)", "magnetic dec", None, 1),
        ("Declination (+W/E-)", "declination", None, -1),
        ("Convergence E+/W-", "convergence", None, 1),
        ("Grid Convergence, West positive", "grid convergence", None, -1),
        ("Declination, East positive", "declination", None, 1),
        ("KB Elevation (m)", "kb elevation", "m", None),
        ("Declination [deg]", "declination", "deg", None),
        ("Declination deg", "declination", "deg", None),
        ("Mag. Dec.", "mag dec", None, None),
        ("WELL DATUM (KB, KB, from MSL)", "well datum", None, None),
        ("Well E", "well e", None, None),  # a letter alone is not a sign convention
    ],
)
def test_labels_units_and_conventions(raw: str, name: str, unit: str | None, conv: int) -> None:
    assert split_label(raw) == (name, unit, conv)


def test_side_by_side_blocks_and_gaps() -> None:
    h, findings = _header(
        [
            "Company........: Acme          Well...........: B-2",
            "Magnetic dec (+E/W-).....: 14.37 degrees      Depth Unit.....: ft",
            "North Reference: Grid | Grid convergence: 0.5° ; KB Elevation: 30.5 ft",
        ]
    )
    assert (h.operator, h.well_name, h.depth_unit) == ("Acme", "B-2", DepthUnit.FT)
    assert (h.declination, h.grid_convergence, h.datum_elevation) == (14.37, 0.5, 30.5)
    assert h.azimuth_reference is NorthReference.GRID and not findings


def test_cells_label_value_and_split_number() -> None:
    rows = [
        (1, ["Depth units", "", "m"]),
        (2, ["Report Date:  ", "", "Method:  ", "Minimum Curvature"]),
        (3, ["#", "Easting [m]", "420980"]),
        (4, ["Declination: 2", "35°"]),  # a comma delimiter cut "2,35°" in two
    ]
    sts = statements_from_cells(rows, delimiter=",")
    assert [(s.label, s.value) for s in sts] == [
        ("Depth units", "m"),
        ("Method", "Minimum Curvature"),
        ("Easting [m]", "420980"),
        ("Declination", "2,35°"),
    ]
    h, findings = SurveyHeader(), []
    apply_statements(h, sts, POINT, findings)
    assert h.declination is None and findings[0].code == "header_value_unreadable"
    assert h.surface_x == 420980.0 and h.calculation_method == "minimum curvature"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.5 deg W", -2.5),
        ("W 2.5", -2.5),
        ("2° 21' 00\" E", 2.35),
        ("2 deg 21 min", 2.35),
        ("-0.85°", -0.85),
        ("13.42° (BGGM 2019)", 13.42),
    ],
)
def test_angle_values(value: str, expected: float) -> None:
    h, findings = _header([f"Declination: {value}"])
    assert h.declination == pytest.approx(expected) and not findings
    if "BGGM" in value:
        assert h.declination_source == "file header 'Declination' (BGGM 2019)"


@pytest.mark.parametrize(
    "value", ["about 2", "2.5 E W", "-2.5 W", "2 21", "2.5 mils", "2.5 (E)x", "2,5,6"]
)
def test_values_not_wholly_understood_are_findings(value: str) -> None:
    h, findings = _header([f"Declination: {value}"])
    assert h.declination is None
    (f,) = findings
    assert f.code == "header_value_unreadable" and f.line == 1 and f.field == "Declination"
    assert "declination left unset" in f.message


def test_unknown_depth_unit_and_reference_are_findings() -> None:
    h, findings = _header(["Depth Units: furlongs", "North Reference: corrected"])
    assert h.depth_unit is None and h.azimuth_reference is NorthReference.UNKNOWN
    assert [f.field for f in findings] == ["Depth Units", "North Reference"]


def test_first_statement_wins_and_a_different_repeat_is_a_finding() -> None:
    h, findings = _header(["Declination: 1.5", "Declination: 1.5", "Mag. Dec.: 2.0"])
    assert h.declination == 1.5
    assert [f.code for f in findings] == ["header_value_conflict"]


def test_latitude_and_longitude_dms() -> None:
    h, _ = _header(["Latitude: 59° 12' 30.50\" N   Longitude: N 002 10 05", "Lat/Long: x"])
    assert h.extra["latitude"] == pytest.approx(59 + 12 / 60 + 30.5 / 3600)
    assert "longitude" not in h.extra  # N is not a longitude hemisphere


@pytest.mark.parametrize(
    ("texts", "delim", "decimal", "decided"),
    [
        (["12,5", "3,25"], ";", ",", True),
        (["12.5", "3.25"], ";", ".", True),
        (["1,250", "2"], ";", ".", False),  # 1,250 alone shows nothing
        (["1.234,5"], ";", ",", True),
        (["1,234.5"], None, ".", True),
        (["12,5", "3.25"], ";", ".", False),  # both: nothing decided
        (["12,5"], ",", ".", True),  # a comma-delimited table decimals are points
    ],
)
def test_decimal_separator_decided_from_evidence(
    texts: list[str], delim: str | None, decimal: str, decided: bool
) -> None:
    style = decide_decimal(texts, delimiter=delim)
    assert (style.decimal, style.decided) == (decimal, decided)


def test_numbers_read_whole() -> None:
    assert parse_number("6342061.910N") == 6342061.91
    assert parse_number("2,5", comma_decimal=COMMA) == 2.5
    assert parse_number("6,342,061.91", grouping=True) == 6342061.91
    assert parse_number("1.234,5", comma_decimal=COMMA, grouping=True) == 1234.5
    with pytest.raises(AmbiguousDecimal):
        parse_number("1,250", comma_decimal=DecimalStyle(",", False))
    with pytest.raises(ValueError):
        parse_number("2,35", comma_decimal=POINT)
    with pytest.raises(ValueError):
        parse_number("-5 S")
    assert parse_quantity("25,3 m", COMMA) == (25.3, "m")


# ----------------------------------------------------------------------------- properties
@settings(PROFILE, max_examples=GRAMMAR_CASES)
@given(
    st.floats(-179.99, 179.99).map(lambda v: round(v, 3)),
    st.sampled_from([POINT, COMMA]),
    st.sampled_from(["{}", "{}°", "{} deg", "{} degrees", "{}º"]),
)
def test_printed_angles_read_back(v: float, style: DecimalStyle, form: str) -> None:
    text = form.format(f"{v:.3f}".replace(".", style.decimal))
    assert parse_angle(text, style).value == v


@settings(PROFILE, max_examples=GRAMMAR_CASES)
@given(st.floats(-89.99, 89.99), st.sampled_from(["lat", "lon"]), st.integers(0, 2), st.booleans())
def test_dms_read_back(v: float, axis: str, form: int, comma: bool) -> None:
    style = COMMA if comma else POINT
    got = parse_latlon(dms(v, axis, comma, form), style, axis)
    assert math.isclose(got, dms_value(v), abs_tol=1e-12)


@settings(PROFILE, max_examples=GRAMMAR_CASES)
@given(
    st.lists(
        st.sampled_from(
            [
                ("Well", "P-9", "well_name", "P-9"),
                ("Depth Units", "ft", "depth_unit", DepthUnit.FT),
                ("Azimuths", "Grid North", "azimuth_reference", NorthReference.GRID),
                ("Magnetic Declination", "-1.25°", "declination", -1.25),
                ("Grid Convergence (+E/W-)", "0.75 deg", "grid_convergence", 0.75),
                ("KB Elevation (ft)", "82.5", "datum_elevation", 82.5),
            ]
        ),
        min_size=1,
        max_size=6,
        unique=True,
    ),
    st.sampled_from(["{}: {}", "{} = {}", "{}..........: {}", "{} ......... {}"]),
    st.sampled_from(["   ", "\t", " | ", "; ", "\n"]),
)
def test_statements_on_lines_read_back(items, form: str, gap: str) -> None:
    """Any statements in any form, several to a line or one a line, set the same fields."""
    text = gap.join(form.format(label, value) for label, value, _f, _v in items)
    h, findings = _header(text.split("\n"))
    assert not findings
    for _label, _value, fld, want in items:
        assert getattr(h, fld) == want, (fld, text)
