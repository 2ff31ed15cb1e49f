"""Exports read back to the same stations and header metadata."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.cli import main
from surveylab.exporters import EXPORT_FORMATS, ExportError, export
from surveylab.models import DepthUnit, NorthReference, TieOn
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers import read_survey

DATA = Path(__file__).resolve().parent.parent / "data"
REFERENCE = [
    "csv/aer_sdi_105030309506W400.csv",
    "csv/volve_15_9-F-11_A.csv",
    "xls/slb_well-9H.xls",
    "las/kgs_sperry_mwd_survey.las",
    "witsml/volve_15_9-F-4_trajectory.xml",
    "p717/iogp_p717_example_A.p717",
    "petrel/aer_petrel_trace_100042209506W400.txt",
]
#: Header fields every format carries back.
CORE = (
    "depth_unit",
    "azimuth_reference",
    "declination",
    "grid_convergence",
    "total_correction",
    "scale_factor",
    "vs_azimuth",
    "tie_on",
    "wellbore_name",
    "run_name",
    "survey_date",
)
#: Fields WITSML trajectories do not hold (they live in the Well / Wellbore objects).
NOT_IN_WITSML = ("operator", "crs", "surface_x", "surface_y", "depth_datum", "datum_elevation")
FIELDS = {
    "csv": CORE + NOT_IN_WITSML + ("well_name", "tool", "calculation_method"),
    "xlsx": CORE + NOT_IN_WITSML + ("well_name", "tool", "calculation_method"),
    "las": CORE + NOT_IN_WITSML + ("well_name", "tool", "calculation_method"),
    "witsml14": (*CORE, "well_name", "tool", "calculation_method"),
    "witsml20": (*CORE, "tool", "calculation_method"),
}


def _same_stations(a: ParsedSurvey, b: ParsedSurvey, exact: bool) -> None:
    for c in ("md", "inc", "azi"):
        x, y = a.stations[c].to_numpy(), b.stations[c].to_numpy()
        if exact:
            assert np.array_equal(x, y), c
        else:  # openpyxl stores floats with 15-16 significant digits
            np.testing.assert_allclose(x, y, rtol=1e-14, atol=0)
    for c in ("projected", "used"):
        assert a.stations[c].tolist() == b.stations[c].tolist()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "las", "witsml14", "witsml20"])
@pytest.mark.parametrize("rel", REFERENCE)
def test_round_trip_reference(reference_data: Path, rel: str, fmt: str) -> None:
    a = read_survey(reference_data / rel)
    if a.header.depth_unit is None and fmt.startswith("witsml"):
        with pytest.raises(ExportError, match="depth unit is unknown"):
            export(a, fmt)
        return
    b = read_survey(export(a, fmt), name=f"out.{fmt}")
    _same_stations(a, b, exact=fmt != "xlsx")
    for f in FIELDS[fmt]:
        assert getattr(b.header, f) == getattr(a.header, f), f


def test_round_trip_quirk_flags() -> None:
    a = read_survey(DATA / "p717_flag0_duplicates.p717")
    for fmt in ("csv", "xlsx", "las", "witsml14", "witsml20"):
        b = read_survey(export(a, fmt), name=f"o.{fmt}")
        assert b.stations["used"].tolist() == a.stations["used"].tolist(), fmt
        assert b.stations["projected"].tolist() == a.stations["projected"].tolist(), fmt


def test_export_with_trajectory(reference_data: Path) -> None:
    from surveylab.calc import compute_trajectory

    a = read_survey(reference_data / "csv/volve_15_9-F-11_A.csv")
    a.header.depth_unit = DepthUnit.M
    st_ = a.stations
    traj = compute_trajectory(
        st_["md"], st_["inc"], st_["azi"], depth_unit=DepthUnit.M, tie_on=a.header.tie_on
    )
    b = read_survey(export(a, "csv", traj), name="t.csv")
    np.testing.assert_allclose(b.vendor["tvd"], traj.tvd, rtol=0, atol=1e-9)
    assert "vendor_position_mismatch" not in {f.code for f in b.findings}


def test_export_errors() -> None:
    a = read_survey(DATA / "tab_delimited.txt")
    with pytest.raises(ExportError, match="unknown export format 'pdf'"):
        export(a, "pdf")
    assert "witsml" in EXPORT_FORMATS


@settings(max_examples=40, deadline=None)
@given(
    md=st.lists(st.floats(0.01, 500, allow_nan=False), min_size=1, max_size=15),
    inc=st.floats(0, 180),
    azi=st.floats(0, 359.999),
    decl=st.none() | st.floats(-30, 30),
    unit=st.sampled_from(list(DepthUnit)),
    fmt=st.sampled_from(["csv", "las", "witsml14"]),
)
def test_round_trip_property(md, inc, azi, decl, unit, fmt) -> None:
    import pandas as pd

    depths = np.cumsum(md)
    n = len(depths)
    stations = pd.DataFrame(
        {
            "md": depths,
            "inc": [inc] * n,
            "azi": [azi] * n,
            "projected": [False] * (n - 1) + [n > 1],
            "used": [True] * n,
        }
    )
    h = SurveyHeader(
        depth_unit=unit,
        azimuth_reference=NorthReference.GRID,
        declination=decl,
        well_name="P-1",
        tie_on=TieOn(
            md=float(depths[0]), inc=inc, azi=azi, tvd=float(depths[0]) / 2, north=1.0, east=-2.0
        ),
    )
    a = ParsedSurvey(format="csv", source_name="x", header=h, stations=stations)
    b = read_survey(export(a, fmt), name=f"p.{fmt}")
    _same_stations(a, b, exact=True)
    assert (b.header.depth_unit, b.header.declination, b.header.tie_on) == (unit, decl, h.tie_on)


def test_cli_inspect_json(reference_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(reference_data / "xls/slb_well-9H.xls"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "xls" and doc["station_count"] == 121
    assert doc["first"] == {"md": 0.0, "inc": 0.0, "azi": 0.0}
    assert doc["last"]["md"] == 7922.0
    assert doc["header"]["declination"] == -2.43
    assert {"severity", "code", "message", "station"} <= set(doc["findings"][0])


def test_cli_inspect_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(DATA / "md_problems.csv")]) == 0
    out = capsys.readouterr().out
    assert "md_not_increasing" in out and "stations: 6" in out


def test_cli_inspect_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(DATA / "bad_number.csv")]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0] == "error: bad_number.csv, line 4, field 'inc': cannot read '1O.5' as a number"


@pytest.mark.parametrize("to", ["csv", "xlsx", "las", "witsml"])
def test_cli_export(tmp_path: Path, to: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"o.{to}"
    assert main(["export", str(DATA / "key_value_header.csv"), "--to", to, "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    back = read_survey(out)
    assert back.header.well_name == "KV-1"
    assert back.station_count == 2


def test_cli_export_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["export", str(DATA / "tab_delimited.txt"), "--to", "witsml", "-o", str(tmp_path / "x.xml")]
    )
    assert code != 0
    err = capsys.readouterr().err
    assert err.startswith("error: tab_delimited.txt: the survey's depth unit is unknown")
