"""Every reference file parses to what reference-data/EXPECTED.md says.

Expected figures are transcribed from EXPECTED.md (read from the files themselves), not from
surveylab's output. One deliberate difference: EXPECTED.md gives 9 stations for
penobscot_P-135.xlsx but the sheet holds 19 data rows (19.55 ... 936 m); the test follows the file.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from surveylab.models import DepthUnit, NorthReference
from surveylab.parsers import SurveyFileError, read_survey

# file, format, station count, last (md, inc, azi), depth unit, decimals used for last station
STATIONS = [
    ("witsml/volve_15_9-F-4_trajectory.xml", "witsml14", 87, (3510, 54.670, 202.720), "m", 3),
    ("witsml/volve_15_9-F-7_trajectory.xml", "witsml14", 42, (1083, 8.660, 263.460), "m", 3),
    ("csv/volve_15_9-F-11_A.csv", "csv", 323, (3762, 39.98, 38.48), None, 2),
    ("xls/slb_well-9H.xls", "xls", 121, (7922, 90.25, 212.16), "ft", 2),
    ("csv/aer_sdi_105030309506W400.csv", "csv", 172, (1653.00, 91.110, 179.830), "m", 3),
    ("petrel/aer_petrel_trace_100042209506W400.txt", "petrel", 391, (2022.0, 89.5, 52.5), "m", 3),
    ("las/kgs_sperry_mwd_survey.las", "las", 64, (5580, 0.39, 355.76), "ft", 2),
    ("csv/well_1515_directional.csv", "csv", 83, (4800, 27.35, 51.23), None, 2),
    ("csv/wellpath_report_projected_to_td.csv", "csv", 80, (2267.00, 35.43, 298.39), "m", 2),
    ("iscwsa/iscwsa_1_wellpath.csv", "csv", 268, (8000, 90, 75), "m", 2),
    ("iscwsa/iscwsa_2_wellpath.csv", "csv", 131, (12500, 60, 220), "ft", 2),
    ("csv/volve_15_9-F-12_survey.csv", "csv", 126, (3438, 53.43, 104.32), None, 2),
    ("csv/nlog_P11-A-02_survey.csv", "csv", 91, (2691, 89.66, 319.61), None, 2),
    ("csv/penobscot_P-129.csv", "csv", 45, (1872, 4.15, 32), None, 2),
    ("xlsx/penobscot_P-135.xlsx", "xlsx", 19, (936, 5, 0), "m", 2),
    ("csv/wellpathpy_deviation.csv", "csv", 79, (2267.00, 35.43, 298.39), "m", 2),
    ("p717/iogp_p717_example_A.p717", "p717", 440, (10991, 58.301, 227.351), "ft", 3),
]


@pytest.mark.parametrize(("rel", "fmt", "count", "last", "unit", "dp"), STATIONS)
def test_counts_and_last_station(
    reference_data: Path,
    rel: str,
    fmt: str,
    count: int,
    last: tuple[float, float, float],
    unit: str | None,
    dp: int,
) -> None:
    s = read_survey(reference_data / rel)
    assert s.format == fmt
    assert s.station_count == count
    got = s.stations.iloc[-1]
    assert got["md"] == pytest.approx(last[0], abs=10**-dp)
    assert got["inc"] == pytest.approx(last[1], abs=10**-dp)
    assert got["azi"] == pytest.approx(last[2], abs=10**-dp)
    assert s.header.depth_unit == (DepthUnit(unit) if unit else None)
    if unit is None:
        assert "depth_unit_unknown" in {f.code for f in s.findings}


def test_same_bytes_give_same_result(reference_data: Path) -> None:
    path = reference_data / "csv/aer_sdi_105030309506W400.csv"
    a = read_survey(path)
    b = read_survey(path.read_bytes(), name="upload.bin")
    assert a.stations.equals(b.stations)
    assert b.source_name == "upload.bin"


def _mc(survey):
    from surveylab.calc import minimum_curvature

    st = survey.stations[survey.stations["used"]]
    return minimum_curvature(
        st["md"].to_numpy(),
        st["inc"].to_numpy(),
        st["azi"].to_numpy(),
        tie_on=survey.header.tie_on,
    )


# file, TVD, N, E, tolerance (EXPECTED.md "Golden geometry")
GOLDEN = [
    ("witsml/volve_15_9-F-4_trajectory.xml", 3138.0629, -883.6549, 604.1108, 1e-3),
    ("witsml/volve_15_9-F-7_trajectory.xml", 1077.4772, -10.9060, -78.6624, 1e-3),
    ("csv/volve_15_9-F-11_A.csv", 3126.49, 706.05, 297.21, 0.01),
    ("xls/slb_well-9H.xls", 3489.3175, -4487.0727, 555.0580, 1e-3),
    ("csv/aer_sdi_105030309506W400.csv", 333.15, -1325.25, -284.21, 0.01),
    ("las/kgs_sperry_mwd_survey.las", 5579.85, -8.12, 2.61, 0.03),
    ("csv/well_1515_directional.csv", 4517.87, 742.78, 897.97, 0.01),
    ("csv/wellpath_report_projected_to_td.csv", 2013.3, 498.84, -797.35, 0.05),
    ("iscwsa/iscwsa_1_wellpath.csv", 3521.06, None, None, 0.01),
    ("iscwsa/iscwsa_2_wellpath.csv", 9816.02, None, None, 0.05),
]


@pytest.mark.parametrize(("rel", "tvd", "north", "east", "tol"), GOLDEN)
def test_golden_geometry_recomputed(
    reference_data: Path, rel: str, tvd: float, north: float | None, east: float | None, tol: float
) -> None:
    s = read_survey(reference_data / rel)
    pos = _mc(s)
    assert pos.tvd[-1] == pytest.approx(tvd, abs=tol)
    if north is not None:
        assert pos.north[-1] == pytest.approx(north, abs=tol)
        assert pos.east[-1] == pytest.approx(east, abs=tol)
    assert "vendor_position_mismatch" not in {f.code for f in s.findings}


def test_petrel_grid_offsets_reproduced(reference_data: Path) -> None:
    """DX/DY are grid offsets: local offsets rotated by the convergence and scaled by 0.9996."""
    s = read_survey(reference_data / "petrel/aer_petrel_trace_100042209506W400.txt")
    assert s.header.azimuth_reference is NorthReference.TRUE
    conv = s.header.grid_convergence
    assert conv == pytest.approx(0.0721, abs=1e-4)
    pos = _mc(s)
    c = math.radians(conv)
    gn = 0.9996 * (pos.north * math.cos(c) + pos.east * math.sin(c))
    ge = 0.9996 * (pos.east * math.cos(c) - pos.north * math.sin(c))
    assert pos.tvd[-1] == pytest.approx(309.0581, abs=1e-3)
    assert gn[-1] == pytest.approx(1273.0250, abs=1e-3)
    assert ge[-1] == pytest.approx(1006.7710, abs=1e-3)
    assert np.allclose(gn, s.vendor["grid_north"], atol=2e-3)


def test_f11_tie_on_row(reference_data: Path) -> None:
    s = read_survey(reference_data / "csv/volve_15_9-F-11_A.csv")
    t = s.header.tie_on
    assert (t.md, t.tvd, t.north, t.east, t.assumed) == (145.9, 145.9, 4.65, -0.93, False)
    assert s.stations["md"].iloc[0] == 145.9  # the tie-on row stays a station


def test_witsml_volve_metadata(reference_data: Path) -> None:
    s = read_survey(reference_data / "witsml/volve_15_9-F-4_trajectory.xml")
    h = s.header
    assert h.angle_unit == "rad"
    assert h.azimuth_reference is NorthReference.TRUE
    assert h.declination == 0.0 and h.total_correction == 0.0
    assert h.well_name == "NO 15/9-F-4"
    assert h.tie_on is not None and h.tie_on.md == 0.0 and not h.tie_on.assumed
    assert s.stations["md"].iloc[0] == 0.0 and s.stations["md"].iloc[1] == pytest.approx(0.9)
    assert h.tool == "gyroscopic north seeking"


def test_las_well_metadata(reference_data: Path) -> None:
    s = read_survey(reference_data / "las/kgs_sperry_mwd_survey.las")
    h = s.header
    assert (h.declination, h.grid_convergence, h.total_correction) == (4.95, 0.09, 4.95)
    assert h.vs_azimuth == 0.0
    assert float(h.extra["mfld"]) == 51859.0 and float(h.extra["mdip"]) == 65.21
    assert h.depth_datum == "DF" and h.datum_elevation == 1327.0
    assert "Kansas State Planes" in h.crs
    assert h.tie_on is None
    assert "no_tie_on" in {f.code for f in s.findings}
    assert s.stations["md"].iloc[0] == 173.0


def test_sdi_metadata(reference_data: Path) -> None:
    s = read_survey(reference_data / "csv/aer_sdi_105030309506W400.csv")
    h = s.header
    assert (h.declination, h.grid_convergence) == (12.28, 0.10)
    assert (h.depth_datum, h.datum_elevation) == ("KB", 604.51)
    assert h.azimuth_reference is NorthReference.TRUE
    assert h.vs_azimuth == 192.23
    assert h.calculation_method == "minimum curvature"
    assert h.survey_date == "2017-09-22"
    assert s.vendor["northing"].iloc[0] == 6342061.910
    assert s.stations["projected"].sum() == 2  # the two "Extrapolation to ..." rows


def test_slb_xls_metadata(reference_data: Path) -> None:
    s = read_survey(reference_data / "xls/slb_well-9H.xls")
    h = s.header
    assert h.declination == -2.430
    assert h.grid_convergence == -0.01017929
    assert h.total_correction == -2.420
    assert h.azimuth_reference is NorthReference.GRID
    assert h.scale_factor == 0.99975273
    assert bool(s.stations["projected"].iloc[-1])
    assert h.tie_on is not None and h.tie_on.md == 0.0


def test_p135_xlsx_metadata(reference_data: Path) -> None:
    h = read_survey(reference_data / "xlsx/penobscot_P-135.xlsx").header
    assert h.extra["uwi"] == "P-135"
    assert (h.depth_datum, h.datum_elevation) == ("KB", 123.0)
    assert h.crs == "NAD 83"


def test_p717_metadata(reference_data: Path) -> None:
    s = read_survey(reference_data / "p717/iogp_p717_example_A.p717")
    h = s.header
    assert s.stations["md"].iloc[0] == 0.0
    assert h.azimuth_reference is NorthReference.GRID
    assert h.grid_convergence == 1.780
    assert h.crs is not None and "32039" in h.crs
    assert (h.surface_y, h.surface_x) == (718535.81, 3151657.82)
    assert h.well_name == "ALPHA 01"
    assert h.datum_elevation == pytest.approx(2626 * (1200 / 3937) / 0.3048)
    assert bool(s.stations["projected"].iloc[-1]) and s.stations["projected"].sum() == 1


def test_wireline_log_refused(reference_data: Path) -> None:
    with pytest.raises(SurveyFileError) as ei:
        read_survey(reference_data / "las/kgs_wireline_not_a_survey.las")
    msg = str(ei.value)
    assert "not a survey" in msg
    assert "zero on every row" in msg and "depth decreases" in msg and ".1IN" in msg
    assert ei.value.file == "kgs_wireline_not_a_survey.las"


@pytest.mark.parametrize(
    "rel", ["witsml/volve_15_9-F-4_well.xml", "witsml/volve_15_9-F-4_wellbore.xml"]
)
def test_witsml_non_trajectory_objects_refused(reference_data: Path, rel: str) -> None:
    with pytest.raises(SurveyFileError, match="not a WITSML trajectory"):
        read_survey(reference_data / rel)
