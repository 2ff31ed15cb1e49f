"""One tiny file per quirk (tests/data, described in tests/data/README.md)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from surveylab.models import DepthUnit, NorthReference, Severity
from surveylab.parsers import SurveyFileError, read_survey

DATA = Path(__file__).resolve().parent.parent / "data"


def codes(survey) -> set[str]:
    return {f.code for f in survey.findings}


def test_semicolon_comma_decimal() -> None:
    s = read_survey(DATA / "semicolon_comma_decimal.csv")
    assert s.stations["md"].tolist() == [0.0, 100.5, 200.0]
    assert s.stations["azi"].tolist() == [0.0, 45.25, 47.5]


def test_tab_delimited_without_units() -> None:
    s = read_survey(DATA / "tab_delimited.txt")
    assert s.station_count == 3
    assert s.header.depth_unit is None
    assert {"depth_unit_unknown", "north_reference_unknown"} <= codes(s)


def test_whitespace_and_dotted_leaders() -> None:
    s = read_survey(DATA / "whitespace_dotted_header.txt")
    h = s.header
    assert s.stations["azi"].tolist() == [0.0, 90.0, 90.0]
    assert h.well_name == "QUIRK-1"
    assert h.declination == -2.5  # "2.5 deg W" is west, negative
    assert h.azimuth_reference is NorthReference.GRID
    assert h.depth_unit is DepthUnit.FT


def test_bom_and_no_final_newline() -> None:
    s = read_survey(DATA / "utf8_bom_no_final_newline.csv")
    assert s.stations["md"].tolist() == [0.0, 50.0, 100.0]


def test_latin1_unit_row() -> None:
    s = read_survey(DATA / "latin1_degree_unit_row.csv")
    assert s.header.depth_unit is DepthUnit.M
    assert s.header.angle_unit == "deg"
    assert s.header.well_name == "LATIN-1"
    assert s.station_count == 3


@pytest.mark.parametrize("name", ["cr_line_endings.csv", "crlf_method_line.csv"])
def test_line_endings(name: str) -> None:
    s = read_survey(DATA / name)
    assert s.stations["md"].tolist() == [0.0, 100.0, 200.0]


def test_method_line() -> None:
    assert read_survey(DATA / "crlf_method_line.csv").header.calculation_method == (
        "minimum curvature"
    )


def test_blank_spacer_rows() -> None:
    s = read_survey(DATA / "blank_spacer_rows.csv")
    assert s.stations["md"].tolist() == [0.0, 100.0, 200.0]
    assert s.header.depth_unit is DepthUnit.FT


def test_letter_suffix_tie_in_and_projected() -> None:
    s = read_survey(DATA / "letter_suffix_projected.csv")
    assert s.vendor["northing"].tolist() == [6342061.910, 6342061.910, -6342061.474]
    assert s.stations["projected"].tolist() == [False, False, True]
    assert s.header.tie_on is not None and s.header.tie_on.md == 0.0
    assert "projected_station" in codes(s)


def test_prose_footer() -> None:
    s = read_survey(DATA / "prose_footer.csv")
    assert s.station_count == 2
    assert "All data are in metres" in s.raw_footer
    assert s.header.azimuth_reference is NorthReference.TRUE


def test_key_value_header() -> None:
    h = read_survey(DATA / "key_value_header.csv").header
    assert (h.well_name, h.declination, h.grid_convergence) == ("KV-1", 12.3, -0.5)
    assert h.azimuth_reference is NorthReference.GRID
    assert (h.depth_datum, h.datum_elevation) == ("KB", 25.5)
    assert h.survey_date == "2017-09-22"
    assert h.depth_unit is DepthUnit.FT


def test_azimuth_normalised() -> None:
    s = read_survey(DATA / "azimuth_normalised.csv")
    assert s.stations["azi"].tolist() == [0.0, 0.0, 350.0, 10.0]
    (found,) = [f for f in s.findings if f.code == "azimuth_normalised"]  # one per cause
    assert found.count == 3 and [d["station"] for d in found.stations] == [1, 2, 3]
    assert (found.md_from, found.md_to) == (100.0, 300.0)
    assert found.worst == 370.0 and found.worst_station == 3  # farthest outside [0, 360)
    assert found.severity is Severity.INFO


def test_md_problems_are_findings() -> None:
    s = read_survey(DATA / "md_problems.csv")
    by = {f.code: f for f in s.findings}
    assert by["md_not_increasing"].station == 2 and by["md_not_increasing"].line == 4
    assert by["duplicate_md"].station == 4
    assert by["inclination_out_of_range"].severity is Severity.ERROR
    assert s.worst is Severity.ERROR


def test_bad_number_names_line_and_field() -> None:
    with pytest.raises(SurveyFileError) as ei:
        read_survey(DATA / "bad_number.csv")
    e = ei.value
    assert (e.file, e.line, e.field) == ("bad_number.csv", 4, "inc")
    assert str(e) == "bad_number.csv, line 4, field 'inc': cannot read '1O.5' as a number"


def test_quadrant_bearings() -> None:
    s = read_survey(DATA / "quadrant_bearing.csv")
    assert s.stations["azi"].iloc[1] == pytest.approx(45.5)
    assert s.stations["azi"].iloc[2] == pytest.approx(190.0)


def test_tie_on_first_row() -> None:
    s = read_survey(DATA / "tie_on_first_row.csv")
    t = s.header.tie_on
    assert (t.md, t.tvd, t.north, t.east) == (500.0, 490.0, 20.0, 20.0)
    assert "tie_on_first_station" in codes(s)


def test_no_tie_on_reported() -> None:
    s = read_survey(DATA / "no_tie_on.csv")
    assert s.header.tie_on is None
    f = next(f for f in s.findings if f.code == "no_tie_on")
    assert "vertical" in f.message and f.severity is Severity.WARNING


def test_witsml14_units_and_sentinels() -> None:
    s = read_survey(DATA / "witsml14_rad_sentinel.xml")
    h = s.header
    assert s.format == "witsml14"
    assert h.depth_unit is DepthUnit.FT
    assert h.azimuth_reference is NorthReference.GRID
    assert h.declination == 1.5
    assert h.grid_convergence == pytest.approx(0.5729577951)
    assert h.total_correction is None  # -999.25 sentinel
    assert s.stations["inc"].iloc[0] == pytest.approx(5.729577951)
    assert s.stations["projected"].tolist() == [False, False, True]
    t = h.tie_on
    assert (t.md, t.tvd, t.north, t.east) == (100.0, 99.5, 1.0, 2.0)
    assert (h.well_name, h.wellbore_name, h.run_name) == ("QUIRK-W", "QUIRK-WB", "MWD run 1")


def test_witsml20() -> None:
    s = read_survey(DATA / "witsml20_minimal.xml")
    assert s.format == "witsml20"
    assert s.header.run_name == "Gyro run 2"
    assert s.header.declination == -4.0
    assert s.header.tie_on is not None and s.station_count == 2


@pytest.mark.parametrize("name", ["witsml_external_entity.xml", "witsml_entity_bomb.xml"])
def test_unsafe_xml_refused(name: str) -> None:
    with pytest.raises(SurveyFileError, match="refused for safety"):
        read_survey(DATA / name)


def test_las_minimal() -> None:
    s = read_survey(DATA / "las_minimal_survey.las")
    h = s.header
    assert (h.declination, h.grid_convergence, h.total_correction) == (3.25, -0.75, 4.0)
    assert h.azimuth_reference is NorthReference.GRID
    assert h.vs_azimuth == 120.0
    assert s.stations["azi"].tolist() == [0.0, 0.0, 10.0, 12.0]


def test_las_null_azimuth_off_vertical_refused() -> None:
    data = (
        (DATA / "las_minimal_survey.las")
        .read_bytes()
        .replace(b"200.0 2.0   12.0", b"200.0 2.0 -999.25")
    )
    with pytest.raises(SurveyFileError, match="line 23, field 'AZI': azimuth is null"):
        read_survey(data, name="q.las")


def test_las_zero_inclination_log_refused() -> None:
    with pytest.raises(SurveyFileError, match="not a survey: inclination"):
        read_survey(DATA / "las_zero_inclination_log.las")


def test_p717_flag0_duplicates() -> None:
    s = read_survey(DATA / "p717_flag0_duplicates.p717")
    st = s.stations
    assert st["md"].tolist() == [0, 100, 200, 300, 300, 400, 450]
    assert st["used"].tolist() == [True, True, True, True, False, True, True]
    assert st["projected"].tolist() == [False] * 6 + [True]
    assert s.header.azimuth_reference is NorthReference.TRUE
    assert s.header.depth_unit is DepthUnit.FT
    c = codes(s)
    assert "duplicate_md_flagged" in c and "duplicate_md" not in c


def test_xlsx_layout(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["#", "Well", "XL-1"])
    ws.append([None, "Magnetic Declination:", None, "-2.5°"])
    ws.append(["Measured\nDepth", "Inclination", "Azimuth\nGrid"])
    ws.append(["( m )", "( deg )", "( deg )"])
    ws.append([0, 0, 0])
    ws.append([None, None, None])
    ws.append([30.5, 1.25, 181])
    buf = io.BytesIO()
    wb.save(buf)
    s = read_survey(buf.getvalue(), name="upload.xlsx")
    assert s.format == "xlsx"
    assert s.stations["md"].tolist() == [0.0, 30.5]
    assert s.header.depth_unit is DepthUnit.M
    assert s.header.azimuth_reference is NorthReference.GRID
    assert s.header.declination == -2.5
    assert s.header.well_name == "XL-1"
